//! Renders an API's resource models into every artifact under `schemas/`
//! (JSON Schema, one OpenAPI document, SQL migrations, SDKs, docs, the
//! manifest), keeps that tree up to date, and releases and judges model
//! changes. Generic: it names no concrete resource.
//!
//! [`artifacts`] renders (pure: a validated API in, files out); [`generate`]
//! also writes them to a directory, or, in [`Mode::Check`], reports what is
//! stale or orphaned without writing. [`cli`] is the whole command line for
//! a user's own API (`codegen::main!(my_api::api());` is a complete binary).
//! Both are usable from a `build.rs`:
//!
//! ```no_run
//! # fn api() -> resource_model::ApiModel { unimplemented!() }
//! let api = resource_model::ValidApi::new(api()).expect("a valid API");
//! let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("schemas");
//! codegen::generate(&out, &api, &codegen::Commands::build_script(), codegen::Mode::Write, false).unwrap();
//! ```

pub mod base;
pub mod cli;
pub mod diff;
pub mod emit;
pub mod ensure;
pub mod error;
pub mod history;
pub mod migrate;

pub use emit::{Artifact, artifacts};
pub use ensure::{Mode, Released, Report, Stale, Unmigrated, generate};
pub use error::Error;

/// The commands that regenerate a tree and release a model change in the
/// user's own project: every generated file's header names the first, and
/// staleness messages name both. Released files keep the words they were
/// released with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Commands {
    /// Regenerates the tree, e.g. `cargo run -p my-api -- generate`.
    pub generate: String,
    /// Releases a model change, e.g. `cargo run -p my-api -- migrate --name <what-changed>`.
    pub migrate: String,
}

impl Commands {
    /// The commands of a binary `bin` of package `package` whose `main` is
    /// [`cli::main`] (what [`main!`] passes): `cargo run -p <package> -- …`,
    /// with `--bin <bin>` when the binary is not the package's default one.
    pub fn cargo_bin(package: &str, bin: &str) -> Self {
        let run = if package == bin {
            format!("cargo run -p {package} --")
        } else {
            format!("cargo run -p {package} --bin {bin} --")
        };
        Commands {
            generate: format!("{run} generate"),
            migrate: format!("{run} migrate --name <what-changed>"),
        }
    }

    /// The commands of a tree that a `build.rs` regenerates on every build.
    pub fn build_script() -> Self {
        Commands {
            generate: "cargo build".to_owned(),
            migrate: "cargo build".to_owned(),
        }
    }
}
