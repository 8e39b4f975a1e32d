//! The scheduled run: due assignments move to overdue once each however runs overlap; one that cannot move is left
//! for the next run, an index entry nobody can read is set aside (one organization's bad record never stops
//! another's schedule), and a run goes on, past one batch and through the outbox's backlog, while it has time.

use flows_shared::store::ports::*;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

use flows_shared::model::{
    Assignment, AssignmentId, AssignmentStatus, Email, Event, EventType, FlowId, OrgId, Timestamp, UserId,
};
use flows_shared::queue::memory::MemoryQueue;
use flows_shared::queue::{OutgoingMessage, Queue, QueueError, QueueSender};
use flows_shared::services::overdue::{run_once, BATCH};
use flows_shared::store::memory::MemoryStore;
use flows_shared::store::{
    AssignContext, AssignmentPage, AssignmentQuery, AssignmentStore, Completion, DueAssignments, Store, StoreError,
    StoreResult, UnreadableDue,
};
use flows_shared::webhooks::publish::Publisher;
use flows_testkit::backends::store_with_unreadable_due_entry;
use flows_testkit::{Backend, TestServer};
use serde_json::json;

crate::on_both_backends!(
    overlapping_overdue_runs_mark_each_assignment_once,
    an_overdue_run_reads_only_the_due_assignments,
    one_assignment_that_cannot_move_is_left_for_the_next_run,
    an_unreadable_index_entry_is_set_aside_and_other_organizations_go_on,
    a_backlog_in_the_outbox_drains_in_one_run,
);

/// `n` open assignments written straight through the store's bulk import, due `due_in` seconds from now
/// (negative: past).
async fn seed_assignments(server: &TestServer, n: usize, due_in: i64) -> Vec<AssignmentId> {
    seed_for(server, OrgId(1), n, due_in).await
}

/// As [`seed_assignments`], for `org`.
async fn seed_for(server: &TestServer, org: OrgId, n: usize, due_in: i64) -> Vec<AssignmentId> {
    let flow = FlowId::generate();
    let assignments: Vec<Assignment> = (0..n)
        .map(|i| Assignment {
            id: AssignmentId::generate(),
            org_id: org,
            flow_id: flow.clone(),
            user_id: UserId(u64::try_from(i).unwrap() + 1),
            user_email: Email::parse(&format!("seed{i}@company.com")).unwrap(),
            user_external_id: None,
            due_date: Some(Timestamp::now().plus_seconds(due_in)),
            priority: None,
            notes: None,
            status: AssignmentStatus::Assigned,
            assigned_at: Timestamp::now(),
            assigned_by: UserId(1),
            started_at: None,
            completed_at: None,
            late: false,
            cancelled_at: None,
        })
        .collect();
    for chunk in assignments.chunks(500) {
        server.state.store.import_assignments(chunk).await.unwrap();
    }
    assignments.into_iter().map(|a| a.id).collect()
}

async fn overlapping_overdue_runs_mark_each_assignment_once(backend: Backend) {
    // GIVEN 30 assignments already past due, and four runs that all read the due index before any acts: the
    // worst overlap (the runs' writes are then interleaved one by one, since moto, unlike DynamoDB, does not
    // make concurrent conditional writes atomic)
    let server = Arc::new(TestServer::start(backend).await);
    let ids = seed_assignments(&server, 30, -3600).await;
    let store = &server.state.store;
    let now = Timestamp::now();
    let mut runs = Vec::new();
    for _ in 0..4 {
        runs.push(store.due_assignments(now, 100).await.unwrap().assignments);
    }
    assert!(runs.iter().all(|r| r.len() == 30));

    // WHEN each run moves every assignment it saw, in turn
    let mut moved = 0;
    let mut events = HashSet::new();
    for i in 0..30 {
        for run in &runs {
            let mut overdue = run[i].clone();
            overdue.status = AssignmentStatus::Overdue;
            let event = Event::about_assignment(&overdue, EventType::FlowOverdue, now);
            if store.mark_overdue(&run[i], &event).await.unwrap() {
                moved += 1;
                events.insert((run[i].id.clone(), event.id));
            }
        }
    }

    // THEN each assignment moved once, with one event in the outbox
    assert_eq!(moved, 30);
    let outbox = store.outbox_before(now.plus_seconds(1), 1000).await.unwrap();
    assert_eq!(outbox.len(), 30);
    assert!(outbox.iter().all(|e| e.event_type == EventType::FlowOverdue));
    for id in &ids {
        assert_eq!(store.get_assignment(OrgId(1), id).await.unwrap().unwrap().status, AssignmentStatus::Overdue);
    }
    // AND whole runs overlapping on the same clock find nothing more
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..2 {
        let state = server.state.clone();
        tasks.spawn(async move { flows_shared::app::scheduled_run(&state, Timestamp::now()).await.unwrap() });
    }
    while let Some(report) = tasks.join_next().await {
        let report = report.unwrap();
        assert_eq!((report.overdue, report.items_read), (0, 0));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_overdue_runs_mark_each_assignment_once_in_memory() {
    let server = Arc::new(TestServer::start(Backend::Memory).await);
    seed_assignments(&server, 200, -3600).await;
    let mut runs = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let state = server.state.clone();
        runs.spawn(async move { flows_shared::app::scheduled_run(&state, Timestamp::now()).await.unwrap() });
    }
    let mut overdue = 0;
    while let Some(report) = runs.join_next().await {
        overdue += report.unwrap().overdue;
    }
    assert_eq!(overdue, 200);
}

async fn an_overdue_run_reads_only_the_due_assignments(backend: Backend) {
    // GIVEN 10,000 open assignments, 20 of them due (seeded through the store)
    let server = TestServer::start(backend).await;
    seed_assignments(&server, 9_980, 86_400).await;
    let due = seed_assignments(&server, 20, -60).await;

    // WHEN the schedule runs, with time enough for moto (which copies every table for each transaction, and may
    // share a loaded machine)
    let budget = Duration::from_secs(600);
    let report = flows_shared::app::scheduled_run_within(&server.state, Timestamp::now(), budget).await.unwrap();

    // THEN it moved the 20 and read no other assignment
    assert_eq!(report.overdue, 20);
    assert_eq!(report.items_read, 20, "{report:?}");
    assert_eq!(due.len(), 20);
}

/// A store whose move of one assignment to overdue always fails (as a transaction conflict that outlasted its
/// retries would), and whose every move takes `slow`; everything else goes to `inner`.
struct Refusing {
    inner: Arc<dyn Store>,
    refused: Option<AssignmentId>,
    /// How long each move takes.
    slow: Duration,
}

#[flows_shared::async_trait]
impl AssignmentStore for Refusing {
    async fn assign_context(&self, org: OrgId, flow: &FlowId, email_key: &str) -> StoreResult<AssignContext> {
        self.inner.assign_context(org, flow, email_key).await
    }

    async fn create_assignment(&self, a: &Assignment, event: &Event, done: Option<&Completion>) -> StoreResult<()> {
        self.inner.create_assignment(a, event, done).await
    }

    async fn get_assignment(&self, org: OrgId, id: &AssignmentId) -> StoreResult<Option<Assignment>> {
        self.inner.get_assignment(org, id).await
    }

    async fn import_assignments(&self, assignments: &[Assignment]) -> StoreResult<()> {
        self.inner.import_assignments(assignments).await
    }

    async fn list_assignments(&self, org: OrgId, query: &AssignmentQuery) -> StoreResult<AssignmentPage> {
        self.inner.list_assignments(org, query).await
    }

    async fn flow_assignments(
        &self,
        org: OrgId,
        flow: &FlowId,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> StoreResult<Vec<Assignment>> {
        self.inner.flow_assignments(org, flow, from, to).await
    }

    async fn update_assignment(&self, a: &Assignment, read: AssignmentStatus, events: &[Event]) -> StoreResult<()> {
        self.inner.update_assignment(a, read, events).await
    }

    async fn due_assignments(&self, now: Timestamp, limit: usize) -> StoreResult<DueAssignments> {
        self.inner.due_assignments(now, limit).await
    }

    async fn mark_overdue(&self, assignment: &Assignment, event: &Event) -> StoreResult<bool> {
        if self.refused.as_ref() == Some(&assignment.id) {
            return Err(StoreError::Throttled);
        }
        tokio::time::sleep(self.slow).await;
        self.inner.mark_overdue(assignment, event).await
    }

    async fn set_aside_due(&self, item: &UnreadableDue) -> StoreResult<()> {
        self.inner.set_aside_due(item).await
    }
}

fn a_minute() -> Instant {
    Instant::now() + Duration::from_secs(60)
}

async fn one_assignment_that_cannot_move_is_left_for_the_next_run(backend: Backend) {
    // GIVEN 30 due assignments, one of which cannot be moved this time
    let server = TestServer::start(backend).await;
    let ids = seed_assignments(&server, 30, -3600).await;
    let refusing =
        Refusing { inner: Arc::new(server.state.store.clone()), refused: Some(ids[7].clone()), slow: Duration::ZERO };
    let sweep_after = server.state.config.outbox_sweep_after;

    // WHEN the schedule runs
    let report = run_once(&refusing, &server.state.publisher(), sweep_after, Timestamp::now(), a_minute()).await;

    // THEN the other 29 moved, and the one that failed is counted, not fatal
    let report = report.expect("one failure does not stop the run");
    assert_eq!((report.overdue, report.failed), (29, 1), "{report:?}");
    let store = &server.state.store;
    assert_eq!(store.get_assignment(OrgId(1), &ids[7]).await.unwrap().unwrap().status, AssignmentStatus::Assigned);

    // AND the next run moves it
    let next = flows_shared::app::scheduled_run(&server.state, Timestamp::now()).await.unwrap();
    assert_eq!((next.overdue, next.failed), (1, 0), "{next:?}");
    for id in &ids {
        assert_eq!(store.get_assignment(OrgId(1), id).await.unwrap().unwrap().status, AssignmentStatus::Overdue);
    }
}

/// In memory only: the run's logic is the store's same, and moto deep-copies a whole table for each item of each
/// transaction, which makes hundreds of moves in one table take minutes there (on DynamoDB they take seconds).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_goes_on_past_one_batch_while_it_has_time() {
    // GIVEN more due assignments than one read of the index takes
    let server = TestServer::start(Backend::Memory).await;
    let n = BATCH + 100;
    seed_assignments(&server, n, -3600).await;

    // WHEN a run without any time left starts
    let none = flows_shared::app::scheduled_run_within(&server.state, Timestamp::now(), Duration::ZERO).await;

    // THEN it stops at once, saying so
    let none = none.unwrap();
    assert!(none.out_of_time && none.overdue == 0, "{none:?}");

    // WHEN a run with time starts
    let report = flows_shared::app::scheduled_run(&server.state, Timestamp::now()).await.unwrap();

    // THEN it moves them all, batch after batch
    assert_eq!(report.overdue, n, "{report:?}");
    assert!(!report.out_of_time);
    let again = flows_shared::app::scheduled_run(&server.state, Timestamp::now()).await.unwrap();
    assert_eq!((again.overdue, again.items_read), (0, 0), "{again:?}");
}

async fn an_unreadable_index_entry_is_set_aside_and_other_organizations_go_on(backend: Backend) {
    // GIVEN an entry of organization 2 in the due index that is no assignment (damaged, or written by something
    // else), due before organization 1's assignment
    let damaged = AssignmentId::generate();
    let long_ago = Timestamp::now().plus_seconds(-86_400);
    let store = store_with_unreadable_due_entry(backend, OrgId(2), &damaged, long_ago).await;
    let server = TestServer::start_on(store).await;
    let ids = seed_assignments(&server, 1, -3600).await;

    // WHEN the schedule runs
    let report = flows_shared::app::scheduled_run(&server.state, Timestamp::now()).await;

    // THEN organization 1's assignment is overdue, and the entry was set aside
    let report = report.expect("an unreadable entry does not stop the run");
    assert_eq!((report.overdue, report.set_aside), (1, 1), "{report:?}");
    let store = &server.state.store;
    assert_eq!(store.get_assignment(OrgId(1), &ids[0]).await.unwrap().unwrap().status, AssignmentStatus::Overdue);

    // AND the next run reads neither again
    let next = flows_shared::app::scheduled_run(&server.state, Timestamp::now()).await.unwrap();
    assert_eq!((next.overdue, next.set_aside, next.items_read), (0, 0, 0), "{next:?}");
}

#[tokio::test]
async fn a_whole_batch_of_unreadable_entries_does_not_end_the_run() {
    // GIVEN more unreadable entries than one batch holds, all due before organization 1's assignment
    let memory = MemoryStore::new();
    let long_ago = Timestamp::now().plus_seconds(-86_400);
    for _ in 0..BATCH + 10 {
        memory.damage_due_index(long_ago, OrgId(2), AssignmentId::generate());
    }
    let server = TestServer::start_on(Arc::new(memory)).await;
    let ids = seed_assignments(&server, 1, -3600).await;

    // WHEN the schedule runs
    let report = flows_shared::app::scheduled_run(&server.state, Timestamp::now()).await.unwrap();

    // THEN setting the first batch aside counts as progress: the run reads on and reaches the assignment
    assert_eq!((report.set_aside, report.overdue), (BATCH + 10, 1), "{report:?}");
    let store = &server.state.store;
    assert_eq!(store.get_assignment(OrgId(1), &ids[0]).await.unwrap().unwrap().status, AssignmentStatus::Overdue);
}

#[tokio::test]
async fn a_run_whose_time_is_up_starts_no_more_moves_and_leaves_them_for_the_next() {
    // GIVEN 100 due assignments, each move taking 20 ms, and a run with 50 ms to work
    let server = TestServer::start(Backend::Memory).await;
    seed_assignments(&server, 100, -3600).await;
    let slow = Refusing { inner: Arc::new(server.state.store.clone()), refused: None, slow: Duration::from_millis(20) };
    let sweep_after = server.state.config.outbox_sweep_after;
    let deadline = Instant::now() + Duration::from_millis(50);

    // WHEN the run goes
    let report = run_once(&slow, &server.state.publisher(), sweep_after, Timestamp::now(), deadline).await.unwrap();

    // THEN it moved what it started in time (32 at once), left the rest, and said its time was up
    assert!(report.out_of_time, "{report:?}");
    assert!(report.overdue >= 32 && report.overdue < 100, "{report:?}");
    assert_eq!(report.overdue + report.left, 100, "{report:?}");

    // AND the next run moves the rest
    let next = flows_shared::app::scheduled_run(&server.state, Timestamp::now()).await.unwrap();
    assert_eq!(next.overdue, report.left, "{next:?}");
}

/// A queue that is down: every send fails.
struct DownQueue;

#[flows_shared::async_trait]
impl QueueSender for DownQueue {
    async fn send_batch(&self, _: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        Err(QueueError::backend("the queue is down"))
    }
}

async fn a_backlog_in_the_outbox_drains_in_one_run(backend: Backend) {
    // GIVEN an endpoint, and 250 assignments moved to overdue while the queue was down (their events stayed in the
    // outbox)
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let org_id = OrgId(org.body["organization"]["id"].as_u64().unwrap());
    let hook = server.post("/v1/webhooks", &org.secret, json!({"url": "http://127.0.0.1:9/hooks"})).await;
    assert_eq!(hook.status, 201, "{:?}", hook.body);
    seed_for(&server, org_id, 250, -3600).await;
    let store = &server.state.store;
    let down = Publisher { hooks: store, outbox: store, queue: &DownQueue };
    let outage = run_once(store, &down, Duration::ZERO, Timestamp::now(), a_minute()).await.unwrap();
    assert_eq!((outage.overdue, outage.resent), (250, 0), "{outage:?}");

    // WHEN the queue is back and the schedule runs once
    let queue = MemoryQueue::new(Duration::from_secs(30), 20);
    let up = Publisher { hooks: store, outbox: store, queue: &queue };
    let report = run_once(store, &up, Duration::ZERO, Timestamp::now(), a_minute()).await.unwrap();

    // THEN the whole backlog went out, one message each, and the outbox is empty
    assert_eq!(report.resent, 250, "{report:?}");
    assert!(store.outbox_before(Timestamp::now().plus_seconds(1), 1000).await.unwrap().is_empty());
    let mut messages = HashSet::new();
    loop {
        let got = queue.receive(10, Duration::ZERO).await.unwrap();
        if got.is_empty() {
            break;
        }
        for m in got {
            messages.insert(m.body);
        }
    }
    assert_eq!(messages.len(), 250);
}

#[tokio::test]
async fn a_run_out_of_time_still_sends_a_page_of_the_outbox() {
    // GIVEN three events left in the outbox while the queue was down
    let server = TestServer::start(Backend::Memory).await;
    let org = server.organization("Acme", "standard").await;
    let org_id = OrgId(org.body["organization"]["id"].as_u64().unwrap());
    let hook = server.post("/v1/webhooks", &org.secret, json!({"url": "http://127.0.0.1:9/hooks"})).await;
    assert_eq!(hook.status, 201, "{:?}", hook.body);
    seed_for(&server, org_id, 3, -3600).await;
    let store = &server.state.store;
    let down = Publisher { hooks: store, outbox: store, queue: &DownQueue };
    run_once(store, &down, Duration::ZERO, Timestamp::now(), a_minute()).await.unwrap();

    // WHEN a run starts with its time already up (the due index took it all, say)
    let queue = MemoryQueue::new(Duration::from_secs(30), 20);
    let up = Publisher { hooks: store, outbox: store, queue: &queue };
    let report = run_once(store, &up, Duration::ZERO, Timestamp::now(), Instant::now()).await.unwrap();

    // THEN it still sent the outbox's first page
    assert!(report.out_of_time, "{report:?}");
    assert_eq!(report.resent, 3, "{report:?}");
    assert_eq!(queue.receive(10, Duration::ZERO).await.unwrap().len(), 3);
}
