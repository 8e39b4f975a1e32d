//! Participants of SuperOffice's email flows: enrolment (`TryAddPersonsToEmailFlow`, triggers), removal, the run
//! that moves them through the steps ([`crate::model::workflow::participants`] holds the rules), and the events
//! that fire triggers, meet goals and the actions a WaitForAction step waits for (`SendEvent`, and the project's own
//! person events).
//!
//! Each change to a participant is written over the revision read, with the `emailflow.step` events it announces in
//! the same transaction: two runs that overlap execute a step once, and announce it once.
//!
//! Enrolment: a flow that is Stopped (or has no status) takes nobody; one past its `EnrollmentEnd` takes nobody;
//! a person already moving through the flow is not enrolled again, nor, when the flow `StartOnlyOnce`, a person who
//! ever was. A new participant starts at once, or at `WorkflowStart` when the flow uses it; enrolling removes the
//! person from the flows the flow's `RemoveFromFlows` names. Paused holds everyone where they are (looked at again
//! every [`HOLD_SECONDS`]); Stopped ends new entries and holds everyone too.

use std::time::Instant;

use futures_util::stream::{self, StreamExt};
use serde::Serialize;

use crate::caller::Caller;
use crate::error::ApiError;
use crate::model::workflow::participants::{advance, meets_wait, Participant, ParticipantStatus, Person};
use crate::model::workflow::{
    EmailFlowRecord, EventType as WorkflowEventType, GoalType, TriggerType, WaitForActionType, WorkflowEvent,
    WorkflowStatus,
};
use crate::model::{Event, EventType, OrgId, Timestamp, UserId};
use crate::services::email_flows::{self, missing};
use crate::store::{Conflict, Counter, Directory, EmailFlowStore, StoreError, StoreResult};
use crate::webhooks::publish::Publisher;

/// How often a change is redone when a run moved the participant first.
const REVISION_ATTEMPTS: usize = 5;
/// How many persons one `TryAddPersonsToEmailFlow` takes.
pub const MAX_PERSONS: usize = 500;
/// How many persons one `TryAddPersonsToEmailFlow` enrols at once.
const ENROL_CONCURRENCY: usize = 8;
/// How long a held participant (its flow Paused or Stopped) waits before a run looks at it again.
pub const HOLD_SECONDS: i64 = 300;
/// How many due participants one read of the index takes, and how many a run moves at once.
pub const BATCH: usize = 200;
pub const CONCURRENCY: usize = 16;

/// The stores a participant's change reads and writes.
#[derive(Clone, Copy)]
pub struct Ports<'a> {
    pub directory: &'a dyn Directory,
    pub flows: &'a dyn EmailFlowStore,
    pub events: &'a Publisher<'a>,
}

fn instant_of(record: &EmailFlowRecord, at: Option<crate::model::workflow::EncodedDateTime>) -> Option<Timestamp> {
    let at = at.filter(|a| !a.is_none_date())?;
    at.instant(record.flow.tz_location.offset_minutes()).map(Timestamp::from_datetime)
}

/// Enrols `person` in the flow; whether they were enrolled.
pub async fn enrol(ports: Ports<'_>, record: &EmailFlowRecord, person: UserId, now: Timestamp) -> StoreResult<bool> {
    let flow = &record.flow;
    if matches!(flow.status, WorkflowStatus::Stopped | WorkflowStatus::None) {
        return Ok(false);
    }
    if flow.use_enrollment_end && instant_of(record, flow.enrollment_end).is_some_and(|end| end < now) {
        return Ok(false);
    }
    let org = record.org_id;
    let (user, existing) =
        tokio::try_join!(ports.directory.get_user(org, person), ports.flows.get_participant(org, record.id, person))?;
    // Nobody the organization does not have, nor a deactivated person.
    if !user.is_some_and(|u| u.is_active()) {
        return Ok(false);
    }
    if let Some(before) = &existing {
        if before.is_active() || flow.start_only_once {
            return Ok(false);
        }
    }
    let instance_id = ports.directory.next_id(Counter::WorkflowInstance(org)).await?;
    let starts = match instant_of(record, flow.workflow_start) {
        Some(start) if flow.use_workflow_start && start > now => start,
        _ => now,
    };
    let expected = existing.as_ref().map_or(0, |p| p.revision);
    let participant = Participant {
        revision: expected + 1,
        ..Participant::enrolled(org, record.id, instance_id, person, Some(starts), now)
    };
    match ports.flows.write_participant(&participant, expected, &[]).await {
        Ok(()) => {}
        Err(StoreError::Conflict(Conflict::Revision)) => return Ok(false),
        Err(err) => return Err(err),
    }
    for other in flow.remove_from_flows.iter().filter_map(|id| u64::try_from(*id).ok()).filter(|id| *id != record.id) {
        if let Some(mut p) = ports.flows.get_participant(org, other, person).await? {
            if p.is_active() {
                let expected = p.revision;
                p.end(ParticipantStatus::Removed, now);
                p.revision += 1;
                // Another change first: that one stands.
                let _ = ports.flows.write_participant(&p, expected, &[]).await;
            }
        }
    }
    Ok(true)
}

/// `TryAddPersonsToEmailFlow`: one answer per person, in order.
pub async fn try_add(caller: &Caller, ports: Ports<'_>, flow_id: u64, persons: &[u64]) -> Result<Vec<bool>, ApiError> {
    if persons.len() > MAX_PERSONS {
        return Err(ApiError::field("PersonIds", format!("at most {MAX_PERSONS} persons at once")));
    }
    let record = crate::services::email_flows::get(caller, ports.flows, flow_id).await?;
    let now = caller.now();
    // Several persons at once, answers in order; a person named again in the list is not enrolled twice.
    let mut seen = std::collections::HashSet::new();
    let firsts: Vec<Option<UserId>> = persons.iter().map(|p| seen.insert(*p).then_some(UserId(*p))).collect();
    let record = &record;
    let added: Vec<StoreResult<bool>> = stream::iter(firsts)
        .map(|person| async move {
            match person {
                Some(person) => enrol(ports, record, person, now).await,
                None => Ok(false),
            }
        })
        .buffered(ENROL_CONCURRENCY)
        .collect()
        .await;
    Ok(added.into_iter().collect::<StoreResult<Vec<bool>>>()?)
}

/// `RemoveParticipantsFromEmailFlow`: the flow's participants with these instance ids leave it (others, and those
/// already done, are left as they are).
pub async fn remove(caller: &Caller, ports: Ports<'_>, flow_id: u64, instances: &[u64]) -> Result<(), ApiError> {
    if instances.len() > MAX_PERSONS {
        return Err(ApiError::field("WorkflowInstanceIds", format!("at most {MAX_PERSONS} at once")));
    }
    let record = crate::services::email_flows::get(caller, ports.flows, flow_id).await?;
    let now = caller.now();
    for listed in ports.flows.flow_participants(record.org_id, record.id).await? {
        if !(listed.is_active() && instances.contains(&listed.instance_id)) {
            continue;
        }
        // A run may move the participant meanwhile: read again and redo.
        let mut removed = false;
        for _ in 0..REVISION_ATTEMPTS {
            let current = ports.flows.get_participant(record.org_id, record.id, listed.person_id).await?;
            let Some(mut p) = current.filter(|p| p.is_active() && p.instance_id == listed.instance_id) else {
                removed = true;
                break;
            };
            let expected = p.revision;
            p.end(ParticipantStatus::Removed, now);
            p.revision += 1;
            if write(ports, &p, expected, &[]).await? {
                removed = true;
                break;
            }
        }
        if !removed {
            return Err(ApiError::conflict("The participant kept changing while it was removed; try again"));
        }
    }
    Ok(())
}

/// A page of a flow's participants by person (`GET /v1/emailflows/{id}/participants`): those after the person
/// `after`, at most `limit`, and the last person when more follow.
pub async fn list(
    caller: &Caller,
    ports: Ports<'_>,
    flow_id: u64,
    after: Option<UserId>,
    limit: usize,
) -> Result<(Vec<Participant>, Option<UserId>), ApiError> {
    let record = crate::services::email_flows::get(caller, ports.flows, flow_id).await?;
    let page = ports.flows.participants_page(record.org_id, record.id, after, limit).await?;
    let next = page.more.then(|| page.items.last().map(|p| p.person_id)).flatten();
    Ok((page.items, next))
}

/// A deactivated person leaves every email flow they are moving through (their past enrolments stay). Each
/// leaving is written over the participant's revision; a run that moved them first is read again.
pub async fn leave_all(ports: Ports<'_>, org: OrgId, person: UserId, now: Timestamp) -> StoreResult<()> {
    for record in ports.flows.list_email_flows(org).await? {
        for _ in 0..REVISION_ATTEMPTS {
            let Some(mut p) = ports.flows.get_participant(org, record.id, person).await? else { break };
            if !p.is_active() {
                break;
            }
            let expected = p.revision;
            p.end(ParticipantStatus::Removed, now);
            p.revision += 1;
            match ports.flows.write_participant(&p, expected, &[]).await {
                Ok(()) => break,
                Err(StoreError::Conflict(Conflict::Revision)) => continue,
                Err(err) => return Err(err),
            }
        }
    }
    Ok(())
}

/// What moving one participant did.
enum Moved {
    Steps(usize),
    Held,
    Skipped,
    Failed,
    Left,
}

/// Moves one participant at `now` as far as it goes; its events are written with it, then published.
async fn move_one(ports: Ports<'_>, mut p: Participant, now: Timestamp) -> StoreResult<Moved> {
    let expected = p.revision;
    let record = ports.flows.get_email_flow(p.org_id, p.flow_id).await?;
    let Some(mut record) = record else {
        p.end(ParticipantStatus::Exited, now);
        p.revision += 1;
        return write(ports, &p, expected, &[]).await.map(|ok| if ok { Moved::Steps(0) } else { Moved::Skipped });
    };
    record
        .flow
        .settle()
        .map_err(|(m, problem)| StoreError::backend(format!("email flow does not settle: {m} {problem}")))?;
    if record.flow.status != WorkflowStatus::Running {
        p.due_at = Some(now.plus_seconds(HOLD_SECONDS));
        p.revision += 1;
        return write(ports, &p, expected, &[]).await.map(|ok| if ok { Moved::Held } else { Moved::Skipped });
    }
    let done = advance(&mut p, &record.flow, now);
    let events = if done.is_empty() {
        Vec::new()
    } else {
        let user = ports.directory.get_user(p.org_id, p.person_id).await?;
        let person = Person {
            id: p.person_id,
            email: user.as_ref().and_then(|u| u.email.as_ref().map(|e| e.as_str().to_owned())),
            name: user.map(|u| u.name).unwrap_or_default(),
        };
        done.iter()
            .map(|d| Event::new(p.org_id, EventType::EmailFlowStep, now, d.data(&record.flow, &p, &person)))
            .collect()
    };
    p.revision += 1;
    if !write(ports, &p, expected, &events).await? {
        return Ok(Moved::Skipped);
    }
    for event in &events {
        ports.events.publish_or_leave(event).await;
    }
    Ok(Moved::Steps(done.len()))
}

/// Writes a participant over `expected`; `false` when another write came first (that one stands).
async fn write(ports: Ports<'_>, p: &Participant, expected: u64, events: &[Event]) -> StoreResult<bool> {
    write_over(ports.flows, p, expected, events).await
}

async fn write_over(flows: &dyn EmailFlowStore, p: &Participant, expected: u64, events: &[Event]) -> StoreResult<bool> {
    match flows.write_participant(p, expected, events).await {
        Ok(()) => Ok(true),
        Err(StoreError::Conflict(Conflict::Revision)) => Ok(false),
        Err(err) => Err(err),
    }
}

/// What a run of the participants did.
#[derive(Debug, Default, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantRun {
    /// Participants a run moved (or ended).
    pub moved: usize,
    /// Steps that announced themselves (`emailflow.step` events).
    pub steps: usize,
    /// Participants of paused or stopped flows, looked at again later.
    pub held: usize,
    /// Participants another run got to first.
    pub skipped: usize,
    /// Participants whose move failed this time (left for the next run).
    pub failed: usize,
    /// Due participants not started because the run's time was up.
    pub left: usize,
}

/// Moves the participants due at `now` (of `org` only, when given), until none is left or `deadline` passes.
pub async fn run_due(
    ports: Ports<'_>,
    now: Timestamp,
    deadline: Instant,
    org: Option<OrgId>,
) -> StoreResult<ParticipantRun> {
    let mut report = ParticipantRun::default();
    loop {
        let due = ports.flows.due_participants(now, BATCH).await?;
        let count = due.len();
        let mine: Vec<Participant> = due.into_iter().filter(|p| org.is_none_or(|o| p.org_id == o)).collect();
        let outcomes: Vec<Moved> = stream::iter(mine)
            .map(|p| async move {
                if Instant::now() >= deadline {
                    return Moved::Left;
                }
                let id = (p.org_id, p.flow_id, p.instance_id);
                match move_one(ports, p, now).await {
                    Ok(moved) => moved,
                    Err(err) => {
                        tracing::warn!(participant = ?id, error = %err, "could not move a participant; next run");
                        Moved::Failed
                    }
                }
            })
            .buffer_unordered(CONCURRENCY)
            .collect()
            .await;
        let mut progressed = false;
        for outcome in outcomes {
            match outcome {
                Moved::Steps(n) => {
                    report.moved += 1;
                    report.steps += n;
                    progressed = true;
                }
                Moved::Held => {
                    report.held += 1;
                    progressed = true;
                }
                Moved::Skipped => report.skipped += 1,
                Moved::Failed => report.failed += 1,
                Moved::Left => report.left += 1,
            }
        }
        if count < BATCH || !progressed || Instant::now() >= deadline {
            break;
        }
    }
    Ok(report)
}

/// The trigger an event fires, by name.
fn trigger_of(event: WorkflowEventType) -> Option<TriggerType> {
    TriggerType::from_name(event.name()).filter(|t| *t != TriggerType::None)
}

/// The goals an event meets.
fn goals_of(event: WorkflowEventType) -> &'static [GoalType] {
    use WorkflowEventType as E;
    match event {
        E::PersonUpdated => &[GoalType::PersonUpdated],
        E::AddedToProject => &[GoalType::AddedToProject],
        E::AddedToSelection => &[GoalType::AddedToSelection],
        E::FormSubmitted => &[GoalType::FormSubmitted],
        E::LinkClicked => &[GoalType::LinkClicked],
        E::StartedChat => &[GoalType::HadChat],
        E::CreatedRequest => &[GoalType::RequestCreated],
        E::SaleCreated => &[GoalType::SaleCreatedOnPerson, GoalType::SaleCreatedOnCompany],
        _ => &[],
    }
}

/// The action a WaitForAction step waits for that an event is.
fn action_of(event: WorkflowEventType) -> Option<WaitForActionType> {
    match event {
        WorkflowEventType::LinkClicked => Some(WaitForActionType::LinkClicked),
        WorkflowEventType::FormSubmitted => Some(WaitForActionType::FormSubmitted),
        _ => None,
    }
}

/// What an event did to the organization's flows.
#[derive(Debug, Default, PartialEq)]
pub struct EventOutcome {
    pub enrolled: usize,
    pub goals: usize,
    pub actions: usize,
}

/// An event about `person`: fires the triggers of its type (enrolling the person), meets the goals of its type
/// (ending the run where the flow jumps to finish) and the WaitForAction steps waiting for it (the participant
/// moves on at once). Restrictions on triggers and goals are kept, not evaluated.
pub async fn on_person_event(
    ports: Ports<'_>,
    org: OrgId,
    person: UserId,
    event: WorkflowEventType,
    now: Timestamp,
) -> StoreResult<EventOutcome> {
    let mut outcome = EventOutcome::default();
    let trigger = trigger_of(event);
    let goals = goals_of(event);
    let action = action_of(event);
    for mut record in ports.flows.list_email_flows(org).await? {
        if record.flow.settle().is_err() {
            continue;
        }
        if trigger.is_some_and(|t| record.flow.triggers.iter().any(|tr| tr.trigger_type == t))
            && enrol(ports, &record, person, now).await?
        {
            outcome.enrolled += 1;
        }
        let meets_goal = record.flow.goals.iter().any(|g| goals.contains(&g.goal_type));
        if !meets_goal && action.is_none() {
            continue;
        }
        // A run may move the participant meanwhile: read again and redo.
        for _ in 0..REVISION_ATTEMPTS {
            let Some(mut p) = ports.flows.get_participant(org, record.id, person).await? else { break };
            if !p.is_active() {
                break;
            }
            let expected = p.revision;
            let goal = meets_goal && !p.goal_reached;
            if goal {
                p.goal_reached = true;
                if record.flow.jump_to_finish {
                    p.end(ParticipantStatus::GoalReached, now);
                }
            }
            let acted = action.is_some_and(|a| meets_wait(&p, &record.flow, a));
            if acted {
                p.action_met = true;
                p.due_at = Some(now);
            }
            if !goal && !acted {
                break;
            }
            p.revision += 1;
            if write(ports, &p, expected, &[]).await? {
                outcome.goals += usize::from(goal);
                outcome.actions += usize::from(acted);
                if p.is_active() && acted {
                    // The wait is over: the participant moves on now rather than at the next run.
                    move_one(ports, p, now).await?;
                }
                break;
            }
        }
    }
    Ok(outcome)
}

/// The person an event's `Attributes` name: `12`, `personId=12` or `PersonId: 12`.
pub fn person_of(attributes: &str) -> Option<UserId> {
    let text = attributes.trim();
    let digits = match text.to_ascii_lowercase().find("personid") {
        Some(at) => text[at + "personid".len()..].trim_start_matches([' ', '=', ':', '"']).to_owned(),
        None => text.to_owned(),
    };
    let number: String = digits.chars().take_while(char::is_ascii_digit).collect();
    number.parse().ok().filter(|n| *n > 0).map(UserId)
}

/// `SendEvent`: `Run` runs the organization's due steps; the person events fire triggers, meet goals and actions.
/// Answers the event with what it did in `Attributes` (`enrolled=1;goals=0;actions=0`, or the run's figures).
pub async fn send_event(caller: &Caller, ports: Ports<'_>, event: WorkflowEvent) -> Result<WorkflowEvent, ApiError> {
    let org = caller.org().await?;
    caller.permit().await?;
    let now = caller.now();
    let attributes = match event.event_type {
        WorkflowEventType::None => return Err(ApiError::field("EventType", "must name an event (None is none)")),
        WorkflowEventType::Run => {
            let deadline = Instant::now() + std::time::Duration::from_secs(20);
            let run = run_due(ports, now, deadline, Some(org)).await?;
            format!("moved={};steps={}", run.moved, run.steps)
        }
        kind => {
            let person = person_of(&event.attributes)
                .ok_or_else(|| ApiError::field("Attributes", "must name the person: personId=12"))?;
            if ports.directory.get_user(org, person).await?.is_none() {
                return Err(missing("Person", person.0));
            }
            let outcome = on_person_event(ports, org, person, kind, now).await?;
            format!("enrolled={};goals={};actions={}", outcome.enrolled, outcome.goals, outcome.actions)
        }
    };
    Ok(WorkflowEvent { event_type: event.event_type, attributes, ..WorkflowEvent::default() })
}

/// `Run`: moves the organization's due participants now; answers the run's time.
pub async fn run(caller: &Caller, ports: Ports<'_>) -> Result<Timestamp, ApiError> {
    let org = caller.org().await?;
    caller.permit().await?;
    let now = caller.now();
    let deadline = Instant::now() + std::time::Duration::from_secs(20);
    run_due(ports, now, deadline, Some(org)).await?;
    Ok(now)
}

/// Wakes a flow's held participants when it runs again: each is due when its own wait ends (now, when it is not
/// waiting), rather than at the look a paused flow had put off.
pub async fn wake(flows: &dyn EmailFlowStore, org: OrgId, flow: u64, now: Timestamp) -> StoreResult<()> {
    for mut p in flows.flow_participants(org, flow).await? {
        let natural = p.wait_until.map_or(now, |w| w.max(now));
        if p.is_active() && p.due_at.is_some_and(|d| d != natural) {
            let expected = p.revision;
            p.due_at = Some(natural);
            p.revision += 1;
            write_over(flows, &p, expected, &[]).await?;
        }
    }
    Ok(())
}

/// `SetStatusOnWorkflow`: Stopped, Paused or Running; a flow set running again wakes the participants it held.
pub async fn set_status(
    caller: &Caller,
    flows: &dyn EmailFlowStore,
    id: u64,
    status: WorkflowStatus,
) -> Result<WorkflowStatus, ApiError> {
    if status == WorkflowStatus::None {
        return Err(ApiError::field("Status", "must be Stopped, Paused or Running"));
    }
    let (record, ()) = email_flows::change(caller, flows, id, |record| {
        record.flow.status = status;
        Ok(())
    })
    .await?;
    if status == WorkflowStatus::Running {
        // Participants held while the flow was paused move at the next run, not at their next look.
        wake(flows, record.org_id, record.id, caller.now()).await?;
    }
    Ok(status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_person_is_read_from_the_attributes_in_each_form() {
        for raw in ["12", "personId=12", "PersonId: 12", " personid = 12 ", "{\"personId\": 12}"] {
            assert_eq!(person_of(raw), Some(UserId(12)), "{raw}");
        }
        for raw in ["", "person", "personId=", "0", "-3"] {
            assert_eq!(person_of(raw), None, "{raw}");
        }
    }
}
