//! The Account: a customer organisation, as CONTRACT.md §9 defines it. Its
//! ids have the form a Contact's `account_id` takes (`acc-<uuid>`).

use chrono::{DateTime, NaiveDate, Utc};
use resource_model::Resource;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A customer organisation: the company contacts work at.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Resource)]
#[resource(
    name = "Account",
    plural = "accounts",
    path = "/api/v1/crm/accounts",
    id_prefix = "acc",
    sdk = "customer.accounts",
    table = "accounts",
    schema_version = 1,
    max_length = 1024
)]
pub struct Account {
    /// The account's id: `acc-` and a lowercase UUID (version 7, time-ordered),
    /// the form a contact's `account_id` takes.
    #[field(stamp = id, format = prefixed_uuid("acc"))]
    pub id: String,
    /// Tenant scope.
    #[field(stamp = tenant)]
    pub tenant_id: String,
    /// App scope: the app whose token created the account; absent for
    /// human-user sessions. Filters reads when present.
    #[field(stamp = app)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// When the account was created.
    #[field(stamp = created_at)]
    pub created_at: DateTime<Utc>,
    /// When the account was last written.
    #[field(stamp = updated_at)]
    pub updated_at: DateTime<Utc>,
    /// Who created the account (a person or app id).
    #[field(stamp = created_by)]
    pub created_by: String,
    /// Who last wrote the account.
    #[field(stamp = updated_by)]
    pub updated_by: String,
    /// Soft-delete flag. Soft-deleted accounts are left out of default lists.
    #[field(stamp = deleted_flag)]
    pub is_deleted: bool,
    /// When the account was soft-deleted.
    #[field(stamp = deleted_at)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// Who soft-deleted the account.
    #[field(stamp = deleted_by)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_by: Option<String>,
    /// Document schema version. Bumped on incompatible writes.
    #[field(stamp = schema_version, minimum = 1)]
    pub schema_version: i64,
    /// The organisation's name.
    #[field(min_length = 1, max_length = 255, example = "Acme Corporation")]
    pub name: String,
    /// The organisation's web domain, unique within the tenant among live accounts.
    #[field(
        format = hostname,
        max_length = 253,
        filter = case_insensitive,
        unique(within(tenant_id), case_insensitive, ignore_deleted),
        example = "acme.example"
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// The industry the organisation works in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = "Manufacturing")]
    pub industry: Option<String>,
    /// How many people the organisation employs.
    #[field(maximum = 10_000_000, example = 1200)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub employee_count: Option<u32>,
    /// The day the organisation was founded.
    #[field(example = "1998-09-04")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub founded_on: Option<NaiveDate>,
    /// The organisation's website.
    #[field(format = http_url, max_length = 2048, example = "https://acme.example")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Free-form string tags.
    #[field(max_items = 100, item_min_length = 1, item_max_length = 64)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = r#"["customer"]"#)]
    pub tags: Option<Vec<String>>,
    /// Per-tenant schema extension for additional fields.
    #[field(max_bytes = 65536, max_depth = 10)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_fields: Option<Map<String, Value>>,
    /// Optimistic-concurrency version counter.
    #[field(stamp = version, minimum = 1)]
    pub version: i64,
}
