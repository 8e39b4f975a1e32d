//! The storage contract, held the same on both stores: uniqueness under races, counters, rate windows and
//! idempotency records.

use std::collections::HashSet;

use flows_shared::model::{
    Assignment, AssignmentId, AssignmentStatus, Email, Event, EventType, FlowId, OrgId, Timestamp, UserId,
};
use flows_shared::store::{
    Conflict, Counter, IdempotencyBegin, IdempotencyClaim, RateDecision, StoreError, StoredResponse,
};
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
            let event = Event::about_assignment(&a, EventType::FlowAssigned, Timestamp::now());
            tokio::spawn(async move { (a.id.clone(), store.create_assignment(&a, &event).await) })
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
    let claim = |fingerprint, now: i64| IdempotencyClaim {
        key: "k",
        fingerprint,
        now,
        locked_until: now + 60,
        expires_at: now + 3600,
    };
    assert_eq!(store.begin(&claim("f1", now)).await.unwrap(), IdempotencyBegin::Started);
    assert_eq!(store.begin(&claim("f1", now)).await.unwrap(), IdempotencyBegin::InFlight);
    assert_eq!(store.begin(&claim("f2", now)).await.unwrap(), IdempotencyBegin::Mismatch);
    // A claim whose request died lapses: a retry after the lock takes over.
    assert_eq!(store.begin(&claim("f1", now + 61)).await.unwrap(), IdempotencyBegin::Started);
    let response = StoredResponse { status: 201, body: "{\"ok\":true}".into() };
    store.complete("k", "f1", &response, now + 3600).await.unwrap();
    assert_eq!(store.begin(&claim("f1", now + 120)).await.unwrap(), IdempotencyBegin::Replay(response.clone()));
    // A completed record does not lapse with the lock, only with its expiry, whatever TTL has not deleted yet.
    assert_eq!(store.begin(&claim("f2", now + 120)).await.unwrap(), IdempotencyBegin::Mismatch);
    assert_eq!(store.begin(&claim("f2", now + 3601)).await.unwrap(), IdempotencyBegin::Started);
    store.release("k").await.unwrap();
    assert_eq!(store.begin(&claim("f3", now)).await.unwrap(), IdempotencyBegin::Started);
}
