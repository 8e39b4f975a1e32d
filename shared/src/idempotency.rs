//! `Idempotency-Key` on writes: per organization and route, kept 24 hours. The same key with the same request
//! returns the first response and does nothing again; with another request, 422; while the first is still in
//! flight, 409.

use sha2::{Digest, Sha256};

use crate::error::ApiError;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
pub const TTL_SECONDS: i64 = 24 * 60 * 60;
/// How long a request's claim on a key holds while it runs: well above the functions' 10-second timeout, so
/// that only a request that died lets a retry take over.
pub const LOCK_SECONDS: i64 = 60;
const MAX_KEY_LEN: usize = 255;

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

/// Where the record lives: scoped by organization (or `admin`) and route, so that keys never collide.
pub fn scoped_key(scope: &str, route: &str, key: &str) -> String {
    format!("{scope}#{route}#{key}")
}

/// What makes two requests "the same": method, path, query and body.
pub fn fingerprint(method: &str, uri: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(uri.as_bytes());
    h.update([0]);
    h.update(body);
    hex::encode(h.finalize())
}
