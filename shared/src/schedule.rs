//! The scheduled run (EventBridge, every minute; in-process every few seconds locally): moves due assignments
//! to overdue, exactly once each even when runs overlap, and sends again what the outbox still holds.

use std::sync::Arc;

use serde::Serialize;

use crate::app::AppState;
use crate::model::{AssignmentStatus, Event, EventType, Timestamp};
use crate::store::StoreError;
use crate::webhooks::publish::{publish, sweep_outbox};

/// How many due assignments one run handles; the next run takes the rest.
pub const BATCH: usize = 500;

#[derive(Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// Assignments this run moved to overdue.
    pub overdue: usize,
    /// Due assignments another run (or a completion) got to first.
    pub skipped: usize,
    /// Items read from the due index.
    pub items_read: u64,
    /// Outbox events sent again.
    pub resent: usize,
}

pub async fn run_once(state: &AppState, now: Timestamp) -> Result<RunReport, StoreError> {
    let store = state.store.as_ref();
    let due = store.due_assignments(now, BATCH).await?;
    let mut report = RunReport { items_read: due.items_read, ..RunReport::default() };
    for assignment in due.assignments {
        let mut overdue = assignment.clone();
        overdue.status = AssignmentStatus::Overdue;
        let event = Event::about_assignment(&overdue, EventType::FlowOverdue, now);
        if store.mark_overdue(&assignment, &event).await? {
            report.overdue += 1;
            if let Err(err) = publish(store, state.queue.as_ref(), &event).await {
                tracing::warn!(event = %event.id, error = %err, "event left in the outbox for the sweep");
            }
        } else {
            report.skipped += 1;
        }
    }
    report.resent = sweep_outbox(store, state.queue.as_ref(), now, state.config.outbox_sweep_after)
        .await
        .map_err(|e| StoreError::backend(e.to_string()))?;
    tracing::info!(
        overdue = report.overdue,
        skipped = report.skipped,
        items_read = report.items_read,
        resent = report.resent,
        "scheduled run"
    );
    Ok(report)
}

/// The local server's schedule: [`run_once`] every `FLOWS_SCHEDULE_INTERVAL_MS`, until the task is dropped.
pub async fn run_local(state: Arc<AppState>) {
    let mut tick = tokio::time::interval(state.config.schedule_interval);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(err) = run_once(&state, Timestamp::now()).await {
            tracing::warn!(error = %err, "scheduled run failed");
        }
    }
}
