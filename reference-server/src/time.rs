//! Date-times: the model's canonical form and range
//! ([`resource_model::time`]), and the server's clock for stamps.

use chrono::{DateTime, Utc};
pub use resource_model::time::{BadTime, canonical, earliest, latest, parse};

/// Now, truncated to microseconds, and strictly after `after` when given.
pub fn now_after(after: Option<&str>) -> DateTime<Utc> {
    let now =
        DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).expect("now is in range");
    match after.and_then(|s| parse(s).ok()) {
        Some(prev) if prev >= now => prev + chrono::Duration::microseconds(1),
        _ => now,
    }
}
