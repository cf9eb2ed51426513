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

pub mod emit;
pub mod ensure;
pub mod error;

pub use emit::{Artifact, artifacts};
pub use ensure::{Mode, Report, Stale, generate};
pub use error::Error;

/// The command that regenerates the committed tree, quoted in staleness messages.
pub const REGENERATE: &str = "cargo run -p codegen -- generate";
