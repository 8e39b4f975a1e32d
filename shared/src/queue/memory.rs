//! An in-memory queue with SQS's semantics: a received message stays invisible for the visibility timeout and
//! comes back unless deleted; after `max_receives` receives it moves to the dead-letter list instead.

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::sync::Notify;

use super::{check_batch, OutgoingMessage, Queue, QueueError, QueueSender, ReceivedMessage, MAX_BATCH};
use crate::model::random_token;

struct Entry {
    message_id: String,
    body: String,
    visible_at: Instant,
    receive_count: u32,
    receipt: Option<String>,
}

pub struct MemoryQueue {
    entries: Mutex<VecDeque<Entry>>,
    dead: Mutex<Vec<String>>,
    arrived: Notify,
    visibility: Duration,
    max_receives: u32,
}

impl MemoryQueue {
    pub fn new(visibility: Duration, max_receives: u32) -> Self {
        Self {
            entries: Mutex::new(VecDeque::new()),
            dead: Mutex::new(Vec::new()),
            arrived: Notify::new(),
            visibility,
            max_receives,
        }
    }

    /// Bodies of the messages moved to the dead-letter list.
    pub fn dead_letters(&self) -> Vec<String> {
        self.dead.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// Messages still queued, visible or not.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<Entry>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take_visible(&self, max: usize) -> Vec<ReceivedMessage> {
        let now = Instant::now();
        let mut entries = self.lock();
        let mut dead = Vec::new();
        let mut out = Vec::new();
        entries.retain_mut(|e| {
            if out.len() >= max || e.visible_at > now {
                return true;
            }
            if e.receive_count >= self.max_receives {
                dead.push(std::mem::take(&mut e.body));
                return false;
            }
            e.receive_count += 1;
            e.visible_at = now + self.visibility;
            let receipt = random_token(16);
            e.receipt = Some(receipt.clone());
            out.push(ReceivedMessage {
                message_id: e.message_id.clone(),
                receipt,
                body: e.body.clone(),
                receive_count: e.receive_count,
            });
            true
        });
        drop(entries);
        if !dead.is_empty() {
            self.dead.lock().unwrap_or_else(|p| p.into_inner()).extend(dead);
        }
        out
    }

    fn next_visible_in(&self) -> Option<Duration> {
        let now = Instant::now();
        self.lock().iter().map(|e| e.visible_at.saturating_duration_since(now)).min()
    }
}

#[async_trait]
impl QueueSender for MemoryQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        check_batch(messages)?;
        let now = Instant::now();
        let mut entries = self.lock();
        for m in messages {
            entries.push_back(Entry {
                message_id: random_token(16),
                body: m.body.clone(),
                visible_at: now + Duration::from_secs(u64::from(m.delay_seconds)),
                receive_count: 0,
                receipt: None,
            });
        }
        drop(entries);
        self.arrived.notify_waiters();
        Ok(Vec::new())
    }
}

#[async_trait]
impl Queue for MemoryQueue {
    async fn receive(&self, max: usize, wait: Duration) -> Result<Vec<ReceivedMessage>, QueueError> {
        let deadline = Instant::now() + wait;
        loop {
            let arrived = self.arrived.notified();
            let got = self.take_visible(max.clamp(1, MAX_BATCH));
            let now = Instant::now();
            if !got.is_empty() || now >= deadline {
                return Ok(got);
            }
            let nap = self.next_visible_in().unwrap_or(deadline - now).min(deadline - now);
            let _ = tokio::time::timeout(nap.max(Duration::from_millis(1)), arrived).await;
        }
    }

    async fn delete(&self, receipt: &str) -> Result<(), QueueError> {
        self.lock().retain(|e| e.receipt.as_deref() != Some(receipt));
        Ok(())
    }

    async fn change_visibility(&self, receipt: &str, delay: Duration) -> Result<(), QueueError> {
        let mut entries = self.lock();
        let entry = entries
            .iter_mut()
            .find(|e| e.receipt.as_deref() == Some(receipt))
            .ok_or_else(|| QueueError::Invalid("unknown receipt".into()))?;
        entry.visible_at = Instant::now() + delay;
        drop(entries);
        self.arrived.notify_waiters();
        Ok(())
    }

    async fn dead_letter(&self, body: &str) -> Result<(), QueueError> {
        self.dead.lock().unwrap_or_else(|p| p.into_inner()).push(body.to_owned());
        Ok(())
    }
}
