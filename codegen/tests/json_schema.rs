//! The JSON Schemas are valid 2020-12 documents, and they accept and reject
//! real values for the right reasons.

mod support;

use contact_schema::{Contact, Resource};

use serde_json::{Value, json};

fn schema(file: &str) -> Value {
    let artifacts = codegen::artifacts(&support::crm(), &support::cmds()).unwrap();
    let a = artifacts
        .iter()
        .find(|a| a.path.to_str() == Some(&format!("json-schema/{file}")))
        .unwrap_or_else(|| panic!("no artifact {file}"));
    serde_json::from_str(&a.contents).unwrap()
}

fn validator(file: &str) -> jsonschema::Validator {
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(&schema(file))
        .unwrap()
}

/// The keywords whose failure rejected `instance`, as `keyword@instance_path`.
fn failures(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{}@{}", e.kind().keyword(), e.instance_path()))
        .collect()
}

fn stored_contact() -> Value {
    json!({
        "id": "per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD",
        "tenant_id": "tenant-a",
        "created_at": "2026-11-29T12:00:00Z",
        "updated_at": "2026-11-29T12:00:00.5+01:00",
        "created_by": "user-1",
        "updated_by": "user-1",
        "source": "edm",
        "source_type": "api",
        "is_deleted": false,
        "schema_version": 1,
        "version": 1,
        "account_id": "acc-3f2b8c1e-9d4a-4b6f-8e2c-1a5d7f9b0c3e",
        "first_name": "Ada",
        "last_name": "Lovelace",
        "display_name": "Ada Lovelace",
        "email": "ada@example.com",
        "phone": "+442071234567",
        "linkedin_url": "HTTPS://www.linkedin.com/in/ada",
        "tags": ["vip", "vip"],
        "custom_fields": {"tier": {"level": 2}},
        "deleted_at": null,
        "an_extra_field": "clients ignore it"
    })
}

#[test]
fn each_schema_is_valid_against_the_2020_12_meta_schema() {
    for file in [
        "contact.schema.json",
        "contact.create.schema.json",
        "contact.update.schema.json",
    ] {
        let s = schema(file);
        assert_eq!(
            s["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{file}"
        );
        if let Err(e) = jsonschema::meta::validate(&s) {
            panic!("{file} is not a valid JSON Schema: {e}");
        }
    }
    // The meta-schema check itself can fail: a schema with a bad keyword value is caught.
    assert!(jsonschema::meta::validate(&json!({"type": "strnig"})).is_err());
}

#[test]
fn a_stored_contact_is_valid() {
    let v = validator("contact.schema.json");
    assert_eq!(failures(&v, &stored_contact()), Vec::<String>::new());
}

#[test]
fn response_schema_rejects_each_kind_of_bad_contact() {
    let v = validator("contact.schema.json");
    let cases: &[(&str, Value, &str)] = &[
        ("phone", json!("020 7123 4567"), "pattern@/phone"),
        ("phone", json!("+0123"), "pattern@/phone"),
        (
            "account_id",
            json!("acc-3F2B8C1E-9D4A-4B6F-8E2C-1A5D7F9B0C3E"),
            "pattern@/account_id",
        ),
        (
            "account_id",
            json!("3f2b8c1e-9d4a-4b6f-8e2c-1a5d7f9b0c3e"),
            "pattern@/account_id",
        ),
        ("source_type", json!("carrier-pigeon"), "enum@/source_type"),
        ("id", json!("per_01j8z3q7d4m5v6w7x8y9z0abcd"), "pattern@/id"),
        ("email", json!("not an email"), "pattern@/email"),
        ("email", json!("ada@localhost"), "pattern@/email"),
        (
            "linkedin_url",
            json!("ftp://example.com/x"),
            "pattern@/linkedin_url",
        ),
        (
            "created_at",
            json!("2026-11-29T12:00:00"),
            "format@/created_at",
        ),
        ("version", json!(0), "minimum@/version"),
        ("tenant_id", json!(null), "type@/tenant_id"),
        ("tags", json!([""]), "minLength@/tags/0"),
        ("is_primary", json!("yes"), "type@/is_primary"),
        ("source", json!(""), "minLength@/source"),
    ];
    for (field, value, expected) in cases {
        let mut c = stored_contact();
        c[*field] = value.clone();
        let got = failures(&v, &c);
        assert!(
            got.iter().any(|g| g == expected),
            "{field} = {value}: expected {expected}, got {got:?}"
        );
    }
    let mut c = stored_contact();
    c.as_object_mut().unwrap().remove("version");
    assert_eq!(failures(&v, &c), ["required@"]);
    let mut c = stored_contact();
    c["tags"] = Value::Array((0..101).map(|i| json!(format!("t{i}"))).collect());
    assert_eq!(failures(&v, &c), ["maxItems@/tags"]);
}

#[test]
fn create_schema_takes_client_fields_and_rejects_server_ones() {
    let v = validator("contact.create.schema.json");
    let ok = json!({"email": "a@b.co", "source_type": null, "account_id": null, "tags": []});
    assert_eq!(failures(&v, &ok), Vec::<String>::new());
    assert_eq!(
        failures(&v, &json!({})),
        Vec::<String>::new(),
        "no client field is required"
    );
    for server in ["id", "tenant_id", "version", "is_deleted", "created_at"] {
        let body = json!({ server: "x", "email": "a@b.co" });
        assert_eq!(
            failures(&v, &body),
            ["additionalProperties@"],
            "server field {server}"
        );
    }
    assert_eq!(
        failures(&v, &json!({"colour": "red"})),
        ["additionalProperties@"]
    );
    assert_eq!(failures(&v, &json!({"phone": "12345"})), ["pattern@/phone"]);
    assert_eq!(
        failures(&v, &json!({"source_type": "fax"})),
        ["anyOf@/source_type"]
    );
    assert_eq!(
        failures(&v, &json!({"last_interaction_at": "yesterday"})),
        ["format@/last_interaction_at"]
    );
    // The defaults are in words, not `default` keywords: openapi-typescript
    // and others make a member with a default required.
    let s = schema("contact.create.schema.json");
    assert!(s["properties"]["source"].get("default").is_none());
    assert!(
        s["properties"]["source"]["description"]
            .as_str()
            .unwrap()
            .ends_with("When absent or null, the server stores \"edm\".")
    );
    let r = schema("contact.schema.json");
    assert_eq!(r["properties"]["source"]["default"], "edm");
    assert_eq!(r["properties"]["source_type"]["default"], "api");
}

#[test]
fn update_schema_is_a_merge_patch_with_a_version_precondition() {
    let v = validator("contact.update.schema.json");
    let patch = json!({"first_name": null, "custom_fields": {"a": null}, "version": 3});
    assert_eq!(failures(&v, &patch), Vec::<String>::new());
    assert_eq!(failures(&v, &json!({"version": "3"})), ["type@/version"]);
    assert_eq!(
        failures(&v, &json!({"tenant_id": "t"})),
        ["additionalProperties@"]
    );
    let s = schema("contact.update.schema.json");
    assert!(
        s["properties"]["source"].get("default").is_none(),
        "an absent member is unchanged, not defaulted"
    );
    assert!(s.get("required").is_none());
}

#[test]
fn server_fields_are_read_only_in_the_response_schema() {
    let s = schema("contact.schema.json");
    let m = Contact::model();
    for f in &m.fields {
        let read_only = s["properties"][&f.name].get("readOnly") == Some(&json!(true));
        assert_eq!(read_only, !f.is_client(), "{}", f.name);
    }
}
