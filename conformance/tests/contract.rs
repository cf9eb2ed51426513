//! docs/CONTRACT.md is the rendering of the rules, every rule is checked (or
//! says why not), and every check stands under a rule.

use contact_schema::{Contact, Resource};

#[test]
fn every_rule_is_checked_and_every_check_has_a_rule() {
    let catalogue = conformance::checks::catalogue(&Contact::model());
    let (dangling, orphans) = conformance::contract::gaps(&catalogue);
    assert!(
        dangling.is_empty(),
        "rules name checks that do not exist: {dangling:?}"
    );
    assert!(orphans.is_empty(), "checks under no rule: {orphans:?}");
    for r in conformance::contract::RULES {
        assert!(
            !conformance::contract::checks_of(r, &catalogue).is_empty() || r.unchecked.is_some(),
            "neither checked nor saying why not: {}",
            r.text
        );
    }
}

#[test]
fn the_committed_contract_document_is_up_to_date() {
    let catalogue = conformance::checks::catalogue(&Contact::model());
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../docs/CONTRACT.md"))
            .expect("docs/CONTRACT.md");
    assert!(
        committed == conformance::contract::render(&catalogue),
        "docs/CONTRACT.md is stale: run `cargo run -p conformance -- contract > docs/CONTRACT.md`"
    );
}
