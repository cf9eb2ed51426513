//! The CRM API's canonical resources: the [`Contact`] and the [`Account`]
//! (CONTRACT.md §1 and §9), defined once as annotated Rust structs.
//!
//! [`api()`] gathers them into the API every artifact in `schemas/` is
//! generated from (`cargo run -p crm-api -- generate`); the reference server
//! and the conformance runner read the same API from
//! `schemas/api.manifest.json`. This crate is a user of the toolkit like any
//! other: the generic model lives in `resource-model`, which names neither.

pub mod account;
pub mod contact;

pub use account::Account;
pub use contact::{Contact, SourceType};
pub use resource_model::{Resource, ResourceEnum};

/// The CRM API: the Contact and the Account, in this order (their docs
/// pages, OpenAPI tags and SDK namespaces follow it).
pub fn api() -> resource_model::ApiModel {
    resource_model::ApiModel::new(
        "crm",
        "CRM API",
        "Contacts and the accounts they belong to, scoped by tenant and app.",
    )
    .resource::<Contact>()
    .resource::<Account>()
}
