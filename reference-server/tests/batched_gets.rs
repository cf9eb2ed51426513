//! Gets by id on PostgreSQL share queries when they arrive together
//! (`src/batch.rs`). Hundreds of concurrent gets, mixing tenants, apps,
//! people, soft-deleted and missing ids, each answer exactly what a get alone
//! answers: batching never shows one caller another's contact.

mod common;
use common::{Backend, PATH, start};
use futures::future::join_all;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn concurrent_gets_each_see_only_what_their_caller_may() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let Some(s) = start(Backend::Postgres).await else {
        return;
    };
    let person = s.user("ada");
    let app_a = s.app("svc-a", "app-a");
    let app_b = s.app("svc-b", "app-b");
    let other = s.other_tenant();

    // Contacts of a person, of two apps, of another tenant, and a deleted one.
    let mut items: Vec<(String, &str)> = Vec::new();
    for i in 0..10 {
        for (token, owner) in [
            (&person, "person"),
            (&app_a, "a"),
            (&app_b, "b"),
            (&other, "other"),
        ] {
            let c = s
                .created(token, json!({"first_name": format!("{owner}{i}")}))
                .await;
            items.push((c["id"].as_str().unwrap().to_owned(), owner));
        }
    }
    let gone = s.created(&person, json!({"first_name": "gone"})).await;
    let gone_id = gone["id"].as_str().unwrap().to_owned();
    let res = s
        .send(
            Method::DELETE,
            &format!("{PATH}/{gone_id}"),
            Some(&person),
            None,
            &[],
        )
        .await;
    assert!(res.status().is_success());
    items.push((gone_id, "gone"));
    items.push(("per_01KBB7Q3ZJ5V0X8M2N4P6R8T0W".into(), "missing"));

    // Who may see what, as the contract says.
    let visible = |caller: &str, owner: &str| match (caller, owner) {
        (_, "missing") => false,
        ("other", o) => o == "other",
        (_, "other") => false,
        ("person", _) => true,
        ("a", o) => o == "a",
        ("b", o) => o == "b",
        _ => unreachable!(),
    };
    let callers = [
        ("person", &person),
        ("a", &app_a),
        ("b", &app_b),
        ("other", &other),
    ];
    let mut requests = Vec::new();
    for round in 0..3 {
        for (id, owner) in &items {
            for (caller, token) in &callers {
                requests.push((round, id.clone(), *owner, *caller, (*token).clone()));
            }
        }
    }
    // All at once: 3 rounds × 42 ids × 4 callers = 504 gets in flight together.
    let answers = join_all(requests.iter().map(|(_, id, _, _, token)| s.get(token, id))).await;
    let mut checked = 0;
    for ((_, id, owner, caller, _), (status, body)) in requests.iter().zip(answers) {
        if visible(caller, owner) {
            assert_eq!(
                status,
                StatusCode::OK,
                "{caller} reading {owner}'s {id}: {body}"
            );
            assert_eq!(
                body["id"],
                Value::from(id.as_str()),
                "{caller} got another contact"
            );
            if *owner == "gone" {
                assert_eq!(body["is_deleted"], json!(true));
            }
        } else {
            assert_eq!(
                status,
                StatusCode::NOT_FOUND,
                "{caller} reading {owner}'s {id}: {body}"
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 504);
    s.finish().await;
}
