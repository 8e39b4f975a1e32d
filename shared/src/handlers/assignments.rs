//! `GET /v1/assignments/{assignmentId}`.

use http::StatusCode;
use lambda_http::Request;
use serde_json::json;

use crate::dispatch::Ctx;
use crate::error::ApiError;
use crate::http::{json, store_error, Response};
use crate::model::{Assignment, AssignmentId};

use super::path_param;

pub fn view(a: &Assignment) -> serde_json::Value {
    json!({
        "assignmentId": a.id.as_str(),
        "flowId": a.flow_id.as_str(),
        "userEmail": a.user_email.as_str(),
        "dueDate": a.due_date,
        "priority": a.priority,
        "notes": a.notes,
        "status": a.status,
        "assignedAt": a.assigned_at,
    })
}

#[tracing::instrument(skip_all)]
pub async fn get(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let raw = path_param(&request, "assignmentId")?;
    let missing = || ApiError::not_found(format!("Assignment with ID '{raw}' does not exist"));
    let id = AssignmentId::parse(&raw).map_err(|_| missing())?;
    let assignment = ctx.state.store.get_assignment(ctx.org()?, &id).await.map_err(store_error)?.ok_or_else(missing)?;
    Ok(json(StatusCode::OK, &view(&assignment)))
}
