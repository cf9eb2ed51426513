//! The `conformance` binary: reports, exit codes, secrets, interruption, hung endpoints.

use contact_schema::Resource;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_conformance");

/// The workspace root: the runner finds `schemas/api.manifest.json` there by default.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn conformance(args: &[&str]) -> Output {
    Command::new(BIN)
        .current_dir(ROOT)
        .args(args)
        .env_remove("CONFORMANCE_JWT_SECRET")
        .output()
        .unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn list_prints_the_catalogue() {
    let out = conformance(&["list", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    let list: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert!(list.len() >= 40, "{} checks", list.len());
    let families: std::collections::BTreeSet<&str> =
        list.iter().map(|c| c["family"].as_str().unwrap()).collect();
    for f in [
        "stamping",
        "defaults",
        "tenant",
        "app_scope",
        "soft_delete",
        "versioning",
        "uniqueness",
        "validation",
        "errors",
        "auth",
        "pagination",
        "races",
    ] {
        assert!(families.contains(f), "no {f} checks");
    }
    let ids: std::collections::BTreeSet<(&str, &str)> = list
        .iter()
        .map(|c| (c["resource"].as_str().unwrap(), c["id"].as_str().unwrap()))
        .collect();
    assert_eq!(ids.len(), list.len(), "ids are unique within a resource");
    let resources: std::collections::BTreeSet<&str> = ids.iter().map(|(r, _)| *r).collect();
    assert_eq!(
        resources,
        ["accounts", "contacts"].into(),
        "every resource of the manifest"
    );
}

#[test]
fn the_readme_catalogue_is_the_list_output() {
    let out = conformance(&["list", "--format", "markdown"]);
    let table = String::from_utf8(out.stdout).unwrap();
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let start = readme
        .find("<!-- catalogue:start -->\n")
        .expect("catalogue start marker")
        + "<!-- catalogue:start -->\n".len();
    let end = readme
        .find("<!-- catalogue:end -->")
        .expect("catalogue end marker");
    assert_eq!(
        &readme[start..end],
        table,
        "README's catalogue is stale: paste `cargo run -p conformance -- list --format markdown`"
    );
}

#[test]
#[cfg_attr(
    not(feature = "reference"),
    ignore = "runs `--reference`: needs `--features reference` (the README's test command has it)"
)]
fn a_reference_run_writes_json_and_junit_reports_without_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "very-secret-signing-key-123";
    let json = dir.path().join("report.json");
    let out = conformance(&[
        "run",
        "--reference",
        "--jwt-secret",
        secret,
        "--format",
        "json",
        "--report-file",
        json.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = std::fs::read_to_string(&json).unwrap();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap();
    let checks = report["checks"].as_array().unwrap();
    assert_eq!(report["summary"]["failed"], 0);
    // Every check ran, or does not apply to its resource and says why.
    assert_eq!(report["summary"]["skipped"], 0);
    for c in checks.iter().filter(|c| c["outcome"] != "pass") {
        assert_eq!(c["outcome"], "not_applicable", "{c}");
        assert!(!c["message"].as_str().unwrap().is_empty(), "{c}");
    }
    assert!(report["left_behind"].as_array().unwrap().is_empty());
    assert_eq!(report["lost_endpoint"], serde_json::Value::Null);
    for c in checks {
        for key in ["resource", "id", "family", "level", "outcome", "message"] {
            assert!(c.get(key).is_some(), "{key} missing in {c}");
        }
    }
    let junit = dir.path().join("report.xml");
    let out = conformance(&[
        "run",
        "--reference",
        "--jwt-secret",
        secret,
        "--format",
        "junit",
        "--report-file",
        junit.to_str().unwrap(),
        "--only",
        "auth",
        "--only",
        "errors.problem_details",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.starts_with("<?xml"), "{xml}");
    let auth = conformance::checks::catalogue(&contact_schema::Contact::model())
        .iter()
        .filter(|c| c.family == conformance::checks::Family::Auth)
        .count();
    assert_eq!(
        xml.matches("<testcase ").count(),
        2 * (auth + 1),
        "--only selects the {auth} auth checks and one id, of each resource: {xml}"
    );
    assert!(xml.contains("<testsuite name=\"contacts.auth\""));
    assert!(xml.contains("<testsuite name=\"accounts.auth\""));
    for t in [&text, &xml, &stderr(&out)] {
        assert!(!t.contains(secret), "the signing secret leaked");
        assert!(!t.contains("eyJ"), "a token leaked");
    }
}

#[test]
#[cfg_attr(
    not(feature = "reference"),
    ignore = "runs `--reference`: needs `--features reference` (the README's test command has it)"
)]
fn usage_connection_and_credential_errors_exit_2() {
    let out = conformance(&[
        "run",
        "--base-url",
        "http://127.0.0.1:9",
        "--jwt-secret",
        "a-realistic-secret-of-32-bytes!!",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot reach http://127.0.0.1:9"),
        "{}",
        stderr(&out)
    );
    assert!(
        stderr(&out).contains("Connection refused"),
        "the cause is named: {}",
        stderr(&out)
    );
    let out = conformance(&["run", "--base-url", "http://127.0.0.1:9"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--jwt-secret"), "{}", stderr(&out));
    let out = conformance(&["run", "--reference", "--frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unexpected argument '--frobnicate'")
            && stderr(&out).contains("Usage:"),
        "{}",
        stderr(&out)
    );
    let out = conformance(&["run", "--refrence"]);
    assert!(
        stderr(&out).contains("a similar argument exists: '--reference'"),
        "{}",
        stderr(&out)
    );
    let out = conformance(&["run"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--base-url"), "{}", stderr(&out));
    let out = conformance(&["run", "--reference", "--format", "yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("[possible values: human, json, junit, github]"),
        "{}",
        stderr(&out)
    );
    let out = conformance(&[
        "run",
        "--reference",
        "--only",
        "auth",
        "--only",
        "nosuchcheck",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a run that checks nothing is not green"
    );
    assert!(stderr(&out).contains("`nosuchcheck`"), "{}", stderr(&out));
    let out = conformance(&["run", "--reference", "--skip", "auth.nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("--skip: no check id or family is named `auth.nope`"),
        "{}",
        stderr(&out)
    );
    let out = conformance(&["run", "--reference", "--token", "boss=abc"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown role `boss`"),
        "{}",
        stderr(&out)
    );
    let out = conformance(&[
        "run",
        "--reference",
        "--jwt-secret",
        "s",
        "--report-file",
        "/nonexistent/dir/r.json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("/nonexistent/dir"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_base_url_that_does_not_serve_the_collection_exits_2_saying_what_it_found() {
    let secret = "preflight-secret";
    let server = reference_server::start(
        reference_server::Config::from_schemas(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")),
            secret,
        )
        .expect("the workspace's generated tree"),
    )
    .await
    .unwrap();
    let twice = format!("{}/api/v1/crm/contacts", server.base_url());
    let out = tokio::task::spawn_blocking(move || {
        conformance(&["run", "--base-url", &twice, "--jwt-secret", secret])
    })
    .await
    .unwrap();
    server.shutdown().await;
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("does not serve the collection") && err.contains("answered 404"),
        "{err}"
    );
}

#[test]
fn list_aligns_every_description() {
    let out = conformance(&["list"]);
    let text = String::from_utf8(out.stdout).unwrap();
    let columns: std::collections::BTreeSet<usize> = text
        .lines()
        // A header per resource (`contacts (/api/v1/crm/contacts):`), then its checks, indented.
        .filter(|l| l.starts_with("  "))
        .map(|l| {
            let l = &l[2..];
            l.find("  ").unwrap() + l[l.find("  ").unwrap()..].find(|c: char| c != ' ').unwrap()
        })
        .collect();
    assert_eq!(
        columns.len(),
        1,
        "descriptions start in one column: {columns:?}"
    );
}

#[test]
fn github_annotations_name_each_failed_check() {
    let report = conformance::run::RunReport {
        target: "http://x".into(),
        checks: vec![conformance::run::CheckReport {
            resource: "contacts".into(),
            id: "auth.expired".into(),
            family: conformance::checks::Family::Auth,
            level: conformance::checks::Level::Must,
            description: "a token that expired: 401".into(),
            outcome: conformance::run::Outcome::Fail,
            message: "an expired token: expected 401, got 200".into(),
            expected: Some("401".into()),
            actual: Some("200".into()),
            evidence: None,
            duration: Duration::ZERO,
            connection_failed: false,
        }],
        duration: Duration::ZERO,
        started: chrono::Utc::now(),
        cleaned_up: 0,
        left_behind: vec!["contacts/per_01".into()],
        lost_endpoint: None,
        interrupted: false,
    };
    let text = conformance::report::github::render(&report);
    assert!(
        text.starts_with("::error title=contacts auth.expired (a token that expired%3A 401)::an expired token: expected 401, got 200\n"),
        "{text}"
    );
    assert!(
        text.contains("::warning title=conformance of http%3A//x::1 items the run created could not be soft-deleted and are still live: contacts/per_01"),
        "{text}"
    );
    assert!(
        text.contains("::notice title=conformance of http%3A//x::0 passed, 1 failed"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rejected_credentials_exit_2_naming_the_role() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = reference_server::start(
        reference_server::Config::from_schemas(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")),
            "the-server-secret",
        )
        .expect("the workspace's generated tree"),
    )
    .await
    .unwrap();
    let out = tokio::task::spawn_blocking({
        let base = server.base_url();
        move || {
            conformance(&[
                "run",
                "--base-url",
                &base,
                "--jwt-secret",
                "a-different-secret",
            ])
        }
    })
    .await
    .unwrap();
    server.shutdown().await;
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("rejected the a1 credentials"), "{err}");
    assert!(!err.contains("a-different-secret"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_endpoint_does_not_hang_the_run() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // Accepts connections and never answers.
    let hold = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let start = Instant::now();
    let out = tokio::task::spawn_blocking(move || {
        conformance(&[
            "run",
            "--base-url",
            &format!("http://{addr}"),
            "--jwt-secret",
            "s",
            "--timeout",
            "2",
        ])
    })
    .await
    .unwrap();
    hold.abort();
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("timed out"), "{}", stderr(&out));
    assert!(start.elapsed() < Duration::from_secs(30));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_cleans_up_what_the_run_created() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let secret = "sigint-secret";
    let server = reference_server::start(
        reference_server::Config::from_schemas(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")),
            secret,
        )
        .expect("the workspace's generated tree"),
    )
    .await
    .unwrap();
    let key = jsonwebtoken::EncodingKey::from_secret(secret.as_bytes()).unwrap();
    let exp = chrono::Utc::now().timestamp() + 3600;
    let tok = |sub: &str, tenant: &str, app: Option<&str>| {
        let mut c = serde_json::json!({"sub": sub, "tenant_id": tenant, "exp": exp});
        if let Some(a) = app {
            c["app_id"] = serde_json::json!(a);
        }
        jsonwebtoken::encode(&jsonwebtoken::Header::default(), &c, &key).unwrap()
    };
    let a1 = tok("u1", "ta", None);
    let args = [
        format!("a1={a1}"),
        format!("a2={}", tok("u2", "ta", None)),
        format!("b={}", tok("u3", "tb", None)),
        format!("app-x={}", tok("x", "ta", Some("x"))),
        format!("app-y={}", tok("y", "ta", Some("y"))),
    ];
    let dir = tempfile::tempdir().unwrap();
    let report_file = dir.path().join("interrupted.json");
    let mut cmd = std::process::Command::new(BIN);
    cmd.current_dir(ROOT);
    cmd.args([
        "run",
        "--base-url",
        &server.base_url(),
        "--concurrency",
        "1",
        "--format",
        "json",
        "--report-file",
        report_file.to_str().unwrap(),
    ]);
    for a in &args {
        cmd.args(["--token", a]);
    }
    let child = cmd
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let client = reqwest::Client::new();
    let list = |q: &'static str| {
        client
            .get(format!(
                "{}/api/v1/crm/contacts?limit=100{q}",
                server.base_url()
            ))
            .bearer_auth(&a1)
            .send()
    };
    // Wait until the run has created something, then interrupt it.
    for _ in 0..200 {
        let page: serde_json::Value = list("&include_deleted=true")
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        if page["data"].as_array().is_some_and(|d| d.len() >= 3) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let out = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(out.status.code(), Some(130), "{}", stderr(&out));
    let err = stderr(&out);
    let n: usize = err
        .split("interrupted: soft-deleted ")
        .nth(1)
        .and_then(|r| r.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no count: {err}"));
    assert!(n >= 1, "{err}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&report_file).expect("a report after SIGINT"),
    )
    .unwrap();
    assert_eq!(report["interrupted"], true);
    assert_eq!(report["passed"], false);
    assert_eq!(report["cleaned_up"], n, "the report and the message agree");
    let res = list("").await.unwrap();
    let status = res.status();
    let live: serde_json::Value = res.json().await.unwrap_or_default();
    assert_eq!(status, 200, "{live}");
    assert_eq!(
        live["data"],
        serde_json::json!([]),
        "live contacts left after SIGINT"
    );
    server.shutdown().await;
}
