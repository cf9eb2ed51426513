//! The derive is generic: a second resource needs no change to it.

use chrono::{DateTime, Utc};
use resource_model::{FieldType, Format, Stamp};
use resource_model::{Resource, ResourceEnum};
use serde::Serialize;

/// How big an account is.
#[derive(Serialize, ResourceEnum)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Tier {
    /// Small.
    SmallBusiness,
    /// Large.
    Enterprise,
    /// Renamed on the wire.
    #[serde(rename = "gov")]
    Government,
}

/// A customer account.
///
/// Accounts own contacts.
#[derive(Serialize, Resource)]
#[resource(
    path = "/api/v2/accounts",
    id_prefix = "acc",
    sdk = "customer.accounts",
    schema_version = 3
)]
pub struct Account {
    /// The id.
    #[field(stamp = id)]
    pub id: String,
    /// The owning tenant.
    #[field(stamp = tenant)]
    pub tenant: String,
    /// When it was made.
    #[field(stamp = created_at)]
    pub created: DateTime<Utc>,
    /// The revision.
    #[field(stamp = version, minimum = 1)]
    pub revision: u32,
    /// Legal name.
    #[field(max_length = 200, unique(within(tenant), case_insensitive))]
    pub legal_name: String,
    /// The tier.
    #[field(default = "ENTERPRISE", filter = exact)]
    pub tier: Option<Tier>,
    /// Website.
    #[field(format = http_url)]
    #[serde(rename = "web")]
    pub website: Option<String>,
    /// Parent account.
    #[field(format = prefixed_ulid("acc"), references = self)]
    pub parent: Option<String>,
    /// Seats bought.
    #[field(default = 5, minimum = 0)]
    pub seats: Option<i32>,
}

#[test]
fn builds_a_model_from_attributes_alone() {
    let m = Account::model();
    assert_eq!(m.validate(), Ok(()));
    assert_eq!(m.name, "Account");
    assert_eq!(
        m.plural, "accounts",
        "plural defaults to the lower-cased name + s"
    );
    assert_eq!(m.table, "accounts", "table defaults to the plural");
    assert_eq!(
        m.description,
        "A customer account.\n\nAccounts own contacts."
    );
    assert_eq!(m.schema_version, 3);
    assert_eq!(m.stamp(Stamp::Version).unwrap().name, "revision");
    assert!(m.soft_delete().is_none());
    assert_eq!(
        m.field("web").unwrap().format,
        Some(Format::HttpUrl),
        "serde rename is the wire name"
    );
    assert_eq!(
        m.field("tier").unwrap().ty,
        FieldType::Enum {
            values: vec!["SMALL_BUSINESS".into(), "ENTERPRISE".into(), "gov".into()]
        },
        "enum values are what serde writes"
    );
    assert_eq!(
        m.field("id").unwrap().format,
        Some(Format::PrefixedUlid {
            prefix: "acc".into()
        })
    );
    insta::assert_json_snapshot!(m);
}

/// A resource whose wire names come from serde's container attributes.
#[derive(Serialize, Resource)]
#[serde(rename_all = "camelCase")]
#[resource(path = "/api/v1/notes", id_prefix = "note")]
pub struct Note {
    /// The id.
    #[field(stamp = id)]
    pub note_id: String,
    /// The tenant.
    #[field(stamp = tenant)]
    pub tenant: String,
    /// When it was written.
    #[field(stamp = created_at)]
    pub written: DateTime<Utc>,
    /// Written by serde as `bodyText`.
    pub body_text: Option<String>,
    /// Both directions renamed alike.
    #[serde(rename(serialize = "sharedWith", deserialize = "sharedWith"))]
    pub shared: Option<Vec<String>>,
    /// Was `heading` in the last snapshot.
    #[field(renamed_from = "heading")]
    pub title_line: Option<String>,
}

#[test]
fn wire_names_follow_serde_container_attributes() {
    let m = Note::model();
    let names: Vec<&str> = m.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "noteId",
            "tenant",
            "written",
            "bodyText",
            "sharedWith",
            "titleLine"
        ]
    );
    // And they are what serde writes.
    let v = serde_json::to_value(Note {
        note_id: "n".into(),
        tenant: "t".into(),
        written: DateTime::default(),
        body_text: None,
        shared: None,
        title_line: None,
    })
    .unwrap();
    let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
    assert_eq!(keys, names);
    assert_eq!(m.fields[5].renamed_from.as_deref(), Some("heading"));
}
