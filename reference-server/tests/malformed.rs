//! No input, however malformed, yields a 5xx or a panic (CONTRACT.md §6):
//! ten thousand generated requests per backend (methods, paths, tokens and
//! their claims, headers, bodies, query strings and cursors; U+0000, date-times
//! at and beyond the edges of the range, repeated member names) against the
//! router, in process, on SQLite and on PostgreSQL. Every 4xx is problem+json.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config as PropConfig, TestRunner};
use reference_server::router;
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
            Just("0000-01-01T00:00:00Z"),
            Just("0001-01-01T00:00:00Z"),
            Just("9999-12-31T23:59:59.999999Z"),
            Just("9999-12-31T23:59:59-23:59"),
            Just("+10000-01-01T00:00:00Z"),
            Just("1969-12-31T23:59:59.999999999+23:59"),
            Just("-0001-01-01T00:00:00Z"),
            Just("a\u{0}b"),
            Just("\u{0}"),
            Just("a\u{0}b@example.com"),
            Just("per_01J8Z3Q7D4M5V6W7X8Y9Z0ABC\u{0}"),
            Just("api"),
            Just("per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD"),
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(12, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::hash_map(
                prop_oneof![".{0,8}", Just("k\u{0}".to_owned())],
                inner,
                0..6
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Values each field accepts, and a few it must refuse (U+0000, dates beyond the range).
fn plausible() -> impl Strategy<Value = (&'static str, Value)> {
    prop::sample::select(vec![
        ("first_name", json!("Ada")),
        ("last_name", json!("Lovelace")),
        ("email", json!("ada@example.com")),
        ("email", json!("ADA@example.com")),
        (
            "account_id",
            json!("acc-3f2b8c1e-9d4a-4b6f-8e2c-1a5d7f9b0c3e"),
        ),
        ("phone", json!("+14155550123")),
        ("linkedin_url", json!("https://www.linkedin.com/in/ada")),
        ("last_interaction_at", json!("0001-01-01T00:00:00Z")),
        ("last_interaction_at", json!("9999-12-31T23:59:59.999999Z")),
        ("last_interaction_at", json!("9999-12-31T23:59:59-23:59")),
        ("opted_in_at", json!("0000-12-31T23:59:59Z")),
        ("opted_in", json!(true)),
        ("tags", json!(["a", "b\u{0}"])),
        ("tags", json!(["vip"])),
        ("custom_fields", json!({"k": "a\u{0}b"})),
        ("custom_fields", json!({"k\u{0}": 1})),
        (
            "custom_fields",
            json!({"n": 1e308, "m": -0.0, "big": 18446744073709551615u64}),
        ),
        ("gdpr_consent", json!({"given": true})),
        ("job_title", json!("\u{0}")),
        ("source", json!("crm")),
        ("source_type", json!("backend")),
        (
            "reports_to_contact_id",
            json!("per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD"),
        ),
        ("version", json!(1)),
        ("tenant_id", json!("t\u{0}")),
    ])
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => prop::collection::vec(plausible(), 0..6).prop_map(|kv| {
            Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                .to_string()
                .into_bytes()
        }),
        1 => prop::collection::vec(any::<u8>(), 0..200),
        1 => json_value().prop_map(|v| v.to_string().into_bytes()),
        3 => prop::collection::vec((prop::sample::select(FIELDS), json_value()), 0..8).prop_map(|kv| {
            Value::Object(kv.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
                .to_string()
                .into_bytes()
        }),
        2 => (prop::sample::select(FIELDS), json_value(), json_value()).prop_map(|(k, a, b)| {
            // A repeated member name, at the top or one level down.
            let k = Value::from(k);
            format!("{{{k}:{a},\"custom_fields\":{{{k}:{a},{k}:{b}}},{k}:{b}}}").into_bytes()
        }),
        1 => Just(br#"{"first_name":"a","first\u005fname":"b"}"#.to_vec()),
        1 => Just(b"{\"a\": NaN}".to_vec()),
        1 => Just(b"{\"version\": 1e400}".to_vec()),
        1 => Just(vec![b'{'; 5000]),
        1 => Just("[".repeat(300).into_bytes()),
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

/// Validly signed tokens whose claims break CONTRACT.md §2 in every way: long,
/// NUL, null, the wrong type, missing, fractional or future dates.
fn odd_tokens(tenant: &str) -> Vec<String> {
    let now = common::now();
    let base = json!({"sub": "fuzzer", "tenant_id": tenant, "exp": now + 3600});
    let mut out = Vec::new();
    for (k, v) in [
        ("tenant_id", json!("t".repeat(3000))),
        ("tenant_id", json!("t".repeat(255))),
        ("tenant_id", json!("t\u{0}")),
        ("tenant_id", Value::Null),
        ("tenant_id", json!(7)),
        ("sub", json!("s".repeat(3000))),
        ("sub", json!("\u{0}")),
        ("sub", json!({})),
        ("app_id", json!("a".repeat(3000))),
        ("app_id", json!("a\u{0}")),
        ("app_id", Value::Null),
        ("app_id", json!(false)),
        ("app_id", json!("app-1")),
        ("exp", json!((now + 3600) as f64 + 0.25)),
        ("exp", json!(1e300)),
        ("exp", json!(-1)),
        ("exp", json!("soon")),
        ("nbf", json!(now + 600)),
        ("nbf", json!(now - 600)),
        ("nbf", json!([])),
        ("aud", json!(["x", 1])),
    ] {
        let mut c = base.clone();
        c[k] = v;
        out.push(common::token(c));
    }
    for k in ["sub", "tenant_id", "exp"] {
        let mut c = base.clone();
        c.as_object_mut().unwrap().remove(k);
        out.push(common::token(c));
    }
    out
}

fn case(good_token: String, id: String) -> impl Strategy<Value = Case> {
    let odd = odd_tokens("fuzz-tenant");
    let path = prop_oneof![
        4 => Just(common::PATH.to_owned()),
        4 => Just(format!("{}/{id}", common::PATH)),
        1 => "[a-zA-Z0-9_%./-]{0,30}".prop_map(|p| format!("{}/{p}", common::PATH)),
        1 => Just(format!("{}/{id}%00", common::PATH)),
        1 => Just(format!("{}/%00", common::PATH)),
        3 => (
            prop::sample::select(vec![
                "limit",
                "cursor",
                "account_id",
                "email",
                "include_deleted",
                "x"
            ]),
            prop_oneof![".{0,20}".prop_map(String::from), Just("%00".to_owned()), Just("a%00b".to_owned())]
        )
            .prop_map(|(k, v)| format!(
                "{}?{k}={}",
                common::PATH,
                v.replace(['#', ' '], "%20")
            )),
        1 => "/[ -~]{0,30}".prop_map(|p| p.replace(
            ['#', '?', ' ', '"', '<', '>', '\\', '^', '`', '{', '|', '}'],
            ""
        )),
    ];
    let auth = prop_oneof![
        3 => prop::sample::select(odd).prop_map(|t| Some(format!("Bearer {t}"))),
        10 => Just(Some(format!("Bearer {good_token}"))),
        1 => Just(None),
        1 => "[ -~]{0,60}".prop_map(Some),
        1 => "[A-Za-z0-9_-]{0,20}\\.[A-Za-z0-9_-]{0,20}\\.[A-Za-z0-9_-]{0,20}"
            .prop_map(|t| Some(format!("Bearer {t}"))),
    ];
    let content_type = prop_oneof![
        4 => Just(Some("application/json".to_owned())),
        2 => Just(Some(
            "application/merge-patch+json; charset=utf-8".to_owned()
        )),
        1 => Just(None),
        1 => "[ -~]{0,40}".prop_map(Some),
    ];
    let if_match = prop_oneof![
        Just(None),
        Just(Some("\"1\"".to_owned())),
        "[ -~]{0,20}".prop_map(Some)
    ];
    (
        prop_oneof![
            3 => Just("GET"),
            1 => Just("HEAD"),
            4 => Just("POST"),
            4 => Just("PATCH"),
            2 => Just("DELETE"),
            1 => prop::sample::select(vec!["PUT", "OPTIONS", "TRACE"]),
        ],
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
async fn no_malformed_request_gets_a_5xx_on_sqlite() {
    no_malformed_request_gets_a_5xx(common::Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_malformed_request_gets_a_5xx_on_postgres() {
    no_malformed_request_gets_a_5xx(common::Backend::Postgres).await;
}

async fn no_malformed_request_gets_a_5xx(backend: common::Backend) {
    let Some((config, db)) = common::database(backend).await else {
        return;
    };
    let (shared, states) = reference_server::states(&config).await.unwrap();
    let app = router(shared, states);
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
        .unwrap_or(10_000);
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
        assert!(
            !status.is_server_error(),
            "{status} for {c:?}, body {:?}",
            String::from_utf8_lossy(&c.body)
        );
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
    eprintln!("{backend:?}: statuses over {cases} generated requests: {seen:?}");
    // The generator reaches the deep checks, not only the 401 at the door.
    for expected in [200, 400, 401, 404, 405, 415, 422] {
        assert!(seen.contains_key(&expected), "no {expected} in {seen:?}");
    }
    db.drop_now().await;
}
