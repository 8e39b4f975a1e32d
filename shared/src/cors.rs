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

/// Whether `raw` is an origin as browsers send it: `http(s)://host[:port]`, nothing after; or such an origin whose
/// host starts with `*.`, which stands for any one label there (`https://*.example.com` allows
/// `https://app.example.com`, not `https://example.com` nor `https://a.b.example.com`).
pub fn parse_origin(raw: &str) -> Result<String, String> {
    let invalid = || {
        "must be an origin such as https://app.example.com (scheme, host and port only; *. may stand for the host's \
         first label)"
            .to_owned()
    };
    if let Some((scheme, rest)) = raw.split_once("://*.") {
        // The rest must be an origin's host of two labels or more (`*.com` would allow half the web).
        let concrete = parse_origin(&format!("{scheme}://{WILDCARD_LABEL}.{rest}")).map_err(|_| invalid())?;
        let host = concrete.split_once("://").map_or("", |(_, h)| h);
        if host.split(':').next().unwrap_or_default().matches('.').count() < 2 {
            return Err(invalid());
        }
        return Ok(concrete.replacen(&format!("://{WILDCARD_LABEL}."), "://*.", 1));
    }
    let url = url::Url::parse(raw).map_err(|_| invalid())?;
    let bare = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && url.username().is_empty()
        && !url.host_str().unwrap_or_default().contains('*')
        && !raw.ends_with('/');
    if bare {
        Ok(url.origin().ascii_serialization())
    } else {
        Err(invalid())
    }
}

/// The label a wildcard stands for while its origin is checked.
const WILDCARD_LABEL: &str = "wildcard-label";

/// Whether an allowed origin (`https://app.example.com`, or `https://*.example.com`) allows `origin`.
pub fn allows(allowed: &str, origin: &str) -> bool {
    if allowed == origin {
        return true;
    }
    let Some((scheme, rest)) = allowed.split_once("://*.") else { return false };
    let Some(host) = origin.strip_prefix(scheme).and_then(|o| o.strip_prefix("://")) else { return false };
    match host.split_once('.') {
        Some((label, after)) => {
            !label.is_empty() && after == rest && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        }
        None => false,
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
    } else if allowed.iter().any(|a| allows(a, origin)) {
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
    // And for any client that asks what the path takes: every method, HEAD with GET, and OPTIONS itself.
    let mut allow = listed.clone();
    if methods.contains(&http::Method::GET) {
        allow.push("HEAD");
    }
    allow.push("OPTIONS");
    if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
        headers.insert(http::header::ALLOW, value);
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
    fn a_wildcard_stands_for_one_label_of_the_host() {
        let listed = vec![parse_origin("https://*.Example.com").unwrap()];
        assert_eq!(listed[0], "https://*.example.com");
        assert_eq!(decide(&listed, "https://app.example.com"), Decision::Origin("https://app.example.com".into()));
        for refused in [
            "https://example.com",
            "https://a.b.example.com",
            "http://app.example.com",
            "https://app.example.com.evil",
            "https://app.example.com:8443",
            "https://.example.com",
        ] {
            assert_eq!(decide(&listed, refused), Decision::Refused, "{refused}");
        }
        let with_port = vec![parse_origin("https://*.example.com:8443").unwrap()];
        assert_eq!(
            decide(&with_port, "https://a.example.com:8443"),
            Decision::Origin("https://a.example.com:8443".into())
        );
        for bad in [
            "https://*.com",
            "https://*",
            "https://a.*.example.com",
            "https://*.example.com/x",
            "https://**.example.com",
        ] {
            assert!(parse_origin(bad).is_err(), "{bad}");
        }
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
