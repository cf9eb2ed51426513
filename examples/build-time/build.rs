//! Generates the CRM API's artifacts into OUT_DIR at build time with the codegen library.

use codegen::{Commands, Mode};
use resource_model::ValidApi;
use std::path::PathBuf;

fn main() {
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("schemas");
    let api = ValidApi::new(contact_schema::api()).unwrap_or_else(|errors| {
        panic!(
            "the API is invalid: {}",
            errors
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ")
        )
    });
    let report = codegen::generate(&out, &api, &Commands::build_script(), Mode::Write, true)
        .unwrap_or_else(|e| panic!("codegen failed: {e}"));
    assert!(
        report.is_clean(),
        "codegen left {} stale artifacts",
        report.stale.len()
    );
    println!("cargo::rerun-if-changed=build.rs");
}
