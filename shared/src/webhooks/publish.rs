//! Hands an event to the queue: one message per endpoint that wants it, in batches of ten, then removes the
//! event from the outbox. Anything that fails leaves the event in the outbox, and the scheduled sweep sends it
//! again: deliveries are at least once, and the event's id lets receivers drop duplicates.

use serde::{Deserialize, Serialize};

use crate::model::{Event, Timestamp, WebhookId};
use crate::queue::{send_all, OutgoingMessage, QueueError, QueueSender};
use crate::store::{OutboxStore, StoreError, WebhookStore};

/// What travels through the queue: one event, for one endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryMessage {
    pub webhook_id: WebhookId,
    pub event: Event,
    /// 0 for the event's own delivery; a replay carries a fresh number, so that its attempts are counted
    /// afresh against the schedule (the event's id, and so `webhook-id`, stays the same).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub replay: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Queue(#[from] QueueError),
    #[error("{0} messages were not accepted by the queue")]
    Unsent(usize),
}

/// The ports publishing needs: who wants events, the outbox, and the queue.
#[derive(Clone, Copy)]
pub struct Publisher<'a> {
    pub hooks: &'a dyn WebhookStore,
    pub outbox: &'a dyn OutboxStore,
    pub queue: &'a dyn QueueSender,
}

/// How many outbox events one sweep reads at a time.
pub const SWEEP_PAGE: usize = 100;

impl Publisher<'_> {
    /// One message for each endpoint of the event's organization that wants it.
    pub async fn messages_for(&self, event: &Event) -> Result<Vec<OutgoingMessage>, StoreError> {
        let hooks = self.hooks.list_webhooks(event.org_id).await?;
        hooks
            .iter()
            .filter(|h| h.wants(event.event_type))
            .enumerate()
            .map(|(i, h)| {
                let message = DeliveryMessage { webhook_id: h.id.clone(), event: event.clone(), replay: 0 };
                let body = serde_json::to_string(&message).map_err(StoreError::backend)?;
                Ok(OutgoingMessage { id: format!("m{i}"), body, delay_seconds: 0 })
            })
            .collect()
    }

    /// Sends `event` to every endpoint that wants it and takes it out of the outbox; returns how many messages
    /// went.
    pub async fn publish(&self, event: &Event) -> Result<usize, PublishError> {
        let messages = self.messages_for(event).await?;
        if !messages.is_empty() {
            let failed = send_all(self.queue, &messages).await?;
            if !failed.is_empty() {
                // Entries a batch refused get one more try before the sweep takes over.
                let retry: Vec<OutgoingMessage> = messages.iter().filter(|m| failed.contains(&m.id)).cloned().collect();
                let still = send_all(self.queue, &retry).await?;
                if !still.is_empty() {
                    return Err(PublishError::Unsent(still.len()));
                }
            }
        }
        self.outbox.remove_from_outbox(event).await?;
        Ok(messages.len())
    }

    /// Publishes an event just committed; a failure only means the outbox sweep sends it later.
    pub async fn publish_or_leave(&self, event: &Event) {
        if let Err(err) = self.publish(event).await {
            tracing::warn!(event = %event.id, error = %err, "event left in the outbox for the sweep");
        }
    }

    /// Sends again the events left in the outbox for longer than `after` (a minute by default: older than that,
    /// the request that wrote one has either sent it or died); returns how many were sent.
    pub async fn sweep(&self, now: Timestamp, after: std::time::Duration) -> Result<usize, PublishError> {
        let mut sent = 0;
        let before = now.plus_seconds(-i64::try_from(after.as_secs()).unwrap_or(i64::MAX / 2));
        // An age under a second still means "older than now": the outbox's times have second precision.
        let before = if after.as_secs() == 0 { now.plus_seconds(1) } else { before };
        for event in self.outbox.outbox_before(before, SWEEP_PAGE).await? {
            match self.publish(&event).await {
                Ok(_) => sent += 1,
                Err(err) => tracing::warn!(event = %event.id, error = %err, "outbox sweep could not send an event"),
            }
        }
        Ok(sent)
    }
}
