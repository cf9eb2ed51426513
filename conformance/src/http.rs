//! Requests to the endpoint under test: every one with a timeout and a cap on
//! the body it reads, no redirects followed, every contact it returns
//! validated against the generated JSON Schema, every exchange kept so a
//! failure can show it (secrets redacted).

use crate::redact::Redactor;
use reqwest::header::HeaderMap;
use reqwest::{Client, Method};
use serde::Serialize;
use serde_json::Value;
use std::fmt::Display;
use std::sync::Arc;
use std::time::Duration;

/// The most of one response body the runner reads (a list page of 100 large
/// contacts fits); a longer body is a failure, not a memory blow-up.
pub const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;

/// How much of a body a report shows.
const EXCERPT_BYTES: usize = 1024;

/// One request and its response, as a check sees it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The HTTP method.
    pub method: Method,
    /// The path and query.
    pub path: String,
    /// The request headers the runner set (besides `Authorization`, which is never shown).
    pub request_headers: Vec<(String, String)>,
    /// The request body.
    pub request_body: Option<Vec<u8>>,
    /// The response status.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The response body as JSON (`Null` when empty or not JSON).
    pub body: Value,
    /// The response body as text.
    pub text: String,
    redactor: Redactor,
}

/// What a report shows of an exchange: data, secrets redacted, bodies cut to an excerpt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Evidence {
    /// The request.
    pub request: RequestEvidence,
    /// The response.
    pub response: ResponseEvidence,
}

/// The request side of [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestEvidence {
    /// The method.
    pub method: String,
    /// The path and query.
    pub path: String,
    /// Headers the runner set; `authorization` is shown as `Bearer ***`.
    pub headers: Vec<(String, String)>,
    /// The start of the body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// The response side of [`Evidence`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResponseEvidence {
    /// The status.
    pub status: u16,
    /// Every header.
    pub headers: Vec<(String, String)>,
    /// The start of the body.
    pub body: String,
}

fn excerpt(text: &str) -> String {
    if text.len() <= EXCERPT_BYTES {
        return text.to_owned();
    }
    let cut = (0..=EXCERPT_BYTES)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    format!("{}… ({} bytes in all)", &text[..cut], text.len())
}

impl Evidence {
    /// One line per side, for people.
    pub fn lines(&self) -> [String; 2] {
        let headers = |h: &[(String, String)]| {
            h.iter()
                .map(|(k, v)| format!("{k}: {v}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let q = &self.request;
        let mut req = format!("→ {} {}", q.method, q.path);
        if !q.headers.is_empty() {
            req.push_str(&format!(" [{}]", headers(&q.headers)));
        }
        if let Some(b) = &q.body {
            req.push_str(&format!(" {}", b.replace('\n', " ")));
        }
        let r = &self.response;
        let shown: Vec<(String, String)> = r
            .headers
            .iter()
            .filter(|(k, _)| {
                matches!(
                    k.as_str(),
                    "content-type" | "etag" | "location" | "allow" | "www-authenticate"
                )
            })
            .cloned()
            .collect();
        let mut res = format!("← {}", r.status);
        if !shown.is_empty() {
            res.push_str(&format!(" [{}]", headers(&shown)));
        }
        if !r.body.is_empty() {
            res.push_str(&format!(" {}", r.body.replace('\n', " ")));
        }
        [req, res]
    }
}

impl Exchange {
    /// A response header as text (the first, when repeated).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// What a report shows of this exchange, secrets redacted.
    pub fn evidence(&self) -> Evidence {
        let r = &self.redactor;
        let mut req_headers = vec![("authorization".to_owned(), "Bearer ***".to_owned())];
        req_headers.extend(
            self.request_headers
                .iter()
                .map(|(k, v)| (k.clone(), r.apply(v))),
        );
        Evidence {
            request: RequestEvidence {
                method: self.method.to_string(),
                path: r.apply(&self.path),
                headers: req_headers,
                body: self
                    .request_body
                    .as_ref()
                    .map(|b| r.apply(&excerpt(&String::from_utf8_lossy(b)))),
            },
            response: ResponseEvidence {
                status: self.status,
                headers: self
                    .headers
                    .iter()
                    .map(|(k, v)| {
                        (
                            k.as_str().to_owned(),
                            r.apply(&String::from_utf8_lossy(v.as_bytes())),
                        )
                    })
                    .collect(),
                body: r.apply(&excerpt(&self.text)),
            },
        }
    }
}

/// Why a check did not pass.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What was expected and what happened, in one sentence.
    pub message: String,
    /// The expected value, when the check compares one.
    pub expected: Option<String>,
    /// The value found.
    pub actual: Option<String>,
    /// The exchange that shows it.
    pub evidence: Option<Box<Evidence>>,
    /// Not a failure: the check could not run here (say why).
    pub skip: bool,
    /// The request never got an answer (no connection, a timeout, a broken
    /// body): the endpoint, not the contract, may be at fault.
    pub transport: bool,
}

impl Failure {
    /// A failure with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            expected: None,
            actual: None,
            evidence: None,
            skip: false,
            transport: false,
        }
    }

    /// A request that got no answer.
    pub fn transport(message: impl Into<String>) -> Self {
        Failure {
            transport: true,
            ..Failure::new(message)
        }
    }

    /// A failure shown by `ex`.
    pub fn at(ex: &Exchange, message: impl Into<String>) -> Self {
        Failure {
            evidence: Some(Box::new(ex.evidence())),
            ..Failure::new(message)
        }
    }

    /// A failure shown by `ex` that compares an expected and an actual value.
    pub fn differs(
        ex: &Exchange,
        what: impl Display,
        expected: impl Display,
        actual: impl Display,
    ) -> Self {
        let (expected, actual) = (expected.to_string(), actual.to_string());
        Failure {
            message: format!("{what}: expected {expected}, got {actual}"),
            expected: Some(expected),
            actual: Some(actual),
            evidence: Some(Box::new(ex.evidence())),
            skip: false,
            transport: false,
        }
    }

    /// The check cannot run in this configuration.
    pub fn skip(reason: impl Into<String>) -> Self {
        Failure {
            skip: true,
            ..Failure::new(reason)
        }
    }
}

/// The result of a check body.
pub type CheckResult = Result<(), Failure>;

/// Fails with `message` at `ex` unless `cond`.
pub fn ensure(cond: bool, ex: &Exchange, message: impl Into<String>) -> CheckResult {
    if cond {
        Ok(())
    } else {
        Err(Failure::at(ex, message))
    }
}

/// Fails unless `ex` answered one of `want`; the message says what it answered.
pub fn status(ex: &Exchange, want: &[u16], what: impl Display) -> CheckResult {
    if want.contains(&ex.status) {
        return Ok(());
    }
    let expected = want
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(" or ");
    Err(Failure::differs(ex, what, expected, ex.status))
}

/// Fails unless `actual == expected`; the message shows both.
pub fn same<T: PartialEq + std::fmt::Debug>(
    ex: &Exchange,
    what: impl Display,
    expected: T,
    actual: T,
) -> CheckResult {
    if actual == expected {
        Ok(())
    } else {
        Err(Failure::differs(
            ex,
            what,
            format!("{expected:?}"),
            format!("{actual:?}"),
        ))
    }
}

/// The query string of `pairs`, every key and value percent-encoded (pairs
/// with an empty name left out).
pub fn query<K: AsRef<str>, V: AsRef<str>>(pairs: &[(K, V)]) -> String {
    let mut s = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        // An empty name stands for a filter the resource lacks.
        if !k.as_ref().is_empty() {
            s.append_pair(k.as_ref(), v.as_ref());
        }
    }
    s.finish()
}

/// The HTTP side of the runner.
#[derive(Clone)]
pub struct Api {
    client: Client,
    base: String,
    /// The collection path of the resource.
    pub path: String,
    schema: Arc<jsonschema::Validator>,
    redactor: Redactor,
}

/// A request as checks describe it.
pub struct Request<'a> {
    /// The method.
    pub method: Method,
    /// The path and query (already encoded).
    pub path: &'a str,
    /// Each `Authorization` header to send (none, one, or several).
    pub auth: &'a [&'a str],
    /// The content type (empty: no header) and the body.
    pub body: Option<(&'a str, Vec<u8>)>,
    /// Other headers.
    pub headers: &'a [(&'a str, &'a str)],
}

impl Api {
    /// A client for `base` (scheme, host, port) with a per-request `timeout`.
    pub fn new(
        base: &str,
        path: &str,
        schema: jsonschema::Validator,
        timeout: Duration,
        redactor: Redactor,
    ) -> anyhow::Result<Self> {
        let client = Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Api {
            client,
            base: base.trim_end_matches('/').to_owned(),
            path: path.to_owned(),
            schema: Arc::new(schema),
            redactor,
        })
    }

    /// The redactor.
    pub fn redactor(&self) -> &Redactor {
        &self.redactor
    }

    /// The absolute URL of `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Sends a request; `auth` is the whole Authorization value. A transport
    /// error, a timeout, a redirect or an oversized body is a failure; so is
    /// a contact that breaks the schema.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
        headers: &[(&str, &str)],
    ) -> Result<Exchange, Failure> {
        let auth: Vec<&str> = auth.into_iter().collect();
        self.send(Request {
            method,
            path,
            auth: &auth,
            body,
            headers,
        })
        .await
    }

    /// Sends `r` (see [`Api::raw`]).
    pub async fn send(&self, r: Request<'_>) -> Result<Exchange, Failure> {
        let Request {
            method,
            path,
            auth,
            body,
            headers,
        } = r;
        let mut req = self.client.request(method.clone(), self.url(path));
        for a in auth {
            req = req.header(reqwest::header::AUTHORIZATION, *a);
        }
        let mut request_headers = Vec::new();
        let mut request_body = None;
        if let Some((content_type, bytes)) = body {
            if !content_type.is_empty() {
                req = req.header("content-type", content_type);
                request_headers.push(("content-type".to_owned(), content_type.to_owned()));
            }
            request_body = Some(bytes.clone());
            req = req.body(bytes);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
            request_headers.push(((*k).to_owned(), (*v).to_owned()));
        }
        let shown = self.redactor.apply(path);
        let mut res = req.send().await.map_err(|e| {
            Failure::transport(
                self.redactor
                    .apply(&format!("{method} {shown}: {}", transport_error(&e))),
            )
        })?;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let mut bytes = Vec::new();
        loop {
            match res.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > MAX_RESPONSE_BYTES {
                        return Err(Failure::new(format!(
                            "{method} {shown}: the response body is over {} MiB, the most the runner reads",
                            MAX_RESPONSE_BYTES >> 20
                        )));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => {
                    return Err(Failure::transport(self.redactor.apply(&format!(
                        "{method} {shown}: reading the body failed: {}",
                        transport_error(&e)
                    ))));
                }
            }
        }
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        let ex = Exchange {
            method,
            path: path.to_owned(),
            request_headers,
            request_body,
            status,
            headers,
            body,
            text,
            redactor: self.redactor.clone(),
        };
        if (300..400).contains(&status) {
            return Err(Failure::at(
                &ex,
                format!(
                    "the endpoint redirected ({status} to {}); the contract has no redirects, so give the base URL that serves the API itself",
                    ex.header("location").unwrap_or("no Location")
                ),
            ));
        }
        self.check_schema(&ex)?;
        Ok(ex)
    }

    /// A JSON request as `token`.
    pub async fn json(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Result<Exchange, Failure> {
        let auth = format!("Bearer {token}");
        // A member named "" stands for a field the resource lacks (the check
        // names it through `Names`, which gives "" then): it is not sent.
        let body = body.map(|b| {
            let mut b = b.clone();
            if let Some(o) = b.as_object_mut() {
                o.remove("");
            }
            ("application/json", b.to_string().into_bytes())
        });
        self.raw(method, path, Some(&auth), body, headers).await
    }

    fn check_schema(&self, ex: &Exchange) -> CheckResult {
        if !(200..300).contains(&ex.status) || ex.method == Method::HEAD || ex.body.is_null() {
            return Ok(());
        }
        let items: Vec<&Value> = match ex.body.get("data") {
            Some(Value::Array(items))
                if ex.path.starts_with(&self.path)
                    && !ex.path[self.path.len()..].starts_with('/') =>
            {
                items.iter().collect()
            }
            _ => vec![&ex.body],
        };
        for item in items {
            let errors: Vec<String> = self
                .schema
                .iter_errors(item)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .take(5)
                .collect();
            if !errors.is_empty() {
                return Err(Failure::at(
                    ex,
                    format!(
                        "the response breaks the generated JSON Schema: {}",
                        errors.join("; ")
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A transport error with its causes ("connection refused", not only "error sending request").
pub fn transport_error(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "the request timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "the request failed"
    };
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let text = s.to_string();
        if !causes.contains(&text) {
            causes.push(text);
        }
        source = s.source();
    }
    if causes.is_empty() {
        format!("{what}: {e}")
    } else {
        format!("{what}: {}", causes.join(": "))
    }
}

/// A JSON value for a message: compact, cut to 120 characters.
pub fn excerpt_json(v: &Value) -> String {
    let text = v.to_string();
    if text.len() <= 120 {
        return text;
    }
    let cut = (0..=120)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    format!("{}…", &text[..cut])
}
