//! The one request pipeline, for Lambda and the local server alike: the request id; the checks of the caller's
//! credential that need no storage; then the handler and the gate ([`crate::caller`]: key lookup, rate window,
//! idempotency claim) side by side; then the answer: the gate's refusal if it refused, else the handler's
//! response (kept for its `Idempotency-Key` when it succeeded), with the rate limit's headers. Whatever error
//! comes out of any of them is rendered here; none escapes to the runtime (API Gateway would answer a bare 502).

use std::sync::Arc;
use std::time::Instant;

use http::{HeaderValue, Method, StatusCode};
use sha2::{Digest, Sha256};
use tracing::Instrument;

use crate::auth;
use crate::caller::{Caller, Credential, Denied, IdempotencyRequest};
use crate::error::ApiError;
use crate::handler::{Ctx, Endpoint};
use crate::http::{request_id, response, Response};
use crate::idempotency;
use crate::model::Timestamp;
use crate::rate_limit::{Quota, WINDOW_SECONDS};
use crate::routes::{Access, Route};
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
    async move {
        let started = Instant::now();
        let mut response = run(state, endpoint, request_id.clone(), request).await;
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
            let token = auth::bearer(headers).unwrap_or_default();
            Ok(Credential::Admin { token_hash: hex::encode(Sha256::digest(token.as_bytes())) })
        }
        Access::Secret | Access::Public => {
            let token = auth::bearer(headers).ok_or(ApiError::Unauthorized)?;
            Ok(Credential::Key(state.signer.read(token)?))
        }
    }
}

/// The request's `Idempotency-Key` and fingerprint, for a POST that carries one and a JSON body.
fn idempotency_request(route: &Route, request: &lambda_http::Request) -> Result<Option<IdempotencyRequest>, ApiError> {
    if request.method() != Method::POST {
        return Ok(None);
    }
    let Some(key) = idempotency::key_from(request.headers())? else { return Ok(None) };
    // A body that is not JSON never reaches a write: its answer is a 4xx, and nothing is remembered of it.
    let Ok(body) = serde_json::from_slice::<serde_json::Value>(request.body().as_ref()) else { return Ok(None) };
    let fingerprint = idempotency::fingerprint(request.method().as_str(), route.function, &body);
    Ok(Some(IdempotencyRequest { key, fingerprint }))
}

async fn run(
    state: Arc<AppState>,
    endpoint: &'static Endpoint,
    request_id: String,
    request: lambda_http::Request,
) -> Response {
    let route = endpoint.route;
    let now = Timestamp::now();
    let checked = credential(&state, route, request.headers())
        .and_then(|credential| Ok((credential, idempotency_request(route, &request)?)));
    let (credential, idempotency) = match checked {
        Ok(checked) => checked,
        Err(err) => return render(&err),
    };
    let caller =
        Arc::new(Caller::new(route, credential, state.store.clone(), state.config.limits(), now, None, idempotency));
    let ctx = Ctx { state, request_id, caller: caller.clone() };
    let (handled, verdict) = tokio::join!((endpoint.handler)(ctx, request), caller.verdict());
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
