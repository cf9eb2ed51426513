//! Renders resource models into every artifact under `schemas/` (JSON Schema,
//! OpenAPI, SQL migrations, docs, the manifest), and keeps
//! that tree up to date.
//!
//! [`artifacts`] renders (pure: models in, files out); [`generate`] also
//! writes them to a directory, or, in [`Mode::Check`], reports what is stale
//! or orphaned without writing. Both are usable from a `build.rs`:
//!
//! ```no_run
//! use contact_schema::{Contact, Resource};
//! let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("schemas");
//! codegen::generate(&out, &[Contact::model()], codegen::Mode::Write, false).unwrap();
//! ```

pub mod base;
pub mod diff;
pub mod emit;
pub mod ensure;
pub mod error;
pub mod history;
pub mod migrate;

pub use emit::{Artifact, artifacts};
pub use ensure::{Mode, Released, Report, Stale, Unmigrated, generate};
pub use error::Error;

/// The command that regenerates the committed tree, quoted in staleness messages.
pub const REGENERATE: &str = "cargo run -p codegen -- generate";
/// The command that releases a model change as a migration, quoted when one is due.
pub const MIGRATE: &str = "cargo run -p codegen -- migrate --name <what-changed>";
