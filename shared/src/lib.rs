//! The flows domain crate. Everything that matters lives here; the Lambda binaries in `functions/` and the local
//! server are a few lines each around [`lambda::run`] and [`local::run`].
//!
//! # Layers
//!
//! Modules are layered, and a module imports only from its own layer and the layers below it ([`LAYERS`], bottom
//! first; `shared/tests/layers.rs` fails on an import that points up, and on any import circle):
//!
//! 0. [`model`]: newtypes that validate on parse, the entities; no I/O.
//! 1. [`error`] (the one error type), [`config`] (every environment variable), [`lazy`] (values built on first use).
//! 2. The ports and plumbing: [`store`] (the storage traits, and seeds written through them), [`queue`] (the
//!    queue traits), [`routes`] (the route table), [`http`] (bodies, typed inputs with their schemas, responses),
//!    [`telemetry`], [`tls`] (the one TLS crypto provider).
//! 3. The adapters: [`store::memory`], [`store::dynamo`], [`queue::memory`], [`queue::sqs`], and [`aws`] (SDK
//!    clients). Only `store::dynamo`, `queue::sqs` and `aws` know the AWS SDK.
//! 4. [`store::any`] and [`queue::any`]: the store and queue the composition root chose, DynamoDB and SQS by their
//!    types (so that a function links only the calls it makes), anything else behind `dyn`.
//! 5. Rules on their own: [`auth`] (key format and MAC, the admin token), [`rate_limit`], [`idempotency`],
//!    Standard Webhooks [`webhooks::signing`], the SSRF guard [`webhooks::ssrf`].
//! 6. [`caller`] (who a request acts for, and the gate every write passes), [`cors`] (what browsers may do), [`webhooks::publish`] (the outbox's
//!    hand-off), [`webhooks::deliver`] and [`webhooks::consumer`] (deliveries).
//! 7. [`services`]: the business operations, by resource, on narrow store traits.
//! 8. [`state`]: the state requests share (configuration and ports).
//! 9. [`handler`]: what a handler is (`Ctx`, `Endpoint`).
//! 10. [`handlers`]: one per endpoint, grouped by API: parse, one service call, render.
//! 11. [`endpoints`] (each route bound to its handler), [`dispatch`] (the one pipeline) and [`openapi`] (the
//!     document, from the route table, the inputs and the views).
//! 12. The composition root: [`app`] (chooses the adapters and builds the state), and what runs it: [`lambda`]
//!     and [`local`].

pub mod app;

/// Re-exported so that implementations of the crate's traits elsewhere use the same macro.
pub use async_trait::async_trait;

pub mod auth;
pub mod aws;
pub mod caller;
pub mod config;
pub mod cors;
pub mod dispatch;
pub mod endpoints;
pub mod error;
pub mod handler;
pub mod handlers;
pub mod http;
pub mod idempotency;
pub mod lambda;
pub mod lazy;
pub mod local;
pub mod model;
pub mod openapi;
pub mod queue;
pub mod rate_limit;
pub mod routes;
pub mod services;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod tls;
pub mod webhooks;

/// The layers of the modules above, bottom first: a module path belongs to the entry that is its longest prefix.
pub const LAYERS: &[&[&str]] = &[
    &["model"],
    &["error", "config", "lazy"],
    &["store", "queue", "routes", "http", "telemetry", "tls"],
    &["store::memory", "store::dynamo", "queue::memory", "queue::sqs", "aws"],
    &["store::any", "queue::any"],
    &["auth", "rate_limit", "idempotency", "webhooks::signing", "webhooks::ssrf"],
    &["caller", "cors", "webhooks::publish", "webhooks::deliver", "webhooks::consumer", "webhooks"],
    &["services"],
    &["state"],
    &["handler"],
    &["handlers"],
    &["endpoints", "dispatch", "openapi"],
    &["app", "lambda", "local"],
];
