//! No input, however malformed, yields a 5xx or a panic (CONTRACT.md §6):
//! thousands of generated requests (methods, paths, tokens, headers, bodies,
//! query strings and cursors) against the router, in process.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as PropConfig, TestRunner};
use reference_server::{AppState, Config, router};
use serde_json::{Value, json};
use tower::ServiceExt;

const FIELDS: &[&str] = &[
    "id",
    "tenant_id",
    "app_id",
    "created_at",
    "version",
    "source",
    "source_type",
    "account_id",
    "first_name",
    "display_name",
    "email",
    "phone",
    "is_primary",
    "linkedin_url",
    "reports_to_contact_id",
    "last_interaction_at",
    "opted_in",
    "opted_in_at",
    "gdpr_consent",
    "custom_fields",
    "tags",
    "colour",
    "",
];

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        ".{0,40}".prop_map(Value::from),
        prop_oneof![
            Just("+14155550123"),
            Just("acc-3f2b8c1e-9d4a-4b6f-8e2c-1a5d7f9b0c3e"),
            Just("a@b.co"),
            Just("https://x.y"),
            Just("2026-01-01T00:00:00Z"),
            Just("2026-13-45T99:99:99+99:99"),
            Just("api"),
            Just("per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(12, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::hash_map(".{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..200),
        json_value().prop_map(|v| v.to_string().into_bytes()),
        prop::collection::vec((prop::sample::select(FIELDS), json_value()), 0..8).prop_map(|kv| {
            Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                .to_string()
                .into_bytes()
        }),
        Just(b"{\"a\": NaN}".to_vec()),
        Just(b"{\"version\": 1e400}".to_vec()),
        Just(vec![b'{'; 5000]),
        Just("[".repeat(300).into_bytes()),
    ]
}

#[derive(Debug, Clone)]
struct Case {
    method: &'static str,
    path: String,
    auth: Option<String>,
    content_type: Option<String>,
    if_match: Option<String>,
    body: Vec<u8>,
}

fn case(good_token: String, id: String) -> impl Strategy<Value = Case> {
    let path = prop_oneof![
        Just(common::PATH.to_owned()),
        Just(format!("{}/{id}", common::PATH)),
        "[a-zA-Z0-9_%./-]{0,30}".prop_map(|p| format!("{}/{p}", common::PATH)),
        (
            prop::sample::select(vec![
                "limit",
                "cursor",
                "account_id",
                "email",
                "include_deleted",
                "x"
            ]),
            ".{0,20}"
        )
            .prop_map(|(k, v)| format!(
                "{}?{k}={}",
                common::PATH,
                v.replace(['#', ' '], "%20")
            )),
        "/[ -~]{0,30}".prop_map(|p| p.replace(
            ['#', '?', ' ', '"', '<', '>', '\\', '^', '`', '{', '|', '}'],
            ""
        )),
    ];
    let auth = prop_oneof![
        Just(Some(format!("Bearer {good_token}"))),
        Just(Some(format!("Bearer {good_token}"))),
        Just(None),
        "[ -~]{0,60}".prop_map(Some),
        "[A-Za-z0-9_-]{0,20}\\.[A-Za-z0-9_-]{0,20}\\.[A-Za-z0-9_-]{0,20}"
            .prop_map(|t| Some(format!("Bearer {t}"))),
    ];
    let content_type = prop_oneof![
        Just(Some("application/json".to_owned())),
        Just(Some(
            "application/merge-patch+json; charset=utf-8".to_owned()
        )),
        Just(None),
        "[ -~]{0,40}".prop_map(Some),
    ];
    let if_match = prop_oneof![
        Just(None),
        Just(Some("\"1\"".to_owned())),
        "[ -~]{0,20}".prop_map(Some)
    ];
    (
        prop::sample::select(vec![
            "GET", "HEAD", "POST", "PATCH", "DELETE", "PUT", "OPTIONS", "TRACE",
        ]),
        path,
        auth,
        content_type,
        if_match,
        body(),
    )
        .prop_map(|(method, path, auth, content_type, if_match, body)| Case {
            method,
            path,
            auth,
            content_type,
            if_match,
            body,
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_malformed_request_gets_a_5xx() {
    let state = AppState::new(&Config::in_memory(common::SECRET))
        .await
        .unwrap();
    let app = router(state);
    let tenant = "fuzz-tenant";
    let good =
        common::token(json!({"sub": "fuzzer", "tenant_id": tenant, "exp": common::now() + 3600}));
    // One real contact, so item paths and If-Match reach the deeper checks.
    let created = app
        .clone()
        .oneshot(
            Request::post(common::PATH)
                .header("authorization", format!("Bearer {good}"))
                .header("content-type", "application/json")
                .body(Body::from(r#"{"email":"seed@example.com"}"#))
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    let id = serde_json::from_slice::<Value>(
        &axum::body::to_bytes(created.into_body(), usize::MAX)
            .await
            .unwrap(),
    )
    .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let cases = std::env::var("MALFORMED_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5000);
    let mut runner = TestRunner::new(PropConfig {
        cases,
        failure_persistence: None,
        ..PropConfig::default()
    });
    let strategy = case(good, id);
    let mut seen = std::collections::BTreeMap::new();
    for _ in 0..cases {
        let c = strategy.new_tree(&mut runner).unwrap().current();
        let mut req = Request::builder().method(c.method).uri(&c.path);
        if let Some(a) = &c.auth {
            req = req.header("authorization", a.as_str());
        }
        if let Some(ct) = &c.content_type {
            req = req.header("content-type", ct.as_str());
        }
        if let Some(m) = &c.if_match {
            req = req.header("if-match", m.as_str());
        }
        let Ok(req) = req.body(Body::from(c.body.clone())) else {
            continue;
        };
        let res = app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        assert!(!status.is_server_error(), "{status} for {c:?}");
        if status.is_client_error() && c.method != "HEAD" {
            let ct = res
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned());
            assert_eq!(
                ct.as_deref(),
                Some("application/problem+json"),
                "{status} for {c:?}"
            );
        }
        *seen.entry(status.as_u16()).or_insert(0u32) += 1;
    }
    eprintln!("statuses over {cases} generated requests: {seen:?}");
    // The generator reaches the deep checks, not only the 401 at the door.
    for expected in [200, 400, 401, 404, 405, 415, 422] {
        assert!(seen.contains_key(&expected), "no {expected} in {seen:?}");
    }
}
