//! The Contact model says what CONTRACT.md says, and agrees with serde and schemars.

use contact_schema::{Contact, Resource, SourceType};
use resource_model::ResourceModel;
use resource_model::{Computed, FieldType, Filter, Format, Reference, Stamp, Writer};
use serde_json::json;

/// The seed's 32 fields, in its order (its unnamed row is `email`).
const SEED_FIELDS: [&str; 32] = [
    "id",
    "tenant_id",
    "app_id",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "source",
    "source_type",
    "is_deleted",
    "deleted_at",
    "deleted_by",
    "schema_version",
    "account_id",
    "first_name",
    "last_name",
    "display_name",
    "email",
    "phone",
    "job_title",
    "seniority",
    "decision_role",
    "is_primary",
    "linkedin_url",
    "reports_to_contact_id",
    "last_interaction_at",
    "opted_in",
    "opted_in_at",
    "gdpr_consent",
    "custom_fields",
    "tags",
    "version",
];

/// CONTRACT.md's ★ fields: always carry a value.
const ALWAYS_PRESENT: [&str; 11] = [
    "id",
    "tenant_id",
    "created_at",
    "updated_at",
    "created_by",
    "updated_by",
    "source",
    "source_type",
    "is_deleted",
    "schema_version",
    "version",
];

#[test]
fn has_every_seed_field_in_order() {
    let m = Contact::model();
    let names: Vec<&str> = m.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, SEED_FIELDS);
    assert!(m.fields.iter().all(|f| !f.description.is_empty()));
}

#[test]
fn passes_its_own_validation() {
    assert_eq!(Contact::model().validate(), Ok(()));
}

#[test]
fn always_present_fields_match_the_contract() {
    let m = Contact::model();
    let star: Vec<&str> = m
        .fields
        .iter()
        .filter(|f| f.always_present)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(star, ALWAYS_PRESENT);
    for f in &m.fields {
        assert_eq!(f.nullable, !f.always_present, "{}", f.name);
    }
}

#[test]
fn server_stamps_every_server_field_of_the_contract() {
    let m = Contact::model();
    let expect = [
        ("id", Stamp::Id),
        ("tenant_id", Stamp::Tenant),
        ("app_id", Stamp::App),
        ("created_at", Stamp::CreatedAt),
        ("updated_at", Stamp::UpdatedAt),
        ("created_by", Stamp::CreatedBy),
        ("updated_by", Stamp::UpdatedBy),
        ("is_deleted", Stamp::DeletedFlag),
        ("deleted_at", Stamp::DeletedAt),
        ("deleted_by", Stamp::DeletedBy),
        ("schema_version", Stamp::SchemaVersion),
        ("version", Stamp::Version),
    ];
    for (name, stamp) in expect {
        assert_eq!(m.stamp(stamp).map(|f| f.name.as_str()), Some(name));
    }
    assert_eq!(m.server_fields().count(), expect.len());
    assert_eq!(m.client_fields().count(), 32 - expect.len());
}

#[test]
fn defaults_formats_and_rules() {
    let m = Contact::model();
    let f = |n: &str| m.field(n).unwrap();
    assert_eq!(f("source").default(), Some(&json!("edm")));
    assert_eq!(f("source").limits.min_length, Some(1));
    assert_eq!(f("source_type").default(), Some(&json!("api")));
    assert_eq!(
        f("source_type").ty,
        FieldType::Enum {
            values: ["frontend", "backend", "server", "system", "api"]
                .map(String::from)
                .to_vec()
        }
    );
    assert_eq!(
        f("id").format,
        Some(Format::PrefixedUlid {
            prefix: "per".into()
        })
    );
    assert_eq!(
        f("account_id").format,
        Some(Format::PrefixedUuid {
            prefix: "acc".into()
        })
    );
    assert_eq!(f("email").format, Some(Format::Email));
    assert_eq!(m.max_length(f("email")), Some(254));
    assert_eq!(f("phone").format, Some(Format::E164));
    assert_eq!(f("linkedin_url").format, Some(Format::HttpUrl));
    assert_eq!(m.max_length(f("linkedin_url")), Some(2048));
    assert_eq!(
        m.max_length(f("job_title")),
        Some(1024),
        "resource default for plain strings"
    );
    assert_eq!(
        m.max_length(f("id")),
        None,
        "server strings are not limited"
    );
    assert_eq!(
        f("reports_to_contact_id").references,
        Some(Reference::SameResource {
            same: vec!["account_id".into()]
        })
    );
    assert_eq!(
        f("display_name").computed(),
        Some(&Computed::JoinWhenBlank {
            from: vec!["first_name".into(), "last_name".into()],
            separator: " ".into()
        })
    );
    assert_eq!(
        f("opted_in_at").computed(),
        Some(&Computed::StampWhenTrue {
            flag: "opted_in".into()
        })
    );
    assert_eq!(
        (
            f("tags").limits.max_items,
            f("tags").limits.item_min_length,
            f("tags").limits.item_max_length
        ),
        (Some(100), Some(1), Some(64))
    );
    for json_field in ["gdpr_consent", "custom_fields"] {
        assert_eq!(f(json_field).limits.max_bytes, Some(65536));
        assert_eq!(f(json_field).limits.max_depth, Some(10));
    }
    let filters: Vec<_> = m.filters().map(|(f, k)| (f.name.as_str(), k)).collect();
    assert_eq!(
        filters,
        [
            ("account_id", Filter::Exact),
            ("email", Filter::CaseInsensitive)
        ]
    );
    assert_eq!(m.unique.len(), 1);
    let u = &m.unique[0];
    assert_eq!(
        (u.field.as_str(), u.within.as_slice()),
        (
            "email",
            ["tenant_id".to_string(), "account_id".to_string()].as_slice()
        )
    );
    assert!(u.case_insensitive && u.ignore_deleted);
    assert!(m.soft_delete().is_some());
    assert_eq!(m.version_field().map(|f| f.name.as_str()), Some("version"));
    assert!(matches!(f("source").writer, Writer::Client { .. }));
}

#[test]
fn resource_identity() {
    let m = Contact::model();
    assert_eq!(m.path, "/api/v1/crm/contacts");
    assert_eq!(m.item_path(), "/api/v1/crm/contacts/{id}");
    assert_eq!(m.sdk_namespace, "customer.contacts");
    assert_eq!(
        m.sdk_call(resource_model::Operation::List),
        "client.customer.contacts.list"
    );
    assert_eq!(
        (m.table.as_str(), m.schema_version, m.id_prefix.as_str()),
        ("contacts", 1, "per")
    );
}

#[test]
fn model_round_trips_through_json() {
    let m = Contact::model();
    let text = serde_json::to_string(&m).unwrap();
    let back: ResourceModel = serde_json::from_str(&text).unwrap();
    assert_eq!(back, m);
}

#[test]
fn a_broken_manifest_is_reported_rule_by_rule() {
    let mut m = Contact::model();
    m.fields.retain(|f| f.name != "account_id");
    m.fields
        .iter_mut()
        .find(|f| f.name == "source_type")
        .unwrap()
        .writer = Writer::Client {
        default: Some(json!("carrier-pigeon")),
        computed: None,
        required: false,
    };
    let errors = m.validate().unwrap_err();
    let text: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert_eq!(text.len(), 3, "{text:?}");
    assert!(
        text[0].contains("source_type") && text[0].contains("carrier-pigeon"),
        "{text:?}"
    );
    assert!(
        text[1].contains("reports_to_contact_id") && text[1].contains("`account_id`"),
        "{text:?}"
    );
    assert!(text[2].contains("no field `account_id`"), "{text:?}");
}

#[test]
fn model_agrees_with_the_serde_shape_schemars_sees() {
    let m = Contact::model();
    let schema = serde_json::to_value(schemars::schema_for!(Contact)).unwrap();
    let props: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    let names: Vec<&String> = m.fields.iter().map(|f| &f.name).collect();
    assert_eq!(
        props, names,
        "serde's wire names and the model's field names differ"
    );
    let mut required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    required.sort_unstable();
    let mut star = ALWAYS_PRESENT.to_vec();
    star.sort_unstable();
    assert_eq!(
        required, star,
        "schemars' required fields are the model's always-present ones"
    );
}

#[test]
fn a_contact_serialises_as_the_wire_format() {
    let c: Contact = serde_json::from_value(json!({
        "id": "per_01HZY3Q7D4M5V6W7X8Y9Z0ABCD", "tenant_id": "t1",
        "created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-01-02T03:04:05Z",
        "created_by": "u1", "updated_by": "u1", "source": "edm", "source_type": "api",
        "is_deleted": false, "schema_version": 1, "version": 1, "email": "a@b.co"
    }))
    .unwrap();
    assert_eq!(c.source_type, SourceType::Api);
    let v = serde_json::to_value(&c).unwrap();
    assert_eq!(v["email"], "a@b.co");
    assert!(v.get("phone").is_none(), "null client fields are omitted");
}

#[test]
fn each_field_knows_where_it_is_declared() {
    let sources = Contact::field_sources();
    let text = include_str!("../src/contact.rs");
    assert_eq!(sources.len(), Contact::model().fields.len());
    for (name, file, line) in sources {
        assert!(file.ends_with("contact.rs"), "{file}");
        let declared = text.lines().nth(line as usize - 1).unwrap();
        assert!(
            declared.contains(&format!("pub {name}:")),
            "{name} is not declared on line {line}: {declared:?}"
        );
    }
}
