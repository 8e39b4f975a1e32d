//! The scheduled run (EventBridge, every minute; in-process every few seconds locally): moves due assignments to
//! overdue, exactly once each even when runs overlap, and sends again what the outbox still holds.
//!
//! A run works until it is done or its time is up (a function's remaining time, less a margin): it reads the due
//! index a batch at a time and handles up to [`CONCURRENCY`] assignments at once; one that fails (a conflict, a
//! throttle) is skipped and left for the next run, and an index entry nobody can read is set aside and logged, so
//! that one organization's bad record never stops another's schedule. Then it drains the outbox, a page at a time,
//! while time remains, and always at least one page (a long due backlog never starves the outbox).

use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use serde::Serialize;

use crate::model::{AssignmentStatus, Event, EventType, Timestamp};
use crate::store::{AssignmentStore, StoreError};
use crate::webhooks::publish::Publisher;

/// How many due assignments one read of the index takes.
pub const BATCH: usize = 500;
/// How many assignments a run handles at once.
pub const CONCURRENCY: usize = 32;

#[derive(Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RunReport {
    /// Assignments this run moved to overdue.
    pub overdue: usize,
    /// Due assignments another run (or a completion) got to first.
    pub skipped: usize,
    /// Assignments whose move failed this time (left for the next run).
    pub failed: usize,
    /// Index entries that could not be read, set aside.
    pub set_aside: usize,
    /// Due assignments read but not started because the run's time was up (the next run takes them).
    pub left: usize,
    /// Items read from the due index.
    pub items_read: u64,
    /// Outbox events sent again.
    pub resent: usize,
    /// Whether the run stopped because its time was up (the next run goes on).
    pub out_of_time: bool,
    /// SuperOffice's email flows: the participants the run moved through their steps.
    pub participants: crate::services::email_participants::ParticipantRun,
}

impl RunReport {
    /// Whether the run changed anything.
    pub fn changed_anything(&self) -> bool {
        self.overdue > 0 || self.resent > 0 || self.set_aside > 0 || self.participants.moved > 0
    }
}

enum Moved {
    Overdue,
    Skipped,
    Failed,
    /// Not started: the run's time was up.
    Left,
}

/// One run at `now`, working until `deadline`.
pub async fn run_once(
    store: &dyn AssignmentStore,
    events: &Publisher<'_>,
    sweep_after: Duration,
    now: Timestamp,
    deadline: Instant,
) -> Result<RunReport, StoreError> {
    let mut report = RunReport::default();
    loop {
        if Instant::now() >= deadline {
            report.out_of_time = true;
            break;
        }
        let due = store.due_assignments(now, BATCH).await?;
        report.items_read += due.items_read;
        let mut progressed = false;
        for item in &due.unreadable {
            tracing::error!(item = %item.key, problem = %item.problem, "an unreadable item in the due index; set aside");
            match store.set_aside_due(item).await {
                Ok(()) => {
                    report.set_aside += 1;
                    progressed = true;
                }
                Err(err) => tracing::warn!(item = %item.key, error = %err, "could not set an item aside"),
            }
        }
        let count = due.assignments.len() + due.unreadable.len();
        let outcomes: Vec<Moved> = stream::iter(due.assignments)
            .map(|assignment| async move {
                if Instant::now() >= deadline {
                    return Moved::Left;
                }
                let mut overdue = assignment.clone();
                overdue.status = AssignmentStatus::Overdue;
                let event = Event::about_assignment(&overdue, EventType::FlowOverdue, now);
                match store.mark_overdue(&assignment, &event).await {
                    Ok(true) => {
                        events.publish_or_leave(&event).await;
                        Moved::Overdue
                    }
                    Ok(false) => Moved::Skipped,
                    Err(err) => {
                        tracing::warn!(assignment = %assignment.id, error = %err, "could not mark overdue; next run");
                        Moved::Failed
                    }
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        for outcome in outcomes {
            match outcome {
                Moved::Overdue => {
                    report.overdue += 1;
                    progressed = true;
                }
                Moved::Skipped => report.skipped += 1,
                Moved::Failed => report.failed += 1,
                Moved::Left => {
                    report.left += 1;
                    report.out_of_time = true;
                }
            }
        }
        // A short batch was the last; a batch in which nothing moved would be read again as it is.
        if count < BATCH || !progressed {
            break;
        }
    }
    // The outbox gets at least one page each run, however long the due index took: a backlog of due assignments
    // never starves the events waiting to be sent.
    loop {
        let sent = events.sweep(now, sweep_after).await.map_err(|e| StoreError::backend(e.to_string()))?;
        report.resent += sent;
        if sent < crate::webhooks::publish::SWEEP_PAGE || Instant::now() >= deadline {
            break;
        }
    }
    if report.changed_anything() || report.failed > 0 {
        tracing::info!(
            overdue = report.overdue,
            skipped = report.skipped,
            failed = report.failed,
            set_aside = report.set_aside,
            left = report.left,
            items_read = report.items_read,
            resent = report.resent,
            out_of_time = report.out_of_time,
            "scheduled run"
        );
    } else {
        tracing::debug!(items_read = report.items_read, "scheduled run changed nothing");
    }
    Ok(report)
}
