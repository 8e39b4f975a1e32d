use std::fmt;

use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, UtcOffset};

/// An instant, always in UTC, written as RFC 3339 with second precision (`2024-10-25T15:30:00Z`), as the
/// MomoFlow examples write it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(OffsetDateTime);

impl Timestamp {
    pub fn now() -> Self {
        Self::from_datetime(OffsetDateTime::now_utc())
    }

    /// `at` in UTC, to the second. An instant that cannot be written in UTC keeps its own offset's reading
    /// (callers bring UTC or checked instants: see [`Self::parse_iso8601`]).
    pub fn from_datetime(at: OffsetDateTime) -> Self {
        let utc = at.checked_to_offset(UtcOffset::UTC).unwrap_or(at);
        Self(utc.replace_nanosecond(0).unwrap_or(utc))
    }

    /// The earliest instant a caller may name: 1970-01-01T00:00:00Z.
    pub const MIN_YEAR: i32 = 1970;
    /// The latest: 9999-12-31T23:59:59Z.
    pub const MAX_YEAR: i32 = 9999;
    pub const RANGE: &'static str = "must be between 1970-01-01 and 9999-12-31 in UTC";

    /// Parses an ISO 8601 date-time with an offset (RFC 3339), or a bare date, which means the end of that day in
    /// UTC. Fractions of a second are dropped. The instant must fall within [`Self::MIN_YEAR`] and
    /// [`Self::MAX_YEAR`] in UTC: an offset that would carry it past either end is refused, never overflowed.
    pub fn parse_iso8601(raw: &str) -> Result<Self, String> {
        let invalid = || "must be an ISO 8601 date-time such as 2024-11-25T23:59:59Z".to_owned();
        if raw.len() > 64 {
            return Err(invalid());
        }
        let at = match OffsetDateTime::parse(raw, &Rfc3339) {
            Ok(at) => at.checked_to_offset(UtcOffset::UTC).ok_or_else(|| Self::RANGE.to_owned())?,
            Err(_) => {
                let date = Date::parse(raw, format_description!("[year]-[month]-[day]")).map_err(|_| invalid())?;
                date.with_hms(23, 59, 59).map_err(|_| invalid())?.assume_utc()
            }
        };
        if !(Self::MIN_YEAR..=Self::MAX_YEAR).contains(&at.year()) {
            return Err(Self::RANGE.to_owned());
        }
        Ok(Self::from_datetime(at))
    }

    /// The instant as a date and time in UTC.
    pub fn datetime(&self) -> OffsetDateTime {
        self.0
    }

    pub fn unix(&self) -> i64 {
        self.0.unix_timestamp()
    }

    pub fn unix_millis(&self) -> i64 {
        self.0.unix_timestamp() * 1000
    }

    /// `seconds` later (earlier when negative), stopping at the ends of the representable range.
    pub fn plus_seconds(&self, seconds: i64) -> Self {
        Self(self.0.checked_add(time::Duration::seconds(seconds)).unwrap_or(self.0))
    }

    pub fn to_rfc3339(&self) -> String {
        self.0
            .format(format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z"))
            .expect("a UTC date-time formats")
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

impl Serialize for Timestamp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_rfc3339())
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse_iso8601(&raw).map_err(serde::de::Error::custom)
    }
}

/// Writes a number of minutes as MomoFlow's `estimatedDuration` does: `2 hours`, `1 hour 30 minutes`,
/// `45 minutes`, `1 minute`, `0 minutes`.
pub fn format_duration(total_minutes: u64) -> String {
    let plural = |n: u64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
    let (hours, minutes) = (total_minutes / 60, total_minutes % 60);
    match (hours, minutes) {
        (0, m) => plural(m, "minute"),
        (h, 0) => plural(h, "hour"),
        (h, m) => format!("{} {}", plural(h, "hour"), plural(m, "minute")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_the_seed_writes_them() {
        assert_eq!(format_duration(120), "2 hours");
        assert_eq!(format_duration(60), "1 hour");
        assert_eq!(format_duration(90), "1 hour 30 minutes");
        assert_eq!(format_duration(45), "45 minutes");
        assert_eq!(format_duration(1), "1 minute");
        assert_eq!(format_duration(0), "0 minutes");
        assert_eq!(format_duration(61), "1 hour 1 minute");
    }

    #[test]
    fn parses_iso8601_and_normalises_to_utc() {
        let t = Timestamp::parse_iso8601("2024-11-25T23:59:59Z").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-11-25T23:59:59Z");
        let t = Timestamp::parse_iso8601("2024-11-25T10:00:00.123+02:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-11-25T08:00:00Z");
        let t = Timestamp::parse_iso8601("2024-11-25").unwrap();
        assert_eq!(t.to_rfc3339(), "2024-11-25T23:59:59Z");
        for bad in ["tomorrow", "2024-13-01T00:00:00Z", "2024-11-25T23:59:59", "", "25/11/2024"] {
            assert!(Timestamp::parse_iso8601(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn instants_past_either_end_of_the_range_are_refused_not_overflowed() {
        // Past year 9999 in UTC only through its offset (this panicked before the bound).
        assert_eq!(Timestamp::parse_iso8601("9999-12-31T23:59:59-01:00").unwrap_err(), Timestamp::RANGE);
        // Before year 1 in UTC through its offset (this was stored as -0001-12-31T23:00:00Z).
        assert_eq!(Timestamp::parse_iso8601("0000-01-01T00:00:00+01:00").unwrap_err(), Timestamp::RANGE);
        assert_eq!(Timestamp::parse_iso8601("1969-12-31T23:59:59Z").unwrap_err(), Timestamp::RANGE);
        assert!(Timestamp::parse_iso8601("9999-12-31T23:59:59Z").is_ok());
        assert!(Timestamp::parse_iso8601("9999-12-31").is_ok());
        assert!(Timestamp::parse_iso8601("1970-01-01T00:00:00Z").is_ok());
        assert!(Timestamp::parse_iso8601("1970-01-01T00:59:59+01:00").is_err());
    }
}
