//! A resource the toolkit has never seen, defined with the derive in a test,
//! gets its own artifacts and its own conformance checks with no change to
//! codegen or the runner.

use chrono::{DateTime, Utc};
use contact_schema::{Resource, ResourceEnum};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// The test's own API: this one resource.
fn api() -> resource_model::ValidApi {
    resource_model::ValidApi::new(
        resource_model::ApiModel::new("partners", "Partner API", "Accounts of partners.")
            .resource::<Account>(),
    )
    .unwrap()
}

/// Where an account is billed.
#[derive(Serialize, Deserialize, ResourceEnum)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// Europe.
    Eu,
    /// The Americas.
    Amer,
}

/// A customer account.
#[derive(Serialize, Deserialize, Resource)]
#[resource(
    path = "/api/v2/accounts",
    id_prefix = "acct",
    sdk = "customer.accounts",
    max_length = 300
)]
pub struct Account {
    /// The id.
    #[field(stamp = id)]
    pub id: String,
    /// The tenant.
    #[field(stamp = tenant)]
    pub tenant_id: String,
    /// The app.
    #[field(stamp = app)]
    pub app_id: Option<String>,
    /// Created.
    #[field(stamp = created_at)]
    pub created_at: DateTime<Utc>,
    /// Updated.
    #[field(stamp = updated_at)]
    pub updated_at: DateTime<Utc>,
    /// Creator.
    #[field(stamp = created_by)]
    pub created_by: String,
    /// Last writer.
    #[field(stamp = updated_by)]
    pub updated_by: String,
    /// Deleted?
    #[field(stamp = deleted_flag)]
    pub is_deleted: bool,
    /// Deleted when.
    #[field(stamp = deleted_at)]
    pub deleted_at: Option<DateTime<Utc>>,
    /// Deleted by.
    #[field(stamp = deleted_by)]
    pub deleted_by: Option<String>,
    /// Revision.
    #[field(stamp = version, minimum = 1)]
    pub version: i64,
    /// The owning partner, which partitions accounts.
    #[field(format = prefixed_uuid("prt"), filter = exact)]
    pub partner_id: Option<String>,
    /// Legal name.
    pub legal_name: Option<String>,
    /// Website.
    #[field(format = http_url)]
    pub website: Option<String>,
    /// Billing region.
    #[field(default = "eu", filter = exact)]
    pub region: Option<Region>,
    /// Billing email.
    #[field(format = email, filter = case_insensitive, unique(within(tenant_id), case_insensitive, ignore_deleted))]
    pub billing_email: Option<String>,
}

#[test]
fn the_runner_builds_checks_from_the_second_model() {
    let model = Account::model();
    assert_eq!(model.validate(), Ok(()));
    let catalogue = conformance::checks::catalogue(&model);
    let ids: BTreeSet<&str> = catalogue.iter().map(|c| c.id.as_str()).collect();
    for expected in [
        "stamping.id_format",
        "stamping.server_fields_ignored",
        "defaults.region_default",
        "validation.format_website",
        "validation.format_billing_email",
        "validation.enum_region",
        "validation.wrong_types_all_named",
        "pagination.filter_region",
        "pagination.filter_billing_email",
        "soft_delete.delete_stamps",
        "versioning.stale_if_match_is_412",
        "races.no_lost_update",
    ] {
        assert!(ids.contains(expected), "no {expected} in {ids:?}");
    }
    for contact_only in [
        "defaults.source_default",
        "defaults.display_name_computed",
        "validation.format_phone",
        "validation.reference_must_be_visible_live_other",
    ] {
        let check = catalogue.iter().find(|c| c.id == contact_only);
        assert!(
            check.is_none_or(|c| c.not_applicable.is_some()),
            "{contact_only} has nothing to check on an Account"
        );
    }
    let text: String = catalogue
        .iter()
        .map(|c| c.description.clone())
        .collect::<Vec<_>>()
        .join("\n");
    for contact_field in [
        "job_title",
        "first_name",
        "phone",
        "account_id",
        "display_name",
    ] {
        assert!(
            !text.contains(contact_field),
            "a check names the Contact's `{contact_field}`:\n{text}"
        );
    }
    assert!(text.contains("billing_email") && text.contains("region"));
    let stamping = catalogue
        .iter()
        .find(|c| c.id == "stamping.id_format")
        .unwrap();
    assert!(
        stamping.description.contains("^acct_"),
        "{}",
        stamping.description
    );
}

#[tokio::test]
async fn codegen_renders_the_second_model_and_its_migration_applies() {
    // Everything `generate` would write into an empty tree, its first migration included.
    let empty = tempfile::tempdir().unwrap();
    let artifacts =
        codegen::ensure::planned(empty.path(), &api(), &codegen::Commands::build_script())
            .unwrap()
            .artifacts;
    let paths: BTreeSet<String> = artifacts
        .iter()
        .map(|a| a.path.display().to_string())
        .collect();
    for expected in [
        "api.manifest.json",
        "json-schema/account.schema.json",
        "openapi/openapi.json",
        "docs/accounts.md",
        "migrations/sqlite/0001_create_accounts.sql",
    ] {
        assert!(paths.contains(expected), "no {expected} in {paths:?}");
    }
    let schema: serde_json::Value = serde_json::from_str(
        &artifacts
            .iter()
            .find(|a| a.path.ends_with("account.schema.json"))
            .unwrap()
            .contents,
    )
    .unwrap();
    jsonschema::meta::validate(&schema).unwrap();
    assert_eq!(
        schema["$defs"]["Region"]["enum"],
        serde_json::json!(["eu", "amer"])
    );
    assert_eq!(
        schema["properties"]["region"]["anyOf"],
        serde_json::json!([{"$ref": "#/$defs/Region"}, {"type": "null"}])
    );
    let sql = &artifacts
        .iter()
        .find(|a| a.path.ends_with("sqlite/0001_create_accounts.sql"))
        .unwrap()
        .contents;
    assert!(sql.contains("CREATE UNIQUE INDEX accounts_billing_email_unique ON accounts (tenant_id, lower(billing_email)) WHERE is_deleted = 0 AND billing_email IS NOT NULL"), "{sql}");
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    sqlx::raw_sql(sql).execute(&pool).await.unwrap();
    let insert = "INSERT INTO accounts (id, tenant_id, created_at, updated_at, created_by, updated_by, billing_email) VALUES ";
    sqlx::raw_sql(&format!(
        "{insert} ('acct_01BX5ZZKBKACTAV9WEVGEMMVRZ', 't', 'x', 'x', 'u', 'u', 'a@b.co')"
    ))
    .execute(&pool)
    .await
    .unwrap();
    let dup = sqlx::raw_sql(&format!(
        "{insert} ('acct_01BX5ZZKBKACTAV9WEVGEMMVRY', 't', 'x', 'x', 'u', 'u', 'A@B.CO')"
    ))
    .execute(&pool)
    .await;
    assert!(
        dup.is_err(),
        "the case-insensitive uniqueness rule holds for the second resource"
    );
    let region: (String,) = sqlx::query_as("SELECT region FROM accounts")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(region.0, "eu", "the default comes from the model");
}

#[test]
#[cfg_attr(
    not(feature = "reference"),
    ignore = "runs `--reference`: needs `--features reference` (the README's test command has it)"
)]
fn the_runner_checks_the_second_resource_from_its_manifest_against_a_server_serving_it() {
    let empty = tempfile::tempdir().unwrap();
    // The whole tree, as the user's codegen command writes it: the runner's
    // in-process server takes the migrations beside the manifest.
    codegen::generate(
        empty.path(),
        &api(),
        &codegen::Commands::build_script(),
        codegen::Mode::Write,
        false,
    )
    .unwrap();
    let file = empty.path().join("api.manifest.json");
    let report = empty.path().join("report.json");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(["run", "--reference", "--manifest"])
        .arg(&file)
        .args(["--format", "json", "--report-file"])
        .arg(&report)
        .output()
        .unwrap();
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&report).unwrap_or_default())
            .unwrap_or_default();
    let failed: Vec<&serde_json::Value> = report["checks"]
        .as_array()
        .map(|c| c.iter().filter(|c| c["outcome"] != "pass").collect())
        .unwrap_or_default();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{failed:#?}",
        String::from_utf8_lossy(&out.stderr)
    );
    let catalogue = conformance::checks::catalogue(&Account::model());
    let applicable = catalogue
        .iter()
        .filter(|c| c.not_applicable.is_none())
        .count();
    assert_eq!(report["summary"]["passed"], applicable);
    assert_eq!(
        report["summary"]["not_applicable"],
        catalogue.len() - applicable
    );
    assert!(catalogue.len() >= 60, "{} checks", catalogue.len());
    assert_eq!(
        report["target"]
            .as_str()
            .map(|t| t.starts_with("http://127.0.0.1:")),
        Some(true)
    );
    let list = std::process::Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args(["list", "--manifest"])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8(list.stdout).unwrap();
    assert!(text.contains("validation.format_billing_email"), "{text}");
    assert!(!text.contains("display_name"), "{text}");
}
