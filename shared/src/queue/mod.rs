//! The queue webhook deliveries travel through: a trait with an SQS implementation ([`sqs::SqsQueue`]) and an
//! in-memory one ([`memory::MemoryQueue`]) that keeps SQS's semantics that matter here: batches of at most ten,
//! visibility timeouts, receive counts, and a dead-letter queue after too many receives.

pub mod any;
pub mod memory;
pub mod sqs;

use std::time::Duration;

use async_trait::async_trait;

/// SQS's limit on one `SendMessageBatch`.
pub const MAX_BATCH: usize = 10;

#[derive(Debug, Clone, PartialEq)]
pub struct OutgoingMessage {
    /// Unique within one batch; names the entry in failures.
    pub id: String,
    pub body: String,
    pub delay_seconds: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReceivedMessage {
    pub message_id: String,
    /// The handle for deleting or re-timing this receipt of the message.
    pub receipt: String,
    pub body: String,
    /// How many times the message was received, this time included.
    pub receive_count: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum QueueError {
    #[error("queue request is invalid: {0}")]
    Invalid(String),
    #[error("queue failure: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

impl QueueError {
    pub fn backend(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Backend(err.into())
    }
}

/// What a publisher needs of the queue: sending. Every function that writes an event links this alone.
#[async_trait]
pub trait QueueSender: Send + Sync {
    /// Sends at most [`MAX_BATCH`] messages in one request; returns the ids of the entries that failed.
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError>;
}

/// The whole queue, as the delivery consumer uses it.
#[async_trait]
pub trait Queue: QueueSender {
    /// Up to `max` (at most 10) visible messages, waiting up to `wait` for the first.
    async fn receive(&self, max: usize, wait: Duration) -> Result<Vec<ReceivedMessage>, QueueError>;
    async fn delete(&self, receipt: &str) -> Result<(), QueueError>;
    /// Makes a received message visible again after `delay` (at most 12 hours; SQS rounds up to seconds).
    async fn change_visibility(&self, receipt: &str, delay: Duration) -> Result<(), QueueError>;
    /// Puts a message body on the dead-letter queue (the consumer's own decision, after the last attempt).
    async fn dead_letter(&self, body: &str) -> Result<(), QueueError>;
}

/// Sends any number of messages in batches of ten; returns the ids of the entries that failed.
pub async fn send_all(queue: &dyn QueueSender, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
    let mut failed = Vec::new();
    for batch in messages.chunks(MAX_BATCH) {
        failed.extend(queue.send_batch(batch).await?);
    }
    Ok(failed)
}

fn check_batch(messages: &[OutgoingMessage]) -> Result<(), QueueError> {
    if messages.is_empty() || messages.len() > MAX_BATCH {
        return Err(QueueError::Invalid(format!("a batch holds 1 to {MAX_BATCH} messages, not {}", messages.len())));
    }
    Ok(())
}
