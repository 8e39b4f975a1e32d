//! Requests as SuperOffice's clients send them (seed 002, `@superoffice/webapi`):
//!
//! - A body that is empty, whitespace or `null` is no body (its client sends `null`, or nothing, with
//!   `Content-Type: application/json`, on its body-less calls); any other body must be JSON, of the right content
//!   type. A comma before a closing bracket is tolerated, as SuperOffice's own JSON reader does (the seed's examples
//!   have them).
//! - Members are matched to the carrier's in any case, and when one object names a member twice (its client sends
//!   `"NumIntervals":1, …, "numIntervals":3` for a step it read and changed), the last one wins. Members a carrier
//!   does not have are ignored; objects kept as sent (`TimeZoneSTDRules`, …) keep their members' spelling.
//! - Query parameters too are matched in any case (`GetEmailFlow?emailFlowId=`, `DeleteEmailFlow?EmailFlowId=`).
//!
//! A member that cannot be read is a 400 naming it by its path (`Steps[0].NumIntervals`).

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::body::{is_empty, is_json, MAX_BODY_BYTES};
use crate::error::{ApiError, Problems};
use crate::model::workflow::read_any_case;

/// The request's body: `None` when there is none.
pub fn body(request: &lambda_http::Request) -> Result<Option<Value>, ApiError> {
    let bytes: &[u8] = request.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge { limit: MAX_BODY_BYTES });
    }
    if is_empty(bytes) {
        return Ok(None);
    }
    if !is_json(request) {
        return Err(ApiError::UnsupportedMediaType);
    }
    match parse(bytes)? {
        Value::Null => Ok(None),
        value => Ok(Some(value)),
    }
}

/// JSON, tolerating a comma before a closing bracket.
pub fn parse(bytes: &[u8]) -> Result<Value, ApiError> {
    match serde_json::from_slice(bytes) {
        Ok(value) => Ok(value),
        Err(first) => {
            let text =
                std::str::from_utf8(bytes).map_err(|_| ApiError::InvalidJson("Request body is not UTF-8".into()))?;
            serde_json::from_str(&without_trailing_commas(text)).map_err(|_| {
                ApiError::InvalidJson(format!(
                    "Request body is not valid JSON (line {}, column {})",
                    first.line(),
                    first.column()
                ))
            })
        }
    }
}

/// `text` without the commas that stand right before a `}` or `]` (outside strings).
fn without_trailing_commas(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
        } else if c == '"' {
            in_string = true;
        } else if c == ',' {
            let next = chars[i + 1..].iter().find(|c| !c.is_whitespace());
            if matches!(next, Some('}' | ']')) {
                continue;
            }
        }
        out.push(c);
    }
    out
}

/// At most this many members a request's answer names (each found by one more read of the request).
const MAX_NAMED: usize = 20;

/// `value` read as `T`, its members matched in any case, the last of two spellings winning; a 400 names every
/// member that cannot be read (each found by reading again without the members found before, up to
/// [`MAX_NAMED`]), a string the carrier reads that breaks the text rule among them.
pub fn from_value<T: DeserializeOwned>(mut value: Value) -> Result<T, ApiError> {
    let mut problems = Problems::new();
    for _ in 0..MAX_NAMED {
        let (path, problem) = match read_any_case::<T>(value.clone()) {
            Ok(read) if problems.is_empty() => return Ok(read),
            Ok(_) => break,
            Err(found) => found,
        };
        let field = if path == "." { "body".to_owned() } else { path.clone() };
        problems.add(&field, problem.clone());
        // A member that is there but bad is taken out, and the rest read again; a missing one (or one inside a list)
        // ends the search.
        if problem.starts_with("missing field") || !remove_member(&mut value, &path) {
            break;
        }
    }
    problems.finish()?;
    Err(ApiError::internal("a SuperOffice request had problems no reader named"))
}

/// Takes out the member at `path` (`Steps[0].NumIntervals`: members matched in any case); `false` when the path
/// does not end in a member of an object.
fn remove_member(value: &mut Value, path: &str) -> bool {
    let mut segments: Vec<Segment<'_>> = Vec::new();
    for part in path.split('.') {
        let (name, indexes) = part.split_once('[').map_or((part, ""), |(n, rest)| (n, rest));
        if !name.is_empty() {
            segments.push(Segment::Member(name));
        }
        for index in indexes.split('[').filter(|i| !i.is_empty()) {
            match index.trim_end_matches(']').parse() {
                Ok(i) => segments.push(Segment::Index(i)),
                Err(_) => return false,
            }
        }
    }
    let Some((Segment::Member(last), parents)) = segments.split_last() else { return false };
    let mut at = value;
    for segment in parents {
        at = match (segment, at) {
            (Segment::Member(name), Value::Object(map)) => {
                match map.iter_mut().rev().find(|(k, _)| k.eq_ignore_ascii_case(name)) {
                    Some((_, inner)) => inner,
                    None => return false,
                }
            }
            (Segment::Index(i), Value::Array(items)) => match items.get_mut(*i) {
                Some(inner) => inner,
                None => return false,
            },
            _ => return false,
        };
    }
    let Value::Object(map) = at else { return false };
    let before = map.len();
    map.retain(|k, _| !k.eq_ignore_ascii_case(last));
    map.len() < before
}

enum Segment<'a> {
    Member(&'a str),
    Index(usize),
}

/// A query parameter by name in any case (the last, when given twice).
pub fn query(request: &lambda_http::Request, name: &str) -> Option<String> {
    use lambda_http::RequestExt as _;
    let params = request.query_string_parameters();
    params.iter().filter(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.to_owned()).last()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Default, Debug, PartialEq)]
    #[serde(rename_all = "PascalCase", default)]
    struct Step {
        num_intervals: i64,
        step_type: String,
        kept: Option<Value>,
        inner: Option<Box<Step>>,
    }

    #[test]
    fn members_match_in_any_case_and_the_last_spelling_wins() {
        let value = parse(
            br#"{"NumIntervals":1,"StepType":"WaitForTime","numIntervals":3,"other":true,
            "kept":{"TZOffset":60},"INNER":{"numintervals":9,}}"#,
        )
        .unwrap();
        let step: Step = from_value(value).unwrap();
        assert_eq!(step.num_intervals, 3);
        assert_eq!(step.step_type, "WaitForTime");
        assert_eq!(step.kept, Some(serde_json::json!({"TZOffset": 60})));
        assert_eq!(step.inner.unwrap().num_intervals, 9);
    }

    #[test]
    fn a_member_that_cannot_be_read_is_named_by_its_path() {
        let err = from_value::<Step>(serde_json::json!({"inner": {"numIntervals": "x"}})).unwrap_err();
        assert!(err.body()["errors"]["Inner.NumIntervals"].is_array(), "{}", err.body());
    }

    #[test]
    fn every_member_that_cannot_be_read_is_named_at_once() {
        // GIVEN two bad members, one nested, and a control character in a third
        let err = from_value::<Step>(serde_json::json!({
            "numIntervals": "x", "INNER": {"StepType": 5}, "kept": "a\u{0}b"
        }))
        .unwrap_err();

        // THEN one answer names all three
        let errors = &err.body()["errors"];
        assert!(errors["NumIntervals"].is_array(), "{errors}");
        assert!(errors["Inner.StepType"].is_array(), "{errors}");
        assert!(errors["Kept"][0].as_str().unwrap().contains("control characters"), "{errors}");
        assert_eq!(errors.as_object().unwrap().len(), 3, "{errors}");
    }

    #[test]
    fn line_breaks_are_text_and_direction_overrides_are_not() {
        assert!(from_value::<Step>(serde_json::json!({"StepType": "a\nb"})).is_ok());
        assert!(from_value::<Step>(serde_json::json!({"StepType": "abc\u{202e}gpj.exe"})).is_err());
    }

    #[test]
    fn a_member_the_carrier_does_not_have_is_ignored_whatever_it_holds() {
        // GIVEN members the carrier does not have, holding control characters (the fuzzer's finding)
        let step: Step = from_value(serde_json::json!({
            "StepType": "DistributeToOwner", "\u{c8}": ["a\u{13}b"], "other": {"x": "\u{0}"}
        }))
        .unwrap();

        // THEN they are ignored, as SuperOffice ignores them
        assert_eq!(step.step_type, "DistributeToOwner");
    }

    #[test]
    fn whole_numbers_written_with_a_fraction_are_whole_numbers() {
        let step: Step = from_value(serde_json::json!({"NumIntervals": 3.0})).unwrap();
        assert_eq!(step.num_intervals, 3);
        assert!(from_value::<Step>(serde_json::json!({"NumIntervals": 3.5})).is_err());
    }

    #[test]
    fn trailing_commas_are_tolerated_outside_strings_only() {
        assert_eq!(parse(br#"{"a": [1, 2,], "b": ",}",}"#).unwrap(), serde_json::json!({"a": [1, 2], "b": ",}"}));
        assert!(parse(br#"{"a": ,}"#).is_err());
    }
}
