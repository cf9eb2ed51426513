//! Reports a CI user can act on: a run that loses its endpoint says so and
//! lists, by id, the items it could not clean up; the pre-flight tells "cannot
//! connect" from "answered, but not as the contract says", showing what it got.

mod support {
    pub mod proxy;
}

use serde_json::{Value, json};
use std::process::{Command, Output};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;
use support::proxy::{self, Behaviour, Req, Up};

const BIN: &str = env!("CARGO_BIN_EXE_conformance");
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
const SECRET: &str = "reports-secret-0123456789abcdef0123";

fn conformance(args: &[String]) -> Output {
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

async fn reference() -> reference_server::Server {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reference_server::start(
        reference_server::Config::from_schemas(
            std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")),
            SECRET,
        )
        .expect("the workspace's generated tree"),
    )
    .await
    .unwrap()
}

/// Forwards the first `n` requests, then never answers again.
fn dies_after(n: usize, dead: Arc<AtomicBool>) -> Behaviour {
    let seen = Arc::new(AtomicUsize::new(0));
    Arc::new(move |req: Req, up: Up| {
        let (seen, dead) = (seen.clone(), dead.clone());
        Box::pin(async move {
            if seen.fetch_add(1, Ordering::SeqCst) >= n {
                dead.store(true, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            up.forward(req).await
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_that_loses_its_endpoint_says_so_and_lists_what_it_left_behind() {
    let server = reference().await;
    let dead = Arc::new(AtomicBool::new(false));
    let p = proxy::start(&server.base_url(), SECRET, dies_after(12, dead.clone())).await;
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let args: Vec<String> = [
        "run",
        "--base-url",
        &p.base_url,
        "--jwt-secret",
        SECRET,
        "--resource",
        "contacts",
        "--only",
        "versioning",
        "--timeout",
        "1",
        "--format",
        "json",
        "--report-file",
        report.to_str().unwrap(),
    ]
    .map(str::to_owned)
    .to_vec();
    let out = tokio::task::spawn_blocking(move || conformance(&args))
        .await
        .unwrap();
    assert!(dead.load(Ordering::SeqCst), "the endpoint died mid-run");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let lost = r["lost_endpoint"].as_str().unwrap_or_default();
    assert!(
        lost.contains("stopped answering during the run") && lost.contains("still does not answer"),
        "{r:#}"
    );
    assert_eq!(r["passed"], json!(false));
    let left: Vec<&str> = r["left_behind"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(!left.is_empty(), "{r:#}");
    for l in &left {
        assert!(
            l.starts_with("contacts/per_") && l.contains("timed out"),
            "each names the item and why: {l}"
        );
    }
    // People are told on the terminal too.
    assert!(
        stderr(&out).contains(&format!("{} left behind", left.len())),
        "{}",
        stderr(&out)
    );
    drop(p);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_the_cleanup_could_not_delete_are_listed_with_exit_3() {
    let server = reference().await;
    // The checks pass; every delete after them hangs.
    let behaviour: Behaviour = Arc::new(|req: Req, up: Up| {
        Box::pin(async move {
            if req.method == axum::http::Method::DELETE {
                tokio::time::sleep(Duration::from_secs(3600)).await;
            }
            up.forward(req).await
        })
    });
    let p = proxy::start(&server.base_url(), SECRET, behaviour).await;
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let args: Vec<String> = [
        "run",
        "--base-url",
        &p.base_url,
        "--jwt-secret",
        SECRET,
        "--resource",
        "contacts",
        "--only",
        "stamping.create_stamps",
        "--timeout",
        "1",
        "--format",
        "json",
        "--report-file",
        report.to_str().unwrap(),
    ]
    .map(str::to_owned)
    .to_vec();
    let out = tokio::task::spawn_blocking(move || conformance(&args))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let r: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(r["passed"], json!(true), "{r:#}");
    assert_eq!(
        r["lost_endpoint"],
        Value::Null,
        "the endpoint still answers: {r:#}"
    );
    let left = r["left_behind"].as_array().unwrap();
    assert_eq!(left.len(), 1, "the one item the check created: {r:#}");
    let id = left[0].as_str().unwrap();
    assert!(
        id.starts_with("contacts/per_") && id.contains("timed out"),
        "{id}"
    );
    drop(p);
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_preflight_tells_no_connection_from_an_answer_the_contract_does_not_allow() {
    // Nothing listens.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap()
    };
    let args: Vec<String> = [
        "run",
        "--base-url",
        &format!("http://{closed}"),
        "--jwt-secret",
        SECRET,
    ]
    .map(str::to_owned)
    .to_vec();
    let out = tokio::task::spawn_blocking(move || conformance(&args))
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("cannot reach") && err.contains("could not connect"),
        "{err}"
    );

    // A mock: 200 with a list whose item is not a contact.
    let app = axum::Router::new()
        .fallback(|| async { axum::Json(json!({"data": [{"id": "x"}], "next_cursor": null})) });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let mock = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let args: Vec<String> = ["run", "--base-url", &mock, "--jwt-secret", SECRET]
        .map(str::to_owned)
        .to_vec();
    let out = tokio::task::spawn_blocking(move || conformance(&args))
        .await
        .unwrap();
    task.abort();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("answered, but does not serve the collection as the contract says")
            && err.contains("← 200")
            && err.contains("breaks the generated JSON Schema")
            && !err.contains("cannot reach"),
        "{err}"
    );
}
