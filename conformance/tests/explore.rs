//! The exploration mode finds, on its own and within its default budget,
//! faults that no fixed check catches (each is a server that goes wrong only
//! after a particular sequence of calls), shrinks each to a replayable
//! sequence of at most six requests, and raises no false alarm against the
//! reference server.
#![cfg(feature = "reference")]

mod support {
    pub mod proxy;
}

use conformance::identity::Identities;
use conformance::run::{Outcome, RunOptions, Silent};
use contact_schema::{Contact, Resource};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use support::proxy::{self, Behaviour, Req, Resp, Up};

const SECRET: &str = "explore-secret-0123456789abcdef01234";
/// The `explore` command's default budget per resource.
const BUDGET: Duration = Duration::from_secs(10);

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

fn context(base: &str) -> Arc<conformance::context::Ctx> {
    conformance::context(
        Contact::model(),
        base,
        Identities::mint(SECRET.as_bytes()).unwrap(),
        Some(SECRET),
        Duration::from_secs(10),
    )
    .unwrap()
}

fn auth(req: &Req) -> String {
    req.auth().unwrap_or("").to_owned()
}

/// Item reads are cached per caller; a write forgets only the writer's own
/// copy, so another caller reads the item as it was.
fn stale_reads() -> Behaviour {
    let cache: Arc<Mutex<BTreeMap<(String, String), Resp>>> = Arc::default();
    Arc::new(move |req: Req, up: Up| {
        let cache = cache.clone();
        Box::pin(async move {
            let key = (auth(&req), req.path.clone());
            if req.item_id().is_some() && req.method == "GET" {
                if let Some(r) = cache.lock().unwrap().get(&key).cloned() {
                    return r;
                }
                let r = up.forward(req).await;
                if r.status == 200 {
                    cache.lock().unwrap().insert(key, r.clone());
                }
                return r;
            }
            if req.item_id().is_some() {
                cache.lock().unwrap().remove(&key);
            }
            up.forward(req).await
        })
    })
}

/// An email stays reserved for the contact that held it after an update
/// moved that contact to another one (until the contact is deleted).
fn email_stays_reserved() -> Behaviour {
    type Key = (String, String, String);
    let held: Arc<Mutex<BTreeMap<Key, String>>> = Arc::default();
    Arc::new(move |req: Req, up: Up| {
        let held = held.clone();
        Box::pin(async move {
            let tenant = req
                .claims()
                .and_then(|c| c["tenant_id"].as_str().map(str::to_owned))
                .unwrap_or_default();
            let key = |v: &Value| -> Option<Key> {
                let email = v["email"].as_str()?.to_ascii_lowercase();
                let account = v["account_id"].as_str().unwrap_or("").to_owned();
                Some((tenant.clone(), account, email))
            };
            let self_id = req.item_id().map(str::to_owned);
            // The stale reservation is consulted after the other rules (a
            // body version, a reference), as a server's own index would be.
            if req.is_write()
                && let Some(body) = req.json()
                && body.get("version").is_none()
                && body.get("reports_to_contact_id").is_none()
            {
                // The item after the write: the body over what is stored.
                let mut after = match &self_id {
                    Some(_) => up.get(&req, &req.path.clone()).await.json(),
                    None => Value::Object(Default::default()),
                };
                if let (Some(a), Some(b)) = (after.as_object_mut(), body.as_object()) {
                    for (k, v) in b {
                        a.insert(k.clone(), v.clone());
                    }
                }
                if let Some(k) = key(&after)
                    && let Some(holder) = held.lock().unwrap().get(&k)
                    && Some(holder) != self_id.as_ref()
                {
                    return proxy::problem(409, "the email is taken");
                }
            }
            let deleting = req.method == "DELETE";
            let r = up.forward(req).await;
            let v = r.json();
            let mut held = held.lock().unwrap();
            if deleting && r.status < 300 {
                if let Some(id) = &self_id {
                    held.retain(|_, holder| holder != id);
                }
            } else if (r.status == 200 || r.status == 201)
                && let (Some(k), Some(id)) = (key(&v), v["id"].as_str())
                && v["is_deleted"] != Value::Bool(true)
            {
                held.insert(k, id.to_owned());
            }
            r
        })
    })
}

/// Lists are cached per caller and query; a create forgets every cached list,
/// an update or a delete forgets none.
fn stale_lists() -> Behaviour {
    let cache: Arc<Mutex<BTreeMap<(String, String), Resp>>> = Arc::default();
    Arc::new(move |req: Req, up: Up| {
        let cache = cache.clone();
        Box::pin(async move {
            if req.is_collection() && req.method == "GET" {
                let key = (auth(&req), format!("{:?}", req.query));
                if let Some(r) = cache.lock().unwrap().get(&key).cloned() {
                    return r;
                }
                let r = up.forward(req).await;
                if r.status == 200 {
                    cache.lock().unwrap().insert(key, r.clone());
                }
                return r;
            }
            if req.is_collection() && req.method == "POST" {
                cache.lock().unwrap().clear();
            }
            up.forward(req).await
        })
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exploration_finds_what_no_fixed_check_does_and_shrinks_it_to_a_replay() {
    let server = reference().await;
    let faults: [(&str, Behaviour); 3] = [
        (
            "another caller reads an item as it was before a write",
            stale_reads(),
        ),
        (
            "an email moved away by an update stays taken",
            email_stays_reserved(),
        ),
        (
            "a list repeated after an update or delete shows it as it was",
            stale_lists(),
        ),
    ];
    for (i, (what, behaviour)) in faults.into_iter().enumerate() {
        let p = proxy::start(&server.base_url(), SECRET, behaviour).await;
        // No fixed check catches it.
        let ctx = context(&p.base_url);
        let report = conformance::run(ctx, &p.base_url, &RunOptions::default(), &Silent)
            .await
            .unwrap();
        let failed: BTreeSet<&str> = report
            .checks
            .iter()
            .filter(|c| c.outcome == Outcome::Fail)
            .map(|c| c.id.as_str())
            .collect();
        assert!(
            failed.is_empty(),
            "{what}: fixed checks catch it: {failed:?}"
        );
        // Exploration does, within the default budget.
        let ctx = context(&p.base_url);
        let seed = 20_261_204 + i as u64;
        let r = conformance::explore::explore(&ctx, seed, BUDGET, 8)
            .await
            .unwrap();
        let found = r
            .found
            .unwrap_or_else(|| panic!("{what}: not found in {} sequences", r.sequences));
        eprintln!(
            "{what}: found after {:.1} s and {} sequences\n{}",
            r.elapsed.as_secs_f64(),
            r.sequences,
            conformance::explore::render(&found)
        );
        // The replay shows it again, in at most six requests, from its file.
        let file: conformance::explore::Replay =
            serde_json::from_str(&serde_json::to_string(&found).unwrap()).unwrap();
        let (again, requests) = conformance::explore::replay(&ctx, &file.steps)
            .await
            .unwrap();
        assert!(again.is_some(), "{what}: the replay does not show it");
        assert!(requests <= 6, "{what}: {requests} requests: {file:?}");
        ctx.cleanup().await;
    }
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exploration_raises_no_false_alarm_against_the_reference_server() {
    let server = reference().await;
    for model in [Contact::model(), contact_schema::Account::model()] {
        let ctx = conformance::context(
            model,
            &server.base_url(),
            Identities::mint(SECRET.as_bytes()).unwrap(),
            Some(SECRET),
            Duration::from_secs(10),
        )
        .unwrap();
        let r = conformance::explore::explore(&ctx, 42, Duration::from_secs(3), 8)
            .await
            .unwrap();
        assert!(r.sequences > 20, "{} sequences", r.sequences);
        assert!(
            r.found.is_none(),
            "{}",
            conformance::explore::render(&r.found.unwrap())
        );
        ctx.cleanup().await;
    }
    server.shutdown().await;
}
