//! How the workflow agent's methods read their requests and answer.

use http::StatusCode;
use lambda_http::Request;
use serde::Serialize;
use serde_json::Value;

use crate::error::ApiError;
use crate::http::superoffice::{body, from_value, query};
use crate::http::{json, Response};

/// An id the method names, from the query or the body (any case); a missing or malformed one is a 400 naming it.
pub(super) fn id_of(request: &Request, body: Option<&Value>, name: &str) -> Result<u64, ApiError> {
    let from_body = body
        .and_then(Value::as_object)
        .and_then(|members| members.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()));
    let raw = match (query(request, name), from_body) {
        (Some(text), _) => Value::String(text),
        (None, Some(value)) => value,
        (None, None) => return Err(ApiError::field(name, "is required")),
    };
    let id = match &raw {
        Value::Number(n) => n.as_u64().or_else(|| {
            // `274.0` is a whole number.
            n.as_f64().filter(|x| x.fract() == 0.0 && (0.0..9.007_199_254_740_992e15).contains(x)).map(|x| x as u64)
        }),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    let shown: String = raw.to_string().chars().take(40).collect();
    id.ok_or_else(|| ApiError::field(name, format!("must be a whole number of 0 or more, not {shown}")))
}

/// The body read as `T`; a method that takes one needs one.
pub(super) fn carrier<T: serde::de::DeserializeOwned>(request: &Request) -> Result<T, ApiError> {
    match body(request)? {
        Some(value) => from_value(value),
        None => Err(ApiError::field("body", "is required: a JSON object")),
    }
}

pub(super) fn ok(value: &impl Serialize) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, value))
}
