//! docs/CONTRACT.md is the rendering of the rules, every rule is checked (or
//! says why not), and every check of each resource's catalogue stands under a
//! rule of that resource's sections.

use conformance::checks::Check;
use conformance::contract::{RULES, checks_of, gaps, render};
use std::process::Command;

/// The CRM API's resources and their catalogues, as the runner builds them.
fn catalogues() -> Vec<(&'static str, Vec<Check>)> {
    let api = resource_model::ValidApi::new(contact_schema::api()).expect("a valid API");
    ["contacts", "accounts"]
        .into_iter()
        .map(|r| {
            let model = api.resource(r).expect("the CRM API has it");
            (r, conformance::checks::catalogue(model))
        })
        .collect()
}

#[test]
fn every_rule_is_checked_and_every_check_has_a_rule() {
    let catalogues = catalogues();
    for (resource, catalogue) in &catalogues {
        let (dangling, orphans) = gaps(resource, catalogue);
        assert!(
            dangling.is_empty(),
            "rules for {resource} name checks that do not exist: {dangling:?}"
        );
        assert!(
            orphans.is_empty(),
            "{resource}: checks under no rule: {orphans:?}"
        );
    }
    for r in RULES {
        let (_, catalogue) = catalogues
            .iter()
            .find(|(res, _)| *res == r.section.resource())
            .unwrap();
        assert!(
            !checks_of(r, catalogue).is_empty() || r.unchecked.is_some(),
            "neither checked nor saying why not: {}",
            r.text
        );
    }
}

#[test]
fn the_committed_contract_document_is_up_to_date() {
    let catalogues = catalogues();
    let refs: Vec<(&str, &[Check])> = catalogues.iter().map(|(r, c)| (*r, c.as_slice())).collect();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/CONTRACT.md"))
            .expect("docs/CONTRACT.md");
    assert!(
        committed == render(&refs),
        "docs/CONTRACT.md is stale: run `cargo run -p conformance -- contract > docs/CONTRACT.md`"
    );
    // The command prints the same from the committed manifest.
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .arg("contract")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(String::from_utf8(out.stdout).unwrap() == committed);
}

#[test]
fn the_contract_of_another_api_is_refused_naming_what_it_lacks() {
    let dir = tempfile::tempdir().unwrap();
    let api = resource_model::ValidApi::new(
        resource_model::ApiModel::new("crm", "CRM", "Contacts only.")
            .resource::<contact_schema::Contact>(),
    )
    .unwrap();
    codegen::generate(
        dir.path(),
        &api,
        &codegen::Commands::build_script(),
        codegen::Mode::Write,
        false,
    )
    .unwrap();
    let manifest = dir.path().join("api.manifest.json");
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(["contract", "--manifest"])
        .arg(&manifest)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("needs its `accounts`") && err.contains("`contacts`"),
        "{err}"
    );
}
