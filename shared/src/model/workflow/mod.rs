//! SuperOffice's email flows (seed 002): a flow with its steps, triggers and goals, saved whole, as one record.
//!
//! **Ids.** An email flow's id is the organization's next integer (1, 2, …). Everything inside a flow (steps, split
//! options, wait-for-actions, triggers, goals) has an id that tells its flow: `flow id × 1,000,000 + n`, `n` from
//! the flow's own counter, so that `GetWorkflowTrigger?workflowTriggerId=…` finds its flow without an index, and
//! deleting a flow deletes everything in it. An object sent with an id the flow does not have gets a new one; ids
//! are never reused within a flow.
//!
//! **Ranks** follow array order, from 1.
//!
//! **Bounds**, so that a flow fits one DynamoDB item: [`MAX_STEPS`] steps in all (split options' included, nested
//! at most [`MAX_DEPTH`] deep), [`MAX_TRIGGERS`] triggers, [`MAX_GOALS`] goals, [`MAX_GROUPS`] restriction groups
//! per owner of [`MAX_RESTRICTIONS`] restrictions each, and [`MAX_FLOW_BYTES`] of JSON in all.

mod any_case;
mod carriers;
mod email_flow;
mod enums;
pub mod participants;
mod steps;
mod values;

use serde::{Deserialize, Serialize};

pub use any_case::{read_any_case, AnyCase};
pub use carriers::{
    Folder, Restriction, RestrictionGroup, TzLocation, WorkflowEvent, WorkflowFilter, WorkflowGoal, WorkflowTrigger,
    WorkflowWaitForAction,
};
pub use email_flow::EmailFlow;
pub use enums::{
    ActionType, Domain, EmailFromType, EmailReplyToType, EventType, FreeBusy, GoalType, InterOperator, IntervalType,
    NotifyEmailType, NotifySmsType, OwnerType, SplitOptionType, StepType, TimeWaitAlgorithm, TriggerType,
    WaitForActionType, Weekdays, WorkflowStatus,
};
pub use steps::{MaybeDateTime, MemberProblem, StepOption, WorkflowStep};
pub use values::{EncodedDateTime, EncodedValue, IsoDate, TypedValue};

use super::{OrgId, Timestamp};

pub const MAX_STEPS: usize = 50;
pub const MAX_DEPTH: usize = 3;
pub const MAX_TRIGGERS: usize = 20;
pub const MAX_GOALS: usize = 20;
pub const MAX_GROUPS: usize = 10;
pub const MAX_RESTRICTIONS: usize = 20;
pub const MAX_OPTIONS: usize = 10;
pub const MAX_ACTIONS: usize = 10;
pub const MAX_FLOW_BYTES: usize = 200 * 1024;

/// How many ids one flow has for what is inside it.
pub const ITEM_IDS_PER_FLOW: u64 = 1_000_000;

/// The flow an object's id belongs to.
pub fn flow_of_item(item_id: u64) -> u64 {
    item_id / ITEM_IDS_PER_FLOW
}

/// An email flow as stored: the carrier, with what the server keeps beside it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct EmailFlowRecord {
    pub org_id: OrgId,
    pub id: u64,
    /// Bumped by every write; a write names the revision it read.
    pub revision: u64,
    /// The last `n` given to an object inside the flow.
    pub last_item: u64,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Stored as JSON text: one attribute, as compact as the answers.
    #[serde(with = "json_text")]
    pub flow: EmailFlow,
}

/// A flow as one JSON string attribute. It is read as it was written (the carrier's own spelling, every text
/// checked when it was saved), straight into the carrier. The requests' any-case reader goes through a JSON tree and
/// took four times the work: 1.27 M instructions for the two sample flows against 0.31 M (callgrind), 0.25 ms of a
/// cold start that loads them.
mod json_text {
    use serde::{Deserialize, Deserializer, Serializer};

    use super::EmailFlow;

    pub fn serialize<S: Serializer>(flow: &EmailFlow, serializer: S) -> Result<S::Ok, S::Error> {
        let text = serde_json::to_string(flow).map_err(serde::ser::Error::custom)?;
        serializer.serialize_str(&text)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<EmailFlow, D::Error> {
        let text = String::deserialize(deserializer)?;
        serde_json::from_str(&text).map_err(serde::de::Error::custom)
    }
}

impl EmailFlowRecord {
    /// A new flow `id` of `org` at `now`: the default content, nothing inside yet, revision 1.
    pub fn new(org_id: OrgId, id: u64, now: Timestamp) -> Self {
        Self { org_id, id, revision: 1, last_item: 0, created_at: now, updated_at: now, flow: EmailFlow::default() }
    }

    /// The carrier as answered: its id and dates from the record.
    pub fn carrier(&self) -> EmailFlow {
        let mut flow = self.flow.clone();
        flow.email_flow_id = self.id;
        flow.created_date = self.created_at.into();
        flow.updated_date = self.updated_at.into();
        flow
    }

    fn next_item(&mut self) -> u64 {
        self.last_item += 1;
        self.id * ITEM_IDS_PER_FLOW + self.last_item
    }

    /// Takes `flow` as the record's new content: every object inside gets this flow's id, an id of its own (kept
    /// when the flow had it, new otherwise), its parent's id and its rank; computed members are filled in.
    /// Problems name the member (`Steps[0].Options[1].Name`).
    pub fn take(&mut self, mut flow: EmailFlow) -> Result<(), MemberProblem> {
        check_bounds(&flow)?;
        flow.settle()?;
        let mut known = std::collections::HashSet::new();
        collect_ids(&self.flow, &mut known);
        let flow_id = self.id;
        flow.email_flow_id = flow_id;
        let mut ids = Ids { record: self, known: &known };
        for (i, step) in flow.steps.iter_mut().enumerate() {
            ids.step(step, rank(i));
        }
        for trigger in &mut flow.triggers {
            trigger.workflow_id = flow_id;
            trigger.workflow_trigger_id = ids.keep(trigger.workflow_trigger_id);
        }
        for goal in &mut flow.goals {
            goal.workflow_id = flow_id;
            goal.workflow_goal_id = ids.keep(goal.workflow_goal_id);
        }
        let size = serde_json::to_vec(&flow).map(|v| v.len()).unwrap_or(usize::MAX);
        if size > MAX_FLOW_BYTES {
            return Err(("EmailFlow".into(), format!("is {size} bytes as JSON: at most {MAX_FLOW_BYTES}")));
        }
        self.flow = flow;
        Ok(())
    }
}

fn rank(index: usize) -> i64 {
    i64::try_from(index).unwrap_or(i64::MAX - 1) + 1
}

/// Gives ids inside one flow.
struct Ids<'a> {
    record: &'a mut EmailFlowRecord,
    known: &'a std::collections::HashSet<u64>,
}

impl Ids<'_> {
    fn keep(&mut self, id: u64) -> u64 {
        if id != 0 && self.known.contains(&id) {
            id
        } else {
            self.record.next_item()
        }
    }

    fn step(&mut self, step: &mut WorkflowStep, rank: i64) {
        let flow = self.record.id;
        step.workflow_id = flow;
        step.workflow_step_id = self.keep(step.workflow_step_id);
        step.rank = rank;
        let step_id = step.workflow_step_id;
        for (i, action) in step.actions.iter_mut().flatten().enumerate() {
            action.workflow_id = flow;
            action.workflow_step_id = step_id;
            action.workflow_wait_for_action_id = self.keep(action.workflow_wait_for_action_id);
            action.rank = self::rank(i);
        }
        for (i, option) in step.options.iter_mut().flatten().enumerate() {
            option.workflow_id = flow;
            option.workflow_step_id = step_id;
            option.workflow_step_option_id = self.keep(option.workflow_step_option_id);
            option.rank = self::rank(i);
            for (j, sub) in option.steps.iter_mut().enumerate() {
                self.step(sub, self::rank(j));
            }
        }
    }
}

/// Every id inside a flow.
fn collect_ids(flow: &EmailFlow, ids: &mut std::collections::HashSet<u64>) {
    let mut steps = Vec::new();
    for step in &flow.steps {
        step.walk(0, &mut steps);
    }
    for (step, _) in steps {
        ids.insert(step.workflow_step_id);
        ids.extend(step.actions.iter().flatten().map(|a| a.workflow_wait_for_action_id));
        ids.extend(step.options.iter().flatten().map(|o| o.workflow_step_option_id));
    }
    ids.extend(flow.triggers.iter().map(|t| t.workflow_trigger_id));
    ids.extend(flow.goals.iter().map(|g| g.workflow_goal_id));
}

fn check_groups(groups: &[RestrictionGroup], at: &str) -> Result<(), MemberProblem> {
    if groups.len() > MAX_GROUPS {
        return Err((format!("{at}RestrictionGroups"), format!("at most {MAX_GROUPS} groups")));
    }
    for (i, group) in groups.iter().enumerate() {
        if group.restrictions.len() > MAX_RESTRICTIONS {
            return Err((format!("{at}RestrictionGroups[{i}].Restrictions"), format!("at most {MAX_RESTRICTIONS}")));
        }
        for (j, restriction) in group.restrictions.iter().enumerate() {
            let subs = restriction.sub_restrictions.as_ref().map_or(0, Vec::len);
            if subs > MAX_RESTRICTIONS
                || restriction
                    .sub_restrictions
                    .iter()
                    .flatten()
                    .any(|s| s.sub_restrictions.as_ref().is_some_and(|v| !v.is_empty()))
            {
                return Err((
                    format!("{at}RestrictionGroups[{i}].Restrictions[{j}].SubRestrictions"),
                    format!("at most {MAX_RESTRICTIONS}, one level deep"),
                ));
            }
        }
    }
    Ok(())
}

fn check_bounds(flow: &EmailFlow) -> Result<(), MemberProblem> {
    let mut steps = Vec::new();
    for step in &flow.steps {
        step.walk(0, &mut steps);
    }
    if steps.len() > MAX_STEPS {
        return Err(("Steps".into(), format!("at most {MAX_STEPS} steps in all, those of split options included")));
    }
    if steps.iter().any(|(_, depth)| *depth >= MAX_DEPTH) {
        return Err(("Steps".into(), format!("split options nest at most {MAX_DEPTH} deep")));
    }
    for (step, _) in &steps {
        if step.options.as_ref().is_some_and(|o| o.len() > MAX_OPTIONS) {
            return Err(("Steps".into(), format!("a split has at most {MAX_OPTIONS} options")));
        }
        if step.actions.as_ref().is_some_and(|a| a.len() > MAX_ACTIONS) {
            return Err(("Steps".into(), format!("a step waits for at most {MAX_ACTIONS} actions")));
        }
        for option in step.options.iter().flatten() {
            check_groups(option.restriction_groups.as_deref().unwrap_or_default(), "Steps.Options.")?;
        }
        for action in step.actions.iter().flatten() {
            check_groups(&action.restriction_groups, "Steps.Actions.")?;
        }
    }
    if flow.triggers.len() > MAX_TRIGGERS {
        return Err(("Triggers".into(), format!("at most {MAX_TRIGGERS}")));
    }
    if flow.goals.len() > MAX_GOALS {
        return Err(("Goals".into(), format!("at most {MAX_GOALS}")));
    }
    for (i, trigger) in flow.triggers.iter().enumerate() {
        check_groups(&trigger.restriction_groups, &format!("Triggers[{i}]."))?;
    }
    for (i, goal) in flow.goals.iter().enumerate() {
        check_groups(&goal.restriction_groups, &format!("Goals[{i}]."))?;
    }
    check_groups(&flow.filter.restriction_groups, "Filter.")?;
    if flow.remove_from_flows.len() > 100 || flow.block_lists.len() > 100 {
        return Err(("RemoveFromFlows".into(), "at most 100 ids each in RemoveFromFlows and BlockLists".into()));
    }
    Ok(())
}

impl EmailFlow {
    /// Fills in what the server computes everywhere in the flow, and keeps each step's and option's members to
    /// its kind's (also after a read from storage, which keeps neither computed members nor `null`s).
    pub fn settle(&mut self) -> Result<(), MemberProblem> {
        for (i, step) in self.steps.iter_mut().enumerate() {
            step.settle().map_err(|(m, p)| (format!("Steps[{i}].{m}"), p))?;
        }
        let groups = self.triggers.iter_mut().flat_map(|t| t.restriction_groups.iter_mut());
        let groups = groups.chain(self.goals.iter_mut().flat_map(|g| g.restriction_groups.iter_mut()));
        groups.chain(self.filter.restriction_groups.iter_mut()).for_each(RestrictionGroup::settle);
        Ok(())
    }

    /// The step with this id, anywhere in the flow.
    pub fn find_step(&self, id: u64) -> Option<&WorkflowStep> {
        let mut steps = Vec::new();
        for step in &self.steps {
            step.walk(0, &mut steps);
        }
        steps.into_iter().map(|(s, _)| s).find(|s| s.workflow_step_id == id)
    }

    /// The step with this id, to change.
    pub fn find_step_mut(&mut self, id: u64) -> Option<&mut WorkflowStep> {
        fn find(steps: &mut [WorkflowStep], id: u64) -> Option<&mut WorkflowStep> {
            for step in steps {
                if step.workflow_step_id == id {
                    return Some(step);
                }
                for option in step.options.iter_mut().flatten() {
                    if let Some(found) = find(&mut option.steps, id) {
                        return Some(found);
                    }
                }
            }
            None
        }
        find(&mut self.steps, id)
    }

    /// The list of steps that holds the step with this id (the flow's own, or an option's), and its index.
    pub fn step_list_of(&mut self, id: u64) -> Option<(&mut Vec<WorkflowStep>, usize)> {
        fn find(steps: &mut Vec<WorkflowStep>, id: u64) -> Option<(&mut Vec<WorkflowStep>, usize)> {
            if let Some(i) = steps.iter().position(|s| s.workflow_step_id == id) {
                return Some((steps, i));
            }
            for step in steps.iter_mut() {
                for option in step.options.iter_mut().flatten() {
                    if let Some(found) = find(&mut option.steps, id) {
                        return Some(found);
                    }
                }
            }
            None
        }
        find(&mut self.steps, id)
    }

    /// The split option with this id, anywhere in the flow.
    pub fn find_option(&self, id: u64) -> Option<&StepOption> {
        let mut steps = Vec::new();
        for step in &self.steps {
            step.walk(0, &mut steps);
        }
        steps.into_iter().flat_map(|(s, _)| s.options.iter().flatten()).find(|o| o.workflow_step_option_id == id)
    }

    /// The wait-for-action with this id, anywhere in the flow.
    pub fn find_wait_for_action(&self, id: u64) -> Option<&WorkflowWaitForAction> {
        let mut steps = Vec::new();
        for step in &self.steps {
            step.walk(0, &mut steps);
        }
        steps.into_iter().flat_map(|(s, _)| s.actions.iter().flatten()).find(|a| a.workflow_wait_for_action_id == id)
    }

    /// Removes the wait-for-action with this id; whether there was one.
    pub fn remove_wait_for_action(&mut self, id: u64) -> bool {
        fn remove(steps: &mut [WorkflowStep], id: u64) -> bool {
            for step in steps {
                if let Some(actions) = step.actions.as_mut() {
                    if let Some(i) = actions.iter().position(|a| a.workflow_wait_for_action_id == id) {
                        actions.remove(i);
                        return true;
                    }
                }
                for option in step.options.iter_mut().flatten() {
                    if remove(&mut option.steps, id) {
                        return true;
                    }
                }
            }
            false
        }
        remove(&mut self.steps, id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record() -> EmailFlowRecord {
        EmailFlowRecord::new(OrgId(1), 7, Timestamp::now())
    }

    #[test]
    fn a_stored_flow_reads_back_as_it_was_saved_whatever_its_steps_hold() {
        // Every step type and every split option type, each with its defaults, the options holding steps.
        let mut flow = EmailFlow { name: "Every kind".into(), ..EmailFlow::default() };
        flow.steps = StepType::ALL.iter().map(|(step_type, _, _)| WorkflowStep::default_of(*step_type)).collect();
        let mut split = WorkflowStep::default_of(StepType::Split);
        split.options = Some(
            SplitOptionType::ALL
                .iter()
                .map(|(option_type, _, _)| {
                    let mut option = StepOption::default_of(*option_type);
                    option.steps.push(WorkflowStep::default_of(StepType::SendSMS));
                    option
                })
                .collect(),
        );
        flow.steps.push(split);
        flow.triggers.push(WorkflowTrigger::default());
        flow.goals.push(WorkflowGoal::default());
        let mut saved = record();
        saved.take(flow).unwrap();
        let item = serde_json::to_string(&saved).unwrap();
        let read: EmailFlowRecord = serde_json::from_str(&item).unwrap();
        assert_eq!(read, saved);
        // The stored text is what the requests' reader makes of it too.
        let text: serde_json::Value = serde_json::from_str(&item).unwrap();
        let carrier: serde_json::Value = serde_json::from_str(text["flow"].as_str().unwrap()).unwrap();
        assert_eq!(read_any_case::<EmailFlow>(carrier).unwrap(), saved.flow);
    }

    #[test]
    fn objects_get_ids_of_their_flow_parents_and_ranks_from_array_order() {
        let mut r = record();
        let mut flow = EmailFlow::default();
        let mut split = WorkflowStep::default_of(StepType::Split);
        let mut option = StepOption::default_of(SplitOptionType::PersonData);
        option.steps.push(WorkflowStep::default_of(StepType::SendSMS));
        split.options = Some(vec![option]);
        flow.steps = vec![WorkflowStep::default_of(StepType::WaitForTime), split];
        flow.triggers.push(WorkflowTrigger::default());
        r.take(flow).unwrap();
        let steps = &r.flow.steps;
        assert_eq!((steps[0].workflow_step_id, steps[0].rank, steps[0].workflow_id), (7_000_001, 1, 7));
        assert_eq!((steps[1].workflow_step_id, steps[1].rank), (7_000_002, 2));
        let option = &steps[1].options.as_ref().unwrap()[0];
        assert_eq!((option.workflow_step_option_id, option.workflow_step_id, option.rank), (7_000_003, 7_000_002, 1));
        assert_eq!(option.steps[0].workflow_step_id, 7_000_004);
        assert_eq!(r.flow.triggers[0].workflow_trigger_id, 7_000_005);
        assert_eq!(flow_of_item(7_000_005), 7);

        // Saved again with the ids it got, and one step more in front: the ids stay, the new one gets the next.
        let mut again = r.flow.clone();
        again.steps.insert(0, WorkflowStep { workflow_step_id: 99, ..WorkflowStep::default_of(StepType::RunScript) });
        r.take(again).unwrap();
        assert_eq!(
            r.flow.steps.iter().map(|s| s.workflow_step_id).collect::<Vec<_>>(),
            [7_000_006, 7_000_001, 7_000_002]
        );
        assert_eq!(r.flow.steps.iter().map(|s| s.rank).collect::<Vec<_>>(), [1, 2, 3]);
    }

    #[test]
    fn bounds_name_the_member() {
        let mut r = record();
        let flow = EmailFlow {
            steps: vec![WorkflowStep::default_of(StepType::RunScript); MAX_STEPS + 1],
            ..Default::default()
        };
        assert_eq!(r.take(flow).unwrap_err().0, "Steps");
        let groups = vec![RestrictionGroup::default(); MAX_GROUPS + 1];
        let flow = EmailFlow {
            triggers: vec![WorkflowTrigger { restriction_groups: groups, ..Default::default() }],
            ..Default::default()
        };
        assert_eq!(r.take(flow).unwrap_err().0, "Triggers[0].RestrictionGroups");
    }

    #[test]
    fn the_default_flow_round_trips() {
        let value = serde_json::to_value(EmailFlow::default()).unwrap();
        assert_eq!(value["SelectedDays"], "Unknown");
        assert_eq!(value["TimeframeStart"], "[DT:01/01/1970 00:00:00.0000000]");
        assert_eq!(value["WorkflowStart"], "[DT:01/01/0001 00:00:00.0000000]");
        assert_eq!(value["Folder"]["Domain"], "EmailFlows");
        let back: EmailFlow = serde_json::from_value(value).unwrap();
        assert_eq!(back, EmailFlow::default());
    }
}
