//! The workflow agent's methods (seed 002 and `@superoffice/webapi`'s `WorkflowAgent`): every one a `POST`, its
//! request read by [`crate::http::superoffice`] (members in any case, `null` for no body), its answer in
//! PascalCase. Ids a method reads from the query (`GetEmailFlow?emailFlowId=`) are read from the body too.

use http::StatusCode;
use lambda_http::Request;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::handler::Ctx;
use crate::http::superoffice::{body, from_value, query};
use crate::http::{json, no_content, Response};
use crate::model::workflow::participants::Participant;
use crate::model::workflow::EventType as WorkflowEventType;
use crate::model::workflow::{
    EmailFlow, SplitOptionType, StepOption, StepType, WorkflowEvent, WorkflowFilter, WorkflowGoal, WorkflowStatus,
    WorkflowStep, WorkflowTrigger, WorkflowWaitForAction,
};
use crate::model::{OrgId, UserId};
use crate::services::email_flows;
use crate::services::email_participants::{self, Ports};

/// An id the method names, from the query or the body (any case); a missing or malformed one is a 400 naming it.
fn id_of(request: &Request, body: Option<&Value>, name: &str) -> Result<u64, ApiError> {
    let from_body = body
        .and_then(Value::as_object)
        .and_then(|members| members.iter().rev().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone()));
    let raw = match (query(request, name), from_body) {
        (Some(text), _) => Value::String(text),
        (None, Some(value)) => value,
        (None, None) => return Err(ApiError::field(name, "is required")),
    };
    let id = match &raw {
        Value::Number(n) => n.as_u64().or_else(|| {
            // `274.0` is a whole number.
            n.as_f64().filter(|x| x.fract() == 0.0 && (0.0..9.007_199_254_740_992e15).contains(x)).map(|x| x as u64)
        }),
        Value::String(s) => s.trim().parse::<u64>().ok(),
        _ => None,
    };
    id.ok_or_else(|| ApiError::field(name, format!("must be a whole number of 0 or more, not {raw}")))
}

/// The body read as `T`; a method that takes one needs one.
fn carrier<T: serde::de::DeserializeOwned>(request: &Request) -> Result<T, ApiError> {
    match body(request)? {
        Some(value) => from_value(value),
        None => Err(ApiError::field("body", "is required: a JSON object")),
    }
}

fn ok(value: &impl Serialize) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, value))
}

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
    let store = &*ctx.state.store;
    let record = email_flows::save(&ctx.caller, store, store, flow).await?;
    ok(&record.carrier())
}

/// `GetEmailFlow?emailFlowId=`.
#[tracing::instrument(skip_all)]
pub async fn get_email_flow(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "EmailFlowId")?;
    let record = email_flows::get(&ctx.caller, &*ctx.state.store, id).await?;
    ok(&record.carrier())
}

/// `DeleteEmailFlow?EmailFlowId=`: 204.
#[tracing::instrument(skip_all)]
pub async fn delete_email_flow(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "EmailFlowId")?;
    email_flows::delete(&ctx.caller, &*ctx.state.store, id).await?;
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
    let store = &*ctx.state.store;
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
    let status = email_flows::set_status(&ctx.caller, &*ctx.state.store, change.email_flow_id, change.status).await?;
    ok(&status)
}

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
    ok(&email_flows::save_part(&ctx.caller, &*ctx.state.store, trigger).await?)
}

/// `GetWorkflowTrigger?workflowTriggerId=`.
#[tracing::instrument(skip_all)]
pub async fn get_workflow_trigger(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowTriggerId")?;
    ok(&email_flows::get_part::<WorkflowTrigger>(&ctx.caller, &*ctx.state.store, id).await?)
}

/// `DeleteWorkflowTrigger?WorkflowTriggerId=`: 204.
#[tracing::instrument(skip_all)]
pub async fn delete_workflow_trigger(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowTriggerId")?;
    email_flows::delete_part::<WorkflowTrigger>(&ctx.caller, &*ctx.state.store, id).await?;
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
    ok(&email_flows::save_part(&ctx.caller, &*ctx.state.store, goal).await?)
}

/// `GetWorkflowGoal?workflowGoalId=`.
#[tracing::instrument(skip_all)]
pub async fn get_workflow_goal(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowGoalId")?;
    ok(&email_flows::get_part::<WorkflowGoal>(&ctx.caller, &*ctx.state.store, id).await?)
}

/// `DeleteWorkflowGoal?WorkflowGoalId=`: 204.
#[tracing::instrument(skip_all)]
pub async fn delete_workflow_goal(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowGoalId")?;
    email_flows::delete_part::<WorkflowGoal>(&ctx.caller, &*ctx.state.store, id).await?;
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
    ok(&email_flows::save_wait_for_action(&ctx.caller, &*ctx.state.store, action).await?)
}

/// `GetWorkflowWaitForAction?workflowWaitForActionId=`.
#[tracing::instrument(skip_all)]
pub async fn get_workflow_wait_for_action(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowWaitForActionId")?;
    ok(&email_flows::get_wait_for_action(&ctx.caller, &*ctx.state.store, id).await?)
}

/// `DeleteWorkflowWaitForAction?WorkflowWaitForActionId=`: 204.
#[tracing::instrument(skip_all)]
pub async fn delete_workflow_wait_for_action(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = id_of(&request, body(&request)?.as_ref(), "WorkflowWaitForActionId")?;
    email_flows::delete_wait_for_action(&ctx.caller, &*ctx.state.store, id).await?;
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
    ok(&email_flows::get_step(&ctx.caller, &*ctx.state.store, id).await?)
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
    ok(&email_flows::add_after_step(&ctx.caller, &*ctx.state.store, add.workflow_step_id, add.sub_step).await?)
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
    ok(&email_flows::get_option(&ctx.caller, &*ctx.state.store, id).await?)
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

fn ports<'a>(ctx: &'a Ctx, publisher: &'a crate::webhooks::publish::Publisher<'a>) -> Ports<'a> {
    Ports { directory: ctx.state.store.as_ref(), flows: ctx.state.store.as_ref(), events: publisher }
}

/// The project's own event about a person (created, updated) for the email flows' triggers and goals. Its failure
/// does not undo what the request did: it is logged.
pub async fn person_event(ctx: &Ctx, org: OrgId, person: UserId, event: WorkflowEventType) {
    let publisher = ctx.state.publisher();
    let now = ctx.caller.now();
    if let Err(err) = email_participants::on_person_event(ports(ctx, &publisher), org, person, event, now).await {
        tracing::error!(person = %person, event = event.name(), error = %err, "an email flow event was not applied");
    }
}

/// `TryAddPersonsToEmailFlow`'s request.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct TryAddPersonsRequest {
    #[schema(maximum = 9007199254740991_u64)]
    pub email_flow_id: u64,
    /// The organization's users' ids.
    #[schema(max_items = 500)]
    pub person_ids: Vec<u64>,
}

/// `TryAddPersonsToEmailFlow {EmailFlowId, PersonIds}`: one boolean per person, whether they were enrolled.
#[tracing::instrument(skip_all)]
pub async fn try_add_persons_to_email_flow(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let add: TryAddPersonsRequest = carrier(&request)?;
    let publisher = ctx.state.publisher();
    ok(&email_participants::try_add(&ctx.caller, ports(&ctx, &publisher), add.email_flow_id, &add.person_ids).await?)
}

/// `RemoveParticipantsFromEmailFlow`'s request.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct RemoveParticipantsRequest {
    #[schema(maximum = 9007199254740991_u64)]
    pub email_flow_id: u64,
    /// Enrolments (`workflowInstanceId` of the events and the participant list), not persons.
    #[schema(max_items = 500)]
    pub workflow_instance_ids: Vec<u64>,
}

/// `RemoveParticipantsFromEmailFlow {EmailFlowId, WorkflowInstanceIds}`: 204.
#[tracing::instrument(skip_all)]
pub async fn remove_participants_from_email_flow(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let remove: RemoveParticipantsRequest = carrier(&request)?;
    let publisher = ctx.state.publisher();
    email_participants::remove(
        &ctx.caller,
        ports(&ctx, &publisher),
        remove.email_flow_id,
        &remove.workflow_instance_ids,
    )
    .await?;
    Ok(no_content())
}

/// `SendEvent`'s request: the event, or (from other clients) the event's members at the top.
#[derive(Deserialize, ToSchema)]
#[serde(rename_all = "PascalCase")]
pub struct SendEventRequest {
    pub workflow_event: WorkflowEvent,
}

/// `SendEvent {WorkflowEvent: {EventType, Attributes}}`: answers the event with what it did.
#[tracing::instrument(skip_all)]
pub async fn send_event(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let body = body(&request)?.ok_or_else(|| ApiError::field("body", "is required: a JSON object"))?;
    let wrapped = body.as_object().is_some_and(|m| m.keys().any(|k| k.eq_ignore_ascii_case("WorkflowEvent")));
    let event = if wrapped { from_value::<SendEventRequest>(body)?.workflow_event } else { from_value(body)? };
    let publisher = ctx.state.publisher();
    ok(&email_participants::send_event(&ctx.caller, ports(&ctx, &publisher), event).await?)
}

/// `Run` (no body): moves the organization's participants that are due now; answers the run's time.
#[tracing::instrument(skip_all)]
pub async fn run(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    body(&request)?;
    let publisher = ctx.state.publisher();
    let at = email_participants::run(&ctx.caller, ports(&ctx, &publisher)).await?;
    ok(&at.to_rfc3339())
}

/// A participant as `GET /v1/emailflows/{emailFlowId}/participants` shows it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantView {
    pub workflow_instance_id: u64,
    pub person_id: u64,
    /// `active`, `finished`, `goalReached`, `exited` or `removed`.
    pub status: String,
    /// The step the participant is at (none before the first run and after the end).
    pub at_step_id: Option<u64>,
    pub due_at: Option<String>,
    pub goal_reached: bool,
    pub enrolled_at: String,
    pub ended_at: Option<String>,
    /// The steps gone through, newest last: `{stepId, stepType, at}`.
    #[schema(value_type = Vec<Object>)]
    pub executed: Vec<Value>,
}

impl From<&Participant> for ParticipantView {
    fn from(p: &Participant) -> Self {
        Self {
            workflow_instance_id: p.instance_id,
            person_id: p.person_id.0,
            status: serde_json::to_value(p.status).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
            at_step_id: (p.at_step != 0).then_some(p.at_step),
            due_at: p.due_at.filter(|_| p.is_active()).map(|d| d.to_rfc3339()),
            goal_reached: p.goal_reached,
            enrolled_at: p.enrolled_at.to_rfc3339(),
            ended_at: p.ended_at.map(|d| d.to_rfc3339()),
            executed: p.executed.iter().filter_map(|e| serde_json::to_value(e).ok()).collect(),
        }
    }
}

/// `GET /v1/emailflows/{emailFlowId}/participants`: the flow's enrolments, by person (the instance ids
/// `RemoveParticipantsFromEmailFlow` takes).
#[tracing::instrument(skip_all)]
pub async fn participants(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let raw = crate::handlers::path_param(&request, "emailFlowId")?;
    let id = raw.parse::<u64>().map_err(|_| {
        ApiError::not_found(format!("Email flow {} does not exist", raw.chars().take(40).collect::<String>()))
    })?;
    let publisher = ctx.state.publisher();
    let list = email_participants::list(&ctx.caller, ports(&ctx, &publisher), id).await?;
    Ok(json(StatusCode::OK, &list.iter().map(ParticipantView::from).collect::<Vec<_>>()))
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
