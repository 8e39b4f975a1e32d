//! The queue contract, held the same on the in-memory queue and on SQS (moto): batches of ten, receive, delete,
//! visibility changes and receive counts.

use std::collections::BTreeSet;
use std::time::Duration;

use flows_shared::queue::{send_all, OutgoingMessage, Queue, QueueError, ReceivedMessage};
use flows_testkit::backends::queue;
use flows_testkit::Backend;

crate::on_both_backends!(
    messages_sent_in_batches_all_come_back_once,
    received_messages_are_not_visible_while_received,
    a_message_made_visible_again_comes_back_with_a_higher_receive_count,
    deleted_messages_are_gone_for_good,
    a_batch_over_ten_is_refused,
);

fn messages(n: usize) -> Vec<OutgoingMessage> {
    (0..n).map(|i| OutgoingMessage { id: format!("m{i}"), body: format!("body {i}"), delay_seconds: 0 }).collect()
}

/// Sends `n` messages in batches of ten.
async fn send(queue: &dyn Queue, n: usize) {
    let failed = send_all(queue, &messages(n)).await.unwrap();
    assert!(failed.is_empty());
}

/// Receives `n` messages, ten at a time.
async fn receive_all(queue: &dyn Queue, n: usize) -> Vec<ReceivedMessage> {
    let mut received = Vec::new();
    for _ in 0..20 {
        if received.len() == n {
            break;
        }
        received.extend(queue.receive(10, Duration::from_millis(200)).await.unwrap());
    }
    assert_eq!(received.len(), n, "{received:?}");
    received
}

async fn messages_sent_in_batches_all_come_back_once(backend: Backend) {
    // GIVEN 25 messages sent in batches of ten
    let queue = queue(backend).await;
    send(queue.as_ref(), 25).await;

    // WHEN they are all received
    let received = receive_all(queue.as_ref(), 25).await;

    // THEN each came back, received for the first time
    let bodies: BTreeSet<String> = received.iter().map(|m| m.body.clone()).collect();
    assert_eq!(bodies, (0..25).map(|i| format!("body {i}")).collect());
    assert!(received.iter().all(|m| m.receive_count == 1));
}

async fn received_messages_are_not_visible_while_received(backend: Backend) {
    // GIVEN 25 messages sent and all received
    let queue = queue(backend).await;
    send(queue.as_ref(), 25).await;
    receive_all(queue.as_ref(), 25).await;

    // WHEN the queue is read again
    let again = queue.receive(10, Duration::from_millis(100)).await.unwrap();

    // THEN none is visible
    assert!(again.is_empty());
}

async fn a_message_made_visible_again_comes_back_with_a_higher_receive_count(backend: Backend) {
    // GIVEN 25 messages sent and all received
    let queue = queue(backend).await;
    send(queue.as_ref(), 25).await;
    let received = receive_all(queue.as_ref(), 25).await;

    // WHEN one is made visible again
    queue.change_visibility(&received[0].receipt, Duration::ZERO).await.unwrap();

    // THEN it alone comes back, received for the second time
    let again = queue.receive(10, Duration::from_secs(1)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].body, received[0].body);
    assert_eq!(again[0].receive_count, 2);
}

async fn deleted_messages_are_gone_for_good(backend: Backend) {
    // GIVEN 25 messages sent and all received, the first of them made visible and received again
    let queue = queue(backend).await;
    send(queue.as_ref(), 25).await;
    let received = receive_all(queue.as_ref(), 25).await;
    queue.change_visibility(&received[0].receipt, Duration::ZERO).await.unwrap();
    let again = queue.receive(10, Duration::from_secs(1)).await.unwrap();
    assert_eq!(again.len(), 1);

    // WHEN each is deleted by its latest receipt
    queue.delete(&again[0].receipt).await.unwrap();
    for m in &received[1..] {
        queue.delete(&m.receipt).await.unwrap();
    }

    // THEN none comes back
    assert!(queue.receive(10, Duration::from_millis(100)).await.unwrap().is_empty());
}

async fn a_batch_over_ten_is_refused(backend: Backend) {
    // GIVEN a queue
    let queue = queue(backend).await;

    // WHEN a batch of eleven is sent
    let err = queue.send_batch(&messages(11)).await.unwrap_err();

    // THEN it is refused as invalid
    assert!(matches!(err, QueueError::Invalid(_)), "{err:?}");
}
