//! Generates the Contact artifacts into OUT_DIR at build time with the codegen library.

use codegen::Mode;
use contact_schema::{Contact, Resource};
use std::path::PathBuf;

fn main() {
    let out =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("schemas");
    let report = codegen::generate(&out, &[Contact::model()], Mode::Write, true)
        .unwrap_or_else(|e| panic!("codegen failed: {e}"));
    assert!(
        report.is_clean(),
        "codegen left {} stale artifacts",
        report.stale.len()
    );
    println!("cargo::rerun-if-changed=build.rs");
}
