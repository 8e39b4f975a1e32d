//! JSON request bodies: size, content type, then syntax, in that order; [`super::fields`] reads them field by field.
//!
//! An empty body (or only whitespace) is no body, the same as `{}`: Flowdock's client sends one, with
//! `Content-Type: application/json`, on its body-less POSTs. A route that needs fields then names each one missing.

use serde_json::{Map, Value};

use crate::error::ApiError;

/// Largest request body accepted (1 MiB).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The request's body as a JSON object, after the checks every JSON endpoint makes.
pub fn json_object(request: &lambda_http::Request) -> Result<Map<String, Value>, ApiError> {
    let bytes: &[u8] = request.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge { limit: MAX_BODY_BYTES });
    }
    if !is_json(request) {
        return Err(ApiError::UnsupportedMediaType);
    }
    if is_empty(bytes) {
        return Ok(Map::new());
    }
    match serde_json::from_slice::<Value>(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::InvalidJson("Request body must be a JSON object".into())),
        Err(err) => Err(ApiError::InvalidJson(format!(
            "Request body is not valid JSON (line {}, column {})",
            err.line(),
            err.column()
        ))),
    }
}

/// Whether the request says its body is JSON (`application/json`, or `application/…+json`) in UTF-8, the only
/// encoding it is read in: a `charset` other than `utf-8` (`utf-16`) is not JSON this API reads.
pub fn is_json(request: &lambda_http::Request) -> bool {
    let Some(value) = request.headers().get(http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let mut parts = value.split(';');
    let mime = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
    let json = mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"));
    let utf8 = parts.filter_map(|p| p.split_once('=')).all(|(name, charset)| {
        !name.trim().eq_ignore_ascii_case("charset")
            || matches!(charset.trim().trim_matches('"').to_ascii_lowercase().as_str(), "utf-8" | "utf8")
    });
    json && utf8
}

/// Whether a body is empty: no bytes, or only whitespace.
pub fn is_empty(bytes: &[u8]) -> bool {
    bytes.iter().all(u8::is_ascii_whitespace)
}

/// A body as JSON, whatever the route makes of it (the idempotency fingerprint, the end user's id): an empty body is
/// `{}`; a body that is not JSON is `None`.
pub fn as_json(bytes: &[u8]) -> Option<Value> {
    if is_empty(bytes) {
        return Some(Value::Object(Map::new()));
    }
    serde_json::from_slice(bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(content_type: Option<&str>, body: &str) -> lambda_http::Request {
        let mut b = http::Request::builder().method("POST").uri("/x");
        if let Some(ct) = content_type {
            b = b.header("content-type", ct);
        }
        b.body(lambda_http::Body::from(body.to_owned())).unwrap()
    }

    #[test]
    fn body_checks_come_in_order() {
        assert!(matches!(json_object(&request(None, "{}")), Err(ApiError::UnsupportedMediaType)));
        assert!(matches!(json_object(&request(Some("text/plain"), "{}")), Err(ApiError::UnsupportedMediaType)));
        assert!(matches!(json_object(&request(Some("application/json"), "{")), Err(ApiError::InvalidJson(_))));
        assert!(matches!(
            json_object(&request(Some("application/json; charset=utf-16"), "{}")),
            Err(ApiError::UnsupportedMediaType)
        ));
        assert!(json_object(&request(Some("application/json; charset=\"UTF-8\""), "{}")).is_ok());
        assert!(json_object(&request(Some("application/json;charset=utf-8; foo=bar"), "{}")).is_ok());
        assert!(matches!(json_object(&request(Some("application/json"), "[1]")), Err(ApiError::InvalidJson(_))));
        assert!(matches!(json_object(&request(None, "")), Err(ApiError::UnsupportedMediaType)));
        let big = format!("{{\"a\":\"{}\"}}", "x".repeat(MAX_BODY_BYTES));
        assert!(matches!(json_object(&request(Some("application/json"), &big)), Err(ApiError::PayloadTooLarge { .. })));
        assert!(json_object(&request(Some("application/json; charset=utf-8"), "{\"a\":1}")).is_ok());
    }

    #[test]
    fn an_empty_json_body_is_no_body() {
        assert_eq!(json_object(&request(Some("application/json"), "")).unwrap(), Map::new());
        assert_eq!(json_object(&request(Some("application/json"), " \r\n")).unwrap(), Map::new());
        assert_eq!(as_json(b""), Some(Value::Object(Map::new())));
        assert_eq!(as_json(b"{\"a\":1}"), Some(serde_json::json!({"a": 1})));
        assert_eq!(as_json(b"{"), None);
    }
}
