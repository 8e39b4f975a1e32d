//! The scheduled run (EventBridge, every minute; in-process every few seconds locally): moves due assignments to
//! overdue, exactly once each even when runs overlap, and sends again what the outbox still holds.

use serde::Serialize;

use crate::model::{AssignmentStatus, Event, EventType, Timestamp};
use crate::store::{AssignmentStore, StoreError};
use crate::webhooks::publish::Publisher;

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

impl RunReport {
    /// Whether the run changed anything.
    pub fn changed_anything(&self) -> bool {
        self.overdue > 0 || self.resent > 0
    }
}

pub async fn run_once(
    store: &dyn AssignmentStore,
    events: &Publisher<'_>,
    sweep_after: std::time::Duration,
    now: Timestamp,
) -> Result<RunReport, StoreError> {
    let due = store.due_assignments(now, BATCH).await?;
    let mut report = RunReport { items_read: due.items_read, ..RunReport::default() };
    for assignment in due.assignments {
        let mut overdue = assignment.clone();
        overdue.status = AssignmentStatus::Overdue;
        let event = Event::about_assignment(&overdue, EventType::FlowOverdue, now);
        if store.mark_overdue(&assignment, &event).await? {
            report.overdue += 1;
            events.publish_or_leave(&event).await;
        } else {
            report.skipped += 1;
        }
    }
    report.resent = events.sweep(now, sweep_after).await.map_err(|e| StoreError::backend(e.to_string()))?;
    if report.changed_anything() {
        tracing::info!(
            overdue = report.overdue,
            skipped = report.skipped,
            items_read = report.items_read,
            resent = report.resent,
            "scheduled run"
        );
    } else {
        tracing::debug!(items_read = report.items_read, "scheduled run changed nothing");
    }
    Ok(report)
}
