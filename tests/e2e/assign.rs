//! `POST /v1/flows/assign` and `GET /v1/assignments/{id}` against seed 000.

use flows_testkit::{Backend, Org, Reply, TestServer};
use serde_json::json;

crate::on_both_backends!(
    assign_answers_with_the_seed_body,
    a_missing_or_unknown_key_is_the_seeds_401,
    an_unknown_flow_is_a_404_with_the_seeds_body,
    an_unknown_user_is_a_404_with_the_seeds_body,
    an_unknown_assignment_is_a_404,
    one_open_assignment_per_user_and_flow,
    bad_assign_fields_are_a_400_naming_each_field_and_write_nothing,
    a_missing_flow_and_email_are_each_required_and_write_nothing,
    malformed_json_is_a_400_and_writes_nothing,
    a_body_that_is_not_json_is_a_415_and_writes_nothing,
    a_body_over_the_size_limit_is_a_413_and_writes_nothing,
    a_past_due_date_is_accepted,
    rate_limit_is_per_organization_with_the_real_wait,
    idempotency_key_replays_the_first_response,
    an_idempotency_key_reused_with_another_body_is_a_422,
    a_hundred_and_one_assigns_in_a_window_give_exactly_one_429,
);

async fn assign_answers_with_the_seed_body(backend: Backend) {
    // GIVEN an organization with a user and a five-step flow of two hours
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;

    // WHEN the seed's example request is sent
    let reply = server
        .send(
            "POST",
            "/v1/flows/assign",
            Some(&org.secret),
            Some(&json!({
                "flowId": flow_id,
                "userEmail": "employee@company.com",
                "dueDate": "2030-11-25T23:59:59Z",
                "priority": "high",
                "notes": "Please complete this onboarding flow before the team meeting"
            })),
            &[("X-Request-ID", "req_unique_id")],
        )
        .await;

    // THEN it answers 200 with the seed's fields, and echoes the request id
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    assert_eq!(reply.header("x-request-id"), Some("req_unique_id"));
    let body = &reply.body;
    assert_eq!(body["success"], true);
    assert_eq!(body["message"], "Flow assigned successfully");
    let id = body["assignmentId"].as_str().unwrap();
    assert!(id.starts_with("asgn_"), "{id}");
    let details = &body["details"];
    assert_eq!(details["assigneeEmail"], "employee@company.com");
    assert_eq!(details["flowName"], "Customer Onboarding");
    assert_eq!(details["moduleCount"], 5);
    assert_eq!(details["estimatedDuration"], "2 hours");
    let assigned_at = details["assignedAt"].as_str().unwrap();
    assert!(assigned_at.len() == 20 && assigned_at.ends_with('Z'), "{assigned_at}");
    let keys: Vec<&String> = body.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["success", "assignmentId", "message", "details"]);

    // AND the assignment can be read back
    let read = server.get(&format!("/v1/assignments/{id}"), &org.secret).await;
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(
        read.body,
        json!({
            "assignmentId": id,
            "flowId": flow_id,
            "userEmail": "employee@company.com",
            "dueDate": "2030-11-25T23:59:59Z",
            "priority": "high",
            "notes": "Please complete this onboarding flow before the team meeting",
            "status": "assigned",
            "assignedAt": assigned_at,
            "startedAt": null,
            "completedAt": null,
            "late": false,
            "cancelledAt": null,
        })
    );
}

async fn a_missing_or_unknown_key_is_the_seeds_401(backend: Backend) {
    // GIVEN an organization ready to assign
    let server = TestServer::start(backend).await;
    server.ready_to_assign("Acme").await;
    let body = json!({"flowId": "flow_123abc", "userEmail": "employee@company.com"});

    for key in [None, Some("sk_0000000000000000000000000000000000000000000000000"), Some("nonsense")] {
        // WHEN an assign is sent without a key, or with a key that does not exist
        let reply = server.send("POST", "/v1/flows/assign", key, Some(&body), &[]).await;

        // THEN it is the seed's 401
        assert_eq!(reply.status, 401);
        assert_eq!(reply.body, json!({"error": "unauthorized", "message": "Invalid or missing API key"}));
    }
}

async fn an_unknown_flow_is_a_404_with_the_seeds_body(backend: Backend) {
    // GIVEN an organization ready to assign
    let server = TestServer::start(backend).await;
    let (org, _) = server.ready_to_assign("Acme").await;

    // WHEN a flow it does not have is assigned
    let reply = server
        .post("/v1/flows/assign", &org.secret, json!({"flowId": "flow_123abc", "userEmail": "employee@company.com"}))
        .await;

    // THEN it is a 404 with the seed's body
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body, json!({"error": "not_found", "message": "Flow with ID 'flow_123abc' does not exist"}));
}

async fn an_unknown_user_is_a_404_with_the_seeds_body(backend: Backend) {
    // GIVEN an organization ready to assign
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;

    // WHEN its flow is assigned to someone who is not one of its people
    let reply = server
        .post("/v1/flows/assign", &org.secret, json!({"flowId": flow_id, "userEmail": "nobody@company.com"}))
        .await;

    // THEN it is a 404 with the seed's body
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.body,
        json!({
            "error": "not_found",
            "message": "User with email 'nobody@company.com' does not exist in your organization"
        })
    );
}

async fn an_unknown_assignment_is_a_404(backend: Backend) {
    // GIVEN an organization ready to assign
    let server = TestServer::start(backend).await;
    let (org, _) = server.ready_to_assign("Acme").await;

    // WHEN an assignment that does not exist is read
    let reply = server.get("/v1/assignments/asgn_000000000000000000000000", &org.secret).await;

    // THEN it is a 404
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body["error"], "not_found");
}

async fn one_open_assignment_per_user_and_flow(backend: Backend) {
    // GIVEN an open assignment
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;
    let body = json!({"flowId": flow_id, "userEmail": "employee@company.com"});
    let first = server.post("/v1/flows/assign", &org.secret, body).await;
    assert_eq!(first.status, 200);

    // WHEN the same flow is assigned to the same person again (the email in another case)
    let again = server
        .post("/v1/flows/assign", &org.secret, json!({"flowId": flow_id, "userEmail": "EMPLOYEE@company.com"}))
        .await;

    // THEN it is a 409 naming the open assignment
    assert_eq!(again.status, 409, "{:?}", again.body);
    assert_eq!(again.body["error"], "conflict");
    assert_eq!(again.body["assignmentId"], first.body["assignmentId"]);
}

/// Asserts that a refused assign wrote nothing: the flow can still be assigned to its employee, once.
async fn assert_the_flow_can_still_be_assigned(server: &TestServer, org: &Org, flow_id: &str) {
    let ok = server
        .post("/v1/flows/assign", &org.secret, json!({"flowId": flow_id, "userEmail": "employee@company.com"}))
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
}

async fn bad_assign_fields_are_a_400_naming_each_field_and_write_nothing(backend: Backend) {
    // GIVEN an organization ready to assign
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;

    // WHEN an assign is sent with every field wrong
    let reply = server
        .post(
            "/v1/flows/assign",
            &org.secret,
            json!({
                "flowId": 42,
                "userEmail": "not-an-email",
                "dueDate": "next tuesday",
                "priority": "urgent",
                "notes": "x".repeat(2001)
            }),
        )
        .await;

    // THEN it is a 400 naming each field
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["error"], "validation_error");
    let errors = reply.body["errors"].as_object().unwrap();
    for field in ["flowId", "userEmail", "dueDate", "priority", "notes"] {
        assert!(errors.contains_key(field), "{field} missing from {errors:?}");
    }

    // AND nothing was written
    assert_the_flow_can_still_be_assigned(&server, &org, &flow_id).await;
}

async fn a_missing_flow_and_email_are_each_required_and_write_nothing(backend: Backend) {
    // GIVEN an organization ready to assign
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;

    // WHEN an assign is sent with an empty object
    let missing = server.post("/v1/flows/assign", &org.secret, json!({})).await;

    // THEN it is a 400 saying each of the flow and the email is required
    assert_eq!(missing.status, 400);
    assert_eq!(missing.body["errors"]["flowId"][0], "is required");
    assert_eq!(missing.body["errors"]["userEmail"][0], "is required");

    // AND nothing was written
    assert_the_flow_can_still_be_assigned(&server, &org, &flow_id).await;
}

async fn malformed_json_is_a_400_and_writes_nothing(backend: Backend) {
    // GIVEN an organization ready to assign
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;

    // WHEN an assign is sent as JSON cut short
    let malformed = server
        .send_raw("POST", "/v1/flows/assign", Some(&org.secret), Some("application/json"), b"{\"flowId\":".to_vec())
        .await;

    // THEN it is a 400 invalid_json
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.body["error"], "invalid_json");

    // AND nothing was written
    assert_the_flow_can_still_be_assigned(&server, &org, &flow_id).await;
}

async fn a_body_that_is_not_json_is_a_415_and_writes_nothing(backend: Backend) {
    // GIVEN an organization ready to assign
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;

    // WHEN an assign is sent as plain text
    let not_json =
        server.send_raw("POST", "/v1/flows/assign", Some(&org.secret), Some("text/plain"), b"flowId=1".to_vec()).await;

    // THEN it is a 415
    assert_eq!(not_json.status, 415);
    assert_eq!(not_json.body["error"], "unsupported_media_type");

    // AND nothing was written
    assert_the_flow_can_still_be_assigned(&server, &org, &flow_id).await;
}

async fn a_body_over_the_size_limit_is_a_413_and_writes_nothing(backend: Backend) {
    // GIVEN an organization ready to assign
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;

    // WHEN a valid assign is sent with a megabyte of notes
    let huge = format!(
        "{{\"flowId\":\"{flow_id}\",\"userEmail\":\"employee@company.com\",\"notes\":\"{}\"}}",
        "x".repeat(1024 * 1024)
    );
    let too_large = server
        .send_raw("POST", "/v1/flows/assign", Some(&org.secret), Some("application/json"), huge.into_bytes())
        .await;

    // THEN it is a 413
    assert_eq!(too_large.status, 413);
    assert_eq!(too_large.body["error"], "payload_too_large");

    // AND nothing was written
    assert_the_flow_can_still_be_assigned(&server, &org, &flow_id).await;
}

async fn a_past_due_date_is_accepted(backend: Backend) {
    // GIVEN an organization ready to assign
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;

    // WHEN its flow is assigned with a due date in the past
    let reply = server
        .post(
            "/v1/flows/assign",
            &org.secret,
            json!({
                "flowId": flow_id,
                "userEmail": "employee@company.com",
                "dueDate": "2024-11-25T23:59:59Z",
                "priority": "low"
            }),
        )
        .await;

    // THEN it is assigned, with that due date
    assert_eq!(reply.status, 200, "{:?}", reply.body);
    let id = reply.body["assignmentId"].as_str().unwrap();
    let read = server.get(&format!("/v1/assignments/{id}"), &org.secret).await;
    assert_eq!(read.body["dueDate"], "2024-11-25T23:59:59Z");
    assert_eq!(read.body["status"], "assigned");
    assert_eq!(read.body["notes"], serde_json::Value::Null);
}

async fn rate_limit_is_per_organization_with_the_real_wait(backend: Backend) {
    // GIVEN a standard tier limited to 5 requests a minute, and an organization with two secret keys, all
    // within one window
    flows_testkit::avoid_minute_boundary().await;
    let server = TestServer::start_with(backend, |c| c.rate_limit_standard = 5).await;
    let org = server.organization("Acme", "standard").await;
    let other = server.organization("Other", "standard").await;
    let second = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret"})).await;
    assert_eq!(second.status, 201);
    let second = second.body["key"].as_str().unwrap().to_owned();

    // WHEN the organization spends its five requests (one made the second key) across both keys
    for i in 0..4 {
        let key = if i % 2 == 0 { &org.secret } else { &second };
        let reply = server.get("/v1/users", key).await;
        assert_eq!(reply.status, 200, "request {i}: {:?}", reply.body);
    }
    let limited = server.get("/v1/users", &second).await;

    // THEN the next one is a 429 with the seed's body and the real wait, also in Retry-After
    assert_eq!(limited.status, 429, "{:?}", limited.body);
    let wait = limited.body["retry_after"].as_u64().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(limited.body["error"], "rate_limit_exceeded");
    assert_eq!(limited.body["message"], format!("Too many requests. Please try again in {wait} seconds"));
    assert_eq!(limited.header("retry-after"), Some(wait.to_string().as_str()));

    // AND another organization is not affected (unless the minute turned, which resets both)
    let elsewhere = server.get("/v1/users", &other.secret).await;
    assert_eq!(elsewhere.status, 200);
}

/// Sends an assign with an `Idempotency-Key`.
async fn assign_with_idempotency_key(server: &TestServer, org: &Org, body: &serde_json::Value, key: &str) -> Reply {
    server.send("POST", "/v1/flows/assign", Some(&org.secret), Some(body), &[("Idempotency-Key", key)]).await
}

async fn idempotency_key_replays_the_first_response(backend: Backend) {
    // GIVEN an organization ready to assign
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;
    let body = json!({"flowId": flow_id, "userEmail": "employee@company.com"});

    // WHEN the same request is sent twice with one key
    let first = assign_with_idempotency_key(&server, &org, &body, "order-1").await;
    let again = assign_with_idempotency_key(&server, &org, &body, "order-1").await;

    // THEN the second gets the first response again
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));

    // AND nothing new was made: without the key the open assignment is still the only one
    let fresh = server.post("/v1/flows/assign", &org.secret, body).await;
    assert_eq!(fresh.status, 409);
    assert_eq!(fresh.body["assignmentId"], first.body["assignmentId"]);
}

async fn an_idempotency_key_reused_with_another_body_is_a_422(backend: Backend) {
    // GIVEN an assign sent with a key
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;
    let body = json!({"flowId": flow_id, "userEmail": "employee@company.com"});
    let first = assign_with_idempotency_key(&server, &org, &body, "order-1").await;
    assert_eq!(first.status, 200, "{:?}", first.body);

    // WHEN the same key is sent with another body
    let other = json!({"flowId": flow_id, "userEmail": "employee@company.com", "priority": "high"});
    let other = assign_with_idempotency_key(&server, &org, &other, "order-1").await;

    // THEN it is a 422
    assert_eq!(other.status, 422, "{:?}", other.body);
    assert_eq!(other.body["error"], "idempotency_key_reused");
}

async fn a_hundred_and_one_assigns_in_a_window_give_exactly_one_429(backend: Backend) {
    // A run that crosses a minute's end is counted in two windows and proves nothing: it is redone (once) from the
    // start of a fresh window. On DynamoDB the run goes to the moto that only the racing tests share, whose few
    // tables keep its transactions fast (moto copies every table of its region for each one).
    for attempt in 1..=2 {
        let window_at =
            |now: std::time::SystemTime| now.duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs() / 60;
        // GIVEN the standard tier's 100 requests a minute, and 101 people and a flow written without any request
        let server = TestServer::start_custom(
            flows_testkit::backends::serial_store(backend).await,
            |c| c.rate_limit_standard = 100,
            std::sync::Arc::new(flows_testkit::StaticResolver::default()),
        )
        .await;
        let org = server.organization("Acme", "standard").await;
        let people = server.add_people(org.id, 101).await;
        let flow = server.add_flow(org.id, "onboarding").await;
        flows_testkit::start_of_a_window(40).await;

        // WHEN each is assigned the flow, within one window
        let started = window_at(std::time::SystemTime::now());
        let mut statuses = Vec::new();
        for email in &people {
            let reply = server.post("/v1/flows/assign", &org.secret, json!({"flowId": flow, "userEmail": email})).await;
            statuses.push(reply.status.as_u16());
        }
        if window_at(std::time::SystemTime::now()) != started && attempt == 1 {
            eprintln!("the assigns crossed a minute's end: once more from a fresh window");
            continue;
        }

        // THEN exactly the limit went through and the last was refused
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 100, "{statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 1, "{statuses:?}");
        assert_eq!(statuses.last(), Some(&429));
        return;
    }
}

// The DynamoDB cost of the main requests, counted with an SDK interceptor (with a key of the signed form), each
// test measuring them on a fresh table: an assign commits in two sequential round trips (the key's GetItem, the
// rate window's UpdateItem and the assign's BatchGetItem side by side, then the TransactWriteItems with the outbox
// event), then hands its event off (Query for the endpoints that want it, DeleteItem of the outbox item); a read is
// one round trip; an `Idempotency-Key` adds its claim to the first round, and its record to the transaction.

/// The calls' operations in alphabetical order (those sent side by side come in any order).
fn sorted(calls: &[String]) -> Vec<String> {
    let mut calls = calls.to_vec();
    calls.sort();
    calls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_assign_on_dynamodb_commits_in_two_sequential_round_trips_then_hands_its_event_off() {
    // GIVEN an organization ready to assign on a DynamoDB store that counts its calls
    // WHEN a flow is assigned
    let cost = flows_testkit::fixtures::round_trips().await;

    // THEN it committed in two sequential round trips: the key, the rate window and the assign's reads side by
    // side, then the transaction
    assert_eq!(sorted(&cost.assign.calls), ["BatchGetItem", "GetItem", "TransactWriteItems", "UpdateItem"], "{cost:?}");
    assert_eq!(cost.assign.calls.last().map(String::as_str), Some("TransactWriteItems"));
    assert_eq!(cost.assign.sequential, 2, "{cost:?}");

    // AND the event was then handed off
    assert_eq!(cost.assign_after_commit, ["Query", "DeleteItem"], "{cost:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_on_dynamodb_is_one_round_trip() {
    // GIVEN an organization with an assignment on a DynamoDB store that counts its calls
    // WHEN the assignment is read, and the webhook endpoints are listed
    let cost = flows_testkit::fixtures::round_trips().await;

    // THEN each read took the key, the rate window and its own read side by side
    assert_eq!(sorted(&cost.get_assignment.calls), ["GetItem", "GetItem", "UpdateItem"], "{cost:?}");
    assert_eq!(cost.get_assignment.sequential, 1, "{cost:?}");
    assert_eq!(sorted(&cost.list_webhooks.calls), ["GetItem", "Query", "UpdateItem"], "{cost:?}");
    assert_eq!(cost.list_webhooks.sequential, 1, "{cost:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn creating_a_webhook_endpoint_on_dynamodb_commits_in_two_sequential_round_trips() {
    // GIVEN an organization on a DynamoDB store that counts its calls
    // WHEN a webhook endpoint is created
    let cost = flows_testkit::fixtures::round_trips().await;

    // THEN it committed in two sequential round trips
    assert_eq!(cost.webhook_create.sequential, 2, "{cost:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idempotency_key_adds_no_round_trip_to_an_assign_on_dynamodb() {
    // GIVEN an organization ready to assign on a DynamoDB store that counts its calls
    // WHEN a flow is assigned with an `Idempotency-Key`
    let cost = flows_testkit::fixtures::round_trips().await;

    // THEN the key's claim (PutItem) joined the first round and its record the transaction: still two round trips
    assert_eq!(
        sorted(&cost.idempotent_assign.calls),
        ["BatchGetItem", "GetItem", "PutItem", "TransactWriteItems", "UpdateItem"],
        "{cost:?}"
    );
    assert_eq!(cost.idempotent_assign.sequential, 2, "{cost:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_frigade_action_commits_in_two_sequential_round_trips_and_a_read_takes_one() {
    // GIVEN a person Frigade knows, with a flow assigned, on a DynamoDB store that counts its calls
    // WHEN they start a step, then read their states
    let cost = flows_testkit::fixtures::round_trips().await;

    // THEN the action took the key, the rate window, the person's lookup, the flows and the person's states,
    // memberships and assignments (by their external id) side by side; then the one transaction
    assert_eq!(cost.flow_state_action.sequential, 2, "{cost:?}");
    assert_eq!(cost.flow_state_action.calls.last().map(String::as_str), Some("TransactWriteItems"));
    let by_person = cost.flow_state_action.calls.iter().filter(|c| *c == "Query").count();
    assert_eq!(by_person, 4, "the flows and the person's three kinds of items: {cost:?}");
    // AND the read the same first round, without the write
    assert_eq!(cost.flow_state_read.sequential, 1, "{cost:?}");
}
