//! The workflow agent's participant methods (`TryAddPersonsToEmailFlow`, `RemoveParticipantsFromEmailFlow`,
//! `SendEvent`, `Run`), the participant list, and the project's own person events for the flows' triggers and goals.

use http::StatusCode;
use lambda_http::Request;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;

use super::read::{carrier, ok};
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::http::superoffice::{body, from_value};
use crate::http::{json, no_content, page, Response};
use crate::model::workflow::participants::Participant;
use crate::model::workflow::{EventType as WorkflowEventType, WorkflowEvent};
use crate::model::{OrgId, UserId};
use crate::services::email_participants::{self, Ports};

fn ports<'a>(ctx: &'a Ctx, publisher: &'a crate::webhooks::publish::Publisher<'a>) -> Ports<'a> {
    Ports { directory: &ctx.state.store, flows: &ctx.state.store, events: publisher }
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

crate::page_view!(
    /// A page of an email flow's participants, by person.
    ParticipantPageView,
    ParticipantView
);

/// `GET /v1/emailflows/{emailFlowId}/participants?limit=&cursor=`: a page of the flow's enrolments, by person (the
/// instance ids `RemoveParticipantsFromEmailFlow` takes).
#[tracing::instrument(skip_all)]
pub async fn participants(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let raw = crate::handlers::path_param(&request, "emailFlowId")?;
    let id = raw.parse::<u64>().map_err(|_| {
        ApiError::not_found(format!("Email flow {} does not exist", raw.chars().take(40).collect::<String>()))
    })?;
    let query = lambda_http::RequestExt::query_string_parameters(&request);
    let mut problems = crate::error::Problems::new();
    let page =
        page::request(&mut problems, query.first("limit"), query.first("cursor"), |k| k.parse().ok().map(UserId));
    problems.finish()?;
    let publisher = ctx.state.publisher();
    let (found, next) =
        email_participants::list(&ctx.caller, ports(&ctx, &publisher), id, page.after, page.limit).await?;
    let view = ParticipantPageView {
        items: found.iter().map(ParticipantView::from).collect(),
        next_cursor: next.map(|person| page::cursor_of(&person.to_string())),
    };
    Ok(json(StatusCode::OK, &view))
}
