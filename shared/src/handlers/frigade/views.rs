//! Frigade's answers, as seed 003 writes them and Frigade's SDK reads them: booleans always `true`/`false`, every
//! step with its `$state`, the flow's `$state`, the type mirrored in `data.type`.

use serde::Serialize;
use utoipa::ToSchema;

use crate::model::{ActionType, CompletionRule, Flow, FlowResponse, Step};
use crate::services::progress::{FlowProgress, States};

/// A step of a flow's content.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FrigadeStep {
    pub id: String,
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subtitle: Option<String>,
    pub estimated_minutes: u32,
}

impl From<&Step> for FrigadeStep {
    fn from(step: &Step) -> Self {
        Self {
            id: step.id.clone(),
            title: step.title.clone(),
            subtitle: step.subtitle.clone(),
            estimated_minutes: step.estimated_minutes,
        }
    }
}

/// A flow's content (`data`): its type and its steps.
#[derive(Serialize, ToSchema)]
pub struct FrigadeContent {
    #[serde(rename = "type")]
    pub flow_type: String,
    pub steps: Vec<FrigadeStep>,
}

/// A flow with its content, as the secret-key routes and `GET /v1/public/flows` show it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FrigadeFlow {
    /// The flow's id (Flowdock's and MomoFlow's `flowId`).
    pub id: String,
    pub flow_slug: String,
    pub flow_name: String,
    pub flow_type: String,
    /// Bumped by every content change.
    pub version: u64,
    pub sequential: bool,
    pub completion_rule: CompletionRule,
    pub disabled: bool,
    pub data: FrigadeContent,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&Flow> for FrigadeFlow {
    fn from(flow: &Flow) -> Self {
        Self {
            id: flow.id.to_string(),
            flow_slug: flow.slug.as_str().to_owned(),
            flow_name: flow.name.clone(),
            flow_type: flow.flow_type.clone(),
            version: flow.version,
            sequential: flow.sequential,
            completion_rule: flow.completion,
            disabled: flow.disabled,
            data: FrigadeContent {
                flow_type: flow.flow_type.clone(),
                steps: flow.steps.iter().map(FrigadeStep::from).collect(),
            },
            created_at: flow.created_at.to_rfc3339(),
        }
    }
}

/// The answer of `GET /v1/public/flows`.
#[derive(Serialize, ToSchema)]
pub struct FrigadeFlowList {
    pub data: Vec<FrigadeFlow>,
}

/// One entry of a state's history (secret keys only).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowResponseView {
    pub flow_slug: String,
    pub action_type: ActionType,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub step_id: Option<String>,
    /// The action's `data`, serialized as JSON.
    pub data: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

fn responses<'a>(flow: &Flow, of: impl Iterator<Item = &'a FlowResponse>) -> Vec<FlowResponseView> {
    of.map(|r| FlowResponseView {
        flow_slug: flow.slug.as_str().to_owned(),
        action_type: r.action_type,
        step_id: r.step_id.clone(),
        data: r.data.clone(),
        created_at: r.created_at.to_rfc3339(),
    })
    .collect()
}

/// A step's `$state`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StepStateView {
    pub completed: bool,
    pub skipped: bool,
    pub started: bool,
    /// Always true: hidden steps are not part of this API yet.
    pub visible: bool,
    /// A sequential flow holds this step until the ones before it are completed or skipped.
    pub blocked: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub last_action_at: Option<String>,
    /// The step's history; with a secret key only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow_responses: Option<Vec<FlowResponseView>>,
}

/// A step with its content and `$state`.
#[derive(Serialize, ToSchema)]
pub struct StatefulStep {
    #[serde(flatten)]
    pub step: FrigadeStep,
    #[serde(rename = "$state")]
    pub state: StepStateView,
}

/// The flow's `$state`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowStateView {
    /// The current step; before the start, the step the user would start at. Null only for a flow without steps.
    pub current_step_id: Option<String>,
    /// The current step's index; -1 before the flow is started.
    pub current_step_index: i64,
    pub completed: bool,
    pub started: bool,
    pub skipped: bool,
    /// False once the flow is completed or skipped.
    pub visible: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub last_action_at: Option<String>,
    /// The flow's history, newest last; with a secret key only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flow_responses: Option<Vec<FlowResponseView>>,
}

/// A flow's content with the user's state in it.
#[derive(Serialize, ToSchema)]
pub struct StatefulData {
    #[serde(rename = "type")]
    pub flow_type: String,
    pub steps: Vec<StatefulStep>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatefulFlow {
    pub flow_slug: String,
    pub flow_name: String,
    pub flow_type: String,
    pub data: StatefulData,
    #[serde(rename = "$state")]
    pub state: FlowStateView,
    pub version: u64,
}

/// Every flow-state answer.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct FlowStatesView {
    pub eligible_flows: Vec<StatefulFlow>,
    /// Slugs of the flows the user sees but may not take (a disabled flow).
    pub ineligible_flows: Vec<String>,
}

fn stateful(p: &FlowProgress, with_responses: bool) -> StatefulFlow {
    let (flow, state) = (&p.flow, &p.state);
    let steps = flow
        .steps
        .iter()
        .enumerate()
        .map(|(i, step)| {
            let progress = state.step(&step.id);
            let own = state.responses.iter().filter(|r| r.step_id.as_deref() == Some(step.id.as_str()));
            StatefulStep {
                step: FrigadeStep::from(step),
                state: StepStateView {
                    completed: progress.completed,
                    skipped: progress.skipped,
                    started: progress.started,
                    visible: true,
                    blocked: state.is_blocked(flow, i),
                    last_action_at: progress.last_action_at.map(|t| t.to_rfc3339()),
                    flow_responses: with_responses.then(|| responses(flow, own)),
                },
            }
        })
        .collect();
    let (current_step_id, current_step_index) = state.current(flow);
    StatefulFlow {
        flow_slug: flow.slug.as_str().to_owned(),
        flow_name: flow.name.clone(),
        flow_type: flow.flow_type.clone(),
        data: StatefulData { flow_type: flow.flow_type.clone(), steps },
        state: FlowStateView {
            current_step_id,
            current_step_index,
            completed: state.completed,
            started: state.started,
            skipped: state.skipped,
            visible: !(state.completed || state.skipped),
            last_action_at: state.last_action_at.map(|t| t.to_rfc3339()),
            flow_responses: with_responses.then(|| responses(flow, state.responses.iter())),
        },
        version: flow.version,
    }
}

impl From<&States> for FlowStatesView {
    fn from(states: &States) -> Self {
        Self {
            eligible_flows: states.eligible.iter().map(|p| stateful(p, states.with_responses)).collect(),
            ineligible_flows: states.ineligible.clone(),
        }
    }
}
