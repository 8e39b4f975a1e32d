//! SuperOffice's email flows set up through the workflow agent, with one of each kind of object inside, for the
//! tests and the load that name them.

use serde_json::{json, Value};

use crate::TestServer;

/// The agent's path of a method.
pub fn agent(method: &str) -> String {
    format!("/v1/Agents/Workflow/{method}")
}

/// The ids of an email flow and of what is inside it.
#[derive(Clone, Debug, Default)]
pub struct EmailFlowIds {
    pub flow: u64,
    /// A WaitForAction step, and the action it waits for.
    pub wait_step: u64,
    pub action: u64,
    /// A second action of that step, for a delete.
    pub spare_action: u64,
    /// A Split step, and its option.
    pub split_step: u64,
    pub option: u64,
    /// Two triggers and two goals (the second of each for a delete).
    pub trigger: u64,
    pub spare_trigger: u64,
    pub goal: u64,
    pub spare_goal: u64,
}

/// A flow with a WaitForAction step waiting for two actions, a Split step with an option holding a SendSMS step,
/// two triggers and two goals.
pub fn email_flow_body(name: &str) -> Value {
    json!({
        "EmailFlowId": 0,
        "Name": name,
        "Steps": [
            {"StepType": "WaitForAction", "Actions": [{"ActionType": "LinkClicked"}, {"ActionType": "FormSubmitted"}]},
            {"StepType": "Split", "SplitName": "Who", "Options": [
                {"OptionType": "PersonData", "Name": "Yes", "Steps": [{"StepType": "SendSMS", "Text": "Hi"}]}
            ]}
        ],
        "Triggers": [{"TriggerType": "PersonCreated"}, {"TriggerType": "PersonUpdated"}],
        "Goals": [{"GoalType": "LinkClicked"}, {"GoalType": "FormSubmitted"}]
    })
}

/// The ids a saved flow (its answer) gives.
pub fn ids_of(saved: &Value) -> EmailFlowIds {
    let id = |v: &Value| v.as_u64().unwrap_or_else(|| panic!("an id in {saved}"));
    let steps = &saved["Steps"];
    EmailFlowIds {
        flow: id(&saved["EmailFlowId"]),
        wait_step: id(&steps[0]["WorkflowStepId"]),
        action: id(&steps[0]["Actions"][0]["WorkflowWaitForActionId"]),
        spare_action: id(&steps[0]["Actions"][1]["WorkflowWaitForActionId"]),
        split_step: id(&steps[1]["WorkflowStepId"]),
        option: id(&steps[1]["Options"][0]["WorkflowStepOptionId"]),
        trigger: id(&saved["Triggers"][0]["WorkflowTriggerId"]),
        spare_trigger: id(&saved["Triggers"][1]["WorkflowTriggerId"]),
        goal: id(&saved["Goals"][0]["WorkflowGoalId"]),
        spare_goal: id(&saved["Goals"][1]["WorkflowGoalId"]),
    }
}

impl TestServer {
    /// Saves [`email_flow_body`] with `key`; its ids.
    pub async fn email_flow(&self, key: &str, name: &str) -> EmailFlowIds {
        let saved = self.post(&agent("SaveEmailFlow"), key, email_flow_body(name)).await;
        assert_eq!(saved.status, 200, "{:?}", saved.body);
        ids_of(&saved.body)
    }

    /// Uses up `count` email flow ids of the organization (saved, then deleted), so that the next flow's id differs
    /// from another organization's.
    pub async fn skip_email_flow_ids(&self, key: &str, count: usize) {
        for _ in 0..count {
            let saved = self.post(&agent("SaveEmailFlow"), key, json!({"Name": "skipped"})).await;
            assert_eq!(saved.status, 200, "{:?}", saved.body);
            let path = format!("{}?EmailFlowId={}", agent("DeleteEmailFlow"), saved.body["EmailFlowId"]);
            let gone = self.send("POST", &path, Some(key), None, &[]).await;
            assert_eq!(gone.status, 204, "{:?}", gone.body);
        }
    }
}
