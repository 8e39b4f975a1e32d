//! SuperOffice's email flows running: participants enrolled, moved through their steps by the schedule on a
//! simulated clock (a run is told its time), paused, stopped, removed; triggers, goals and actions from events; each
//! step's `emailflow.step` webhook delivered once even when two runs overlap.

use std::sync::Arc;
use std::time::Duration;

use flows_shared::app::scheduled_run;
use flows_shared::model::Timestamp;
use flows_testkit::backends::{serial_store, TestQueue};
use flows_testkit::receiver::Receiver;
use flows_testkit::superoffice::agent;
use flows_testkit::{Backend, Org, Reply, TestServer};
use serde_json::{json, Value};

crate::on_both_backends!(
    a_participant_waits_then_its_steps_announce_themselves_once,
    pause_holds_everyone_and_stop_takes_nobody_new,
    triggers_goals_and_actions_come_from_events,
    participants_are_removed_by_instance_and_start_only_once_holds,
);

/// The pipeline (server, delivery consumer, schedule) on the one-request-at-a-time store, a receiver of every
/// event, and a person.
async fn pipeline(backend: Backend, queue: &TestQueue) -> (Arc<TestServer>, Org, Receiver, u64) {
    let server = Arc::new(TestServer::start_pipeline_on(serial_store(backend).await, queue, |_| {}).await);
    let org = server.organization("Acme", "standard").await;
    let receiver = Receiver::start(|_, _| 200).await;
    // Created without `events`: every type, emailflow.step included.
    let hook = server.post("/v1/webhooks", &org.secret, json!({"url": receiver.url})).await;
    assert_eq!(hook.status, 201, "{:?}", hook.body);
    assert!(hook.body["events"].as_array().unwrap().iter().any(|e| e == "emailflow.step"), "{:?}", hook.body);
    receiver.trust(hook.body["secret"].as_str().unwrap());
    let person = server.post("/v1/users", &org.secret, json!({"email": "sam@acme.example.com", "name": "Sam"})).await;
    (server, org, receiver, person.body["id"].as_u64().expect("an id"))
}

async fn call(server: &TestServer, org: &Org, method: &str, body: Value) -> Reply {
    let reply = server.post(&agent(method), &org.secret, body).await;
    assert!(reply.status.is_success(), "{method}: {} {:?}", reply.status, reply.body);
    reply
}

async fn participants(server: &TestServer, org: &Org, flow: u64) -> Vec<Value> {
    let list = server.get(&format!("/v1/emailflows/{flow}/participants"), &org.secret).await;
    assert_eq!(list.status, 200, "{:?}", list.body);
    list.body["items"].as_array().expect("a list").clone()
}

fn steps_received(receiver: &Receiver) -> Vec<Value> {
    let mut seen = std::collections::BTreeMap::new();
    for r in receiver.received().into_iter().filter(|r| r.body["type"] == "emailflow.step") {
        seen.insert(r.id.clone(), r.body["data"].clone());
    }
    seen.into_values().collect()
}

fn later(seconds: i64) -> Timestamp {
    Timestamp::now().plus_seconds(seconds)
}

async fn a_participant_waits_then_its_steps_announce_themselves_once(backend: Backend) {
    // GIVEN a running flow that waits two days, sends an email, then runs a script; and a person
    let queue = TestQueue::new(backend, false).await;
    let (server, org, receiver, sam) = pipeline(backend, &queue).await;
    let flow = json!({"Name": "Welcome", "Status": "Running", "FromAddr": "hello@acme.example.com", "Steps": [
        {"StepType": "WaitForTime", "TimeWaitAlgorithm": "NumIntervals", "NumIntervals": 2, "IntervalType": "Days"},
        {"StepType": "SendEmail", "Subject": "Welcome aboard", "ShipmentId": 12},
        {"StepType": "RunScript", "ScriptId": 7}
    ]});
    let flow = call(&server, &org, "SaveEmailFlow", flow).await.body;
    let id = flow["EmailFlowId"].as_u64().unwrap();

    // WHEN the person is enrolled (twice, and a person the organization does not have), the schedule runs now,
    // then twice at once two days later
    let added =
        call(&server, &org, "TryAddPersonsToEmailFlow", json!({"emailFlowId": id, "personIds": [sam, sam, 999]})).await;
    scheduled_run(&server.state, Timestamp::now()).await.unwrap();
    let waiting = participants(&server, &org, id).await;
    let at = later(2 * 86_400 + 5);
    let (first, second) = tokio::join!(scheduled_run(&server.state, at), scheduled_run(&server.state, at));

    // THEN one enrolment; the participant waited at the first step until two days later
    assert_eq!(added.body, json!([true, false, false]));
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["status"], "active");
    assert_eq!(waiting[0]["atStepId"], flow["Steps"][0]["WorkflowStepId"]);
    let due = Timestamp::parse_iso8601(waiting[0]["dueAt"].as_str().unwrap()).unwrap();
    assert!((due.unix() - later(2 * 86_400).unix()).abs() < 60, "{due}");
    // AND the two overlapping runs moved it once: each step announced once, the message with what to send
    let moved = first.unwrap().participants.moved + second.unwrap().participants.moved;
    assert_eq!(moved, 1);
    let arrived = receiver.wait_until(Duration::from_secs(20), |_| steps_received(&receiver).len() >= 2).await;
    assert!(arrived, "{:?}", receiver.received());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let steps = steps_received(&receiver);
    assert_eq!(steps.len(), 2, "{steps:?}");
    let send = steps.iter().find(|s| s["action"] == "send").expect("the message");
    assert_eq!(send["step"]["StepType"], "SendEmail");
    assert_eq!(send["step"]["Subject"], "Welcome aboard");
    assert_eq!(send["person"]["email"], "sam@acme.example.com");
    assert_eq!(send["sender"]["fromAddr"], "hello@acme.example.com");
    assert_eq!(send["emailFlowId"], id);
    assert_eq!(send["workflowInstanceId"], waiting[0]["workflowInstanceId"]);
    let executed = steps.iter().find(|s| s["action"] == "executed").expect("the script");
    assert_eq!(executed["step"]["ScriptId"], 7);
    // AND the participant finished, having gone through the three steps
    let done = participants(&server, &org, id).await;
    assert_eq!(done[0]["status"], "finished");
    assert_eq!(done[0]["executed"].as_array().map(Vec::len), Some(3));
    assert_eq!(done[0]["dueAt"], Value::Null);
}

async fn pause_holds_everyone_and_stop_takes_nobody_new(backend: Backend) {
    // GIVEN a running flow that waits an hour, then texts; a participant waiting in it
    let queue = TestQueue::new(backend, false).await;
    let (server, org, receiver, sam) = pipeline(backend, &queue).await;
    let flow = json!({"Name": "Nudge", "Status": "Running", "Steps": [
        {"StepType": "WaitForTime", "TimeWaitAlgorithm": "NumIntervals", "NumIntervals": 1, "IntervalType": "Hours"},
        {"StepType": "SendSMS", "Text": "Hi"}
    ]});
    let id = call(&server, &org, "SaveEmailFlow", flow).await.body["EmailFlowId"].as_u64().unwrap();
    call(&server, &org, "TryAddPersonsToEmailFlow", json!({"emailFlowId": id, "personIds": [sam]})).await;
    scheduled_run(&server.state, Timestamp::now()).await.unwrap();

    // WHEN the flow is paused and the schedule runs two hours later
    call(&server, &org, "SetStatusOnWorkflow", json!({"emailFlowId": id, "status": "Paused"})).await;
    let held = scheduled_run(&server.state, later(7_200)).await.unwrap();
    let while_paused = participants(&server, &org, id).await;
    // AND it runs again, and the schedule runs
    call(&server, &org, "SetStatusOnWorkflow", json!({"emailFlowId": id, "status": "Running"})).await;
    let resumed = scheduled_run(&server.state, later(7_200)).await.unwrap();
    // AND it is stopped, and someone else is to join
    call(&server, &org, "SetStatusOnWorkflow", json!({"emailFlowId": id, "status": "Stopped"})).await;
    let kim = server.post("/v1/users", &org.secret, json!({"email": "kim@acme.example.com", "name": "Kim"})).await;
    let kim = kim.body["id"].as_u64().unwrap();
    let refused = call(&server, &org, "TryAddPersonsToEmailFlow", json!({"emailFlowId": id, "personIds": [kim]})).await;

    // THEN nothing moved while paused, the participant moved once it ran, and the stopped flow took nobody
    assert_eq!((held.participants.held, held.participants.steps), (1, 0), "{held:?}");
    assert_eq!(while_paused[0]["status"], "active");
    assert_eq!(while_paused[0]["executed"], json!([]));
    assert_eq!(resumed.participants.steps, 1);
    assert!(receiver.wait_until(Duration::from_secs(20), |_| steps_received(&receiver).len() == 1).await);
    assert_eq!(steps_received(&receiver)[0]["step"]["Text"], "Hi");
    assert_eq!(refused.body, json!([false]));
}

async fn triggers_goals_and_actions_come_from_events(backend: Backend) {
    // GIVEN two running flows that take persons as they are created: one waits for a link to be clicked, then
    // emails; the other waits a day, and ends at its goal (a form submitted)
    let queue = TestQueue::new(backend, false).await;
    let (server, org, receiver, _) = pipeline(backend, &queue).await;
    let clicks = json!({"Name": "Clicks", "Status": "Running", "Triggers": [{"TriggerType": "PersonCreated"}], "Steps": [
        {"StepType": "WaitForAction", "Actions": [{"ActionType": "LinkClicked"}]},
        {"StepType": "SendEmail", "Subject": "Thanks for clicking"}
    ]});
    let clicks = call(&server, &org, "SaveEmailFlow", clicks).await.body["EmailFlowId"].as_u64().unwrap();
    let goal = json!({"Name": "Forms", "Status": "Running", "JumpToFinish": true,
        "Triggers": [{"TriggerType": "PersonCreated"}], "Goals": [{"GoalType": "FormSubmitted"}],
        "Steps": [{"StepType": "WaitForTime", "TimeWaitAlgorithm": "NumIntervals", "NumIntervals": 1, "IntervalType": "Days"}]});
    let goal = call(&server, &org, "SaveEmailFlow", goal).await.body["EmailFlowId"].as_u64().unwrap();

    // WHEN a person is created, the schedule runs, and events say they clicked a link and submitted a form
    let lee = server.post("/v1/users", &org.secret, json!({"email": "lee@acme.example.com", "name": "Lee"})).await;
    let lee = lee.body["id"].as_u64().unwrap();
    scheduled_run(&server.state, Timestamp::now()).await.unwrap();
    let waiting = participants(&server, &org, clicks).await;
    let click = json!({"workflowEvent": {"eventType": "LinkClicked", "attributes": format!("personId={lee}")}});
    let clicked = call(&server, &org, "SendEvent", click).await;
    let form = json!({"WorkflowEvent": {"EventType": "FormSubmitted", "Attributes": lee.to_string()}});
    let submitted = call(&server, &org, "SendEvent", form).await;
    let nobody = server
        .post(
            &agent("SendEvent"),
            &org.secret,
            json!({"workflowEvent": {"eventType": "LinkClicked", "attributes": "personId=999"}}),
        )
        .await;

    // THEN the person was enrolled in both; the click moved them on at once, the form ended the other run
    assert_eq!(waiting[0]["personId"], lee);
    assert_eq!(waiting[0]["dueAt"], Value::Null, "a WaitForAction without timeout waits for the event only");
    assert_eq!(clicked.body["Attributes"], "enrolled=0;goals=0;actions=1");
    assert_eq!(submitted.body["Attributes"], "enrolled=0;goals=1;actions=0");
    assert_eq!(submitted.body["EventType"], "FormSubmitted");
    assert_eq!(participants(&server, &org, clicks).await[0]["status"], "finished");
    let ended = participants(&server, &org, goal).await;
    assert_eq!((ended[0]["status"].clone(), ended[0]["goalReached"].clone()), (json!("goalReached"), json!(true)));
    assert!(receiver.wait_until(Duration::from_secs(20), |_| steps_received(&receiver).len() == 1).await);
    assert_eq!(steps_received(&receiver)[0]["step"]["Subject"], "Thanks for clicking");
    // AND an event about a person the organization does not have is a 404
    assert_eq!(nobody.status, 404);
}

async fn participants_are_removed_by_instance_and_start_only_once_holds(backend: Backend) {
    // GIVEN two running flows with one step, one that starts only once and one that does not; a participant in each
    let queue = TestQueue::new(backend, false).await;
    let (server, org, _receiver, sam) = pipeline(backend, &queue).await;
    let mut ids = Vec::new();
    for once in [true, false] {
        let flow = json!({"Name": format!("Once {once}"), "Status": "Running", "StartOnlyOnce": once,
            "Steps": [{"StepType": "WaitForTime", "TimeWaitAlgorithm": "NumIntervals", "NumIntervals": 1, "IntervalType": "Weeks"}]});
        let id = call(&server, &org, "SaveEmailFlow", flow).await.body["EmailFlowId"].as_u64().unwrap();
        call(&server, &org, "TryAddPersonsToEmailFlow", json!({"emailFlowId": id, "personIds": [sam]})).await;
        ids.push(id);
    }

    // WHEN each participant is removed by its instance id, and the person is to join each again
    let mut again = Vec::new();
    for id in &ids {
        let instance = participants(&server, &org, *id).await[0]["workflowInstanceId"].clone();
        let removed = server
            .post(
                &agent("RemoveParticipantsFromEmailFlow"),
                &org.secret,
                json!({"emailFlowId": id, "workflowInstanceIds": [instance]}),
            )
            .await;
        assert_eq!(removed.status, 204, "{:?}", removed.body);
        assert_eq!(participants(&server, &org, *id).await[0]["status"], "removed");
        again.push(
            call(&server, &org, "TryAddPersonsToEmailFlow", json!({"emailFlowId": id, "personIds": [sam]})).await.body,
        );
    }

    // THEN the flow that starts only once refuses them, the other takes them again under a new instance id
    assert_eq!(again, [json!([false]), json!([true])]);
    let rejoined = participants(&server, &org, ids[1]).await;
    assert_eq!(rejoined[0]["status"], "active");
    // AND it finishes a week after the schedule first ran it
    scheduled_run(&server.state, Timestamp::now()).await.unwrap();
    scheduled_run(&server.state, later(7 * 86_400 + 60)).await.unwrap();
    assert_eq!(participants(&server, &org, ids[1]).await[0]["status"], "finished");
}
