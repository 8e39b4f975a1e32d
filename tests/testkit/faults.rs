//! Parts that fail on purpose: the faults the outbox, the retries and the gate are there for.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use flows_shared::queue::{OutgoingMessage, Queue, QueueError, ReceivedMessage};

/// A queue whose every third send fails.
pub struct FlakyQueue {
    inner: Arc<dyn Queue>,
    sends: AtomicUsize,
}

impl FlakyQueue {
    pub fn new(inner: Arc<dyn Queue>) -> Self {
        Self { inner, sends: AtomicUsize::new(0) }
    }
}

#[flows_shared::async_trait]
impl Queue for FlakyQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        if self.sends.fetch_add(1, Ordering::SeqCst) % 3 == 2 {
            return Err(QueueError::backend("injected send failure"));
        }
        self.inner.send_batch(messages).await
    }

    async fn receive(&self, max: usize, wait: std::time::Duration) -> Result<Vec<ReceivedMessage>, QueueError> {
        self.inner.receive(max, wait).await
    }

    async fn delete(&self, receipt: &str) -> Result<(), QueueError> {
        self.inner.delete(receipt).await
    }

    async fn change_visibility(&self, receipt: &str, delay: std::time::Duration) -> Result<(), QueueError> {
        self.inner.change_visibility(receipt, delay).await
    }

    async fn dead_letter(&self, body: &str) -> Result<(), QueueError> {
        self.inner.dead_letter(body).await
    }
}
