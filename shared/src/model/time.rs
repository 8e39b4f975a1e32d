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

    pub fn from_datetime(at: OffsetDateTime) -> Self {
        Self(at.to_offset(UtcOffset::UTC).replace_nanosecond(0).expect("0 ns is valid"))
    }

    /// Parses an ISO 8601 date-time with an offset (RFC 3339), or a bare date, which means the end of that day
    /// in UTC. Fractions of a second are dropped.
    pub fn parse_iso8601(raw: &str) -> Result<Self, String> {
        let invalid = || "must be an ISO 8601 date-time such as 2024-11-25T23:59:59Z".to_owned();
        if raw.len() > 64 {
            return Err(invalid());
        }
        if let Ok(at) = OffsetDateTime::parse(raw, &Rfc3339) {
            return Ok(Self::from_datetime(at));
        }
        let date = Date::parse(raw, format_description!("[year]-[month]-[day]")).map_err(|_| invalid())?;
        let end = date.with_hms(23, 59, 59).map_err(|_| invalid())?.assume_utc();
        Ok(Self(end))
    }

    pub fn unix(&self) -> i64 {
        self.0.unix_timestamp()
    }

    pub fn unix_millis(&self) -> i64 {
        self.0.unix_timestamp() * 1000
    }

    pub fn plus_seconds(&self, seconds: i64) -> Self {
        Self(self.0 + time::Duration::seconds(seconds))
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
}
