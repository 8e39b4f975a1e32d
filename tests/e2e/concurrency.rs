//! Concurrent requests, nothing lost and nothing doubled. On DynamoDB they run against the moto that answers one
//! request at a time (`FLOWS_TEST_DYNAMODB_SERIAL`), where conditional writes are atomic as they are on DynamoDB.

use std::sync::Arc;

use flows_testkit::backends::serial_store;
use flows_testkit::{Backend, TestServer};
use serde_json::json;

crate::on_both_backends!(
    a_hundred_requests_with_one_idempotency_key_write_one_assignment,
    two_hundred_concurrent_assigns_get_exactly_the_limit_through,
    concurrent_endpoint_creations_never_pass_the_cap,
    fifty_people_added_at_once_are_all_added_and_counted,
);

async fn server(backend: Backend, limit: u32) -> Arc<TestServer> {
    let store = serial_store(backend).await;
    Arc::new(
        TestServer::start_custom(
            store,
            |c| c.rate_limit_standard = limit,
            Arc::new(flows_testkit::StaticResolver::default()),
        )
        .await,
    )
}

async fn a_hundred_requests_with_one_idempotency_key_write_one_assignment(backend: Backend) {
    // GIVEN a flow and a person
    let server = server(backend, 100_000).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let body = json!({"flowId": flow, "userEmail": "employee@company.com"});

    // WHEN a hundred identical requests with one Idempotency-Key arrive at once
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..100 {
        let (server, key, body) = (server.clone(), org.secret.clone(), body.clone());
        tasks.spawn(async move {
            server.send("POST", "/v1/flows/assign", Some(&key), Some(&body), &[("Idempotency-Key", "once")]).await
        });
    }
    let mut ids = std::collections::BTreeSet::new();
    let mut statuses = Vec::new();
    while let Some(reply) = tasks.join_next().await {
        let reply = reply.unwrap();
        statuses.push(reply.status.as_u16());
        if reply.status == 200 {
            ids.insert(reply.body["assignmentId"].as_str().unwrap().to_owned());
        }
    }

    // THEN one assignment was made: every success names it, the rest are 409s of the request in flight
    assert_eq!(ids.len(), 1, "{ids:?}");
    assert!(statuses.iter().all(|s| *s == 200 || *s == 409), "{statuses:?}");
    let replayed =
        server.send("POST", "/v1/flows/assign", Some(&org.secret), Some(&body), &[("Idempotency-Key", "once")]).await;
    assert_eq!(replayed.body["assignmentId"].as_str(), ids.iter().next().map(String::as_str));
    let fresh = server.post("/v1/flows/assign", &org.secret, body).await;
    assert_eq!(fresh.status, 409, "one open assignment: {:?}", fresh.body);
}

async fn two_hundred_concurrent_assigns_get_exactly_the_limit_through(backend: Backend) {
    // GIVEN the standard tier's 100 requests a minute, and 200 people written without any request
    let server = server(backend, 100).await;
    let org = server.organization("Acme", "standard").await;
    let people = server.add_people(org.id, 200).await;
    let flow = server.add_flow(org.id, "onboarding").await;
    flows_testkit::start_of_a_window(40).await;

    // WHEN each is assigned at once
    let mut tasks = tokio::task::JoinSet::new();
    for email in people {
        let (server, key, flow) = (server.clone(), org.secret.clone(), flow.clone());
        tasks.spawn(
            async move { server.post("/v1/flows/assign", &key, json!({"flowId": flow, "userEmail": email})).await },
        );
    }
    let mut replies = Vec::new();
    while let Some(reply) = tasks.join_next().await {
        replies.push(reply.unwrap());
    }

    // THEN exactly the limit went through, and the rest got the seed's 429 with the real wait
    let statuses: Vec<u16> = replies.iter().map(|r| r.status.as_u16()).collect();
    let odd: Vec<_> = replies.iter().filter(|r| r.status != 200 && r.status != 429).map(|r| &r.body).collect();
    assert_eq!(replies.iter().filter(|r| r.status == 200).count(), 100, "{statuses:?} {odd:?}");
    let limited: Vec<_> = replies.iter().filter(|r| r.status == 429).collect();
    assert_eq!(limited.len(), 100);
    for reply in limited {
        let wait = reply.body["retry_after"].as_u64().unwrap();
        assert_eq!(reply.body["error"], "rate_limit_exceeded");
        assert_eq!(reply.body["message"], format!("Too many requests. Please try again in {wait} seconds"));
        assert_eq!(reply.header("retry-after"), Some(wait.to_string().as_str()));
    }
}

async fn concurrent_endpoint_creations_never_pass_the_cap(backend: Backend) {
    // GIVEN an organization without endpoints
    let server = server(backend, 100_000).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN 25 endpoints are created at once
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..25 {
        let (server, key) = (server.clone(), org.secret.clone());
        tasks.spawn(async move {
            server.post("/v1/webhooks", &key, json!({"url": format!("http://127.0.0.1:9/{i}")})).await
        });
    }
    let mut statuses = Vec::new();
    while let Some(reply) = tasks.join_next().await {
        statuses.push(reply.unwrap().status.as_u16());
    }

    // THEN 20 exist, each refusal a 409 (or a 503 to retry, when DynamoDB found the count held by another)
    assert!(statuses.iter().all(|s| [201, 409, 503].contains(s)), "{statuses:?}");
    let listed = server.get("/v1/webhooks", &org.secret).await;
    let count = listed.body["items"].as_array().unwrap().len();
    assert_eq!(count, statuses.iter().filter(|s| **s == 201).count());
    assert!(count <= 20, "{count} endpoints");
    assert_eq!(
        statuses.iter().filter(|s| **s == 409).count() + count,
        25 - statuses.iter().filter(|s| **s == 503).count()
    );
}

async fn fifty_people_added_at_once_are_all_added_and_counted(backend: Backend) {
    // GIVEN an organization with its owner
    let server = server(backend, 100_000).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN 50 people are added at once
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..50 {
        let (server, key) = (server.clone(), org.secret.clone());
        tasks.spawn(async move {
            server
                .post("/v1/users", &key, json!({"email": format!("p{i}@example.com"), "name": format!("P {i}")}))
                .await
        });
    }
    while let Some(reply) = tasks.join_next().await {
        let reply = reply.unwrap();
        assert_eq!(reply.status, 201, "{:?}", reply.body);
    }

    // THEN all are listed and the organization counts them with its owner
    let users = server.get("/v1/users?limit=100", &org.secret).await;
    assert_eq!(users.body["items"].as_array().unwrap().len(), 51);
    let flow = server.post(&format!("/flows/{}", org.slug), &org.secret, json!({"name": "Count"})).await;
    assert_eq!(flow.body["organization"]["user_count"], 51);
}

/// 2,000 requests over every route of the route table from 32 clients at once, in memory: no 5xx, and every route
/// answered a success at least once (the figures for 10 s of it are in `make bench`).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_thousand_mixed_requests_from_32_clients_get_no_server_error() {
    // GIVEN the local server in memory
    let server = Arc::new(TestServer::start(Backend::Memory).await);

    // WHEN 32 clients send 2,000 requests, each walking the route table
    let report = flows_testkit::load::mixed(server, 32, flows_testkit::load::Until::Requests(2_000)).await;

    // THEN none answered 5xx, and every route did its work at least once
    assert_eq!(report.requests(), 2_000);
    assert!(report.server_errors.is_empty(), "{:#?}", report.server_errors);
    assert!(report.routes_without_a_success().is_empty(), "{:?}", report.statuses);
    // AND every success of a Flowdock route names the acting user
    assert!(report.without_flowdock_user.is_empty(), "{:?}", report.without_flowdock_user);
}
