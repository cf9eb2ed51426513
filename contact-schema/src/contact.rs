//! The Contact: a person at a customer account, as CONTRACT.md defines it.

use chrono::{DateTime, Utc};
use resource_model::{Resource, ResourceEnum};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Where a write originated.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema, ResourceEnum,
)]
#[serde(rename_all = "snake_case")]
pub enum SourceType {
    /// A browser or app front end.
    Frontend,
    /// A back-end service.
    Backend,
    /// A server process.
    Server,
    /// The system itself.
    System,
    /// The public API.
    Api,
}

/// A person at a customer account.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Resource)]
#[resource(
    name = "Contact",
    plural = "contacts",
    path = "/api/v1/crm/contacts",
    id_prefix = "per",
    sdk = "customer.contacts",
    table = "contacts",
    schema_version = 1,
    max_length = 1024
)]
pub struct Contact {
    /// The contact's id: a ULID with a type prefix (e.g. `per_01J…`).
    #[field(stamp = id)]
    pub id: String,
    /// Tenant scope.
    #[field(stamp = tenant)]
    pub tenant_id: String,
    /// App scope. Stamped only when the caller's JWT was minted for a specific
    /// application (integration API keys); absent for human-user sessions.
    /// Filters reads when present.
    #[field(stamp = app)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app_id: Option<String>,
    /// When the contact was created.
    #[field(stamp = created_at)]
    pub created_at: DateTime<Utc>,
    /// When the contact was last written.
    #[field(stamp = updated_at)]
    pub updated_at: DateTime<Utc>,
    /// Who created the contact (a person or app id).
    #[field(stamp = created_by)]
    pub created_by: String,
    /// Who last wrote the contact.
    #[field(stamp = updated_by)]
    pub updated_by: String,
    /// Provenance tag.
    #[field(default = "edm", min_length = 1)]
    pub source: String,
    /// Where the write originated.
    #[field(default = "api")]
    pub source_type: SourceType,
    /// Soft-delete flag. Soft-deleted contacts are left out of default lists.
    #[field(stamp = deleted_flag)]
    pub is_deleted: bool,
    /// When the contact was soft-deleted.
    #[field(stamp = deleted_at)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
    /// Who soft-deleted the contact.
    #[field(stamp = deleted_by)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_by: Option<String>,
    /// Document schema version. Bumped on incompatible writes.
    #[field(stamp = schema_version, minimum = 1)]
    pub schema_version: i64,
    /// Account this contact belongs to. Null for unattached (orphan) contacts.
    #[field(format = prefixed_uuid("acc"), filter = exact)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = "acc-3f2b8c1e-9d4a-4b6f-8e2c-1a5d7f9b0c3e")]
    pub account_id: Option<String>,
    /// Given name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = "Ada")]
    pub first_name: Option<String>,
    /// Family name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = "Lovelace")]
    pub last_name: Option<String>,
    /// Display name.
    #[field(computed = join_when_blank(first_name, last_name))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// Work email address.
    #[field(
        format = email,
        max_length = 254,
        filter = case_insensitive,
        unique(within(tenant_id, account_id), case_insensitive, ignore_deleted)
    )]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = "ada@example.com")]
    pub email: Option<String>,
    /// Phone number.
    #[field(format = e164)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = "+442071234567")]
    pub phone: Option<String>,
    /// Job title at their company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = "Head of Engineering")]
    pub job_title: Option<String>,
    /// Seniority level at the contact's company.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seniority: Option<String>,
    /// Role this contact plays in deal decisions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision_role: Option<String>,
    /// True if this is a primary contact at the account; several may be.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = true)]
    pub is_primary: Option<bool>,
    /// LinkedIn profile URL.
    #[field(format = http_url, max_length = 2048)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = "https://www.linkedin.com/in/ada-lovelace")]
    pub linkedin_url: Option<String>,
    /// Contact id of this person's manager.
    #[field(references = self, same(account_id))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reports_to_contact_id: Option<String>,
    /// Timestamp of the most recent interaction with this contact.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_interaction_at: Option<DateTime<Utc>>,
    /// Whether this contact has opted in to marketing communications (GDPR/CASL).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = true)]
    pub opted_in: Option<bool>,
    /// Timestamp when the opt-in was recorded.
    #[field(computed = stamp_when_true(opted_in))]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opted_in_at: Option<DateTime<Utc>>,
    /// GDPR/CASL consent record.
    #[field(max_bytes = 65536, max_depth = 10)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gdpr_consent: Option<Map<String, Value>>,
    /// Per-tenant schema extension for additional fields.
    #[field(max_bytes = 65536, max_depth = 10)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = r#"{"region": "EMEA"}"#)]
    pub custom_fields: Option<Map<String, Value>>,
    /// Free-form string tags.
    #[field(max_items = 100, item_min_length = 1, item_max_length = 64)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[field(example = r#"["vip", "engineering"]"#)]
    pub tags: Option<Vec<String>>,
    /// Optimistic-concurrency version counter.
    #[field(stamp = version, minimum = 1)]
    pub version: i64,
}
