//! The delivery consumer: what happens to each received message after its attempt. The Lambda function feeds it
//! SQS batches (and reports partial batch failures); the local server runs [`run_local`] against its queue.

use std::sync::Arc;
use std::time::Duration;

use super::deliver::{Deliverer, Outcome};
use crate::queue::any::AnyQueue;
use crate::queue::{Queue, QueueError, ReceivedMessage};
use crate::store::any::AnyStore;
use crate::store::{DeliveryStore, WebhookStore};

/// Acts on an attempt's outcome; returns whether the message is done with (to be deleted). A retry changes the
/// message's visibility to the schedule's delay and leaves it; the last failure moves it to the dead-letter
/// queue ourselves, before SQS's own redrive would.
pub async fn settle(queue: &dyn Queue, message: &ReceivedMessage, outcome: &Outcome) -> Result<bool, QueueError> {
    match outcome {
        Outcome::Delivered | Outcome::Dropped(_) => Ok(true),
        Outcome::RetryAfter(delay) => {
            queue.change_visibility(&message.receipt, *delay).await?;
            Ok(false)
        }
        Outcome::DeadLetter(reason) => {
            tracing::warn!(message = %message.message_id, reason = %reason, "moving a delivery to the dead-letter queue");
            queue.dead_letter(&message.body).await?;
            Ok(true)
        }
    }
}

/// One message: the attempt, then its settlement. `false` leaves the message on the queue.
pub async fn process(
    hooks: &dyn WebhookStore,
    log: &dyn DeliveryStore,
    queue: &dyn Queue,
    deliverer: &Deliverer,
    message: &ReceivedMessage,
) -> bool {
    let outcome = deliverer.deliver(hooks, log, &message.body).await;
    match settle(queue, message, &outcome).await {
        Ok(done) => done,
        Err(err) => {
            tracing::warn!(error = %err, message = %message.message_id, "could not settle a delivery; it will come back");
            false
        }
    }
}

/// The local server's consumer: `workers` loops that receive up to ten messages at a time, deliver them
/// concurrently and delete the finished ones. Runs until the task is dropped.
pub async fn run_local(store: AnyStore, queue: AnyQueue, deliverer: Arc<Deliverer>, workers: usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..workers.max(1) {
        let (store, queue, deliverer) = (store.clone(), queue.clone(), deliverer.clone());
        tasks.spawn(async move {
            loop {
                let batch = match queue.receive(10, Duration::from_secs(1)).await {
                    Ok(batch) => batch,
                    Err(err) => {
                        tracing::warn!(error = %err, "could not receive deliveries");
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                };
                let mut attempts = tokio::task::JoinSet::new();
                for message in batch {
                    let (store, queue, deliverer) = (store.clone(), queue.clone(), deliverer.clone());
                    attempts.spawn(async move {
                        let done = process(&store, &store, &queue, &deliverer, &message).await;
                        (done, message)
                    });
                }
                while let Some(joined) = attempts.join_next().await {
                    if let Ok((true, message)) = joined {
                        if let Err(err) = queue.delete(&message.receipt).await {
                            tracing::warn!(error = %err, "could not delete a delivered message");
                        }
                    }
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
}
