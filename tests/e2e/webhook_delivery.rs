//! The webhook pipeline end to end: assign → outbox → queue → consumer → a receiver on 127.0.0.1 that checks
//! every signature itself; faults injected deterministically; the retry schedule compressed to milliseconds.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use flows_shared::model::{OrgId, Timestamp};
use flows_testkit::backends::{serial_store, TestQueue};
use flows_testkit::receiver::Receiver;
use flows_testkit::{Backend, Org, TestServer};
use serde_json::json;

crate::on_both_backends!(
    deliveries_are_signed_per_standard_webhooks,
    five_hundred_assignments_survive_failing_receivers_and_sends,
    an_endpoint_that_always_fails_ends_in_the_dead_letter_queue_after_the_scheduled_attempts,
    a_410_disables_the_endpoint,
    every_delivery_attempt_is_logged_newest_first_and_paged,
    a_logged_delivery_can_be_replayed_with_its_event_id,
    replays_sent_at_once_each_count_their_own_attempts,
    bad_paging_of_the_delivery_log_is_a_400,
    replaying_an_unknown_delivery_is_a_404,
);

fn org_id(org: &Org) -> OrgId {
    OrgId(org.body["organization"]["id"].as_u64().unwrap())
}

async fn subscribe(server: &TestServer, org: &Org, receiver: &Receiver, events: Option<&[&str]>) -> String {
    let mut body = json!({ "url": receiver.url });
    if let Some(events) = events {
        body["events"] = json!(events);
    }
    let created = server.post("/v1/webhooks", &org.secret, body).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    receiver.trust(created.body["secret"].as_str().unwrap());
    created.body["id"].as_str().unwrap().to_owned()
}

/// Assigns the flow to every email, `parallel` requests at a time; returns the assignment ids.
async fn assign_all(server: &Arc<TestServer>, org: &Org, flow: &str, emails: &[String]) -> Vec<String> {
    let mut ids = Vec::new();
    for chunk in emails.chunks(16) {
        let mut tasks = tokio::task::JoinSet::new();
        for email in chunk {
            let (server, key, body) = (server.clone(), org.secret.clone(), json!({"flowId": flow, "userEmail": email}));
            tasks.spawn(async move { server.post("/v1/flows/assign", &key, body).await });
        }
        while let Some(reply) = tasks.join_next().await {
            let reply = reply.unwrap();
            assert_eq!(reply.status, 200, "{:?}", reply.body);
            ids.push(reply.body["assignmentId"].as_str().unwrap().to_owned());
        }
    }
    ids
}

async fn deliveries_are_signed_per_standard_webhooks(backend: Backend) {
    // GIVEN an endpoint for flow.assigned whose secret was rotated (so two secrets sign)
    let queue = TestQueue::new(backend, false).await;
    let server = Arc::new(TestServer::start_pipeline(backend, &queue, |_| {}).await);
    let (org, flow) = server.ready_to_assign("Acme").await;
    let receiver = Receiver::start(|_, _| 200).await;
    let hook = subscribe(&server, &org, &receiver, Some(&["flow.assigned"])).await;
    let rotated = server.post(&format!("/v1/webhooks/{hook}/rotate-secret"), &org.secret, json!({})).await;
    receiver.trust(rotated.body["secret"].as_str().unwrap());

    // WHEN a flow is assigned
    let ids = assign_all(&server, &org, &flow, &["employee@company.com".to_owned()]).await;

    // THEN the receiver gets one delivery, signed by both secrets, with the documented payload
    assert!(receiver.wait_until(Duration::from_secs(20), |r| !r.is_empty()).await, "nothing delivered");
    let got = &receiver.received()[0];
    assert!(got.verified, "{got:?}");
    assert_eq!(got.signatures, 2);
    assert!(got.id.starts_with("evt_"));
    assert_eq!(got.body["type"], "flow.assigned");
    assert!(got.body["timestamp"].is_string());
    assert_eq!(got.body["data"]["assignmentId"], ids[0].as_str());
    assert_eq!(got.body["data"]["flowId"], flow.as_str());
    assert_eq!(got.body["data"]["userEmail"], "employee@company.com");
    assert_eq!(got.body["data"]["status"], "assigned");
    assert!(got.body["data"]["userId"].is_u64());
    let age = Timestamp::now().unix() - got.timestamp.parse::<i64>().unwrap();
    assert!((0..60).contains(&age), "webhook-timestamp is now: {age}");
}

async fn five_hundred_assignments_survive_failing_receivers_and_sends(backend: Backend) {
    // GIVEN a receiver that fails every other request of each event (the first, the third, ...) and a queue
    // whose every third send fails; on DynamoDB, the moto that answers one request at a time (16 transactions at
    // once on the threaded one collide inside moto, which answers 500 where DynamoDB never would)
    let queue = TestQueue::new(backend, true).await;
    let server = Arc::new(TestServer::start_pipeline_on(serial_store(backend).await, &queue, |_| {}).await);
    let (org, flow) = server.ready_to_assign("Acme").await;
    let receiver = Receiver::start(|_, k| if k % 2 == 0 { 503 } else { 200 }).await;
    subscribe(&server, &org, &receiver, None).await;
    let emails = server.add_people(org_id(&org), 500).await;

    // WHEN 500 flows are assigned
    let ids = assign_all(&server, &org, &flow, &emails).await;
    assert_eq!(ids.len(), 500);

    // THEN every assignment's flow.assigned is received, verified, at least once: none lost
    let all_in = receiver
        .wait_until(Duration::from_secs(120), |r| {
            r.iter().filter(|x| x.answered == 200).map(|x| x.id.clone()).collect::<HashSet<_>>().len() >= 500
        })
        .await;
    let received = receiver.received();
    let accepted: HashMap<String, String> = received
        .iter()
        .filter(|r| r.answered == 200)
        .map(|r| (r.body["data"]["assignmentId"].as_str().unwrap_or_default().to_owned(), r.id.clone()))
        .collect();
    assert!(all_in, "only {} of 500 delivered", accepted.len());
    assert!(received.iter().all(|r| r.verified), "a signature did not verify");
    assert!(ids.iter().all(|id| accepted.contains_key(id)), "an assignment's event is missing");
    // AND a retried event keeps its id: the failures and their retries share webhook-ids
    let ids_seen: HashSet<&str> = received.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids_seen.len(), 500, "each event has one id, whatever the attempts");
    assert!(received.len() >= 1000, "each event's first attempt failed, so each was tried at least twice");
    assert!(received.iter().filter(|r| r.answered == 503).count() >= 500);
}

async fn an_endpoint_that_always_fails_ends_in_the_dead_letter_queue_after_the_scheduled_attempts(backend: Backend) {
    // GIVEN a schedule of three retries and a receiver that always answers 500
    let queue = TestQueue::new(backend, false).await;
    let server = Arc::new(
        TestServer::start_pipeline(backend, &queue, |c| {
            c.retry_schedule = flows_shared::model::RetrySchedule(vec![Duration::from_millis(10); 3]);
        })
        .await,
    );
    let (org, flow) = server.ready_to_assign("Acme").await;
    let receiver = Receiver::start(|_, _| 500).await;
    subscribe(&server, &org, &receiver, None).await;

    // WHEN a flow is assigned
    assign_all(&server, &org, &flow, &["employee@company.com".to_owned()]).await;

    // THEN the message is tried exactly 1 + 3 times and then lies in the dead-letter queue
    let mut dead = Vec::new();
    for _ in 0..200 {
        dead = queue.dead_letters().await;
        if !dead.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(dead.len(), 1, "{dead:?}");
    assert!(dead[0].contains("flow.assigned"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 4, "tried exactly the scheduled attempts");
}

async fn a_410_disables_the_endpoint(backend: Backend) {
    // GIVEN an endpoint whose receiver answers 410 Gone
    let queue = TestQueue::new(backend, false).await;
    let server = Arc::new(TestServer::start_pipeline(backend, &queue, |_| {}).await);
    let (org, flow) = server.ready_to_assign("Acme").await;
    let receiver = Receiver::start(|_, _| 410).await;
    let hook = subscribe(&server, &org, &receiver, None).await;

    // WHEN a flow is assigned
    assign_all(&server, &org, &flow, &["employee@company.com".to_owned()]).await;

    // THEN the endpoint is disabled, saying why
    assert!(receiver.wait_until(Duration::from_secs(20), |r| !r.is_empty()).await);
    let mut disabled = false;
    for _ in 0..100 {
        let got = server.get(&format!("/v1/webhooks/{hook}"), &org.secret).await;
        if got.body["enabled"] == false {
            assert!(got.body["disabledReason"].as_str().unwrap().contains("410"));
            disabled = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(disabled, "a 410 disables the endpoint");

    // AND nothing more is sent: delivery is at least once, so a duplicate of the message may have raced the first
    // attempt; but once the endpoint is disabled nothing more is sent, whatever the schedule says
    let seen = receiver.received().len();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), seen, "no retry after a 410");
    assert!(receiver.received().iter().all(|r| r.answered == 410));
}

/// A pipeline whose endpoint got three events, each failing its first attempt and then delivered.
struct ThreeDelivered {
    // Kept for the pipeline's life.
    _queue: TestQueue,
    server: Arc<TestServer>,
    org: Org,
    receiver: Receiver,
    /// The endpoint's delivery log.
    path: String,
}

async fn three_events_each_failing_once(backend: Backend) -> ThreeDelivered {
    let queue = TestQueue::new(backend, false).await;
    let server = Arc::new(TestServer::start_pipeline(backend, &queue, |_| {}).await);
    let (org, flow) = server.ready_to_assign("Acme").await;
    let receiver = Receiver::start(|_, k| if k % 2 == 0 { 503 } else { 200 }).await;
    let hook = subscribe(&server, &org, &receiver, None).await;
    let emails = server.add_people(org_id(&org), 3).await;
    assign_all(&server, &org, &flow, &emails).await;
    assert!(
        receiver.wait_until(Duration::from_secs(30), |r| r.iter().filter(|x| x.answered == 200).count() == 3).await
    );
    let path = format!("/v1/webhooks/{hook}/deliveries");
    logged(&server, &org, &path, 6).await;
    ThreeDelivered { _queue: queue, server, org, receiver, path }
}

/// The delivery log at `path` once it holds `n` attempts (30 s at most). The consumer logs an attempt once the
/// receiver's answer is in, so a test that saw the receiver answer must wait for the log too, not read it at once
/// (a loaded machine showed the gap).
async fn logged(server: &TestServer, org: &Org, path: &str, n: usize) -> Vec<serde_json::Value> {
    let until = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        let log = read_log(server, org, path).await;
        if log.len() >= n || tokio::time::Instant::now() >= until {
            return log;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The whole delivery log at `path`, read two at a time.
async fn read_log(server: &TestServer, org: &Org, path: &str) -> Vec<serde_json::Value> {
    let mut all = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..10 {
        let url = match &cursor {
            Some(c) => format!("{path}?limit=2&cursor={c}"),
            None => format!("{path}?limit=2"),
        };
        let page = server.get(&url, &org.secret).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        let items = page.body["items"].as_array().unwrap().clone();
        assert!(items.len() <= 2);
        all.extend(items);
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    all
}

async fn every_delivery_attempt_is_logged_newest_first_and_paged(backend: Backend) {
    // GIVEN three events, each failing its first attempt and then delivered
    let given = three_events_each_failing_once(backend).await;

    // WHEN the log is read two at a time
    let all = read_log(&given.server, &given.org, &given.path).await;

    // THEN it holds every attempt, newest first, with its outcome
    assert_eq!(all.len(), 6, "{all:?}");
    let ids: Vec<&str> = all.iter().map(|d| d["id"].as_str().unwrap()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted, "newest first");
    assert_eq!(all.iter().filter(|d| d["status"] == "failed" && d["responseCode"] == 503).count(), 3);
    assert_eq!(all.iter().filter(|d| d["status"] == "succeeded" && d["responseCode"] == 200).count(), 3);
    assert!(all.iter().all(|d| d["eventType"] == "flow.assigned" && d["durationMs"].is_u64()));
}

async fn a_logged_delivery_can_be_replayed_with_its_event_id(backend: Backend) {
    // GIVEN three events, each failing its first attempt and then delivered, and the log's oldest attempt
    let given = three_events_each_failing_once(backend).await;
    let (server, org, path) = (&given.server, &given.org, &given.path);
    let all = read_log(server, org, path).await;
    let first = all.last().unwrap();
    let event_id = first["eventId"].as_str().unwrap().to_owned();

    // WHEN that delivery is replayed
    let replayed =
        server.post(&format!("{path}/{}/replay", first["id"].as_str().unwrap()), &org.secret, json!({})).await;

    // THEN the replay is accepted
    assert_eq!(replayed.status, 202, "{:?}", replayed.body);

    // AND the same event id is delivered again, on a fresh schedule
    let again = given
        .receiver
        .wait_until(Duration::from_secs(30), |r| {
            r.iter().filter(|x| x.id == event_id).count() == 4
                && r.iter().rev().any(|x| x.id == event_id && x.answered == 200)
        })
        .await;
    assert!(again, "the replay was delivered (a failure, then its retry)");
}

async fn replays_sent_at_once_each_count_their_own_attempts(backend: Backend) {
    // GIVEN an event delivered at its first attempt
    let queue = TestQueue::new(backend, false).await;
    let server = Arc::new(TestServer::start_pipeline(backend, &queue, |_| {}).await);
    let (org, flow) = server.ready_to_assign("Acme").await;
    let receiver = Receiver::start(|_, _| 200).await;
    let hook = subscribe(&server, &org, &receiver, None).await;
    assign_all(&server, &org, &flow, &["employee@company.com".to_owned()]).await;
    assert!(receiver.wait_until(Duration::from_secs(30), |r| r.len() == 1).await, "nothing delivered");
    let path = format!("/v1/webhooks/{hook}/deliveries");
    let first = logged(&server, &org, &path, 1).await[0]["id"].as_str().unwrap().to_owned();

    // WHEN it is replayed five times at once (within one millisecond, most of them)
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let (server, key, url) = (server.clone(), org.secret.clone(), format!("{path}/{first}/replay"));
        tasks.spawn(async move { server.post(&url, &key, json!({})).await.status });
    }
    while let Some(status) = tasks.join_next().await {
        assert_eq!(status.unwrap(), 202);
    }

    // THEN each replay is its own first attempt, not the next attempt of another one
    assert!(receiver.wait_until(Duration::from_secs(30), |r| r.len() == 6).await, "six deliveries");
    let log = logged(&server, &org, &path, 6).await;
    assert_eq!(log.len(), 6, "{log:?}");
    let attempts: Vec<_> = log.iter().map(|d| d["attempt"].as_u64().unwrap()).collect();
    assert_eq!(attempts, vec![1; 6]);
}

/// An organization with an endpoint (no pipeline: nothing is delivered); returns the endpoint's delivery log.
async fn an_endpoint(server: &TestServer, org: &Org) -> String {
    let created = server.post("/v1/webhooks", &org.secret, json!({"url": "http://127.0.0.1:9/hooks"})).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    format!("/v1/webhooks/{}/deliveries", created.body["id"].as_str().unwrap())
}

async fn bad_paging_of_the_delivery_log_is_a_400(backend: Backend) {
    // GIVEN an endpoint
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let path = an_endpoint(&server, &org).await;

    for query in ["limit=0", "limit=1000", "cursor=nope"] {
        // WHEN its log is read with a limit out of range, or a cursor it did not give
        let reply = server.get(&format!("{path}?{query}"), &org.secret).await;

        // THEN it is a 400
        assert_eq!(reply.status, 400, "{query}: {:?}", reply.body);
    }
}

async fn replaying_an_unknown_delivery_is_a_404(backend: Backend) {
    // GIVEN an endpoint
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let path = an_endpoint(&server, &org).await;

    // WHEN a delivery it does not have is replayed
    let unknown = server.post(&format!("{path}/dlv_000000000000000000000/replay"), &org.secret, json!({})).await;

    // THEN it is a 404
    assert_eq!(unknown.status, 404);
}
