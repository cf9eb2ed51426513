//! A programmable HTTP proxy in front of the reference server, for proving
//! the runner: a *mutant* changes one behaviour (a server that breaks one
//! rule), a *variation* changes what the contract leaves free (a server that
//! is still conformant). Each is an async function of the request and the
//! upstream, so it can rewrite the request, answer by itself, ask the
//! upstream first, or rewrite the response.

#![allow(dead_code)]

use axum::body::Body;
use axum::http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use futures::future::BoxFuture;
use serde_json::{Value, json};
use std::sync::Arc;

/// A request as the proxy received it.
#[derive(Clone, Debug)]
pub struct Req {
    pub method: Method,
    /// The path, percent-encoded as received.
    pub path: String,
    /// The query pairs, decoded.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

/// A response to send back.
#[derive(Clone, Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Req {
    /// The body as JSON, when it is.
    pub fn json(&self) -> Option<Value> {
        serde_json::from_slice(&self.body).ok()
    }

    /// Replaces the body with `v`.
    pub fn set_json(&mut self, v: &Value) {
        self.body = serde_json::to_vec(v).unwrap();
    }

    /// The first value of query parameter `k`.
    pub fn param(&self, k: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.as_str())
    }

    /// Sets (or with `None` removes) query parameter `k`.
    pub fn set_param(&mut self, k: &str, v: Option<&str>) {
        self.query.retain(|(n, _)| n != k);
        if let Some(v) = v {
            self.query.push((k.to_owned(), v.to_owned()));
        }
    }

    /// The single Authorization value.
    pub fn auth(&self) -> Option<&str> {
        self.headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
    }

    /// The bearer token's claims, read without checking the signature.
    pub fn claims(&self) -> Option<Value> {
        let token = self.auth()?.split_whitespace().nth(1)?;
        jsonwebtoken::dangerous::insecure_decode_claims::<Value>(token).ok()
    }

    /// The bearer token's header.
    pub fn token_header(&self) -> Option<Value> {
        use base64::Engine;
        let token = self.auth()?.split_whitespace().nth(1)?;
        let head = token.split('.').next()?;
        let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(head)
            .ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Whether this is a collection (the Contact's, the Account's, or one
    /// a test registered).
    pub fn is_collection(&self) -> bool {
        collections().contains(&self.path)
    }

    /// The item id, when this is an item path.
    pub fn item_id(&self) -> Option<&str> {
        let path = self.path.as_str();
        collections()
            .iter()
            .find_map(|c| path.strip_prefix(c.as_str())?.strip_prefix('/'))
            .filter(|s| !s.is_empty() && !s.contains('/'))
    }

    /// A create or update with a JSON object body.
    pub fn is_write(&self) -> bool {
        (self.method == Method::POST && self.is_collection())
            || (self.method == Method::PATCH && self.item_id().is_some())
    }

    /// A member of the JSON body.
    pub fn member(&self, k: &str) -> Option<Value> {
        self.json().and_then(|v| v.get(k).cloned())
    }

    /// Removes member `k` of a write's JSON body when `pred` holds of its value.
    pub fn strip_when(&mut self, k: &str, pred: impl Fn(&Value) -> bool) {
        if !self.is_write() {
            return;
        }
        if let Some(mut v) = self.json()
            && let Some(o) = v.as_object_mut()
            && o.get(k).is_some_and(&pred)
        {
            o.remove(k);
            self.set_json(&v);
        }
    }

    /// Edits a write's JSON body.
    pub fn edit(&mut self, f: impl FnOnce(&mut serde_json::Map<String, Value>)) {
        if let Some(mut v) = self.json()
            && let Some(o) = v.as_object_mut()
        {
            f(o);
            self.set_json(&v);
        }
    }
}

impl Resp {
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    /// Replaces the body with `v`.
    pub fn set_json(&mut self, v: &Value) {
        self.body = serde_json::to_vec(v).unwrap();
    }

    /// Edits the JSON body.
    pub fn edit(&mut self, f: impl FnOnce(&mut Value)) {
        let mut v = self.json();
        f(&mut v);
        self.set_json(&v);
    }

    /// Every contact in the body (the item, or a page's `data`).
    pub fn each_contact(&mut self, mut f: impl FnMut(&mut serde_json::Map<String, Value>)) {
        self.edit(|v| {
            if let Some(Value::Array(items)) = v.get_mut("data") {
                for i in items {
                    if let Some(o) = i.as_object_mut() {
                        f(o);
                    }
                }
            } else if let Some(o) = v.as_object_mut()
                && o.contains_key("id")
            {
                f(o);
            }
        });
    }

    /// A header value.
    pub fn header(&self, k: &str) -> Option<&str> {
        self.headers.get(k).and_then(|v| v.to_str().ok())
    }

    /// Sets a header.
    pub fn set_header(&mut self, k: &'static str, v: &str) {
        self.headers.insert(
            HeaderName::from_static(k),
            HeaderValue::from_str(v).unwrap(),
        );
    }
}

/// A problem+json answer made by the proxy.
pub fn problem(status: u16, detail: &str) -> Resp {
    let mut headers = HeaderMap::new();
    headers.insert(
        "content-type",
        HeaderValue::from_static("application/problem+json"),
    );
    Resp {
        status,
        headers,
        body: serde_json::to_vec(&json!({
            "type": "about:blank", "title": "Refused by the proxy", "status": status, "detail": detail,
        }))
        .unwrap(),
    }
}

/// A 422 naming `field`.
pub fn unprocessable(field: &str) -> Resp {
    let mut r = problem(422, "invalid");
    r.edit(|v| v["errors"] = json!([{"field": field, "message": "refused by the proxy"}]));
    r
}

/// The Contact's collection path on the reference server.
pub const COLLECTION: &str = "/api/v1/crm/contacts";

/// The Account's collection path on the reference server.
pub const ACCOUNTS: &str = "/api/v1/crm/accounts";

static COLLECTIONS: std::sync::Mutex<Vec<String>> = std::sync::Mutex::new(Vec::new());

/// Makes `path` a collection path to the proxy's behaviours (besides the
/// Contact's and the Account's).
#[allow(dead_code)] // Not every test binary has resources of its own.
pub fn register_collection(path: &str) {
    let mut c = COLLECTIONS.lock().unwrap();
    if !c.iter().any(|p| p == path) {
        c.push(path.to_owned());
    }
}

fn collections() -> Vec<String> {
    let mut all = vec![COLLECTION.to_owned(), ACCOUNTS.to_owned()];
    all.extend(COLLECTIONS.lock().unwrap().iter().cloned());
    all
}

/// The upstream (the reference server), for forwarding and side requests.
#[derive(Clone)]
pub struct Up {
    client: reqwest::Client,
    base: String,
    /// The run's signing secret.
    pub secret: String,
}

impl Up {
    /// Sends `req` upstream as it is.
    pub async fn forward(&self, req: Req) -> Resp {
        let mut url = format!("{}{}", self.base, req.path);
        if !req.query.is_empty() {
            url.push('?');
            url.push_str(&conformance::http::query(&req.query));
        }
        let mut r = self.client.request(req.method.clone(), url);
        for (k, v) in &req.headers {
            if k == "host" || k == "content-length" || k == "connection" {
                continue;
            }
            r = r.header(k, v);
        }
        let res = r.body(req.body).send().await.expect("upstream answers");
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let body = res.bytes().await.expect("upstream body").to_vec();
        Resp {
            status,
            headers,
            body,
        }
    }

    /// A side GET with the request's Authorization.
    pub async fn get(&self, req: &Req, path: &str) -> Resp {
        self.forward(Req {
            method: Method::GET,
            path: path.to_owned(),
            query: Vec::new(),
            headers: req.headers.clone(),
            body: Vec::new(),
        })
        .await
    }

    /// A side list with the request's Authorization.
    pub async fn list(&self, req: &Req, query: &[(&str, &str)]) -> Resp {
        self.forward(Req {
            method: Method::GET,
            path: COLLECTION.to_owned(),
            query: query
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            headers: req.headers.clone(),
            body: Vec::new(),
        })
        .await
    }

    /// Claims signed with the run's secret, as a whole Authorization value.
    pub fn sign(&self, claims: &Value) -> String {
        let key = jsonwebtoken::EncodingKey::from_secret(self.secret.as_bytes()).unwrap();
        format!(
            "Bearer {}",
            jsonwebtoken::encode(&jsonwebtoken::Header::default(), claims, &key).unwrap()
        )
    }
}

/// What the proxy does with each request.
pub type Behaviour = Arc<dyn Fn(Req, Up) -> BoxFuture<'static, Resp> + Send + Sync>;

/// A behaviour from an async closure.
#[macro_export]
macro_rules! behaviour {
    (|$req:ident, $up:ident| $body:expr) => {{
        let b: $crate::support::proxy::Behaviour = std::sync::Arc::new(
            move |#[allow(unused_mut)] mut $req: $crate::support::proxy::Req,
                  $up: $crate::support::proxy::Up| { Box::pin(async move { $body }) },
        );
        b
    }};
}

/// Forwards unchanged.
pub fn transparent() -> Behaviour {
    behaviour!(|req, up| up.forward(req).await)
}

/// A running proxy.
pub struct Proxy {
    pub base_url: String,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts a proxy to `upstream` with `behaviour`.
pub async fn start(upstream: &str, secret: &str, behaviour: Behaviour) -> Proxy {
    let up = Up {
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        base: upstream.trim_end_matches('/').to_owned(),
        secret: secret.to_owned(),
    };
    let handler = move |request: axum::extract::Request| {
        let (up, behaviour) = (up.clone(), behaviour.clone());
        async move {
            let (parts, body) = request.into_parts();
            let body = axum::body::to_bytes(body, usize::MAX)
                .await
                .unwrap_or_default()
                .to_vec();
            let query = parts
                .uri
                .query()
                .map(|q| {
                    url::form_urlencoded::parse(q.as_bytes())
                        .into_owned()
                        .collect()
                })
                .unwrap_or_default();
            let req = Req {
                method: parts.method.clone(),
                path: parts.uri.path().to_owned(),
                query,
                headers: parts.headers,
                body,
            };
            let is_head = req.method == Method::HEAD;
            let resp = behaviour(req, up).await;
            let mut out = axum::http::Response::builder().status(resp.status);
            for (k, v) in &resp.headers {
                if k == "transfer-encoding" || k == "connection" {
                    continue;
                }
                if k == "content-length" && !is_head {
                    continue;
                }
                out = out.header(k, v);
            }
            out.body(Body::from(resp.body)).unwrap_or_else(|_| {
                let mut r = axum::http::Response::new(Body::empty());
                *r.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
                r
            })
        }
    };
    let app = axum::Router::new().fallback(handler);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Proxy { base_url, task }
}
