//! The storage contract, held the same on both stores: uniqueness under races, counters, rate windows and
//! idempotency records.

use std::collections::HashSet;

use flows_shared::model::{Assignment, AssignmentId, AssignmentStatus, Email, FlowId, OrgId, Timestamp, UserId};
use flows_shared::store::{Conflict, Counter, IdempotencyBegin, RateDecision, StoreError, StoredResponse};
use flows_testkit::{store, Backend};

crate::on_both_backends!(
    racing_assignments_of_one_flow_to_one_person_leave_exactly_one,
    counters_hand_out_each_number_once,
    rate_windows_allow_exactly_the_limit,
    idempotency_records_move_through_their_states,
);

fn assignment(flow: &FlowId) -> Assignment {
    Assignment {
        id: AssignmentId::generate(),
        org_id: OrgId(1),
        flow_id: flow.clone(),
        user_id: UserId(2),
        user_email: Email::parse("eve@example.com").unwrap(),
        due_date: Some(Timestamp::now().plus_seconds(3600)),
        priority: None,
        notes: None,
        status: AssignmentStatus::Assigned,
        assigned_at: Timestamp::now(),
        assigned_by: UserId(1),
    }
}

async fn racing_assignments_of_one_flow_to_one_person_leave_exactly_one(backend: Backend) {
    let store = store(backend).await;
    let flow = FlowId::generate();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            let a = assignment(&flow);
            tokio::spawn(async move { (a.id.clone(), store.create_assignment(&a).await) })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (id, result) = task.await.unwrap();
        match result {
            Ok(()) => winners.push(id),
            Err(StoreError::Conflict(Conflict::OpenAssignment(_))) => {}
            // DynamoDB may cancel a transaction that races another on the same item; the caller retries.
            Err(StoreError::Throttled) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let ctx = store.assign_context(OrgId(1), &flow, "eve@example.com").await.unwrap();
    assert_eq!(ctx.open.as_ref(), Some(&winners[0]));
    let stored = store.get_assignment(OrgId(1), &winners[0]).await.unwrap().unwrap();
    assert_eq!(stored.id, winners[0]);
}

async fn counters_hand_out_each_number_once(backend: Backend) {
    let store = store(backend).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.next_id(Counter::User).await.unwrap() })
        })
        .collect();
    let mut seen = HashSet::new();
    for task in tasks {
        assert!(seen.insert(task.await.unwrap()));
    }
    assert_eq!(seen, (1..=20).collect());
}

async fn rate_windows_allow_exactly_the_limit(backend: Backend) {
    let store = store(backend).await;
    let expires = Timestamp::now().unix() + 120;
    for _ in 0..3 {
        assert_eq!(store.hit("b#1", 3, expires).await.unwrap(), RateDecision::Allowed);
    }
    assert_eq!(store.hit("b#1", 3, expires).await.unwrap(), RateDecision::Limited);
    assert_eq!(store.hit("b#2", 3, expires).await.unwrap(), RateDecision::Allowed);
}

async fn idempotency_records_move_through_their_states(backend: Backend) {
    let store = store(backend).await;
    let now = Timestamp::now().unix();
    let later = now + 3600;
    assert_eq!(store.begin("k", "f1", now, later).await.unwrap(), IdempotencyBegin::Started);
    assert_eq!(store.begin("k", "f1", now, later).await.unwrap(), IdempotencyBegin::InFlight);
    assert_eq!(store.begin("k", "f2", now, later).await.unwrap(), IdempotencyBegin::Mismatch);
    let response = StoredResponse { status: 201, body: "{\"ok\":true}".into() };
    store.complete("k", "f1", &response, later).await.unwrap();
    assert_eq!(store.begin("k", "f1", now, later).await.unwrap(), IdempotencyBegin::Replay(response));
    // An expired record is as good as none, whatever TTL has not deleted yet.
    assert_eq!(store.begin("k", "f2", later + 1, later + 7200).await.unwrap(), IdempotencyBegin::Started);
    store.release("k").await.unwrap();
    assert_eq!(store.begin("k", "f3", now, later).await.unwrap(), IdempotencyBegin::Started);
}
