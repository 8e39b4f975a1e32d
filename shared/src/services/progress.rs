//! Frigade's flow states: a person's progress through the steps of their organization's flows (the rules of each
//! action are in [`crate::model::FlowState`]), and the MomoFlow assignment that progress moves.
//!
//! **Who.** A Frigade `userId` is a user's external id. A `userId` the organization does not know becomes a user
//! (no email, their `userId` as name) on an action, never on a read: a read for an unknown user answers the
//! state of someone who has done nothing. Guest ids (`guest_<uuid>`) are users like any other.
//!
//! **Which flows.** Visibility follows Flowdock: a user sees a flow they are a member of (not blocked from), an
//! organization-mode flow, or a flow assigned to them. Of those, a disabled flow is *ineligible* (its slug in
//! `ineligibleFlows`), the rest *eligible*. A flow the user may not see appears nowhere, and an action on it is the
//! 404 of a flow that does not exist; an action on an ineligible flow is a 409.
//!
//! **Verified users.** An organization may want a user token (see [`crate::auth::user_token`]) rather than the
//! page's public key for an action on a flow assigned to the user, or for every public request (the gate refuses
//! those); a refused action changes nothing.
//!
//! **Lifecycle.** An action that starts the flow for the first time moves the user's open assignment of it to
//! started and announces `flow.started`; one that completes the flow moves it to completed and announces
//! `flow.completed` (see [`crate::model::Assignment::progressed`]). The state, the assignment and the events are
//! one transaction over the revisions they were read at; a concurrent action makes it read again and redo, so
//! both actions take effect and each event is announced once.

use serde_json::Value;

use crate::caller::Caller;
use crate::error::ApiError;
use crate::model::{
    AccessMode, Action, ActionError, ActionType, AssignmentStatus, Event, Flow, FlowState, OrgId, Role, Text,
    Timestamp, User, UserId,
};
use crate::services::users::{MAX_EXTERNAL_ID, MAX_NAME, MAX_NICK};
use crate::store::{Conflict, Counter, Directory, FlowStore, ProgressStore, ProgressWrite, StoreError, UserProgress};
use crate::webhooks::publish::Publisher;

/// The storage flow states need.
pub trait ProgressStores: Directory + FlowStore + ProgressStore {}
impl<T: Directory + FlowStore + ProgressStore + ?Sized> ProgressStores for T {}

/// The most bytes an action's `data` may take, as JSON.
pub const MAX_DATA_BYTES: usize = 4096;
pub const MAX_FLOW_REF: usize = 100;
/// How many times an action is redone when another one on the same state came first.
const ATTEMPTS: usize = 8;

/// A `POST /v1/public/flowStates` body: without `actionType`, a refresh (the answer without a change).
pub struct StateRequest {
    pub user_id: Text<MAX_EXTERNAL_ID>,
    pub action: Option<RequestedAction>,
}

/// An action as a request names it.
pub struct RequestedAction {
    pub flow: Text<MAX_FLOW_REF>,
    pub action_type: ActionType,
    pub step_id: Option<String>,
    /// `data` as given (`{}` when absent).
    pub data: Value,
}

/// One flow as the answer shows it: its content and the user's state in it.
pub struct FlowProgress {
    pub flow: Flow,
    pub state: FlowState,
}

/// The answer to every flow-state request: the flows the user may take with their state, and the slugs of those
/// they see but may not take.
pub struct States {
    pub eligible: Vec<FlowProgress>,
    pub ineligible: Vec<String>,
    /// Whether the flow responses are shown: only to a secret key.
    pub with_responses: bool,
}

/// Whether the user sees the flow (see the module's docs).
fn can_see(flow: &Flow, progress: &UserProgress) -> bool {
    match progress.memberships.iter().find(|m| m.flow_id == flow.id) {
        Some(m) => !m.disabled,
        None => {
            flow.access_mode == AccessMode::Organization
                || progress.assignments.iter().any(|a| a.flow_id == flow.id && a.status != AssignmentStatus::Cancelled)
        }
    }
}

/// The answer for `user` (`None`: someone who has done nothing) over the organization's `flows`.
fn answer(flows: Vec<Flow>, user: Option<UserId>, progress: &UserProgress, with_responses: bool) -> States {
    let mut states = States { eligible: Vec::new(), ineligible: Vec::new(), with_responses };
    for flow in flows.into_iter().filter(|f| can_see(f, progress)) {
        if flow.disabled {
            states.ineligible.push(flow.slug.as_str().to_owned());
            continue;
        }
        let state = progress
            .states
            .iter()
            .find(|s| s.flow_id == flow.id)
            .cloned()
            .unwrap_or_else(|| FlowState::new(&flow, user.unwrap_or(UserId(0))));
        states.eligible.push(FlowProgress { flow, state });
    }
    states
}

/// The flow a request names among the organization's: by slug first, then by id.
fn named<'a>(flows: &'a [Flow], raw: &str) -> Option<&'a Flow> {
    flows.iter().find(|f| f.slug.as_str() == raw).or_else(|| flows.iter().find(|f| f.id.as_str() == raw))
}

/// Whether the caller's key is a secret one (flow responses are shown to it alone).
async fn is_secret(caller: &Caller) -> Result<bool, ApiError> {
    Ok(caller.permit().await?.key()?.kind == crate::model::KeyKind::Secret)
}

/// A deactivated person's progress and sessions change nothing: a 403 for them, the user otherwise.
pub(crate) fn refuse_deactivated(user: User, raw: &str) -> Result<User, ApiError> {
    if user.is_active() {
        return Ok(user);
    }
    Err(ApiError::Forbidden(format!(
        "The user '{}' is deactivated in this organization; nothing is recorded for them",
        raw.chars().take(40).collect::<String>()
    )))
}

/// The user whose external id `raw` is, made when `create` and the organization does not know them yet.
pub(crate) async fn end_user(
    caller: &Caller,
    directory: &(impl Directory + ?Sized),
    org: OrgId,
    raw: &str,
    create: bool,
) -> Result<Option<User>, ApiError> {
    if let Some(user) = directory.find_user_by_external_id(org, raw).await? {
        return if create { refuse_deactivated(user, raw).map(Some) } else { Ok(Some(user)) };
    }
    if !create {
        return Ok(None);
    }
    // A public key brings in a bounded number of people: the organization's count is read for it.
    let people = directory.get_organization(org).await?.map_or(0, |o| o.user_count);
    caller.new_person(people).await?;
    let id = UserId(directory.next_id(Counter::User).await?);
    let user = User {
        id,
        org_id: org,
        email: None,
        name: raw.chars().take(MAX_NAME).collect(),
        nick: raw.chars().take(MAX_NICK).collect(),
        external_id: Some(raw.to_owned()),
        role: Role::Member,
        disabled: false,
        created_at: caller.now(),
        deactivated_at: None,
        revision: 0,
        person_indexed: true,
    };
    match directory.create_user(&user, None).await {
        Ok(()) => {
            tracing::info!(user = %user.id, "a Frigade userId became a user");
            Ok(Some(user))
        }
        // Another request made them first.
        Err(StoreError::Conflict(Conflict::UserExternalId)) => Ok(directory.find_user_by_external_id(org, raw).await?),
        Err(other) => Err(other.into()),
    }
}

/// The person `raw` (an external id) names, if any, and their progress, read in the same round trip through the
/// person index. A person who does not say that everything of theirs is in it (someone keyed before the index
/// existed, or a moment after their external id was given) is read by their user id, one round trip later, and
/// keyed for the next time.
async fn person<S: ProgressStores + ?Sized>(
    caller: &Caller,
    store: &S,
    org: OrgId,
    raw: &str,
) -> Result<(Option<User>, Option<UserProgress>), ApiError> {
    let (user, indexed) = tokio::try_join!(end_user(caller, store, org, raw, false), async {
        Ok(store.person_progress(org, raw).await?)
    })?;
    match user {
        None => Ok((None, None)),
        Some(user) if user.person_indexed => {
            let progress = indexed.of(user.id);
            Ok((Some(user), Some(progress)))
        }
        Some(user) => {
            if let Err(err) = store.index_person(&user).await {
                tracing::warn!(error = %err, user = %user.id, "a person was not keyed by their external id");
            }
            Ok((Some(user), None))
        }
    }
}

/// What [`person`] found, or the user's progress read by their id when it found none of it.
async fn progress_of<S: ProgressStores + ?Sized>(
    store: &S,
    user: &User,
    found: Option<UserProgress>,
) -> Result<UserProgress, ApiError> {
    match found {
        Some(progress) => Ok(progress),
        None => Ok(store.user_progress(user.org_id, user.id).await?),
    }
}

/// The user's flows and their state in each, changing nothing (`GET /v1/public/flowStates`, and the refresh).
pub async fn read<S: ProgressStores + ?Sized>(caller: &Caller, store: &S, user_id: &str) -> Result<States, ApiError> {
    let org = caller.org().await?;
    let ((user, found), flows) =
        tokio::try_join!(person(caller, store, org, user_id), async { Ok(store.list_flows(org).await?) })?;
    let progress = match &user {
        Some(user) => progress_of(store, user, found).await?,
        None => UserProgress::default(),
    };
    let with_responses = is_secret(caller).await?;
    Ok(answer(flows, user.map(|u| u.id), &progress, with_responses))
}

/// The flows of `GET /v1/public/flows`: those the user sees (eligible or not) when `user_id` is given, else those
/// every user of the organization sees (organization-mode flows).
pub async fn flows<S: ProgressStores + ?Sized>(
    caller: &Caller,
    store: &S,
    user_id: Option<&str>,
) -> Result<Vec<Flow>, ApiError> {
    let org = caller.org().await?;
    let (flows, progress) = tokio::try_join!(async { Ok(store.list_flows(org).await?) }, async {
        let Some(raw) = user_id else { return Ok(UserProgress::default()) };
        match person(caller, store, org, raw).await? {
            (Some(user), found) => progress_of(store, &user, found).await,
            (None, _) => Ok(UserProgress::default()),
        }
    })?;
    caller.permit().await?;
    Ok(flows.into_iter().filter(|f| can_see(f, &progress)).collect())
}

/// The flow `raw` names, if the user may act on it: one they see (else the 404 of a flow that does not exist) and
/// that is not disabled (else a 409).
fn takeable<'a>(flows: &'a [Flow], raw: &str, progress: &UserProgress) -> Result<&'a Flow, ApiError> {
    let missing = || ApiError::not_found(format!("Flow '{raw}' does not exist"));
    let flow = named(flows, raw).filter(|f| can_see(f, progress)).ok_or_else(missing)?;
    if flow.disabled {
        return Err(ApiError::conflict(format!("Flow '{}' is disabled", flow.slug.as_str())));
    }
    Ok(flow)
}

/// The 4xx of a refused action.
fn refused(err: ActionError, flow: &Flow) -> ApiError {
    match err {
        ActionError::StepRequired => ApiError::field("stepId", "is required for a step action"),
        ActionError::UnknownStep(step) => {
            ApiError::field("stepId", format!("flow '{}' has no step '{step}'", flow.slug.as_str()))
        }
        ActionError::Blocked(step) => {
            ApiError::conflict(format!("Step '{step}' is blocked until the steps before it are completed or skipped"))
        }
    }
}

/// Applies a request (`POST /v1/public/flowStates`): a refresh without an action, else the action, with its
/// effect on the user's assignment; answers the user's flows either way.
pub async fn act<S: ProgressStores + ?Sized>(
    caller: &Caller,
    store: &S,
    events: &Publisher<'_>,
    request: StateRequest,
) -> Result<States, ApiError> {
    let Some(requested) = request.action else {
        return read(caller, store, request.user_id.as_str()).await;
    };
    let org = caller.org().await?;
    let raw_flow = requested.flow.as_str();
    let user_id = request.user_id.as_str();
    let ((found, mut indexed), flows) =
        tokio::try_join!(person(caller, store, org, user_id), async { Ok(store.list_flows(org).await?) })?;
    let data = serde_json::to_string(&requested.data).map_err(ApiError::internal)?;
    let action = |at: Timestamp| Action {
        action_type: requested.action_type,
        step_id: requested.step_id.clone(),
        data: data.clone(),
        at,
    };
    let user = match found {
        Some(user) => refuse_deactivated(user, user_id)?,
        None => {
            // Refused on the state of someone who has done nothing before the user is made: a refused action
            // changes nothing.
            let flow = takeable(&flows, raw_flow, &UserProgress::default())?;
            FlowState::new(flow, UserId(0)).apply(flow, &action(caller.now())).map_err(|err| refused(err, flow))?;
            end_user(caller, store, org, user_id, true)
                .await?
                .ok_or_else(|| ApiError::internal("a user made a moment ago is missing"))?
        }
    };
    let with_responses = is_secret(caller).await?;
    for _ in 0..ATTEMPTS {
        // The first try on what the person index read beside the person; a redo on what is there now.
        let progress = progress_of(store, &user, indexed.take()).await?;
        let flow = takeable(&flows, raw_flow, &progress)?;
        let read = progress.states.iter().find(|s| s.flow_id == flow.id).cloned();
        let expected = read.as_ref().map_or(0, |s| s.revision);
        let mut state = read.unwrap_or_else(|| FlowState::new(flow, user.id));
        let now = Timestamp::now();
        state.apply(flow, &action(now)).map_err(|err| refused(err, flow))?;
        state.revision = expected + 1;
        let open = progress.assignments.iter().find(|a| a.flow_id == flow.id && a.status.is_open()).cloned();
        if open.is_some() {
            // Someone's assigned training: the organization may want a user token for it, not the page's key.
            caller.require_token_for_assigned().await?;
        }
        let moved = open.and_then(|a| Some((a.status, a.progressed(state.started, state.completed, now)?)));
        let announced: Vec<Event> = moved
            .as_ref()
            .map(|(_, p)| p.events.iter().map(|t| Event::about_assignment(&p.assignment, *t, now)).collect())
            .unwrap_or_default();
        let write = ProgressWrite {
            external_id: user.external_id.as_deref(),
            state: &state,
            expected,
            assignment: moved.as_ref().map(|(read, p)| (&p.assignment, *read)),
            events: &announced,
        };
        match store.write_progress(&write).await {
            Ok(()) => {}
            Err(StoreError::Conflict(Conflict::Revision)) => continue,
            Err(other) => return Err(other.into()),
        }
        for event in &announced {
            tracing::info!(assignment = %event.data["assignmentId"], event = %event.id, kind = %event.event_type, "progress moved an assignment");
            events.publish_or_leave(event).await;
        }
        let mut after = progress;
        after.states.retain(|s| s.flow_id != flow.id);
        after.states.push(state);
        if let Some((_, p)) = moved {
            after.assignments.retain(|a| a.id != p.assignment.id);
            after.assignments.push(p.assignment);
        }
        return Ok(answer(flows, Some(user.id), &after, with_responses));
    }
    Err(ApiError::conflict("The flow state kept changing while this action was applied; try again"))
}

/// Forgets a user's progress in a flow, history included (`DELETE /v1/userFlowStates/{flowSlug}/{userId}`): the
/// user starts the flow afresh. Their assignment keeps what it became.
pub async fn reset<S: ProgressStores + ?Sized>(
    caller: &Caller,
    store: &S,
    raw_flow: &str,
    user_id: &str,
) -> Result<(), ApiError> {
    let org = caller.org().await?;
    let (user, flows) =
        tokio::try_join!(end_user(caller, store, org, user_id, false), async { Ok(store.list_flows(org).await?) })?;
    let user = user.ok_or_else(|| ApiError::not_found(format!("User '{user_id}' does not exist")))?;
    let flow =
        named(&flows, raw_flow).ok_or_else(|| ApiError::not_found(format!("Flow '{raw_flow}' does not exist")))?;
    caller.permit().await?;
    store.delete_progress(org, user.id, &flow.id).await?;
    Ok(())
}
