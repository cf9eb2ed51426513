//! A sales API: deals and the notes people keep on them. Everything the
//! toolkit generates, serves and checks comes from these two structs.

use chrono::{DateTime, NaiveDate, Utc};
use resource_model::{ApiModel, Resource, ResourceEnum};
use serde::{Deserialize, Serialize};

/// Where a deal stands.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ResourceEnum)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Someone showed interest.
    Lead,
    /// They can and may buy.
    Qualified,
    /// Signed.
    Won,
    /// Gone elsewhere.
    Lost,
}

/// A sales opportunity. It has no app scope (every token of the tenant sees
/// every deal), and its code is unique within the tenant alone.
#[derive(Debug, Clone, Serialize, Deserialize, Resource)]
#[resource(path = "/v2/sales/deals", id_prefix = "deal", sdk = "sales.deals")]
pub struct Deal {
    /// The deal's id.
    #[field(stamp = id)]
    pub id: String,
    /// The tenant.
    #[field(stamp = tenant)]
    pub tenant: String,
    /// When it was opened.
    #[field(stamp = created_at)]
    pub opened_at: DateTime<Utc>,
    /// When it last changed.
    #[field(stamp = updated_at)]
    pub changed_at: DateTime<Utc>,
    /// Who opened it.
    #[field(stamp = created_by)]
    pub opened_by: String,
    /// Who changed it last.
    #[field(stamp = updated_by)]
    pub changed_by: String,
    /// Whether it was archived (soft-deleted).
    #[field(stamp = deleted_flag)]
    pub archived: bool,
    /// When it was archived.
    #[field(stamp = deleted_at)]
    pub archived_at: Option<DateTime<Utc>>,
    /// The revision, for optimistic concurrency.
    #[field(stamp = version)]
    pub revision: i64,
    /// What the deal is called (required: a create must give it).
    #[field(min_length = 1, max_length = 200, example = "Acme renewal 2027")]
    pub title: String,
    /// The deal's code, unique within the tenant among live deals (required).
    #[field(
        max_length = 40,
        filter = exact,
        unique(within(tenant), ignore_deleted),
        example = "ACME-2027"
    )]
    pub code: String,
    /// The chance of winning, in percent (required, 0 to 100).
    #[field(maximum = 100, example = 60)]
    pub probability: u8,
    /// The amount in cents.
    #[field(minimum = 0, example = 1250000)]
    pub amount_cents: Option<i64>,
    /// The change in head count the deal brings, which may be negative.
    pub seat_change: Option<i16>,
    /// When the deal is expected to close.
    #[field(example = "2027-03-31")]
    pub close_on: Option<NaiveDate>,
    /// Where the deal stands.
    #[field(default = "lead", filter = exact, example = "qualified")]
    pub stage: Stage,
    /// Who owns the deal.
    pub owner: Option<String>,
    /// Free-form notes.
    pub summary: Option<String>,
}

/// A note someone keeps on a deal. It has no unique field at all; its ids
/// are prefixed UUIDs, and notes are partitioned by the deal they are on.
#[derive(Debug, Clone, Serialize, Deserialize, Resource)]
#[resource(path = "/v2/sales/notes", id_prefix = "note", sdk = "sales.notes")]
pub struct Note {
    /// The note's id.
    #[field(stamp = id, format = prefixed_uuid("note"))]
    pub id: String,
    /// The tenant.
    #[field(stamp = tenant)]
    pub tenant_id: String,
    /// The app whose token wrote it, if any.
    #[field(stamp = app)]
    pub app_id: Option<String>,
    /// When it was written.
    #[field(stamp = created_at)]
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    #[field(stamp = updated_at)]
    pub updated_at: DateTime<Utc>,
    /// Who wrote it.
    #[field(stamp = created_by)]
    pub created_by: String,
    /// Who changed it last.
    #[field(stamp = updated_by)]
    pub updated_by: String,
    /// Whether it was deleted.
    #[field(stamp = deleted_flag)]
    pub is_deleted: bool,
    /// The revision.
    #[field(stamp = version)]
    pub version: i64,
    /// The deal it is on.
    #[field(format = prefixed_ulid("deal"), filter = exact, example = "deal_01KBB5Y1VHZ8QK2J7D4M6N9P3R")]
    pub deal_id: Option<String>,
    /// What it says (required).
    #[field(min_length = 1, max_length = 2000, example = "Call back after the board meets.")]
    pub body: String,
    /// Whether it stays on top.
    #[field(example = true)]
    pub pinned: Option<bool>,
    /// When to look at it again.
    pub remind_on: Option<NaiveDate>,
    /// Labels.
    #[field(max_items = 20, item_min_length = 1, item_max_length = 32)]
    pub labels: Option<Vec<String>>,
}

/// The sales API: deals, then notes.
pub fn api() -> ApiModel {
    ApiModel::new("sales", "Sales API", "Deals and the notes kept on them.")
        .resource::<Deal>()
        .resource::<Note>()
}
