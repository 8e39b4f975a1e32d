//! Frigade's flow states (seed 003) over HTTP: the answer's shape, each action's effect, the public/secret key
//! difference, visibility, bad input that changes nothing, content changes, resets, and the assignment lifecycle
//! the progress drives (events announced once, also under concurrent completions).

use std::sync::Arc;
use std::time::Duration;

use flows_testkit::backends::{serial_store, TestQueue};
use flows_testkit::receiver::Receiver;
use flows_testkit::{Backend, Org, Reply, TestServer};
use serde_json::{json, Value};

crate::on_both_backends!(
    a_refresh_answers_every_visible_flow_as_the_seed_shapes_it_and_makes_no_user,
    completing_steps_moves_the_current_step_and_the_rule_completes_the_flow,
    flow_responses_are_shown_to_a_secret_key_only,
    sequential_steps_are_blocked_until_the_ones_before_are_done,
    bad_actions_are_4xx_and_change_nothing,
    invitation_only_flows_are_hidden_and_disabled_ones_ineligible,
    content_is_read_and_changed_by_slug_or_id_and_progress_keeps_its_steps,
    a_reset_forgets_the_users_progress,
    progress_starts_then_completes_the_assignment_announcing_each_once,
    concurrent_completions_announce_once_and_both_actions_count,
    sessions_keep_properties_groups_and_events_and_never_identities,
    a_user_frigade_brought_in_can_be_given_an_email_and_assigned,
    a_member_reads_a_flows_content_only_while_they_may_see_it,
);

const STATES: &str = "/v1/public/flowStates";

/// An organization with the five-step "Customer Onboarding" flow open to the whole organization.
async fn open_flow(server: &TestServer) -> (Org, String) {
    let (org, flow) = server.ready_to_assign("Acme").await;
    let opened = server
        .send(
            "PUT",
            &format!("/v1/flows/{flow}"),
            Some(&org.secret),
            Some(&json!({"access_mode": "organization"})),
            &[],
        )
        .await;
    assert_eq!(opened.status, 200, "{:?}", opened.body);
    (org, flow)
}

async fn act(server: &TestServer, key: &str, user: &str, action: &str, step: Option<&str>) -> Reply {
    let mut body = json!({"userId": user, "flowSlug": "customer-onboarding", "actionType": action,
        "createdAt": "2024-01-01T00:00:00.000Z", "context": {"registeredCollectionIds": []}});
    if let Some(step) = step {
        body["stepId"] = json!(step);
    }
    server.post(STATES, key, body).await
}

/// The flow `slug` in an answer's `eligibleFlows`.
fn flow<'a>(reply: &'a Reply, slug: &str) -> &'a Value {
    reply.body["eligibleFlows"].as_array().unwrap().iter().find(|f| f["flowSlug"] == slug).expect("the flow")
}

fn step<'a>(flow: &'a Value, id: &str) -> &'a Value {
    flow["data"]["steps"].as_array().unwrap().iter().find(|s| s["id"] == id).expect("the step")
}

async fn a_refresh_answers_every_visible_flow_as_the_seed_shapes_it_and_makes_no_user(backend: Backend) {
    // GIVEN an organization-mode flow
    let server = TestServer::start(backend).await;
    let (org, _) = open_flow(&server).await;

    // WHEN a visitor refreshes as the SDK does (no action), and reads with GET
    let refreshed = server.post(STATES, &org.public, json!({"userId": "guest_3f2c", "context": {}})).await;
    let read = server.get("/v1/public/flowStates?userId=guest_3f2c", &org.public).await;

    // THEN both answer the flow with its steps, every boolean present, the index -1 before the start
    assert_eq!(refreshed.status, 200, "{:?}", refreshed.body);
    assert_eq!(refreshed.body, read.body);
    let f = flow(&refreshed, "customer-onboarding");
    assert_eq!(
        (f["flowName"].as_str(), f["flowType"].as_str(), f["data"]["type"].as_str()),
        (Some("Customer Onboarding"), Some("CHECKLIST"), Some("CHECKLIST"))
    );
    assert_eq!(f["version"], 1);
    assert_eq!(f["$state"]["currentStepId"], "welcome");
    assert_eq!(f["$state"]["currentStepIndex"], -1);
    for name in ["completed", "started", "skipped"] {
        assert_eq!(f["$state"][name], false, "{name}");
    }
    assert_eq!(f["$state"]["visible"], true);
    assert_eq!(f["data"]["steps"].as_array().unwrap().len(), 5);
    let first = step(f, "welcome");
    assert_eq!(first["title"], "Welcome");
    for (name, value) in
        [("completed", false), ("skipped", false), ("started", false), ("visible", true), ("blocked", false)]
    {
        assert_eq!(first["$state"][name], value, "{name}");
    }
    assert!(f["$state"].get("flowResponses").is_none(), "a public key sees no history");
    assert_eq!(refreshed.body["ineligibleFlows"], json!([]));
    // AND nobody was made a user by reading
    let users = server.get("/v1/users", &org.secret).await;
    assert!(users.body["items"].as_array().unwrap().iter().all(|u| u["externalId"] != "guest_3f2c"));
}

async fn completing_steps_moves_the_current_step_and_the_rule_completes_the_flow(backend: Backend) {
    // GIVEN the flow with the LAST_STEP rule
    let server = TestServer::start(backend).await;
    let (org, flow_id) = open_flow(&server).await;
    let rule = json!({"completionRule": "LAST_STEP"});
    assert_eq!(
        server.send("PUT", &format!("/v1/flows/{flow_id}"), Some(&org.secret), Some(&rule), &[]).await.status,
        200
    );

    // WHEN a user completes the first step
    let done = act(&server, &org.public, "u-1", "COMPLETED_STEP", Some("welcome")).await;

    // THEN the step is completed and started, the flow started, and the current step the next one
    assert_eq!(done.status, 200, "{:?}", done.body);
    let f = flow(&done, "customer-onboarding");
    assert_eq!(
        (step(f, "welcome")["$state"]["completed"].as_bool(), step(f, "welcome")["$state"]["started"].as_bool()),
        (Some(true), Some(true))
    );
    assert_eq!(
        (f["$state"]["currentStepId"].as_str(), f["$state"]["currentStepIndex"].as_i64()),
        (Some("accounts"), Some(1))
    );
    assert_eq!((f["$state"]["started"].as_bool(), f["$state"]["completed"].as_bool()), (Some(true), Some(false)));
    assert!(f["$state"]["lastActionAt"].is_string());

    // WHEN the last step is skipped (the rule counts it), then the SDK's COMPLETED_FLOW follows
    let skipped = act(&server, &org.public, "u-1", "SKIPPED_STEP", Some("quiz")).await;
    let f = flow(&skipped, "customer-onboarding");
    assert_eq!((f["$state"]["completed"].as_bool(), f["$state"]["visible"].as_bool()), (Some(true), Some(false)));
    let again = act(&server, &org.public, "u-1", "COMPLETED_FLOW", None).await;
    assert_eq!(again.status, 200, "a completed flow completed again answers its state");
    assert_eq!(flow(&again, "customer-onboarding")["$state"]["completed"], true);

    // WHEN the flow is reset
    let reset = act(&server, &org.public, "u-1", "NOT_STARTED_FLOW", None).await;
    let f = flow(&reset, "customer-onboarding");
    assert_eq!(
        (
            f["$state"]["completed"].as_bool(),
            f["$state"]["started"].as_bool(),
            f["$state"]["currentStepIndex"].as_i64()
        ),
        (Some(false), Some(false), Some(-1))
    );
    assert_eq!(step(f, "welcome")["$state"]["completed"], false);
}

async fn flow_responses_are_shown_to_a_secret_key_only(backend: Backend) {
    // GIVEN a user's action with data
    let server = TestServer::start(backend).await;
    let (org, _) = open_flow(&server).await;
    let body = json!({"userId": "u-2", "flowSlug": "customer-onboarding", "stepId": "welcome", "actionType": "STARTED_STEP", "data": {"action": "click"}});
    assert_eq!(server.post(STATES, &org.public, body).await.status, 200);

    // WHEN the secret key reads the state, and the public key
    let secret = server.get("/v1/public/flowStates?userId=u-2", &org.secret).await;
    let public = server.get("/v1/public/flowStates?userId=u-2", &org.public).await;

    // THEN the secret key sees the history, on the flow and on its step, with data as a JSON string
    let f = flow(&secret, "customer-onboarding");
    let history = f["$state"]["flowResponses"].as_array().expect("the history");
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["actionType"], "STARTED_STEP");
    assert_eq!(history[0]["stepId"], "welcome");
    assert_eq!(history[0]["flowSlug"], "customer-onboarding");
    assert_eq!(
        serde_json::from_str::<Value>(history[0]["data"].as_str().unwrap()).unwrap(),
        json!({"action": "click"})
    );
    assert!(history[0]["createdAt"].is_string());
    assert_eq!(step(f, "welcome")["$state"]["flowResponses"].as_array().unwrap().len(), 1);
    assert_eq!(step(f, "accounts")["$state"]["flowResponses"], json!([]));
    // AND the public key the same state without it
    let p = flow(&public, "customer-onboarding");
    assert!(p["$state"].get("flowResponses").is_none() && step(p, "welcome")["$state"].get("flowResponses").is_none());
    assert_eq!(p["$state"]["currentStepId"], f["$state"]["currentStepId"]);
}

async fn sequential_steps_are_blocked_until_the_ones_before_are_done(backend: Backend) {
    // GIVEN a sequential flow
    let server = TestServer::start(backend).await;
    let (org, flow_id) = open_flow(&server).await;
    let sequential = json!({"sequential": true});
    assert_eq!(
        server.send("PUT", &format!("/v1/flows/{flow_id}"), Some(&org.secret), Some(&sequential), &[]).await.status,
        200
    );

    // WHEN a user tries the second step first, then completes the first
    let early = act(&server, &org.public, "u-3", "COMPLETED_STEP", Some("accounts")).await;
    let first = act(&server, &org.public, "u-3", "COMPLETED_STEP", Some("welcome")).await;

    // THEN the early one is a 409 that changed nothing, and after the first the second is open, the third blocked
    assert_eq!(early.status, 409, "{:?}", early.body);
    assert_eq!(early.body["error"], "conflict");
    let f = flow(&first, "customer-onboarding");
    assert_eq!(step(f, "accounts")["$state"]["blocked"], false);
    assert_eq!(step(f, "tools")["$state"]["blocked"], true);
    assert_eq!(step(f, "accounts")["$state"]["completed"], false);
    let secret = server.get("/v1/public/flowStates?userId=u-3", &org.secret).await;
    assert_eq!(flow(&secret, "customer-onboarding")["$state"]["flowResponses"].as_array().unwrap().len(), 1);
}

async fn bad_actions_are_4xx_and_change_nothing(backend: Backend) {
    // GIVEN a user with one action taken
    let server = TestServer::start(backend).await;
    let (org, _) = open_flow(&server).await;
    assert_eq!(act(&server, &org.public, "u-4", "STARTED_FLOW", None).await.status, 200);
    let before = server.get("/v1/public/flowStates?userId=u-4", &org.secret).await;
    let users_before = server.get("/v1/users", &org.secret).await.body;

    // WHEN bad actions come, for this user and for an unknown one
    let cases = [
        (json!({"userId": "u-4", "flowSlug": "nope", "actionType": "STARTED_FLOW"}), 404, None),
        (
            json!({"userId": "u-4", "flowSlug": "customer-onboarding", "stepId": "nope", "actionType": "STARTED_STEP"}),
            400,
            Some("stepId"),
        ),
        (
            json!({"userId": "u-4", "flowSlug": "customer-onboarding", "actionType": "COMPLETED_STEP"}),
            400,
            Some("stepId"),
        ),
        (
            json!({"userId": "u-4", "flowSlug": "customer-onboarding", "actionType": "FINISHED"}),
            400,
            Some("actionType"),
        ),
        (json!({"userId": "u-4", "actionType": "STARTED_FLOW"}), 400, Some("flowSlug")),
        (json!({"userId": "u-4", "flowSlug": "customer-onboarding"}), 400, Some("actionType")),
        (json!({"flowSlug": "customer-onboarding", "actionType": "STARTED_FLOW"}), 400, Some("userId")),
        (
            json!({"userId": "u-4", "flowSlug": "customer-onboarding", "actionType": "STARTED_FLOW", "data": "x".repeat(5000)}),
            400,
            Some("data"),
        ),
        (json!({"userId": "someone-new", "flowSlug": "nope", "actionType": "STARTED_FLOW"}), 404, None),
        (
            json!({"userId": "someone-new", "flowSlug": "customer-onboarding", "stepId": "nope", "actionType": "STARTED_STEP"}),
            400,
            Some("stepId"),
        ),
    ];
    for (body, status, field) in cases {
        let reply = server.post(STATES, &org.public, body.clone()).await;

        // THEN each is its 4xx in the project's format, naming the field
        assert_eq!(reply.status.as_u16(), status, "{body}: {:?}", reply.body);
        assert!(reply.body["error"].is_string() && reply.body["message"].is_string(), "{:?}", reply.body);
        if let Some(field) = field {
            assert!(reply.body["errors"][field].is_array(), "{body}: {:?}", reply.body);
        }
    }
    // AND a read with a bad userId or groupId is a 400 too
    for query in ["", "?userId=", "?userId=u-4&groupId=", &format!("?userId={}", "x".repeat(256))] {
        let reply = server.get(&format!("/v1/public/flowStates{query}"), &org.public).await;
        assert_eq!(reply.status, 400, "{query}: {:?}", reply.body);
    }
    // AND nothing changed: the state, and no user was made for a refused action
    assert_eq!(server.get("/v1/public/flowStates?userId=u-4", &org.secret).await.body, before.body);
    assert_eq!(server.get("/v1/users", &org.secret).await.body, users_before);
}

async fn invitation_only_flows_are_hidden_and_disabled_ones_ineligible(backend: Backend) {
    // GIVEN an invitation-only flow, a disabled organization-mode flow, and a user who is a member of neither
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;
    let made = server
        .post(
            &format!("/flows/{}", org.slug),
            &org.secret,
            json!({"name": "Tour", "flowSlug": "tour_v2", "access_mode": "organization", "flowType": "TOUR"}),
        )
        .await;
    assert_eq!(made.status, 201, "{:?}", made.body);
    let off = json!({"disabled": true});
    assert_eq!(server.send("PUT", "/v1/flows/tour_v2", Some(&org.secret), Some(&off), &[]).await.status, 200);

    // WHEN the user reads their states and the flows, and acts on each
    let states = server.get("/v1/public/flowStates?userId=u-5", &org.public).await;
    let flows = server.get("/v1/public/flows?userId=u-5", &org.public).await;
    let hidden = act(&server, &org.public, "u-5", "STARTED_FLOW", None).await;
    let disabled = server
        .post(STATES, &org.public, json!({"userId": "u-5", "flowSlug": "tour_v2", "actionType": "STARTED_FLOW"}))
        .await;

    // THEN the invitation-only flow is nowhere (a 404 to act on), the disabled one ineligible (a 409)
    assert_eq!(states.body["eligibleFlows"], json!([]));
    assert_eq!(states.body["ineligibleFlows"], json!(["tour_v2"]));
    let listed: Vec<&str> =
        flows.body["data"].as_array().unwrap().iter().map(|f| f["flowSlug"].as_str().unwrap()).collect();
    assert_eq!(listed, vec!["tour_v2"]);
    assert!(!flows.body.to_string().contains(&flow_id));
    assert_eq!(hidden.status, 404, "{:?}", hidden.body);
    assert_eq!(disabled.status, 409, "{:?}", disabled.body);
}

async fn content_is_read_and_changed_by_slug_or_id_and_progress_keeps_its_steps(backend: Backend) {
    // GIVEN a user who completed two steps
    let server = TestServer::start(backend).await;
    let (org, flow_id) = open_flow(&server).await;
    act(&server, &org.public, "u-6", "COMPLETED_STEP", Some("welcome")).await;
    act(&server, &org.public, "u-6", "COMPLETED_STEP", Some("accounts")).await;

    // WHEN the content is read by slug and by id, then the steps change (one gone, one new) and the slug too
    let by_slug = server.get("/v1/flows/customer-onboarding", &org.secret).await;
    let by_id = server.get(&format!("/v1/flows/{flow_id}"), &org.secret).await;
    let steps = json!({"flowSlug": "onboarding_2025", "steps": [
        {"id": "welcome", "title": "Welcome"}, {"id": "new", "title": "New", "subtitle": "Fresh"}, {"id": "quiz", "title": "Quiz"}]});
    let changed = server.send("PUT", "/v1/flows/customer-onboarding", Some(&org.secret), Some(&steps), &[]).await;
    let unchanged = server
        .send(
            "PUT",
            &format!("/v1/flows/{flow_id}"),
            Some(&org.secret),
            Some(&json!({"name": "Customer Onboarding"})),
            &[],
        )
        .await;

    // THEN both reads are the flow; the change bumps the version and moves the slug; a no-op keeps the version
    assert_eq!(by_slug.status, 200, "{:?}", by_slug.body);
    assert_eq!(by_slug.body, by_id.body);
    assert_eq!((by_slug.body["id"].as_str(), by_slug.body["version"].as_u64()), (Some(flow_id.as_str()), Some(1)));
    assert_eq!(changed.status, 200, "{:?}", changed.body);
    assert_eq!(
        (changed.body["version"].as_u64(), changed.body["flowSlug"].as_str()),
        (Some(2), Some("onboarding_2025"))
    );
    assert_eq!(changed.body["data"]["steps"][1]["subtitle"], "Fresh");
    assert_eq!(unchanged.body["version"], 2);
    assert_eq!(server.get("/v1/flows/customer-onboarding", &org.secret).await.status, 404);
    // AND the user's progress keeps the step that still exists; the new one is not started; the gone one is gone
    let states = server.get("/v1/public/flowStates?userId=u-6", &org.public).await;
    let f = flow(&states, "onboarding_2025");
    assert_eq!(f["version"], 2);
    assert_eq!(step(f, "welcome")["$state"]["completed"], true);
    assert_eq!(step(f, "new")["$state"]["started"], false);
    assert_eq!(f["data"]["steps"].as_array().unwrap().len(), 3);
    assert_eq!(f["$state"]["currentStepId"], "new");
    // AND a slug another flow has is a 409
    let other = server
        .post(&format!("/flows/{}", org.slug), &org.secret, json!({"name": "Other", "flowSlug": "other_flow"}))
        .await;
    assert_eq!(other.status, 201, "{:?}", other.body);
    let clash = server
        .send("PUT", "/v1/flows/other_flow", Some(&org.secret), Some(&json!({"flowSlug": "onboarding_2025"})), &[])
        .await;
    assert_eq!(clash.status, 409, "{:?}", clash.body);
    let twice = server
        .post(&format!("/flows/{}", org.slug), &org.secret, json!({"name": "Again", "flowSlug": "other_flow"}))
        .await;
    assert_eq!(twice.status, 409, "{:?}", twice.body);
}

async fn a_reset_forgets_the_users_progress(backend: Backend) {
    // GIVEN a user with progress
    let server = TestServer::start(backend).await;
    let (org, flow_id) = open_flow(&server).await;
    act(&server, &org.public, "u-7", "COMPLETED_STEP", Some("welcome")).await;

    // WHEN the admin resets it (by the flow's id), and asks for a user nobody has
    let reset = server.send("DELETE", &format!("/v1/userFlowStates/{flow_id}/u-7"), Some(&org.secret), None, &[]).await;
    let nobody =
        server.send("DELETE", "/v1/userFlowStates/customer-onboarding/nobody", Some(&org.secret), None, &[]).await;
    let public =
        server.send("DELETE", "/v1/userFlowStates/customer-onboarding/u-7", Some(&org.public), None, &[]).await;

    // THEN the user starts afresh, history gone; an unknown user is a 404; a public key is refused
    assert_eq!(reset.status, 204, "{:?}", reset.body);
    let states = server.get("/v1/public/flowStates?userId=u-7", &org.secret).await;
    let f = flow(&states, "customer-onboarding");
    assert_eq!(
        (f["$state"]["started"].as_bool(), f["$state"]["flowResponses"].as_array().map(Vec::len)),
        (Some(false), Some(0))
    );
    assert_eq!(nobody.status, 404);
    assert_eq!(public.status, 403);
}

/// The pipeline with a receiver of every event; the organization's flow open to all, and a user with an external
/// id who has the flow assigned.
async fn assigned_pipeline(backend: Backend, queue: &TestQueue) -> (Arc<TestServer>, Org, Receiver, String) {
    let server = Arc::new(TestServer::start_pipeline_on(serial_store(backend).await, queue, |_| {}).await);
    let (org, flow) = open_flow(&server).await;
    let receiver = Receiver::start(|_, _| 200).await;
    let hook = server.post("/v1/webhooks", &org.secret, json!({"url": receiver.url})).await;
    receiver.trust(hook.body["secret"].as_str().unwrap());
    let person = json!({"email": "fri@company.com", "name": "Fri", "externalId": "crm-42"});
    assert_eq!(server.post("/v1/users", &org.secret, person).await.status, 201);
    let assigned =
        server.post("/v1/flows/assign", &org.secret, json!({"flowId": flow, "userEmail": "fri@company.com"})).await;
    assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    (server, org, receiver, assigned.body["assignmentId"].as_str().unwrap().to_owned())
}

fn count(receiver: &Receiver, kind: &str) -> usize {
    let ids: std::collections::HashSet<String> =
        receiver.received().iter().filter(|r| r.body["type"] == kind).map(|r| r.id.clone()).collect();
    ids.len()
}

async fn progress_starts_then_completes_the_assignment_announcing_each_once(backend: Backend) {
    // GIVEN an assigned flow
    let queue = TestQueue::new(backend, false).await;
    let (server, org, receiver, assignment) = assigned_pipeline(backend, &queue).await;

    // WHEN the person starts a step twice, then completes every step, then completes the flow again
    act(&server, &org.public, "crm-42", "STARTED_STEP", Some("welcome")).await;
    act(&server, &org.public, "crm-42", "STARTED_STEP", Some("welcome")).await;
    let started = server.get(&format!("/v1/assignments/{assignment}"), &org.secret).await;
    for s in ["welcome", "accounts", "tools", "team", "quiz"] {
        assert_eq!(act(&server, &org.public, "crm-42", "COMPLETED_STEP", Some(s)).await.status, 200);
    }
    act(&server, &org.public, "crm-42", "COMPLETED_FLOW", None).await;
    let completed = server.get(&format!("/v1/assignments/{assignment}"), &org.secret).await;

    // THEN the assignment went started, then completed, and each event came once, about this assignment
    assert_eq!(started.body["status"], "started", "{:?}", started.body);
    assert_eq!(completed.body["status"], "completed", "{:?}", completed.body);
    let all_in = receiver.wait_until(Duration::from_secs(20), |_| count(&receiver, "flow.completed") == 1).await;
    assert!(all_in, "{:?}", receiver.received());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(count(&receiver, "flow.started"), 1);
    assert_eq!(count(&receiver, "flow.completed"), 1);
    let done = receiver.received().into_iter().find(|r| r.body["type"] == "flow.completed").unwrap();
    assert_eq!(done.body["data"]["assignmentId"], assignment.as_str());
    assert_eq!(done.body["data"]["status"], "completed");
    // AND the flow may be assigned to the person again (the open lock is released)
    let flow_id = server.get("/v1/flows/customer-onboarding", &org.secret).await.body["id"].clone();
    let again =
        server.post("/v1/flows/assign", &org.secret, json!({"flowId": flow_id, "userEmail": "fri@company.com"})).await;
    assert_eq!(again.status, 200, "{:?}", again.body);
}

async fn concurrent_completions_announce_once_and_both_actions_count(backend: Backend) {
    // GIVEN an assigned flow
    let queue = TestQueue::new(backend, false).await;
    let (server, org, receiver, assignment) = assigned_pipeline(backend, &queue).await;

    // WHEN eight actions come at once: COMPLETED_FLOW four times and four different steps completed
    let mut tasks = tokio::task::JoinSet::new();
    for (i, s) in ["welcome", "accounts", "tools", "team"].into_iter().enumerate() {
        for action in ["COMPLETED_FLOW", "COMPLETED_STEP"] {
            let (server, key) = (server.clone(), org.public.clone());
            let step = (action == "COMPLETED_STEP").then_some(s);
            tasks.spawn(async move { (i, act(&server, &key, "crm-42", action, step).await) });
        }
    }
    while let Some(done) = tasks.join_next().await {
        let (_, reply) = done.unwrap();
        assert_eq!(reply.status, 200, "{:?}", reply.body);
    }

    // THEN every action counted (the four steps are completed), and flow.started and flow.completed came once each
    let states = server.get("/v1/public/flowStates?userId=crm-42", &org.secret).await;
    let f = flow(&states, "customer-onboarding");
    for s in ["welcome", "accounts", "tools", "team"] {
        assert_eq!(step(f, s)["$state"]["completed"], true, "{s}");
    }
    assert_eq!(f["$state"]["flowResponses"].as_array().unwrap().len(), 8);
    let completed = server.get(&format!("/v1/assignments/{assignment}"), &org.secret).await;
    assert_eq!(completed.body["status"], "completed");
    assert!(receiver.wait_until(Duration::from_secs(20), |_| count(&receiver, "flow.completed") >= 1).await);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(count(&receiver, "flow.started"), 1);
    assert_eq!(count(&receiver, "flow.completed"), 1);
}

async fn sessions_keep_properties_groups_and_events_and_never_identities(backend: Backend) {
    // GIVEN a user with an email and an external id
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let person = json!({"email": "ann@acme.example", "name": "Ann", "externalId": "crm-1"});
    let made = server.post("/v1/users", &org.secret, person).await;
    let id = made.body["id"].as_u64().unwrap();

    // WHEN the SDK's identify, group and track arrive, one trying to change the email and name
    let sessions = [
        json!({"userId": "crm-1", "userProperties": {"email": "evil@x.example", "name": "Mallory", "plan": "pro"}}),
        json!({"userId": "crm-1", "groupId": "team-1", "groupProperties": {"seats": 5}}),
        json!({"userId": "crm-1", "groupId": "team-1", "groupEvents": [{"event": "upgraded", "properties": {}}],
            "userEvents": [{"event": "clicked", "properties": {"x": 1}}]}),
        json!({"userId": "guest_9a1b", "userEvents": [{"event": "landed"}]}),
    ];
    for body in sessions {
        let reply = server.post("/v1/public/sessions", &org.public, body.clone()).await;
        assert_eq!(reply.status, 202, "{body}: {:?}", reply.body);
        assert_eq!(reply.body, Value::Null, "no body");
    }

    // THEN the profile keeps them, newest event first, read by our id (an external id names nobody there)
    let by_id = server.get(&format!("/v1/users/{id}/events"), &org.secret).await;
    assert_eq!(by_id.status, 200, "{:?}", by_id.body);
    assert_eq!(server.get("/v1/users/crm-1/events", &org.secret).await.status, 404);
    let p = &by_id.body;
    assert_eq!(p["properties"], json!({"email": "evil@x.example", "name": "Mallory", "plan": "pro"}));
    assert_eq!(p["groups"][0]["groupId"], "team-1");
    assert_eq!(p["groups"][0]["properties"], json!({"seats": 5}));
    let events: Vec<&str> = p["events"].as_array().unwrap().iter().map(|e| e["event"].as_str().unwrap()).collect();
    assert_eq!(events, vec!["upgraded", "clicked"]);
    assert_eq!(p["events"][0]["groupId"], "team-1");
    assert!(p["events"][0]["at"].is_string());
    // AND the user's identity is untouched; the guest became a user of their own
    let users = server.get("/v1/users", &org.secret).await.body;
    let ann = users["items"].as_array().unwrap().iter().find(|u| u["id"] == id).unwrap();
    assert_eq!((ann["email"].as_str(), ann["name"].as_str()), (Some("ann@acme.example"), Some("Ann")));
    let guest = server.get("/v1/users?externalId=guest_9a1b", &org.secret).await.body["items"][0]["id"].clone();
    let guest_events = server.get(&format!("/v1/users/{guest}/events"), &org.secret).await;
    assert_eq!(guest_events.body["events"][0]["event"], "landed");
    // AND bad sessions are 400s that make nobody; a public key cannot read profiles
    for body in [
        json!({"userEvents": []}),
        json!({"userId": "new-1", "groupProperties": {"a": 1}}),
        json!({"userId": "new-1", "userProperties": "x"}),
        json!({"userId": "new-1", "userEvents": [{"properties": {}}]}),
        json!({"userId": "new-1", "userProperties": {"big": "x".repeat(5000)}}),
    ] {
        let reply = server.post("/v1/public/sessions", &org.public, body.clone()).await;
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
    }
    assert_eq!(server.get("/v1/users/new-1/events", &org.secret).await.status, 404);
    assert_eq!(server.get("/v1/users/crm-1/events", &org.public).await.status, 403);
}

async fn a_user_frigade_brought_in_can_be_given_an_email_and_assigned(backend: Backend) {
    // GIVEN a person known only by their Frigade userId
    let server = TestServer::start(backend).await;
    let (org, flow_id) = open_flow(&server).await;
    assert_eq!(act(&server, &org.public, "crm-77", "STARTED_STEP", Some("welcome")).await.status, 200);
    let users = server.get("/v1/users", &org.secret).await.body;
    let guest =
        users["items"].as_array().unwrap().iter().find(|u| u["externalId"] == "crm-77").expect("the user").clone();
    assert_eq!(guest["email"], Value::Null);
    let path = format!("/v1/users/{}", guest["id"]);

    // WHEN an admin gives them an email (another person's first, then a bad one, then their own)
    let taken =
        server.send("PATCH", &path, Some(&org.secret), Some(&json!({"email": "EMPLOYEE@company.com"})), &[]).await;
    let bad = server.send("PATCH", &path, Some(&org.secret), Some(&json!({"email": "not an email"})), &[]).await;
    let given = server
        .send("PATCH", &path, Some(&org.secret), Some(&json!({"email": "crm77@company.com", "name": "Cee"})), &[])
        .await;
    let nobody = server.send("PATCH", "/v1/users/999999", Some(&org.secret), Some(&json!({"nick": "x"})), &[]).await;

    // THEN the taken one is a 409 and the bad one a 400, changing nothing; their own is kept with the name
    assert_eq!(taken.status, 409, "{:?}", taken.body);
    assert_eq!(bad.status, 400, "{:?}", bad.body);
    assert_eq!(given.status, 200, "{:?}", given.body);
    assert_eq!((given.body["email"].as_str(), given.body["name"].as_str()), (Some("crm77@company.com"), Some("Cee")));
    assert_eq!(nobody.status, 404);
    // AND MomoFlow can assign them by that email, and their progress so far moves the assignment on their next action
    let assigned = server
        .post("/v1/flows/assign", &org.secret, json!({"flowId": flow_id, "userEmail": "crm77@company.com"}))
        .await;
    assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    act(&server, &org.public, "crm-77", "COMPLETED_STEP", Some("welcome")).await;
    let id = assigned.body["assignmentId"].as_str().unwrap();
    assert_eq!(server.get(&format!("/v1/assignments/{id}"), &org.secret).await.body["status"], "started");
}

async fn a_member_reads_a_flows_content_only_while_they_may_see_it(backend: Backend) {
    // GIVEN an organization-mode flow and a member with a key of their own
    let server = TestServer::start(backend).await;
    let (org, flow_id) = open_flow(&server).await;
    let member = server.post("/v1/users", &org.secret, json!({"email": "mo@company.com", "name": "Mo"})).await;
    let member_id = member.body["id"].as_u64().unwrap();
    let key = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": member_id})).await;
    let member_key = key.body["key"].as_str().unwrap().to_owned();
    let path = format!("/v1/flows/{flow_id}");
    assert_eq!(server.get(&path, &member_key).await.status, 200);

    // WHEN an admin blocks them from the flow (Flowdock's block), and the member reads it again, and changes it
    let block = format!("/flows/{}/customer-onboarding/users/{member_id}", org.slug);
    let blocked = server.send("PUT", &block, Some(&org.secret), Some(&json!({"disabled": true})), &[]).await;
    assert_eq!(blocked.status, 200, "{:?}", blocked.body);
    let read = server.get(&path, &member_key).await;
    let change = server.send("PUT", &path, Some(&member_key), Some(&json!({"sequential": true})), &[]).await;

    // THEN the flow is a 404 to them, as every Flowdock route answers a flow one may not see; the admin still reads it
    assert_eq!(read.status, 404, "{:?}", read.body);
    assert_eq!(change.status, 404, "{:?}", change.body);
    assert_eq!(server.get(&path, &org.secret).await.status, 200);
}
