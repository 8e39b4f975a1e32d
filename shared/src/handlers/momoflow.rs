//! MomoFlow's flow assignment (seed 000): `POST /v1/flows/assign`.

use http::StatusCode;
use lambda_http::Request;
use serde_json::json;

use crate::dispatch::Ctx;
use crate::error::ApiError;
use crate::http::{json, json_object, store_error, Fields, Response};
use crate::model::{
    format_duration, Assignment, AssignmentId, AssignmentStatus, BoundedText, Email, Event, EventType, FlowId,
    Priority, Timestamp,
};
use crate::store::{Conflict, StoreError};
use crate::webhooks::publish::publish;

pub const MAX_FLOW_ID: usize = 100;
pub const MAX_NOTES: usize = 2000;

fn open_conflict(flow_id: &str, email: &Email, open: Option<&AssignmentId>) -> ApiError {
    let message = match open {
        Some(id) => format!("Flow '{flow_id}' is already assigned to '{email}' (assignment '{id}')"),
        None => format!("Flow '{flow_id}' is already assigned to '{email}'"),
    };
    ApiError::Conflict { message, details: open.map(|id| json!({ "assignmentId": id.as_str() })) }
}

#[tracing::instrument(skip_all)]
pub async fn assign(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let key = ctx.key()?;
    let body = json_object(&request)?;
    let mut fields = Fields::new(&body);
    let flow_id = fields.string("flowId", true, |s| BoundedText::parse(s, MAX_FLOW_ID));
    let email = fields.string("userEmail", true, Email::parse);
    let due_date = fields.string("dueDate", false, Timestamp::parse_iso8601);
    let priority = fields.string("priority", false, Priority::parse);
    // An empty note is no note.
    let notes = fields
        .string(
            "notes",
            false,
            |s| if s.trim().is_empty() { Ok(None) } else { BoundedText::parse(s, MAX_NOTES).map(Some) },
        )
        .flatten();
    fields.finish()?;
    let (Some(flow_id), Some(email)) = (flow_id, email) else {
        return Err(ApiError::internal("validated fields missing"));
    };
    let flow_missing = || ApiError::not_found(format!("Flow with ID '{}' does not exist", flow_id.as_str()));
    let parsed_flow_id = FlowId::parse(flow_id.as_str()).map_err(|_| flow_missing())?;

    let store = ctx.state.store.as_ref();
    let context = store.assign_context(key.org_id, &parsed_flow_id, &email.key()).await.map_err(store_error)?;
    let flow = context.flow.ok_or_else(flow_missing)?;
    let user = context
        .user
        .ok_or_else(|| ApiError::not_found(format!("User with email '{email}' does not exist in your organization")))?;
    if flow.disabled {
        return Err(ApiError::conflict(format!("Flow '{}' is disabled", flow.id)));
    }
    if let Some(open) = &context.open {
        return Err(open_conflict(flow_id.as_str(), &user.email, Some(open)));
    }

    let assignment = Assignment {
        id: AssignmentId::generate(),
        org_id: key.org_id,
        flow_id: flow.id.clone(),
        user_id: user.id,
        user_email: user.email.clone(),
        due_date,
        priority,
        notes: notes.map(BoundedText::into_string),
        status: AssignmentStatus::Assigned,
        assigned_at: ctx.now,
        assigned_by: key.user_id,
    };
    let event = Event::about_assignment(&assignment, EventType::FlowAssigned, ctx.now);
    store.create_assignment(&assignment, &event).await.map_err(|err| match err {
        StoreError::Conflict(Conflict::OpenAssignment(open)) => {
            open_conflict(flow_id.as_str(), &user.email, open.as_ref())
        }
        other => store_error(other),
    })?;
    tracing::info!(assignment = %assignment.id, flow = %flow.id, event = %event.id, "flow assigned");
    // The event is committed with the assignment; handing it to the queue now is an optimisation the outbox
    // sweep makes up for if it fails.
    if let Err(err) = publish(store, ctx.state.queue.as_ref(), &event).await {
        tracing::warn!(event = %event.id, error = %err, "event left in the outbox for the sweep");
    }
    Ok(json(
        StatusCode::OK,
        &json!({
            "success": true,
            "assignmentId": assignment.id.as_str(),
            "message": "Flow assigned successfully",
            "details": {
                "assignedAt": assignment.assigned_at,
                "assigneeEmail": user.email.as_str(),
                "flowName": flow.name,
                "moduleCount": flow.module_count(),
                "estimatedDuration": format_duration(flow.estimated_minutes()),
            }
        }),
    ))
}
