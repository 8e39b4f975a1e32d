//! Participants of an email flow and how a run moves them through its steps. Pure: the clock, the person and the
//! flow come in, the new state and what happened go out, so that a test drives it with a simulated clock.
//!
//! | Step | What a participant's run does there |
//! |---|---|
//! | `WaitForTime` | On arrival the wait's end is set: `NumIntervals` × `IntervalType` (Seconds … Weeks; `WorkingDays` skip Saturdays and Sundays in the flow's time zone), `UntilSpecified` the `Until` reading in the flow's time zone; `None`, an `UntilDateField` (persons have no date fields here) or an end already past do not wait. The participant moves on once the end has come. |
//! | `SendEmail`, `SendSMS`, `NotifyByEmail`, `NotifyBySMS` | An `emailflow.step` event with the step's members and the recipient, for the receiver to send (no mail leaves this system). With `UseTimeframe`, only on the `SelectedDays` (none selected: every day) between `TimeframeStart` and `TimeframeEnd` (times of day in the flow's time zone); otherwise the participant waits for the next such moment. |
//! | `Split` | The first option that applies to everyone (a `PersonData` option without restrictions) is taken, into its steps; otherwise the participant goes on after the split (the "everyone else" path): restrictions on persons are kept, not evaluated. |
//! | `WaitForAction` | Waits for one of its actions (`LinkClicked`, `FormSubmitted`) to be sent for the person (`SendEvent`); with `WaitForTimeout`, for at most `ActionTimeout` × `TimeoutIntervalType`, after which `ExitFlow` ends the run, else it goes on. |
//! | Any other | Recorded as executed, with an `emailflow.step` event. |
//!
//! After the last step of an option's steps the participant goes on after its split; after the flow's last step the
//! run is `Finished`. A goal met (`SendEvent`, or the project's own event of the goal's type) marks the participant;
//! with the flow's `JumpToFinish` it ends the run (`GoalReached`). A step that no longer exists (the flow was edited)
//! ends the run (`Exited`). One run moves a participant through at most [`MAX_STEPS_PER_RUN`] steps.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use time::{Duration, OffsetDateTime, UtcOffset, Weekday};

use super::{EmailFlow, IntervalType, SplitOptionType, StepType, TimeWaitAlgorithm, WaitForActionType, WorkflowStep};
use crate::model::{OrgId, Timestamp, UserId};

/// How many steps one run takes a participant through, at most.
pub const MAX_STEPS_PER_RUN: usize = 25;
/// How many executed steps a participant keeps (the newest).
pub const MAX_EXECUTED: usize = 50;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum ParticipantStatus {
    /// Moving through the steps (or waiting in one).
    Active,
    /// Past the last step.
    Finished,
    /// Met a goal of a flow that jumps to finish.
    GoalReached,
    /// Left early: a WaitForAction timed out with `ExitFlow`, or its step is gone.
    Exited,
    /// Taken out (`RemoveParticipantsFromEmailFlow`, or enrolled in a flow that removes from this one).
    Removed,
}

/// A step a participant went through.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct ExecutedStep {
    pub step_id: u64,
    pub step_type: StepType,
    pub at: Timestamp,
}

/// One enrolment of a person in an email flow.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    pub org_id: OrgId,
    pub flow_id: u64,
    /// The enrolment's id (SuperOffice's workflow instance id): the organization's next integer.
    pub instance_id: u64,
    pub person_id: UserId,
    pub status: ParticipantStatus,
    /// The step to run next; 0 before the first run (the flow's first step) and after the run ended.
    pub at_step: u64,
    /// Whether the participant has started on the flow's steps.
    pub started: bool,
    /// When a run should look at the participant next; none when it waits only for an event, or is done.
    pub due_at: Option<Timestamp>,
    /// The end of the wait at the current step (a WaitForTime's end, a WaitForAction's timeout).
    pub wait_until: Option<Timestamp>,
    /// A WaitForAction step's action was sent for the person.
    pub action_met: bool,
    pub goal_reached: bool,
    pub enrolled_at: Timestamp,
    pub ended_at: Option<Timestamp>,
    /// The newest [`MAX_EXECUTED`] steps gone through.
    pub executed: Vec<ExecutedStep>,
    /// Bumped by every write; a write names the revision it read.
    pub revision: u64,
}

impl Participant {
    /// A person's new enrolment, due at `due` (before its first run), revision 1.
    pub fn enrolled(
        org_id: OrgId,
        flow_id: u64,
        instance_id: u64,
        person_id: UserId,
        due: Option<Timestamp>,
        now: Timestamp,
    ) -> Self {
        Self {
            org_id,
            flow_id,
            instance_id,
            person_id,
            status: ParticipantStatus::Active,
            at_step: 0,
            started: false,
            due_at: due,
            wait_until: None,
            action_met: false,
            goal_reached: false,
            enrolled_at: now,
            ended_at: None,
            executed: Vec::new(),
            revision: 1,
        }
    }

    pub fn is_active(&self) -> bool {
        self.status == ParticipantStatus::Active
    }

    /// Ends the run with `status` at `now`.
    pub fn end(&mut self, status: ParticipantStatus, now: Timestamp) {
        self.status = status;
        self.at_step = 0;
        self.due_at = None;
        self.wait_until = None;
        self.ended_at = Some(now);
    }
}

/// The person a participant is, as the events name them.
#[derive(Clone, Debug, PartialEq)]
pub struct Person {
    pub id: UserId,
    pub email: Option<String>,
    pub name: String,
}

/// What a run did at one step, for its `emailflow.step` event.
#[derive(Clone, Debug, PartialEq)]
pub struct StepDone {
    pub step: WorkflowStep,
    /// `send` for the message steps (the receiver sends it), `executed` for the others.
    pub action: &'static str,
    pub at: Timestamp,
}

impl StepDone {
    /// The event's `data`: the flow, the enrolment, the person and the step with its configured members.
    pub fn data(&self, flow: &EmailFlow, participant: &Participant, person: &Person) -> Value {
        json!({
            "emailFlowId": participant.flow_id,
            "emailFlowName": flow.name,
            "workflowInstanceId": participant.instance_id,
            "action": self.action,
            "person": {"personId": person.id, "email": person.email, "name": person.name},
            "sender": {
                "fromName": flow.from_name, "fromAddr": flow.from_addr, "replyToName": flow.reply_to_name,
                "replyToAddr": flow.reply_to_addr, "smsSender": flow.sms_sender,
            },
            "step": self.step,
        })
    }
}

/// Whether a step type is a message the receiver of the events sends.
pub fn is_message(step: StepType) -> bool {
    matches!(step, StepType::SendEmail | StepType::SendSMS | StepType::NotifyByEmail | StepType::NotifyBySMS)
}

fn offset(flow: &EmailFlow) -> UtcOffset {
    UtcOffset::from_whole_seconds(flow.tz_location.offset_minutes() * 60).unwrap_or(UtcOffset::UTC)
}

fn at(instant: OffsetDateTime) -> Timestamp {
    Timestamp::from_datetime(instant)
}

fn later(now: Timestamp, seconds: i64) -> Timestamp {
    now.plus_seconds(seconds)
}

/// `n` working days (Monday to Friday, in the flow's time zone) after `now`, at the same time of day.
fn working_days_after(now: Timestamp, n: i64, offset: UtcOffset) -> Timestamp {
    let mut local = now.datetime().to_offset(offset);
    let mut left = n.clamp(0, 100_000);
    while left > 0 {
        local += Duration::days(1);
        if !matches!(local.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    at(local)
}

/// When a WaitForTime step's wait ends for a participant arriving at `now`; none: no wait.
pub fn wait_end(step: &WorkflowStep, flow: &EmailFlow, now: Timestamp) -> Option<Timestamp> {
    let n = step.num_intervals.unwrap_or(0).clamp(0, 1_000_000);
    match step.time_wait_algorithm.unwrap_or_default() {
        TimeWaitAlgorithm::NumIntervals => interval_after(now, n, step.interval_type.unwrap_or_default(), offset(flow)),
        TimeWaitAlgorithm::UntilSpecified => {
            let until = step.until.and_then(|u| u.0).filter(|u| !u.is_none_date())?;
            until.instant(flow.tz_location.offset_minutes()).map(at)
        }
        TimeWaitAlgorithm::None | TimeWaitAlgorithm::UntilDateField => None,
    }
}

fn interval_after(now: Timestamp, n: i64, unit: IntervalType, offset: UtcOffset) -> Option<Timestamp> {
    let seconds = match unit {
        IntervalType::None => return None,
        IntervalType::Seconds => n,
        IntervalType::Minutes => n * 60,
        IntervalType::Hours => n * 3600,
        IntervalType::Days => n * 86_400,
        IntervalType::Weeks => n * 7 * 86_400,
        IntervalType::WorkingDays => return Some(working_days_after(now, n, offset)),
    };
    Some(later(now, seconds))
}

/// The first moment at or after `now` inside the flow's sending timeframe (now itself when it has none).
pub fn in_timeframe(flow: &EmailFlow, now: Timestamp) -> Timestamp {
    if !flow.use_timeframe {
        return now;
    }
    let offset = offset(flow);
    let time_of = |t: Option<super::EncodedDateTime>| t.map(|t| t.0.time());
    let start = time_of(flow.timeframe_start).unwrap_or(time::Time::MIDNIGHT);
    let end = time_of(flow.timeframe_end).unwrap_or(time::Time::MIDNIGHT);
    let days = flow.selected_days;
    let local = now.datetime().to_offset(offset);
    for day in 0..8 {
        let date = local.date() + Duration::days(day);
        let weekday = date.weekday().number_days_from_monday();
        if days.mask() != 0 && !days.contains(weekday) {
            continue;
        }
        let opens = date.with_time(start).assume_offset(offset);
        let closes = if end > start { date.with_time(end).assume_offset(offset) } else { opens + Duration::days(1) };
        if local < closes {
            return at(if local >= opens { local } else { opens });
        }
    }
    now
}

/// The step after `id` in the flow's order: the next in its list, else the one after the split whose option holds
/// the list; none after the flow's last step.
pub fn step_after(flow: &EmailFlow, id: u64) -> Option<u64> {
    fn find(steps: &[WorkflowStep], id: u64, after: Option<u64>) -> Option<Option<u64>> {
        for (i, step) in steps.iter().enumerate() {
            let next = steps.get(i + 1).map(|s| s.workflow_step_id).or(after);
            if step.workflow_step_id == id {
                return Some(next);
            }
            for option in step.options.iter().flatten() {
                if let Some(found) = find(&option.steps, id, next) {
                    return Some(found);
                }
            }
        }
        None
    }
    find(&flow.steps, id, None).flatten()
}

/// Moves `p` through `flow` at `now` until it waits, ends, or has gone through [`MAX_STEPS_PER_RUN`] steps; what it
/// did at each step. The flow must be Running (the caller checks: Paused and Stopped hold everyone).
pub fn advance(p: &mut Participant, flow: &EmailFlow, now: Timestamp) -> Vec<StepDone> {
    let mut done = Vec::new();
    if !p.is_active() {
        return done;
    }
    if !p.started {
        p.started = true;
        match flow.steps.first() {
            Some(first) => p.at_step = first.workflow_step_id,
            None => {
                p.end(ParticipantStatus::Finished, now);
                return done;
            }
        }
    }
    for _ in 0..MAX_STEPS_PER_RUN {
        let Some(step) = flow.find_step(p.at_step).cloned() else {
            p.end(ParticipantStatus::Exited, now);
            return done;
        };
        let mut go_to = step_after(flow, step.workflow_step_id);
        match step.step_type {
            StepType::WaitForTime => match p.wait_until {
                None => {
                    if let Some(end) = wait_end(&step, flow, now).filter(|end| *end > now) {
                        p.wait_until = Some(end);
                        p.due_at = Some(end);
                        return done;
                    }
                }
                Some(end) if end > now => {
                    p.due_at = Some(end);
                    return done;
                }
                Some(_) => {}
            },
            StepType::WaitForAction => {
                if !p.action_met {
                    let timeout = if step.wait_for_timeout.unwrap_or(false) {
                        let unit = step.timeout_interval_type.unwrap_or_default();
                        interval_after(now, step.action_timeout.unwrap_or(0).clamp(0, 1_000_000), unit, offset(flow))
                    } else {
                        None
                    };
                    match p.wait_until {
                        None => {
                            if let Some(end) = timeout.filter(|end| *end > now) {
                                p.wait_until = Some(end);
                                p.due_at = Some(end);
                            } else if step.wait_for_timeout.unwrap_or(false) {
                                p.wait_until = Some(now);
                                p.due_at = Some(now);
                                continue;
                            } else {
                                p.due_at = None;
                            }
                            return done;
                        }
                        Some(end) if end > now => {
                            p.due_at = Some(end);
                            return done;
                        }
                        Some(_) if step.exit_flow.unwrap_or(false) => {
                            p.end(ParticipantStatus::Exited, now);
                            return done;
                        }
                        Some(_) => {}
                    }
                }
            }
            StepType::Split => {
                let everyone = step.options.iter().flatten().find(|o| {
                    o.option_type == SplitOptionType::PersonData
                        && o.restriction_groups.as_ref().is_none_or(|g| g.iter().all(|g| g.restrictions.is_empty()))
                });
                if let Some(first) = everyone.and_then(|o| o.steps.first()) {
                    go_to = Some(first.workflow_step_id);
                }
            }
            kind if is_message(kind) => {
                let open = in_timeframe(flow, now);
                if open > now {
                    p.due_at = Some(open);
                    return done;
                }
                done.push(StepDone { step: step.clone(), action: "send", at: now });
            }
            _ => done.push(StepDone { step: step.clone(), action: "executed", at: now }),
        }
        p.executed.push(ExecutedStep { step_id: step.workflow_step_id, step_type: step.step_type, at: now });
        if p.executed.len() > MAX_EXECUTED {
            p.executed.remove(0);
        }
        p.wait_until = None;
        p.action_met = false;
        match go_to {
            Some(next) => {
                p.at_step = next;
                p.due_at = Some(now);
            }
            None => {
                p.end(ParticipantStatus::Finished, now);
                return done;
            }
        }
    }
    done
}

/// Whether an action sent for a person meets what the participant's current step waits for.
pub fn meets_wait(p: &Participant, flow: &EmailFlow, action: WaitForActionType) -> bool {
    p.is_active()
        && flow.find_step(p.at_step).is_some_and(|s| {
            s.step_type == StepType::WaitForAction && s.actions.iter().flatten().any(|a| a.action_type == action)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::workflow::{EncodedDateTime, StepOption, Weekdays};

    fn flow(steps: Vec<WorkflowStep>) -> EmailFlow {
        let mut record = crate::model::workflow::EmailFlowRecord::new(OrgId(1), 1, Timestamp::now());
        record.take(EmailFlow { steps, ..EmailFlow::default() }).unwrap();
        record.flow
    }

    fn participant(now: Timestamp) -> Participant {
        Participant::enrolled(OrgId(1), 1, 1, UserId(2), Some(now), now)
    }

    fn ts(raw: &str) -> Timestamp {
        Timestamp::parse_iso8601(raw).unwrap()
    }

    fn wait(n: i64, unit: IntervalType) -> WorkflowStep {
        WorkflowStep {
            time_wait_algorithm: Some(TimeWaitAlgorithm::NumIntervals),
            num_intervals: Some(n),
            interval_type: Some(unit),
            ..WorkflowStep::default_of(StepType::WaitForTime)
        }
    }

    #[test]
    fn a_participant_waits_then_gets_the_message_then_finishes() {
        let flow = flow(vec![wait(2, IntervalType::Days), WorkflowStep::default_of(StepType::SendEmail)]);
        let start = ts("2026-11-02T09:00:00Z");
        let mut p = participant(start);

        assert!(advance(&mut p, &flow, start).is_empty());
        assert_eq!(p.due_at, Some(ts("2026-11-04T09:00:00Z")));
        // A run before the end changes nothing.
        assert!(advance(&mut p, &flow, ts("2026-11-03T09:00:00Z")).is_empty());
        assert_eq!(p.at_step, flow.steps[0].workflow_step_id);

        let done = advance(&mut p, &flow, ts("2026-11-04T09:00:01Z"));
        assert_eq!(done.len(), 1);
        assert_eq!((done[0].action, done[0].step.step_type), ("send", StepType::SendEmail));
        assert_eq!(p.status, ParticipantStatus::Finished);
        assert_eq!(p.executed.len(), 2);
        // A finished participant does nothing more.
        assert!(advance(&mut p, &flow, ts("2026-11-05T09:00:00Z")).is_empty());
    }

    #[test]
    fn working_days_skip_the_weekend_in_the_flows_time_zone() {
        // Friday 22:30 UTC is Saturday 00:30 in UTC+2: one working day later is Monday 00:30 there.
        let mut f = flow(vec![wait(1, IntervalType::WorkingDays)]);
        f.tz_location.time_zone_std_rules.insert("std".into(), json!({"TZOffset": 120}));
        let end = wait_end(&f.steps[0], &f, ts("2026-11-06T22:30:00Z")).unwrap();
        assert_eq!(end, ts("2026-11-08T22:30:00Z"));
        let utc = flow(vec![wait(3, IntervalType::WorkingDays)]);
        assert_eq!(wait_end(&utc.steps[0], &utc, ts("2026-11-06T10:00:00Z")), Some(ts("2026-11-11T10:00:00Z")));
    }

    #[test]
    fn until_is_read_in_the_flows_time_zone() {
        let mut step = WorkflowStep::default_of(StepType::WaitForTime);
        step.time_wait_algorithm = Some(TimeWaitAlgorithm::UntilSpecified);
        step.until =
            Some(super::super::MaybeDateTime(Some(EncodedDateTime::parse("[DT:05/31/2027 14:24:23]").unwrap())));
        let mut f = flow(vec![step]);
        f.tz_location.time_zone_std_rules.insert("std".into(), json!({"TZOffset": -300}));
        assert_eq!(wait_end(&f.steps[0], &f, ts("2026-12-01T00:00:00Z")), Some(ts("2027-05-31T19:24:23Z")));
    }

    #[test]
    fn messages_wait_for_the_timeframe() {
        let mut f = flow(vec![WorkflowStep::default_of(StepType::SendSMS)]);
        f.use_timeframe = true;
        f.selected_days = Weekdays::parse("Monday, Tuesday").unwrap();
        f.timeframe_start = EncodedDateTime::at(1970, 1, 1, 8, 0, 0);
        f.timeframe_end = EncodedDateTime::at(1970, 1, 1, 17, 0, 0);
        let mut p = participant(ts("2026-11-03T18:00:00Z"));
        // Tuesday 18:00 is after hours: next Monday 08:00.
        assert!(advance(&mut p, &f, ts("2026-11-03T18:00:00Z")).is_empty());
        assert_eq!(p.due_at, Some(ts("2026-11-09T08:00:00Z")));
        assert_eq!(advance(&mut p, &f, ts("2026-11-09T08:00:00Z")).len(), 1);
    }

    #[test]
    fn a_split_takes_the_option_for_everyone_then_goes_on_after_it() {
        let mut everyone = StepOption::default_of(SplitOptionType::PersonData);
        everyone.steps = vec![WorkflowStep::default_of(StepType::SendSMS)];
        let split = WorkflowStep { options: Some(vec![everyone]), ..WorkflowStep::default_of(StepType::Split) };
        let f = flow(vec![split, WorkflowStep::default_of(StepType::RunScript)]);
        let now = Timestamp::now();
        let mut p = participant(now);
        let done = advance(&mut p, &f, now);
        let kinds: Vec<_> = done.iter().map(|d| (d.step.step_type, d.action)).collect();
        assert_eq!(kinds, [(StepType::SendSMS, "send"), (StepType::RunScript, "executed")]);
        assert_eq!(p.status, ParticipantStatus::Finished);
        assert_eq!(
            p.executed.iter().map(|e| e.step_type).collect::<Vec<_>>(),
            [StepType::Split, StepType::SendSMS, StepType::RunScript]
        );
    }

    #[test]
    fn a_wait_for_action_waits_for_it_or_times_out_and_exits() {
        let mut step = WorkflowStep::default_of(StepType::WaitForAction);
        step.actions = Some(vec![crate::model::workflow::WorkflowWaitForAction {
            action_type: WaitForActionType::LinkClicked,
            ..Default::default()
        }]);
        step.wait_for_timeout = Some(true);
        step.action_timeout = Some(2);
        step.timeout_interval_type = Some(IntervalType::Hours);
        step.exit_flow = Some(true);
        let f = flow(vec![step, WorkflowStep::default_of(StepType::SendEmail)]);
        let now = ts("2026-11-02T09:00:00Z");

        let mut met = participant(now);
        advance(&mut met, &f, now);
        assert_eq!(met.due_at, Some(ts("2026-11-02T11:00:00Z")));
        assert!(meets_wait(&met, &f, WaitForActionType::LinkClicked));
        assert!(!meets_wait(&met, &f, WaitForActionType::FormSubmitted));
        met.action_met = true;
        assert_eq!(advance(&mut met, &f, ts("2026-11-02T09:30:00Z")).len(), 1);
        assert_eq!(met.status, ParticipantStatus::Finished);

        let mut timed_out = participant(now);
        advance(&mut timed_out, &f, now);
        assert!(advance(&mut timed_out, &f, ts("2026-11-02T11:00:01Z")).is_empty());
        assert_eq!(timed_out.status, ParticipantStatus::Exited);
    }

    #[test]
    fn a_step_that_is_gone_ends_the_run() {
        let f = flow(vec![wait(1, IntervalType::Hours)]);
        let now = Timestamp::now();
        let mut p = participant(now);
        advance(&mut p, &f, now);
        let edited = flow(vec![WorkflowStep::default_of(StepType::RunScript)]);
        let mut edited = edited;
        edited.steps[0].workflow_step_id = 99;
        advance(&mut p, &edited, later(now, 7200));
        assert_eq!(p.status, ParticipantStatus::Exited);
    }
}
