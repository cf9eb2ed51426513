//! The string formats a resource field can have, as anchored regular
//! expressions (ECMA 262 and Rust `regex` read them alike).
//!
//! One home for the patterns: `contact-derive` checks defaults and examples
//! against them at compile time (a proc-macro crate cannot share items with
//! the crate that re-exports it), and `resource-model`'s `Format::pattern`
//! returns them to every emitter, the reference server and the runner.

/// One host-name label: 1 to 63 letters, digits or hyphens, none at either end.
const LABEL: &str = "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?";

/// An ASCII email address: dot-separated runs of RFC 5322 `atext`, `@`, and
/// a host name of two or more labels (CONTRACT.md §1).
pub fn email() -> String {
    format!(
        r"^[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{{|}}~-]+)*@{LABEL}(\.{LABEL})+$"
    )
}

/// A host name as the email grammar's host: two or more dot-separated labels
/// (CONTRACT.md §9's `domain`).
pub fn hostname() -> String {
    format!(r"^{LABEL}(\.{LABEL})+$")
}

/// An E.164 phone number: `+` and 2 to 15 digits, no leading zero.
pub fn e164() -> &'static str {
    r"^\+[1-9][0-9]{1,14}$"
}

/// An absolute http or https URL, scheme case-insensitive.
pub fn http_url() -> &'static str {
    r"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#]+[^\s]*$"
}

/// `<prefix>_` and an uppercase ULID.
pub fn prefixed_ulid(prefix: &str) -> String {
    format!("^{prefix}_[0-7][0-9A-HJKMNP-TV-Z]{{25}}$")
}

/// `<prefix>-` and a lowercase hyphenated UUID.
pub fn prefixed_uuid(prefix: &str) -> String {
    format!("^{prefix}-[0-9a-f]{{8}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{4}}-[0-9a-f]{{12}}$")
}

/// An RFC 3339 `full-date`'s shape, `YYYY-MM-DD` (whether the day exists is
/// checked apart: a pattern cannot say that February has no 30th).
pub fn full_date() -> &'static str {
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
}

/// Whether `s` is an RFC 3339 `full-date` naming a real calendar day of the
/// years 0001 to 9999 (CONTRACT.md §8): no `2026-02-30`, no year 0000.
pub fn is_full_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    year >= 1 && (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_dates_are_real_calendar_days_of_years_1_to_9999() {
        for ok in [
            "2026-12-04",
            "0001-01-01",
            "9999-12-31",
            "2024-02-29",
            "2000-02-29",
        ] {
            assert!(is_full_date(ok), "{ok}");
        }
        for bad in [
            "2026-02-30",
            "2026-02-29",
            "1900-02-29",
            "0000-01-01",
            "2026-13-01",
            "2026-00-10",
            "2026-1-01",
            "2026-01-1",
            "20260101",
            "2026/01/01",
            "+2026-01-01",
            "2026-01-01T00:00:00Z",
            "",
            "२०२६-01-01",
        ] {
            assert!(!is_full_date(bad), "{bad}");
        }
    }
}
