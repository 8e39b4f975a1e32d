//! The queue the composition root chose, as every request reaches it: [`AnyQueue`].

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::sqs::SqsQueue;
use super::{memory, OutgoingMessage, Queue, QueueError, QueueSender, ReceivedMessage};

/// The queue the composition root chose: SQS by its own type, any other [`Queue`] (the in-memory one, the tests'
/// wrappers) behind `dyn`. As with [`crate::store::any::AnyStore`], a function links only the queue calls it makes: one
/// that publishes links `SendMessageBatch`, not the consumer's receive, delete and re-timing.
#[derive(Clone)]
pub enum AnyQueue {
    Sqs(Arc<SqsQueue>),
    Other(Arc<dyn Queue>),
}

impl From<Arc<memory::MemoryQueue>> for AnyQueue {
    fn from(queue: Arc<memory::MemoryQueue>) -> Self {
        Self::Other(queue)
    }
}

impl From<Arc<SqsQueue>> for AnyQueue {
    fn from(queue: Arc<SqsQueue>) -> Self {
        Self::Sqs(queue)
    }
}

impl From<Arc<dyn Queue>> for AnyQueue {
    fn from(queue: Arc<dyn Queue>) -> Self {
        Self::Other(queue)
    }
}

/// Calls `$call` on whichever queue `$queue` holds.
macro_rules! on_queue {
    ($queue:expr, $q:ident => $call:expr) => {
        match $queue {
            AnyQueue::Sqs($q) => $call,
            AnyQueue::Other($q) => $call,
        }
    };
}

#[async_trait]
impl QueueSender for AnyQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        on_queue!(self, q => q.send_batch(messages).await)
    }
}

#[async_trait]
impl Queue for AnyQueue {
    async fn receive(&self, max: usize, wait: Duration) -> Result<Vec<ReceivedMessage>, QueueError> {
        on_queue!(self, q => q.receive(max, wait).await)
    }
    async fn delete(&self, receipt: &str) -> Result<(), QueueError> {
        on_queue!(self, q => q.delete(receipt).await)
    }
    async fn change_visibility(&self, receipt: &str, delay: Duration) -> Result<(), QueueError> {
        on_queue!(self, q => q.change_visibility(receipt, delay).await)
    }
    async fn dead_letter(&self, body: &str) -> Result<(), QueueError> {
        on_queue!(self, q => q.dead_letter(body).await)
    }
}
