//! The problems (RFC 9457) a server of a resource answers with: each kind's
//! status, type URI and title, when it happens, and the details whose words
//! the reference server sends and the docs page shows, kept in one place.

use crate::model::{Format, Limits, ResourceModel};

/// The prefix of every problem `type` URI; the kind's slug follows it.
pub const TYPE_BASE: &str = "https://contact-toolkit.dev/problems/";

/// The `Retry-After` of a 503, in seconds.
pub const RETRY_AFTER: u32 = 2;

/// How long a client may take to send its body once its headers are in,
/// in seconds; later is a 408.
pub const BODY_TIMEOUT_SECS: u64 = 30;

/// One kind of problem: an HTTP status and what makes a server answer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Kind {
    /// The HTTP status, also the problem's `status`.
    pub status: u16,
    /// The problem's `title`: the status's reason phrase.
    pub title: &'static str,
    /// When a client meets it, for people.
    pub when: &'static str,
}

impl Kind {
    /// The problem's `type` URI.
    pub fn type_uri(&self) -> String {
        type_uri(self.title)
    }
}

/// Every problem a conformant server sends to a client's request, in status
/// order (500 is never an answer to input and is left out).
pub const KINDS: [Kind; 11] = [
    Kind {
        status: 400,
        title: "Bad Request",
        when: "The body is empty, is not JSON (repeated member names included) or not an object, its framing is broken, or a list parameter (`limit`, `cursor`, `include_deleted`, a filter) is malformed.",
    },
    Kind {
        status: 401,
        title: "Unauthorized",
        when: "The bearer token is missing, malformed, badly signed, unsigned, expired, not yet valid, or lacks a claim; the answer also carries `WWW-Authenticate: Bearer`.",
    },
    Kind {
        status: 404,
        title: "Not Found",
        when: "No item with this id that the caller can see: it never existed, is another tenant's or another app's, or (for a write) is soft-deleted. All read the same.",
    },
    Kind {
        status: 405,
        title: "Method Not Allowed",
        when: "A method the route does not serve; `Allow` lists those it does.",
    },
    Kind {
        status: 408,
        title: "Request Timeout",
        when: "The body did not arrive within 30 seconds of the headers.",
    },
    Kind {
        status: 409,
        title: "Conflict",
        when: "A write would break a uniqueness rule, or an update's body `version` is not the current one.",
    },
    Kind {
        status: 412,
        title: "Precondition Failed",
        when: "`If-Match` matches no current version; nothing changes.",
    },
    Kind {
        status: 413,
        title: "Payload Too Large",
        when: "The body is over the size limit.",
    },
    Kind {
        status: 415,
        title: "Unsupported Media Type",
        when: "A body's `Content-Type` is not `application/json` or `application/merge-patch+json`.",
    },
    Kind {
        status: 422,
        title: "Unprocessable Entity",
        when: "One or more fields are invalid (a wrong type, format, length, value, unknown field or reference); `errors` names every one.",
    },
    Kind {
        status: 503,
        title: "Service Unavailable",
        when: "The storage is unreachable or did not answer in time; `Retry-After` says when to try again, and the write did not happen.",
    },
];

/// The kind of problem with this status, when a conformant server sends one.
pub fn kind(status: u16) -> Option<&'static Kind> {
    KINDS.iter().find(|k| k.status == status)
}

/// The `type` URI of the problem titled `title`: its words lower-cased and
/// joined by hyphens after [`TYPE_BASE`].
pub fn type_uri(title: &str) -> String {
    format!("{TYPE_BASE}{}", title.to_lowercase().replace(' ', "-"))
}

/// The methods a collection serves, as a 405's `Allow` lists them.
pub const COLLECTION_METHODS: &str = "GET, HEAD, POST";
/// The methods an item serves, as a 405's `Allow` lists them.
pub const ITEM_METHODS: &str = "GET, HEAD, PATCH, DELETE";

/// 401 without an `Authorization` header.
pub const MISSING_AUTHORIZATION: &str = "Missing Authorization header.";
/// 412.
pub const PRECONDITION_FAILED: &str = "If-Match matches no current version.";
/// 415.
pub const UNSUPPORTED_MEDIA_TYPE: &str =
    "The body must be application/json or application/merge-patch+json.";
/// 400 for `limit=0`.
pub const LIMIT_AT_LEAST_ONE: &str = "`limit` must be at least 1.";
/// 422 message for a member the resource does not have.
pub const UNKNOWN_FIELD: &str = "unknown field";
/// 422 message for an update body's `version` that is not an integer.
pub const VERSION_NOT_INTEGER: &str = "must be an integer: the expected current version";
/// 422 message for a date field's value that is not a real calendar day.
pub const DATE_MESSAGE: &str =
    "must be an RFC 3339 full-date (YYYY-MM-DD) naming a real day of the years 0001 to 9999";

/// 422 message for a required field left out of a create or set to null
/// (`update`: null in an update, which would clear it).
pub fn required(update: bool) -> &'static str {
    if update {
        "is required: it cannot be cleared"
    } else {
        "is required"
    }
}

/// 422 message for an integer field's value that is not a whole number
/// within the field's bounds.
pub fn integer_message(limits: &Limits) -> String {
    match (limits.minimum, limits.maximum) {
        (Some(min), Some(max)) => format!("must be an integer from {min} to {max}"),
        (Some(min), None) => format!("must be an integer of at least {min}"),
        (None, Some(max)) => format!("must be an integer of at most {max}"),
        (None, None) => "must be an integer".into(),
    }
}

/// 404: the same words for "never existed" and "not yours".
pub fn not_found(model: &ResourceModel) -> String {
    format!("No {} with this id.", model.name.to_lowercase())
}

/// 405, listing the methods the route serves.
pub fn method_not_allowed(allow: &str) -> String {
    format!("Allowed methods: {allow}.")
}

/// 413 for a body over `max` bytes.
pub fn too_large(max: u32) -> String {
    format!("The body is over {max} bytes.")
}

/// 422, naming every offending field in order.
pub fn invalid(fields: &[&str]) -> String {
    format!("Invalid fields: {}.", fields.join(", "))
}

/// 408 for a body that did not arrive within `secs` seconds.
pub fn body_timeout(secs: u64) -> String {
    format!("The body did not arrive within {secs} seconds.")
}

/// 503.
pub fn unavailable() -> String {
    format!("The storage is unavailable; try again in {RETRY_AFTER} seconds.")
}

/// The 422 message for a value that does not match `format`.
pub fn format_message(format: &Format) -> String {
    let words = match format {
        Format::Email => "an email address".into(),
        Format::E164 => "an E.164 phone number such as +14155550123".into(),
        Format::HttpUrl => "an absolute http or https URL".into(),
        Format::Hostname => "a host name such as example.com".into(),
        Format::PrefixedUlid { prefix } => format!("{prefix}_ followed by an uppercase ULID"),
        Format::PrefixedUuid { prefix } => {
            format!("{prefix}- followed by a lowercase hyphenated UUID")
        }
    };
    format!("must be {words}")
}

/// The 409 detail for a broken uniqueness rule on `field`.
pub fn unique(model: &ResourceModel, field: Option<&str>) -> String {
    let name = model.name.to_lowercase();
    match model
        .unique
        .iter()
        .find(|u| Some(u.field.as_str()) == field)
    {
        Some(u) => {
            let scope = if u.within.is_empty() {
                String::new()
            } else {
                format!(
                    " with the same {}",
                    u.within
                        .iter()
                        .map(|w| format!("`{w}`"))
                        .collect::<Vec<_>>()
                        .join(" and ")
                )
            };
            format!(
                "Another {name}{scope} already has this `{}`{}.",
                u.field,
                if u.case_insensitive {
                    " (compared ignoring ASCII case)"
                } else {
                    ""
                }
            )
        }
        None => format!("Another {name} already holds a value that must be unique."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_in_status_order_with_distinct_types() {
        let statuses: Vec<u16> = KINDS.iter().map(|k| k.status).collect();
        let mut sorted = statuses.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(statuses, sorted);
        assert_eq!(
            kind(412).unwrap().type_uri(),
            "https://contact-toolkit.dev/problems/precondition-failed"
        );
        assert!(kind(500).is_none());
        assert!(
            kind(408)
                .unwrap()
                .when
                .contains(&format!("within {BODY_TIMEOUT_SECS} seconds"))
        );
    }
}
