//! SuperOffice's workflow agent (seed 002): each method as the seed shows it, under its path and under `/api` (its
//! client's), with the bodies its client sends; the seed's bodies compared member for member.

use flows_testkit::superoffice::{agent, email_flow_body, ids_of};
use flows_testkit::{Backend, Org, Reply, TestServer};
use serde_json::{json, Value};

crate::on_both_backends!(
    the_default_email_flow_is_the_seeds_field_for_field_under_both_paths,
    the_seeds_save_gets_the_seeds_answer_and_reads_back,
    the_seeds_trigger_is_saved_into_its_flow_as_the_seed_answers,
    default_steps_are_the_seeds_and_each_kind_has_only_its_members,
    members_match_in_any_case_and_the_clients_second_spelling_wins,
    ids_stay_and_ranks_follow_array_order_when_a_flow_is_saved_again,
    goals_wait_for_actions_steps_and_options_are_read_saved_and_deleted_by_id,
    copy_status_and_delete_act_on_the_whole_flow,
    bad_requests_are_400s_naming_the_member_and_change_nothing,
    another_organizations_flows_are_missing,
    unknown_and_unsupported_methods_say_so,
);

fn fixture_text(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/fixtures/superoffice").join(name);
    std::fs::read_to_string(path).expect("the fixture")
}

/// A fixture of seed 002 (its examples have commas before closing brackets, which SuperOffice tolerates).
fn fixture(name: &str) -> Value {
    flows_shared::http::superoffice::parse(fixture_text(name).as_bytes()).expect("JSON")
}

/// `value` without the members named, at any depth.
fn without(mut value: Value, members: &[&str]) -> Value {
    fn strip(value: &mut Value, members: &[&str]) {
        match value {
            Value::Object(map) => {
                map.retain(|k, _| !members.contains(&k.as_str()));
                map.values_mut().for_each(|v| strip(v, members));
            }
            Value::Array(items) => items.iter_mut().for_each(|v| strip(v, members)),
            _ => {}
        }
    }
    strip(&mut value, members);
    value
}

async fn call(server: &TestServer, org: &Org, method: &str, body: Value) -> Reply {
    server.post(&agent(method), &org.secret, body).await
}

/// As SuperOffice's client calls: under `/api`, the body `null` when there is none.
async fn client_call(server: &TestServer, org: &Org, path_and_query: &str) -> Reply {
    let path = format!("/api{}", agent(path_and_query));
    server.send_raw("POST", &path, Some(&org.secret), Some("application/json"), b"null".to_vec()).await
}

async fn started(backend: Backend) -> (TestServer, Org) {
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    (server, org)
}

async fn the_default_email_flow_is_the_seeds_field_for_field_under_both_paths(backend: Backend) {
    // GIVEN an organization
    let (server, org) = started(backend).await;

    // WHEN the default email flow is asked for as the seed writes it (no body), and as the client sends it (under
    // /api, with the body `null` and its content type), and without a key
    let seed_way = server.send("POST", &agent("CreateDefaultEmailFlow"), Some(&org.secret), None, &[]).await;
    let client_way = client_call(&server, &org, "CreateDefaultEmailFlow").await;
    let anonymous = server.send("POST", &format!("/api{}", agent("CreateDefaultEmailFlow")), None, None, &[]).await;

    // THEN both answer the seed's object, member for member, in PascalCase
    assert_eq!(seed_way.status, 200, "{:?}", seed_way.body);
    assert_eq!(seed_way.body, fixture("default_email_flow.json"));
    assert_eq!(client_way.status, 200, "{:?}", client_way.body);
    assert_eq!(client_way.body, seed_way.body);
    // AND without a key it is the project's 401
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.body["error"], "unauthorized");
}

async fn the_seeds_save_gets_the_seeds_answer_and_reads_back(backend: Backend) {
    // GIVEN an organization
    let (server, org) = started(backend).await;

    // WHEN the seed's SaveEmailFlow request is sent byte for byte (a comma before its closing brace included)
    let body = fixture_text("save_email_flow_request.txt").into_bytes();
    let saved = server
        .send_raw("POST", &agent("SaveEmailFlow"), Some(&org.secret), Some("application/json; charset=utf-8"), body)
        .await;

    // THEN the answer is the seed's, member for member, but for the dates the server sets
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    let dates = ["CreatedDate", "UpdatedDate"];
    assert_eq!(without(saved.body.clone(), &dates), without(fixture("save_email_flow_response.txt"), &dates));
    assert_eq!(saved.body["EmailFlowId"], 1);
    let created = saved.body["CreatedDate"].as_str().expect("a date");
    assert!(created.starts_with("20") && created.ends_with('Z'), "{created}");
    // AND it reads back the same, as the client asks for it
    let read = client_call(&server, &org, "GetEmailFlow?emailFlowId=1").await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(read.body, saved.body);
    // AND the next flow gets the next id
    let next = call(&server, &org, "SaveEmailFlow", json!({"Name": "Second"})).await;
    assert_eq!(next.body["EmailFlowId"], 2, "{:?}", next.body);
}

async fn the_seeds_trigger_is_saved_into_its_flow_as_the_seed_answers(backend: Backend) {
    // GIVEN the seed's flow
    let (server, org) = started(backend).await;
    let flow = call(&server, &org, "SaveEmailFlow", json!({"Name": "My first flow"})).await;
    assert_eq!(flow.body["EmailFlowId"], 1);

    // WHEN the default trigger is asked for, and the seed's example trigger is saved
    let default = client_call(&server, &org, "CreateDefaultWorkflowTrigger").await;
    let saved = call(&server, &org, "SaveWorkflowTrigger", fixture("trigger_request.json")).await;

    // THEN the default is the seed's, and the answer the seed's but for what SuperOffice computes (and the id)
    assert_eq!(default.body, fixture("default_trigger.json"));
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    let computed = ["DisplayValues", "ColumnInfo", "UniqueHash", "IsActive", "InterOperator", "WorkflowTriggerId"];
    assert_eq!(without(saved.body.clone(), &computed), without(fixture("trigger_response.json"), &computed));
    let restriction = &saved.body["RestrictionGroups"][0]["Restrictions"][0];
    assert_eq!(restriction["IsActive"], true);
    assert_eq!(restriction["InterOperator"], "And");
    assert!(restriction["UniqueHash"].as_i64().is_some_and(|h| h > 0), "{restriction}");
    // AND it is in its flow, and reads back by its id
    let id = saved.body["WorkflowTriggerId"].as_u64().expect("an id");
    let read = client_call(&server, &org, &format!("GetWorkflowTrigger?workflowTriggerId={id}")).await;
    assert_eq!(read.body, saved.body);
    let flow = client_call(&server, &org, "GetEmailFlow?emailFlowId=1").await;
    assert_eq!(flow.body["Triggers"], json!([saved.body]));
}

async fn default_steps_are_the_seeds_and_each_kind_has_only_its_members(backend: Backend) {
    // GIVEN an organization
    let (server, org) = started(backend).await;

    // WHEN the seed's request for a default WaitForTime step is sent byte for byte
    let body = fixture_text("step_from_type_request.txt").into_bytes();
    let path = agent("CreateDefaultWorkflowStepFromType");
    let wait = server.send_raw("POST", &path, Some(&org.secret), Some("application/json; charset=utf-8"), body).await;

    // THEN it is the seed's default
    assert_eq!(wait.status, 200, "{:?}", wait.body);
    assert_eq!(wait.body, fixture("default_wait_for_time_step.json"));
    // AND every kind's default names its kind, with the base members and its own
    let members = |kind: &str| -> Vec<&'static str> {
        match kind {
            "SendEmail" => vec!["Subject", "Attachments", "ShipmentId"],
            "SendSMS" => vec!["From", "Text", "Exit"],
            "WaitForTime" => vec!["TimeWaitAlgorithm", "NumIntervals", "IntervalType", "Until"],
            "WaitForAction" => vec![
                "ExitFlow",
                "ExitToFlowId",
                "ExitToSelectionId",
                "ActionTimeout",
                "WaitForTimeout",
                "TimeoutIntervalType",
                "Actions",
            ],
            "Split" => vec![
                "SplitName",
                "SplitOptionType",
                "ShipmentId",
                "Options",
                "ExitFlow",
                "ExitToFlowId",
                "ExitToSelectionId",
            ],
            "UpdateParticipant" => vec!["Description", "FieldValuesPerson", "FieldValuesCompany"],
            "AddToList" | "RemoveFromList" => vec!["Selection", "Project"],
            "CreateRequest" => vec!["Title", "RequestType", "Category", "Priority", "TicketStatus", "Message", "Owner"],
            "CreateFollowUp" => vec![
                "Title",
                "FollowUpType",
                "Project",
                "Completed",
                "ActionType",
                "ActionTime",
                "ActionTimeUnit",
                "Duration",
                "Availability",
                "OwnerType",
                "Agenda",
                "Owner",
            ],
            "CreateSale" => vec![
                "Title",
                "SaleType",
                "Stage",
                "Amount",
                "Currency",
                "Description",
                "Project",
                "ActionType",
                "ActionTime",
                "ActionTimeUnit",
                "Date",
                "Owner",
                "Source",
            ],
            "NotifyByEmail" => vec!["To", "SpecificEmailAddresses", "Subject", "Text"],
            "NotifyBySMS" => vec!["To", "SpecificPhoneNumbers", "From", "Text"],
            "RunScript" => vec!["ScriptId"],
            "DistributeToOwner" => {
                vec!["OnlyToUnassigned", "Associates", "UserGroups", "DistributeQueue", "DefaultAssociate"]
            }
            _ => vec![],
        }
    };
    let kinds = [
        "None",
        "SendEmail",
        "SendSMS",
        "WaitForTime",
        "WaitForAction",
        "Split",
        "UpdateParticipant",
        "AddToList",
        "RemoveFromList",
        "CreateRequest",
        "CreateFollowUp",
        "CreateSale",
        "NotifyByEmail",
        "NotifyBySMS",
        "RunScript",
        "DistributeToOwner",
    ];
    for (number, kind) in kinds.iter().enumerate() {
        // By name as the client sends it, and by number as a plain-JS caller may.
        for request in [json!({"stepType": kind}), json!({"StepType": number})] {
            let step = call(&server, &org, "CreateDefaultWorkflowStepFromType", request).await;
            assert_eq!(step.status, 200, "{kind}: {:?}", step.body);
            let mut got: Vec<String> = step.body.as_object().expect("an object").keys().cloned().collect();
            got.sort();
            let mut want: Vec<String> = ["WorkflowStepId", "WorkflowId", "StepType", "Rank"]
                .iter()
                .chain(members(kind).iter())
                .map(|m| m.to_string())
                .collect();
            want.sort();
            assert_eq!(got, want, "{kind}");
            assert_eq!(step.body["StepType"], *kind);
        }
    }
    // AND a split option's default names its kind
    let option =
        call(&server, &org, "CreateDefaultWorkflowStepOptionFromType", json!({"optionType": "FormData"})).await;
    assert_eq!(option.body["OptionType"], "FormData");
    assert_eq!(option.body["FormId"], 0);
    assert_eq!(option.body["RestrictionGroups"], json!([]));
    assert_eq!(option.body["Steps"], json!([]));
}

async fn members_match_in_any_case_and_the_clients_second_spelling_wins(backend: Backend) {
    // GIVEN an organization
    let (server, org) = started(backend).await;

    // WHEN a flow is saved as SuperOffice's client sends one it read and changed: camelCase members, the days as a
    // bit mask, a step carrying both spellings (the camelCase one last), members the server does not keep
    let body = json!({
        "tableRight": {"mask": 15, "reason": ""}, "fieldProperties": {},
        "emailFlowId": 0, "name": "Welcome flow", "status": "Stopped", "selectedDays": 31,
        "timeframeStart": "[DT:01/01/0001 08:00:00.0000000]", "createdDate": "0000-12-31T23:06:32.000Z",
        "tzLocation": {"tZLocationID": 1, "name": "CET", "timeZoneSTDRules": {"std": {"TZOffset": 60}}},
        "steps": [{
            "WorkflowStepId": 0, "StepType": "WaitForTime", "TimeWaitAlgorithm": "NumIntervals", "NumIntervals": 1,
            "IntervalType": "Days", "Until": "", "numIntervals": 3, "stepType": "WaitForTime", "rank": 0
        }]
    });
    let saved = server
        .send_raw(
            "POST",
            &format!("/api{}", agent("SaveEmailFlow")),
            Some(&org.secret),
            Some("application/json"),
            body.to_string().into_bytes(),
        )
        .await;

    // THEN the later spelling won, the days are named, what the server computes is its own
    assert_eq!(saved.status, 200, "{:?}", saved.body);
    assert_eq!(saved.body["Name"], "Welcome flow");
    assert_eq!(saved.body["SelectedDays"], "Monday, Tuesday, Wednesday, Thursday, Friday");
    assert_eq!(saved.body["Steps"][0]["NumIntervals"], 3);
    assert_eq!(saved.body["Steps"][0]["Until"], Value::Null);
    assert_eq!(saved.body["TimeframeStart"], "[DT:01/01/0001 08:00:00.0000000]");
    assert_eq!(saved.body["TzLocation"]["TimeZoneSTDRules"], json!({"std": {"TZOffset": 60}}));
    assert_ne!(saved.body["CreatedDate"], "0000-12-31T23:06:32Z");
    assert!(saved.body.get("tableRight").is_none() && saved.body.get("TableRight").is_none());
    // AND the query's id is read in either case, and a step read back keeps its members
    let id = saved.body["EmailFlowId"].as_u64().expect("an id");
    let read = client_call(&server, &org, &format!("GetEmailFlow?EMAILFLOWID={id}")).await;
    assert_eq!(read.body, saved.body);
    let step_id = saved.body["Steps"][0]["WorkflowStepId"].clone();
    let step = call(&server, &org, "GetWorkflowStep", json!({"workflowStepId": step_id})).await;
    assert_eq!(step.body, saved.body["Steps"][0]);
    // AND an id written with a fraction of zero is that whole number
    let whole = call(&server, &org, "GetWorkflowStep", json!({"workflowStepId": step_id.as_f64()})).await;
    assert_eq!(whole.body, step.body);
}

async fn ids_stay_and_ranks_follow_array_order_when_a_flow_is_saved_again(backend: Backend) {
    // GIVEN a saved flow with one of each object
    let (server, org) = started(backend).await;
    let saved = call(&server, &org, "SaveEmailFlow", email_flow_body("Welcome")).await;
    let ids = ids_of(&saved.body);

    // WHEN it is saved again as read, with a new step in front
    let mut again = saved.body.clone();
    again["Steps"].as_array_mut().expect("steps").insert(0, json!({"StepType": "SendEmail", "Subject": "Hello"}));
    let resaved = call(&server, &org, "SaveEmailFlow", again).await;

    // THEN the objects keep their ids, the new step gets the next one, and the ranks follow the new order
    assert_eq!(resaved.status, 200, "{:?}", resaved.body);
    let steps = resaved.body["Steps"].as_array().expect("steps");
    assert_eq!(steps[1]["WorkflowStepId"], ids.wait_step);
    assert_eq!(steps[2]["WorkflowStepId"], ids.split_step);
    assert!(steps[0]["WorkflowStepId"].as_u64().expect("an id") > ids.spare_goal);
    assert_eq!(steps.iter().map(|s| s["Rank"].clone()).collect::<Vec<_>>(), [1, 2, 3]);
    assert!(steps.iter().all(|s| s["WorkflowId"] == ids.flow));
    assert_eq!(steps[2]["Options"][0]["WorkflowStepId"], ids.split_step);
    assert_eq!(ids_of(&json!({"EmailFlowId": ids.flow, "Steps": steps[1..], "Triggers": resaved.body["Triggers"], "Goals": resaved.body["Goals"]})).trigger, ids.trigger);
}

async fn goals_wait_for_actions_steps_and_options_are_read_saved_and_deleted_by_id(backend: Backend) {
    // GIVEN a flow with one of each object
    let (server, org) = started(backend).await;
    let ids = server.email_flow(&org.secret, "Welcome").await;

    // WHEN each is read by its id, a goal and an action are changed, a step is added after another, and a trigger,
    // a goal and an action deleted
    let goal = client_call(&server, &org, &format!("GetWorkflowGoal?workflowGoalId={}", ids.goal)).await;
    let changed = call(
        &server,
        &org,
        "SaveWorkflowGoal",
        json!({"workflowGoalId": ids.goal, "workflowId": ids.flow, "goalType": "HadChat"}),
    )
    .await;
    let action =
        client_call(&server, &org, &format!("GetWorkflowWaitForAction?workflowWaitForActionId={}", ids.action)).await;
    let added_action = call(
        &server,
        &org,
        "SaveWorkflowWaitForAction",
        json!({"workflowStepId": ids.wait_step, "actionType": "FormSubmitted"}),
    )
    .await;
    let option = call(&server, &org, "GetWorkflowStepOption", json!({"workflowStepOptionId": ids.option})).await;
    let added = call(
        &server,
        &org,
        "AddAfterWorkflowStep",
        json!({"workflowStepId": ids.wait_step, "subStep": {"stepType": "RunScript", "scriptId": 7}}),
    )
    .await;
    let deletes = [
        format!("DeleteWorkflowTrigger?WorkflowTriggerId={}", ids.spare_trigger),
        format!("DeleteWorkflowGoal?WorkflowGoalId={}", ids.spare_goal),
        format!("DeleteWorkflowWaitForAction?WorkflowWaitForActionId={}", ids.spare_action),
    ];
    let mut deleted = Vec::new();
    for path in &deletes {
        deleted.push(client_call(&server, &org, path).await.status.as_u16());
    }
    let again = client_call(&server, &org, &deletes[0]).await;

    // THEN each answered as SuperOffice does, and the flow holds the result
    assert_eq!(goal.body["GoalType"], "LinkClicked");
    assert_eq!(changed.body["WorkflowGoalId"], ids.goal);
    assert_eq!(changed.body["GoalType"], "HadChat");
    assert_eq!(action.body["ActionType"], "LinkClicked");
    assert_eq!(action.body["WorkflowStepId"], ids.wait_step);
    assert_eq!(added_action.status, 200, "{:?}", added_action.body);
    assert_eq!(option.body["OptionType"], "PersonData");
    assert_eq!(option.body["Steps"][0]["StepType"], "SendSMS");
    assert_eq!(added.status, 200, "{:?}", added.body);
    assert_eq!(added.body["ScriptId"], 7);
    assert_eq!(added.body["Rank"], 2);
    assert_eq!(deleted, [204, 204, 204]);
    assert_eq!(again.status, 404);
    let flow = client_call(&server, &org, &format!("GetEmailFlow?emailFlowId={}", ids.flow)).await.body;
    assert_eq!(flow["Triggers"].as_array().map(Vec::len), Some(1));
    assert_eq!(flow["Goals"], json!([changed.body]));
    assert_eq!(flow["Steps"][1], added.body);
    assert_eq!(flow["Steps"][2]["WorkflowStepId"], ids.split_step);
    let actions: Vec<Value> =
        flow["Steps"][0]["Actions"].as_array().expect("actions").iter().map(|a| a["ActionType"].clone()).collect();
    assert_eq!(actions, ["LinkClicked", "FormSubmitted"]);
}

async fn copy_status_and_delete_act_on_the_whole_flow(backend: Backend) {
    // GIVEN a flow with one of each object
    let (server, org) = started(backend).await;
    let ids = server.email_flow(&org.secret, "Welcome").await;

    // WHEN it is started, copied, then deleted
    let status =
        call(&server, &org, "SetStatusOnWorkflow", json!({"emailFlowId": ids.flow, "status": "Running"})).await;
    let copy = call(&server, &org, "CopyEmailFlow", json!({"emailFlowId": ids.flow, "newName": "Copy"})).await;
    let deleted = client_call(&server, &org, &format!("DeleteEmailFlow?EmailFlowId={}", ids.flow)).await;

    // THEN the status is answered by name, the copy is a stopped flow of its own with new ids inside
    assert_eq!(status.body, "Running");
    let copy_id = copy.body.as_u64().expect("the new id");
    let copied = client_call(&server, &org, &format!("GetEmailFlow?emailFlowId={copy_id}")).await.body;
    assert_eq!(copied["Name"], "Copy");
    assert_eq!(copied["Status"], "Stopped");
    assert_eq!(copied["Steps"].as_array().map(Vec::len), Some(2));
    assert_ne!(copied["Steps"][0]["WorkflowStepId"], ids.wait_step);
    assert_eq!(copied["Steps"][0]["WorkflowId"], copy_id);
    // AND the deleted flow is gone with what was in it, the copy stays
    assert_eq!(deleted.status, 204);
    let gone = client_call(&server, &org, &format!("GetEmailFlow?emailFlowId={}", ids.flow)).await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.body["message"], format!("Email flow {} does not exist", ids.flow));
    let step = call(&server, &org, "GetWorkflowStep", json!({"workflowStepId": ids.wait_step})).await;
    assert_eq!(step.status, 404);
    assert_eq!(client_call(&server, &org, &format!("GetEmailFlow?emailFlowId={copy_id}")).await.status, 200);
}

async fn bad_requests_are_400s_naming_the_member_and_change_nothing(backend: Backend) {
    // GIVEN a flow
    let (server, org) = started(backend).await;
    let ids = server.email_flow(&org.secret, "Welcome").await;
    let before = client_call(&server, &org, &format!("GetEmailFlow?emailFlowId={}", ids.flow)).await.body;

    // WHEN it is saved with an unknown enum name, a malformed encoded value, a bad encoded date, too many steps, a
    // body that is not JSON, and an id that is no number
    let flow = ids.flow;
    let cases = [
        (json!({"EmailFlowId": flow, "Status": "Sleeping"}), "Status"),
        (json!({"EmailFlowId": flow, "SelectedDays": "Funday"}), "SelectedDays"),
        (json!({"EmailFlowId": flow, "TimeframeStart": "[DT:31/12/2024 10:00:00]"}), "TimeframeStart"),
        (json!({"EmailFlowId": flow, "Steps": [{"StepType": "WaitForTime", "Until": "tomorrow"}]}), "Steps[0].Until"),
        (
            json!({"EmailFlowId": flow, "Filter": {"RestrictionGroups": [{"Restrictions": [{"Name": "x", "Values": ["[I:one]"]}]}]}}),
            "Filter.RestrictionGroups[0].Restrictions[0].Values[0]",
        ),
        (json!({"EmailFlowId": flow, "Steps": vec![json!({"StepType": "RunScript"}); 51]}), "Steps"),
        (
            json!({"EmailFlowId": flow, "Steps": [{"StepType": "NotifyBySMS", "To": "SpecificEmailAddress"}]}),
            "Steps[0].To",
        ),
        (json!({"EmailFlowId": "one"}), "EmailFlowId"),
    ];
    let mut answers = Vec::new();
    for (body, member) in &cases {
        answers.push((call(&server, &org, "SaveEmailFlow", body.clone()).await, *member));
    }
    let not_json = server
        .send_raw("POST", &agent("SaveEmailFlow"), Some(&org.secret), Some("application/json"), b"{\"Name\":".to_vec())
        .await;
    let bad_id = client_call(&server, &org, "GetEmailFlow?emailFlowId=abc").await;
    let no_id = client_call(&server, &org, "GetEmailFlow").await;

    // THEN each is a 400 in the project's format naming the member, and the flow did not change
    for (reply, member) in answers {
        assert_eq!(reply.status, 400, "{member}: {:?}", reply.body);
        assert_eq!(reply.body["error"], "validation_error");
        assert!(reply.body["errors"][member].is_array(), "{member}: {}", reply.body);
    }
    assert_eq!(not_json.status, 400);
    assert_eq!(not_json.body["error"], "invalid_json");
    assert!(bad_id.body["errors"]["EmailFlowId"].is_array(), "{:?}", bad_id.body);
    assert_eq!(no_id.status, 400);
    let after = client_call(&server, &org, &format!("GetEmailFlow?emailFlowId={}", ids.flow)).await.body;
    assert_eq!(after, before);
    // AND a refused new flow used no id
    let refused = call(&server, &org, "SaveEmailFlow", json!({"Status": "Sleeping"})).await;
    assert_eq!(refused.status, 400);
    let next = call(&server, &org, "SaveEmailFlow", json!({})).await;
    assert_eq!(next.body["EmailFlowId"], ids.flow + 1);
}

async fn another_organizations_flows_are_missing(backend: Backend) {
    // GIVEN two organizations, each with its first flow (both numbered 1)
    let server = TestServer::start(backend).await;
    let (owner, other) =
        (server.organization("Acme", "standard").await, server.organization("Other", "standard").await);
    let mine = server.email_flow(&owner.secret, "Mine").await;
    server.skip_email_flow_ids(&other.secret, 1).await;

    // WHEN the other organization names the owner's flow 1 and its trigger (it has no flow 1 of its own now)
    let read = client_call(&server, &other, &format!("GetEmailFlow?emailFlowId={}", mine.flow)).await;
    let trigger =
        call(&server, &other, "SaveWorkflowTrigger", json!({"WorkflowId": mine.flow, "TriggerType": "PersonCreated"}))
            .await;
    let get_trigger =
        client_call(&server, &other, &format!("GetWorkflowTrigger?workflowTriggerId={}", mine.trigger)).await;

    // THEN each is missing, and the owner's flow did not change
    assert_eq!((read.status.as_u16(), trigger.status.as_u16(), get_trigger.status.as_u16()), (404, 404, 404));
    let flow = client_call(&server, &owner, &format!("GetEmailFlow?emailFlowId={}", mine.flow)).await.body;
    assert_eq!(flow["Triggers"].as_array().map(Vec::len), Some(2));
}

async fn unknown_and_unsupported_methods_say_so(backend: Backend) {
    // GIVEN an organization
    let (server, org) = started(backend).await;

    // WHEN a method the agent does not have, and each SuperOffice has that this system does not offer, are called
    let unknown = client_call(&server, &org, "LaunchRocket").await;
    let mut unsupported = Vec::new();
    for method in [
        "CreateEmailFlowContent",
        "ConnectEmailFlowContent",
        "CopyEmailFlowContent",
        "UpdateFormSubmissions",
        "GetWorkflowFencingInfo",
    ] {
        let reply = server
            .send_raw(
                "POST",
                &format!("/api{}", agent(method)),
                Some(&org.secret),
                Some("application/json"),
                Vec::new(),
            )
            .await;
        unsupported.push((method, reply));
    }

    // THEN the unknown one is a 404 naming it, the others 501s saying they are not supported
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["message"], "The workflow agent has no method 'LaunchRocket'");
    for (method, reply) in unsupported {
        assert_eq!(reply.status, 501, "{method}");
        assert_eq!(reply.body["error"], "not_implemented");
        assert!(reply.body["message"].as_str().is_some_and(|m| m.starts_with(&format!("{method} is not supported"))));
    }
}
