//! The Rust SDK (`schemas/sdk/rust`, a workspace member, so built and linted
//! with the workspace) runs the scenario against the reference server.

use crm_sdk::{
    Client, ContactCreate, ContactListParams as ListParams, ContactUpdate, Error, Patch, SourceType,
};
use futures::TryStreamExt;
use sdk_tests::{Harness, STEPS, account};
use serde_json::json;

fn email(tag: &str) -> String {
    format!("{tag}-{:016x}@example.com", rand::random::<u64>())
}

#[tokio::test]
async fn scenario_against_the_reference_server() {
    let harness = Harness::start().await;
    let client = Client::new(&harness.base_url(), &harness.token()).unwrap();
    let contacts = &client.customer.contacts;
    let account = account();
    let mut done = Vec::new();

    // create
    let first_email = email("ada");
    let ada = contacts
        .create(&ContactCreate {
            account_id: Some(account.clone()),
            email: Some(first_email.clone()),
            first_name: Some("Ada".into()),
            last_name: Some("Lovelace".into()),
            source_type: Some(SourceType::Backend),
            tags: Some(vec!["vip".into()]),
            custom_fields: Some(json!({"tier": 1}).as_object().unwrap().clone()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(ada.id.starts_with("per_"), "{}", ada.id);
    assert_eq!(ada.version, 1);
    assert_eq!(ada.display_name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(ada.source, "edm");
    assert_eq!(ada.source_type, SourceType::Backend);
    assert!(!ada.is_deleted);
    assert_eq!(ada.created_at, ada.updated_at);
    done.push("create");

    // get
    let got = contacts.get(&ada.id).await.unwrap();
    assert_eq!(got, ada);
    done.push("get");

    // list pages
    let mut ids = vec![ada.id.clone()];
    for i in 0..4 {
        let c = contacts
            .create(&ContactCreate {
                account_id: Some(account.clone()),
                email: Some(email(&format!("p{i}"))),
                ..Default::default()
            })
            .await
            .unwrap();
        ids.push(c.id);
    }
    let by_account = ListParams {
        account_id: Some(account.clone()),
        limit: Some(2),
        ..Default::default()
    };
    let page = contacts.list(&by_account).await.unwrap();
    assert_eq!(page.data.len(), 2);
    assert!(page.next_cursor.is_some());
    let walked: Vec<String> = contacts
        .list_all(by_account.clone())
        .map_ok(|c| c.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(walked, ids);
    done.push("list pages");

    // filter
    let filtered = contacts
        .list(&ListParams {
            email: Some(first_email.to_uppercase()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(filtered.data.len(), 1);
    assert_eq!(filtered.data[0].id, ada.id);
    done.push("filter");

    // update
    let patch = ContactUpdate {
        job_title: Patch::Set("CTO".into()),
        tags: Patch::Clear,
        ..Default::default()
    };
    let updated = contacts.update(&ada.id, &patch, Some(1)).await.unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.job_title.as_deref(), Some("CTO"));
    assert_eq!(updated.tags, None);
    assert!(updated.updated_at > ada.updated_at);
    done.push("update");

    // stale update
    let stale = ContactUpdate {
        job_title: "CEO".to_owned().into(),
        ..Default::default()
    };
    match contacts.update(&ada.id, &stale, Some(1)).await {
        Err(Error::PreconditionFailed(p)) => {
            assert_eq!(p.status, 412);
            assert!(!p.title.is_empty() && !p.detail.is_empty(), "{p:?}");
        }
        other => panic!("a stale version must be PreconditionFailed: {other:?}"),
    }
    let unchanged = contacts.get(&ada.id).await.unwrap();
    assert_eq!(
        (unchanged.version, unchanged.job_title.as_deref()),
        (2, Some("CTO"))
    );
    done.push("stale update");

    // duplicate email
    let duplicate = ContactCreate {
        account_id: Some(account.clone()),
        email: Some(first_email.to_uppercase()),
        ..Default::default()
    };
    match contacts.create(&duplicate).await {
        Err(Error::Conflict(p)) => assert_eq!(p.status, 409),
        other => panic!("a duplicate email must be Conflict: {other:?}"),
    }
    done.push("duplicate email");

    // validation
    let invalid = ContactCreate {
        email: Some("not-an-email".into()),
        phone: Some("123".into()),
        ..Default::default()
    };
    match contacts.create(&invalid).await {
        Err(Error::Validation(p)) => {
            assert_eq!(p.status, 422);
            let mut fields: Vec<&str> = p.errors.iter().map(|e| e.field.as_str()).collect();
            fields.sort();
            assert_eq!(fields, ["email", "phone"]);
        }
        other => panic!("an invalid body must be Validation: {other:?}"),
    }
    done.push("validation");

    // delete
    let deleted = contacts.delete(&ada.id, Some(2)).await.unwrap();
    if let Some(d) = &deleted {
        assert!(d.is_deleted);
    }
    let after = contacts.get(&ada.id).await.unwrap();
    assert!(after.is_deleted);
    assert_eq!(after.version, 3);
    assert!(after.deleted_at.is_some());
    let live: Vec<_> = contacts
        .list_all(ListParams {
            account_id: Some(account.clone()),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(live.len(), 4);
    let all: Vec<_> = contacts
        .list_all(ListParams {
            account_id: Some(account.clone()),
            include_deleted: Some(true),
            ..Default::default()
        })
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 5);
    done.push("delete");

    // not found
    match contacts.get("per_00000000000000000000000000").await {
        Err(Error::NotFound(p)) => assert_eq!(p.status, 404),
        other => panic!("an unknown id must be NotFound: {other:?}"),
    }
    match contacts
        .update(&ada.id, &ContactUpdate::default(), None)
        .await
    {
        Err(Error::NotFound(_)) => {}
        other => panic!("updating a deleted contact must be NotFound: {other:?}"),
    }
    done.push("not found");

    // unauthorised
    let stranger = Client::new(&harness.base_url(), "not-a-jwt").unwrap();
    match stranger
        .customer
        .contacts
        .list(&ListParams::default())
        .await
    {
        Err(Error::Unauthorized(p)) => assert_eq!(p.status, 401),
        other => panic!("a bad token must be Unauthorized: {other:?}"),
    }
    done.push("unauthorised");

    // redirect refused
    let redirected = Client::new(&harness.redirect_url(), &harness.token()).unwrap();
    match redirected
        .customer
        .contacts
        .list(&ListParams::default())
        .await
    {
        Err(Error::Api(p)) => assert_eq!(p.status, 307),
        other => panic!("a redirect must be answered as an error, not followed: {other:?}"),
    }
    harness.assert_no_redirect_followed();
    done.push("redirect refused");

    assert_eq!(done, STEPS);
    harness.finish().await;
}

#[tokio::test]
async fn bad_input_is_refused_before_any_request() {
    assert!(matches!(
        Client::new("not a url", "t"),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        Client::new("ftp://example.com", "t"),
        Err(Error::InvalidInput(_))
    ));
    assert!(matches!(
        Client::new("http://127.0.0.1:9", ""),
        Err(Error::InvalidInput(_))
    ));
    let client = Client::new("http://127.0.0.1:9", "t").unwrap();
    for id in ["", ".", ".."] {
        match client.customer.contacts.get(id).await {
            Err(Error::InvalidInput(m)) => assert!(m.contains("not a contact id"), "{m}"),
            other => panic!("id {id:?} must be refused: {other:?}"),
        }
    }
}

#[test]
fn the_token_never_shows_in_debug_output() {
    let client = Client::new("http://127.0.0.1:9", "secret-token-value").unwrap();
    let shown = format!("{client:?}");
    assert!(!shown.contains("secret-token-value"), "{shown}");
    assert!(shown.contains("redacted"), "{shown}");
}

#[test]
fn an_update_sends_only_what_it_touches() {
    let patch = ContactUpdate {
        job_title: Patch::Set("CTO".into()),
        phone: Patch::Clear,
        ..Default::default()
    };
    assert_eq!(
        serde_json::to_value(&patch).unwrap(),
        json!({"phone": null, "job_title": "CTO"})
    );
    assert_eq!(
        serde_json::to_value(ContactUpdate::default()).unwrap(),
        json!({})
    );
}
