//! CONTRACT.md, rule by rule, over HTTP, on SQLite and on PostgreSQL.

mod common;

use common::{PATH, TestServer, account, assert_problem, email, now, token};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

contract_tests!(
    create_stamps_server_fields_and_applies_defaults,
    server_fields_in_bodies_are_ignored,
    app_tokens_are_scoped_to_their_app,
    tenants_are_isolated,
    display_name_and_opted_in_at_are_computed,
    validation_names_every_bad_field,
    update_is_a_json_merge_patch_and_always_a_write,
    delete_is_soft,
    if_match_and_body_version_are_preconditions,
    email_is_unique_within_tenant_and_account,
    bodies_media_types_and_sizes,
    routes_methods_and_precedence,
    tokens_are_checked,
    lists_paginate_filter_and_refuse_bad_queries,
    reports_to_must_name_a_visible_live_other_contact,
    concurrent_creates_of_one_email_have_one_winner,
    concurrent_conditional_patches_have_one_winner,
    concurrent_unconditional_patches_lose_nothing,
);

fn ts(v: &Value) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::parse_from_rfc3339(
        v.as_str().unwrap_or_else(|| panic!("not a date-time: {v}")),
    )
    .unwrap()
    .into()
}

async fn create_stamps_server_fields_and_applies_defaults(s: &TestServer) {
    let t = s.user("user-1");
    let res = s
        .send(
            Method::POST,
            PATH,
            Some(&t),
            Some(json!({"email": email()})),
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(res.headers()["etag"], "\"1\"");
    let c: Value = res.json().await.unwrap();
    let id = c["id"].as_str().unwrap();
    assert_eq!(location, format!("{PATH}/{id}"));
    assert!(
        regex::Regex::new("^per_[0-7][0-9A-HJKMNP-TV-Z]{25}$")
            .unwrap()
            .is_match(id),
        "{id}"
    );
    let ulid_ms = ulid::Ulid::from_string(&id[4..]).unwrap().timestamp_ms() as i64;
    assert!((ulid_ms - ts(&c["created_at"]).timestamp_millis()).abs() < 5000);
    assert_eq!(c["tenant_id"], s.tenant.as_str());
    assert!(c.get("app_id").is_none_or(Value::is_null));
    assert_eq!(c["created_by"], "user-1");
    assert_eq!(c["updated_by"], "user-1");
    assert_eq!(c["created_at"], c["updated_at"]);
    assert_eq!(
        (c["source"].as_str(), c["source_type"].as_str()),
        (Some("edm"), Some("api"))
    );
    assert_eq!(
        (c["version"].as_i64(), c["schema_version"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(c["is_deleted"], false);
    let (_, explicit_null) = s
        .create(&t, json!({"source": null, "source_type": null}))
        .await;
    assert_eq!(
        (
            explicit_null["source"].as_str(),
            explicit_null["source_type"].as_str()
        ),
        (Some("edm"), Some("api"))
    );
    let (status, got) = s.get(&t, id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(got, c, "get returns what create returned");
}

async fn server_fields_in_bodies_are_ignored(s: &TestServer) {
    let t = s.user("user-1");
    let body = json!({"id": "per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD", "tenant_id": "evil", "app_id": "evil", "version": 99,
        "is_deleted": true, "created_by": "evil", "schema_version": 7, "created_at": "2000-01-01T00:00:00Z"});
    let c = s.created(&t, body.clone()).await;
    assert_ne!(c["id"], body["id"]);
    assert_eq!(c["tenant_id"], s.tenant.as_str());
    assert!(c.get("app_id").is_none());
    assert_eq!(
        (c["version"].as_i64(), c["schema_version"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        (c["is_deleted"].as_bool(), c["created_by"].as_str()),
        (Some(false), Some("user-1"))
    );
    let (status, u) = s
        .patch(
            &t,
            c["id"].as_str().unwrap(),
            json!({"tenant_id": "evil", "is_deleted": true, "created_by": "x"}),
            &[],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{u}");
    assert_eq!(
        (
            u["tenant_id"].as_str(),
            u["is_deleted"].as_bool(),
            u["created_by"].as_str()
        ),
        (Some(s.tenant.as_str()), Some(false), Some("user-1"))
    );
}

async fn app_tokens_are_scoped_to_their_app(s: &TestServer) {
    let (x, y, human) = (
        s.app("svc-x", "app-x"),
        s.app("svc-y", "app-y"),
        s.user("human"),
    );
    let acc = account();
    let c = s.created(&x, json!({"account_id": acc})).await;
    let id = c["id"].as_str().unwrap();
    assert_eq!(c["app_id"], "app-x");
    assert_eq!(s.get(&y, id).await.0, StatusCode::NOT_FOUND);
    assert_eq!(
        s.patch(&y, id, json!({"job_title": "x"}), &[]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.delete(&y, id, &[]).await.0, StatusCode::NOT_FOUND);
    let (_, page) = s.list(&y, &format!("account_id={acc}")).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 0);
    let (_, page) = s.list(&human, &format!("account_id={acc}")).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
    let (status, u) = s.patch(&human, id, json!({"job_title": "CTO"}), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(u["app_id"], "app-x", "a human's update keeps the app_id");
    let (_, again) = s.get(&x, id).await;
    assert_eq!(again["job_title"], "CTO");
}

async fn tenants_are_isolated(s: &TestServer) {
    let t = s.user("user-1");
    let other = s.other_tenant();
    let c = s
        .created(&t, json!({"email": email(), "account_id": account()}))
        .await;
    let id = c["id"].as_str().unwrap();
    let (s1, b1) = s.get(&other, id).await;
    let (s2, b2) = s.get(&other, "per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD").await;
    assert_eq!((s1, s2), (StatusCode::NOT_FOUND, StatusCode::NOT_FOUND));
    assert_eq!(b1, b2, "indistinguishable from an id that never existed");
    assert_problem(s1, &b1);
    assert_eq!(
        s.patch(&other, id, json!({"first_name": "x"}), &[]).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(s.delete(&other, id, &[]).await.0, StatusCode::NOT_FOUND);
    let (_, page) = s
        .list(
            &other,
            &format!("account_id={}", c["account_id"].as_str().unwrap()),
        )
        .await;
    assert_eq!(page["data"], json!([]));
    let (_, still) = s.get(&t, id).await;
    assert_eq!(still, c, "nothing changed");
}

async fn display_name_and_opted_in_at_are_computed(s: &TestServer) {
    let t = s.user("u");
    let c = s
        .created(
            &t,
            json!({"first_name": "  Ada ", "last_name": " Lovelace  "}),
        )
        .await;
    assert_eq!(c["display_name"], "Ada Lovelace");
    let id = c["id"].as_str().unwrap();
    let (_, u) = s.patch(&t, id, json!({"first_name": "Augusta"}), &[]).await;
    assert_eq!(
        u["display_name"], "Ada Lovelace",
        "a stored value is never recomputed"
    );
    let (_, u) = s.patch(&t, id, json!({"display_name": "   "}), &[]).await;
    assert_eq!(
        u["display_name"], "Augusta Lovelace",
        "blank after a write: recomputed"
    );
    let only_last = s
        .created(&t, json!({"last_name": "Byron", "first_name": " "}))
        .await;
    assert_eq!(only_last["display_name"], "Byron");
    let none = s.created(&t, json!({})).await;
    assert!(none.get("display_name").is_none_or(Value::is_null));

    let c = s.created(&t, json!({"opted_in": true})).await;
    assert_eq!(c["opted_in_at"], c["updated_at"]);
    let id = c["id"].as_str().unwrap();
    let (_, off) = s.patch(&t, id, json!({"opted_in": false}), &[]).await;
    assert_eq!(off["opted_in_at"], c["opted_in_at"], "opting out leaves it");
    let (_, on) = s.patch(&t, id, json!({"opted_in": true}), &[]).await;
    assert_eq!(on["opted_in_at"], on["updated_at"]);
    let (_, set) = s.patch(&t, id, json!({"opted_in": false}), &[]).await;
    let (_, explicit) = s
        .patch(
            &t,
            id,
            json!({"opted_in": true, "opted_in_at": "2020-01-01T00:00:00+01:00"}),
            &[],
        )
        .await;
    assert_eq!(
        ts(&explicit["opted_in_at"]),
        ts(&json!("2019-12-31T23:00:00Z")),
        "the body's value wins"
    );
    assert_ne!(set["version"], explicit["version"]);
}

async fn validation_names_every_bad_field(s: &TestServer) {
    let t = s.user("u");
    let bad = json!({
        "phone": "0207 123", "account_id": "acc-NOT-A-UUID", "source_type": "fax", "email": "nope",
        "linkedin_url": "ftp://x.y", "tags": ["ok", ""], "is_primary": "yes", "first_name": 5,
        "last_interaction_at": "2026-01-01T00:00:00", "source": "", "custom_fields": [1], "colour": "red",
        "job_title": "x".repeat(1025),
    });
    let (status, p) = s.create(&t, bad.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_problem(status, &p);
    let mut named: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    named.sort_unstable();
    let mut expected: Vec<&str> = bad
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    expected.sort_unstable();
    assert_eq!(named, expected);
    let deep = (0..11).fold(json!(1), |acc, _| json!({"a": acc}));
    let big = json!({"k": "x".repeat(65536)});
    let (status, p) = s.create(&t, json!({"custom_fields": deep, "gdpr_consent": big, "tags": vec!["t"; 101], "email": format!("{}@e.co", "a".repeat(250))})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["errors"].as_array().unwrap().len(), 4, "{p}");
    let ok = s.created(&t, json!({"custom_fields": (0..9).fold(json!(1), |acc, _| json!({"a": acc})), "tags": ["a", "a"], "linkedin_url": "HTTPS://x", "last_interaction_at": "2026-01-01T00:00:00.5-05:00"})).await;
    assert_eq!(ok["tags"], json!(["a", "a"]), "order and duplicates kept");
    assert_eq!(
        ts(&ok["last_interaction_at"]),
        ts(&json!("2026-01-01T05:00:00.5Z")),
        "the same instant"
    );
    let (status, _) = s
        .patch(&t, ok["id"].as_str().unwrap(), json!({"version": "1"}), &[])
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a non-integer body version"
    );
}

async fn update_is_a_json_merge_patch_and_always_a_write(s: &TestServer) {
    let t1 = s.user("user-1");
    let t2 = s.user("user-2");
    let c = s.created(&t1, json!({"first_name": "A", "last_name": "B", "tags": ["x", "y"], "custom_fields": {"a": {"b": 1, "c": 2}, "d": 3}, "source": "crm"})).await;
    let id = c["id"].as_str().unwrap();
    let res = s.send(Method::PATCH, &format!("{PATH}/{id}"), Some(&t2), Some(json!({"last_name": null, "tags": ["z"], "custom_fields": {"a": {"b": null, "e": 4}}, "source": null})), &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let u: Value = res.json().await.unwrap();
    assert_eq!(u["first_name"], "A", "absent: unchanged");
    assert!(u.get("last_name").is_none_or(Value::is_null), "null clears");
    assert_eq!(u["tags"], json!(["z"]), "arrays are replaced");
    assert_eq!(
        u["custom_fields"],
        json!({"a": {"c": 2, "e": 4}, "d": 3}),
        "objects merge recursively"
    );
    assert_eq!(u["source"], "edm", "null takes the default");
    assert_eq!(
        (
            u["version"].as_i64(),
            u["updated_by"].as_str(),
            u["created_by"].as_str()
        ),
        (Some(2), Some("user-2"), Some("user-1"))
    );
    assert!(ts(&u["updated_at"]) > ts(&c["updated_at"]));
    assert_eq!(u["created_at"], c["created_at"]);
    let (status, empty) = s.patch(&t1, id, json!({}), &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(empty["version"], 3, "an empty patch is a write");
    assert!(ts(&empty["updated_at"]) > ts(&u["updated_at"]));
    let res = s
        .client
        .patch(s.url(&format!("{PATH}/{id}")))
        .bearer_auth(&t1)
        .header(
            "content-type",
            "application/merge-patch+json; charset=utf-8",
        )
        .body(r#"{"job_title":"CEO"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn delete_is_soft(s: &TestServer) {
    let (t, t2) = (s.user("user-1"), s.user("user-2"));
    let acc = account();
    let c = s
        .created(
            &t,
            json!({"account_id": acc, "email": email(), "first_name": "Del"}),
        )
        .await;
    let id = c["id"].as_str().unwrap();
    let res = s
        .send(
            Method::DELETE,
            &format!("{PATH}/{id}"),
            Some(&t2),
            None,
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let d: Value = res.json().await.unwrap();
    assert_eq!(
        (
            d["is_deleted"].as_bool(),
            d["deleted_by"].as_str(),
            d["updated_by"].as_str(),
            d["version"].as_i64()
        ),
        (Some(true), Some("user-2"), Some("user-2"), Some(2))
    );
    assert_eq!(d["deleted_at"], d["updated_at"]);
    assert!(ts(&d["updated_at"]) > ts(&c["updated_at"]));
    for k in [
        "first_name",
        "email",
        "account_id",
        "created_at",
        "created_by",
        "source",
    ] {
        assert_eq!(d[k], c[k], "delete changes nothing but its stamps: {k}");
    }
    let (status, g) = s.get(&t, id).await;
    assert_eq!((status, &g), (StatusCode::OK, &d));
    let (status, p) = s.patch(&t, id, json!({"first_name": "X"}), &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_problem(status, &p);
    assert_eq!(s.delete(&t, id, &[]).await.0, StatusCode::NOT_FOUND);
    assert_eq!(s.get(&t, id).await.1, d, "nothing changed");
    let (_, page) = s.list(&t, &format!("account_id={acc}")).await;
    assert_eq!(page["data"], json!([]));
    let (_, page) = s
        .list(&t, &format!("account_id={acc}&include_deleted=true"))
        .await;
    assert_eq!(page["data"], json!([d]));
    let (_, page) = s
        .list(&t, &format!("account_id={acc}&include_deleted=false"))
        .await;
    assert_eq!(page["data"], json!([]));
    assert_eq!(
        s.list(&t, "include_deleted=yes").await.0,
        StatusCode::BAD_REQUEST
    );
}

async fn if_match_and_body_version_are_preconditions(s: &TestServer) {
    let t = s.user("u");
    let c = s.created(&t, json!({"first_name": "V"})).await;
    let id = c["id"].as_str().unwrap();
    for stale in ["\"2\"", "W/\"1\"", "1", "garbage", "\"0\", \"3\""] {
        let (status, p) = s
            .patch(&t, id, json!({"first_name": "no"}), &[("if-match", stale)])
            .await;
        assert_eq!(status, StatusCode::PRECONDITION_FAILED, "If-Match: {stale}");
        assert_problem(status, &p);
    }
    assert_eq!(s.get(&t, id).await.1, c, "412s change nothing");
    let (status, u) = s
        .patch(
            &t,
            id,
            json!({"first_name": "yes"}),
            &[("if-match", "\"5\", \"1\"")],
        )
        .await;
    assert_eq!(
        (status, u["version"].as_i64()),
        (StatusCode::OK, Some(2)),
        "a list matches if any member does"
    );
    let (status, _) = s
        .patch(&t, id, json!({"first_name": "star"}), &[("if-match", "*")])
        .await;
    assert_eq!(status, StatusCode::OK);
    let (status, p) = s
        .patch(&t, id, json!({"first_name": "no", "version": 1}), &[])
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_problem(status, &p);
    let (status, _) = s
        .patch(
            &t,
            id,
            json!({"first_name": "no", "version": 1}),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::PRECONDITION_FAILED,
        "If-Match is checked before the body version"
    );
    let (status, u) = s
        .patch(&t, id, json!({"first_name": "ok", "version": 3}), &[])
        .await;
    assert_eq!((status, u["version"].as_i64()), (StatusCode::OK, Some(4)));
    assert_eq!(
        s.delete(&t, id, &[("if-match", "\"3\"")]).await.0,
        StatusCode::PRECONDITION_FAILED
    );
    assert_eq!(
        s.delete(&t, id, &[("if-match", "\"4\"")]).await.0,
        StatusCode::OK
    );
    assert_eq!(
        s.patch(
            &t,
            "per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD",
            json!({}),
            &[("if-match", "\"1\"")]
        )
        .await
        .0,
        StatusCode::NOT_FOUND,
        "404 before 412"
    );
}

async fn email_is_unique_within_tenant_and_account(s: &TestServer) {
    let t = s.user("u");
    let (acc, acc2) = (account(), account());
    let e = email();
    let first = s.created(&t, json!({"account_id": acc, "email": e})).await;
    let (status, p) = s
        .create(&t, json!({"account_id": acc, "email": e.to_uppercase()}))
        .await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_problem(status, &p);
    s.created(&t, json!({"account_id": acc2, "email": e})).await;
    s.created(&s.other_tenant(), json!({"account_id": acc, "email": e}))
        .await;
    let orphan_email = email();
    s.created(&t, json!({"email": orphan_email})).await;
    assert_eq!(
        s.create(&t, json!({"email": orphan_email, "account_id": null}))
            .await
            .0,
        StatusCode::CONFLICT
    );
    let other = s
        .created(
            &s.app("svc", "app-z"),
            json!({"account_id": acc, "email": email()}),
        )
        .await;
    let (status, _) = s
        .patch(&t, other["id"].as_str().unwrap(), json!({"email": e}), &[])
        .await;
    assert_eq!(status, StatusCode::CONFLICT, "an update into a duplicate");
    assert_eq!(
        s.get(&t, other["id"].as_str().unwrap()).await.1,
        other,
        "nothing changed"
    );
    assert_eq!(
        s.create(
            &s.app("svc", "app-z"),
            json!({"account_id": acc, "email": e})
        )
        .await
        .0,
        StatusCode::CONFLICT,
        "apps do not split groups"
    );
    assert_eq!(
        s.delete(&t, first["id"].as_str().unwrap(), &[]).await.0,
        StatusCode::OK
    );
    s.created(&t, json!({"account_id": acc, "email": e})).await;
}

async fn bodies_media_types_and_sizes(s: &TestServer) {
    let t = s.user("u");
    let post = |ct: Option<&'static str>, body: Vec<u8>| {
        let mut req = s.client.post(s.url(PATH)).bearer_auth(&t).body(body);
        if let Some(ct) = ct {
            req = req.header("content-type", ct);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status();
            let ct = res
                .headers()
                .get("content-type")
                .map(|v| v.to_str().unwrap().to_owned());
            (status, ct, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    for (ct, body, expected) in [
        (None, b"{}".to_vec(), StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (
            Some("text/plain"),
            b"{}".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            Some("application/json"),
            b"".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Some("application/json"),
            b"{".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Some("application/json"),
            b"[]".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Some("application/json"),
            b"{\"a\": NaN}".to_vec(),
            StatusCode::BAD_REQUEST,
        ),
        (
            Some("text/plain"),
            vec![b' '; 1_048_577],
            StatusCode::PAYLOAD_TOO_LARGE,
        ),
        (
            Some("Application/JSON; charset=UTF-8"),
            b"{}".to_vec(),
            StatusCode::CREATED,
        ),
    ] {
        let (status, content_type, body) = post(ct, body).await;
        assert_eq!(status, expected, "{ct:?}");
        if status.is_client_error() {
            assert_eq!(content_type.as_deref(), Some("application/problem+json"));
            assert_problem(status, &body);
        }
    }
    let mut big = format!("{{\"job_title\": \"{}\"", "x".repeat(1000));
    big.push_str(&" ".repeat(1_048_576 - big.len()));
    big.push('}');
    assert_eq!(
        post(Some("application/json"), big.into_bytes()).await.0,
        StatusCode::PAYLOAD_TOO_LARGE,
        "one byte over"
    );
}

async fn routes_methods_and_precedence(s: &TestServer) {
    let t = s.user("u");
    for (method, path, allow) in [
        (Method::PUT, PATH.to_owned(), "GET, HEAD, POST"),
        (
            Method::POST,
            format!("{PATH}/x"),
            "GET, HEAD, PATCH, DELETE",
        ),
    ] {
        let res = s.send(method, &path, Some(&t), None, &[]).await;
        assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED);
        assert_eq!(res.headers()["allow"], allow);
        let body: Value = res.json().await.unwrap();
        assert_problem(StatusCode::METHOD_NOT_ALLOWED, &body);
    }
    assert_eq!(
        s.send(Method::GET, "/api/v1/crm/nothing", Some(&t), None, &[])
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        s.send(Method::PUT, PATH, None, None, &[]).await.status(),
        StatusCode::UNAUTHORIZED,
        "401 before 405"
    );
    assert_eq!(
        s.send(Method::GET, "/nothing", None, None, &[])
            .await
            .status(),
        StatusCode::UNAUTHORIZED,
        "401 before 404"
    );
    let res = s
        .client
        .post(s.url(PATH))
        .bearer_auth(&t)
        .header("content-type", "text/plain")
        .body(vec![b'x'; 1_048_577])
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::PAYLOAD_TOO_LARGE,
        "413 before 415"
    );
    let (status, _) = s
        .patch(
            &t,
            "per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD",
            json!({"phone": "bad"}),
            &[],
        )
        .await;
    assert_eq!(
        status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "422 for the body before 404 for the item"
    );
    let c = s.created(&t, json!({"job_title": "head"})).await;
    let res = s
        .send(
            Method::HEAD,
            &format!("{PATH}/{}", c["id"].as_str().unwrap()),
            Some(&t),
            None,
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"1\"");
    assert!(res.bytes().await.unwrap().is_empty());
    let res = s
        .send(
            Method::HEAD,
            &format!("{PATH}?limit=1"),
            Some(&t),
            None,
            &[],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(s.get(&t, "not-even-an-id").await.0, StatusCode::NOT_FOUND);
}

async fn tokens_are_checked(s: &TestServer) {
    let good = s.user("u");
    let t = &s.tenant;
    let wrong_key = jsonwebtoken::encode(
        &jsonwebtoken::Header::default(),
        &json!({"sub": "u", "tenant_id": t, "exp": now() + 60}),
        &jsonwebtoken::EncodingKey::from_secret(b"other").unwrap(),
    )
    .unwrap();
    let b64 = |v: Value| {
        base64::Engine::encode(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD,
            v.to_string(),
        )
    };
    let alg_none = format!(
        "{}.{}.",
        b64(json!({"alg": "none", "typ": "JWT"})),
        b64(json!({"sub": "u", "tenant_id": t, "exp": now() + 60}))
    );
    let cases = [
        None,
        Some("Basic dXNlcjpwYXNz".to_owned()),
        Some("Bearer".to_owned()),
        Some("Bearer not.a.jwt".to_owned()),
        Some(format!("Bearer {wrong_key}")),
        Some(format!("Bearer {alg_none}")),
        Some(format!(
            "Bearer {}",
            token(json!({"sub": "u", "tenant_id": t}))
        )),
        Some(format!(
            "Bearer {}",
            token(json!({"sub": "u", "tenant_id": t, "exp": now() - 300}))
        )),
        Some(format!(
            "Bearer {}",
            token(json!({"sub": "", "tenant_id": t, "exp": now() + 60}))
        )),
        Some(format!(
            "Bearer {}",
            token(json!({"sub": "u", "exp": now() + 60}))
        )),
        Some(format!(
            "Bearer {}",
            token(json!({"sub": "u", "tenant_id": t, "app_id": "", "exp": now() + 60}))
        )),
    ];
    for auth in cases {
        let mut req = s.client.get(s.url(PATH));
        if let Some(a) = &auth {
            req = req.header("authorization", a);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(
            res.headers()["www-authenticate"]
                .to_str()
                .unwrap()
                .starts_with("Bearer")
        );
        let body: Value = res.json().await.unwrap();
        assert_problem(StatusCode::UNAUTHORIZED, &body);
        assert!(body.get("data").is_none());
    }
    let res = s
        .client
        .get(s.url(PATH))
        .header("authorization", format!("bEaReR {good}"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "the scheme is case-insensitive"
    );
}

async fn lists_paginate_filter_and_refuse_bad_queries(s: &TestServer) {
    let t = s.user("u");
    let acc = account();
    let mut ids = Vec::new();
    for i in 0..7 {
        let c = s
            .created(
                &t,
                json!({"account_id": acc, "email": format!("Walk{i}@Example.com")}),
            )
            .await;
        ids.push(c["id"].as_str().unwrap().to_owned());
    }
    s.created(
        &t,
        json!({"account_id": account(), "email": "walk0@example.com"}),
    )
    .await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("account_id={acc}&limit=3&cursor={c}"),
            None => format!("account_id={acc}&limit=3"),
        };
        let (status, page) = s.list(&t, &q).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        let data = page["data"].as_array().unwrap();
        assert!(data.len() <= 3);
        seen.extend(data.iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen, ids, "every contact once, in created_at then id order");
    let (_, page) = s.list(&t, "email=WALK3@example.COM").await;
    assert_eq!(
        page["data"].as_array().unwrap().len(),
        1,
        "email filter: case-insensitive exact"
    );
    let (_, page) = s
        .list(&t, &format!("email=walk0@example.com&account_id={acc}"))
        .await;
    assert_eq!(
        page["data"].as_array().unwrap().len(),
        1,
        "filters are ANDed"
    );
    let (_, page) = s.list(&t, "limit=1000&ignored=param").await;
    assert_eq!(
        page["data"].as_array().unwrap().len(),
        8,
        "capped, unknown params ignored"
    );
    for bad in [
        "limit=0",
        "limit=abc",
        "limit=-1",
        "limit=",
        "limit=1.5",
        "account_id=acc-XYZ",
        "cursor=garbage",
        "include_deleted=1",
    ] {
        let (status, p) = s.list(&t, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{bad}");
        assert_problem(status, &p);
    }
    let (_, first) = s.list(&t, &format!("account_id={acc}&limit=2")).await;
    let c = first["next_cursor"].as_str().unwrap();
    let mut tampered = c.to_owned();
    let last = tampered.pop().unwrap();
    tampered.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(
        s.list(&t, &format!("account_id={acc}&limit=2&cursor={tampered}"))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    let (status, page) = s
        .list(&s.other_tenant(), &format!("limit=2&cursor={c}"))
        .await;
    assert_eq!(
        (status, page["data"].as_array().unwrap().len()),
        (StatusCode::OK, 0),
        "another tenant's replay reveals nothing"
    );
    let (_, default) = s.list(&t, "").await;
    assert!(default["data"].as_array().unwrap().len() <= 25);
}

async fn reports_to_must_name_a_visible_live_other_contact(s: &TestServer) {
    let t = s.user("u");
    let boss = s.created(&t, json!({"first_name": "Boss"})).await;
    let boss_id = boss["id"].as_str().unwrap();
    let c = s
        .created(&t, json!({"reports_to_contact_id": boss_id}))
        .await;
    let id = c["id"].as_str().unwrap();
    let (status, p) = s
        .patch(&t, id, json!({"reports_to_contact_id": id}), &[])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not itself");
    assert_eq!(p["errors"][0]["field"], "reports_to_contact_id");
    let foreign = s.created(&s.other_tenant(), json!({})).await;
    for target in [
        foreign["id"].as_str().unwrap(),
        "per_01J8Z3Q7D4M5V6W7X8Y9Z0ABCD",
        "nonsense",
    ] {
        assert_eq!(
            s.create(&t, json!({"reports_to_contact_id": target}))
                .await
                .0,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{target}"
        );
    }
    let app_c = s.created(&s.app("svc", "app-1"), json!({})).await;
    assert_eq!(
        s.create(
            &s.app("svc", "app-2"),
            json!({"reports_to_contact_id": app_c["id"]})
        )
        .await
        .0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "another app's contact"
    );
    assert_eq!(s.delete(&t, boss_id, &[]).await.0, StatusCode::OK);
    let (status, still) = s.get(&t, id).await;
    assert_eq!(
        (status, &still["reports_to_contact_id"]),
        (StatusCode::OK, &json!(boss_id)),
        "a later deletion changes nothing"
    );
    assert_eq!(
        s.create(&t, json!({"reports_to_contact_id": boss_id}))
            .await
            .0,
        StatusCode::UNPROCESSABLE_ENTITY,
        "soft-deleted target"
    );
    assert_eq!(
        s.patch(&t, id, json!({"job_title": "unrelated"}), &[])
            .await
            .0,
        StatusCode::OK,
        "checked only when the body sets it"
    );
}

async fn concurrent_creates_of_one_email_have_one_winner(s: &TestServer) {
    let t = s.user("u");
    let acc = account();
    let e = email();
    let results = futures::future::join_all(
        (0..32).map(|_| s.create(&t, json!({"account_id": acc, "email": e}))),
    )
    .await;
    let created = results
        .iter()
        .filter(|(st, _)| *st == StatusCode::CREATED)
        .count();
    let conflicts = results
        .iter()
        .filter(|(st, _)| *st == StatusCode::CONFLICT)
        .count();
    assert_eq!(
        (created, conflicts),
        (1, 31),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    let (_, page) = s.list(&t, &format!("account_id={acc}")).await;
    assert_eq!(page["data"].as_array().unwrap().len(), 1);
}

async fn concurrent_conditional_patches_have_one_winner(s: &TestServer) {
    let t = s.user("u");
    let c = s.created(&t, json!({})).await;
    let id = c["id"].as_str().unwrap();
    let results = futures::future::join_all((0..32).map(|i| {
        s.patch(
            &t,
            id,
            json!({"job_title": format!("t{i}")}),
            &[("if-match", "\"1\"")],
        )
    }))
    .await;
    let ok = results
        .iter()
        .filter(|(st, _)| *st == StatusCode::OK)
        .count();
    let failed = results
        .iter()
        .filter(|(st, _)| *st == StatusCode::PRECONDITION_FAILED)
        .count();
    assert_eq!(
        (ok, failed),
        (1, 31),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    assert_eq!(s.get(&t, id).await.1["version"], 2);
    let results = futures::future::join_all(
        (0..16).map(|_| s.patch(&t, id, json!({"version": 2, "seniority": "x"}), &[])),
    )
    .await;
    assert_eq!(
        results
            .iter()
            .filter(|(st, _)| *st == StatusCode::OK)
            .count(),
        1
    );
    assert_eq!(
        results
            .iter()
            .filter(|(st, _)| *st == StatusCode::CONFLICT)
            .count(),
        15
    );
}

async fn concurrent_unconditional_patches_lose_nothing(s: &TestServer) {
    let t = s.user("u");
    let c = s.created(&t, json!({})).await;
    let id = c["id"].as_str().unwrap();
    let fields = [
        "first_name",
        "last_name",
        "job_title",
        "seniority",
        "decision_role",
        "phone",
        "source",
        "linkedin_url",
    ];
    let value = |f: &str| {
        if f == "phone" {
            json!("+14155550123")
        } else if f == "linkedin_url" {
            json!("https://x.y")
        } else {
            json!(format!("v-{f}"))
        }
    };
    let results = futures::future::join_all(
        fields
            .iter()
            .map(|f| s.patch(&t, id, json!({ *f: value(f) }), &[])),
    )
    .await;
    assert!(
        results.iter().all(|(st, _)| *st == StatusCode::OK),
        "{:?}",
        results.iter().map(|r| r.0).collect::<Vec<_>>()
    );
    let (_, end) = s.get(&t, id).await;
    for f in fields {
        assert_eq!(end[f], value(f), "{f} was lost");
    }
    assert_eq!(end["version"].as_i64(), Some(1 + fields.len() as i64));
}
