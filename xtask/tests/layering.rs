//! The code map's invariants (ARCHITECTURE.md), held by Cargo and checked
//! here so that a dependency added by mistake fails a test: generic crates
//! never depend on the CRM's own API, and the runner's default build is a
//! lean HTTP client.

use std::collections::BTreeSet;
use std::process::Command;

/// The crates `package` depends on (normal dependencies, transitively) with
/// `features`, by name.
fn normal_dependencies(package: &str, features: &[&str]) -> BTreeSet<String> {
    let out = Command::new(env!("CARGO"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .args(["tree", "--offline", "-e", "normal", "--prefix", "none"])
        .args(["--format", "{p}", "-p", package])
        .args(features.iter().flat_map(|f| ["--features", f]))
        .output()
        .expect("cargo tree runs");
    assert!(
        out.status.success(),
        "cargo tree -p {package}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn generic_crates_cannot_name_the_crm_api() {
    for package in [
        "resource-formats",
        "resource-model",
        "contact-derive",
        "codegen",
        "reference-server",
        "conformance",
    ] {
        let deps = normal_dependencies(package, &[]);
        assert!(deps.contains(package), "{package}: {deps:?}");
        for crm in ["contact-schema", "crm-api"] {
            assert!(
                !deps.contains(crm),
                "{package} depends on {crm}, the CRM's own API"
            );
        }
    }
    let with_reference = normal_dependencies("conformance", &["reference"]);
    assert!(!with_reference.contains("contact-schema"));
}

#[test]
fn the_runner_is_lean_by_default_and_the_reference_server_is_opt_in() {
    let lean = normal_dependencies("conformance", &[]);
    for heavy in ["axum", "sqlx", "codegen", "handlebars", "reference-server"] {
        assert!(
            !lean.contains(heavy),
            "the runner's default build depends on {heavy}"
        );
    }
    assert!(lean.contains("reqwest") && lean.contains("resource-model"));
    let full = normal_dependencies("conformance", &["reference"]);
    assert!(full.contains("reference-server") && full.contains("axum"));
    assert!(
        !full.contains("codegen"),
        "the in-process server needs no codegen"
    );
}
