//! SuperOffice's email flows (seed 002): saved whole with their steps, triggers and goals; the objects inside a flow
//! are read, saved and deleted by their own ids, each such change rewriting the flow over its revision (redone when
//! another change came first). Everything is scoped to the caller's organization: another organization's flow is
//! answered as missing.

use crate::caller::Caller;
use crate::error::ApiError;
use crate::model::workflow::{
    flow_of_item, EmailFlow, EmailFlowRecord, MemberProblem, StepOption, StepType, WorkflowGoal, WorkflowStatus,
    WorkflowStep, WorkflowTrigger, WorkflowWaitForAction,
};
use crate::model::OrgId;
use crate::store::{Conflict, Counter, Directory, EmailFlowStore, StoreError};

/// How often a change is redone when another change to the same flow came first.
const REVISION_ATTEMPTS: usize = 5;

fn member_problem((member, problem): MemberProblem) -> ApiError {
    ApiError::field(&member, problem)
}

fn kept_changing() -> ApiError {
    ApiError::conflict("The email flow kept changing while this change was made; try again")
}

/// "Email flow 5 does not exist", and the like for what is inside one.
pub fn missing(what: &str, id: u64) -> ApiError {
    ApiError::not_found(format!("{what} {id} does not exist"))
}

/// A missing flow answered as a missing object inside it (other errors as they are: a busy store is no 404).
fn inside(err: ApiError, what: &str, id: u64) -> ApiError {
    if matches!(err, ApiError::NotFound(_)) {
        missing(what, id)
    } else {
        err
    }
}

async fn read(flows: &dyn EmailFlowStore, org: OrgId, id: u64) -> Result<EmailFlowRecord, ApiError> {
    if id == 0 {
        return Err(missing("Email flow", id));
    }
    let mut record = flows.get_email_flow(org, id).await?.ok_or_else(|| missing("Email flow", id))?;
    // Storage keeps neither the members the server computes nor `null`s: settled again as saved.
    record.flow.settle().map_err(|(member, problem)| {
        ApiError::internal(format!("stored email flow {id} does not settle: {member} {problem}"))
    })?;
    Ok(record)
}

/// Changes flow `id` with `change` over the revision read, redone when another write came first.
pub(crate) async fn change<T>(
    caller: &Caller,
    flows: &dyn EmailFlowStore,
    id: u64,
    change: impl Fn(&mut EmailFlowRecord) -> Result<T, ApiError>,
) -> Result<(EmailFlowRecord, T), ApiError> {
    let org = caller.org().await?;
    for _ in 0..REVISION_ATTEMPTS {
        let mut record = read(flows, org, id).await?;
        caller.permit().await?;
        let expected = record.revision;
        let out = change(&mut record)?;
        record.revision += 1;
        record.updated_at = caller.now();
        match flows.update_email_flow(&record, expected).await {
            Ok(()) => return Ok((record, out)),
            Err(StoreError::Conflict(Conflict::Revision)) => continue,
            Err(err) => return Err(err.into()),
        }
    }
    Err(kept_changing())
}

/// `SaveEmailFlow`: id 0 creates the flow under the organization's next id; another id replaces that flow's content.
pub async fn save(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn EmailFlowStore,
    flow: EmailFlow,
) -> Result<EmailFlowRecord, ApiError> {
    if flow.email_flow_id != 0 {
        let id = flow.email_flow_id;
        let (record, ()) =
            change(caller, flows, id, |record| record.take(flow.clone()).map_err(member_problem)).await?;
        return Ok(record);
    }
    create(caller, directory, flows, flow).await
}

async fn create(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn EmailFlowStore,
    flow: EmailFlow,
) -> Result<EmailFlowRecord, ApiError> {
    let org = caller.org().await?;
    // Checked before an id is taken, so that a refused flow uses none.
    let mut trial = EmailFlowRecord::new(org, 0, caller.now());
    trial.take(flow.clone()).map_err(member_problem)?;
    caller.permit().await?;
    let id = directory.next_id(Counter::EmailFlow(org)).await?;
    let mut record = EmailFlowRecord::new(org, id, caller.now());
    record.take(flow).map_err(member_problem)?;
    flows.create_email_flow(&record).await?;
    Ok(record)
}

/// `GetEmailFlow`.
pub async fn get(caller: &Caller, flows: &dyn EmailFlowStore, id: u64) -> Result<EmailFlowRecord, ApiError> {
    let org = caller.org().await?;
    let (record, permit) = tokio::join!(read(flows, org, id), caller.permit());
    permit?;
    record
}

/// `DeleteEmailFlow`: the flow with everything in it.
pub async fn delete(caller: &Caller, flows: &dyn EmailFlowStore, id: u64) -> Result<(), ApiError> {
    let org = caller.org().await?;
    caller.permit().await?;
    if id != 0 && flows.delete_email_flow(org, id).await? {
        Ok(())
    } else {
        Err(missing("Email flow", id))
    }
}

/// `CopyEmailFlow`: a new flow with the content of `id` (new ids inside), stopped, named `new_name` (or the
/// original's name with " (copy)").
pub async fn copy(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn EmailFlowStore,
    id: u64,
    new_name: Option<String>,
) -> Result<EmailFlowRecord, ApiError> {
    let original = get(caller, flows, id).await?;
    let mut flow = original.flow;
    flow.email_flow_id = 0;
    flow.status = WorkflowStatus::Stopped;
    flow.name = match new_name.filter(|n| !n.trim().is_empty()) {
        Some(name) => name,
        None => format!("{} (copy)", flow.name),
    };
    create(caller, directory, flows, flow).await
}

/// A trigger or a goal: kept in its flow's list, found by its id.
pub trait FlowPart: Clone + Send + Sync {
    /// "Workflow trigger", "Workflow goal".
    const WHAT: &'static str;
    fn id(&self) -> u64;
    fn workflow_id(&self) -> u64;
    fn list(flow: &EmailFlow) -> &Vec<Self>;
    fn list_mut(flow: &mut EmailFlow) -> &mut Vec<Self>;
}

impl FlowPart for WorkflowTrigger {
    const WHAT: &'static str = "Workflow trigger";
    fn id(&self) -> u64 {
        self.workflow_trigger_id
    }
    fn workflow_id(&self) -> u64 {
        self.workflow_id
    }
    fn list(flow: &EmailFlow) -> &Vec<Self> {
        &flow.triggers
    }
    fn list_mut(flow: &mut EmailFlow) -> &mut Vec<Self> {
        &mut flow.triggers
    }
}

impl FlowPart for WorkflowGoal {
    const WHAT: &'static str = "Workflow goal";
    fn id(&self) -> u64 {
        self.workflow_goal_id
    }
    fn workflow_id(&self) -> u64 {
        self.workflow_id
    }
    fn list(flow: &EmailFlow) -> &Vec<Self> {
        &flow.goals
    }
    fn list_mut(flow: &mut EmailFlow) -> &mut Vec<Self> {
        &mut flow.goals
    }
}

/// `SaveWorkflowTrigger`, `SaveWorkflowGoal`: into the flow its `WorkflowId` names, replacing the one with its id
/// or added as a new one.
pub async fn save_part<P: FlowPart>(caller: &Caller, flows: &dyn EmailFlowStore, part: P) -> Result<P, ApiError> {
    let flow_id = part.workflow_id();
    let (_, saved) = change(caller, flows, flow_id, |record| {
        let mut flow = record.flow.clone();
        let list = P::list_mut(&mut flow);
        let index = match list.iter().position(|p| part.id() != 0 && p.id() == part.id()) {
            Some(i) => {
                list[i] = part.clone();
                i
            }
            None => {
                list.push(part.clone());
                list.len() - 1
            }
        };
        record.take(flow).map_err(member_problem)?;
        Ok(P::list(&record.flow)[index].clone())
    })
    .await?;
    Ok(saved)
}

/// `GetWorkflowTrigger`, `GetWorkflowGoal`.
pub async fn get_part<P: FlowPart>(caller: &Caller, flows: &dyn EmailFlowStore, id: u64) -> Result<P, ApiError> {
    let record = get(caller, flows, flow_of_item(id)).await.map_err(|err| inside(err, P::WHAT, id))?;
    P::list(&record.flow).iter().find(|p| p.id() == id).cloned().ok_or_else(|| missing(P::WHAT, id))
}

/// `DeleteWorkflowTrigger`, `DeleteWorkflowGoal`.
pub async fn delete_part<P: FlowPart>(caller: &Caller, flows: &dyn EmailFlowStore, id: u64) -> Result<(), ApiError> {
    change(caller, flows, flow_of_item(id), |record| {
        let list = P::list_mut(&mut record.flow);
        let before = list.len();
        list.retain(|p| p.id() != id);
        if list.len() == before {
            return Err(missing(P::WHAT, id));
        }
        Ok(())
    })
    .await
    .map_err(|err| inside(err, P::WHAT, id))?;
    Ok(())
}

/// `GetWorkflowStep`: a step anywhere in its flow (split options' included).
pub async fn get_step(caller: &Caller, flows: &dyn EmailFlowStore, id: u64) -> Result<WorkflowStep, ApiError> {
    let record = get(caller, flows, flow_of_item(id)).await.map_err(|err| inside(err, "Workflow step", id))?;
    record.flow.find_step(id).cloned().ok_or_else(|| missing("Workflow step", id))
}

/// `GetWorkflowStepOption`: a split step's option.
pub async fn get_option(caller: &Caller, flows: &dyn EmailFlowStore, id: u64) -> Result<StepOption, ApiError> {
    let record = get(caller, flows, flow_of_item(id)).await.map_err(|err| inside(err, "Workflow step option", id))?;
    record.flow.find_option(id).cloned().ok_or_else(|| missing("Workflow step option", id))
}

/// `AddAfterWorkflowStep`: `step` right after step `after`, in the same list (the flow's, or a split option's).
pub async fn add_after_step(
    caller: &Caller,
    flows: &dyn EmailFlowStore,
    after: u64,
    mut step: WorkflowStep,
) -> Result<WorkflowStep, ApiError> {
    step.workflow_step_id = 0;
    let (_, added) = change(caller, flows, flow_of_item(after), |record| {
        let mut flow = record.flow.clone();
        let (list, index) = flow.step_list_of(after).ok_or_else(|| missing("Workflow step", after))?;
        list.insert(index + 1, step.clone());
        record.take(flow).map_err(member_problem)?;
        let (list, index) = record.flow.step_list_of(after).ok_or_else(|| missing("Workflow step", after))?;
        Ok(list[index + 1].clone())
    })
    .await
    .map_err(|err| inside(err, "Workflow step", after))?;
    Ok(added)
}

/// `SaveWorkflowWaitForAction`: into the WaitForAction step its `WorkflowStepId` names, replacing the action with
/// its id or added as a new one.
pub async fn save_wait_for_action(
    caller: &Caller,
    flows: &dyn EmailFlowStore,
    action: WorkflowWaitForAction,
) -> Result<WorkflowWaitForAction, ApiError> {
    let step_id = action.workflow_step_id;
    let (_, saved) = change(caller, flows, flow_of_item(step_id), |record| {
        let mut flow = record.flow.clone();
        let step = flow.find_step_mut(step_id).ok_or_else(|| missing("Workflow step", step_id))?;
        if step.step_type != StepType::WaitForAction {
            return Err(ApiError::field("WorkflowStepId", format!("step {step_id} is no WaitForAction step")));
        }
        let actions = step.actions.get_or_insert_with(Vec::new);
        let index = match actions.iter().position(|a| {
            action.workflow_wait_for_action_id != 0
                && a.workflow_wait_for_action_id == action.workflow_wait_for_action_id
        }) {
            Some(i) => {
                actions[i] = action.clone();
                i
            }
            None => {
                actions.push(action.clone());
                actions.len() - 1
            }
        };
        record.take(flow).map_err(member_problem)?;
        let step = record.flow.find_step(step_id).ok_or_else(|| missing("Workflow step", step_id))?;
        Ok(step.actions.as_ref().and_then(|a| a.get(index)).cloned().unwrap_or_default())
    })
    .await
    .map_err(|err| inside(err, "Workflow step", step_id))?;
    Ok(saved)
}

/// `GetWorkflowWaitForAction`.
pub async fn get_wait_for_action(
    caller: &Caller,
    flows: &dyn EmailFlowStore,
    id: u64,
) -> Result<WorkflowWaitForAction, ApiError> {
    let what = "Workflow wait for action";
    let record = get(caller, flows, flow_of_item(id)).await.map_err(|err| inside(err, what, id))?;
    record.flow.find_wait_for_action(id).cloned().ok_or_else(|| missing(what, id))
}

/// `DeleteWorkflowWaitForAction`.
pub async fn delete_wait_for_action(caller: &Caller, flows: &dyn EmailFlowStore, id: u64) -> Result<(), ApiError> {
    let what = "Workflow wait for action";
    change(caller, flows, flow_of_item(id), |record| {
        if record.flow.remove_wait_for_action(id) {
            Ok(())
        } else {
            Err(missing(what, id))
        }
    })
    .await
    .map_err(|err| inside(err, what, id))?;
    Ok(())
}
