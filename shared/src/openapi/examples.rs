//! A request example for every operation that takes a body: the seeds' own where a seed has one (MomoFlow's
//! assign, Flowdock's flow creation and change, Frigade's flow state, SuperOffice's `SaveEmailFlow`,
//! `SaveWorkflowTrigger` and `CreateDefaultWorkflowStepFromType`), else one written to the same rules. A test reads
//! each one with its operation's own reader, so an example is always a request the server takes.

use serde_json::{json, Value};

use crate::routes::{self, Route};

/// The seed's `SaveEmailFlow` body (SuperOffice's "Flows" page), as valid JSON.
const SAVE_EMAIL_FLOW: &str = include_str!("save_email_flow.json");
/// The seed's `SaveWorkflowTrigger` body.
const SAVE_WORKFLOW_TRIGGER: &str = include_str!("save_workflow_trigger.json");

/// The example request body of `route`, when it takes one.
pub fn request(route: &Route) -> Option<Value> {
    let is = |other: &Route| std::ptr::eq(route, other);
    let example = if is(&routes::ADMIN_CREATE_ORGANIZATION) {
        json!({"name": "Acme", "tier": "standard", "owner": {"email": "owner@acme.example.com", "name": "Olive Owner"}})
    } else if is(&routes::USERS_CREATE) {
        json!({"email": "employee@company.com", "name": "Sam Employee", "nick": "Sam", "externalId": "crm-4812",
            "role": "member"})
    } else if is(&routes::USERS_UPDATE) {
        json!({"role": "admin", "name": "Sam Employee-Lead"})
    } else if is(&routes::API_KEYS_CREATE) {
        json!({"kind": "secret", "userId": 2, "name": "HR sync"})
    } else if is(&routes::FLOWS_CREATE) {
        // Flowdock's own example, with the steps a flow of steps takes here.
        json!({"name": "My flow", "steps": [{"id": "welcome", "title": "Welcome"}, {"id": "profile", "title": "Your profile"}]})
    } else if is(&routes::FLOWS_UPDATE) {
        json!({"name": "My new flow", "disabled": false, "access_mode": "organization"})
    } else if is(&routes::FLOWS_USERS_ADD) {
        json!({"id": 2})
    } else if is(&routes::FLOWS_USERS_UPDATE) {
        json!({"disabled": true})
    } else if is(&routes::FLOWS_ASSIGN) {
        // MomoFlow's own example.
        json!({"flowId": "flow_123abc", "userEmail": "employee@company.com", "dueDate": "2024-11-25T23:59:59Z",
            "priority": "high", "notes": "Please complete this onboarding flow before the team meeting"})
    } else if is(&routes::FLOWS_REPORT) {
        json!({"flowId": "flow_123abc", "startDate": "2024-11-01", "endDate": "2024-11-30", "status": "completed",
            "detailed": true})
    } else if is(&routes::FLOW_CONTENT_UPDATE) {
        json!({"flowType": "CHECKLIST", "sequential": true, "completionRule": "ALL_STEPS",
            "steps": [{"id": "welcome", "title": "Welcome"}, {"id": "profile", "title": "Your profile"}]})
    } else if is(&routes::PUBLIC_FLOW_STATES_UPDATE) {
        // Frigade's own example (its step id a real one in place of `<string>`).
        json!({"userId": "d34daa11-3745-4ac0-880e-d4b4d51fe13f", "groupId": "x34daa11-3745-4ac0-880e-d4b4d51fe13f",
            "flowSlug": "flow_abc", "stepId": "step_abc", "data": {"action": "click"}, "actionType": "COMPLETED_STEP"})
    } else if is(&routes::PUBLIC_SESSIONS) {
        json!({"userId": "d34daa11-3745-4ac0-880e-d4b4d51fe13f", "userProperties": {"plan": "pro"},
            "userEvents": [{"event": "clicked-invite", "properties": {"button": "header"}}]})
    } else if is(&routes::CORS_UPDATE) {
        json!({"allowedOrigins": ["https://app.example.com", "https://*.example.com"]})
    } else if is(&routes::USER_TOKENS_UPDATE) {
        json!({"required": "assignedProgress"})
    } else if is(&routes::WEBHOOKS_CREATE) {
        json!({"url": "https://hooks.example.com/flows", "events": ["flow.completed", "flow.overdue"]})
    } else if is(&routes::WEBHOOKS_UPDATE) {
        json!({"enabled": true})
    } else if is(&routes::WORKFLOW_SAVE_EMAIL_FLOW) {
        serde_json::from_str(SAVE_EMAIL_FLOW).ok()?
    } else if is(&routes::WORKFLOW_SAVE_WORKFLOW_TRIGGER) {
        serde_json::from_str(SAVE_WORKFLOW_TRIGGER).ok()?
    } else if is(&routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_FROM_TYPE) {
        json!({"StepType": "WaitForTime"})
    } else if is(&routes::WORKFLOW_COPY_EMAIL_FLOW) {
        json!({"EmailFlowId": 1, "NewName": "Welcome (copy)"})
    } else if is(&routes::WORKFLOW_SET_STATUS_ON_WORKFLOW) {
        json!({"EmailFlowId": 1, "Status": "Running"})
    } else if is(&routes::WORKFLOW_SAVE_WORKFLOW_GOAL) {
        json!({"WorkflowGoalId": 0, "WorkflowId": 1, "GoalType": "HadChat"})
    } else if is(&routes::WORKFLOW_SAVE_WORKFLOW_WAIT_FOR_ACTION) {
        json!({"WorkflowWaitForActionId": 0, "WorkflowStepId": 1000003, "ActionType": "LinkClicked"})
    } else if is(&routes::WORKFLOW_GET_WORKFLOW_STEP) {
        json!({"WorkflowStepId": 1000001})
    } else if is(&routes::WORKFLOW_ADD_AFTER_WORKFLOW_STEP) {
        json!({"WorkflowStepId": 1000001, "SubStep": {"StepType": "SendEmail"}})
    } else if is(&routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_OPTION_FROM_TYPE) {
        json!({"OptionType": "PersonData"})
    } else if is(&routes::WORKFLOW_GET_WORKFLOW_STEP_OPTION) {
        json!({"WorkflowStepOptionId": 1000005})
    } else if is(&routes::WORKFLOW_TRY_ADD_PERSONS_TO_EMAIL_FLOW) {
        json!({"EmailFlowId": 1, "PersonIds": [2, 3]})
    } else if is(&routes::WORKFLOW_REMOVE_PARTICIPANTS_FROM_EMAIL_FLOW) {
        json!({"EmailFlowId": 1, "WorkflowInstanceIds": [1]})
    } else if is(&routes::WORKFLOW_SEND_EVENT) {
        json!({"WorkflowEvent": {"EventType": "LinkClicked", "Attributes": "personId=2"}})
    } else {
        return None;
    };
    Some(example)
}
