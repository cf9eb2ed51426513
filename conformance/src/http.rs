//! Requests to the endpoint under test: every one with a timeout, every
//! contact it returns validated against the generated JSON Schema, every
//! exchange recorded so a failure can show it (secrets redacted).

use crate::redact::Redactor;
use reqwest::header::HeaderMap;
use reqwest::{Client, Method};
use serde_json::Value;
use std::sync::Arc;
use std::time::Duration;

/// One request and its response, as a check sees it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// The HTTP method.
    pub method: Method,
    /// The path and query.
    pub path: String,
    /// The response status.
    pub status: u16,
    /// The response headers.
    pub headers: HeaderMap,
    /// The response body as JSON (`Null` when empty or not JSON).
    pub body: Value,
    /// The response body as text.
    pub text: String,
}

impl Exchange {
    /// A response header as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// One line for a report: method, path, status and the start of the body.
    pub fn summary(&self) -> String {
        let mut body = self.text.replace('\n', " ");
        if body.len() > 400 {
            let cut = (0..=400)
                .rev()
                .find(|&i| body.is_char_boundary(i))
                .unwrap_or(0);
            body.truncate(cut);
            body.push('…');
        }
        format!("{} {} → {} {body}", self.method, self.path, self.status)
    }
}

/// Why a check did not pass.
#[derive(Debug, Clone)]
pub struct Failure {
    /// What was expected and what happened.
    pub message: String,
    /// The exchange that shows it.
    pub exchange: Option<String>,
    /// Not a failure: the check could not run here (say why).
    pub skip: bool,
}

impl Failure {
    /// A failure with a message.
    pub fn new(message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            exchange: None,
            skip: false,
        }
    }

    /// A failure shown by `ex`.
    pub fn at(ex: &Exchange, message: impl Into<String>) -> Self {
        Failure {
            message: message.into(),
            exchange: Some(ex.summary()),
            skip: false,
        }
    }

    /// The check cannot run in this configuration.
    pub fn skip(reason: impl Into<String>) -> Self {
        Failure {
            message: reason.into(),
            exchange: None,
            skip: true,
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

    /// Sends a request; `auth` is the whole Authorization value. A transport
    /// error or timeout is a failure; so is a contact that breaks the schema.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        auth: Option<&str>,
        body: Option<(&str, Vec<u8>)>,
        headers: &[(&str, &str)],
    ) -> Result<Exchange, Failure> {
        let mut req = self
            .client
            .request(method.clone(), format!("{}{path}", self.base));
        if let Some(a) = auth {
            req = req.header("authorization", a);
        }
        if let Some((content_type, bytes)) = body {
            if !content_type.is_empty() {
                req = req.header("content-type", content_type);
            }
            req = req.body(bytes);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let res = req.send().await.map_err(|e| {
            let what = if e.is_timeout() {
                "timed out"
            } else {
                "failed"
            };
            Failure::new(
                self.redactor
                    .apply(&format!("{method} {path}: the request {what}: {e}")),
            )
        })?;
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let text = res
            .text()
            .await
            .map_err(|e| Failure::new(format!("{method} {path}: reading the body failed: {e}")))?;
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        let ex = Exchange {
            method,
            path: self.redactor.apply(path),
            status,
            headers,
            body,
            text: self.redactor.apply(&text),
        };
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
        let body = body.map(|b| ("application/json", b.to_string().into_bytes()));
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
