//! Shows `codegen` used from a `build.rs`: the artifacts are generated into
//! `OUT_DIR` when this crate builds and embedded with `include_str!`.

/// The Contact JSON Schema, generated at build time.
pub const CONTACT_SCHEMA: &str = include_str!(concat!(
    env!("OUT_DIR"),
    "/schemas/json-schema/contact.schema.json"
));

/// The API's OpenAPI document (YAML), generated at build time.
pub const OPENAPI_YAML: &str =
    include_str!(concat!(env!("OUT_DIR"), "/schemas/openapi/openapi.yaml"));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn build_time_artifacts_equal_the_committed_ones() {
        let committed = |p: &str| {
            std::fs::read_to_string(format!("{}/../../schemas/{p}", env!("CARGO_MANIFEST_DIR")))
                .unwrap()
        };
        // Every file but those whose header names the command that regenerates
        // them: here `cargo build`, in the committed tree the crm-api binary.
        let unheaded =
            |text: &str| text.replace("`cargo build`", "`cargo run -p crm-api -- generate`");
        assert_eq!(
            unheaded(CONTACT_SCHEMA),
            committed("json-schema/contact.schema.json")
        );
        assert_eq!(unheaded(OPENAPI_YAML), committed("openapi/openapi.yaml"));
        let schema: serde_json::Value = serde_json::from_str(CONTACT_SCHEMA).unwrap();
        assert_eq!(schema["title"], "Contact");
    }
}
