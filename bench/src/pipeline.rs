//! Webhook pipeline figures: deliveries per second from assign to verified receipt (in memory, a receiver on
//! 127.0.0.1), and what an overdue run reads with 20 due among many open assignments.

use flows_shared::store::ports::*;
use std::sync::Arc;
use std::time::{Duration, Instant};

use flows_shared::model::{Assignment, AssignmentId, AssignmentStatus, Email, FlowId, OrgId, Timestamp, User, UserId};
use flows_shared::store::Counter;
use flows_testkit::backends::TestQueue;
use flows_testkit::receiver::Receiver;
use flows_testkit::{Backend, TestServer};
use serde_json::json;

const DELIVERIES: usize = 5_000;
const CONCURRENCY: usize = 32;

pub async fn throughput() {
    let queue = TestQueue::new(Backend::Memory, false).await;
    let server = Arc::new(TestServer::start_pipeline(Backend::Memory, &queue, |_| {}).await);
    let (org, flow) = server.ready_to_assign("Bench").await;
    let receiver = Receiver::start(|_, _| 200).await;
    let created =
        server.post("/v1/webhooks", &org.secret, json!({"url": receiver.url, "events": ["flow.assigned"]})).await;
    receiver.trust(created.body["secret"].as_str().expect("a secret"));
    let org_id = OrgId(org.body["organization"]["id"].as_u64().expect("an id"));
    let store = server.state.store.clone();
    let mut emails = Vec::with_capacity(DELIVERIES);
    for i in 0..DELIVERIES {
        let id = UserId(store.next_id(Counter::User).await.expect("an id"));
        let email = format!("bench{i}@company.com");
        let user = User {
            id,
            org_id,
            email: Some(Email::parse(&email).expect("an email")),
            name: "Bench".into(),
            nick: "bench".into(),
            external_id: None,
            role: flows_shared::model::Role::Member,
            disabled: false,
            created_at: Timestamp::now(),
            deactivated_at: None,
            revision: 0,
            person_indexed: true,
        };
        store.create_user(&user, None).await.expect("a user");
        emails.push(email);
    }

    let started = Instant::now();
    let emails = Arc::new(emails);
    let next = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let mut clients = tokio::task::JoinSet::new();
    for _ in 0..CONCURRENCY {
        let (server, emails, next, key, flow) =
            (server.clone(), emails.clone(), next.clone(), org.secret.clone(), flow.clone());
        clients.spawn(async move {
            loop {
                let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                if i >= emails.len() {
                    return;
                }
                let reply =
                    server.post("/v1/flows/assign", &key, json!({"flowId": flow, "userEmail": emails[i]})).await;
                assert_eq!(reply.status, 200, "{:?}", reply.body);
            }
        });
    }
    while clients.join_next().await.is_some() {}
    let assigned = started.elapsed();
    let deadline = Instant::now() + Duration::from_secs(120);
    while receiver.delivered() < DELIVERIES && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let delivered = started.elapsed();
    let count = receiver.delivered();
    println!("\nWebhook pipeline, in memory, {DELIVERIES} assigns by {CONCURRENCY} clients, receiver on 127.0.0.1:");
    println!(
        "  assigns accepted in {:.2} s ({:.0}/s)",
        assigned.as_secs_f64(),
        DELIVERIES as f64 / assigned.as_secs_f64()
    );
    println!(
        "  {count} deliveries received and verified in {:.2} s from the first assign: {:.0} deliveries/s (target ≥ 2,000/s)",
        delivered.as_secs_f64(),
        count as f64 / delivered.as_secs_f64()
    );
}

/// Open assignments bulk-imported, `due` of them past due, the rest due tomorrow.
async fn seed(server: &TestServer, total: usize, due: usize) {
    let flow = FlowId::generate();
    let now = Timestamp::now();
    let all: Vec<Assignment> = (0..total)
        .map(|i| Assignment {
            id: AssignmentId::generate(),
            org_id: OrgId(1),
            flow_id: flow.clone(),
            user_id: UserId(i as u64 + 1),
            user_email: Email::parse(&format!("open{i}@company.com")).expect("an email"),
            user_external_id: None,
            due_date: Some(now.plus_seconds(if i < due { -60 } else { 86_400 })),
            priority: None,
            notes: None,
            status: AssignmentStatus::Assigned,
            assigned_at: now,
            assigned_by: UserId(1),
            started_at: None,
            completed_at: None,
            late: false,
            cancelled_at: None,
        })
        .collect();
    for chunk in all.chunks(1_000) {
        server.state.store.import_assignments(chunk).await.expect("imported");
    }
}

pub async fn overdue_reads(backend: Backend, totals: &[usize]) {
    for &total in totals {
        let server = TestServer::start(backend).await;
        seed(&server, total, 20).await;
        let started = Instant::now();
        let report = flows_shared::app::scheduled_run(&server.state, Timestamp::now()).await.expect("a run");
        println!(
            "  {backend:?}: 20 due among {total:>7} open: {} moved, {} items read, run took {:.1} ms",
            report.overdue,
            report.items_read,
            started.elapsed().as_secs_f64() * 1000.0
        );
    }
}

/// How fast one run moves a backlog of `due` past-due assignments (and nothing else due).
pub async fn overdue_throughput(backend: Backend, due: usize) {
    let server = TestServer::start(backend).await;
    seed(&server, due, due).await;
    let started = Instant::now();
    let report = flows_shared::app::scheduled_run(&server.state, Timestamp::now()).await.expect("a run");
    let took = started.elapsed();
    println!(
        "  {backend:?}: {due} due: {} moved in one run of {:.2} s: {:.0} assignments/s{}",
        report.overdue,
        took.as_secs_f64(),
        report.overdue as f64 / took.as_secs_f64(),
        if report.out_of_time { " (out of time)" } else { "" }
    );
}

/// Clients mixing every route of the route table for a while, in memory.
pub async fn mixed_load(clients: usize, seconds: u64) {
    let server = Arc::new(TestServer::start(Backend::Memory).await);
    let report =
        flows_testkit::load::mixed(server, clients, flows_testkit::load::Until::Elapsed(Duration::from_secs(seconds)))
            .await;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("\nMixed load, in memory: {clients} clients walking every route for {seconds} s:");
    println!(
        "  {} requests, {:.0} requests/s, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, 5xx: {}",
        report.requests(),
        report.per_second(),
        ms(report.percentile(0.5)),
        ms(report.percentile(0.99)),
        ms(report.percentile(1.0)),
        report.server_errors.len()
    );
}
