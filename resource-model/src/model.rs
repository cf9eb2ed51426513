//! The resource model: an API resource described as plain, serialisable data.
//!
//! `#[derive(Resource)]` (from `contact-derive`) builds a [`ResourceModel`]
//! from an annotated struct. Every emitter in `codegen`, the reference server
//! and the conformance runner read this one value (through a
//! [`crate::ValidModel`], which only validation builds); none of them restates
//! a field list of its own. The model also round-trips through JSON (inside
//! `schemas/api.manifest.json`) so tools can read it without compiling Rust.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A type whose definition is an API resource; implemented by `#[derive(Resource)]`.
pub trait Resource {
    /// Builds the resource model of this type.
    fn model() -> ResourceModel;

    /// Where each field is declared, as (wire name, file, line), so tools can
    /// point a finding at its source (`codegen diff --format github`).
    fn field_sources() -> Vec<(&'static str, &'static str, u32)> {
        Vec::new()
    }
}

/// A unit enum whose variants are the wire values of an enum field;
/// implemented by `#[derive(ResourceEnum)]`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a field type the Resource derive understands",
    label = "unsupported field type",
    note = "supported: String, bool, integers, chrono::DateTime<Utc>, chrono::NaiveDate, serde_json::Map<String, Value>, Vec<String>, Option<T> of these, or a unit enum with #[derive(ResourceEnum)]"
)]
pub trait ResourceEnum {
    /// The wire values of the variants, in declaration order, as serde writes
    /// them (read from the enum's `#[serde]` attributes at compile time, so a
    /// field's default can be checked against them before the program runs).
    const VALUES: &'static [&'static str];

    /// The wire values as owned strings.
    fn values() -> Vec<String> {
        Self::VALUES.iter().map(|v| (*v).to_owned()).collect()
    }
}

/// An API resource: its identity, its HTTP and storage names, its fields and rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResourceModel {
    /// The singular type name, e.g. `Contact`.
    pub name: String,
    /// The plural, lower-case name used for files and collections, e.g. `contacts`.
    pub plural: String,
    /// What the resource is, for people.
    pub description: String,
    /// The collection path, e.g. `/api/v1/crm/contacts`; items live at `{path}/{id}`.
    pub path: String,
    /// The prefix of ids, without the underscore, e.g. `per` for `per_01H…`.
    pub id_prefix: String,
    /// The dotted SDK namespace, e.g. `customer.contacts` for `client.customer.contacts`.
    pub sdk_namespace: String,
    /// The storage table name.
    pub table: String,
    /// The schema version in force; stamped on every write.
    pub schema_version: u32,
    /// The limit for client strings that state no limit of their own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_max_length: Option<u32>,
    /// The fields, in declaration order.
    pub fields: Vec<Field>,
    /// The uniqueness rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unique: Vec<UniqueScope>,
    /// The page sizes and body limit of the HTTP API.
    #[serde(default)]
    pub api: ApiLimits,
}

/// The limits of a resource's HTTP API that the server enforces and every
/// client, document and check reads from here: page sizes and the body limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiLimits {
    /// The page size of a list without `limit`.
    pub default_page_size: u32,
    /// The largest page; a larger `limit` is capped to it.
    pub max_page_size: u32,
    /// The largest request body accepted, in bytes; a larger one is a 413.
    pub max_body_bytes: u32,
}

impl Default for ApiLimits {
    /// The contract's limits: pages of 25 by default and at most 100, bodies of at most 1 MiB.
    fn default() -> Self {
        ApiLimits {
            default_page_size: 25,
            max_page_size: 100,
            max_body_bytes: 1_048_576,
        }
    }
}

/// One field of a resource.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The wire (and column) name.
    pub name: String,
    /// What the field holds, for people.
    pub description: String,
    /// The JSON type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Whether null is an allowed value (`Option<T>` in Rust).
    pub nullable: bool,
    /// Whether every response carries a non-null value (★ in the docs).
    pub always_present: bool,
    /// Who writes the field.
    pub writer: Writer,
    /// A string format the value must match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<Format>,
    /// Size and range limits.
    #[serde(default, skip_serializing_if = "Limits::is_empty")]
    pub limits: Limits,
    /// Another resource (or this one) whose id the field holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub references: Option<Reference>,
    /// How the list operation filters on this field, when it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    /// The field's wire name before a rename (`#[field(renamed_from = "…")]`):
    /// schema evolution turns it into a column rename that keeps the data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// A value the docs show in example requests (`#[field(example = …)]`);
    /// the docs tests send it to the reference server, so it must be valid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Value>,
}

/// The JSON type of a field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FieldType {
    /// A JSON string.
    String,
    /// A JSON boolean.
    Boolean,
    /// A JSON integer.
    Integer,
    /// An RFC 3339 date-time string with a time zone offset.
    DateTime,
    /// An RFC 3339 `full-date` string, `YYYY-MM-DD`, a real calendar day.
    Date,
    /// A JSON object of any shape.
    JsonObject,
    /// A JSON array of strings.
    StringArray,
    /// A JSON string from a closed set.
    Enum {
        /// The allowed values, in declaration order.
        values: Vec<String>,
    },
}

impl FieldType {
    /// The short name used in docs tables (`string`, `date-time`, `enum`, …).
    pub fn label(&self) -> &'static str {
        match self {
            FieldType::String => "string",
            FieldType::Boolean => "boolean",
            FieldType::Integer => "integer",
            FieldType::DateTime => "date-time",
            FieldType::Date => "date",
            FieldType::JsonObject => "json",
            FieldType::StringArray => "string[]",
            FieldType::Enum { .. } => "enum",
        }
    }

    /// Whether values of this type are JSON strings (so string formats apply).
    pub fn is_string(&self) -> bool {
        matches!(self, FieldType::String)
    }
}

/// Who writes a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Writer {
    /// The server stamps it; clients cannot set it.
    Server {
        /// What the server stamps.
        stamp: Stamp,
    },
    /// The client writes it.
    Client {
        /// The value stored when the client omits it or sends null.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        default: Option<Value>,
        /// A rule by which the server fills the field in.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        computed: Option<Computed>,
        /// Whether a create must set it (absent or null is a 422) and an
        /// update may not clear it (null is a 422); responses always carry it.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        required: bool,
    },
}

/// The kinds of value the server stamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stamp {
    /// The resource id: the id prefix, `_`, and an uppercase ULID.
    Id,
    /// The caller's tenant (JWT claim `tenant_id`).
    Tenant,
    /// The caller's application (JWT claim `app_id`), set at creation.
    App,
    /// The time of creation.
    CreatedAt,
    /// The time of the last write.
    UpdatedAt,
    /// The creator (JWT `sub`).
    CreatedBy,
    /// The last writer (JWT `sub`).
    UpdatedBy,
    /// The soft-delete flag.
    DeletedFlag,
    /// The time of the soft delete.
    DeletedAt,
    /// The deleter (JWT `sub`).
    DeletedBy,
    /// The optimistic-concurrency version: 1 on create, +1 per write.
    Version,
    /// The schema version in force at the last write.
    SchemaVersion,
}

impl Stamp {
    /// Every stamp kind, in a stable order.
    pub const ALL: [Stamp; 12] = [
        Stamp::Id,
        Stamp::Tenant,
        Stamp::App,
        Stamp::CreatedAt,
        Stamp::UpdatedAt,
        Stamp::CreatedBy,
        Stamp::UpdatedBy,
        Stamp::DeletedFlag,
        Stamp::DeletedAt,
        Stamp::DeletedBy,
        Stamp::Version,
        Stamp::SchemaVersion,
    ];

    /// The name used in attributes and the manifest (`created_at`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Stamp::Id => "id",
            Stamp::Tenant => "tenant",
            Stamp::App => "app",
            Stamp::CreatedAt => "created_at",
            Stamp::UpdatedAt => "updated_at",
            Stamp::CreatedBy => "created_by",
            Stamp::UpdatedBy => "updated_by",
            Stamp::DeletedFlag => "deleted_flag",
            Stamp::DeletedAt => "deleted_at",
            Stamp::DeletedBy => "deleted_by",
            Stamp::Version => "version",
            Stamp::SchemaVersion => "schema_version",
        }
    }

    /// The JSON type a field with this stamp must have.
    pub fn expected_type(self) -> FieldType {
        match self {
            Stamp::Id
            | Stamp::Tenant
            | Stamp::App
            | Stamp::CreatedBy
            | Stamp::UpdatedBy
            | Stamp::DeletedBy => FieldType::String,
            Stamp::CreatedAt | Stamp::UpdatedAt | Stamp::DeletedAt => FieldType::DateTime,
            Stamp::DeletedFlag => FieldType::Boolean,
            Stamp::Version | Stamp::SchemaVersion => FieldType::Integer,
        }
    }

    /// What the server writes, in one sentence for docs.
    pub fn rule(self) -> &'static str {
        match self {
            Stamp::Id => {
                "Assigned by the server at creation: the id prefix, `_`, and an uppercase ULID."
            }
            Stamp::Tenant => "The caller's JWT claim `tenant_id`; never taken from the body.",
            Stamp::App => {
                "The caller's JWT claim `app_id` when the token has one; absent (or null) otherwise; set at creation and never changed."
            }
            Stamp::CreatedAt => "The time of creation.",
            Stamp::UpdatedAt => {
                "Equals the creation time on create; strictly later after every successful write."
            }
            Stamp::CreatedBy => "The creator's JWT `sub`; never changes.",
            Stamp::UpdatedBy => "The JWT `sub` of the last writer.",
            Stamp::DeletedFlag => "False until soft-deleted.",
            Stamp::DeletedAt => {
                "Set by the soft delete to that write's update time; absent (or null) before."
            }
            Stamp::DeletedBy => "The deleter's JWT `sub`; absent (or null) before the delete.",
            Stamp::Version => "1 on create; +1 on every successful write (update or delete).",
            Stamp::SchemaVersion => {
                "The schema version in force at the item's last write: items written before the version was raised keep theirs until they are written again."
            }
        }
    }
}

/// A rule by which the server fills in a client field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Computed {
    /// After every write, if the field is blank (null or only whitespace), it
    /// becomes the trimmed, non-empty `from` fields joined by `separator`, or
    /// null when all are empty. A stored value is never recomputed.
    JoinWhenBlank {
        /// The source fields, in order.
        from: Vec<String>,
        /// The text put between them.
        separator: String,
    },
    /// When a write turns `flag` true (from false or null) and does not set
    /// this field, it becomes that write's update time.
    StampWhenTrue {
        /// The boolean field that triggers the stamp.
        flag: String,
    },
}

/// A string format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Format {
    /// An ASCII email address: RFC 5322 dot-atom `@` a host name of two or more labels.
    Email,
    /// An E.164 phone number: `+` and 2 to 15 digits, no leading zero.
    E164,
    /// An absolute http or https URL (scheme case-insensitive).
    HttpUrl,
    /// A host name: two or more dot-separated labels of 1 to 63 letters,
    /// digits or hyphens, none starting or ending with a hyphen.
    Hostname,
    /// `<prefix>_` and an uppercase ULID.
    PrefixedUlid {
        /// The prefix, without the underscore.
        prefix: String,
    },
    /// `<prefix>-` and a lowercase hyphenated UUID.
    PrefixedUuid {
        /// The prefix, without the hyphen.
        prefix: String,
    },
}

impl Format {
    /// The regular expression (ECMA 262, anchored) a value must match.
    pub fn pattern(&self) -> String {
        match self {
            Format::Email => resource_formats::email(),
            Format::E164 => resource_formats::e164().to_owned(),
            Format::HttpUrl => resource_formats::http_url().to_owned(),
            Format::Hostname => resource_formats::hostname(),
            Format::PrefixedUlid { prefix } => resource_formats::prefixed_ulid(prefix),
            Format::PrefixedUuid { prefix } => resource_formats::prefixed_uuid(prefix),
        }
    }

    /// The format in words, for docs.
    pub fn describe(&self) -> String {
        match self {
            Format::Email => "an email address".to_owned(),
            Format::E164 => "an E.164 phone number (`+` then up to 15 digits)".to_owned(),
            Format::HttpUrl => "an absolute http(s) URL".to_owned(),
            Format::Hostname => "a host name (two or more dot-separated labels)".to_owned(),
            Format::PrefixedUlid { prefix } => format!("`{prefix}_` + an uppercase ULID"),
            Format::PrefixedUuid { prefix } => format!("`{prefix}-` + a lowercase UUID"),
        }
    }
}

/// Size and range limits on a field's value; unset means no limit.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Minimum string length in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    /// Maximum string length in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    /// Minimum integer value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<i64>,
    /// Maximum integer value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<i64>,
    /// Maximum number of array items.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u32>,
    /// Minimum length of each array item, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_min_length: Option<u32>,
    /// Maximum length of each array item, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item_max_length: Option<u32>,
    /// Maximum size of a JSON value, serialised, in bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes: Option<u32>,
    /// Maximum nesting depth of a JSON value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_depth: Option<u32>,
}

impl Limits {
    /// Whether no limit is set.
    pub fn is_empty(&self) -> bool {
        self == &Limits::default()
    }
}

/// A field that holds the id of a resource.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Reference {
    /// Another item of the same resource, visible to the caller, not soft-deleted,
    /// not the item itself, and sharing the values of the `same` fields with
    /// the item after the write (null equals null); checked only when a write sets it.
    SameResource {
        /// Fields whose values the referenced item must share, e.g. `account_id`.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        same: Vec<String>,
    },
}

/// How the list operation filters on a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Filter {
    /// Exact match.
    Exact,
    /// Exact match after ASCII lower-casing.
    CaseInsensitive,
}

/// A uniqueness rule: `field` is unique among items sharing the `within` fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UniqueScope {
    /// The field whose values must be unique.
    pub field: String,
    /// The fields that form the group; null is one group of its own.
    pub within: Vec<String>,
    /// Whether values are compared after ASCII lower-casing.
    pub case_insensitive: bool,
    /// Whether soft-deleted items are left out of the comparison.
    pub ignore_deleted: bool,
}

/// The fields that implement soft delete.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SoftDelete<'a> {
    /// The boolean flag.
    pub flag: &'a Field,
    /// The deletion time, when the resource has one.
    pub at: Option<&'a Field>,
    /// The deleter, when the resource has one.
    pub by: Option<&'a Field>,
}

/// The operations every resource offers, in SDK method order.
pub const OPERATIONS: [Operation; 5] = [
    Operation::List,
    Operation::Get,
    Operation::Create,
    Operation::Update,
    Operation::Delete,
];

/// One operation of a resource's HTTP API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Operation {
    /// `GET {path}`: one page of items.
    List,
    /// `GET {path}/{id}`.
    Get,
    /// `POST {path}`.
    Create,
    /// `PATCH {path}/{id}` with a JSON Merge Patch.
    Update,
    /// `DELETE {path}/{id}`: a soft delete.
    Delete,
}

impl Operation {
    /// The SDK method name (`list`, `get`, …).
    pub fn method_name(self) -> &'static str {
        match self {
            Operation::List => "list",
            Operation::Get => "get",
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }

    /// The HTTP method.
    pub fn http_method(self) -> &'static str {
        match self {
            Operation::List | Operation::Get => "GET",
            Operation::Create => "POST",
            Operation::Update => "PATCH",
            Operation::Delete => "DELETE",
        }
    }

    /// Whether the operation addresses one item (`{path}/{id}`).
    pub fn on_item(self) -> bool {
        !matches!(self, Operation::List | Operation::Create)
    }
}

impl ResourceModel {
    /// The field named `name`.
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The field carrying the given server stamp.
    pub fn stamp(&self, stamp: Stamp) -> Option<&Field> {
        self.fields
            .iter()
            .find(|f| f.writer == Writer::Server { stamp })
    }

    /// The item path template, `{path}/{id}`.
    pub fn item_path(&self) -> String {
        format!("{}/{{id}}", self.path)
    }

    /// The fields the client writes.
    pub fn client_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| f.is_client())
    }

    /// The fields the server stamps.
    pub fn server_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|f| !f.is_client())
    }

    /// The fields the list operation filters on.
    pub fn filters(&self) -> impl Iterator<Item = (&Field, Filter)> {
        self.fields.iter().filter_map(|f| f.filter.map(|k| (f, k)))
    }

    /// The soft-delete fields, when the resource is soft-deleted.
    pub fn soft_delete(&self) -> Option<SoftDelete<'_>> {
        Some(SoftDelete {
            flag: self.stamp(Stamp::DeletedFlag)?,
            at: self.stamp(Stamp::DeletedAt),
            by: self.stamp(Stamp::DeletedBy),
        })
    }

    /// The optimistic-concurrency version field, when the resource has one.
    pub fn version_field(&self) -> Option<&Field> {
        self.stamp(Stamp::Version)
    }

    /// The effective maximum length of a string field: its own, else the
    /// resource default for client strings.
    pub fn max_length(&self, field: &Field) -> Option<u32> {
        field.limits.max_length.or_else(|| {
            (field.is_client() && field.ty == FieldType::String && field.format.is_none())
                .then_some(self.default_max_length)
                .flatten()
        })
    }

    /// The SDK method path, e.g. `client.customer.contacts.list`.
    pub fn sdk_call(&self, op: Operation) -> String {
        format!("client.{}.{}", self.sdk_namespace, op.method_name())
    }

    /// The OpenAPI `operationId` of an operation, e.g. `customer.contacts.list`.
    pub fn operation_id(&self, op: Operation) -> String {
        format!("{}.{}", self.sdk_namespace, op.method_name())
    }
}

impl Field {
    /// Whether the client writes this field.
    pub fn is_client(&self) -> bool {
        matches!(self.writer, Writer::Client { .. })
    }

    /// The server stamp, for a server field.
    pub fn stamp(&self) -> Option<Stamp> {
        match self.writer {
            Writer::Server { stamp } => Some(stamp),
            Writer::Client { .. } => None,
        }
    }

    /// The default a client field takes when omitted or null.
    pub fn default(&self) -> Option<&Value> {
        match &self.writer {
            Writer::Client { default, .. } => default.as_ref(),
            Writer::Server { .. } => None,
        }
    }

    /// The rule by which the server fills in a client field.
    pub fn computed(&self) -> Option<&Computed> {
        match &self.writer {
            Writer::Client { computed, .. } => computed.as_ref(),
            Writer::Server { .. } => None,
        }
    }

    /// Whether a create must set this client field and an update may not clear it.
    pub fn is_required(&self) -> bool {
        matches!(self.writer, Writer::Client { required: true, .. })
    }
}
