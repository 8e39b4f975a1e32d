//! Lists of our own a page at a time: `?limit=&cursor=` in, `{"items": [...], "nextCursor": "…"}` out, the cursor
//! opaque (base64url of the last item's key in the list's order), `nextCursor` null on the last page. Vendor routes
//! keep their vendor's shapes.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Value};

use crate::error::Problems;

/// Items per page when `limit` is left out, and at most.
pub const DEFAULT_LIMIT: usize = 20;
pub const MAX_LIMIT: usize = 100;

/// A page's cursor: `key` (the last item's, in the list's own terms), opaque to the client.
pub fn cursor_of(key: &str) -> String {
    URL_SAFE_NO_PAD.encode(key)
}

/// The key a cursor this API gave holds, read by `parse`.
pub fn read_cursor<T>(raw: &str, parse: impl FnOnce(&str) -> Option<T>) -> Result<T, String> {
    URL_SAFE_NO_PAD
        .decode(raw)
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .and_then(|key| parse(&key))
        .ok_or_else(|| "is not a cursor this API gave".to_owned())
}

/// A page's `limit` query parameter: `default` when absent, else a whole number from 1 to `max` (a problem named
/// `limit` otherwise).
pub fn limit(problems: &mut Problems, raw: Option<&str>, default: usize, max: usize) -> usize {
    let Some(raw) = raw else { return default };
    let parsed = raw
        .parse::<usize>()
        .ok()
        .filter(|n| (1..=max).contains(n))
        .ok_or_else(|| format!("must be a whole number from 1 to {max}"));
    problems.check("limit", parsed).unwrap_or(default)
}

/// What a paged list asks: how many, and after which item.
pub struct PageRequest<K> {
    pub limit: usize,
    pub after: Option<K>,
}

/// Reads `limit` (1 to [`MAX_LIMIT`], [`DEFAULT_LIMIT`] by default) and `cursor` (its key read by `parse`) from a
/// query, recording what is wrong with them.
pub fn request<K>(
    problems: &mut Problems,
    limit_raw: Option<&str>,
    cursor_raw: Option<&str>,
    parse: impl FnOnce(&str) -> Option<K>,
) -> PageRequest<K> {
    let limit = limit(problems, limit_raw, DEFAULT_LIMIT, MAX_LIMIT);
    let after = cursor_raw.and_then(|raw| problems.check("cursor", read_cursor(raw, parse)));
    PageRequest { limit, after }
}

/// The document's `limit` and `cursor` query parameters of a paged list.
pub fn query_parameters() -> [(&'static str, Value, &'static str); 2] {
    [
        (
            "limit",
            json!({ "type": "string", "pattern": "^(100|[1-9][0-9]?)$" }),
            "At most this many (1 to 100; 20 by default)",
        ),
        ("cursor", json!({ "type": "string", "maxLength": 512 }), "The `nextCursor` of the page before"),
    ]
}

/// A page view's struct: the items and the cursor of the next page.
#[macro_export]
macro_rules! page_view {
    ($(#[$doc:meta])* $name:ident, $item:ty) => {
        $(#[$doc])*
        #[derive(serde::Serialize, utoipa::ToSchema)]
        #[serde(rename_all = "camelCase")]
        pub struct $name {
            pub items: Vec<$item>,
            /// The `cursor` of the next page; null on the last.
            pub next_cursor: Option<String>,
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_gives_back_its_key_and_nothing_else_reads() {
        let cursor = cursor_of("42");
        assert_eq!(read_cursor(&cursor, |k| k.parse::<u64>().ok()), Ok(42));
        assert!(read_cursor("not a cursor!", |k| k.parse::<u64>().ok()).is_err());
        assert!(read_cursor(&cursor_of("x"), |k| k.parse::<u64>().ok()).is_err());
        let mut problems = Problems::new();
        let page = request(&mut problems, Some("0"), Some("%%"), |k| k.parse::<u64>().ok());
        assert_eq!((page.limit, page.after), (DEFAULT_LIMIT, None));
        let Err(crate::error::ApiError::Validation(errors)) = problems.finish() else { panic!("two problems") };
        assert_eq!(errors.keys().collect::<Vec<_>>(), ["cursor", "limit"]);
    }
}
