//! The queue contract, held the same on the in-memory queue and on SQS (moto): batches of ten, receive, delete,
//! visibility changes and receive counts.

use std::collections::BTreeSet;
use std::time::Duration;

use flows_shared::queue::{send_all, OutgoingMessage, QueueError};
use flows_testkit::backends::queue;
use flows_testkit::Backend;

crate::on_both_backends!(messages_go_in_batches_and_come_back_until_deleted, a_batch_over_ten_is_refused,);

fn messages(n: usize) -> Vec<OutgoingMessage> {
    (0..n).map(|i| OutgoingMessage { id: format!("m{i}"), body: format!("body {i}"), delay_seconds: 0 }).collect()
}

async fn messages_go_in_batches_and_come_back_until_deleted(backend: Backend) {
    let queue = queue(backend).await;
    // GIVEN 25 messages sent in batches of ten
    let failed = send_all(queue.as_ref(), &messages(25)).await.unwrap();
    assert!(failed.is_empty());

    // WHEN they are all received
    let mut received = Vec::new();
    for _ in 0..20 {
        if received.len() == 25 {
            break;
        }
        received.extend(queue.receive(10, Duration::from_millis(200)).await.unwrap());
    }
    let bodies: BTreeSet<String> = received.iter().map(|m| m.body.clone()).collect();
    assert_eq!(bodies, (0..25).map(|i| format!("body {i}")).collect());
    assert!(received.iter().all(|m| m.receive_count == 1));

    // THEN none is visible while received, one made visible again comes back with a higher count,
    // and deleted ones are gone for good
    assert!(queue.receive(10, Duration::from_millis(100)).await.unwrap().is_empty());
    queue.change_visibility(&received[0].receipt, Duration::ZERO).await.unwrap();
    let again = queue.receive(10, Duration::from_secs(1)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].body, received[0].body);
    assert_eq!(again[0].receive_count, 2);
    queue.delete(&again[0].receipt).await.unwrap();
    for m in &received[1..] {
        queue.delete(&m.receipt).await.unwrap();
    }
    assert!(queue.receive(10, Duration::from_millis(100)).await.unwrap().is_empty());
}

async fn a_batch_over_ten_is_refused(backend: Backend) {
    let queue = queue(backend).await;
    let err = queue.send_batch(&messages(11)).await.unwrap_err();
    assert!(matches!(err, QueueError::Invalid(_)), "{err:?}");
}
