//! How the model's string values read from JSON and what the document says of them: each newtype's parser and
//! its schema, side by side.

use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat};

use super::fields::StrValue;
use crate::model::text_rule;
use crate::model::{
    AccessMode, ActionType, CompletionRule, Email, EventType, KeyKind, Priority, ReportStatus, Role, Slug, Text, Tier,
    Timestamp, UserTokenPolicy,
};

/// The pattern of [`Text`]: the model's text rule ([`crate::model::text_rule`]), one line.
pub fn text_pattern() -> String {
    text_rule::pattern(false)
}

/// The schema of a text that may also be empty or blank (which means "none"): at most `max` characters, the text
/// rule's characters.
pub fn blank_or_text_schema(max: usize, multi_line: bool) -> ObjectBuilder {
    ObjectBuilder::new().max_length(Some(max)).pattern(Some(text_rule::blank_pattern(multi_line)))
}

/// Reads a text that may be blank: blank is `None`.
pub fn blank_or_text<const MAX: usize, const MULTI_LINE: bool>(
    raw: &str,
) -> Result<Option<Text<MAX, MULTI_LINE>>, String> {
    if raw.trim().is_empty() {
        text_rule::check_chars(raw, MULTI_LINE).map(|()| None)
    } else {
        Text::parse(raw).map(Some)
    }
}

impl<const MAX: usize, const MULTI_LINE: bool> StrValue for Text<MAX, MULTI_LINE> {
    fn parse_str(raw: &str) -> Result<Self, String> {
        Self::parse(raw)
    }

    fn schema() -> ObjectBuilder {
        ObjectBuilder::new().min_length(Some(1)).max_length(Some(MAX)).pattern(Some(text_rule::pattern(MULTI_LINE)))
    }
}

impl StrValue for Email {
    fn parse_str(raw: &str) -> Result<Self, String> {
        Self::parse(raw)
    }

    fn schema() -> ObjectBuilder {
        ObjectBuilder::new()
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Email)))
            .max_length(Some(Email::MAX_LEN))
    }
}

/// A date (`2024-11-25`) or an RFC 3339 date-time, of a year from 1970 to 9999.
pub const TIMESTAMP_PATTERN: &str = "^(19[7-9][0-9]|[2-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])\
(T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9]))?$";

impl StrValue for Timestamp {
    fn parse_str(raw: &str) -> Result<Self, String> {
        Self::parse_iso8601(raw)
    }

    fn schema() -> ObjectBuilder {
        // A date-time (RFC 3339) or a date; the year in the range's years. The range itself, in UTC, is a rule of
        // the operation's description (an offset can carry 9999-12-31T23:59:59-01:00 past it).
        ObjectBuilder::new().pattern(Some(TIMESTAMP_PATTERN)).description(Some(
            "An ISO 8601 date-time with an offset (RFC 3339), or a date (the end of that day in UTC), between \
                 1970-01-01 and 9999-12-31 in UTC",
        ))
    }
}

impl StrValue for Slug {
    fn parse_str(raw: &str) -> Result<Self, String> {
        Self::parse(raw)
    }

    fn schema() -> ObjectBuilder {
        ObjectBuilder::new().max_length(Some(Slug::MAX_LEN)).pattern(Some("^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$"))
    }
}

/// The schema of a flow slug a request gives: a slug, and not one of the reserved path words.
pub fn flow_slug_schema() -> ObjectBuilder {
    let reserved = crate::model::RESERVED_FLOW_SLUGS.join("|");
    ObjectBuilder::new()
        .max_length(Some(Slug::MAX_LEN))
        .pattern(Some(format!("^(?!({reserved})$)[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$")))
}

macro_rules! enum_value {
    ($ty:ty, [$($name:literal),*]) => {
        impl StrValue for $ty {
            fn parse_str(raw: &str) -> Result<Self, String> {
                Self::parse(raw)
            }

            fn schema() -> ObjectBuilder {
                ObjectBuilder::new().enum_values(Some([$($name),*]))
            }
        }
    };
}

enum_value!(Priority, ["low", "medium", "high"]);
enum_value!(KeyKind, ["secret", "public"]);
enum_value!(Tier, ["standard", "enterprise"]);
enum_value!(Role, ["admin", "member"]);
enum_value!(UserTokenPolicy, ["never", "assignedProgress", "always"]);
enum_value!(AccessMode, ["invitation", "link", "organization"]);
enum_value!(
    EventType,
    ["flow.assigned", "flow.started", "flow.completed", "flow.overdue", "flow.cancelled", "emailflow.step"]
);
enum_value!(CompletionRule, ["ALL_STEPS", "LAST_STEP"]);
enum_value!(ReportStatus, ["pending", "in_progress", "completed", "overdue"]);
enum_value!(
    ActionType,
    [
        "STARTED_STEP",
        "COMPLETED_STEP",
        "SKIPPED_STEP",
        "NOT_STARTED_STEP",
        "STARTED_FLOW",
        "COMPLETED_FLOW",
        "SKIPPED_FLOW",
        "NOT_STARTED_FLOW"
    ]
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_enum_schema_lists_what_its_parser_takes() {
        for name in ["low", "medium", "high"] {
            assert!(Priority::parse_str(name).is_ok());
        }
        for t in EventType::ALL {
            assert!(<EventType as StrValue>::parse_str(t.as_str()).is_ok());
        }
        let schema = serde_json::to_value(<EventType as StrValue>::schema().build()).unwrap();
        let listed: Vec<&str> = schema["enum"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
        assert_eq!(listed, EventType::ALL.map(|t| t.as_str()));
    }
}
