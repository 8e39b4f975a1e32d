//! `POST /v1/flows/assign`, `GET /v1/assignments` (a page), `GET` and `DELETE /v1/assignments/{assignmentId}`,
//! `POST /v1/flows/report`.

use http::StatusCode;
use lambda_http::{Request, RequestExt};

use super::views;
use crate::error::{ApiError, Problems};
use crate::handler::Ctx;
use crate::handlers::{body, path_param};
use crate::http::values::{blank_or_text, blank_or_text_schema};
use crate::http::{json, page, Fields, Input, Need, Response};
use crate::model::{AssignmentStatus, Email};
use crate::services::assignments::{self, ListQuery, NewAssignment, MAX_NOTES};
use crate::services::reports::{self, ReportRequest};

impl Input for NewAssignment {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let flow_id = f.string("flowId", Need::Required);
        let user_email = f.string("userEmail", Need::Required);
        let due_date = f.string("dueDate", Need::Optional);
        let priority = f.string("priority", Need::Optional);
        let notes =
            f.string_with("notes", Need::Optional, blank_or_text_schema(MAX_NOTES, true), blank_or_text).flatten();
        Some(Self { flow_id: flow_id?, user_email: user_email?, due_date, priority, notes })
    }
}

#[tracing::instrument(skip_all)]
pub async fn assign(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let input: NewAssignment = body(&request)?;
    let store = &ctx.state.store;
    let assigned = assignments::assign(&ctx.act(&views::assigned), store, &ctx.state.publisher(), input).await?;
    Ok(views::assigned(&assigned))
}

#[tracing::instrument(skip_all)]
pub async fn get(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = path_param(&request, "assignmentId")?;
    let assignment = assignments::get(&ctx.caller, &ctx.state.store, &id).await?;
    Ok(json(StatusCode::OK, &views::AssignmentView::from(&assignment)))
}

/// `GET /v1/assignments?userEmail=&flowId=&status=&limit=&cursor=`: newest first; `nextCursor` names the next page.
#[tracing::instrument(skip_all)]
pub async fn list(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let query = request.query_string_parameters();
    let mut problems = Problems::new();
    let page = page::request(&mut problems, query.first("limit"), query.first("cursor"), views::assignment_after);
    let (limit, after) = (page.limit, page.after);
    let user_email = query.first("userEmail").and_then(|raw| problems.check("userEmail", Email::parse(raw)));
    let status = query.first("status").and_then(|raw| problems.check("status", AssignmentStatus::parse(raw)));
    let flow_id = query.first("flowId").map(str::to_owned);
    problems.finish()?;
    let list = ListQuery { user_email, flow_id, status, after, limit };
    let page = assignments::list(&ctx.caller, &ctx.state.store, list).await?;
    Ok(json(StatusCode::OK, &views::AssignmentPageView::from(&page)))
}

/// `DELETE /v1/assignments/{assignmentId}`: 200 with the cancelled assignment.
#[tracing::instrument(skip_all)]
pub async fn cancel(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = path_param(&request, "assignmentId")?;
    let cancelled = assignments::cancel(&ctx.caller, &ctx.state.store, &ctx.state.publisher(), &id).await?;
    Ok(json(StatusCode::OK, &views::AssignmentView::from(&cancelled)))
}

impl Input for ReportRequest {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let flow_id = f.string("flowId", Need::Required);
        let start = f.string("startDate", Need::Optional);
        let end = f.string("endDate", Need::Optional);
        let status = f.string("status", Need::Optional);
        let detailed = f.boolean("detailed", Need::Optional).unwrap_or(false);
        Some(Self { flow_id: flow_id?, start, end, status, detailed })
    }
}

/// `POST /v1/flows/report`.
#[tracing::instrument(skip_all)]
pub async fn report(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let input: ReportRequest = body(&request)?;
    let report = reports::report(&ctx.caller, &ctx.state.store, input).await?;
    Ok(json(StatusCode::OK, &views::ReportView::from(&report)))
}
