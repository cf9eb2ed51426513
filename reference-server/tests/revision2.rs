//! CONTRACT.md revision 2, rule by rule, on SQLite (memory and file) and
//! PostgreSQL: U+0000, the date-time range, I-JSON member names, claim
//! limits, `nbf`, repeated `Authorization`, HEAD's `Content-Length`,
//! same-account managers, malformed framing, and answers that say nothing
//! Contact-specific from the generic server.

mod common;

use common::{PATH, TestServer, account, assert_problem, email, now, token};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

contract_tests!(
    nul_is_refused_everywhere,
    date_times_stay_within_years_1_to_9999,
    repeated_member_names_are_a_400,
    claims_are_checked_to_the_contract,
    head_sends_the_content_length_of_get,
    a_manager_is_in_the_same_account,
    malformed_framing_is_a_400,
);

async fn raw_create(s: &TestServer, token: &str, body: &str) -> (StatusCode, Value) {
    let res = s
        .client
        .post(s.url(PATH))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(body.to_owned())
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

fn fields_named(p: &Value) -> Vec<String> {
    p["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn nul_is_refused_everywhere(s: &TestServer) {
    let t = s.user("u");
    let acc = account();
    let c = s
        .created(&t, json!({"account_id": acc, "email": email()}))
        .await;
    let id = c["id"].as_str().unwrap();
    let bodies = [
        ("first_name", json!("a\u{0}b")),
        ("email", json!("a\u{0}b@example.com")),
        ("source", json!("\u{0}")),
        ("source_type", json!("api\u{0}")),
        ("job_title", json!("x\u{0}")),
        ("linkedin_url", json!("https://x.example/\u{0}")),
        ("last_interaction_at", json!("2026-01-01T00:00:00Z\u{0}")),
        ("tags", json!(["ok", "b\u{0}d"])),
        ("custom_fields", json!({"k": "a\u{0}b"})),
        ("custom_fields", json!({"k\u{0}": 1})),
        ("gdpr_consent", json!({"deep": [{"x": ["\u{0}"]}]})),
    ];
    for (field, value) in bodies {
        let body = json!({ field: value });
        let (status, p) = s.create(&t, body.clone()).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "create {body}: {p}"
        );
        assert_problem(status, &p);
        assert_eq!(fields_named(&p), vec![field.to_owned()], "{p}");
        let (status, p) = s.patch(&t, id, body.clone(), &[]).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "patch {body}: {p}"
        );
        assert_eq!(fields_named(&p), vec![field.to_owned()], "{p}");
    }
    // Server-owned fields are ignored whatever they hold.
    let (status, p) = s
        .create(&t, json!({"tenant_id": "t\u{0}", "created_by": "\u{0}"}))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{p}");
    assert_eq!(p["tenant_id"], s.tenant.as_str());
    // Nothing was stored by the refused writes.
    let (_, again) = s.get(&t, id).await;
    assert_eq!(again["version"], 1, "{again}");
    // The list's own parameters: 400; unknown ones: ignored.
    for q in [
        "email=a%00b@example.com",
        "account_id=%00",
        "limit=1%00",
        "include_deleted=true%00",
        "cursor=%00",
    ] {
        let (status, p) = s.list(&t, q).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{q}: {p}");
        assert_problem(status, &p);
    }
    for q in ["colour=%00", "%00=1"] {
        assert_eq!(s.list(&t, q).await.0, StatusCode::OK, "{q}");
    }
    // In an id: 404 for every item operation.
    for item in ["%00", "per_%00", &format!("{id}%00")] {
        assert_eq!(s.get(&t, item).await.0, StatusCode::NOT_FOUND, "{item}");
        let (status, p) = s.patch(&t, item, json!({}), &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{item}");
        assert_problem(status, &p);
        assert_eq!(
            s.delete(&t, item, &[]).await.0,
            StatusCode::NOT_FOUND,
            "{item}"
        );
    }
}

async fn date_times_stay_within_years_1_to_9999(s: &TestServer) {
    let t = s.user("u");
    let acc = account();
    let edges = [
        ("0001-01-01T00:00:00Z", "0001-01-01T00:00:00"),
        ("0001-01-01T05:30:00+05:30", "0001-01-01T00:00:00"),
        ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999"),
        ("9999-12-31T00:00:00-23:59", "9999-12-31T23:59:00"),
        ("1969-12-31T23:59:59.5Z", "1969-12-31T23:59:59.5"),
    ];
    let rfc3339_utc = regex::Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$").unwrap();
    for (sent, instant) in edges {
        let c = s
            .created(
                &t,
                json!({"account_id": acc, "last_interaction_at": sent, "opted_in_at": sent}),
            )
            .await;
        let (_, got) = s.get(&t, c["id"].as_str().unwrap()).await;
        for v in [&c["last_interaction_at"], &got["last_interaction_at"]] {
            let text = v.as_str().unwrap();
            assert!(
                rfc3339_utc.is_match(text),
                "{sent} came back as {text}, not RFC 3339 UTC with a four-digit year"
            );
            let back = chrono::DateTime::parse_from_rfc3339(text).unwrap();
            let want = chrono::NaiveDateTime::parse_from_str(instant, "%Y-%m-%dT%H:%M:%S%.f")
                .unwrap()
                .and_utc();
            assert_eq!(back, want, "{sent}");
        }
    }
    let (status, page) = s.list(&t, &format!("account_id={acc}&limit=100")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(page["data"].as_array().unwrap().len(), edges.len());
    for out in [
        "0000-01-01T00:00:00Z",
        "0000-12-31T23:59:59.999999Z",
        "0001-01-01T00:00:00+00:01",
        "9999-12-31T23:59:59-23:59",
        "9999-12-31T23:59:59.9999999-00:01",
        "2026-01-01T00:00:00",
        "+10000-01-01T00:00:00Z",
    ] {
        let (status, p) = s
            .create(&t, json!({"last_interaction_at": out, "opted_in_at": out}))
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{out}: {p}");
        let mut named = fields_named(&p);
        named.sort();
        assert_eq!(named, ["last_interaction_at", "opted_in_at"], "{out}");
    }
}

async fn repeated_member_names_are_a_400(s: &TestServer) {
    let t = s.user("u");
    let c = s.created(&t, json!({})).await;
    let id = c["id"].as_str().unwrap();
    for body in [
        r#"{"first_name":"a","first_name":"b"}"#,
        r#"{"custom_fields":{"k":1,"k":2}}"#,
        r#"{"gdpr_consent":{"a":[{"x":1,"x":1}]}}"#,
        r#"{"unknown":1,"unknown":2}"#,
        r#"{"first_name":"a","first\u005fname":"b"}"#,
    ] {
        let (status, p) = raw_create(s, &t, body).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {p}");
        assert_problem(status, &p);
        let res = s
            .client
            .patch(s.url(&format!("{PATH}/{id}")))
            .bearer_auth(&t)
            .header("content-type", "application/merge-patch+json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{body}");
    }
    // The same name in two different objects is fine.
    let (status, _) = raw_create(
        s,
        &t,
        r#"{"custom_fields":{"a":{"k":1},"b":{"k":2}},"gdpr_consent":{"k":1}}"#,
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(s.get(&t, id).await.1["version"], 1, "nothing changed");
}

async fn claims_are_checked_to_the_contract(s: &TestServer) {
    let base = json!({"sub": "u", "tenant_id": s.tenant, "exp": now() + 600});
    let with = |k: &str, v: Value| {
        let mut c = base.clone();
        c[k] = v;
        token(c)
    };
    let without = |k: &str| {
        let mut c = base.clone();
        c.as_object_mut().unwrap().remove(k);
        token(c)
    };
    let long = "t".repeat(256);
    let refused = [
        (
            "tenant_id of 256 characters",
            with("tenant_id", json!(long)),
        ),
        (
            "sub of 3000 characters",
            with("sub", json!("s".repeat(3000))),
        ),
        ("NUL in tenant_id", with("tenant_id", json!("t\u{0}x"))),
        ("NUL in sub", with("sub", json!("\u{0}"))),
        ("NUL in app_id", with("app_id", json!("a\u{0}"))),
        ("null app_id", with("app_id", Value::Null)),
        ("numeric app_id", with("app_id", json!(7))),
        ("empty app_id", with("app_id", json!(""))),
        ("null sub", with("sub", Value::Null)),
        ("missing sub", without("sub")),
        ("array tenant_id", with("tenant_id", json!(["t"]))),
        ("string exp", with("exp", json!((now() + 600).to_string()))),
        ("missing exp", without("exp")),
        ("exp 5 minutes ago", with("exp", json!(now() - 300))),
        ("nbf in 5 minutes", with("nbf", json!(now() + 300))),
        ("null nbf", with("nbf", Value::Null)),
    ];
    for (what, tok) in &refused {
        for (method, path, body) in [
            (Method::POST, PATH.to_owned(), Some(json!({}))),
            (Method::GET, PATH.to_owned(), None),
            (
                Method::GET,
                format!("{PATH}/per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD"),
                None,
            ),
        ] {
            let res = s.send(method.clone(), &path, Some(tok), body, &[]).await;
            assert_eq!(
                res.status(),
                StatusCode::UNAUTHORIZED,
                "{what}: {method} {path}"
            );
            assert_eq!(res.headers()["www-authenticate"], "Bearer");
            let p: Value = res.json().await.unwrap();
            assert_problem(StatusCode::UNAUTHORIZED, &p);
        }
    }
    // At the limits, and with what the contract lets through.
    let max = "t".repeat(255);
    let accepted = [
        ("tenant_id of 255 characters", {
            let mut c = base.clone();
            c["tenant_id"] = json!(max);
            c["sub"] = json!("s".repeat(255));
            c["app_id"] = json!("a".repeat(255));
            token(c)
        }),
        ("fractional exp", with("exp", json!(now() as f64 + 600.5))),
        ("nbf in the past", with("nbf", json!(now() - 60))),
        ("an aud claim", with("aud", json!("someone-else"))),
        ("an unknown claim", with("role", json!(null))),
    ];
    for (what, tok) in &accepted {
        let (status, c) = s.create(tok, json!({"email": email()})).await;
        assert_eq!(status, StatusCode::CREATED, "{what}: {c}");
        let (status, _) = s.list(tok, "limit=1").await;
        assert_eq!(status, StatusCode::OK, "{what}");
    }
    // Two Authorization headers, even two good ones.
    let good = s.user("u");
    let res = s
        .client
        .get(s.url(PATH))
        .header("authorization", format!("Bearer {good}"))
        .header("authorization", format!("Bearer {good}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    assert_problem(
        StatusCode::UNAUTHORIZED,
        &res.json::<Value>().await.unwrap(),
    );
}

async fn head_sends_the_content_length_of_get(s: &TestServer) {
    let t = s.user("u");
    let acc = account();
    let c = s
        .created(
            &t,
            json!({"account_id": acc, "first_name": "Ada", "tags": ["x"]}),
        )
        .await;
    let id = c["id"].as_str().unwrap();
    for path in [
        format!("{PATH}/{id}"),
        format!("{PATH}?account_id={acc}"),
        format!("{PATH}/per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD"),
    ] {
        let get = s.send(Method::GET, &path, Some(&t), None, &[]).await;
        let (status, etag) = (get.status(), get.headers().get("etag").cloned());
        let body = get.bytes().await.unwrap();
        let head = s.send(Method::HEAD, &path, Some(&t), None, &[]).await;
        assert_eq!(head.status(), status, "{path}");
        assert_eq!(head.headers().get("etag"), etag.as_ref(), "{path}");
        let length = head.headers()["content-length"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(length, body.len().to_string(), "{path}");
        assert!(body.len() > 20, "{path}");
        assert!(head.bytes().await.unwrap().is_empty());
    }
}

async fn a_manager_is_in_the_same_account(s: &TestServer) {
    let t = s.user("u");
    let (a, b) = (account(), account());
    let boss_a = s.created(&t, json!({"account_id": a})).await;
    let boss_a = boss_a["id"].as_str().unwrap();
    let orphan_boss = s.created(&t, json!({})).await;
    let orphan_boss = orphan_boss["id"].as_str().unwrap();
    // Another account, or an orphan for a contact of an account: 422.
    for (account, boss) in [
        (json!(b), boss_a),
        (json!(a), orphan_boss),
        (Value::Null, boss_a),
    ] {
        let (status, p) = s
            .create(
                &t,
                json!({"account_id": account, "reports_to_contact_id": boss}),
            )
            .await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{account} {boss}: {p}"
        );
        assert_eq!(fields_named(&p), ["reports_to_contact_id"]);
    }
    // Same account, and two orphans: fine.
    let c = s
        .created(
            &t,
            json!({"account_id": a, "reports_to_contact_id": boss_a}),
        )
        .await;
    s.created(&t, json!({"reports_to_contact_id": orphan_boss}))
        .await;
    let id = c["id"].as_str().unwrap();
    // The account is the one after the write: moving both at once is judged on the new account.
    let (status, p) = s
        .patch(
            &t,
            id,
            json!({"account_id": b, "reports_to_contact_id": boss_a}),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let boss_b = s.created(&t, json!({"account_id": b})).await;
    let (status, p) = s
        .patch(
            &t,
            id,
            json!({"account_id": b, "reports_to_contact_id": boss_b["id"]}),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{p}");
    // Checked only when the body sets it: moving the contact alone is not refused.
    let (status, p) = s.patch(&t, id, json!({"account_id": a}), &[]).await;
    assert_eq!(status, StatusCode::OK, "{p}");
    assert_eq!(p["reports_to_contact_id"], boss_b["id"]);
}

async fn malformed_framing_is_a_400(s: &TestServer) {
    let t = s.user("u");
    let addr = s.base.trim_start_matches("http://").to_owned();
    let request = format!(
        "POST {PATH} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {t}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n"
    );
    let mut conn = tokio::net::TcpStream::connect(&addr).await.unwrap();
    conn.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        conn.read_to_end(&mut answer),
    )
    .await
    .expect("the server answers and closes");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("application/problem+json"), "{text}");
    assert!(!text.contains("over"), "not a 413: {text}");
}

#[tokio::test]
async fn answers_name_the_model_not_the_contact() {
    // The 404 and 409 details come from the model's name and uniqueness rule.
    let s = common::start(common::Backend::Sqlite).await.unwrap();
    let t = s.user("u");
    let e = email();
    s.created(&t, json!({"email": e})).await;
    let (status, p) = s.create(&t, json!({"email": e.to_uppercase()})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(
        p["detail"],
        "Another contact with the same `tenant_id` and `account_id` already has this `email` (compared ignoring ASCII case)."
    );
    let (status, p) = s.get(&t, "per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD").await;
    assert_eq!(
        (status, p["detail"].as_str()),
        (StatusCode::NOT_FOUND, Some("No contact with this id."))
    );
    s.finish().await;
}
