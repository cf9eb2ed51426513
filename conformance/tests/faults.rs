//! Against each fault the reference server can switch on, the run fails and a
//! check of that fault's family fails.
#![cfg(feature = "faults")]

use conformance::checks::Family;
use conformance::identity::Identities;
use conformance::run::{Outcome, RunOptions, Silent};
use contact_schema::{Contact, Resource};
use reference_server::fault::Fault;
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_fault_fails_a_check_of_its_family() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let table = [
        (Fault::DisplayNameNotComputed, Family::Defaults),
        (Fault::TenantFromBody, Family::Stamping),
        (Fault::CrossTenantRead, Family::Tenant),
        (Fault::CrossTenantWrite, Family::Tenant),
        (Fault::AcceptExpiredTokens, Family::Auth),
        (Fault::ListShowsDeleted, Family::SoftDelete),
        (Fault::UpdateDeleted, Family::SoftDelete),
        (Fault::UnknownFieldsAccepted, Family::Validation),
        (Fault::IgnoreIfMatch, Family::Versioning),
        (Fault::VersionNotIncremented, Family::Versioning),
        (Fault::DuplicateEmail422, Family::Uniqueness),
        (Fault::ValidationNamesOneField, Family::Validation),
        (Fault::PlainTextErrors, Family::Errors),
        (Fault::CursorSkipsTies, Family::Pagination),
    ];
    use clap::ValueEnum;
    assert_eq!(
        table.len(),
        Fault::value_variants().len(),
        "every fault is in the table"
    );
    for (fault, family) in table {
        let mut config = reference_server::Config::from_schemas(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")),
            "secret",
        )
        .expect("the workspace's generated tree");
        config.fault = Some(fault);
        let server = reference_server::start(config).await.unwrap();
        let base = server.base_url();
        let ctx = conformance::context(
            Contact::model(),
            &base,
            Identities::mint(b"secret").unwrap(),
            Some("secret"),
            Duration::from_secs(10),
        )
        .unwrap();
        let report = conformance::run(ctx, &base, &RunOptions::default(), &Silent)
            .await
            .unwrap();
        server.shutdown().await;
        assert!(!report.passed(), "{fault:?}: the run passed");
        let failed: Vec<&str> = report
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Fail && c.family == family)
            .map(|c| c.id.as_str())
            .collect();
        assert!(
            !failed.is_empty(),
            "{fault:?}: no {} check failed",
            family.name()
        );
    }
}
