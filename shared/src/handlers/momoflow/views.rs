//! MomoFlow's answers, as seed 000 writes them.

use http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::{json, Response};
use crate::model::{format_duration, Assignment, AssignmentStatus, Priority};
use crate::services::assignments::Assigned;

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
        }
    }
}
