//! The SQS queue. `QUEUE_URL` may be a queue's URL or its name (looked up once at start).

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::error::DisplayErrorContext;
use aws_sdk_sqs::types::{MessageSystemAttributeName, QueueAttributeName, SendMessageBatchRequestEntry};
use aws_sdk_sqs::Client;

use crate::lazy::Lazy;

use super::{check_batch, OutgoingMessage, Queue, QueueError, QueueSender, ReceivedMessage, MAX_BATCH};

/// How many receives the queue's redrive policy allows before SQS itself moves a message to the dead-letter
/// queue: a safety net well above the delivery schedule, which counts its attempts itself.
pub const MAX_RECEIVE_COUNT: u32 = 20;

fn sdk<E, R>(err: aws_sdk_sqs::error::SdkError<E, R>) -> QueueError
where
    E: std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    QueueError::backend(DisplayErrorContext(err).to_string())
}

pub struct SqsQueue {
    /// Built on first use (see [`crate::lazy`]).
    client: Lazy<Client>,
    url: String,
    /// Where the consumer moves a message after its last attempt.
    dead_letter_url: Option<String>,
}

fn is_url(text: &str) -> bool {
    text.starts_with("http://") || text.starts_with("https://")
}

impl SqsQueue {
    /// The queue named by `url_or_name` (a URL is used as is, a name looked up once), and its dead-letter
    /// queue likewise, when given.
    /// Queues given as URLs (as the template gives them) need no call, and leave the client unbuilt until the
    /// first send.
    pub async fn connect(
        client: Lazy<Client>,
        url_or_name: &str,
        dead_letter: Option<&str>,
    ) -> Result<Self, QueueError> {
        let url = Self::resolve(&client, url_or_name).await?;
        let dead_letter_url = match dead_letter {
            Some(dlq) => Some(Self::resolve(&client, dlq).await?),
            None => None,
        };
        Ok(Self { client, url, dead_letter_url })
    }

    async fn resolve(client: &Lazy<Client>, url_or_name: &str) -> Result<String, QueueError> {
        if is_url(url_or_name) {
            return Ok(url_or_name.to_owned());
        }
        let out = client.get().get_queue_url().queue_name(url_or_name).send().await.map_err(sdk)?;
        out.queue_url.ok_or_else(|| QueueError::backend("GetQueueUrl returned no URL"))
    }

    /// Creates the queue `name` and its dead-letter queue `name-dlq` (with the redrive policy between them)
    /// unless they exist; returns the queue.
    pub async fn create_if_missing(client: Client, name: &str) -> Result<Self, QueueError> {
        let dlq = client.create_queue().queue_name(format!("{name}-dlq")).send().await.map_err(sdk)?;
        let dlq_url = dlq.queue_url.ok_or_else(|| QueueError::backend("CreateQueue returned no URL"))?;
        let attrs = client
            .get_queue_attributes()
            .queue_url(&dlq_url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(sdk)?;
        let dlq_arn = attrs
            .attributes
            .and_then(|a| a.get(&QueueAttributeName::QueueArn).cloned())
            .ok_or_else(|| QueueError::backend("the dead-letter queue has no ARN"))?;
        let redrive = format!("{{\"deadLetterTargetArn\":\"{dlq_arn}\",\"maxReceiveCount\":\"{MAX_RECEIVE_COUNT}\"}}");
        let queue = client
            .create_queue()
            .queue_name(name)
            .attributes(QueueAttributeName::RedrivePolicy, redrive)
            .attributes(QueueAttributeName::VisibilityTimeout, "360")
            .send()
            .await
            .map_err(sdk)?;
        let url = queue.queue_url.ok_or_else(|| QueueError::backend("CreateQueue returned no URL"))?;
        Ok(Self { client: Lazy::ready(client), url, dead_letter_url: Some(dlq_url) })
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn dead_letter_url(&self) -> Option<&str> {
        self.dead_letter_url.as_deref()
    }
}

#[async_trait]
impl QueueSender for SqsQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        check_batch(messages)?;
        let entries = messages
            .iter()
            .map(|m| {
                SendMessageBatchRequestEntry::builder()
                    .id(&m.id)
                    .message_body(&m.body)
                    .delay_seconds(i32::try_from(m.delay_seconds.min(900)).unwrap_or(900))
                    .build()
                    .map_err(QueueError::backend)
            })
            .collect::<Result<Vec<_>, _>>()?;
        let out = self
            .client
            .get()
            .send_message_batch()
            .queue_url(&self.url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(sdk)?;
        Ok(out.failed.into_iter().map(|f| f.id).collect())
    }
}

#[async_trait]
impl Queue for SqsQueue {
    async fn receive(&self, max: usize, wait: Duration) -> Result<Vec<ReceivedMessage>, QueueError> {
        let out = self
            .client
            .get()
            .receive_message()
            .queue_url(&self.url)
            .max_number_of_messages(i32::try_from(max.clamp(1, MAX_BATCH)).unwrap_or(10))
            .wait_time_seconds(i32::try_from(wait.as_secs().min(20)).unwrap_or(20))
            .message_system_attribute_names(MessageSystemAttributeName::ApproximateReceiveCount)
            .send()
            .await
            .map_err(sdk)?;
        Ok(out
            .messages
            .unwrap_or_default()
            .into_iter()
            .filter_map(|m| {
                let receive_count = m
                    .attributes
                    .as_ref()
                    .and_then(|a| a.get(&MessageSystemAttributeName::ApproximateReceiveCount))
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(1);
                Some(ReceivedMessage {
                    message_id: m.message_id?,
                    receipt: m.receipt_handle?,
                    body: m.body.unwrap_or_default(),
                    receive_count,
                })
            })
            .collect())
    }

    async fn delete(&self, receipt: &str) -> Result<(), QueueError> {
        self.client.get().delete_message().queue_url(&self.url).receipt_handle(receipt).send().await.map_err(sdk)?;
        Ok(())
    }

    async fn change_visibility(&self, receipt: &str, delay: Duration) -> Result<(), QueueError> {
        let seconds = delay.as_secs() + u64::from(delay.subsec_nanos() > 0);
        self.client
            .get()
            .change_message_visibility()
            .queue_url(&self.url)
            .receipt_handle(receipt)
            .visibility_timeout(i32::try_from(seconds.min(43_200)).unwrap_or(43_200))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    async fn dead_letter(&self, body: &str) -> Result<(), QueueError> {
        let url = self
            .dead_letter_url
            .as_deref()
            .ok_or_else(|| QueueError::Invalid("no dead-letter queue is configured (DEAD_LETTER_QUEUE_URL)".into()))?;
        self.client.get().send_message().queue_url(url).message_body(body).send().await.map_err(sdk)?;
        Ok(())
    }
}
