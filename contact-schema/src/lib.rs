//! The canonical CRM `Contact` and the resource model it derives.
//!
//! `Contact::model()` (from `#[derive(Resource)]`) is the one value that every
//! artifact in `schemas/`, the reference server and the conformance runner
//! are built from.

extern crate self as contact_schema;

pub mod contact;
pub mod json_schema;
pub mod model;
pub mod problem;

pub use contact::{Contact, SourceType};
pub use contact_derive::{Resource, ResourceEnum};
pub use model::{Resource, ResourceEnum, ResourceModel};

/// Re-exports used by the code `contact-derive` emits; not a public API.
#[doc(hidden)]
pub mod __private {
    pub use serde_json;
}
