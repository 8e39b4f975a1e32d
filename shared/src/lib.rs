//! The flows domain crate. Everything that matters lives here; the Lambda binaries in `functions/` and the
//! local server are a few lines each around [`lambda::run`] and [`local::serve`].
//!
//! Layers point down only: handlers → domain model → storage traits; only `store::dynamo` knows the AWS SDK.

pub mod app;

/// Re-exported so that implementations of the crate's traits elsewhere use the same macro.
pub use async_trait::async_trait;

pub mod auth;
pub mod aws;
pub mod config;
pub mod dispatch;
pub mod endpoints;
pub mod error;
pub mod handlers;
pub mod http;
pub mod idempotency;
pub mod lambda;
pub mod local;
pub mod model;
pub mod queue;
pub mod rate_limit;
pub mod routes;
pub mod schedule;
pub mod store;
pub mod telemetry;
pub mod webhooks;
