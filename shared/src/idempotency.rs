//! `Idempotency-Key` on POSTs: kept 24 hours, per (organization, route, API key). The same key with the same
//! request returns the first answer and does nothing again; with another request, 422; while the first is still
//! in flight, 409.
//!
//! "The same request" is the same method, route, path (with its query) and JSON body, compared as parsed JSON
//! (spacing and key order do not matter); an empty body is `{}`, so a body-less POST is the same request when its
//! path names the same object. Only requests that reached their handler with a JSON body are remembered, and only their
//! successful answers: the record is written in the same transaction as the write it guards, so the two exist
//! together or not at all, and a failed request releases its claim so that a retry runs again. Secrets are never
//! kept: an answer that carried one is replayed without it (see each route's document).

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::store::StoredResponse;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
pub const TTL_SECONDS: i64 = 24 * 60 * 60;
/// How long a request's claim on a key holds while it runs: well above the functions' 10-second timeout, so
/// that only a request that died lets a retry take over.
pub const LOCK_SECONDS: i64 = 60;
pub const MAX_KEY_LEN: usize = 255;

/// The key as the caller sent it, if any; a malformed one is a 400.
pub fn key_from(headers: &http::HeaderMap) -> Result<Option<String>, ApiError> {
    let Some(value) = headers.get(HEADER) else { return Ok(None) };
    let text = value
        .to_str()
        .ok()
        .map(str::trim)
        .filter(|t| !t.is_empty() && t.len() <= MAX_KEY_LEN && t.chars().all(|c| c.is_ascii_graphic()))
        .ok_or_else(|| {
            ApiError::BadRequest(format!("Idempotency-Key must be 1 to {MAX_KEY_LEN} visible ASCII characters"))
        })?;
    Ok(Some(text.to_owned()))
}

/// Fields that carry secrets in answers (a new API key, the bootstrap's keys, a webhook signing secret): a kept
/// answer has `null` in their place, so that no secret is ever stored.
pub const SECRET_FIELDS: &[&str] = &["key", "secretKey", "publicKey", "secret"];

/// `body` with every [`SECRET_FIELDS`] member of its top-level object set to `null`.
pub fn redact(body: &[u8]) -> String {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(mut map)) => {
            for field in SECRET_FIELDS {
                if let Some(value) = map.get_mut(*field) {
                    *value = Value::Null;
                }
            }
            Value::Object(map).to_string()
        }
        _ => String::from_utf8_lossy(body).into_owned(),
    }
}

/// An answer as kept for replays: its status and its body without secrets.
pub fn stored(answer: &crate::http::Response) -> StoredResponse {
    StoredResponse { status: answer.status().as_u16(), body: redact(answer.body().as_ref()) }
}

/// Where the record lives: scoped by organization (or `admin`), route and API key, with the caller's key hashed
/// so that records have a bounded size.
pub fn scoped_key(scope: &str, route: &str, caller_key: &str, idempotency_key: &str) -> String {
    format!("{scope}#{route}#{caller_key}#{}", hex::encode(&Sha256::digest(idempotency_key.as_bytes())[..16]))
}

/// What makes two requests "the same": method, route, the path and query they were sent to, and the parsed body.
pub fn fingerprint(method: &str, route: &str, target: &str, body: &Value) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(route.as_bytes());
    h.update([0]);
    h.update(target.as_bytes());
    h.update([0]);
    write_canonical(body, &mut h);
    hex::encode(h.finalize())
}

/// JSON with object keys sorted, so that key order and spacing do not change the fingerprint.
fn write_canonical(value: &Value, h: &mut Sha256) {
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            h.update(b"{");
            for k in keys {
                h.update(Value::String(k.clone()).to_string().as_bytes());
                h.update(b":");
                write_canonical(&map[k], h);
                h.update(b",");
            }
            h.update(b"}");
        }
        Value::Array(items) => {
            h.update(b"[");
            for item in items {
                write_canonical(item, h);
                h.update(b",");
            }
            h.update(b"]");
        }
        other => h.update(other.to_string().as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn fingerprints_ignore_spacing_and_key_order_but_not_values() {
        let a: Value = serde_json::from_str(r#"{"a": 1, "b": {"x": [1, 2]}}"#).unwrap();
        let b: Value = serde_json::from_str(r#"{"b":{"x":[1,2]},"a":1}"#).unwrap();
        assert_eq!(fingerprint("POST", "r", "/x", &a), fingerprint("POST", "r", "/x", &b));
        let changed = json!({"a": 2, "b": {"x": [1, 2]}});
        assert_ne!(fingerprint("POST", "r", "/x", &a), fingerprint("POST", "r", "/x", &changed));
        assert_ne!(fingerprint("POST", "r", "/x", &a), fingerprint("POST", "other", "/x", &a));
        assert_ne!(fingerprint("POST", "r", "/x/1", &a), fingerprint("POST", "r", "/x/2", &a));
    }

    #[test]
    fn records_are_scoped_by_organization_route_and_caller_key() {
        let k = scoped_key("1", "flows-assign", "key_a", "order-1");
        assert_ne!(k, scoped_key("2", "flows-assign", "key_a", "order-1"));
        assert_ne!(k, scoped_key("1", "flows-assign", "key_b", "order-1"));
        assert_ne!(k, scoped_key("1", "users-create", "key_a", "order-1"));
    }
}
