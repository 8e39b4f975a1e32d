//! `POST /v1/flows/assign` and `GET /v1/assignments/{id}` against seed 000.

use flows_testkit::{Backend, TestServer};
use serde_json::json;

crate::on_both_backends!(
    assign_answers_with_the_seed_body,
    assign_errors_are_the_seed_errors,
    one_open_assignment_per_user_and_flow,
    bad_assign_input_is_a_400_naming_each_field_and_writes_nothing,
    a_past_due_date_is_accepted,
    rate_limit_is_per_organization_with_the_real_wait,
    idempotency_key_replays_the_first_response,
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
        })
    );
}

async fn assign_errors_are_the_seed_errors(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;
    let body = json!({"flowId": "flow_123abc", "userEmail": "employee@company.com"});

    // Missing and unknown keys: the seed's 401
    for key in [None, Some("sk_0000000000000000000000000000000000000000000000000"), Some("nonsense")] {
        let reply = server.send("POST", "/v1/flows/assign", key, Some(&body), &[]).await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.body, json!({"error": "unauthorized", "message": "Invalid or missing API key"}));
    }

    // An unknown flow
    let reply = server.post("/v1/flows/assign", &org.secret, body).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body, json!({"error": "not_found", "message": "Flow with ID 'flow_123abc' does not exist"}));

    // An unknown user
    let reply = server
        .post("/v1/flows/assign", &org.secret, json!({"flowId": flow_id, "userEmail": "nobody@company.com"}))
        .await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.body,
        json!({"error": "not_found", "message": "User with email 'nobody@company.com' does not exist in your organization"})
    );

    // An unknown assignment
    let reply = server.get("/v1/assignments/asgn_000000000000000000000000", &org.secret).await;
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

async fn bad_assign_input_is_a_400_naming_each_field_and_writes_nothing(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;

    let reply = server
        .post(
            "/v1/flows/assign",
            &org.secret,
            json!({"flowId": 42, "userEmail": "not-an-email", "dueDate": "next tuesday", "priority": "urgent", "notes": "x".repeat(2001)}),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["error"], "validation_error");
    let errors = reply.body["errors"].as_object().unwrap();
    for field in ["flowId", "userEmail", "dueDate", "priority", "notes"] {
        assert!(errors.contains_key(field), "{field} missing from {errors:?}");
    }

    let missing = server.post("/v1/flows/assign", &org.secret, json!({})).await;
    assert_eq!(missing.status, 400);
    assert_eq!(missing.body["errors"]["flowId"][0], "is required");
    assert_eq!(missing.body["errors"]["userEmail"][0], "is required");

    let malformed = server
        .send_raw("POST", "/v1/flows/assign", Some(&org.secret), Some("application/json"), b"{\"flowId\":".to_vec())
        .await;
    assert_eq!(malformed.status, 400);
    assert_eq!(malformed.body["error"], "invalid_json");

    let not_json =
        server.send_raw("POST", "/v1/flows/assign", Some(&org.secret), Some("text/plain"), b"flowId=1".to_vec()).await;
    assert_eq!(not_json.status, 415);
    assert_eq!(not_json.body["error"], "unsupported_media_type");

    let huge = format!(
        "{{\"flowId\":\"{flow_id}\",\"userEmail\":\"employee@company.com\",\"notes\":\"{}\"}}",
        "x".repeat(1024 * 1024)
    );
    let too_large = server
        .send_raw("POST", "/v1/flows/assign", Some(&org.secret), Some("application/json"), huge.into_bytes())
        .await;
    assert_eq!(too_large.status, 413);
    assert_eq!(too_large.body["error"], "payload_too_large");

    // Nothing was written: the flow can still be assigned once.
    let ok = server
        .post("/v1/flows/assign", &org.secret, json!({"flowId": flow_id, "userEmail": "employee@company.com"}))
        .await;
    assert_eq!(ok.status, 200, "{:?}", ok.body);
}

async fn a_past_due_date_is_accepted(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;
    let reply = server
        .post(
            "/v1/flows/assign",
            &org.secret,
            json!({"flowId": flow_id, "userEmail": "employee@company.com", "dueDate": "2024-11-25T23:59:59Z", "priority": "low"}),
        )
        .await;
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

async fn idempotency_key_replays_the_first_response(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;
    let body = json!({"flowId": flow_id, "userEmail": "employee@company.com"});
    let send = |body: serde_json::Value, key: &'static str| {
        let server = &server;
        let secret = org.secret.clone();
        async move { server.send("POST", "/v1/flows/assign", Some(&secret), Some(&body), &[("Idempotency-Key", key)]).await }
    };

    // WHEN the same request is sent twice with one key
    let first = send(body.clone(), "order-1").await;
    let again = send(body.clone(), "order-1").await;

    // THEN the second gets the first response again, and nothing new was made
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));

    // AND the same key with another body is a 422
    let other =
        send(json!({"flowId": flow_id, "userEmail": "employee@company.com", "priority": "high"}), "order-1").await;
    assert_eq!(other.status, 422, "{:?}", other.body);
    assert_eq!(other.body["error"], "idempotency_key_reused");

    // AND without the key the open assignment is still the only one
    let fresh = server.post("/v1/flows/assign", &org.secret, body).await;
    assert_eq!(fresh.status, 409);
    assert_eq!(fresh.body["assignmentId"], first.body["assignmentId"]);
}

async fn a_hundred_and_one_assigns_in_a_window_give_exactly_one_429(backend: Backend) {
    // GIVEN the standard tier's 100 requests a minute, and 101 people and a flow written without any request
    flows_testkit::avoid_minute_boundary().await;
    let server = TestServer::start_with(backend, |c| c.rate_limit_standard = 100).await;
    let org = server.organization("Acme", "standard").await;
    let people = server.add_people(org.id, 101).await;
    let flow = server.add_flow(org.id, "onboarding").await;

    // WHEN each is assigned the flow, within one window
    let mut statuses = Vec::new();
    for email in &people {
        let reply = server.post("/v1/flows/assign", &org.secret, json!({"flowId": flow, "userEmail": email})).await;
        statuses.push(reply.status.as_u16());
    }

    // THEN exactly the limit went through and the last was refused
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 100, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 1, "{statuses:?}");
    assert_eq!(statuses.last(), Some(&429));
}

/// The DynamoDB cost of the main requests, counted with an SDK interceptor (with a key of the signed form): an
/// assign commits in two sequential round trips (the key's GetItem, the rate window's UpdateItem and the assign's
/// BatchGetItem side by side, then the TransactWriteItems with the outbox event), then hands its event off (Query
/// for the endpoints that want it, DeleteItem of the outbox item); a read is one round trip; an `Idempotency-Key`
/// adds its claim to the first round, and its record to the transaction.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_on_dynamodb_cost_two_sequential_round_trips_to_commit_and_one_to_read() {
    let cost = flows_testkit::fixtures::round_trips().await;
    let sorted = |calls: &[String]| {
        let mut calls = calls.to_vec();
        calls.sort();
        calls
    };
    assert_eq!(sorted(&cost.assign.calls), ["BatchGetItem", "GetItem", "TransactWriteItems", "UpdateItem"], "{cost:?}");
    assert_eq!(cost.assign.calls.last().map(String::as_str), Some("TransactWriteItems"));
    assert_eq!(cost.assign.sequential, 2, "{cost:?}");
    assert_eq!(cost.assign_after_commit, ["Query", "DeleteItem"], "{cost:?}");
    assert_eq!(sorted(&cost.get_assignment.calls), ["GetItem", "GetItem", "UpdateItem"], "{cost:?}");
    assert_eq!(cost.get_assignment.sequential, 1, "{cost:?}");
    assert_eq!(sorted(&cost.list_webhooks.calls), ["GetItem", "Query", "UpdateItem"], "{cost:?}");
    assert_eq!(cost.list_webhooks.sequential, 1, "{cost:?}");
    assert_eq!(cost.webhook_create.sequential, 2, "{cost:?}");
    assert_eq!(
        sorted(&cost.idempotent_assign.calls),
        ["BatchGetItem", "GetItem", "PutItem", "TransactWriteItems", "UpdateItem"],
        "{cost:?}"
    );
    assert_eq!(cost.idempotent_assign.sequential, 2, "{cost:?}");
}
