//! End-to-end tests: every route driven over HTTP against the local server, each test once on the in-memory
//! backend and once on DynamoDB and SQS (moto on 127.0.0.1, started by `make test`).

mod admin_and_keys;
mod assign;
mod assignments_and_reports;
mod clients;
mod concurrency;
mod contract;
mod cors;
mod docs;
mod flowdock_flows;
mod flows_and_users;
mod frigade_states;
mod hardening;
mod isolation;
mod openapi;
mod people;
mod plumbing;
mod queue_contract;
mod roles;
mod schedule;
mod store_contract;
mod superoffice;
mod superoffice_runs;
mod template_and_events;
mod user_tokens;
mod webhook_delivery;
mod webhooks_api;

/// Runs each named `async fn(Backend)` as two tests, `memory::name` and `dynamodb::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod memory {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(flows_testkit::Backend::Memory).await
                }
            )*
        }
        mod dynamodb {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    super::$name(flows_testkit::Backend::Dynamodb).await
                }
            )*
        }
    };
}
