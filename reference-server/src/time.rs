//! Date-times: parsed from RFC 3339 (an offset required), stored and returned
//! in one canonical UTC form whose text order is time order.

use chrono::{DateTime, SecondsFormat, Utc};

/// The canonical text: `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds, UTC).
pub fn canonical(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// Parses an RFC 3339 date-time with a time zone offset, truncated to microseconds.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    let t = DateTime::parse_from_rfc3339(s).ok()?.with_timezone(&Utc);
    let micros = t.timestamp_micros();
    DateTime::from_timestamp_micros(micros)
}

/// Now, truncated to microseconds, and strictly after `after` when given.
pub fn now_after(after: Option<&str>) -> DateTime<Utc> {
    let now =
        DateTime::from_timestamp_micros(Utc::now().timestamp_micros()).expect("now is in range");
    match after.and_then(parse) {
        Some(prev) if prev >= now => prev + chrono::Duration::microseconds(1),
        _ => now,
    }
}
