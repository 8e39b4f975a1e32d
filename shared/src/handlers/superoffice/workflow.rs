//! The workflow agent's email flow methods (seed 002 and `@superoffice/webapi`'s `WorkflowAgent`): every one a
//! `POST`, its request read by [`crate::http::superoffice`] (members in any case, `null` for no body), its answer in
//! PascalCase. Ids a method reads from the query (`GetEmailFlow?emailFlowId=`) are read from the body too.

use lambda_http::Request;
use serde::Deserialize;
use utoipa::ToSchema;

use super::read::{carrier, id_of, ok};
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::http::superoffice::body;
use crate::http::{no_content, Response};
use crate::model::workflow::{EmailFlow, WorkflowEvent, WorkflowFilter, WorkflowStatus};
use crate::services::email_flows;

/// `CreateDefaultEmailFlow`: the default email flow to edit and save whole (seed 002's, member for member).
#[tracing::instrument(skip_all)]
pub async fn create_default_email_flow(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    body(&request)?;
    ctx.caller.permit().await?;
    ok(&EmailFlow::default())
}

/// `SaveEmailFlow`: `EmailFlowId` 0 creates; another id replaces that flow. Answers the flow as saved.
#[tracing::instrument(skip_all)]
pub async fn save_email_flow(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let flow: EmailFlow = carrier(&request)?;
    let store = &ctx.state.store;
    let record = email_flows::save(&ctx.caller, store, store, flow).await?;
    ok(&record.carrier())
}

/// `GetEmailFlow?emailFlowId=`.
#[tracing::instrument(skip_all)]
pub async fn get_email_flow(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "EmailFlowId")?;
    let record = email_flows::get(&ctx.caller, &ctx.state.store, id).await?;
    ok(&record.carrier())
}

/// `DeleteEmailFlow?EmailFlowId=`: 204.
#[tracing::instrument(skip_all)]
pub async fn delete_email_flow(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "EmailFlowId")?;
    email_flows::delete(&ctx.caller, &ctx.state.store, id).await?;
    Ok(no_content())
}

/// `CopyEmailFlow`'s request.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct CopyEmailFlowRequest {
    #[schema(maximum = 9007199254740991_u64)]
    pub email_flow_id: u64,
    #[serde(default)]
    pub new_name: Option<String>,
}

/// `CopyEmailFlow {EmailFlowId, NewName}`: answers the new flow's id.
#[tracing::instrument(skip_all)]
pub async fn copy_email_flow(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let copy: CopyEmailFlowRequest = carrier(&request)?;
    let store = &ctx.state.store;
    let record = email_flows::copy(&ctx.caller, store, store, copy.email_flow_id, copy.new_name).await?;
    ok(&record.id)
}

/// `SetStatusOnWorkflow`'s request.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SetStatusRequest {
    #[schema(maximum = 9007199254740991_u64)]
    pub email_flow_id: u64,
    pub status: WorkflowStatus,
}

/// `SetStatusOnWorkflow {EmailFlowId, Status}`: answers the status's name.
#[tracing::instrument(skip_all)]
pub async fn set_status_on_workflow(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let change: SetStatusRequest = carrier(&request)?;
    let status = crate::services::email_participants::set_status(
        &ctx.caller,
        &ctx.state.store,
        change.email_flow_id,
        change.status,
    )
    .await?;
    ok(&status)
}

/// `CreateDefaultWorkflowFilter`.
#[tracing::instrument(skip_all)]
pub async fn create_default_workflow_filter(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    body(&request)?;
    ctx.caller.permit().await?;
    ok(&WorkflowFilter::default())
}

/// `CreateDefaultWorkflowEvent`.
#[tracing::instrument(skip_all)]
pub async fn create_default_workflow_event(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    body(&request)?;
    ctx.caller.permit().await?;
    ok(&WorkflowEvent::default())
}

/// `CreateDefaultWorkflowEventResult` (the same members as an event).
#[tracing::instrument(skip_all)]
pub async fn create_default_workflow_event_result(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    body(&request)?;
    ctx.caller.permit().await?;
    ok(&WorkflowEvent::default())
}

/// The methods SuperOffice's client has that this system does not offer: their names.
pub const UNSUPPORTED: [&str; 5] = [
    "CreateEmailFlowContent",
    "ConnectEmailFlowContent",
    "CopyEmailFlowContent",
    "UpdateFormSubmissions",
    "GetWorkflowFencingInfo",
];

/// `POST /v1/Agents/Workflow/{method}` for any other method: 501 for the ones SuperOffice has and this system does
/// not offer (mail content lives with the receiver of `emailflow.step` events; there are no forms or fencing), 404
/// for a name the agent does not have.
#[tracing::instrument(skip_all)]
pub async fn unsupported(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    ctx.caller.permit().await?;
    let method = crate::handlers::path_param(&request, "method")?;
    match UNSUPPORTED.iter().find(|m| m.eq_ignore_ascii_case(&method)) {
        Some(name) => Err(ApiError::NotImplemented(format!(
            "{name} is not supported: email content and forms stay with the system that receives the emailflow.step webhooks"
        ))),
        None => Err(missing_method(&method)),
    }
}

fn missing_method(method: &str) -> ApiError {
    let shown: String = method.chars().take(60).collect();
    ApiError::not_found(format!("The workflow agent has no method '{shown}'"))
}
