//! What every HTTP Lambda binary runs: JSON logs, the shared state built once per process (outside the
//! handler), then its endpoint for every event.

use std::convert::Infallible;
use std::sync::Arc;

use lambda_http::{service_fn, Request};

use crate::app::AppState;
use crate::config::Config;
use crate::dispatch::dispatch;
use crate::endpoints::Endpoint;

/// Runs `endpoint` as a Lambda function until the runtime stops it.
pub async fn run(endpoint: &'static Endpoint) -> Result<(), lambda_http::Error> {
    crate::telemetry::init();
    let state = AppState::from_config(Config::from_env()?).await?;
    serve(state, endpoint).await
}

/// Serves Lambda events with `state`, built once, outside the handler.
pub async fn serve(state: Arc<AppState>, endpoint: &'static Endpoint) -> Result<(), lambda_http::Error> {
    lambda_http::run(service_fn(move |request: Request| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(dispatch(state, endpoint, request).await) }
    }))
    .await
}
