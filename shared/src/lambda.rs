//! What every Lambda binary runs: JSON logs, the shared state built once per process (outside the handler), then,
//! for every event, its endpoint (HTTP functions), a batch of deliveries (the webhook consumer) or a scheduled run
//! (the overdue checker).

use std::convert::Infallible;
use std::sync::Arc;

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent, SqsMessage};
use lambda_http::{service_fn, Request};

use crate::app;
use crate::config::Config;
use crate::dispatch::dispatch;
use crate::endpoints::Endpoint;
use crate::queue::ReceivedMessage;
use crate::state::AppState;
use crate::webhooks::deliver::Deliverer;

/// Runs `endpoint` as a Lambda function until the runtime stops it.
pub async fn run(endpoint: &'static Endpoint) -> Result<(), lambda_http::Error> {
    crate::telemetry::init();
    let state = app::build_for_lambda(Config::from_env()?).await?;
    serve(state, endpoint).await
}

/// Serves Lambda events with `state`, built once, outside the handler.
pub async fn serve(state: Arc<AppState>, endpoint: &'static Endpoint) -> Result<(), lambda_http::Error> {
    lambda_http::run(service_fn(move |request: Request| {
        let state = state.clone();
        async move { Ok::<_, Infallible>(dispatch(state, endpoint, request).await) }
    }))
    .await
}

/// The webhook consumer: each SQS batch is delivered concurrently; messages to try again later (their
/// visibility already moved to the schedule's delay) are reported as batch item failures, so SQS keeps them.
pub async fn run_consumer() -> Result<(), lambda_runtime::Error> {
    crate::telemetry::init();
    let state = app::build_for_lambda(Config::from_env()?).await?;
    let deliverer = Arc::new(app::deliverer(&state)?);
    lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<SqsEvent>| {
        let (state, deliverer) = (state.clone(), deliverer.clone());
        async move { Ok::<_, Infallible>(handle_sqs_batch(state, deliverer, event.payload).await) }
    }))
    .await
}

/// One SQS batch through the consumer.
pub async fn handle_sqs_batch(state: Arc<AppState>, deliverer: Arc<Deliverer>, batch: SqsEvent) -> SqsBatchResponse {
    let mut attempts = tokio::task::JoinSet::new();
    for record in batch.records {
        let Some(message) = received(record) else { continue };
        let (state, deliverer) = (state.clone(), deliverer.clone());
        attempts.spawn(async move {
            let done =
                crate::webhooks::consumer::process(&state.store, &state.store, &state.queue, &deliverer, &message)
                    .await;
            (done, message.message_id)
        });
    }
    let mut response = SqsBatchResponse::default();
    while let Some(joined) = attempts.join_next().await {
        match joined {
            Ok((true, _)) => {}
            Ok((false, id)) => {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id;
                response.batch_item_failures.push(failure);
            }
            Err(err) => tracing::error!(error = %err, "a delivery task failed"),
        }
    }
    response
}

fn received(record: SqsMessage) -> Option<ReceivedMessage> {
    let receive_count = record.attributes.get("ApproximateReceiveCount").and_then(|n| n.parse().ok()).unwrap_or(1);
    Some(ReceivedMessage {
        message_id: record.message_id?,
        receipt: record.receipt_handle?,
        body: record.body.unwrap_or_default(),
        receive_count,
    })
}

/// The overdue checker and outbox sweep, run by the EventBridge schedule.
pub async fn run_scheduler() -> Result<(), lambda_runtime::Error> {
    crate::telemetry::init();
    let state = app::build_for_lambda(Config::from_env()?).await?;
    lambda_runtime::run(lambda_runtime::service_fn(move |event: lambda_runtime::LambdaEvent<serde_json::Value>| {
        let state = state.clone();
        async move {
            // Work while the function has time, less a margin to answer in.
            let deadline_ms = i64::try_from(event.context.deadline).unwrap_or(i64::MAX);
            let left_ms = deadline_ms.saturating_sub(crate::model::Timestamp::now().unix_millis()) - 5_000;
            let budget = std::time::Duration::from_millis(u64::try_from(left_ms).unwrap_or(0));
            let report = app::scheduled_run_within(&state, crate::model::Timestamp::now(), budget).await?;
            Ok::<_, lambda_runtime::Error>(report)
        }
    }))
    .await
}
