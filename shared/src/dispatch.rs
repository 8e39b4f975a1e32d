//! The one request pipeline, for Lambda and the local server alike: request id, access (admin token or API key),
//! rate limit, idempotency, the route's handler, and the rendering of whatever error came out of any of them.
//! No error escapes to the runtime (API Gateway would answer a bare 502).

use std::sync::Arc;
use std::time::Instant;

use http::{HeaderValue, Method, StatusCode};
use tracing::Instrument;

use crate::app::AppState;
use crate::auth;
use crate::endpoints::Endpoint;
use crate::error::ApiError;
use crate::http::{request_id, response, Response};
use crate::idempotency::{self, fingerprint, scoped_key};
use crate::model::{ApiKey, KeyKind, OrgId, Timestamp, UserId};
use crate::rate_limit;
use crate::routes::Access;
use crate::store::{IdempotencyBegin, IdempotencyClaim, StoredResponse};

/// What a handler is given besides the request.
#[derive(Clone)]
pub struct Ctx {
    pub state: Arc<AppState>,
    pub request_id: String,
    /// The request's time, read once so that everything the request writes agrees.
    pub now: Timestamp,
    /// The caller's key, on routes that take one.
    pub key: Option<ApiKey>,
}

impl Ctx {
    /// The caller's key; only the admin and open routes have none.
    pub fn key(&self) -> Result<&ApiKey, ApiError> {
        self.key.as_ref().ok_or_else(|| ApiError::internal("route without a key asked for the caller's key"))
    }

    pub fn org(&self) -> Result<OrgId, ApiError> {
        self.key().map(|k| k.org_id)
    }

    pub fn user(&self) -> Result<UserId, ApiError> {
        self.key().map(|k| k.user_id)
    }
}

/// Runs `route` for `request` and always returns a response.
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
        let mut response = match run(state, endpoint, request_id.clone(), request).await {
            Ok(response) => response,
            Err(err) => {
                if let ApiError::Internal(cause) = &err {
                    tracing::error!(error = %cause, "request failed");
                }
                response::error(&err)
            }
        };
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

async fn run(
    state: Arc<AppState>,
    endpoint: &'static Endpoint,
    request_id: String,
    request: lambda_http::Request,
) -> Result<Response, ApiError> {
    let route = endpoint.route;
    let now = Timestamp::now();
    let key = match route.access {
        Access::Open => None,
        Access::Admin => {
            auth::check_admin(state.config.admin_token.as_deref(), request.headers())?;
            None
        }
        Access::Secret | Access::Public => {
            let key = auth::authenticate(state.store.as_ref(), request.headers()).await?;
            if route.access == Access::Secret && key.kind != KeyKind::Secret {
                return Err(ApiError::Forbidden("This route requires a secret API key".into()));
            }
            rate_limit::enforce(state.store.as_ref(), &state.config, &key, None, now).await?;
            Some(key)
        }
    };
    let scope = key.as_ref().map_or_else(|| "admin".to_owned(), |k| k.org_id.to_string());
    let ctx = Ctx { state, request_id, now, key };
    let idempotency_key = match *request.method() {
        Method::POST => idempotency::key_from(request.headers())?,
        _ => None,
    };
    let Some(idem_key) = idempotency_key else {
        return (endpoint.handler)(ctx, request).await;
    };

    let store = ctx.state.store.clone();
    let record = scoped_key(&scope, route.function, &idem_key);
    let uri = request.uri().path_and_query().map_or("", |p| p.as_str()).to_owned();
    let print = fingerprint(request.method().as_str(), &uri, request.body().as_ref());
    let expires_at = now.unix() + idempotency::TTL_SECONDS;
    let claim = IdempotencyClaim {
        key: &record,
        fingerprint: &print,
        now: now.unix(),
        locked_until: now.unix() + idempotency::LOCK_SECONDS,
        expires_at,
    };
    let begin = store.begin(&claim).await.map_err(crate::http::store_error)?;
    match begin {
        IdempotencyBegin::Replay(stored) => {
            let status = StatusCode::from_u16(stored.status).unwrap_or(StatusCode::OK);
            let mut replay = response::raw_json(status, stored.body.into_bytes());
            replay.headers_mut().insert(idempotency::REPLAYED_HEADER, HeaderValue::from_static("true"));
            Ok(replay)
        }
        IdempotencyBegin::InFlight => {
            Err(ApiError::conflict("A request with this Idempotency-Key is still being processed; retry later"))
        }
        IdempotencyBegin::Mismatch => Err(ApiError::IdempotencyMismatch),
        IdempotencyBegin::Started => {
            let result = (endpoint.handler)(ctx, request).await;
            let rendered = match result {
                Ok(response) => response,
                Err(err) => response::error(&err),
            };
            let status = rendered.status();
            if status.is_server_error() || status == StatusCode::TOO_MANY_REQUESTS {
                // Worth retrying: forget the key so that the retry runs again.
                if let Err(err) = store.release(&record).await {
                    tracing::warn!(error = %err, "could not release an idempotency key");
                }
            } else {
                let stored = StoredResponse {
                    status: status.as_u16(),
                    body: String::from_utf8_lossy(rendered.body().as_ref()).into_owned(),
                };
                if let Err(err) = store.complete(&record, &print, &stored, expires_at).await {
                    tracing::warn!(error = %err, "could not store an idempotent response");
                }
            }
            Ok(rendered)
        }
    }
}
