//! `POST /v1/flows/assign`, `GET /v1/assignments` (a page), `GET` and `DELETE /v1/assignments/{assignmentId}`,
//! `POST /v1/flows/report`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use http::StatusCode;
use lambda_http::{Request, RequestExt};

use super::views;
use crate::error::{ApiError, Problems};
use crate::handler::Ctx;
use crate::handlers::{body, page_limit, path_param};
use crate::http::values::{blank_or_text, blank_or_text_schema};
use crate::http::{json, Fields, Input, Need, Response};
use crate::model::{AssignmentId, AssignmentStatus, Email, Timestamp};
use crate::services::assignments::{self, ListQuery, NewAssignment, DEFAULT_PAGE, MAX_NOTES, MAX_PAGE};
use crate::services::reports::{self, ReportRequest};

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

/// A page's cursor: the last assignment of the page before, opaque to the client (base64url of its time and id).
pub fn cursor_of((at, id): &(Timestamp, AssignmentId)) -> String {
    URL_SAFE_NO_PAD.encode(format!("{at}|{id}"))
}

fn parse_cursor(raw: &str) -> Result<(Timestamp, AssignmentId), String> {
    let invalid = || "is not a cursor this API gave".to_owned();
    let text = URL_SAFE_NO_PAD.decode(raw).ok().and_then(|b| String::from_utf8(b).ok()).ok_or_else(invalid)?;
    let (at, id) = text.split_once('|').ok_or_else(invalid)?;
    Ok((Timestamp::parse_iso8601(at).map_err(|_| invalid())?, AssignmentId::parse(id).map_err(|_| invalid())?))
}

/// `GET /v1/assignments?userEmail=&flowId=&status=&limit=&cursor=`: newest first; `nextCursor` names the next page.
#[tracing::instrument(skip_all)]
pub async fn list(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let query = request.query_string_parameters();
    let mut problems = Problems::new();
    let limit = page_limit(&mut problems, query.first("limit"), DEFAULT_PAGE, MAX_PAGE);
    let user_email = query.first("userEmail").and_then(|raw| problems.check("userEmail", Email::parse(raw)));
    let status = query.first("status").and_then(|raw| problems.check("status", AssignmentStatus::parse(raw)));
    let after = query.first("cursor").and_then(|raw| problems.check("cursor", parse_cursor(raw)));
    let flow_id = query.first("flowId").map(str::to_owned);
    problems.finish()?;
    let list = ListQuery { user_email, flow_id, status, after, limit };
    let page = assignments::list(&ctx.caller, ctx.state.store.as_ref(), list).await?;
    Ok(json(StatusCode::OK, &views::AssignmentPageView::from(&page)))
}

/// `DELETE /v1/assignments/{assignmentId}`: 200 with the cancelled assignment.
#[tracing::instrument(skip_all)]
pub async fn cancel(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = path_param(&request, "assignmentId")?;
    let cancelled = assignments::cancel(&ctx.caller, ctx.state.store.as_ref(), &id).await?;
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
    let report = reports::report(&ctx.caller, ctx.state.store.as_ref(), input).await?;
    Ok(json(StatusCode::OK, &views::ReportView::from(&report)))
}
