//! Parts that fail on purpose: the faults the outbox, the retries and the gate are there for.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use flows_shared::queue::{OutgoingMessage, Queue, QueueError, QueueSender, ReceivedMessage};

/// A queue whose every third send fails.
pub struct FlakyQueue {
    inner: Arc<dyn Queue>,
    sends: AtomicUsize,
}

impl FlakyQueue {
    pub fn new(inner: Arc<dyn Queue>) -> Self {
        Self { inner, sends: AtomicUsize::new(0) }
    }
}

#[flows_shared::async_trait]
impl QueueSender for FlakyQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        if self.sends.fetch_add(1, Ordering::SeqCst) % 3 == 2 {
            return Err(QueueError::backend("injected send failure"));
        }
        self.inner.send_batch(messages).await
    }
}

#[flows_shared::async_trait]
impl Queue for FlakyQueue {
    async fn receive(&self, max: usize, wait: std::time::Duration) -> Result<Vec<ReceivedMessage>, QueueError> {
        self.inner.receive(max, wait).await
    }

    async fn delete(&self, receipt: &str) -> Result<(), QueueError> {
        self.inner.delete(receipt).await
    }

    async fn change_visibility(&self, receipt: &str, delay: std::time::Duration) -> Result<(), QueueError> {
        self.inner.change_visibility(receipt, delay).await
    }

    async fn dead_letter(&self, body: &str) -> Result<(), QueueError> {
        self.inner.dead_letter(body).await
    }
}

/// What the DynamoDB client sends, and the answers it is made to see instead: the faults moto never shows (a
/// throttled or conflicting transaction, a lost response) injected at the SDK's boundary.
#[derive(Clone, Default)]
pub struct DynamoFaults(Arc<std::sync::Mutex<FaultState>>);

impl std::fmt::Debug for DynamoFaults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DynamoFaults")
    }
}

#[derive(Default)]
struct FaultState {
    /// Every request: its operation and its body.
    sent: Vec<(String, String)>,
    rules: Vec<Rule>,
    /// How many requests of each operation went out.
    counts: std::collections::HashMap<String, usize>,
}

/// An answer to give to the `nth` (1-based) request of `operation`.
#[derive(Clone)]
pub struct Rule {
    pub operation: &'static str,
    pub nth: usize,
    pub status: u16,
    pub body: String,
    /// Whether the request is kept from doing anything (its items emptied) or reaches DynamoDB and is then
    /// answered this way (a lost response).
    pub neutralize: bool,
}

/// The answer body that leaves every key of a BatchGetItem unprocessed (built from the request itself).
pub const ALL_UNPROCESSED: &str = "ALL_UNPROCESSED";

/// A cancelled transaction with these cancellation reason codes, as DynamoDB answers one.
pub fn cancelled_transaction(codes: &[&str]) -> String {
    let reasons: Vec<serde_json::Value> = codes.iter().map(|code| serde_json::json!({ "Code": code })).collect();
    serde_json::json!({
        "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
        "message": "Transaction cancelled, please refer cancellation reasons for specific reasons",
        "CancellationReasons": reasons,
    })
    .to_string()
}

/// The index of the rule that applies to a request, carried through its config bag.
#[derive(Debug, Clone)]
struct Injected(usize, String);

impl aws_smithy_types::config_bag::Storable for Injected {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

impl DynamoFaults {
    pub fn inject(&self, rule: Rule) {
        self.0.lock().expect("faults").rules.push(rule);
    }

    /// The bodies of the requests of `operation` sent so far.
    pub fn sent(&self, operation: &str) -> Vec<String> {
        self.0.lock().expect("faults").sent.iter().filter(|(op, _)| op == operation).map(|(_, b)| b.clone()).collect()
    }
}

impl aws_sdk_dynamodb::config::Intercept for DynamoFaults {
    fn name(&self) -> &'static str {
        "DynamoFaults"
    }

    fn modify_before_transmit(
        &self,
        context: &mut aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextMut<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let request = context.request_mut();
        let target = request.headers().get("x-amz-target").unwrap_or("?").to_owned();
        let operation = target.rsplit('.').next().unwrap_or(&target).to_owned();
        let body = request.body().bytes().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
        let mut state = self.0.lock().expect("faults");
        state.sent.push((operation.clone(), body));
        let count = {
            let n = state.counts.entry(operation.clone()).or_insert(0);
            *n += 1;
            *n
        };
        // The bag lives as long as the operation, across the SDK's attempts: each attempt says afresh whether a
        // rule applies to it.
        let rule = state.rules.iter().position(|r| r.operation == operation && r.nth == count);
        cfg.interceptor_state().store_or_unset::<Injected>(None);
        if let Some(i) = rule {
            if state.rules[i].neutralize {
                // An empty transaction: DynamoDB refuses it without doing anything.
                let empty = "{\"TransactItems\":[]}";
                *request.body_mut() = aws_smithy_types::body::SdkBody::from(empty);
                request.headers_mut().insert("content-length", empty.len().to_string());
            }
            let sent = state.sent.last().map(|(_, body)| body.clone()).unwrap_or_default();
            cfg.interceptor_state().store_put(Injected(i, sent));
        }
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut aws_sdk_dynamodb::config::interceptors::BeforeDeserializationInterceptorContextMut<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let Some(Injected(i, sent)) = cfg.load::<Injected>().cloned() else { return Ok(()) };
        let rule = self.0.lock().expect("faults").rules[i].clone();
        let body = if rule.body == ALL_UNPROCESSED {
            let request: serde_json::Value = serde_json::from_str(&sent)?;
            serde_json::json!({ "Responses": {}, "UnprocessedKeys": request["RequestItems"] }).to_string()
        } else {
            rule.body
        };
        let response = context.response_mut();
        *response.status_mut() = aws_smithy_runtime_api::http::StatusCode::try_from(rule.status)?;
        *response.body_mut() = aws_smithy_types::body::SdkBody::from(body);
        Ok(())
    }
}

/// A DynamoDB store on moto in a fresh table, with `faults` injected into its client (and the SDK's own retries
/// off when `retries` is false, so that an injected answer reaches the store as it is).
pub async fn faulty_dynamo_store(faults: &DynamoFaults, retries: bool) -> Arc<dyn flows_shared::store::Store> {
    let mut config = crate::backends::dynamodb_client().config().to_builder().interceptor(faults.clone());
    if !retries {
        config = config.retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::disabled());
    }
    Arc::new(crate::backends::dynamo_store(aws_sdk_dynamodb::Client::from_conf(config.build())).await)
}
