//! Date-times: parsed from RFC 3339 (an offset required), kept within years
//! 0001 to 9999, stored and returned in one canonical UTC form whose text
//! order is time order (CONTRACT.md §1).

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};

/// The canonical text: `YYYY-MM-DDTHH:MM:SS.ffffffZ` (microseconds, UTC).
pub fn canonical(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The earliest instant a date-time may name: 0001-01-01T00:00:00Z.
pub fn earliest() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(1, 1, 1)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .expect("0001-01-01T00:00:00 is a constant, valid instant")
        .and_utc()
}

/// The latest instant a date-time may name: 9999-12-31T23:59:59.999999Z.
pub fn latest() -> DateTime<Utc> {
    NaiveDate::from_ymd_opt(9999, 12, 31)
        .and_then(|d| d.and_hms_micro_opt(23, 59, 59, 999_999))
        .expect("9999-12-31T23:59:59.999999 is a constant, valid instant")
        .and_utc()
}

/// Why a client date-time is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BadTime {
    /// Not RFC 3339 with a time zone offset.
    Syntax,
    /// An instant before 0001-01-01T00:00:00Z or after 9999-12-31T23:59:59.999999Z.
    OutOfRange,
}

/// Parses an RFC 3339 date-time with a time zone offset, truncated to
/// microseconds, whose instant lies within [`earliest`] and [`latest`].
pub fn parse(s: &str) -> Result<DateTime<Utc>, BadTime> {
    let t = DateTime::parse_from_rfc3339(s)
        .map_err(|_| BadTime::Syntax)?
        .with_timezone(&Utc);
    let t = DateTime::from_timestamp_micros(t.timestamp_micros()).ok_or(BadTime::OutOfRange)?;
    if t < earliest() || t > latest() {
        return Err(BadTime::OutOfRange);
    }
    Ok(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_range_is_years_1_to_9999_as_instants() {
        assert_eq!(
            parse("0001-01-01T00:00:00Z").map(canonical),
            Ok("0001-01-01T00:00:00.000000Z".to_owned())
        );
        assert_eq!(
            parse("9999-12-31T23:59:59.999999Z").map(canonical),
            Ok("9999-12-31T23:59:59.999999Z".to_owned())
        );
        // The same instant written with an offset.
        assert_eq!(
            parse("0001-01-01T01:00:00+01:00").map(canonical),
            Ok("0001-01-01T00:00:00.000000Z".to_owned())
        );
        for out in [
            "0000-01-01T00:00:00Z",
            "0000-12-31T23:59:59.999999Z",
            "0001-01-01T00:00:00+00:01",
            "9999-12-31T23:59:59-23:59",
            "9999-12-31T23:59:59.9999999-00:01",
        ] {
            assert_eq!(parse(out), Err(BadTime::OutOfRange), "{out}");
        }
        for bad in [
            "2026-01-01T00:00:00",
            "2026-13-01T00:00:00Z",
            "yesterday",
            "",
        ] {
            assert_eq!(parse(bad), Err(BadTime::Syntax), "{bad}");
        }
    }

    #[test]
    fn sub_microsecond_digits_are_truncated() {
        assert_eq!(
            parse("2026-01-01T00:00:00.1234567Z").map(canonical),
            Ok("2026-01-01T00:00:00.123456Z".to_owned())
        );
    }
}
