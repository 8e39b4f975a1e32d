//! The composition root: chooses the backends the configuration names and builds the shared state, once per
//! process (outside the Lambda handler). Only this module, [`crate::lambda`] and [`crate::local`] (which call it)
//! know the concrete store and queue; everything below sees traits.

use std::sync::Arc;
use std::time::Duration;

use crate::aws::AwsSettings;
use crate::config::{Backend, Config};
use crate::queue::any::AnyQueue;
use crate::queue::memory::MemoryQueue;
use crate::queue::sqs::{SqsQueue, MAX_RECEIVE_COUNT};
use crate::state::AppState;
use crate::store::any::AnyStore;
use crate::store::dynamo::DynamoStore;
use crate::store::memory::MemoryStore;
use crate::store::seed::Seed;
use crate::webhooks::deliver::Deliverer;
use crate::webhooks::ssrf::{Resolver, SystemResolver};

/// The in-memory queue's visibility timeout, as the SQS queue's in `template.yaml`.
const MEMORY_VISIBILITY: Duration = Duration::from_secs(360);

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An in-memory queue with the SQS queue's visibility timeout and receive limit.
pub fn memory_queue() -> AnyQueue {
    Arc::new(MemoryQueue::new(MEMORY_VISIBILITY, MAX_RECEIVE_COUNT)).into()
}

/// A state on `store`, with an in-memory queue and the system's resolver.
pub fn with_store(config: Config, store: impl Into<AnyStore>) -> Arc<AppState> {
    AppState::new(config, store, memory_queue(), Arc::new(SystemResolver))
}

/// An in-memory state with `config`.
pub fn in_memory(config: Config) -> Arc<AppState> {
    with_store(config, Arc::new(MemoryStore::new()))
}

/// Builds the state `config` describes: the in-memory store and queue (the store seeded from
/// `FLOWS_SEED_FILE` when set), or DynamoDB and SQS with clients built from the standard AWS variables (see
/// [`crate::aws`]).
pub async fn build(config: Config) -> Result<Arc<AppState>, BoxError> {
    build_with_resolver(config, Arc::new(SystemResolver)).await
}

pub async fn build_with_resolver(config: Config, resolver: Arc<dyn Resolver>) -> Result<Arc<AppState>, BoxError> {
    match config.backend {
        Backend::Memory => in_memory_seeded(config, resolver).await,
        Backend::Dynamodb => on_aws(config, resolver).await,
    }
}

/// What a Lambda function runs on: DynamoDB and SQS. Built with the `lambda-memory` feature (the bench builds its
/// functions so), it runs on the in-memory store too when `FLOWS_BACKEND=memory`; a deployment's build leaves the
/// in-memory store and the seed loader out of every function.
pub async fn build_for_lambda(config: Config) -> Result<Arc<AppState>, BoxError> {
    #[cfg(feature = "lambda-memory")]
    return build(config).await;
    #[cfg(not(feature = "lambda-memory"))]
    match config.backend {
        Backend::Dynamodb => on_aws(config, Arc::new(SystemResolver)).await,
        Backend::Memory => Err("FLOWS_BACKEND is memory, but this function was built for DynamoDB only: run the \
                                in-memory store with `make run`, or build the functions with `--features memory`"
            .into()),
    }
}

/// The in-memory store and queue, the store seeded from `FLOWS_SEED_FILE` when set.
async fn in_memory_seeded(config: Config, resolver: Arc<dyn Resolver>) -> Result<Arc<AppState>, BoxError> {
    let store = Arc::new(MemoryStore::new());
    if let Some(path) = &config.seed_file {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        Seed::from_json(&text)?.load(store.as_ref()).await?;
    }
    Ok(AppState::new(config, store, memory_queue(), resolver))
}

/// DynamoDB and SQS, with clients built from the standard AWS variables on first use: a function's start makes no
/// client and does no TLS set-up.
async fn on_aws(config: Config, resolver: Arc<dyn Resolver>) -> Result<Arc<AppState>, BoxError> {
    let aws = AwsSettings::from_env()?;
    let store = DynamoStore::lazy(aws.lazy_dynamodb(), config.table_name.clone());
    let queue = SqsQueue::connect(aws.lazy_sqs(), &config.queue, Some(&config.dead_letter_queue)).await?;
    Ok(AppState::new(config, Arc::new(store), Arc::new(queue), resolver))
}

/// The webhook deliverer the state's configuration describes.
pub fn deliverer(state: &AppState) -> Result<Deliverer, reqwest::Error> {
    Deliverer::new(
        state.resolver.clone(),
        state.config.local_mode,
        state.config.retry_schedule.clone(),
        state.config.webhook_timeout,
    )
}

/// One scheduled run (overdue assignments, outbox sweep, then the email flows' due participants) on `state`'s ports, working for at most `budget`.
pub async fn scheduled_run_within(
    state: &AppState,
    now: crate::model::Timestamp,
    budget: Duration,
) -> Result<crate::services::overdue::RunReport, crate::store::StoreError> {
    let deadline = std::time::Instant::now() + budget;
    let publisher = state.publisher();
    let mut report =
        crate::services::overdue::run_once(&state.store, &publisher, state.config.outbox_sweep_after, now, deadline)
            .await?;
    // Then the email flows' participants due now, in what time is left.
    let ports =
        crate::services::email_participants::Ports { directory: &state.store, flows: &state.store, events: &publisher };
    match crate::services::email_participants::run_due(ports, now, deadline, None).await {
        Ok(run) => {
            if run.moved > 0 || run.failed > 0 {
                tracing::info!(
                    moved = run.moved,
                    steps = run.steps,
                    held = run.held,
                    failed = run.failed,
                    "email flow participants moved"
                );
            }
            report.participants = run;
        }
        Err(err) => tracing::warn!(error = %err, "the email flows' participants could not be read; next run"),
    }
    Ok(report)
}

/// One scheduled run with a minute to work (the schedule's period).
pub async fn scheduled_run(
    state: &AppState,
    now: crate::model::Timestamp,
) -> Result<crate::services::overdue::RunReport, crate::store::StoreError> {
    scheduled_run_within(state, now, Duration::from_secs(50)).await
}

/// The local server's schedule: a run every `FLOWS_SCHEDULE_INTERVAL_MS`, until the task is dropped.
pub async fn run_schedule(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(state.config.schedule_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        // Runs follow each other (a late tick waits), so each may take the deployed run's budget.
        if let Err(err) = scheduled_run(&state, crate::model::Timestamp::now()).await {
            tracing::warn!(error = %err, "scheduled run failed");
        }
    }
}

/// The local server's delivery consumer on `state`'s store and queue.
pub async fn run_consumer(state: Arc<AppState>, deliverer: Arc<Deliverer>, workers: usize) {
    crate::webhooks::consumer::run_local(state.store.clone(), state.queue.clone(), deliverer, workers).await
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deployed function carries no in-memory store: asked for one, it stops at start, saying why.
    #[cfg(not(feature = "lambda-memory"))]
    #[tokio::test]
    async fn a_function_built_for_deployment_refuses_the_memory_backend() {
        let mut config = Config::for_tests();
        config.backend = Backend::Memory;
        let err = build_for_lambda(config).await.err().expect("refused");
        assert!(err.to_string().contains("built for DynamoDB only"), "{err}");
    }

    /// Built for the bench, the same function runs in memory.
    #[cfg(feature = "lambda-memory")]
    #[tokio::test]
    async fn a_function_built_with_the_memory_feature_runs_in_memory() {
        let mut config = Config::for_tests();
        config.backend = Backend::Memory;
        assert!(build_for_lambda(config).await.is_ok());
    }
}
