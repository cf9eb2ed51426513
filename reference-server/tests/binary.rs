//! The `reference-server` binary: it serves, and bad input at startup is a
//! one-line error naming the problem, with secrets left out. Also RS256 keys.

mod common;

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::StatusCode;
use serde_json::json;
use std::process::{Command, Stdio};
use std::time::Duration;

const BIN: &str = env!("CARGO_BIN_EXE_reference-server");
const PRIVATE: &[u8] = include_bytes!("fixtures/rs256-test-private.pem");
const PUBLIC: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/rs256-test-public.pem"
);

fn fails_with(args: &[&str], expect: &[&str], secret_free: &[&str]) {
    let out = Command::new(BIN)
        .env(
            "REFERENCE_SCHEMAS",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas"),
        )
        .args(args)
        .env_remove("REFERENCE_JWT_SECRET")
        .env_remove("DATABASE_URL")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{args:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.starts_with("error: "), "{err}");
    for e in expect {
        assert!(err.contains(e), "{args:?}: expected {e:?} in {err}");
    }
    for s in secret_free {
        assert!(!err.contains(s), "{args:?}: secret {s:?} leaked in {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn startup_errors_are_one_line_and_name_the_problem() {
    fails_with(
        &["--jwt-secret", "x", "--database-url", "mysql://u:pw@h/x"],
        &["unsupported database URL"],
        &[],
    );
    fails_with(
        &["--database-url", "sqlite::memory:"],
        &["no JWT key configured", "--jwt-secret"],
        &[],
    );
    fails_with(
        &[
            "--jwt-public-key",
            "/nonexistent.pem",
            "--database-url",
            "sqlite::memory:",
        ],
        &["--jwt-public-key /nonexistent.pem"],
        &[],
    );
    fails_with(
        &["--jwt-public-key", BIN, "--database-url", "sqlite::memory:"],
        &["not an RSA public key"],
        &[],
    );
    fails_with(
        &[
            "--jwt-secret",
            "x",
            "--database-url",
            "postgres://postgres:hunter2@127.0.0.1:1/x",
        ],
        &["postgres://postgres:***@127.0.0.1:1/x", "database error"],
        &["hunter2"],
    );
    fails_with(
        &[
            "--jwt-secret",
            "x",
            "--database-url",
            "sqlite:/nonexistent/dir/x.db",
        ],
        &["unable to open database file"],
        &[],
    );
}

/// A copy of the workspace's tree under a fresh directory, for breaking.
fn tree_copy(name: &str) -> std::path::PathBuf {
    let dir = tempfile_dir().join(name);
    let status = Command::new("cp")
        .arg("-r")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas"))
        .arg(&dir)
        .status()
        .unwrap();
    assert!(status.success());
    dir
}

fn fails_on_tree(tree: &std::path::Path, expect: &[&str]) {
    let out = Command::new(BIN)
        .env("REFERENCE_SCHEMAS", tree)
        .args(["--jwt-secret", "x", "--database-url", "sqlite::memory:"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    for e in expect {
        assert!(err.contains(e), "expected {e:?} in {err}");
    }
}

#[test]
fn a_tree_that_cannot_be_served_is_refused_at_start_naming_what_is_wrong() {
    fails_on_tree(
        std::path::Path::new("/nonexistent/tree"),
        &["/nonexistent/tree/api.manifest.json"],
    );
    // The manifest has the Account, the migrations never create its table.
    let tree = tree_copy("no-accounts");
    for dialect in ["postgres", "mysql", "sqlite"] {
        std::fs::remove_file(tree.join(format!("migrations/{dialect}/0003_create_accounts.sql")))
            .unwrap();
    }
    fails_on_tree(
        &tree,
        &["the Account needs table `accounts`", "no such table"],
    );
    // A manifest that is not one.
    let tree = tree_copy("bad-manifest");
    std::fs::write(tree.join("api.manifest.json"), "{\"resources\": 3}").unwrap();
    fails_on_tree(&tree, &["api.manifest.json"]);
}

#[test]
fn a_bad_flag_value_is_a_usage_error_naming_the_flag() {
    let out = Command::new(BIN)
        .env(
            "REFERENCE_SCHEMAS",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas"),
        )
        .args(["--jwt-secret", "x", "--database-url", "sqlite::memory:"])
        .args(["--get-batch-runners", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("invalid value '0' for '--get-batch-runners") && err.contains("1..=1024"),
        "{err}"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn the_binary_serves_with_a_file_database_and_stops_on_ctrl_c() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile_dir();
    let port = free_port();
    let db = format!("sqlite:{}/contacts.db?mode=rwc", dir.display());
    let mut child = tokio::process::Command::new(BIN)
        .env(
            "REFERENCE_SCHEMAS",
            concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas"),
        )
        .args([
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--database-url",
            &db,
        ])
        .env("REFERENCE_JWT_SECRET", common::SECRET)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let token = common::token(json!({"sub": "u", "tenant_id": "t", "exp": common::now() + 60}));
    let url = format!("http://127.0.0.1:{port}{}", common::PATH);
    let mut status = None;
    for _ in 0..100 {
        if let Ok(r) = client
            .post(&url)
            .bearer_auth(&token)
            .json(&json!({"first_name": "Bin"}))
            .send()
            .await
        {
            status = Some(r.status());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(status, Some(StatusCode::CREATED));
    let pid = child.id().unwrap();
    Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    let exit = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    assert!(dir.join("contacts.db").exists());
    std::fs::remove_dir_all(dir).unwrap();
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!(
        "refsrv-bin-{}-{}",
        std::process::id(),
        common::now()
    ));
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[tokio::test]
async fn rs256_tokens_verify_against_the_public_key() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = reference_server::Config::from_schemas(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")),
        "unused",
    )
    .expect("the workspace's generated tree");
    config.jwt_secret = None;
    config.jwt_public_key = Some(std::fs::read(PUBLIC).unwrap());
    let server = reference_server::start(config).await.unwrap();
    let claims = json!({"sub": "u", "tenant_id": "t", "exp": common::now() + 60});
    let rs = encode(
        &Header::new(Algorithm::RS256),
        &claims,
        &EncodingKey::from_rsa_pem(PRIVATE).unwrap(),
    )
    .unwrap();
    let hs = common::token(claims);
    let client = reqwest::Client::new();
    let get = |t: String| {
        client
            .get(format!("{}{}", server.base_url(), common::PATH))
            .bearer_auth(t)
            .send()
    };
    assert_eq!(get(rs).await.unwrap().status(), StatusCode::OK);
    assert_eq!(
        get(hs).await.unwrap().status(),
        StatusCode::UNAUTHORIZED,
        "no HS256 secret configured"
    );
    server.shutdown().await;
}
