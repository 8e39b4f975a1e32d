//! What the end-to-end tests (and the benchmark) share:
//!
//! - [`backends`]: the store and queue of a test on either backend (moto on 127.0.0.1 for DynamoDB and SQS),
//!   and a DynamoDB client whose calls are counted;
//! - [`server`]: the local server started in-process on 127.0.0.1, and a small JSON client;
//! - [`fixtures`]: organizations set up through the public API, and the records the sample events refer to;
//! - [`load`]: mixed load over every route of the route table, for the load test and the bench;
//! - [`faults`]: queues and stores that fail on purpose;
//! - [`receiver`]: a webhook receiver that verifies every signature with its own implementation;
//! - [`superoffice`]: email flows set up through SuperOffice's workflow agent.

pub mod backends;
pub mod faults;
pub mod fixtures;
pub mod load;
pub mod receiver;
pub mod server;
pub mod superoffice;

pub use backends::{store, Backend, DYNAMODB_ENV};
pub use fixtures::{
    avoid_minute_boundary, bench_user, event_seed, start_of_a_window, Org, EVENT_ADMIN_TOKEN, EVENT_FLOW, EVENT_KEY,
};
pub use server::{http_client, test_config, Reply, StaticResolver, TestServer, ADMIN_TOKEN};

/// Whether `status` is what `route` answers a caller it serves: a success, except for the workflow agent's methods
/// this system does not offer, whose answer is a 501.
pub fn served(route: &flows_shared::routes::Route, status: u16) -> bool {
    if std::ptr::eq(route, &flows_shared::routes::WORKFLOW_UNSUPPORTED) {
        status == 501
    } else {
        (200..300).contains(&status)
    }
}
