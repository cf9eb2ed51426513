//! The generic resource model: an API as a set of resources described as
//! plain data, validated before use, with the rules every tool shares.
//!
//! `#[derive(Resource)]` (re-exported from `contact-derive`) turns a user's
//! struct into a [`ResourceModel`]; an [`ApiModel`] gathers several;
//! [`ValidApi::new`] checks them, alone and together, and is the only way to
//! the [`ValidApi`] that `codegen` renders and the reference server serves.
//! Nothing in this crate names a concrete resource.
//!
//! ```
//! use resource_model::{ApiModel, Resource, ValidApi};
//!
//! /// A ticket.
//! #[derive(serde::Serialize, Resource)]
//! #[resource(path = "/api/v1/tickets", id_prefix = "tkt")]
//! pub struct Ticket {
//!     /// The id.
//!     #[field(stamp = id)]
//!     pub id: String,
//!     /// The tenant.
//!     #[field(stamp = tenant)]
//!     pub tenant_id: String,
//!     /// When it was opened.
//!     #[field(stamp = created_at)]
//!     pub created_at: chrono::DateTime<chrono::Utc>,
//!     /// What it is about (required: not an Option, no default).
//!     #[field(max_length = 200)]
//!     pub subject: String,
//! }
//!
//! let api = ValidApi::new(ApiModel::new("help", "Help desk", "Tickets.").resource::<Ticket>())
//!     .expect("a valid API");
//! assert_eq!(api.resources()[0].id_field().name, "id");
//! ```

pub mod api;
pub mod json_schema;
pub mod model;
pub mod problem;
pub mod rules;
pub mod time;
pub mod validate;
pub mod write;

pub use api::ApiModel;
pub use contact_derive::{Resource, ResourceEnum};
pub use model::{
    ApiLimits, Computed, Field, FieldType, Filter, Format, Limits, OPERATIONS, Operation,
    Reference, Resource, ResourceEnum, ResourceModel, SoftDelete, Stamp, UniqueScope, Writer,
};
pub use validate::{ModelError, ValidApi, ValidModel};

/// Items the code `contact-derive` emits refers to; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use serde_json;

    /// Whether `values` holds `value` (usable in a constant, so that a
    /// derive's check of an enum default is a compile error).
    pub const fn contains(values: &[&str], value: &str) -> bool {
        let mut i = 0;
        while i < values.len() {
            if str_eq(values[i], value) {
                return true;
            }
            i += 1;
        }
        false
    }

    const fn str_eq(a: &str, b: &str) -> bool {
        let (a, b) = (a.as_bytes(), b.as_bytes());
        if a.len() != b.len() {
            return false;
        }
        let mut i = 0;
        while i < a.len() {
            if a[i] != b[i] {
                return false;
            }
            i += 1;
        }
        true
    }
}
