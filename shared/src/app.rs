//! The composition root: chooses the backends the configuration names and builds the shared state, once per
//! process (outside the Lambda handler). Only this module, [`crate::lambda`] and [`crate::local`] (which call it)
//! know the concrete store and queue; everything below sees traits.

use std::sync::Arc;
use std::time::Duration;

use crate::aws::AwsSettings;
use crate::config::{Backend, Config};
use crate::queue::memory::MemoryQueue;
use crate::queue::sqs::{SqsQueue, MAX_RECEIVE_COUNT};
use crate::queue::Queue;
use crate::state::AppState;
use crate::store::dynamo::DynamoStore;
use crate::store::memory::MemoryStore;
use crate::store::seed::Seed;
use crate::store::Store;
use crate::webhooks::deliver::Deliverer;
use crate::webhooks::ssrf::{Resolver, SystemResolver};

/// The in-memory queue's visibility timeout, as the SQS queue's in `template.yaml`.
const MEMORY_VISIBILITY: Duration = Duration::from_secs(360);

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// An in-memory queue with the SQS queue's visibility timeout and receive limit.
pub fn memory_queue() -> Arc<dyn Queue> {
    Arc::new(MemoryQueue::new(MEMORY_VISIBILITY, MAX_RECEIVE_COUNT))
}

/// A state on `store`, with an in-memory queue and the system's resolver.
pub fn with_store(config: Config, store: Arc<dyn Store>) -> Arc<AppState> {
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
        Backend::Memory => {
            let store = Arc::new(MemoryStore::new());
            if let Some(path) = &config.seed_file {
                let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
                Seed::from_json(&text)?.load(store.as_ref()).await?;
            }
            Ok(AppState::new(config, store, memory_queue(), resolver))
        }
        Backend::Dynamodb => {
            let aws = AwsSettings::from_env()?;
            // Clients built on first use: a function's start makes no client and does no TLS set-up.
            let store = DynamoStore::lazy(aws.lazy_dynamodb(), config.table_name.clone());
            let queue = SqsQueue::connect(aws.lazy_sqs(), &config.queue, Some(&config.dead_letter_queue)).await?;
            Ok(AppState::new(config, Arc::new(store), Arc::new(queue), resolver))
        }
    }
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
    let mut report = crate::services::overdue::run_once(
        state.store.as_ref(),
        &publisher,
        state.config.outbox_sweep_after,
        now,
        deadline,
    )
    .await?;
    // Then the email flows' participants due now, in what time is left.
    let ports = crate::services::email_participants::Ports {
        directory: state.store.as_ref(),
        flows: state.store.as_ref(),
        events: &publisher,
    };
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
