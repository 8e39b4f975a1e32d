//! CORS for the routes browsers call (`/v1/public/*`, where public keys live in web pages).
//!
//! A preflight (`OPTIONS`) carries no key, so it is answered permissively for any public path the route table
//! has: the path's methods and the headers Frigade's SDK sends (`Authorization` by name, since a `*` does not cover
//! it), for any origin, without credentials. The real response then carries `Access-Control-Allow-Origin` as the
//! organization's allowed origins decide: any origin (`*`) by default; with a list, the request's `Origin` when it
//! is listed (with `Vary: Origin`), none otherwise, so the browser keeps the answer from the page. A response to a
//! key that names no organization (a 401) allows any origin, so that the page can read why.

use http::header::{HeaderValue, ORIGIN};

use crate::caller::Caller;
use crate::http::Response;
use crate::routes::{self, Access, Lookup};
use crate::store::Directory;

/// The headers a browser may send to a public route.
pub const ALLOWED_HEADERS: &str =
    "authorization, content-type, x-frigade-sdk-version, x-frigade-sdk-platform, idempotency-key, x-request-id";
/// The headers a page may read from an answer.
pub const EXPOSED_HEADERS: &str = "x-request-id, retry-after, ratelimit, ratelimit-policy, idempotent-replayed";
/// How long a browser may keep a preflight's answer (seconds).
pub const MAX_AGE: &str = "600";
/// The most origins an organization lists.
pub const MAX_ORIGINS: usize = 20;

/// Whether `raw` is an origin as browsers send it: `http(s)://host[:port]`, nothing after.
pub fn parse_origin(raw: &str) -> Result<String, String> {
    let invalid = || "must be an origin such as https://app.example.com (scheme, host and port only)".to_owned();
    let url = url::Url::parse(raw).map_err(|_| invalid())?;
    let bare = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && !raw.ends_with('/');
    if bare {
        Ok(url.origin().ascii_serialization())
    } else {
        Err(invalid())
    }
}

/// What the real response says to the browser.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    /// `*`.
    Any,
    /// This origin, with `Vary: Origin`.
    Origin(String),
    /// No `Access-Control-Allow-Origin`.
    Refused,
}

/// The origins an organization allows decide for `origin`; an empty list allows any.
pub fn decide(allowed: &[String], origin: &str) -> Decision {
    if allowed.is_empty() {
        Decision::Any
    } else if allowed.iter().any(|a| a == origin) {
        Decision::Origin(origin.to_owned())
    } else {
        Decision::Refused
    }
}

/// The decision for a request to a public route that came with an `Origin`, from its organization's list.
pub async fn for_request(caller: &Caller, directory: &dyn Directory, origin: &str) -> Decision {
    let Ok(org) = caller.org().await else { return Decision::Any };
    match directory.get_organization(org).await {
        Ok(Some(found)) => decide(&found.allowed_origins, origin),
        Ok(None) => Decision::Any,
        Err(err) => {
            tracing::warn!(error = %err, "could not read the organization's allowed origins");
            Decision::Refused
        }
    }
}

/// The request's `Origin`, when a browser sent one.
pub fn origin_of(headers: &http::HeaderMap) -> Option<String> {
    headers.get(ORIGIN).and_then(|v| v.to_str().ok()).map(str::to_owned)
}

/// Adds the real response's CORS headers.
pub fn apply(decision: &Decision, response: &mut Response) {
    let headers = response.headers_mut();
    let allow = match decision {
        Decision::Any => HeaderValue::from_static("*"),
        Decision::Origin(origin) => match HeaderValue::from_str(origin) {
            Ok(value) => {
                headers.append(http::header::VARY, HeaderValue::from_static("origin"));
                value
            }
            Err(_) => return,
        },
        Decision::Refused => return,
    };
    headers.insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, allow);
    headers.insert(http::header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(EXPOSED_HEADERS));
}

/// The methods of the public routes `path` has, in the route table's order; empty when it has none.
pub fn public_methods(path: &str) -> Vec<http::Method> {
    use http::Method;
    [Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE]
        .into_iter()
        .filter(|m| matches!(routes::lookup(m, path), Lookup::Found(route, _) if route.access == Access::Public))
        .collect()
}

/// The answer to a preflight of `path`: 204 with what may be sent, or `None` when no public route has the path.
pub fn preflight(path: &str, origin: Option<&str>) -> Option<Response> {
    let methods = public_methods(path);
    if methods.is_empty() {
        return None;
    }
    let mut response = crate::http::no_content();
    let listed: Vec<&str> = methods.iter().map(http::Method::as_str).collect();
    let headers = response.headers_mut();
    let origin = origin.and_then(|o| HeaderValue::from_str(o).ok()).unwrap_or(HeaderValue::from_static("*"));
    let is_star = origin == "*";
    headers.insert(http::header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    if !is_star {
        headers.insert(http::header::VARY, HeaderValue::from_static("origin"));
    }
    if let Ok(value) = HeaderValue::from_str(&listed.join(", ")) {
        headers.insert(http::header::ACCESS_CONTROL_ALLOW_METHODS, value);
    }
    headers.insert(http::header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOWED_HEADERS));
    headers.insert(http::header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE));
    Some(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_list_allows_any_origin_and_a_list_only_its_own() {
        assert_eq!(decide(&[], "https://a.example"), Decision::Any);
        let listed = vec!["https://a.example".to_owned()];
        assert_eq!(decide(&listed, "https://a.example"), Decision::Origin("https://a.example".into()));
        assert_eq!(decide(&listed, "https://b.example"), Decision::Refused);
        assert_eq!(decide(&listed, "https://a.example.evil"), Decision::Refused);
    }

    #[test]
    fn origins_are_scheme_host_and_port_only() {
        assert_eq!(parse_origin("https://App.Example.com").unwrap(), "https://app.example.com");
        assert_eq!(parse_origin("http://127.0.0.1:8080").unwrap(), "http://127.0.0.1:8080");
        for bad in
            ["https://a.example/", "https://a.example/x", "ftp://a.example", "a.example", "*", "https://u@a.example"]
        {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
    }
}
