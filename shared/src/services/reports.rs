//! MomoFlow's flow reports: how a flow's assignments are doing, read through the flow's index (never a scan).
//!
//! The selection is the flow's assignments made between `startDate` and `endDate` (each optional, inclusive),
//! in the `status` asked for (MomoFlow's words: `pending` is assigned, `in_progress` started, then `completed`,
//! `overdue`); cancelled assignments are never counted. Over the selection: `totalAssignments`,
//! `completedAssignments`, `averageCompletionTime` (seconds from assignment to completion, over the completed ones,
//! rounded; null when none is completed) and `completionRate` (completed / total, from 0 to 1; 0 when there are
//! none). `detailed` lists the selection, oldest first, with each person's completed steps (`completedModules`).

use crate::caller::Caller;
use crate::error::ApiError;
use crate::model::{Assignment, AssignmentStatus, FlowId, ReportStatus, Text, Timestamp};
use crate::services::assignments::MAX_FLOW_ID;
use crate::store::{AssignmentStore, FlowStore, ProgressStore};

/// What `POST /v1/flows/report` asks for.
pub struct ReportRequest {
    pub flow_id: Text<MAX_FLOW_ID>,
    pub start: Option<Timestamp>,
    pub end: Option<Timestamp>,
    pub status: Option<ReportStatus>,
    pub detailed: bool,
}

/// The figures over the selection.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    pub total: u64,
    pub completed: u64,
    /// Seconds, rounded; `None` when nothing is completed.
    pub average_completion_seconds: Option<u64>,
    /// From 0 to 1.
    pub completion_rate: f64,
}

/// One assignment of a detailed report, with its person's completed steps.
pub struct ReportLine {
    pub assignment: Assignment,
    pub status: ReportStatus,
    pub completed_modules: u64,
}

pub struct Report {
    pub metrics: Metrics,
    pub lines: Option<Vec<ReportLine>>,
}

/// The figures of `selected` (see the module's docs).
pub fn metrics(selected: &[&Assignment]) -> Metrics {
    let total = selected.len() as u64;
    let done: Vec<i64> = selected
        .iter()
        .filter(|a| a.status == AssignmentStatus::Completed)
        .filter_map(|a| Some((a.completed_at?.unix() - a.assigned_at.unix()).max(0)))
        .collect();
    let completed = selected.iter().filter(|a| a.status == AssignmentStatus::Completed).count() as u64;
    let average = (!done.is_empty()).then(|| (done.iter().sum::<i64>() as f64 / done.len() as f64).round() as u64);
    let rate = if total == 0 { 0.0 } else { completed as f64 / total as f64 };
    Metrics { total, completed, average_completion_seconds: average, completion_rate: rate }
}

/// The report of the caller's organization's flow `flowId`.
pub async fn report<S>(caller: &Caller, store: &S, request: ReportRequest) -> Result<Report, ApiError>
where
    S: AssignmentStore + FlowStore + ProgressStore + ?Sized,
{
    let raw = request.flow_id.as_str();
    let missing = || ApiError::not_found(format!("Flow with ID '{raw}' does not exist"));
    let flow_id = FlowId::parse(raw).map_err(|_| missing())?;
    if let (Some(start), Some(end)) = (request.start, request.end) {
        if start > end {
            return Err(ApiError::field("endDate", "must not be before startDate"));
        }
    }
    let org = caller.org().await?;
    let (flow, assignments, _) = tokio::try_join!(
        async { Ok(store.get_flow(org, &flow_id).await?) },
        async { Ok(store.flow_assignments(org, &flow_id, request.start, request.end).await?) },
        caller.permit(),
    )?;
    let flow = flow.ok_or_else(missing)?;
    let selected: Vec<(&Assignment, ReportStatus)> = assignments
        .iter()
        .filter_map(|a| Some((a, ReportStatus::of(a.status)?)))
        .filter(|(_, status)| request.status.is_none_or(|wanted| *status == wanted))
        .collect();
    let metrics = metrics(&selected.iter().map(|(a, _)| *a).collect::<Vec<_>>());
    if !request.detailed {
        return Ok(Report { metrics, lines: None });
    }
    let users: Vec<_> = selected.iter().map(|(a, _)| a.user_id).collect();
    let states = store.flow_states(org, &flow.id, &users).await?;
    let lines = selected
        .into_iter()
        .map(|(a, status)| {
            let completed_modules = states
                .iter()
                .find(|s| s.user_id == a.user_id)
                .map_or(0, |s| flow.steps.iter().filter(|step| s.step(&step.id).completed).count() as u64);
            ReportLine { assignment: a.clone(), status, completed_modules }
        })
        .collect();
    Ok(Report { metrics, lines: Some(lines) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AssignmentId, Email, OrgId, UserId};

    fn assignment(status: AssignmentStatus, took: Option<i64>) -> Assignment {
        let at = Timestamp::parse_iso8601("2030-01-01T00:00:00Z").unwrap();
        Assignment {
            id: AssignmentId::generate(),
            org_id: OrgId(1),
            flow_id: FlowId::generate(),
            user_id: UserId(2),
            user_email: Email::parse("a@example.com").unwrap(),
            user_external_id: None,
            due_date: None,
            priority: None,
            notes: None,
            status,
            assigned_at: at,
            assigned_by: UserId(1),
            started_at: None,
            completed_at: took.map(|s| at.plus_seconds(s)),
            late: false,
            cancelled_at: None,
        }
    }

    #[test]
    fn figures_are_over_the_selection_by_hand() {
        let all = [
            assignment(AssignmentStatus::Completed, Some(100)),
            assignment(AssignmentStatus::Completed, Some(201)),
            assignment(AssignmentStatus::Started, None),
            assignment(AssignmentStatus::Overdue, None),
        ];
        let m = metrics(&all.iter().collect::<Vec<_>>());
        assert_eq!((m.total, m.completed, m.average_completion_seconds), (4, 2, Some(151)));
        assert!((m.completion_rate - 0.5).abs() < 1e-9);
        let none = metrics(&[]);
        assert_eq!((none.total, none.average_completion_seconds, none.completion_rate), (0, None, 0.0));
    }

    #[test]
    fn cancelled_assignments_have_no_report_status() {
        assert_eq!(ReportStatus::of(AssignmentStatus::Cancelled), None);
        assert_eq!(ReportStatus::of(AssignmentStatus::Assigned), Some(ReportStatus::Pending));
        assert_eq!(ReportStatus::of(AssignmentStatus::Started), Some(ReportStatus::InProgress));
        for raw in ["pending", "in_progress", "completed", "overdue"] {
            assert!(ReportStatus::parse(raw).is_ok());
        }
    }
}
