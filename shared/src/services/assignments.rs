//! Assignments (MomoFlow): a flow given to a person, announced by `flow.assigned`.

use serde_json::json;

use crate::caller::{Act, Caller};
use crate::error::ApiError;
use crate::model::{
    Assignment, AssignmentId, AssignmentStatus, Email, Event, EventType, Flow, FlowId, MultiLine, Priority, Role, Text,
    Timestamp, User,
};
use crate::store::{AssignmentPage, AssignmentQuery, AssignmentStore, Conflict, Directory, StoreError};
use crate::webhooks::publish::Publisher;

pub const MAX_FLOW_ID: usize = 100;
pub const MAX_NOTES: usize = 2000;
/// Reads and writes of one assign while the person keeps changing under it.
const ASSIGN_ATTEMPTS: usize = 3;

/// An assignment as a request asks for it.
pub struct NewAssignment {
    pub flow_id: Text<MAX_FLOW_ID>,
    pub user_email: Email,
    pub due_date: Option<Timestamp>,
    pub priority: Option<Priority>,
    /// An empty note is no note.
    pub notes: Option<MultiLine<MAX_NOTES>>,
}

/// An assignment made, with the flow and the person it was made for.
pub struct Assigned {
    pub assignment: Assignment,
    pub flow: Flow,
    pub user: User,
}

fn open_conflict(flow_id: &str, email: &Email, open: Option<&AssignmentId>) -> ApiError {
    let message = match open {
        Some(id) => format!("Flow '{flow_id}' is already assigned to '{email}' (assignment '{id}')"),
        None => format!("Flow '{flow_id}' is already assigned to '{email}'"),
    };
    ApiError::Conflict { message, details: open.map(|id| json!({ "assignmentId": id.as_str() })) }
}

/// Assigns a flow to a person of the caller's organization: one read (flow, person, open assignment) beside the
/// gate, then one transaction (assignment, open-assignment lock, outbox event), then the event's hand-off to
/// the queue (which the outbox sweep makes up for if it fails).
pub async fn assign(
    act: &Act<'_, Assigned>,
    store: &dyn AssignmentStore,
    events: &Publisher<'_>,
    input: NewAssignment,
) -> Result<Assigned, ApiError> {
    let flow_id = input.flow_id.as_str();
    let flow_missing = || ApiError::not_found(format!("Flow with ID '{flow_id}' does not exist"));
    let parsed_flow_id = FlowId::parse(flow_id).map_err(|_| flow_missing())?;
    let org = act.caller().org().await?;
    let mut attempt = 0;
    loop {
        attempt += 1;
        let context = store.assign_context(org, &parsed_flow_id, &input.user_email.key()).await?;
        let flow = context.flow.ok_or_else(flow_missing)?;
        let user = context.user.ok_or_else(|| {
            ApiError::not_found(format!("User with email '{}' does not exist in your organization", input.user_email))
        })?;
        if flow.disabled {
            return Err(ApiError::conflict(format!("Flow '{}' is disabled", flow.id)));
        }
        if !user.is_active() {
            return Err(ApiError::conflict(format!(
                "User with email '{}' is deactivated; reactivate them before assigning them a flow",
                input.user_email
            )));
        }
        if let Some(open) = &context.open {
            return Err(open_conflict(flow_id, &input.user_email, Some(open)));
        }
        let principal = act.permit().await?;
        let now = act.now();
        let assignment = Assignment {
            id: AssignmentId::generate(),
            org_id: org,
            flow_id: flow.id.clone(),
            user_id: user.id,
            user_email: input.user_email.clone(),
            user_external_id: user.external_id.clone(),
            due_date: input.due_date,
            priority: input.priority,
            notes: input.notes.as_ref().map(|n| n.as_str().to_owned()),
            status: AssignmentStatus::Assigned,
            assigned_at: now,
            assigned_by: principal.key()?.user_id,
            started_at: None,
            completed_at: None,
            late: false,
            cancelled_at: None,
        };
        let event = Event::about_assignment(&assignment, EventType::FlowAssigned, now);
        let assigned = Assigned { assignment, flow, user };
        let done = act.completion(&assigned);
        match store.create_assignment(&assigned.assignment, &event, done.as_ref()).await {
            Ok(()) => {
                tracing::info!(
                    assignment = %assigned.assignment.id, flow = %assigned.flow.id, event = %event.id, "flow assigned"
                );
                events.publish_or_leave(&event).await;
                return Ok(assigned);
            }
            Err(StoreError::Conflict(Conflict::OpenAssignment(open))) => {
                return Err(open_conflict(flow_id, &assigned.assignment.user_email, open.as_ref()));
            }
            // The person changed between the read and the write (they were given an external id, which keys
            // their assignments): read them again and write what they are now.
            Err(StoreError::Conflict(Conflict::Revision)) if attempt < ASSIGN_ATTEMPTS => continue,
            Err(StoreError::Conflict(Conflict::Revision)) => {
                return Err(ApiError::conflict(format!(
                    "User with email '{}' kept changing while they were assigned; try again",
                    input.user_email
                )));
            }
            Err(other) => return Err(other.into()),
        }
    }
}

/// One assignment of the caller's organization.
pub async fn get(caller: &Caller, store: &dyn AssignmentStore, raw_id: &str) -> Result<Assignment, ApiError> {
    let missing = || ApiError::not_found(format!("Assignment with ID '{raw_id}' does not exist"));
    let id = AssignmentId::parse(raw_id).map_err(|_| missing())?;
    let read = async { Ok(store.get_assignment(caller.org().await?, &id).await?) };
    let (found, principal) = tokio::try_join!(read, caller.permit())?;
    let me = principal.key()?;
    // A member reads only their own assignments; anyone else's is answered as missing.
    found.filter(|a| me.role == Role::Admin || a.user_id == me.user_id).ok_or_else(missing)
}

/// What `GET /v1/assignments` asks for.
pub struct ListQuery {
    pub user_email: Option<Email>,
    pub flow_id: Option<String>,
    pub status: Option<AssignmentStatus>,
    pub after: Option<(Timestamp, AssignmentId)>,
    pub limit: usize,
}

/// A page of the organization's assignments, newest first. A member reads only their own (another person's email
/// selects nothing); an email or flow the organization does not have selects nothing.
pub async fn list<S>(caller: &Caller, store: &S, query: ListQuery) -> Result<AssignmentPage, ApiError>
where
    S: AssignmentStore + Directory + ?Sized,
{
    let org = caller.org().await?;
    let nothing = || Ok(AssignmentPage::default());
    let flow = match &query.flow_id {
        Some(raw) => match FlowId::parse(raw) {
            Ok(id) => Some(id),
            Err(_) => return nothing(),
        },
        None => None,
    };
    let named = match &query.user_email {
        Some(email) => match store.find_user_by_email(org, &email.key()).await? {
            Some(user) => Some(user.id),
            None => return nothing(),
        },
        None => None,
    };
    let principal = caller.permit().await?;
    let me = principal.key()?;
    let user = if me.role == Role::Admin {
        named
    } else {
        match named {
            Some(id) if id != me.user_id => return nothing(),
            _ => Some(me.user_id),
        }
    };
    let selection = AssignmentQuery { flow, user, status: query.status, after: query.after, limit: query.limit };
    Ok(store.list_assignments(org, &selection).await?)
}

/// Cancels an open assignment (an admin's act): it leaves the due index, its flow may be assigned to the person
/// again, and later progress changes nothing. Cancelling a cancelled one answers it again; a completed one is a
/// 409.
pub async fn cancel(
    caller: &Caller,
    store: &dyn AssignmentStore,
    events: &Publisher<'_>,
    raw_id: &str,
) -> Result<Assignment, ApiError> {
    let missing = || ApiError::not_found(format!("Assignment with ID '{raw_id}' does not exist"));
    let id = AssignmentId::parse(raw_id).map_err(|_| missing())?;
    let org = caller.org().await?;
    let (found, _) = tokio::try_join!(async { Ok(store.get_assignment(org, &id).await?) }, caller.permit())?;
    let read = found.ok_or_else(missing)?;
    if read.status == AssignmentStatus::Completed {
        return Err(ApiError::conflict(format!("Assignment '{id}' is completed; it cannot be cancelled")));
    }
    match cancel_one(store, events, read, CancelReason::ByAdmin, caller.now()).await? {
        Some(cancelled) => Ok(cancelled),
        None => Err(ApiError::conflict(format!("Assignment '{id}' is completed; it cannot be cancelled"))),
    }
}

/// Why an assignment was cancelled, as `flow.cancelled` says it (`data.reason`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CancelReason {
    ByAdmin,
    PersonDeactivated,
}

impl CancelReason {
    pub fn as_str(&self) -> &'static str {
        match self {
            Self::ByAdmin => "cancelled_by_admin",
            Self::PersonDeactivated => "person_deactivated",
        }
    }
}

/// Cancels an assignment as read, announcing `flow.cancelled` with `reason` in the same transaction; a change that
/// came first is read again. The assignment as cancelled (as it was, when it was cancelled before), or `None` when it
/// was completed meanwhile.
pub(crate) async fn cancel_one(
    store: &dyn AssignmentStore,
    events: &Publisher<'_>,
    mut read: Assignment,
    reason: CancelReason,
    now: Timestamp,
) -> Result<Option<Assignment>, ApiError> {
    for _ in 0..CANCEL_ATTEMPTS {
        if read.status == AssignmentStatus::Cancelled {
            return Ok(Some(read));
        }
        let Some(cancelled) = read.cancelled(now) else { return Ok(None) };
        let mut event = Event::about_assignment(&cancelled, EventType::FlowCancelled, now);
        event.data["reason"] = json!(reason.as_str());
        match store.update_assignment(&cancelled, read.status, std::slice::from_ref(&event)).await {
            Ok(()) => {
                tracing::info!(assignment = %cancelled.id, reason = reason.as_str(), "assignment cancelled");
                events.publish_or_leave(&event).await;
                return Ok(Some(cancelled));
            }
            Err(StoreError::Conflict(Conflict::Revision)) => {
                read = store
                    .get_assignment(read.org_id, &read.id)
                    .await?
                    .ok_or_else(|| ApiError::internal("an assignment being cancelled is gone"))?;
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::conflict("The assignment kept changing while it was cancelled; try again"))
}

const CANCEL_ATTEMPTS: usize = 5;
