//! The local server: every route of the route table on one port, through the same [`dispatch`] the Lambda
//! functions use. It only turns each incoming request into a `lambda_http::Request` carrying the path and query
//! parameters its router matched.

pub mod demo;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
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

/// Serves requests on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, state: Arc<AppState>) {
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
                async move { Ok::<_, std::convert::Infallible>(handle(state, req).await) }
            });
            if let Err(err) = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await {
                tracing::debug!(error = %err, "connection ended with an error");
            }
        });
    }
}

/// One request, from hyper's types to the shared pipeline and back.
pub async fn handle(state: Arc<AppState>, request: http::Request<Incoming>) -> http::Response<Full<Bytes>> {
    let (parts, body) = request.into_parts();
    let bytes = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            // Too large (or the connection broke while reading): answered before any route runs.
            let mut rejected = response::error(&ApiError::PayloadTooLarge { limit: MAX_BODY_BYTES });
            if let Ok(id) = request_id::from_headers(&parts.headers).parse() {
                rejected.headers_mut().insert(request_id::HEADER, id);
            }
            return to_hyper(rejected);
        }
    };
    let query: HashMap<String, Vec<String>> = parts.uri.query().map(parse_query).unwrap_or_default();
    let (route, params) = match lookup(&parts.method, parts.uri.path()) {
        Lookup::Found(route, params) => (endpoints::for_route(route), params.into_iter().collect::<HashMap<_, _>>()),
        _ => (&FALLBACK, HashMap::new()),
    };
    let request = http::Request::from_parts(parts, lambda_http::Body::from(bytes.to_vec()))
        .with_path_parameters(params)
        .with_query_string_parameters(query);
    to_hyper(dispatch(state, route, request).await)
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
