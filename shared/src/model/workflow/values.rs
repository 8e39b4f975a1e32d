//! SuperOffice's encoded values: strings that carry a type, as its restrictions and its date members write them.
//!
//! | Form | Meaning | Example |
//! |---|---|---|
//! | `[I:n]` | an integer | `[I:1]` |
//! | `[F:x]` | a decimal number, `.` as the separator | `[F:1.5]` |
//! | `[DT:MM/dd/yyyy HH:mm:ss[.fffffff]]` | a date and time, no zone (the flow's time zone applies) | `[DT:05/31/2024 14:24:23]` |
//! | `[D:MM/dd/yyyy]` | a date | `[D:05/31/2024]` |
//! | `[A:v,v,…]` | a list, each item plain or itself encoded | `[A:3,4,5]` |
//!
//! A restriction value is kept as sent once it is valid (a string without a known tag is plain text); the members
//! typed as an encoded date-time ([`EncodedDateTime`]: `TimeframeStart`, `Until`, `WorkflowStart`, …) are
//! written back in the seed's canonical form, `[DT:01/01/1970 00:00:00.0000000]`, whichever of the two forms
//! came in. Members SuperOffice types as dates ([`IsoDate`]: `CreatedDate`, `Folder.Registered`, a sale's `Date`)
//! are ISO 8601.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

/// One encoded value, parsed.
#[derive(Clone, Debug, PartialEq)]
pub enum TypedValue {
    Int(i64),
    Float(f64),
    DateTime(PrimitiveDateTime),
    Date(Date),
    List(Vec<TypedValue>),
    /// A string without a known tag.
    Plain(String),
}

const DATE: &[time::format_description::FormatItem<'static>] = format_description!("[month]/[day]/[year]");
const DATE_TIME: &[time::format_description::FormatItem<'static>] =
    format_description!("[month]/[day]/[year] [hour]:[minute]:[second]");
const DATE_TIME_FRACTION: &[time::format_description::FormatItem<'static>] =
    format_description!("[month]/[day]/[year] [hour]:[minute]:[second].[subsecond]");

fn parse_date_time(text: &str) -> Result<PrimitiveDateTime, String> {
    PrimitiveDateTime::parse(text, DATE_TIME)
        .or_else(|_| PrimitiveDateTime::parse(text, DATE_TIME_FRACTION))
        .map_err(|_| format!("`{text}` is no date and time: expected MM/dd/yyyy HH:mm:ss, optionally with a fraction"))
}

impl TypedValue {
    /// Reads an encoded value; a string that is not of the `[X:…]` forms is [`TypedValue::Plain`].
    pub fn parse(raw: &str) -> Result<Self, String> {
        let Some((tag, body)) = raw.strip_prefix('[').and_then(|r| r.strip_suffix(']')).and_then(|r| r.split_once(':'))
        else {
            return Ok(Self::Plain(raw.to_owned()));
        };
        match tag {
            "I" => body.trim().parse().map(Self::Int).map_err(|_| format!("`{raw}` is no integer ([I:n])")),
            "F" => match body.trim().parse::<f64>() {
                Ok(x) if x.is_finite() && !body.contains(['e', 'E']) => Ok(Self::Float(x)),
                _ => Err(format!("`{raw}` is no decimal number ([F:x], with `.` as the separator)")),
            },
            "DT" => parse_date_time(body).map(Self::DateTime).map_err(|e| format!("`{raw}`: {e}")),
            "D" => Date::parse(body, DATE)
                .map(Self::Date)
                .map_err(|_| format!("`{raw}` is no date: expected [D:MM/dd/yyyy]")),
            "A" => {
                if body.is_empty() {
                    return Ok(Self::List(Vec::new()));
                }
                body.split(',').map(|item| Self::parse(item.trim())).collect::<Result<_, _>>().map(Self::List)
            }
            _ => Ok(Self::Plain(raw.to_owned())),
        }
    }
}

impl std::fmt::Display for TypedValue {
    /// The canonical form: what [`TypedValue::parse`] reads back as the same value.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Int(n) => write!(f, "[I:{n}]"),
            Self::Float(x) => write!(f, "[F:{x:?}]"),
            Self::DateTime(at) => write!(f, "[DT:{}]", canonical_date_time(*at)),
            Self::Date(d) => write!(f, "[D:{}]", d.format(DATE).map_err(|_| std::fmt::Error)?),
            Self::List(items) => {
                let items: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[A:{}]", items.join(","))
            }
            Self::Plain(text) => f.write_str(text),
        }
    }
}

fn canonical_date_time(at: PrimitiveDateTime) -> String {
    let date = at.date().format(DATE).unwrap_or_default();
    let ticks = at.nanosecond() / 100;
    format!("{date} {:02}:{:02}:{:02}.{ticks:07}", at.hour(), at.minute(), at.second())
}

/// A restriction value: any string, checked when it carries a known tag, kept as sent.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct EncodedValue(String);

impl EncodedValue {
    pub fn parse(raw: &str) -> Result<Self, String> {
        TypedValue::parse(raw).map(|_| Self(raw.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Serialize for EncodedValue {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EncodedValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(deserializer)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for EncodedValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .max_length(Some(1000))
            .examples(["[I:1]"])
            .description(Some(
                "Plain text, or an encoded value: [I:n], [F:x], [DT:MM/dd/yyyy HH:mm:ss], [D:MM/dd/yyyy], [A:…]",
            ))
            .into()
    }
}

impl utoipa::ToSchema for EncodedValue {}

/// A member SuperOffice encodes as `[DT:…]` (no time zone: the flow's applies). `null` or `""` is none.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct EncodedDateTime(pub PrimitiveDateTime);

impl EncodedDateTime {
    /// `[DT:01/01/0001 00:00:00.0000000]`: SuperOffice's "no date".
    pub const NONE: Self = Self(time::macros::datetime!(0001-01-01 0:00));

    pub fn parse(raw: &str) -> Result<Self, String> {
        match TypedValue::parse(raw.trim())? {
            TypedValue::DateTime(at) => Ok(Self(at)),
            TypedValue::Date(d) => Ok(Self(d.midnight())),
            _ => Err(format!("`{raw}` is no encoded date and time: expected [DT:MM/dd/yyyy HH:mm:ss]")),
        }
    }

    pub fn at(year: i32, month: u8, day: u8, hour: u8, minute: u8, second: u8) -> Option<Self> {
        let date = Date::from_calendar_date(year, time::Month::try_from(month).ok()?, day).ok()?;
        Some(Self(PrimitiveDateTime::new(date, Time::from_hms(hour, minute, second).ok()?)))
    }

    /// Whether this is SuperOffice's "no date" (year 1).
    pub fn is_none_date(&self) -> bool {
        self.0.year() <= 1
    }

    /// The instant this reading means at a UTC offset of `offset_minutes`.
    pub fn instant(&self, offset_minutes: i32) -> Option<OffsetDateTime> {
        let offset = UtcOffset::from_whole_seconds(offset_minutes.checked_mul(60)?).ok()?;
        Some(self.0.assume_offset(offset))
    }
}

impl std::fmt::Display for EncodedDateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[DT:{}]", canonical_date_time(self.0))
    }
}

impl Serialize for EncodedDateTime {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Serde for `Option<EncodedDateTime>` members: `null` and `""` read as none; none is written as `null`.
pub mod encoded_date_time {
    use super::*;

    pub fn serialize<S: Serializer>(value: &Option<EncodedDateTime>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(at) => serializer.collect_str(at),
            None => serializer.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<EncodedDateTime>, D::Error> {
        match Option::<String>::deserialize(deserializer)? {
            None => Ok(None),
            Some(raw) if raw.trim().is_empty() => Ok(None),
            Some(raw) => EncodedDateTime::parse(&raw).map(Some).map_err(serde::de::Error::custom),
        }
    }
}

/// A member SuperOffice types as a date: ISO 8601, written in UTC to the second (`2024-05-01T10:00:00Z`);
/// read with any offset, or none (UTC). Year 0 is accepted, as SuperOffice's client sends "no date" back after a
/// round trip east of UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct IsoDate(pub OffsetDateTime);

impl IsoDate {
    /// `0001-01-01T00:00:00Z`: SuperOffice's "no date".
    pub fn none() -> Self {
        Self(EncodedDateTime::NONE.0.assume_utc())
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let invalid = || format!("`{raw}` is no ISO 8601 date such as 2024-05-01T10:00:00Z");
        if raw.len() > 40 {
            return Err(invalid());
        }
        let at = OffsetDateTime::parse(raw, &Rfc3339)
            .ok()
            .or_else(|| {
                let format =
                    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]");
                PrimitiveDateTime::parse(raw, format).ok().map(PrimitiveDateTime::assume_utc)
            })
            .ok_or_else(invalid)?;
        let utc = at.checked_to_offset(UtcOffset::UTC).ok_or_else(invalid)?;
        Ok(Self(utc.replace_nanosecond(0).unwrap_or(utc)))
    }
}

impl From<crate::model::Timestamp> for IsoDate {
    fn from(at: crate::model::Timestamp) -> Self {
        Self(OffsetDateTime::from_unix_timestamp(at.unix()).unwrap_or(OffsetDateTime::UNIX_EPOCH))
    }
}

impl std::fmt::Display for IsoDate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = self.0;
        write!(
            f,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second()
        )
    }
}

impl Serialize for IsoDate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for IsoDate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Option::<String>::deserialize(deserializer)?;
        match raw {
            None => Ok(Self::none()),
            Some(raw) if raw.is_empty() => Ok(Self::none()),
            Some(raw) => Self::parse(&raw).map_err(serde::de::Error::custom),
        }
    }
}

impl utoipa::PartialSchema for IsoDate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime)))
            .into()
    }
}

impl utoipa::ToSchema for IsoDate {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_form_reads_and_writes_back_to_the_same_value() {
        for raw in [
            "[I:1]",
            "[I:-42]",
            "[F:1.5]",
            "[F:3.0]",
            "[DT:05/31/2024 14:24:23.0000000]",
            "[D:05/31/2024]",
            "[A:[I:3],[I:4]]",
            "plain",
            "[SR_SLEVEL_INTERNAL]",
        ] {
            let value = TypedValue::parse(raw).unwrap();
            assert_eq!(TypedValue::parse(&value.to_string()).unwrap(), value, "{raw}");
        }
        assert_eq!(
            TypedValue::parse("[A:3,4,5]").unwrap(),
            TypedValue::List(vec![
                TypedValue::Plain("3".into()),
                TypedValue::Plain("4".into()),
                TypedValue::Plain("5".into())
            ])
        );
        assert_eq!(
            TypedValue::parse("[DT:05/31/2024 14:24:23]").unwrap().to_string(),
            "[DT:05/31/2024 14:24:23.0000000]"
        );
    }

    #[test]
    fn a_malformed_form_is_refused_with_what_was_expected() {
        for raw in [
            "[I:one]",
            "[F:1,5]",
            "[F:1e400]",
            "[DT:31/05/2024 14:24:23]",
            "[DT:05/31/2024]",
            "[D:2024-05-31]",
            "[A:[I:x]]",
        ] {
            assert!(TypedValue::parse(raw).is_err(), "{raw}");
        }
    }

    #[test]
    fn encoded_date_times_read_both_forms_and_write_the_canonical_one() {
        assert_eq!(
            EncodedDateTime::parse("[DT:01/01/1970 00:00:00.0000000]").unwrap().to_string(),
            "[DT:01/01/1970 00:00:00.0000000]"
        );
        assert_eq!(
            EncodedDateTime::parse("[DT:05/31/2024 14:24:23]").unwrap().to_string(),
            "[DT:05/31/2024 14:24:23.0000000]"
        );
        assert_eq!(EncodedDateTime::NONE.to_string(), "[DT:01/01/0001 00:00:00.0000000]");
        assert!(EncodedDateTime::parse("[I:1]").is_err());
        let at = EncodedDateTime::parse("[DT:05/31/2024 14:24:23]").unwrap();
        assert_eq!(at.instant(120).unwrap().unix_timestamp(), 1_717_165_463 - 7200);
    }

    #[test]
    fn iso_dates_read_offsets_and_year_zero_and_write_utc() {
        assert_eq!(IsoDate::parse("2024-05-01T10:00:00+02:00").unwrap().to_string(), "2024-05-01T08:00:00Z");
        assert_eq!(IsoDate::parse("2024-05-01T10:00:00").unwrap().to_string(), "2024-05-01T10:00:00Z");
        assert_eq!(IsoDate::parse("0000-12-31T23:06:32.000Z").unwrap().to_string(), "0000-12-31T23:06:32Z");
        assert_eq!(IsoDate::none().to_string(), "0001-01-01T00:00:00Z");
        assert!(IsoDate::parse("20240501").is_err());
    }
}
