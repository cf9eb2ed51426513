//! Each fault the server can switch on breaks exactly the rule it names: a
//! probe sees the violation with the fault on and not without it.
#![cfg(feature = "faults")]

mod common;

use common::{PATH, account, email, now, token};
use reference_server::fault::Fault;
use reference_server::{Config, start};
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

struct Probe {
    base: String,
    client: Client,
    tenant: String,
}

impl Probe {
    fn token(&self, sub: &str) -> String {
        token(json!({"sub": sub, "tenant_id": self.tenant, "exp": now() + 3600}))
    }

    async fn post(&self, t: &str, body: Value) -> (StatusCode, Value) {
        let r = self
            .client
            .post(format!("{}{PATH}", self.base))
            .bearer_auth(t)
            .json(&body)
            .send()
            .await
            .unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }

    async fn req(
        &self,
        method: reqwest::Method,
        path: &str,
        t: &str,
        body: Option<Value>,
        if_match: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut r = self
            .client
            .request(method, format!("{}{path}", self.base))
            .bearer_auth(t);
        if let Some(b) = body {
            r = r.json(&b);
        }
        if let Some(m) = if_match {
            r = r.header("if-match", m);
        }
        let r = r.send().await.unwrap();
        (r.status(), r.json().await.unwrap_or(Value::Null))
    }
}

/// Whether the rule `fault` names is broken on the server behind `p`.
async fn violated(fault: Fault, p: &Probe) -> bool {
    use reqwest::Method;
    let t = p.token("u1");
    match fault {
        Fault::DisplayNameNotComputed => {
            p.post(&t, json!({"first_name": "A", "last_name": "B"}))
                .await
                .1["display_name"]
                != "A B"
        }
        Fault::TenantFromBody => {
            p.post(&t, json!({"tenant_id": "evil"})).await.1["tenant_id"] == "evil"
        }
        Fault::CrossTenantRead => {
            let (_, c) = p.post(&t, json!({})).await;
            let other = token(json!({"sub": "x", "tenant_id": "other", "exp": now() + 60}));
            p.req(
                Method::GET,
                &format!("{PATH}/{}", c["id"].as_str().unwrap()),
                &other,
                None,
                None,
            )
            .await
            .0 == StatusCode::OK
        }
        Fault::CrossTenantWrite => {
            let (_, c) = p.post(&t, json!({})).await;
            let other = token(json!({"sub": "x", "tenant_id": "other", "exp": now() + 60}));
            p.req(
                Method::PATCH,
                &format!("{PATH}/{}", c["id"].as_str().unwrap()),
                &other,
                Some(json!({})),
                None,
            )
            .await
            .0 == StatusCode::OK
        }
        Fault::AcceptExpiredTokens => {
            let expired = token(json!({"sub": "u", "tenant_id": p.tenant, "exp": now() - 600}));
            p.req(Method::GET, PATH, &expired, None, None).await.0 != StatusCode::UNAUTHORIZED
        }
        Fault::ListShowsDeleted => {
            let acc = account();
            let (_, c) = p.post(&t, json!({"account_id": acc})).await;
            p.req(
                Method::DELETE,
                &format!("{PATH}/{}", c["id"].as_str().unwrap()),
                &t,
                None,
                None,
            )
            .await;
            let (_, page) = p
                .req(
                    Method::GET,
                    &format!("{PATH}?account_id={acc}"),
                    &t,
                    None,
                    None,
                )
                .await;
            !page["data"].as_array().unwrap().is_empty()
        }
        Fault::CursorSkipsTies => {
            // Ten created at once (several share a second on a coarse clock),
            // walked in pages of two: every one must be seen.
            let acc = account();
            let creates = (0..10).map(|_| p.post(&t, json!({"account_id": acc})));
            futures::future::join_all(creates).await;
            let mut seen = 0;
            let mut cursor: Option<String> = None;
            loop {
                let q = match &cursor {
                    Some(c) => format!("{PATH}?account_id={acc}&limit=2&cursor={c}"),
                    None => format!("{PATH}?account_id={acc}&limit=2"),
                };
                let (_, page) = p.req(Method::GET, &q, &t, None, None).await;
                seen += page["data"].as_array().map_or(0, Vec::len);
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_owned()),
                    None => break,
                }
            }
            seen != 10
        }
        Fault::UpdateDeleted => {
            let (_, c) = p.post(&t, json!({})).await;
            let path = format!("{PATH}/{}", c["id"].as_str().unwrap());
            p.req(Method::DELETE, &path, &t, None, None).await;
            p.req(
                Method::PATCH,
                &path,
                &t,
                Some(json!({"first_name": "x"})),
                None,
            )
            .await
            .0 == StatusCode::OK
        }
        Fault::UnknownFieldsAccepted => {
            p.post(&t, json!({"colour": "red"})).await.0 != StatusCode::UNPROCESSABLE_ENTITY
        }
        Fault::IgnoreIfMatch => {
            let (_, c) = p.post(&t, json!({})).await;
            let path = format!("{PATH}/{}", c["id"].as_str().unwrap());
            p.req(Method::PATCH, &path, &t, Some(json!({})), Some("\"7\""))
                .await
                .0
                != StatusCode::PRECONDITION_FAILED
        }
        Fault::VersionNotIncremented => {
            let (_, c) = p.post(&t, json!({})).await;
            let path = format!("{PATH}/{}", c["id"].as_str().unwrap());
            p.req(Method::PATCH, &path, &t, Some(json!({})), None)
                .await
                .1["version"]
                != 2
        }
        Fault::DuplicateEmail422 => {
            let e = email();
            p.post(&t, json!({"email": e})).await;
            p.post(&t, json!({"email": e})).await.0 != StatusCode::CONFLICT
        }
        Fault::ValidationNamesOneField => {
            p.post(&t, json!({"phone": "x", "email": "y"})).await.1["errors"]
                .as_array()
                .map_or(0, Vec::len)
                != 2
        }
        Fault::PlainTextErrors => p.post(&t, json!({"phone": "x"})).await.1["status"] != 422,
    }
}

async fn probe_with(fault: Option<Fault>) -> (Probe, reference_server::Server) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = Config::from_schemas(
        std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../schemas")),
        common::SECRET,
    )
    .expect("the workspace's generated tree");
    config.fault = fault;
    let server = start(config).await.unwrap();
    let probe = Probe {
        base: server.base_url(),
        client: Client::new(),
        tenant: "t-faults".into(),
    };
    (probe, server)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_fault_breaks_its_rule_and_only_with_it_on() {
    use clap::ValueEnum;
    assert!(Fault::value_variants().len() >= 12);
    for &fault in Fault::value_variants() {
        let (clean, clean_server) = probe_with(None).await;
        assert!(
            !violated(fault, &clean).await,
            "{fault:?}: the probe sees a violation on a correct server"
        );
        clean_server.shutdown().await;
        let (faulty, faulty_server) = probe_with(Some(fault)).await;
        assert!(
            violated(fault, &faulty).await,
            "{fault:?}: switched on, but the rule still holds"
        );
        faulty_server.shutdown().await;
    }
}
