//! Every response carries a request id in `X-Request-ID`: the caller's own when it sent a sensible one, else a
//! fresh `req_…`.

use crate::model::random_token;

pub const HEADER: &str = "x-request-id";
pub const MAX_LEN: usize = 128;

pub fn from_headers(headers: &http::HeaderMap) -> String {
    headers
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= MAX_LEN && v.chars().all(|c| c.is_ascii_graphic()))
        .map(str::to_owned)
        .unwrap_or_else(|| format!("req_{}", random_token(12)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echoes_a_sensible_id_and_replaces_others() {
        let mut h = http::HeaderMap::new();
        h.insert(HEADER, "req_unique_id".parse().unwrap());
        assert_eq!(from_headers(&h), "req_unique_id");
        h.insert(HEADER, "has space".parse().unwrap());
        assert!(from_headers(&h).starts_with("req_"));
        assert!(from_headers(&http::HeaderMap::new()).starts_with("req_"));
    }
}
