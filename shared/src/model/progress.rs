//! Frigade's flow states: a user's progress through a flow's steps, and exactly what each action does to it.
//!
//! A step is *done* when it is completed or skipped. In a `sequential` flow a step is *blocked* while a step
//! before it is not done. The flow's *current step* is where the user is; before the flow starts,
//! `currentStepIndex` is -1.
//!
//! | action | needs `stepId` | effect |
//! |---|---|---|
//! | `STARTED_FLOW` | no | the flow is started and no longer skipped; the current step, if none yet, is the first step not done |
//! | `COMPLETED_FLOW` | no | the flow is started and completed (again on a completed flow: no change but the history) |
//! | `SKIPPED_FLOW` | no | the flow is skipped (dismissed); started and completed stay as they were |
//! | `NOT_STARTED_FLOW` | no | resets the flow: every step and the flow not started, not completed, not skipped, no current step; the history stays |
//! | `STARTED_STEP` | yes | the step is started, the flow is started and no longer skipped, the step is current |
//! | `COMPLETED_STEP` | yes | the step is started and completed, the flow is started; the current step moves to the next step not done after it (else the first not done, else it stays); then the completion rule |
//! | `SKIPPED_STEP` | yes | as `COMPLETED_STEP`, with the step skipped instead of completed |
//! | `NOT_STARTED_STEP` | yes | the step is neither started, completed nor skipped; if the flow is started, the step is current; a completed flow stays completed |
//!
//! The **completion rule** runs after `COMPLETED_STEP` and `SKIPPED_STEP`: `ALL_STEPS` (the default) completes the
//! flow when every step is done; `LAST_STEP` when the last step is done. Skipping counts as getting past a step,
//! as Frigade's SDK completes the flow after a skip of the last step. Completion is sticky: only
//! `NOT_STARTED_FLOW` takes it back.
//!
//! `STARTED_STEP`, `COMPLETED_STEP` and `SKIPPED_STEP` on a blocked step are refused ([`ActionError::Blocked`]) and
//! change nothing; `NOT_STARTED_STEP` is not (resetting a blocked step is harmless). A `stepId` the flow does not
//! have is refused for every action, and a step action without one too.
//!
//! Every accepted action is kept in the state's history (its *flow responses*, the newest [`MAX_RESPONSES`]) and
//! sets `lastActionAt` of the flow (and of its step). Steps are kept by id: when the flow's content changes, a
//! step that is gone drops out of the answer, and a new one starts not started.

use serde::{Deserialize, Serialize};

use super::{Flow, FlowId, OrgId, Timestamp, UserId};

/// How many flow responses a state keeps, newest last.
pub const MAX_RESPONSES: usize = 50;

/// What a user did, as Frigade names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionType {
    StartedStep,
    CompletedStep,
    SkippedStep,
    NotStartedStep,
    StartedFlow,
    CompletedFlow,
    SkippedFlow,
    NotStartedFlow,
}

impl ActionType {
    pub const ALL: [ActionType; 8] = [
        Self::StartedStep,
        Self::CompletedStep,
        Self::SkippedStep,
        Self::NotStartedStep,
        Self::StartedFlow,
        Self::CompletedFlow,
        Self::SkippedFlow,
        Self::NotStartedFlow,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::StartedStep => "STARTED_STEP",
            Self::CompletedStep => "COMPLETED_STEP",
            Self::SkippedStep => "SKIPPED_STEP",
            Self::NotStartedStep => "NOT_STARTED_STEP",
            Self::StartedFlow => "STARTED_FLOW",
            Self::CompletedFlow => "COMPLETED_FLOW",
            Self::SkippedFlow => "SKIPPED_FLOW",
            Self::NotStartedFlow => "NOT_STARTED_FLOW",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|a| a.as_str() == raw).ok_or_else(|| {
            format!("must be one of {}", Self::ALL.iter().map(ActionType::as_str).collect::<Vec<_>>().join(", "))
        })
    }

    /// Whether the action is about one step (and so needs a `stepId`).
    pub fn is_step_action(&self) -> bool {
        matches!(self, Self::StartedStep | Self::CompletedStep | Self::SkippedStep | Self::NotStartedStep)
    }
}

/// When a flow counts as completed by its steps.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CompletionRule {
    /// Every step done (completed or skipped).
    #[default]
    AllSteps,
    /// The last step done.
    LastStep,
}

impl CompletionRule {
    pub fn parse(raw: &str) -> Result<Self, String> {
        match raw {
            "ALL_STEPS" => Ok(Self::AllSteps),
            "LAST_STEP" => Ok(Self::LastStep),
            _ => Err("must be one of ALL_STEPS, LAST_STEP".into()),
        }
    }
}

/// One step's progress.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProgress {
    pub id: String,
    pub started: bool,
    pub completed: bool,
    pub skipped: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_action_at: Option<Timestamp>,
}

impl StepProgress {
    pub fn is_done(&self) -> bool {
        self.completed || self.skipped
    }
}

/// One accepted action, as the history keeps it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowResponse {
    pub action_type: ActionType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
    /// The action's `data`, serialized as JSON (`{}` when none was given).
    pub data: String,
    pub created_at: Timestamp,
}

/// A user's progress in one flow (Frigade's flow state).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowState {
    pub org_id: OrgId,
    pub user_id: UserId,
    pub flow_id: FlowId,
    pub started: bool,
    pub completed: bool,
    pub skipped: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_step: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_action_at: Option<Timestamp>,
    /// The steps acted on, by id (a step never acted on is not started).
    #[serde(default)]
    pub steps: Vec<StepProgress>,
    /// The newest [`MAX_RESPONSES`] actions, oldest first.
    #[serde(default)]
    pub responses: Vec<FlowResponse>,
    /// Bumped by every write, for optimistic locking: a state is written only over the revision it was read at.
    pub revision: u64,
}

/// Why an action was refused; nothing changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ActionError {
    /// A step action without a `stepId`.
    StepRequired,
    /// A `stepId` the flow does not have.
    UnknownStep(String),
    /// An action on a step a sequential flow holds back.
    Blocked(String),
}

/// An action to apply.
#[derive(Clone, Debug)]
pub struct Action {
    pub action_type: ActionType,
    pub step_id: Option<String>,
    /// The action's `data` as JSON text.
    pub data: String,
    pub at: Timestamp,
}

impl FlowState {
    /// The state of a user who has done nothing in the flow yet.
    pub fn new(flow: &Flow, user: UserId) -> Self {
        Self {
            org_id: flow.org_id,
            user_id: user,
            flow_id: flow.id.clone(),
            started: false,
            completed: false,
            skipped: false,
            current_step: None,
            last_action_at: None,
            steps: Vec::new(),
            responses: Vec::new(),
            revision: 0,
        }
    }

    /// The progress of the step `id` (not started when never acted on).
    pub fn step(&self, id: &str) -> StepProgress {
        self.steps
            .iter()
            .find(|s| s.id == id)
            .cloned()
            .unwrap_or_else(|| StepProgress { id: id.into(), ..Default::default() })
    }

    fn step_mut(&mut self, id: &str) -> &mut StepProgress {
        if let Some(i) = self.steps.iter().position(|s| s.id == id) {
            return &mut self.steps[i];
        }
        self.steps.push(StepProgress { id: id.into(), ..Default::default() });
        self.steps.last_mut().expect("just pushed")
    }

    fn is_done(&self, id: &str) -> bool {
        self.steps.iter().any(|s| s.id == id && s.is_done())
    }

    /// Whether the step at `index` of the flow's content is held back: the flow is sequential and a step before it
    /// is not done.
    pub fn is_blocked(&self, flow: &Flow, index: usize) -> bool {
        flow.sequential && flow.steps.iter().take(index).any(|s| !self.is_done(&s.id))
    }

    /// The first step of the content, after `after` when given, that is not done.
    fn next_open(&self, flow: &Flow, after: Option<usize>) -> Option<String> {
        let from = after.map_or(0, |i| i + 1);
        flow.steps.iter().skip(from).find(|s| !self.is_done(&s.id)).map(|s| s.id.clone())
    }

    /// The current step's id and index as the answer shows them: the current step (or, when it is gone from the
    /// content or there is none yet, the first step not done, else the last step), and its index, -1 before the
    /// flow starts. `None` for a flow without steps.
    pub fn current(&self, flow: &Flow) -> (Option<String>, i64) {
        let index_of = |id: &str| flow.steps.iter().position(|s| s.id == id);
        let current = self
            .current_step
            .as_deref()
            .filter(|id| index_of(id).is_some())
            .map(str::to_owned)
            .or_else(|| self.next_open(flow, None))
            .or_else(|| flow.steps.last().map(|s| s.id.clone()));
        let index = match (&current, self.started) {
            (Some(id), true) => index_of(id).and_then(|i| i64::try_from(i).ok()).unwrap_or(-1),
            _ => -1,
        };
        (current, index)
    }

    /// Applies `action` to this state for `flow`'s content; on a refusal, nothing changes.
    pub fn apply(&mut self, flow: &Flow, action: &Action) -> Result<(), ActionError> {
        let index = match &action.step_id {
            Some(id) => {
                Some(flow.steps.iter().position(|s| &s.id == id).ok_or_else(|| ActionError::UnknownStep(id.clone()))?)
            }
            None if action.action_type.is_step_action() => return Err(ActionError::StepRequired),
            None => None,
        };
        let at = action.at;
        match (action.action_type, index) {
            (ActionType::StartedFlow, _) => {
                self.started = true;
                self.skipped = false;
                if self.current_step.is_none() {
                    self.current_step = self.next_open(flow, None).or_else(|| flow.steps.first().map(|s| s.id.clone()));
                }
            }
            (ActionType::CompletedFlow, _) => {
                self.started = true;
                self.completed = true;
            }
            (ActionType::SkippedFlow, _) => self.skipped = true,
            (ActionType::NotStartedFlow, _) => {
                self.started = false;
                self.completed = false;
                self.skipped = false;
                self.current_step = None;
                self.steps.clear();
            }
            (ActionType::NotStartedStep, Some(i)) => {
                let id = &flow.steps[i].id;
                *self.step_mut(id) = StepProgress { id: id.clone(), last_action_at: Some(at), ..Default::default() };
                if self.started {
                    self.current_step = Some(id.clone());
                }
            }
            (step_action, Some(i)) => {
                let id = flow.steps[i].id.clone();
                if self.is_blocked(flow, i) {
                    return Err(ActionError::Blocked(id));
                }
                let step = self.step_mut(&id);
                step.started = true;
                step.last_action_at = Some(at);
                match step_action {
                    ActionType::CompletedStep => step.completed = true,
                    ActionType::SkippedStep => step.skipped = true,
                    _ => {}
                }
                self.started = true;
                if step_action == ActionType::StartedStep {
                    self.skipped = false;
                    self.current_step = Some(id);
                } else {
                    self.current_step =
                        Some(self.next_open(flow, Some(i)).or_else(|| self.next_open(flow, None)).unwrap_or(id));
                    if self.rule_met(flow) {
                        self.completed = true;
                    }
                }
            }
            (_, None) => return Err(ActionError::StepRequired),
        }
        self.last_action_at = Some(at);
        self.responses.push(FlowResponse {
            action_type: action.action_type,
            step_id: action.step_id.clone(),
            data: action.data.clone(),
            created_at: at,
        });
        if self.responses.len() > MAX_RESPONSES {
            let extra = self.responses.len() - MAX_RESPONSES;
            self.responses.drain(..extra);
        }
        Ok(())
    }

    /// Whether the flow's completion rule is met by its steps.
    fn rule_met(&self, flow: &Flow) -> bool {
        match flow.completion {
            CompletionRule::AllSteps => !flow.steps.is_empty() && flow.steps.iter().all(|s| self.is_done(&s.id)),
            CompletionRule::LastStep => flow.steps.last().is_some_and(|s| self.is_done(&s.id)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccessMode, Step};

    fn flow(steps: &[&str], sequential: bool, completion: CompletionRule) -> Flow {
        Flow {
            id: FlowId::generate(),
            org_id: OrgId(1),
            name: "Onboarding".into(),
            slug: crate::model::Slug::parse("onboarding").unwrap(),
            access_mode: AccessMode::Organization,
            join_token: String::new(),
            disabled: false,
            flow_type: "CHECKLIST".into(),
            steps: steps
                .iter()
                .map(|id| Step { id: (*id).into(), title: id.to_uppercase(), subtitle: None, estimated_minutes: 5 })
                .collect(),
            sequential,
            completion,
            version: 1,
            revision: 0,
            created_by: UserId(1),
            created_at: Timestamp::now(),
        }
    }

    fn act(state: &mut FlowState, flow: &Flow, action_type: ActionType, step: Option<&str>) -> Result<(), ActionError> {
        let action = Action { action_type, step_id: step.map(str::to_owned), data: "{}".into(), at: Timestamp::now() };
        state.apply(flow, &action)
    }

    fn fresh(flow: &Flow) -> FlowState {
        FlowState::new(flow, UserId(2))
    }

    #[test]
    fn before_the_start_the_index_is_minus_one_and_the_current_step_the_first() {
        let f = flow(&["a", "b"], false, CompletionRule::AllSteps);
        assert_eq!(fresh(&f).current(&f), (Some("a".into()), -1));
        let empty = flow(&[], false, CompletionRule::AllSteps);
        assert_eq!(fresh(&empty).current(&empty), (None, -1));
    }

    #[test]
    fn started_flow_starts_at_the_first_open_step_and_unskips() {
        let f = flow(&["a", "b"], false, CompletionRule::AllSteps);
        let mut s = fresh(&f);
        act(&mut s, &f, ActionType::SkippedFlow, None).unwrap();
        assert!(s.skipped && !s.started);
        act(&mut s, &f, ActionType::StartedFlow, None).unwrap();
        assert!(s.started && !s.skipped && !s.completed);
        assert_eq!(s.current(&f), (Some("a".into()), 0));
    }

    #[test]
    fn completing_a_step_moves_the_current_step_to_the_next_open_one() {
        let f = flow(&["a", "b", "c"], false, CompletionRule::AllSteps);
        let mut s = fresh(&f);
        act(&mut s, &f, ActionType::CompletedStep, Some("b")).unwrap();
        assert_eq!(s.current(&f), (Some("c".into()), 2));
        assert!(s.started && s.step("b").completed && s.step("b").started);
        act(&mut s, &f, ActionType::SkippedStep, Some("c")).unwrap();
        // nothing open after c: back to the first open step
        assert_eq!(s.current(&f), (Some("a".into()), 0));
        assert!(s.step("c").skipped && !s.step("c").completed);
        assert!(!s.completed);
        act(&mut s, &f, ActionType::CompletedStep, Some("a")).unwrap();
        assert!(s.completed, "every step is done");
        assert_eq!(s.current(&f), (Some("a".into()), 0), "nothing open: it stays");
    }

    #[test]
    fn the_last_step_rule_completes_on_the_last_step_alone() {
        let f = flow(&["a", "b"], false, CompletionRule::LastStep);
        let mut s = fresh(&f);
        act(&mut s, &f, ActionType::CompletedStep, Some("a")).unwrap();
        assert!(!s.completed);
        act(&mut s, &f, ActionType::NotStartedStep, Some("a")).unwrap();
        act(&mut s, &f, ActionType::CompletedStep, Some("b")).unwrap();
        assert!(s.completed, "the last step is done though the first is not");
        let all = flow(&["a", "b"], false, CompletionRule::AllSteps);
        let mut t = fresh(&all);
        act(&mut t, &all, ActionType::CompletedStep, Some("b")).unwrap();
        assert!(!t.completed, "all steps are needed by default");
    }

    #[test]
    fn sequential_steps_are_blocked_until_the_ones_before_are_done() {
        let f = flow(&["a", "b", "c"], true, CompletionRule::AllSteps);
        let mut s = fresh(&f);
        assert!(!s.is_blocked(&f, 0) && s.is_blocked(&f, 1) && s.is_blocked(&f, 2));
        for action in [ActionType::StartedStep, ActionType::CompletedStep, ActionType::SkippedStep] {
            let before = s.clone();
            assert_eq!(act(&mut s, &f, action, Some("b")), Err(ActionError::Blocked("b".into())));
            assert_eq!(s, before, "a refused action changes nothing");
        }
        act(&mut s, &f, ActionType::NotStartedStep, Some("c")).unwrap();
        act(&mut s, &f, ActionType::SkippedStep, Some("a")).unwrap();
        assert!(!s.is_blocked(&f, 1) && s.is_blocked(&f, 2));
        act(&mut s, &f, ActionType::StartedStep, Some("b")).unwrap();
        assert_eq!(s.current(&f), (Some("b".into()), 1));
    }

    #[test]
    fn step_actions_need_a_known_step() {
        let f = flow(&["a"], false, CompletionRule::AllSteps);
        let mut s = fresh(&f);
        for action in ActionType::ALL.into_iter().filter(ActionType::is_step_action) {
            assert_eq!(act(&mut s, &f, action, None), Err(ActionError::StepRequired));
        }
        for action in ActionType::ALL {
            assert_eq!(act(&mut s, &f, action, Some("zz")), Err(ActionError::UnknownStep("zz".into())));
        }
        assert_eq!(s, fresh(&f));
    }

    #[test]
    fn completed_flow_is_sticky_until_the_flow_is_reset() {
        let f = flow(&["a", "b"], false, CompletionRule::AllSteps);
        let mut s = fresh(&f);
        act(&mut s, &f, ActionType::CompletedFlow, None).unwrap();
        assert!(s.completed && s.started);
        act(&mut s, &f, ActionType::CompletedFlow, None).unwrap();
        act(&mut s, &f, ActionType::NotStartedStep, Some("a")).unwrap();
        act(&mut s, &f, ActionType::SkippedFlow, None).unwrap();
        assert!(s.completed, "only NOT_STARTED_FLOW takes completion back");
        assert_eq!(s.current(&f), (Some("a".into()), 0));
        act(&mut s, &f, ActionType::NotStartedFlow, None).unwrap();
        assert!(!s.completed && !s.started && !s.skipped && s.steps.is_empty() && s.current_step.is_none());
        assert_eq!(s.responses.len(), 5, "the history stays");
        assert_eq!(s.current(&f), (Some("a".into()), -1));
    }

    #[test]
    fn resetting_a_step_makes_it_current_once_the_flow_is_started() {
        let f = flow(&["a", "b"], false, CompletionRule::AllSteps);
        let mut s = fresh(&f);
        act(&mut s, &f, ActionType::NotStartedStep, Some("b")).unwrap();
        assert_eq!(s.current(&f), (Some("a".into()), -1), "not started: nothing moves");
        act(&mut s, &f, ActionType::CompletedStep, Some("a")).unwrap();
        act(&mut s, &f, ActionType::CompletedStep, Some("b")).unwrap();
        act(&mut s, &f, ActionType::NotStartedStep, Some("a")).unwrap();
        let a = s.step("a");
        assert!(!a.started && !a.completed && !a.skipped && a.last_action_at.is_some());
        assert_eq!(s.current(&f), (Some("a".into()), 0));
    }

    #[test]
    fn starting_a_step_unskips_the_flow_and_makes_it_current() {
        let f = flow(&["a", "b"], false, CompletionRule::AllSteps);
        let mut s = fresh(&f);
        act(&mut s, &f, ActionType::SkippedFlow, None).unwrap();
        act(&mut s, &f, ActionType::StartedStep, Some("b")).unwrap();
        assert!(s.started && !s.skipped && s.step("b").started && !s.step("b").completed);
        assert_eq!(s.current(&f), (Some("b".into()), 1));
    }

    #[test]
    fn the_history_keeps_the_newest_responses_with_their_data() {
        let f = flow(&["a"], false, CompletionRule::AllSteps);
        let mut s = fresh(&f);
        for _ in 0..MAX_RESPONSES + 3 {
            act(&mut s, &f, ActionType::StartedStep, Some("a")).unwrap();
        }
        act(&mut s, &f, ActionType::CompletedFlow, None).unwrap();
        assert_eq!(s.responses.len(), MAX_RESPONSES);
        let last = s.responses.last().unwrap();
        assert_eq!(
            (last.action_type, last.step_id.as_deref(), last.data.as_str()),
            (ActionType::CompletedFlow, None, "{}")
        );
    }

    #[test]
    fn steps_removed_from_the_content_drop_out_and_new_ones_start_fresh() {
        let f = flow(&["a", "b"], false, CompletionRule::AllSteps);
        let mut s = fresh(&f);
        act(&mut s, &f, ActionType::CompletedStep, Some("a")).unwrap();
        act(&mut s, &f, ActionType::StartedStep, Some("b")).unwrap();
        let changed = Flow { steps: flow(&["a", "c"], false, CompletionRule::AllSteps).steps, ..f.clone() };
        assert_eq!(s.current(&changed), (Some("c".into()), 1), "the current step is gone: the first open one");
        assert!(!s.step("c").started && s.step("a").completed);
        act(&mut s, &changed, ActionType::CompletedStep, Some("c")).unwrap();
        assert!(s.completed, "the steps that exist are all done");
    }

    /// The states a user can reach in a three-step flow, each by the actions that lead there.
    fn reachable(f: &Flow) -> Vec<(&'static str, FlowState)> {
        let walk = |actions: &[(ActionType, Option<&str>)]| {
            let mut s = fresh(f);
            for (a, step) in actions {
                act(&mut s, f, *a, *step).unwrap();
            }
            s
        };
        use ActionType::*;
        vec![
            ("fresh", walk(&[])),
            ("started", walk(&[(StartedFlow, None)])),
            ("on the first step", walk(&[(StartedStep, Some("a"))])),
            ("first done", walk(&[(CompletedStep, Some("a"))])),
            ("first skipped", walk(&[(SkippedStep, Some("a"))])),
            ("two done", walk(&[(CompletedStep, Some("a")), (CompletedStep, Some("b"))])),
            (
                "completed by its steps",
                walk(&[(CompletedStep, Some("a")), (SkippedStep, Some("b")), (CompletedStep, Some("c"))]),
            ),
            ("completed outright", walk(&[(CompletedFlow, None)])),
            ("dismissed", walk(&[(SkippedFlow, None)])),
            ("started then dismissed", walk(&[(CompletedStep, Some("a")), (SkippedFlow, None)])),
            ("reset", walk(&[(CompletedStep, Some("a")), (NotStartedFlow, None)])),
        ]
    }

    #[test]
    fn every_action_from_every_reachable_state_does_what_its_row_says() {
        for sequential in [false, true] {
            for rule in [CompletionRule::AllSteps, CompletionRule::LastStep] {
                let f = flow(&["a", "b", "c"], sequential, rule);
                for (name, before) in reachable(&f) {
                    for action in ActionType::ALL {
                        let steps: Vec<Option<&str>> =
                            if action.is_step_action() { vec![Some("a"), Some("b"), Some("c")] } else { vec![None] };
                        for step in steps {
                            let context =
                                format!("{action:?} {step:?} from {name} (sequential {sequential}, {rule:?})");
                            let mut after = before.clone();
                            let index = step.and_then(|s| f.steps.iter().position(|x| x.id == s));
                            let blocked = index.is_some_and(|i| before.is_blocked(&f, i));
                            match act(&mut after, &f, action, step) {
                                Err(ActionError::Blocked(_)) => {
                                    assert!(blocked && action != ActionType::NotStartedStep, "{context}");
                                    assert_eq!(after, before, "{context}: a refusal changes nothing");
                                    continue;
                                }
                                Err(other) => panic!("{context}: {other:?}"),
                                Ok(()) => assert!(!blocked || action == ActionType::NotStartedStep, "{context}"),
                            }
                            // Every accepted action is in the history and dates the flow.
                            assert_eq!(after.responses.len(), before.responses.len() + 1, "{context}");
                            assert!(after.last_action_at.is_some(), "{context}");
                            // A completed flow is a started one; the index is -1 exactly before the start.
                            assert!(!after.completed || after.started, "{context}");
                            assert_eq!(after.current(&f).1 == -1, !after.started, "{context}");
                            let s = step.map(|id| after.step(id));
                            match action {
                                ActionType::StartedFlow => assert!(after.started && !after.skipped, "{context}"),
                                ActionType::CompletedFlow => assert!(after.completed, "{context}"),
                                ActionType::SkippedFlow => {
                                    assert!(after.skipped, "{context}");
                                    assert_eq!((after.started, after.completed), (before.started, before.completed));
                                }
                                ActionType::NotStartedFlow => {
                                    assert!(!after.started && !after.completed && !after.skipped, "{context}");
                                    assert!(after.steps.is_empty() && after.current_step.is_none(), "{context}");
                                }
                                ActionType::StartedStep => {
                                    assert!(s.unwrap().started && after.started && !after.skipped, "{context}");
                                    assert_eq!(after.current(&f).0.as_deref(), step, "{context}");
                                }
                                ActionType::CompletedStep | ActionType::SkippedStep => {
                                    let s = s.unwrap();
                                    assert!(s.started && after.started, "{context}");
                                    assert!(if action == ActionType::CompletedStep { s.completed } else { s.skipped });
                                    let done = |id: &str| after.step(id).is_done();
                                    let rule_met = match rule {
                                        CompletionRule::AllSteps => ["a", "b", "c"].iter().all(|id| done(id)),
                                        CompletionRule::LastStep => done("c"),
                                    };
                                    assert_eq!(after.completed, before.completed || rule_met, "{context}");
                                    // The current step is a step not done, when there is one.
                                    let open = ["a", "b", "c"].iter().any(|id| !done(id));
                                    let current = after.current(&f).0.unwrap();
                                    assert!(!open || !done(&current), "{context}: current {current}");
                                }
                                ActionType::NotStartedStep => {
                                    let s = s.unwrap();
                                    assert!(!s.started && !s.completed && !s.skipped, "{context}");
                                    assert_eq!(after.completed, before.completed, "{context}: completion is sticky");
                                    if before.started {
                                        assert_eq!(after.current(&f).0.as_deref(), step, "{context}");
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn action_types_parse_by_their_frigade_names() {
        for a in ActionType::ALL {
            assert_eq!(ActionType::parse(a.as_str()), Ok(a));
            assert_eq!(serde_json::to_value(a).unwrap(), a.as_str());
        }
        assert!(ActionType::parse("completed_step").is_err());
    }
}
