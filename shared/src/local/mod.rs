//! The local server: every route of the route table on one port, through the same [`dispatch`] the Lambda
//! functions use. It only turns each incoming request into a `lambda_http::Request` carrying the path and query
//! parameters its router matched.

pub mod demo;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use lambda_http::RequestExt;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::dispatch::dispatch;
use crate::endpoints::{self, FALLBACK};
use crate::error::ApiError;
use crate::http::body::MAX_BODY_BYTES;
use crate::http::{request_id, response};
use crate::routes::{lookup, Lookup};
use crate::state::AppState;

/// Delivery loops the local server runs, each taking up to ten messages at a time.
pub const CONSUMER_WORKERS: usize = 8;

/// How long the local server waits for a client, as API Gateway does not wait forever either: a request's headers
/// must arrive within `headers` (the connection is closed otherwise), its body within `body` (a 408).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReadTimeouts {
    pub headers: Duration,
    pub body: Duration,
}

impl Default for ReadTimeouts {
    fn default() -> Self {
        Self { headers: Duration::from_secs(10), body: Duration::from_secs(30) }
    }
}

/// Serves requests on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, state: Arc<AppState>) {
    serve_with(listener, state, ReadTimeouts::default()).await;
}

/// [`serve`], with the client's time bounded by `timeouts`.
pub async fn serve_with(listener: TcpListener, state: Arc<AppState>, timeouts: ReadTimeouts) {
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(conn) => conn,
            Err(err) => {
                tracing::warn!(error = %err, "accept failed");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let state = state.clone();
                async move { Ok::<_, std::convert::Infallible>(handle_within(state, req, timeouts.body).await) }
            });
            let mut builder = http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(timeouts.headers);
            if let Err(err) = builder.serve_connection(TokioIo::new(stream), service).await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
        });
    }
}

/// One request, from hyper's types to the shared pipeline and back.
pub async fn handle(state: Arc<AppState>, request: http::Request<Incoming>) -> http::Response<Full<Bytes>> {
    handle_within(state, request, ReadTimeouts::default().body).await
}

/// [`handle`], with the body's arrival bounded by `body_timeout`.
async fn handle_within(
    state: Arc<AppState>,
    request: http::Request<Incoming>,
    body_timeout: Duration,
) -> http::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(body_timeout, Limited::new(body, MAX_BODY_BYTES).collect()).await;
    let bytes = match read {
        Ok(Ok(collected)) => collected.to_bytes(),
        // Too large (or the connection broke while reading), or too slow: answered before any route runs.
        refused => {
            let err = match refused {
                Err(_) => ApiError::RequestTimeout { seconds: body_timeout.as_secs().max(1) },
                _ => ApiError::PayloadTooLarge { limit: MAX_BODY_BYTES },
            };
            let mut rejected = response::error(&err);
            rejected.headers_mut().insert(http::header::CONNECTION, http::HeaderValue::from_static("close"));
            if let Ok(id) = request_id::from_headers(&parts.headers).parse() {
                rejected.headers_mut().insert(request_id::HEADER, id);
            }
            return to_hyper(rejected);
        }
    };
    let query: HashMap<String, Vec<String>> = parts.uri.query().map(parse_query).unwrap_or_default();
    let (route, params) = match lookup(&parts.method, parts.uri.path()) {
        Lookup::Found(route, params) => (endpoints::for_route(route), decoded(params)),
        _ => (&FALLBACK, HashMap::new()),
    };
    let request = http::Request::from_parts(parts, lambda_http::Body::from(bytes.to_vec()))
        .with_path_parameters(params)
        .with_query_string_parameters(query);
    to_hyper(dispatch(state, route, request).await)
}

/// Path parameters as API Gateway's HTTP API hands them to a function: matched on the raw path, then each
/// percent-decoded once (`a%20b` is `a b`, `%2e%2e` is `..`, `%F0%9F%98%80` is 😀). Bytes that are not UTF-8 become
/// U+FFFD, which names nothing.
fn decoded(params: Vec<(String, String)>) -> HashMap<String, String> {
    params
        .into_iter()
        .map(|(name, raw)| (name, percent_encoding::percent_decode_str(&raw).decode_utf8_lossy().into_owned()))
        .collect()
}

fn parse_query(query: &str) -> HashMap<String, Vec<String>> {
    let mut out: HashMap<String, Vec<String>> = HashMap::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        out.entry(k.into_owned()).or_default().push(v.into_owned());
    }
    out
}

fn to_hyper(response: crate::http::Response) -> http::Response<Full<Bytes>> {
    let (parts, body) = response.into_parts();
    http::Response::from_parts(parts, Full::new(Bytes::copy_from_slice(body.as_ref())))
}

/// `make run`: configuration from the environment, the demo organization in memory mode, then serve, deliver
/// webhooks and run the schedule in-process until Ctrl-C.
pub async fn run() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    crate::telemetry::init();
    let config = Config::from_env()?;
    let addr = SocketAddr::from(([127, 0, 0, 1], config.port));
    let listener = TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let mut config = config;
    config.local_mode = true;
    if config.port == 0 {
        // Flowdock's `url` fields point at the address actually bound.
        config.api_base_url = format!("http://{bound}");
        config.web_base_url = format!("http://{bound}");
    }
    if config.create_resources && config.backend == crate::config::Backend::Dynamodb {
        crate::aws::AwsSettings::from_env()?.create_resources(&config).await?;
    }
    let state = crate::app::build(config).await?;
    println!("flows local server listening on http://{bound} ({:?} backend)", state.config.backend);
    if state.config.backend == crate::config::Backend::Memory {
        let demo = demo::seed(&state).await?;
        println!("{}", demo.instructions(&format!("http://{bound}")));
    }
    let deliverer = Arc::new(crate::app::deliverer(&state)?);
    tokio::select! {
        () = serve(listener, state.clone()) => {}
        () = crate::app::run_consumer(state.clone(), deliverer, CONSUMER_WORKERS) => {}
        () = crate::app::run_schedule(state) => {}
        _ = tokio::signal::ctrl_c() => println!("shutting down"),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_parameters_are_decoded_once_after_matching() {
        let params = decoded(vec![
            ("userId".into(), "a%20b".into()),
            ("flowSlug".into(), "%2e%2e".into()),
            ("emoji".into(), "%F0%9F%98%80".into()),
            ("twice".into(), "%2541".into()),
            ("broken".into(), "%FF".into()),
        ]);
        assert_eq!(params["userId"], "a b");
        assert_eq!(params["flowSlug"], "..");
        assert_eq!(params["emoji"], "😀");
        // Decoded once: `%2541` is `%41`, never `A`.
        assert_eq!(params["twice"], "%41");
        assert_eq!(params["broken"], "\u{fffd}");
    }

    #[test]
    fn the_local_server_waits_for_a_client_as_the_issue_decided() {
        assert_eq!(
            ReadTimeouts::default(),
            ReadTimeouts { headers: Duration::from_secs(10), body: Duration::from_secs(30) }
        );
    }
}
