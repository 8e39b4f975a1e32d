//! The one request pipeline, for Lambda and the local server alike: the request id; the checks of the caller's
//! credential that need no storage; then the handler and the gate ([`crate::caller`]: key lookup, rate window,
//! idempotency claim) side by side; then the answer: the gate's refusal if it refused, else the handler's
//! response (kept for its `Idempotency-Key` when it succeeded), with the rate limit's headers. Whatever error
//! comes out of any of them is rendered here; none escapes to the runtime (API Gateway would answer a bare 502).

use std::sync::Arc;
use std::time::Instant;

use http::{HeaderValue, Method, StatusCode};
use lambda_http::RequestExt;
use sha2::{Digest, Sha256};
use tracing::Instrument;

use crate::auth;
use crate::caller::{Caller, Credential, Denied, IdempotencyRequest};
use crate::cors;
use crate::error::ApiError;
use crate::handler::{Ctx, Endpoint};
use crate::http::{request_id, response, Response};
use crate::idempotency;
use crate::model::Timestamp;
use crate::rate_limit::{Quota, WINDOW_SECONDS};
use crate::routes::{Access, Place, Route};
use crate::state::AppState;

/// Runs `endpoint` for `request` and always returns a response.
pub async fn dispatch(state: Arc<AppState>, endpoint: &'static Endpoint, request: lambda_http::Request) -> Response {
    let route = endpoint.route;
    let request_id = request_id::from_headers(request.headers());
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        function = route.function,
        method = %request.method(),
        path = %request.uri().path(),
    );
    let head = request.method() == Method::HEAD;
    async move {
        let started = Instant::now();
        let mut response = run(state, endpoint, request_id.clone(), request).await;
        if head {
            // HEAD is the GET without its body; the headers stay, the length the GET's body would have among them.
            let length = response.body().as_ref().len();
            response.headers_mut().insert(http::header::CONTENT_LENGTH, HeaderValue::from(length));
            *response.body_mut() = lambda_http::Body::Empty;
        }
        if let Ok(value) = HeaderValue::from_str(&request_id) {
            response.headers_mut().insert(request_id::HEADER, value);
        }
        tracing::info!(
            status = response.status().as_u16(),
            duration_ms = started.elapsed().as_secs_f64() * 1000.0,
            "request done"
        );
        response
    }
    .instrument(span)
    .await
}

/// The rendering of a handler's error; internal ones are logged with their cause.
fn render(err: &ApiError) -> Response {
    if let ApiError::Internal(cause) = err {
        tracing::error!(error = %cause, "request failed");
    }
    response::error(err)
}

/// What the request presented, checked as far as that is possible without storage.
fn credential(state: &AppState, route: &Route, headers: &http::HeaderMap) -> Result<Credential, ApiError> {
    match route.access {
        Access::Open => Ok(Credential::Open),
        Access::Admin => {
            auth::check_admin(state.config.admin_token.as_deref(), headers)?;
            let token = auth::presented(headers).unwrap_or_default();
            Ok(Credential::Admin { token_hash: hex::encode(Sha256::digest(token.as_bytes())) })
        }
        Access::Secret | Access::Public => {
            let token = auth::presented(headers).ok_or(ApiError::Unauthorized)?;
            Ok(Credential::Key(state.signer.read(&token)?))
        }
    }
}

/// The request's `Idempotency-Key` and fingerprint, for a POST that carries one and a JSON body.
fn idempotency_request(
    route: &Route,
    request: &lambda_http::Request,
    body: Option<&serde_json::Value>,
) -> Result<Option<IdempotencyRequest>, ApiError> {
    if request.method() != Method::POST {
        return Ok(None);
    }
    let Some(key) = idempotency::key_from(request.headers())? else { return Ok(None) };
    // A body that is not JSON never reaches a write: its answer is a 4xx, and nothing is remembered of it.
    let Some(body) = body else { return Ok(None) };
    let target = request.uri().path_and_query().map_or("", |t| t.as_str());
    let fingerprint = idempotency::fingerprint(request.method().as_str(), route.function, target, body);
    Ok(Some(IdempotencyRequest { key, fingerprint }))
}

/// The end user a public-key request names, where its route says (see [`Route::end_user`]).
fn end_user(route: &Route, request: &lambda_http::Request, body: Option<&serde_json::Value>) -> Option<String> {
    let place = route.end_user?;
    let value = match place.place {
        Place::Body => body?.get(place.name)?.as_str()?.to_owned(),
        Place::Query => request.query_string_parameters().first(place.name)?.to_owned(),
        Place::Path => request.path_parameters().first(place.name)?.to_owned(),
    };
    Some(value)
}

async fn run(
    state: Arc<AppState>,
    endpoint: &'static Endpoint,
    request_id: String,
    request: lambda_http::Request,
) -> Response {
    let route = endpoint.route;
    let now = Timestamp::now();
    // The body as JSON, when it is: for the idempotency fingerprint and the end user's id.
    let body = crate::http::body::as_json(request.body().as_ref());
    let checked = credential(&state, route, request.headers())
        .and_then(|credential| Ok((credential, idempotency_request(route, &request, body.as_ref())?)));
    // A browser's request to a public route: its organization's allowed origins decide the CORS headers.
    let origin = (route.access == Access::Public).then(|| cors::origin_of(request.headers())).flatten();
    let (credential, idempotency) = match checked {
        Ok(checked) => checked,
        Err(err) => {
            let mut refused = render(&err);
            if origin.is_some() {
                // No organization is known: any page may read why.
                cors::apply(&cors::Decision::Any, &mut refused);
            }
            return refused;
        }
    };
    let user = end_user(route, &request, body.as_ref());
    let caller =
        Arc::new(Caller::new(route, credential, state.store.clone(), state.config.limits(), now, user, idempotency));
    // The organization's allowed origins are read beside the handler.
    let store = state.store.clone();
    let cors_decision = async {
        match &origin {
            Some(origin) => Some(cors::for_request(&caller, &store, origin).await),
            None => None,
        }
    };
    let ctx = Ctx { state, request_id, caller: caller.clone() };
    let (handled, verdict, decision) = tokio::join!((endpoint.handler)(ctx, request), caller.verdict(), cors_decision);
    let mut response = answer(&caller, handled, verdict).await;
    if let Some(decision) = decision {
        cors::apply(&decision, &mut response);
    }
    response
}

/// The answer: the gate's refusal if it refused, else the handler's (kept for its `Idempotency-Key` when it
/// succeeded), with the rate limit's headers.
async fn answer(
    caller: &Caller,
    handled: Result<Response, ApiError>,
    verdict: &Result<crate::caller::Passed, Denied>,
) -> Response {
    match verdict {
        Err(Denied::Replay(stored)) => {
            let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
            let mut replay = response::raw_json(status, stored.body.clone().into_bytes());
            replay.headers_mut().insert(idempotency::REPLAYED_HEADER, HeaderValue::from_static("true"));
            replay
        }
        Err(denied) => render(&ApiError::from(denied)),
        Ok(passed) => {
            let mut response = handled.unwrap_or_else(|err| render(&err));
            caller.finish(&response).await;
            if let Some(quota) = passed.quota {
                add_quota_headers(&mut response, quota);
            }
            response
        }
    }
}

/// The IETF `RateLimit-Policy` and `RateLimit` headers (structured fields): the window's quota and size, what is
/// left of it and when it resets, so that clients can pace themselves before a 429.
fn add_quota_headers(response: &mut Response, quota: Quota) {
    let policy = format!("\"minute\";q={};w={WINDOW_SECONDS}", quota.limit);
    let current = format!("\"minute\";r={};t={}", quota.remaining, quota.reset);
    for (name, value) in [("ratelimit-policy", policy), ("ratelimit", current)] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().insert(name, value);
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::config::Config;
    use crate::handler::{Ctx, Endpoint, HandlerFuture};
    use crate::model::{KeyKind, OrgId, Organization, Role, Slug, Tier, User, UserId};
    use crate::routes::Object;
    use crate::store::memory::MemoryStore;
    use crate::store::Directory;

    static PUBLIC_PROBE: Route = Route {
        function: "public-probe",
        method: Method::POST,
        path: "/v1/public/probe",
        access: Access::Public,
        object: None,
        end_user: Some(Object { place: Place::Body, name: "userId" }),
        role: Role::Member,
        aliases: &[],
    };

    fn ok(_ctx: Ctx, _request: lambda_http::Request) -> HandlerFuture {
        Box::pin(async { Ok(crate::http::json(StatusCode::OK, &serde_json::json!({}))) })
    }

    static PROBE: Endpoint = Endpoint { route: &PUBLIC_PROBE, handler: ok };

    /// A public key allowed `per_user` requests a minute for each end user, and `ceiling` for all of them.
    async fn state_with_public_key(per_user: u32, ceiling: u32) -> (Arc<AppState>, String) {
        let mut config = Config::for_tests();
        config.rate_limit_public_user = per_user;
        config.rate_limit_standard = ceiling;
        config.rate_limit_public_key_factor = 1;
        let store = Arc::new(MemoryStore::new());
        let state = crate::app::with_store(config, store.clone());
        let now = Timestamp::now();
        let org = Organization::new(OrgId(1), "Acme".into(), Slug::parse("acme").unwrap(), Tier::Standard, now);
        let owner = User {
            id: UserId(1),
            org_id: OrgId(1),
            email: crate::model::Email::parse("a@example.com").ok(),
            name: "A".into(),
            nick: "A".into(),
            external_id: None,
            role: crate::model::Role::Member,
            disabled: false,
            created_at: now,
            deactivated_at: None,
            revision: 0,
            person_indexed: true,
        };
        let (plain, key) =
            state.signer.generate(KeyKind::Public, OrgId(1), (UserId(1), Role::Admin), Tier::Standard, now);
        store.create_organization(&org, &owner, &[key], None).await.unwrap();
        (state, plain)
    }

    fn request(key: &str, user: &str) -> lambda_http::Request {
        http::Request::builder()
            .method("POST")
            .uri("/v1/public/probe")
            .header("authorization", format!("Bearer {key}"))
            .header("content-type", "application/json")
            .body(lambda_http::Body::from(serde_json::json!({ "userId": user }).to_string()))
            .unwrap()
    }

    #[tokio::test]
    async fn a_public_key_counts_each_end_user_apart() {
        // GIVEN a public key, two requests a minute per end user
        crate::rate_limit::tests_avoid_window_end().await;
        let (state, key) = state_with_public_key(2, 100).await;

        // WHEN one end user spends the window
        for _ in 0..2 {
            assert_eq!(dispatch(state.clone(), &PROBE, request(&key, "user-a")).await.status(), 200);
        }
        let third = dispatch(state.clone(), &PROBE, request(&key, "user-a")).await;

        // THEN that user is limited, and another user of the same key is not
        assert_eq!(third.status(), 429);
        assert_eq!(dispatch(state.clone(), &PROBE, request(&key, "user-b")).await.status(), 200);
    }

    #[tokio::test]
    async fn a_public_key_has_a_ceiling_over_all_its_end_users() {
        // GIVEN a public key, three requests a minute per end user and five for all of them
        crate::rate_limit::tests_avoid_window_end().await;
        let (state, key) = state_with_public_key(3, 5).await;

        // WHEN two users spend three and two, and a third user comes
        for user in ["user-a", "user-a", "user-a", "user-b", "user-b"] {
            assert_eq!(dispatch(state.clone(), &PROBE, request(&key, user)).await.status(), 200);
        }
        let third_user = dispatch(state.clone(), &PROBE, request(&key, "user-c")).await;

        // THEN the key's ceiling refuses the new user (invented ids buy no more), with the project's 429
        assert_eq!(third_user.status(), 429);
        assert!(third_user.headers().contains_key("retry-after"));
        let body: serde_json::Value = serde_json::from_slice(third_user.body().as_ref()).unwrap();
        assert_eq!(body["error"], "rate_limit_exceeded");
    }

    #[tokio::test]
    async fn the_default_public_limits_carry_a_browser_session() {
        // GIVEN the default configuration
        let limits = Config::for_tests().limits();

        // THEN one end user may make 120 requests a minute (a tab's two calls per action and a refresh on each focus)
        // and a key ten times its tier's limit over all its users
        assert_eq!(limits.public_per_user, 120);
        assert_eq!(limits.public_key_ceiling(crate::model::Tier::Standard), 1000);
    }
}
