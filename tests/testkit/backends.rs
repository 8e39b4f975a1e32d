//! The backends a test runs on: in memory, or DynamoDB and SQS on moto (127.0.0.1, started by `make test`). The
//! DynamoDB tests never skip: without `FLOWS_TEST_DYNAMODB` they fail, saying how to run them.

use std::sync::Arc;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use flows_shared::model::{random_token, AssignmentId, OrgId, Timestamp};
use flows_shared::queue::memory::MemoryQueue;
use flows_shared::queue::sqs::SqsQueue;
use flows_shared::queue::Queue;
use flows_shared::store::any::AnyStore;
use flows_shared::store::dynamo::DynamoStore;
use flows_shared::store::memory::MemoryStore;
use flows_shared::store::Store;

/// The variable `make test` sets to moto's address.
pub const DYNAMODB_ENV: &str = "FLOWS_TEST_DYNAMODB";
/// The variable `make test` sets to the address of the moto that answers one request at a time.
pub const DYNAMODB_SERIAL_ENV: &str = "FLOWS_TEST_DYNAMODB_SERIAL";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Memory,
    Dynamodb,
}

fn moto_endpoint() -> String {
    std::env::var(DYNAMODB_ENV).unwrap_or_else(|_| {
        panic!("{DYNAMODB_ENV} is not set: run the tests with `make test`, which starts moto on 127.0.0.1 and sets it")
    })
}

/// A DynamoDB client for moto on 127.0.0.1.
pub fn dynamodb_client() -> aws_sdk_dynamodb::Client {
    // moto's server is not thread-safe: a transaction deep-copies the table while other requests change it, and
    // answers 500 when they collide. Real DynamoDB has no such failure; the tests give the SDK's own retry of
    // server errors more attempts to ride over moto's.
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::standard().with_max_attempts(10))
        .http_client(flows_shared::aws::https_client())
        .endpoint_url(moto_endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "flows-tests"))
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// A DynamoDB client for the moto that answers one request at a time, where conditional writes are atomic: for
/// the tests of concurrent requests.
pub fn serial_dynamodb_client() -> aws_sdk_dynamodb::Client {
    let endpoint = std::env::var(DYNAMODB_SERIAL_ENV).unwrap_or_else(|_| {
        panic!("{DYNAMODB_SERIAL_ENV} is not set: run the tests with `make test`, which starts both motos and sets it")
    });
    let config = dynamodb_client().config().to_builder().endpoint_url(endpoint).build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// A store for concurrent requests: in memory, or DynamoDB on the moto that answers one request at a time.
pub async fn serial_store(backend: Backend) -> AnyStore {
    match backend {
        Backend::Memory => Arc::new(MemoryStore::new()).into(),
        Backend::Dynamodb => AnyStore::Dynamo(Arc::new(dynamo_store(serial_dynamodb_client()).await)),
    }
}

/// An SQS client for moto on 127.0.0.1 (the same address serves every service).
pub fn sqs_client() -> aws_sdk_sqs::Client {
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .http_client(flows_shared::aws::https_client())
        .endpoint_url(moto_endpoint())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "flows-tests"))
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// A fresh table name, so that tests never see each other's items.
pub fn fresh_name() -> String {
    format!("flows-test-{}", random_token(6))
}

/// A store on `backend`; on DynamoDB, a fresh table of its own.
pub async fn store(backend: Backend) -> AnyStore {
    match backend {
        Backend::Memory => Arc::new(MemoryStore::new()).into(),
        Backend::Dynamodb => AnyStore::Dynamo(Arc::new(dynamo_store(dynamodb_client()).await)),
    }
}

/// A store on `backend` whose due index holds, at `at`, an entry of `org` that is no assignment (a damaged record, or
/// one written by something else): what the scheduled run must set aside rather than stop on.
pub async fn store_with_unreadable_due_entry(
    backend: Backend,
    org: OrgId,
    id: &AssignmentId,
    at: Timestamp,
) -> Arc<dyn Store> {
    match backend {
        Backend::Memory => {
            let memory = MemoryStore::new();
            memory.damage_due_index(at, org, id.clone());
            Arc::new(memory)
        }
        Backend::Dynamodb => {
            use aws_sdk_dynamodb::types::AttributeValue::S;
            use flows_shared::store::dynamo::keys;
            let dynamo = dynamo_store(dynamodb_client()).await;
            dynamo
                .client()
                .put_item()
                .table_name(dynamo.table())
                .item("PK", S(keys::org_pk(org)))
                .item("SK", S(keys::assignment_sk(id)))
                .item("GSI3PK", S(keys::due_pk_of(id)))
                .item("GSI3SK", S(keys::due_sk(at, org, id)))
                .item("status", S("no such status".into()))
                .send()
                .await
                .expect("moto takes the item");
            Arc::new(dynamo)
        }
    }
}

/// A DynamoDB store in a fresh table, through `client`.
pub async fn dynamo_store(client: aws_sdk_dynamodb::Client) -> DynamoStore {
    let store = DynamoStore::new(client, fresh_name());
    store.create_table_if_missing().await.expect("moto creates the table");
    store
}

/// A queue on `backend` (SQS: a fresh queue with its dead-letter queue).
pub async fn queue(backend: Backend) -> Arc<dyn Queue> {
    match backend {
        Backend::Memory => Arc::new(MemoryQueue::new(std::time::Duration::from_secs(30), 20)),
        Backend::Dynamodb => Arc::new(sqs_queue().await),
    }
}

pub async fn sqs_queue() -> SqsQueue {
    SqsQueue::create_if_missing(sqs_client(), &fresh_name()).await.expect("moto creates the queue")
}

/// Records the DynamoDB operation of every request the SDK sends (each attempt, so retries count), with the time
/// it was sent and answered: the round trips an endpoint costs, and which of them wait on each other.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<std::sync::Mutex<Vec<Call>>>);

/// One DynamoDB request: its operation, and when it went out and came back.
#[derive(Debug, Clone)]
pub struct Call {
    pub operation: String,
    pub sent: std::time::Instant,
    pub answered: Option<std::time::Instant>,
}

impl CallLog {
    /// The operations recorded since the last take, in the order they were sent.
    pub fn take(&self) -> Vec<String> {
        self.take_calls().into_iter().map(|c| c.operation).collect()
    }

    pub fn take_calls(&self) -> Vec<Call> {
        std::mem::take(&mut *self.0.lock().expect("call log"))
    }
}

/// The longest chain of calls that wait on each other: a call waits on the calls answered before it was sent.
pub fn sequential_round_trips(calls: &[Call]) -> usize {
    let mut depth: Vec<usize> = Vec::with_capacity(calls.len());
    for (i, call) in calls.iter().enumerate() {
        let before = calls[..i]
            .iter()
            .zip(&depth)
            .filter(|(c, _)| c.answered.is_some_and(|a| a <= call.sent))
            .map(|(_, d)| *d)
            .max()
            .unwrap_or(0);
        depth.push(before + 1);
    }
    depth.into_iter().max().unwrap_or(0)
}

fn operation(context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>) -> String {
    let target = context.request().headers().get("x-amz-target").unwrap_or("?");
    target.rsplit('.').next().unwrap_or(target).to_owned()
}

impl aws_sdk_dynamodb::config::Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let mut calls = self.0.lock().expect("call log");
        cfg.interceptor_state().store_put(CallIndex(calls.len()));
        calls.push(Call { operation: operation(context), sent: std::time::Instant::now(), answered: None });
        Ok(())
    }

    fn read_after_transmit(
        &self,
        _context: &aws_sdk_dynamodb::config::interceptors::BeforeDeserializationInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        if let Some(CallIndex(i)) = cfg.load::<CallIndex>() {
            if let Some(call) = self.0.lock().expect("call log").get_mut(*i) {
                call.answered = Some(std::time::Instant::now());
            }
        }
        Ok(())
    }
}

/// Which call of the log a request is, carried through its config bag.
#[derive(Debug, Clone)]
struct CallIndex(usize);

impl aws_smithy_types::config_bag::Storable for CallIndex {
    type Storer = aws_smithy_types::config_bag::StoreReplace<Self>;
}

/// A DynamoDB store on moto in a fresh table, whose every request is recorded in the returned log.
pub async fn counted_dynamo_store() -> (Arc<dyn Store>, CallLog) {
    let log = CallLog::default();
    let config = dynamodb_client().config().to_builder().interceptor(log.clone()).build();
    let store = dynamo_store(aws_sdk_dynamodb::Client::from_conf(config)).await;
    log.take();
    (Arc::new(store), log)
}

/// The queue of a pipeline test: in memory or SQS, optionally failing every third send.
pub struct TestQueue {
    memory: Option<Arc<MemoryQueue>>,
    sqs: Option<Arc<SqsQueue>>,
    flaky: bool,
}

impl TestQueue {
    pub async fn new(backend: Backend, flaky: bool) -> Self {
        match backend {
            Backend::Memory => Self {
                memory: Some(Arc::new(MemoryQueue::new(std::time::Duration::from_secs(30), 20))),
                sqs: None,
                flaky,
            },
            Backend::Dynamodb => Self { memory: None, sqs: Some(Arc::new(sqs_queue().await)), flaky },
        }
    }

    pub fn queue(&self) -> Arc<dyn Queue> {
        let inner: Arc<dyn Queue> = match (&self.memory, &self.sqs) {
            (Some(m), _) => m.clone(),
            (_, Some(q)) => q.clone(),
            _ => unreachable!("a test queue has one backend"),
        };
        if self.flaky {
            Arc::new(crate::faults::FlakyQueue::new(inner))
        } else {
            inner
        }
    }

    /// Bodies of the messages on the dead-letter queue.
    pub async fn dead_letters(&self) -> Vec<String> {
        if let Some(m) = &self.memory {
            return m.dead_letters();
        }
        let sqs = self.sqs.as_ref().expect("an SQS queue");
        let url = sqs.dead_letter_url().expect("a dead-letter queue");
        let mut bodies = Vec::new();
        loop {
            let out = sqs_client()
                .receive_message()
                .queue_url(url)
                .max_number_of_messages(10)
                .visibility_timeout(60)
                .send()
                .await
                .expect("moto answers");
            let batch = out.messages.unwrap_or_default();
            if batch.is_empty() {
                return bodies;
            }
            bodies.extend(batch.into_iter().filter_map(|m| m.body));
        }
    }
}
