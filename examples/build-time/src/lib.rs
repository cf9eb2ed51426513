//! Shows `codegen` used from a `build.rs`: the artifacts are generated into
//! `OUT_DIR` when this crate builds and embedded with `include_str!`.

/// The Contact JSON Schema, generated at build time.
pub const CONTACT_SCHEMA: &str = include_str!(concat!(
    env!("OUT_DIR"),
    "/schemas/json-schema/contact.schema.json"
));

/// The Contact OpenAPI document (YAML), generated at build time.
pub const CONTACT_OPENAPI_YAML: &str = include_str!(concat!(
    env!("OUT_DIR"),
    "/schemas/openapi/contacts.openapi.yaml"
));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_time_artifacts_equal_the_committed_ones() {
        let committed = |p: &str| {
            std::fs::read_to_string(format!("{}/../../schemas/{p}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
        };
        assert_eq!(CONTACT_SCHEMA, committed("json-schema/contact.schema.json"));
        assert_eq!(
            CONTACT_OPENAPI_YAML,
            committed("openapi/contacts.openapi.yaml")
        );
        let schema: serde_json::Value = serde_json::from_str(CONTACT_SCHEMA).unwrap();
        assert_eq!(schema["title"], "Contact");
    }
}
