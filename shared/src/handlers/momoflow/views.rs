//! MomoFlow's answers, as seed 000 writes them.

use http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::{json, page, Response};
use crate::model::ReportStatus;
use crate::model::{format_duration, Assignment, AssignmentId, AssignmentStatus, Priority, Timestamp};
use crate::services::assignments::Assigned;
use crate::services::reports::Report;
use crate::store::AssignmentPage;

/// The answer to an assign.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignResponse {
    pub success: bool,
    pub assignment_id: String,
    pub message: String,
    pub details: AssignDetails,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignDetails {
    #[schema(format = DateTime)]
    pub assigned_at: String,
    pub assignee_email: String,
    pub flow_name: String,
    pub module_count: usize,
    /// The steps' estimated durations added up: `2 hours`, `1 hour 30 minutes`, `45 minutes`.
    pub estimated_duration: String,
}

pub fn assigned(a: &Assigned) -> Response {
    json(
        StatusCode::OK,
        &AssignResponse {
            success: true,
            assignment_id: a.assignment.id.to_string(),
            message: "Flow assigned successfully".into(),
            details: AssignDetails {
                assigned_at: a.assignment.assigned_at.to_rfc3339(),
                assignee_email: a.assignment.user_email.to_string(),
                flow_name: a.flow.name.clone(),
                module_count: a.flow.module_count(),
                estimated_duration: format_duration(a.flow.estimated_minutes()),
            },
        },
    )
}

/// A page's cursor: the last assignment of the page before (its time and id).
pub fn cursor_of((at, id): &(Timestamp, AssignmentId)) -> String {
    page::cursor_of(&format!("{at}|{id}"))
}

/// The last assignment of the page before, as a cursor names it.
pub fn assignment_after(key: &str) -> Option<(Timestamp, AssignmentId)> {
    let (at, id) = key.split_once('|')?;
    Some((Timestamp::parse_iso8601(at).ok()?, AssignmentId::parse(id).ok()?))
}

/// An assignment, read back.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentView {
    pub assignment_id: String,
    pub flow_id: String,
    pub user_email: String,
    #[schema(format = DateTime)]
    pub due_date: Option<String>,
    pub priority: Option<Priority>,
    pub notes: Option<String>,
    pub status: AssignmentStatus,
    #[schema(format = DateTime)]
    pub assigned_at: String,
    /// When the person first started the flow.
    #[schema(format = DateTime)]
    pub started_at: Option<String>,
    #[schema(format = DateTime)]
    pub completed_at: Option<String>,
    /// Completed after its due date.
    pub late: bool,
    #[schema(format = DateTime)]
    pub cancelled_at: Option<String>,
}

impl From<&Assignment> for AssignmentView {
    fn from(a: &Assignment) -> Self {
        Self {
            assignment_id: a.id.to_string(),
            flow_id: a.flow_id.to_string(),
            user_email: a.user_email.to_string(),
            due_date: a.due_date.map(|d| d.to_rfc3339()),
            priority: a.priority,
            notes: a.notes.clone(),
            status: a.status,
            assigned_at: a.assigned_at.to_rfc3339(),
            started_at: a.started_at.map(|t| t.to_rfc3339()),
            completed_at: a.completed_at.map(|t| t.to_rfc3339()),
            late: a.late,
            cancelled_at: a.cancelled_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// A page of assignments.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AssignmentPageView {
    pub items: Vec<AssignmentView>,
    /// The `cursor` of the next page; null on the last.
    pub next_cursor: Option<String>,
}

impl From<&AssignmentPage> for AssignmentPageView {
    fn from(page: &AssignmentPage) -> Self {
        Self {
            items: page.items.iter().map(AssignmentView::from).collect(),
            next_cursor: page.next.as_ref().map(cursor_of),
        }
    }
}

/// A report's figures.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MetricsView {
    pub total_assignments: u64,
    pub completed_assignments: u64,
    /// Seconds from assignment to completion, over the completed ones (rounded); null when none is completed.
    pub average_completion_time: Option<u64>,
    /// Completed over total, from 0 to 1.
    pub completion_rate: f64,
}

/// One assignment of a detailed report.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReportAssignmentView {
    pub assignment_id: String,
    pub assignee_email: String,
    pub status: ReportStatus,
    #[schema(format = DateTime)]
    pub assigned_at: String,
    #[schema(format = DateTime)]
    pub due_date: Option<String>,
    #[schema(format = DateTime)]
    pub completed_at: Option<String>,
    /// The flow's steps the person has completed.
    pub completed_modules: u64,
}

/// The answer to a report.
#[derive(Serialize, ToSchema)]
pub struct ReportView {
    pub metrics: MetricsView,
    /// With `detailed` only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignments: Option<Vec<ReportAssignmentView>>,
}

impl From<&Report> for ReportView {
    fn from(r: &Report) -> Self {
        let m = &r.metrics;
        Self {
            metrics: MetricsView {
                total_assignments: m.total,
                completed_assignments: m.completed,
                average_completion_time: m.average_completion_seconds,
                completion_rate: (m.completion_rate * 10_000.0).round() / 10_000.0,
            },
            assignments: r.lines.as_ref().map(|lines| {
                lines
                    .iter()
                    .map(|l| ReportAssignmentView {
                        assignment_id: l.assignment.id.to_string(),
                        assignee_email: l.assignment.user_email.to_string(),
                        status: l.status,
                        assigned_at: l.assignment.assigned_at.to_rfc3339(),
                        due_date: l.assignment.due_date.map(|t| t.to_rfc3339()),
                        completed_at: l.assignment.completed_at.map(|t| t.to_rfc3339()),
                        completed_modules: l.completed_modules,
                    })
                    .collect()
            }),
        }
    }
}
