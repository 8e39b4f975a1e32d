//! The workflow agent's methods for what is inside an email flow: triggers, goals, wait-for-actions, steps and split
//! options, each found by its id (which names its flow) and saved into its flow.

use lambda_http::Request;
use serde::Deserialize;
use utoipa::ToSchema;

use super::read::{carrier, id_of, ok};
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::http::superoffice::body;
use crate::http::{no_content, Response};
use crate::model::workflow::{
    SplitOptionType, StepOption, StepType, WorkflowGoal, WorkflowStep, WorkflowTrigger, WorkflowWaitForAction,
};
use crate::services::email_flows;

/// `CreateDefaultWorkflowTrigger` (seed 002's).
#[tracing::instrument(skip_all)]
pub async fn create_default_workflow_trigger(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    body(&request)?;
    ctx.caller.permit().await?;
    ok(&WorkflowTrigger::default())
}

/// `SaveWorkflowTrigger`: into the flow `WorkflowId` names.
#[tracing::instrument(skip_all)]
pub async fn save_workflow_trigger(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let trigger: WorkflowTrigger = carrier(&request)?;
    ok(&email_flows::save_part(&ctx.caller, &ctx.state.store, trigger).await?)
}

/// `GetWorkflowTrigger?workflowTriggerId=`.
#[tracing::instrument(skip_all)]
pub async fn get_workflow_trigger(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowTriggerId")?;
    ok(&email_flows::get_part::<WorkflowTrigger>(&ctx.caller, &ctx.state.store, id).await?)
}

/// `DeleteWorkflowTrigger?WorkflowTriggerId=`: 204.
#[tracing::instrument(skip_all)]
pub async fn delete_workflow_trigger(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowTriggerId")?;
    email_flows::delete_part::<WorkflowTrigger>(&ctx.caller, &ctx.state.store, id).await?;
    Ok(no_content())
}

/// `CreateDefaultWorkflowGoal`.
#[tracing::instrument(skip_all)]
pub async fn create_default_workflow_goal(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    body(&request)?;
    ctx.caller.permit().await?;
    ok(&WorkflowGoal::default())
}

/// `SaveWorkflowGoal`: into the flow `WorkflowId` names.
#[tracing::instrument(skip_all)]
pub async fn save_workflow_goal(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let goal: WorkflowGoal = carrier(&request)?;
    ok(&email_flows::save_part(&ctx.caller, &ctx.state.store, goal).await?)
}

/// `GetWorkflowGoal?workflowGoalId=`.
#[tracing::instrument(skip_all)]
pub async fn get_workflow_goal(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowGoalId")?;
    ok(&email_flows::get_part::<WorkflowGoal>(&ctx.caller, &ctx.state.store, id).await?)
}

/// `DeleteWorkflowGoal?WorkflowGoalId=`: 204.
#[tracing::instrument(skip_all)]
pub async fn delete_workflow_goal(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowGoalId")?;
    email_flows::delete_part::<WorkflowGoal>(&ctx.caller, &ctx.state.store, id).await?;
    Ok(no_content())
}

/// `CreateDefaultWorkflowWaitForAction`.
#[tracing::instrument(skip_all)]
pub async fn create_default_workflow_wait_for_action(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    body(&request)?;
    ctx.caller.permit().await?;
    ok(&WorkflowWaitForAction::default())
}

/// `SaveWorkflowWaitForAction`: into the WaitForAction step `WorkflowStepId` names.
#[tracing::instrument(skip_all)]
pub async fn save_workflow_wait_for_action(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let action: WorkflowWaitForAction = carrier(&request)?;
    ok(&email_flows::save_wait_for_action(&ctx.caller, &ctx.state.store, action).await?)
}

/// `GetWorkflowWaitForAction?workflowWaitForActionId=`.
#[tracing::instrument(skip_all)]
pub async fn get_workflow_wait_for_action(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowWaitForActionId")?;
    ok(&email_flows::get_wait_for_action(&ctx.caller, &ctx.state.store, id).await?)
}

/// `DeleteWorkflowWaitForAction?WorkflowWaitForActionId=`: 204.
#[tracing::instrument(skip_all)]
pub async fn delete_workflow_wait_for_action(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowWaitForActionId")?;
    email_flows::delete_wait_for_action(&ctx.caller, &ctx.state.store, id).await?;
    Ok(no_content())
}

/// `CreateDefaultWorkflowStepFromType`'s request.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct StepTypeRequest {
    pub step_type: StepType,
}

/// `CreateDefaultWorkflowStepFromType {StepType}`: that kind's default step (seed 002's for WaitForTime).
#[tracing::instrument(skip_all)]
pub async fn create_default_workflow_step_from_type(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let kind: StepTypeRequest = carrier(&request)?;
    ctx.caller.permit().await?;
    ok(&WorkflowStep::default_of(kind.step_type))
}

/// `GetWorkflowStep`'s request (the id may come in the query instead).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct StepIdRequest {
    #[schema(maximum = 9007199254740991_u64)]
    pub workflow_step_id: u64,
}

/// `GetWorkflowStep {WorkflowStepId}`.
#[tracing::instrument(skip_all)]
pub async fn get_workflow_step(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowStepId")?;
    ok(&email_flows::get_step(&ctx.caller, &ctx.state.store, id).await?)
}

/// `AddAfterWorkflowStep`'s request.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct AddAfterRequest {
    #[schema(maximum = 9007199254740991_u64)]
    pub workflow_step_id: u64,
    pub sub_step: WorkflowStep,
}

/// `AddAfterWorkflowStep {WorkflowStepId, SubStep}`: answers the step as added.
#[tracing::instrument(skip_all)]
pub async fn add_after_workflow_step(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let add: AddAfterRequest = carrier(&request)?;
    ok(&email_flows::add_after_step(&ctx.caller, &ctx.state.store, add.workflow_step_id, add.sub_step).await?)
}

/// `CreateDefaultWorkflowStepOptionFromType`'s request.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct OptionTypeRequest {
    pub option_type: SplitOptionType,
}

/// `CreateDefaultWorkflowStepOptionFromType {OptionType}`.
#[tracing::instrument(skip_all)]
pub async fn create_default_workflow_step_option_from_type(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let kind: OptionTypeRequest = carrier(&request)?;
    ctx.caller.permit().await?;
    ok(&StepOption::default_of(kind.option_type))
}

/// `GetWorkflowStepOption`'s request (the id may come in the query instead).
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct OptionIdRequest {
    #[schema(maximum = 9007199254740991_u64)]
    pub workflow_step_option_id: u64,
}

/// `GetWorkflowStepOption {WorkflowStepOptionId}`.
#[tracing::instrument(skip_all)]
pub async fn get_workflow_step_option(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowStepOptionId")?;
    ok(&email_flows::get_option(&ctx.caller, &ctx.state.store, id).await?)
}
