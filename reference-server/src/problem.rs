//! RFC 9457 problem details: every 4xx, and the 503 of a storage outage, the server sends.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use resource_model::problem as words;

/// The `Retry-After` of a 503, in seconds.
pub const RETRY_AFTER: u32 = words::RETRY_AFTER;

pub use resource_model::rules::FieldError;

/// A problem response.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub kind: String,
    /// The HTTP reason phrase.
    pub title: &'static str,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong, for people.
    pub detail: String,
    /// For 422: every offending field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    #[serde(skip)]
    allow: Option<&'static str>,
    #[serde(skip)]
    retry_after: Option<u32>,
}

impl Problem {
    /// A problem with `status` and `detail`.
    pub fn new(status: StatusCode, detail: impl Into<String>) -> Self {
        let title = words::kind(status.as_u16())
            .map(|k| k.title)
            .or(status.canonical_reason())
            .unwrap_or("Error");
        Problem {
            kind: words::type_uri(title),
            title,
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            allow: None,
            retry_after: None,
        }
    }

    /// 400.
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::BAD_REQUEST, detail)
    }

    /// 401; the response also carries `WWW-Authenticate: Bearer`.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::UNAUTHORIZED, detail)
    }

    /// 404 for an item of the resource named `name`, the same for "never
    /// existed" and "not yours".
    pub fn not_found(model: &resource_model::ResourceModel) -> Self {
        Problem::new(StatusCode::NOT_FOUND, words::not_found(model))
    }

    /// 405 with the allowed methods.
    pub fn method_not_allowed(allow: &'static str) -> Self {
        let mut p = Problem::new(
            StatusCode::METHOD_NOT_ALLOWED,
            words::method_not_allowed(allow),
        );
        p.allow = Some(allow);
        p
    }

    /// 409.
    pub fn conflict(detail: impl Into<String>) -> Self {
        Problem::new(StatusCode::CONFLICT, detail)
    }

    /// 412.
    pub fn precondition_failed() -> Self {
        Problem::new(StatusCode::PRECONDITION_FAILED, words::PRECONDITION_FAILED)
    }

    /// 422 naming every offending field.
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let names: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        let mut p = Problem::new(StatusCode::UNPROCESSABLE_ENTITY, words::invalid(&names));
        p.errors = errors;
        p
    }

    /// 500: a failure of the server itself, never caused by any input. The
    /// detail says nothing of the cause, which goes to the log instead.
    pub fn internal() -> Self {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "The server failed to answer; the failure is logged.",
        )
    }

    /// 503 with `Retry-After`: the storage is unreachable or did not answer in time.
    pub fn unavailable() -> Self {
        let mut p = Problem::new(StatusCode::SERVICE_UNAVAILABLE, words::unavailable());
        p.retry_after = Some(RETRY_AFTER);
        p
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            h.insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        if let Some(allow) = self.allow {
            h.insert(header::ALLOW, HeaderValue::from_static(allow));
        }
        if let Some(secs) = self.retry_after {
            h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}
