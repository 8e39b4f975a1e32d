//! `POST /v1/flows/assign`, `GET /v1/assignments/{assignmentId}`.

use http::StatusCode;
use lambda_http::Request;

use super::views;
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::handlers::{body, path_param};
use crate::http::values::{blank_or_text, blank_or_text_schema};
use crate::http::{json, Fields, Input, Need, Response};
use crate::services::assignments::{self, NewAssignment, MAX_NOTES};

impl Input for NewAssignment {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let flow_id = f.string("flowId", Need::Required);
        let user_email = f.string("userEmail", Need::Required);
        let due_date = f.string("dueDate", Need::Optional);
        let priority = f.string("priority", Need::Optional);
        let notes = f.string_with("notes", Need::Optional, blank_or_text_schema(MAX_NOTES), blank_or_text).flatten();
        Some(Self { flow_id: flow_id?, user_email: user_email?, due_date, priority, notes })
    }
}

#[tracing::instrument(skip_all)]
pub async fn assign(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let input: NewAssignment = body(&request)?;
    let store = ctx.state.store.as_ref();
    let assigned = assignments::assign(&ctx.act(&views::assigned), store, &ctx.state.publisher(), input).await?;
    Ok(views::assigned(&assigned))
}

#[tracing::instrument(skip_all)]
pub async fn get(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = path_param(&request, "assignmentId")?;
    let assignment = assignments::get(&ctx.caller, ctx.state.store.as_ref(), &id).await?;
    Ok(json(StatusCode::OK, &views::AssignmentView::from(&assignment)))
}
