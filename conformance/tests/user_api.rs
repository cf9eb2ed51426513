//! A user's own API, defined in a crate outside this workspace
//! (`examples/user-api`: deals with required fields, bounded integers, a date,
//! an enum with a default, no app stamp and a code unique within the tenant
//! alone; notes with no unique field, UUID ids and a ULID partition), taken
//! through the toolkit exactly as its user would:
//!
//! - its one-line binary (`codegen::main!(user_api::api())`) writes its tree
//!   with `cargo run -- generate`, and `--check` then finds it up to date;
//! - the reference server serves that tree (manifest and migrations, no code
//!   of the user's) on SQLite and on PostgreSQL;
//! - the runner, reading only the manifest, checks every resource with no
//!   failure, and says why what it skips cannot run;
//! - a required field left out or null is a 422 naming it on both backends;
//! - its three SDKs compile: `tsc --strict`, `mypy --strict`, rustc and
//!   clippy with `-D warnings`, and make required fields non-optional.

mod support {
    pub mod db;
}

use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const SECRET: &str = "user-api-secret-of-thirty-two-bytes!";

fn fixture() -> PathBuf {
    Path::new(ROOT).join("examples/user-api")
}

/// The fixture's own target directory: it is another workspace.
fn target() -> PathBuf {
    Path::new(ROOT).join("target/user-api")
}

fn cargo() -> Command {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.env("CARGO_TARGET_DIR", target());
    cmd
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// `cargo run -- generate --out <dir>` in the user's crate: the command the
/// README documents.
fn generate(out: &Path, check: bool) -> std::process::Output {
    let mut cmd = cargo();
    cmd.current_dir(fixture())
        .args(["run", "--quiet", "--", "generate", "--out"])
        .arg(out);
    if check {
        cmd.arg("--check");
    }
    cmd.output().unwrap()
}

fn token(claims: Value) -> String {
    jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(SECRET.as_bytes()).unwrap(),
    )
    .unwrap()
}

/// Runs the runner's binary against `base` with the tree's manifest; the JSON report.
fn run_conformance(manifest: &Path, base: &str, report: &Path) -> (Option<i32>, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_conformance"))
        .args([
            "run",
            "--base-url",
            base,
            "--jwt-secret",
            SECRET,
            "--manifest",
        ])
        .arg(manifest)
        .args(["--format", "json", "--report-file"])
        .arg(report)
        .output()
        .unwrap();
    let report: Value = serde_json::from_str(&std::fs::read_to_string(report).unwrap_or_default())
        .unwrap_or_default();
    (out.status.code(), report, text(&out.stderr))
}

/// A required field is a 422 naming it, left out or null, on create and update.
async fn required_fields_are_422(base: &str) {
    let http = reqwest::Client::new();
    let t = token(
        json!({"sub": "u", "tenant_id": "required-check", "exp": chrono::Utc::now().timestamp() + 600}),
    );
    let deals = format!("{base}/v2/sales/deals");
    let full = json!({"title": "Renewal", "code": format!("C-{}", ulid::Ulid::generate()), "probability": 40});
    for (field, body) in [
        ("title", json!({"code": "X-1", "probability": 40})),
        (
            "title",
            json!({"title": null, "code": "X-2", "probability": 40}),
        ),
        ("probability", json!({"title": "T", "code": "X-3"})),
    ] {
        let res = http
            .post(&deals)
            .bearer_auth(&t)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422, "{body}");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["errors"][0]["field"], field, "{problem}");
        assert_eq!(problem["errors"][0]["message"], "is required", "{problem}");
    }
    let res = http
        .post(&deals)
        .bearer_auth(&t)
        .json(&full)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let deal: Value = res.json().await.unwrap();
    assert_eq!(deal["stage"], "lead", "the enum's default");
    let res = http
        .patch(format!("{deals}/{}", deal["id"].as_str().unwrap()))
        .bearer_auth(&t)
        .json(&json!({"title": null}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["errors"][0]["field"], "title", "{problem}");
    // Bounds from the Rust type (u8) and the field (maximum = 100).
    let res = http
        .post(&deals)
        .bearer_auth(&t)
        .json(&json!({"title": "T", "code": "X-4", "probability": 101, "seat_change": -40000}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    let named: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(named, ["probability", "seat_change"], "{problem}");
}

/// Serves the tree on `database_url`, checks it with the runner, and proves
/// the required fields over HTTP.
async fn serve_and_check(schemas: &Path, database_url: &str, report: &Path) {
    let mut config = reference_server::Config::from_schemas(schemas, SECRET)
        .expect("the reference server reads the user's tree");
    config.database_url = database_url.to_owned();
    let server = reference_server::start(config)
        .await
        .unwrap_or_else(|e| panic!("serving the user's tree on {database_url}: {e:#}"));
    let (code, report, stderr) = run_conformance(
        &schemas.join("api.manifest.json"),
        &server.base_url(),
        report,
    );
    required_fields_are_422(&server.base_url()).await;
    server.shutdown().await;
    let checks = report["checks"]
        .as_array()
        .unwrap_or_else(|| panic!("no report: {stderr}"));
    let failed: Vec<&Value> = checks.iter().filter(|c| c["outcome"] == "fail").collect();
    assert_eq!(code, Some(0), "{database_url}: {failed:#?}\n{stderr}");
    assert!(failed.is_empty(), "{failed:#?}");
    let resources: std::collections::BTreeSet<&str> = checks
        .iter()
        .map(|c| c["resource"].as_str().unwrap())
        .collect();
    assert_eq!(resources, ["deals", "notes"].into());
    // The model decides what runs: checks of rules the model does not have
    // are not applicable, and say why; everything else runs (no skip).
    let outcome = |resource: &str, id: &str| {
        checks
            .iter()
            .find(|c| c["resource"] == resource && c["id"] == id)
            .map(|c| c["outcome"].as_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(
        outcome("deals", "app_scope.other_app_is_404"),
        "not_applicable",
        "deals have no app stamp"
    );
    assert_eq!(outcome("deals", "app_scope.no_app_scope"), "pass");
    assert_eq!(outcome("notes", "app_scope.other_app_is_404"), "pass");
    assert_eq!(outcome("deals", "uniqueness.duplicate_is_409"), "pass");
    assert_eq!(
        outcome("deals", "races.concurrent_creates_one_value"),
        "pass"
    );
    assert_eq!(
        outcome("notes", "uniqueness.duplicate_is_409"),
        "not_applicable"
    );
    assert_eq!(
        outcome("notes", "races.concurrent_creates_one_value"),
        "not_applicable"
    );
    assert_eq!(outcome("deals", "validation.required_fields"), "pass");
    assert_eq!(
        outcome("deals", "validation.integer_bounds_probability"),
        "pass"
    );
    assert_eq!(outcome("deals", "validation.date_rejects_close_on"), "pass");
    // Lists run for deals too, which have no partition field: each check
    // gets tenants of its own.
    assert_eq!(outcome("deals", "tenant.lists_are_isolated"), "pass");
    assert_eq!(
        outcome("deals", "pagination.walk_is_complete_and_ordered"),
        "pass"
    );
    let mut not_applicable = Vec::new();
    for c in checks.iter().filter(|c| c["outcome"] != "pass") {
        assert_eq!(c["outcome"], "not_applicable", "{c}");
        assert!(!c["message"].as_str().unwrap().is_empty(), "{c}");
        not_applicable.push(format!("{} {}", c["resource"], c["id"]));
    }
    let passed = checks.iter().filter(|c| c["outcome"] == "pass").count();
    eprintln!("{passed} passed; not applicable: {not_applicable:?}");
    assert!(passed >= 150, "{passed} checks passed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_users_own_api_is_generated_served_checked_and_its_sdks_compile() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let schemas = dir.path().join("schemas");

    // The documented command, in the user's crate.
    let out = generate(&schemas, false);
    assert!(out.status.success(), "generate: {}", text(&out.stderr));
    let out = generate(&schemas, true);
    assert!(
        out.status.success(),
        "generate --check: {}",
        text(&out.stderr)
    );
    let schema =
        std::fs::read_to_string(schemas.join("json-schema/deal.create.schema.json")).unwrap();
    let schema: Value = serde_json::from_str(&schema).unwrap();
    assert!(
        schema["$comment"]
            .as_str()
            .unwrap()
            .contains("run `cargo run -p user-api -- generate`"),
        "the header names the user's own command: {}",
        schema["$comment"]
    );
    assert_eq!(schema["required"], json!(["title", "code", "probability"]));
    assert_eq!(schema["properties"]["probability"]["maximum"], 100);
    assert_eq!(schema["properties"]["probability"]["minimum"], 0);
    assert_eq!(schema["properties"]["seat_change"]["minimum"], -32768);
    assert_eq!(schema["properties"]["close_on"]["format"], "date");
    let migrations: Vec<String> = {
        let mut m: Vec<String> = std::fs::read_dir(schemas.join("migrations/sqlite"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        m.sort();
        m
    };
    assert_eq!(
        migrations,
        ["0001_create_deals.sql", "0002_create_notes.sql"]
    );

    // Served on SQLite and PostgreSQL, checked by the runner from the manifest alone.
    serve_and_check(&schemas, "sqlite::memory:", &dir.path().join("sqlite.json")).await;
    let db = support::db::Db::create("user_api").await;
    if let Some(db) = db {
        serve_and_check(&schemas, &db.url, &dir.path().join("postgres.json")).await;
        db.drop_now().await;
    }

    // The SDKs: one package per language holding both namespaces, required
    // fields non-optional in the create types.
    let ts = std::fs::read_to_string(schemas.join("sdk/typescript/src/index.ts")).unwrap();
    assert!(ts.contains("readonly deals: Deals;") && ts.contains("readonly notes: Notes;"));
    assert!(
        ts.contains("  title: string;\n"),
        "a required field in DealCreate"
    );
    let tsc = sdk_tests::tsc();
    if let Some(tsc) = tsc {
        sdk_tests::run_ok(
            "tsc --strict (the user's TypeScript SDK)",
            tokio::process::Command::new(tsc)
                .args(["--strict", "--noEmit", "-p"])
                .arg(schemas.join("sdk/typescript")),
        )
        .await;
    }
    if let Some(mypy) = sdk_tests::mypy() {
        let cache = tempfile::tempdir().unwrap();
        sdk_tests::run_ok(
            "mypy --strict (the user's Python SDK)",
            tokio::process::Command::new(mypy)
                .arg("--strict")
                .arg("--cache-dir")
                .arg(cache.path())
                .arg(schemas.join("sdk/python/sales_sdk")),
        )
        .await;
    }
    let rust = schemas.join("sdk/rust");
    std::fs::copy(Path::new(ROOT).join("Cargo.lock"), rust.join("Cargo.lock")).unwrap();
    let out = cargo()
        .current_dir(&rust)
        .args(["clippy", "--quiet", "--all-targets", "--", "-D", "warnings"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "rustc + clippy (the user's Rust SDK): {}",
        text(&out.stderr)
    );
    let models = std::fs::read_to_string(rust.join("src/models.rs")).unwrap();
    assert!(
        models.contains("pub fn new(title: String, code: String, probability: i64) -> Self {"),
        "the create body's constructor takes the required fields"
    );
}
