//! Assignments (MomoFlow): a flow given to a person, with a due date, a priority and notes.

use serde::{Deserialize, Serialize};

use super::{AssignmentId, Email, FlowId, OrgId, Timestamp, UserId};

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

/// assigned → started → completed, or → overdue when the due date passes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum AssignmentStatus {
    Assigned,
    Started,
    Completed,
    Overdue,
}

impl AssignmentStatus {
    /// Open assignments block another assignment of the same flow to the same person.
    pub fn is_open(&self) -> bool {
        !matches!(self, Self::Completed)
    }

    /// Whether an assignment in this status can still become overdue: assigned or started, not yet overdue
    /// or completed.
    pub fn awaits_due_date(&self) -> bool {
        matches!(self, Self::Assigned | Self::Started)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Assignment {
    pub id: AssignmentId,
    pub org_id: OrgId,
    pub flow_id: FlowId,
    pub user_id: UserId,
    pub user_email: Email,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
    pub status: AssignmentStatus,
    pub assigned_at: Timestamp,
    pub assigned_by: UserId,
}

impl Assignment {
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
            due_date,
            priority: None,
            notes: None,
            status,
            assigned_at: Timestamp::now(),
            assigned_by: UserId(1),
        }
    }

    #[test]
    fn only_assigned_or_started_assignments_with_a_due_date_are_due() {
        let due = Some(Timestamp::now());
        assert_eq!(assignment(AssignmentStatus::Assigned, due).due_at(), due);
        assert_eq!(assignment(AssignmentStatus::Started, due).due_at(), due);
        assert_eq!(assignment(AssignmentStatus::Overdue, due).due_at(), None);
        assert_eq!(assignment(AssignmentStatus::Completed, due).due_at(), None);
        assert_eq!(assignment(AssignmentStatus::Assigned, None).due_at(), None);
    }
}
