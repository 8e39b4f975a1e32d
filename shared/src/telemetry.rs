//! JSON logs through `tracing`. Every line written while a request is handled carries the request's span, and
//! with it the request id.

use tracing_subscriber::filter::Targets;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

use crate::config::FLOWS_LOG;

/// Installs the JSON subscriber once; later calls do nothing (tests call it freely). `FLOWS_LOG` is a level
/// (`info`) or per-target levels (`warn,flows_shared=debug`); a bad value falls back to `info`.
pub fn init() {
    let filter = std::env::var(FLOWS_LOG)
        .ok()
        .and_then(|v| v.parse::<Targets>().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let format = tracing_subscriber::fmt::layer()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_target(false)
        .with_writer(std::io::stderr);
    let _ = tracing_subscriber::registry().with(format).with(filter).try_init();
}
