//! What the end-to-end tests (and the benchmark) share:
//!
//! - [`backends`]: the store and queue of a test on either backend (moto on 127.0.0.1 for DynamoDB and SQS),
//!   and a DynamoDB client whose calls are counted;
//! - [`server`]: the local server started in-process on 127.0.0.1, and a small JSON client;
//! - [`fixtures`]: organizations set up through the public API, and the records the sample events refer to;
//! - [`load`]: mixed load over every route of the route table, for the load test and the bench;
//! - [`faults`]: queues and stores that fail on purpose;
//! - [`receiver`]: a webhook receiver that verifies every signature with its own implementation.

pub mod backends;
pub mod faults;
pub mod fixtures;
pub mod load;
pub mod receiver;
pub mod server;

pub use backends::{store, Backend, DYNAMODB_ENV};
pub use fixtures::{
    avoid_minute_boundary, bench_user, event_seed, start_of_a_window, Org, EVENT_ADMIN_TOKEN, EVENT_FLOW, EVENT_KEY,
};
pub use server::{test_config, Reply, StaticResolver, TestServer, ADMIN_TOKEN};
