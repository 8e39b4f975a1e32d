//! Assignments (MomoFlow): a flow given to a person, with a due date, a priority and notes.

use serde::{Deserialize, Serialize};

use super::{AssignmentId, Email, EventType, FlowId, OrgId, Timestamp, UserId};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    Low,
    Medium,
    High,
}

impl Priority {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "low" => Ok(Self::Low),
            "medium" => Ok(Self::Medium),
            "high" => Ok(Self::High),
            _ => Err("must be one of low, medium, high".into()),
        }
    }
}

/// assigned → started → completed, or → overdue when the due date passes first (an overdue assignment may still
/// be started, and completed late); cancelled by an admin at any point before completion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AssignmentStatus {
    Assigned,
    Started,
    Completed,
    Overdue,
    Cancelled,
}

impl AssignmentStatus {
    /// Open assignments block another assignment of the same flow to the same person, and follow the person's
    /// progress.
    pub fn is_open(&self) -> bool {
        !matches!(self, Self::Completed | Self::Cancelled)
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "assigned" => Ok(Self::Assigned),
            "started" => Ok(Self::Started),
            "completed" => Ok(Self::Completed),
            "overdue" => Ok(Self::Overdue),
            "cancelled" => Ok(Self::Cancelled),
            _ => Err("must be one of assigned, started, completed, overdue, cancelled".into()),
        }
    }

    /// Whether an assignment in this status can still become overdue: assigned or started, not yet overdue
    /// or completed.
    pub fn awaits_due_date(&self) -> bool {
        matches!(self, Self::Assigned | Self::Started)
    }
}

/// A report's statuses, in MomoFlow's words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    Pending,
    InProgress,
    Completed,
    Overdue,
}

impl ReportStatus {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "pending" => Ok(Self::Pending),
            "in_progress" => Ok(Self::InProgress),
            "completed" => Ok(Self::Completed),
            "overdue" => Ok(Self::Overdue),
            _ => Err("must be one of pending, in_progress, completed, overdue".into()),
        }
    }

    /// An assignment's status in a report's words; `None` for a cancelled one, which reports leave out.
    pub fn of(status: AssignmentStatus) -> Option<Self> {
        match status {
            AssignmentStatus::Assigned => Some(Self::Pending),
            AssignmentStatus::Started => Some(Self::InProgress),
            AssignmentStatus::Completed => Some(Self::Completed),
            AssignmentStatus::Overdue => Some(Self::Overdue),
            AssignmentStatus::Cancelled => None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: AssignmentId,
    pub org_id: OrgId,
    pub flow_id: FlowId,
    pub user_id: UserId,
    pub user_email: Email,
    /// The person's external id when they have one (set once): what keys the assignment in the person index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub status: AssignmentStatus,
    pub assigned_at: Timestamp,
    pub assigned_by: UserId,
    /// When the person first started the flow (an overdue assignment keeps its status, and gets this).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<Timestamp>,
    /// Completed after its due date.
    #[serde(default)]
    pub late: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<Timestamp>,
}

/// What a person's progress did to their open assignment: the assignment as it is now, and the events that
/// announce it, in order.
#[derive(Clone, Debug, PartialEq)]
pub struct Progressed {
    pub assignment: Assignment,
    pub events: Vec<EventType>,
}

impl Assignment {
    /// The assignment cancelled at `now`: it leaves the due index and releases its flow and person; `None` when it
    /// is closed already (completed or cancelled).
    pub fn cancelled(&self, now: Timestamp) -> Option<Assignment> {
        self.status.is_open().then(|| Assignment {
            status: AssignmentStatus::Cancelled,
            cancelled_at: Some(now),
            ..self.clone()
        })
    }

    /// Follows the person's progress in the flow: the first start (`started`) marks the assignment started and
    /// announces `flow.started` (an overdue one stays overdue); completion (`completed`) marks it completed (late,
    /// when overdue or past its due date) and announces `flow.completed`, with `flow.started` first if the start
    /// was never seen. `None` when nothing changes: a closed assignment, or a step already taken. So repeated
    /// actions never announce twice.
    pub fn progressed(&self, started: bool, completed: bool, now: Timestamp) -> Option<Progressed> {
        if !self.status.is_open() {
            return None;
        }
        let mut next = self.clone();
        let mut events = Vec::new();
        if (started || completed) && self.started_at.is_none() {
            next.started_at = Some(now);
            if next.status == AssignmentStatus::Assigned {
                next.status = AssignmentStatus::Started;
            }
            events.push(EventType::FlowStarted);
        }
        if completed {
            next.late = self.status == AssignmentStatus::Overdue || self.due_date.is_some_and(|due| due < now);
            next.status = AssignmentStatus::Completed;
            next.completed_at = Some(now);
            events.push(EventType::FlowCompleted);
        }
        (!events.is_empty()).then_some(Progressed { assignment: next, events })
    }

    /// When this assignment falls due, if it is waiting for that: the one rule for membership of the due index
    /// (an open assignment with a due date that is not yet overdue). Both stores index by it.
    pub fn due_at(&self) -> Option<Timestamp> {
        self.due_date.filter(|_| self.status.awaits_due_date())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assignment(status: AssignmentStatus, due_date: Option<Timestamp>) -> Assignment {
        Assignment {
            id: AssignmentId::generate(),
            org_id: OrgId(1),
            flow_id: FlowId::generate(),
            user_id: UserId(2),
            user_email: Email::parse("eve@example.com").unwrap(),
            user_external_id: None,
            due_date,
            priority: None,
            notes: None,
            status,
            assigned_at: Timestamp::now(),
            assigned_by: UserId(1),
            started_at: None,
            completed_at: None,
            late: false,
            cancelled_at: None,
        }
    }

    #[test]
    fn progress_starts_then_completes_an_assignment_announcing_each_once() {
        let now = Timestamp::now();
        let a = assignment(AssignmentStatus::Assigned, Some(now.plus_seconds(3600)));
        let started = a.progressed(true, false, now).unwrap();
        assert_eq!(started.events, vec![EventType::FlowStarted]);
        assert_eq!(started.assignment.status, AssignmentStatus::Started);
        assert_eq!(started.assignment.progressed(true, false, now), None, "started once");
        let done = started.assignment.progressed(true, true, now).unwrap();
        assert_eq!(done.events, vec![EventType::FlowCompleted]);
        assert_eq!((done.assignment.status, done.assignment.late), (AssignmentStatus::Completed, false));
        assert_eq!(done.assignment.progressed(true, true, now), None, "completed once");
    }

    #[test]
    fn a_first_completion_announces_the_start_too() {
        let now = Timestamp::now();
        let done = assignment(AssignmentStatus::Assigned, None).progressed(true, true, now).unwrap();
        assert_eq!(done.events, vec![EventType::FlowStarted, EventType::FlowCompleted]);
        assert_eq!(done.assignment.started_at, Some(now));
    }

    #[test]
    fn an_overdue_assignment_stays_overdue_when_started_and_completes_late() {
        let now = Timestamp::now();
        let overdue = assignment(AssignmentStatus::Overdue, Some(now.plus_seconds(-60)));
        let started = overdue.progressed(true, false, now).unwrap();
        assert_eq!(
            (started.assignment.status, started.events.clone()),
            (AssignmentStatus::Overdue, vec![EventType::FlowStarted])
        );
        let done = started.assignment.progressed(true, true, now).unwrap();
        assert_eq!((done.assignment.status, done.assignment.late), (AssignmentStatus::Completed, true));
        // past due but not yet marked overdue by the schedule: late too
        let past = assignment(AssignmentStatus::Started, Some(now.plus_seconds(-1)));
        assert!(past.progressed(true, true, now).unwrap().assignment.late);
    }

    #[test]
    fn closed_assignments_follow_no_progress() {
        let now = Timestamp::now();
        for status in [AssignmentStatus::Completed, AssignmentStatus::Cancelled] {
            assert_eq!(assignment(status, None).progressed(true, true, now), None);
        }
        assert_eq!(assignment(AssignmentStatus::Assigned, None).progressed(false, false, now), None);
    }

    #[test]
    fn only_assigned_or_started_assignments_with_a_due_date_are_due() {
        let due = Some(Timestamp::now());
        assert_eq!(assignment(AssignmentStatus::Assigned, due).due_at(), due);
        assert_eq!(assignment(AssignmentStatus::Started, due).due_at(), due);
        assert_eq!(assignment(AssignmentStatus::Overdue, due).due_at(), None);
        assert_eq!(assignment(AssignmentStatus::Completed, due).due_at(), None);
        assert_eq!(assignment(AssignmentStatus::Cancelled, due).due_at(), None);
        assert_eq!(assignment(AssignmentStatus::Assigned, None).due_at(), None);
    }
}
