//! What the end-to-end tests (and the benchmark) share: the local server started in-process on 127.0.0.1 on
//! either backend, a small JSON client, fixtures that set up an organization through the public API, and a
//! webhook receiver.

pub mod receiver;

use std::sync::Arc;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use flows_shared::app::AppState;
use flows_shared::auth::hash_key;
use flows_shared::config::Config;
use flows_shared::model::{
    random_token, AccessMode, ApiKey, Assignment, AssignmentId, AssignmentStatus, Delivery, DeliveryId, DeliveryStatus,
    Email, Event, EventType, Flow, FlowId, KeyId, KeyKind, OrgId, Organization, Priority, Slug, Step, Tier, Timestamp,
    User, UserId, Webhook, WebhookId,
};
use flows_shared::queue::memory::MemoryQueue;
use flows_shared::queue::sqs::SqsQueue;
use flows_shared::queue::{OutgoingMessage, Queue, QueueError, ReceivedMessage};
use flows_shared::store::dynamo::DynamoStore;
use flows_shared::store::memory::MemoryStore;
use flows_shared::store::seed::Seed;
use flows_shared::store::Store;
use flows_shared::webhooks::deliver::RetrySchedule;
use flows_shared::webhooks::ssrf::Resolver;
use http::{HeaderMap, StatusCode};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A resolver from a fixed table: the tests have no DNS, and must not need any.
#[derive(Default)]
pub struct StaticResolver(pub std::collections::HashMap<String, Vec<std::net::IpAddr>>);

impl StaticResolver {
    pub fn with(entries: &[(&str, &str)]) -> Self {
        let mut map: std::collections::HashMap<String, Vec<std::net::IpAddr>> = Default::default();
        for (host, ip) in entries {
            map.entry((*host).to_owned()).or_default().push(ip.parse().expect("an IP address"));
        }
        Self(map)
    }
}

#[flows_shared::async_trait]
impl Resolver for StaticResolver {
    async fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<std::net::SocketAddr>> {
        let ips = self.0.get(host).ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, host.to_owned()))?;
        Ok(ips.iter().map(|ip| std::net::SocketAddr::new(*ip, port)).collect())
    }
}

/// The variable `make test` sets to moto's address.
pub const DYNAMODB_ENV: &str = "FLOWS_TEST_DYNAMODB";
pub const ADMIN_TOKEN: &str = "test-admin-token";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Memory,
    Dynamodb,
}

/// A DynamoDB client for moto on 127.0.0.1. Without `FLOWS_TEST_DYNAMODB` this fails the test: the DynamoDB
/// tests never skip.
pub fn dynamodb_client() -> aws_sdk_dynamodb::Client {
    let endpoint = std::env::var(DYNAMODB_ENV).unwrap_or_else(|_| {
        panic!("{DYNAMODB_ENV} is not set: run the tests with `make test`, which starts moto on 127.0.0.1 and sets it")
    });
    // moto's server is not thread-safe: a transaction deep-copies the table while other requests change it, and
    // answers 500 when they collide. Real DynamoDB has no such failure; the tests give the SDK's own retry of
    // server errors more attempts to ride over moto's.
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .retry_config(aws_sdk_dynamodb::config::retry::RetryConfig::standard().with_max_attempts(10))
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "flows-tests"))
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
}

/// An SQS client for moto on 127.0.0.1 (the same `FLOWS_TEST_DYNAMODB` address serves every service).
pub fn sqs_client() -> aws_sdk_sqs::Client {
    let endpoint = std::env::var(DYNAMODB_ENV).unwrap_or_else(|_| {
        panic!("{DYNAMODB_ENV} is not set: run the tests with `make test`, which starts moto on 127.0.0.1 and sets it")
    });
    let config = aws_sdk_sqs::Config::builder()
        .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "flows-tests"))
        .build();
    aws_sdk_sqs::Client::from_conf(config)
}

/// A queue on `backend` (SQS: a fresh queue with its dead-letter queue) with the given visibility timeout and
/// receive limit for the in-memory one.
pub async fn queue(backend: Backend) -> Arc<dyn Queue> {
    match backend {
        Backend::Memory => Arc::new(MemoryQueue::new(std::time::Duration::from_secs(30), 20)),
        Backend::Dynamodb => Arc::new(
            SqsQueue::create_if_missing(sqs_client(), &format!("flows-test-{}", random_token(6)))
                .await
                .expect("moto creates the queue"),
        ),
    }
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
            Backend::Dynamodb => {
                let name = format!("flows-test-{}", random_token(6));
                let sqs = SqsQueue::create_if_missing(sqs_client(), &name).await.expect("moto creates the queue");
                Self { memory: None, sqs: Some(Arc::new(sqs)), flaky }
            }
        }
    }

    pub fn queue(&self) -> Arc<dyn Queue> {
        let inner: Arc<dyn Queue> = match (&self.memory, &self.sqs) {
            (Some(m), _) => m.clone(),
            (_, Some(q)) => q.clone(),
            _ => unreachable!("a test queue has one backend"),
        };
        if self.flaky {
            Arc::new(FlakyQueue { inner, sends: AtomicUsize::new(0) })
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

/// A queue whose every third send fails: the fault the outbox is there for.
pub struct FlakyQueue {
    inner: Arc<dyn Queue>,
    sends: AtomicUsize,
}

#[flows_shared::async_trait]
impl Queue for FlakyQueue {
    async fn send_batch(&self, messages: &[OutgoingMessage]) -> Result<Vec<String>, QueueError> {
        if self.sends.fetch_add(1, Ordering::SeqCst) % 3 == 2 {
            return Err(QueueError::backend("injected send failure"));
        }
        self.inner.send_batch(messages).await
    }

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

/// A store on `backend`; on DynamoDB, a fresh table of its own so that tests never see each other's items.
pub async fn store(backend: Backend) -> Arc<dyn Store> {
    match backend {
        Backend::Memory => Arc::new(MemoryStore::new()),
        Backend::Dynamodb => {
            let store = DynamoStore::new(dynamodb_client(), format!("flows-test-{}", random_token(6)));
            store.create_table_if_missing().await.expect("moto creates the table");
            Arc::new(store)
        }
    }
}

/// Test defaults: the admin routes on, limits high enough not to get in the way.
pub fn test_config() -> Config {
    let mut config = Config::for_tests();
    config.admin_token = Some(ADMIN_TOKEN.to_owned());
    config.rate_limit_standard = 100_000;
    config.rate_limit_enterprise = 100_000;
    // Webhook receivers in tests listen on 127.0.0.1.
    config.local_mode = true;
    config
}

/// The local server, serving on a free port of 127.0.0.1 until dropped.
pub struct TestServer {
    pub base: String,
    pub state: Arc<AppState>,
    client: reqwest::Client,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        Self::start_configured(store(backend).await, tweak).await
    }

    /// The server on a store of the caller's making.
    pub async fn start_on(store: Arc<dyn Store>) -> Self {
        Self::start_configured(store, |_| {}).await
    }

    async fn start_configured(store: Arc<dyn Store>, tweak: impl FnOnce(&mut Config)) -> Self {
        Self::start_custom(store, tweak, Arc::new(StaticResolver::default())).await
    }

    /// The server on `store`, with `tweak` applied to the test configuration and `resolver` for webhook hosts.
    pub async fn start_custom(
        store: Arc<dyn Store>,
        tweak: impl FnOnce(&mut Config),
        resolver: Arc<dyn Resolver>,
    ) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        let mut config = test_config();
        config.api_base_url = base.clone();
        config.web_base_url = base.clone();
        tweak(&mut config);
        let queue: Arc<dyn Queue> = Arc::new(MemoryQueue::new(std::time::Duration::from_secs(30), 20));
        let state = AppState::with_parts(config, store, queue, resolver);
        let task = tokio::spawn(flows_shared::local::serve(listener, state.clone()));
        Self { base, state, client: reqwest::Client::builder().no_proxy().build().expect("client"), tasks: vec![task] }
    }

    /// The whole pipeline, as `make run` has it: the server, the delivery consumer and the schedule, on
    /// `backend`'s store and queue (made flaky when asked), with the retry schedule and the schedule's interval
    /// compressed to milliseconds (then `tweak`).
    pub async fn start_pipeline(backend: Backend, queue: &TestQueue, tweak: impl FnOnce(&mut Config)) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        let mut config = test_config();
        config.api_base_url = base.clone();
        config.web_base_url = base.clone();
        config.retry_schedule = RetrySchedule(vec![std::time::Duration::from_millis(20); 7]);
        config.schedule_interval = std::time::Duration::from_millis(50);
        // Long enough that the sweep does not race the request that is sending the event it just wrote.
        config.outbox_sweep_after = std::time::Duration::from_secs(1);
        config.webhook_timeout = std::time::Duration::from_secs(5);
        tweak(&mut config);
        let state =
            AppState::with_parts(config, store(backend).await, queue.queue(), Arc::new(StaticResolver::default()));
        let deliverer = Arc::new(flows_shared::webhooks::consumer::deliverer(&state).expect("an HTTP client"));
        let tasks = vec![
            tokio::spawn(flows_shared::local::serve(listener, state.clone())),
            tokio::spawn(flows_shared::webhooks::consumer::run_local(state.clone(), deliverer, 8)),
            tokio::spawn(flows_shared::schedule::run_local(state.clone())),
        ];
        Self { base, state, client: reqwest::Client::builder().no_proxy().build().expect("client"), tasks }
    }

    /// Sends `method path` with an optional bearer key, JSON body and extra headers.
    pub async fn send(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let method = http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(body) = body {
            request = request.json(body);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Self::read(request.send().await.expect("the server answers")).await
    }

    /// Sends raw bytes with the given content type.
    pub async fn send_raw(
        &self,
        method: &str,
        path: &str,
        key: Option<&str>,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Reply {
        let method = http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, format!("{}{path}", self.base)).body(body);
        if let Some(key) = key {
            request = request.bearer_auth(key);
        }
        if let Some(ct) = content_type {
            request = request.header("content-type", ct);
        }
        Self::read(request.send().await.expect("the server answers")).await
    }

    async fn read(response: reqwest::Response) -> Reply {
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("a body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| panic!("not JSON: {}", String::from_utf8_lossy(&bytes)))
        };
        Reply { status, headers, body }
    }

    pub async fn get(&self, path: &str, key: &str) -> Reply {
        self.send("GET", path, Some(key), None, &[]).await
    }

    pub async fn post(&self, path: &str, key: &str, body: Value) -> Reply {
        self.send("POST", path, Some(key), Some(&body), &[]).await
    }

    /// Creates an organization through the admin route.
    pub async fn organization(&self, name: &str, tier: &str) -> Org {
        let reply = self
            .send(
                "POST",
                "/admin/organizations",
                Some(ADMIN_TOKEN),
                Some(&json!({"name": name, "tier": tier, "owner": {"email": format!("owner@{}.example.com", name.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "")), "name": "Joe Smith", "nick": "Joe"}})),
                &[],
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        Org {
            slug: reply.body["organization"]["parameterized_name"].as_str().expect("slug").to_owned(),
            secret: reply.body["secretKey"].as_str().expect("secret key").to_owned(),
            public: reply.body["publicKey"].as_str().expect("public key").to_owned(),
            body: reply.body,
        }
    }

    /// An organization with a user (`employee@company.com`) and a five-step, two-hour flow, ready to assign.
    pub async fn ready_to_assign(&self, name: &str) -> (Org, String) {
        let org = self.organization(name, "standard").await;
        let user =
            self.post("/v1/users", &org.secret, json!({"email": "employee@company.com", "name": "Eve Employee"})).await;
        assert_eq!(user.status, StatusCode::CREATED, "{:?}", user.body);
        let flow = self
            .post(
                &format!("/flows/{}", org.slug),
                &org.secret,
                json!({
                    "name": "Customer Onboarding",
                    "flowType": "CHECKLIST",
                    "steps": [
                        {"id": "welcome", "title": "Welcome", "estimatedMinutes": 15},
                        {"id": "accounts", "title": "Accounts", "estimatedMinutes": 30},
                        {"id": "tools", "title": "Tools", "estimatedMinutes": 30},
                        {"id": "team", "title": "Team", "estimatedMinutes": 30},
                        {"id": "quiz", "title": "Quiz", "estimatedMinutes": 15}
                    ]
                }),
            )
            .await;
        assert_eq!(flow.status, StatusCode::CREATED, "{:?}", flow.body);
        let flow_id = flow.body["id"].as_str().expect("flow id").to_owned();
        (org, flow_id)
    }
}

/// An organization created for a test, with the keys shown at its creation.
pub struct Org {
    pub slug: String,
    pub secret: String,
    pub public: String,
    pub body: Value,
}

/// Waits, if needed, until the current minute has at least 10 seconds left, so that a test counting requests in
/// one rate-limit window does not see the window turn under it.
pub async fn avoid_minute_boundary() {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs();
    let left = 60 - now % 60;
    if left < 10 {
        tokio::time::sleep(std::time::Duration::from_secs(left + 1)).await;
    }
}

/// Records the DynamoDB operation of every request the SDK sends (each attempt, so retries count): the number of
/// round trips an endpoint costs.
#[derive(Debug, Clone, Default)]
pub struct CallLog(Arc<std::sync::Mutex<Vec<String>>>);

impl CallLog {
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.0.lock().expect("call log"))
    }
}

impl aws_sdk_dynamodb::config::Intercept for CallLog {
    fn name(&self) -> &'static str {
        "CallLog"
    }

    fn read_before_transmit(
        &self,
        context: &aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef<'_>,
        _components: &aws_sdk_dynamodb::config::RuntimeComponents,
        _cfg: &mut aws_sdk_dynamodb::config::ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        let target = context.request().headers().get("x-amz-target").unwrap_or("?");
        let operation = target.rsplit('.').next().unwrap_or(target).to_owned();
        self.0.lock().expect("call log").push(operation);
        Ok(())
    }
}

/// A DynamoDB store on moto in a fresh table, whose every request is recorded in the returned log.
pub async fn counted_dynamo_store() -> (Arc<dyn Store>, CallLog) {
    let log = CallLog::default();
    let config = dynamodb_client().config().to_builder().interceptor(log.clone()).build();
    let store =
        DynamoStore::new(aws_sdk_dynamodb::Client::from_conf(config), format!("flows-test-{}", random_token(6)));
    store.create_table_if_missing().await.expect("moto creates the table");
    log.take();
    (Arc::new(store), log)
}

/// The bearer key of the sample events in `events/http/` (also in [`event_seed`]).
pub const EVENT_KEY: &str = "sk_events_fixture_secret_key";
/// The admin token of the sample admin event.
pub const EVENT_ADMIN_TOKEN: &str = "events-admin-token";
/// The flow the sample events assign.
pub const EVENT_FLOW: &str = "deadbeefdeadbeef";

/// The records the sample events refer to, with fixed ids: organization `acme` (1) with its owner (1),
/// `employee@company.com` (2), `stevie@company.com` (3) and `extra_users` more (`user00001@company.com`, …);
/// keys `key_00000000000000f1` ([`EVENT_KEY`]) and `key_00000000000000f2`; a five-step, two-hour flow
/// [`EVENT_FLOW`]; Stevie's open assignment `asgn_0123456789abcdef01234567`; webhook endpoints
/// `wh_00000000000000a1` and `wh_00000000000000a2`.
pub fn event_seed(extra_users: usize) -> Seed {
    let now = Timestamp::now();
    let org = Organization {
        id: OrgId(1),
        name: "Acme".into(),
        slug: Slug::parse("acme").expect("a slug"),
        tier: Tier::Standard,
        user_count: 0,
        created_at: now,
    };
    let person = |id: u64, email: &str, name: &str| User {
        id: UserId(id),
        org_id: org.id,
        email: Email::parse(email).expect("an email"),
        name: name.into(),
        nick: name.split(' ').next().unwrap_or(name).into(),
        external_id: None,
        disabled: false,
        created_at: now,
    };
    let key = |id: &str, plain: &str| ApiKey {
        id: KeyId::parse(id).expect("a key id"),
        org_id: org.id,
        user_id: UserId(1),
        kind: KeyKind::Secret,
        tier: Tier::Standard,
        prefix: plain[..11].into(),
        hash: hash_key(plain),
        created_at: now,
        revoked_at: None,
    };
    let mut users = vec![
        person(1, "owner@acme.example.com", "Joe Smith"),
        person(2, "employee@company.com", "Eve Employee"),
        person(3, "stevie@company.com", "Stevie Johnson"),
    ];
    users.extend((1..=extra_users).map(|i| person(3 + i as u64, &bench_user(i), "Bench User")));
    let flow = Flow {
        id: FlowId::parse(EVENT_FLOW).expect("a flow id"),
        org_id: org.id,
        name: "Customer Onboarding".into(),
        slug: Slug::parse("customer-onboarding").expect("a slug"),
        access_mode: AccessMode::Invitation,
        join_token: "eedd2bf0643f75c14be9099272429351c7132a71".into(),
        disabled: false,
        flow_type: "CHECKLIST".into(),
        steps: (1..=5)
            .map(|i| Step { id: format!("step-{i}"), title: format!("Step {i}"), estimated_minutes: 24 })
            .collect(),
        version: 1,
        created_by: UserId(1),
        created_at: now,
    };
    let stevie = users[2].clone();
    Seed {
        organizations: vec![org.clone()],
        api_keys: vec![
            key("key_00000000000000f1", EVENT_KEY),
            key("key_00000000000000f2", "sk_events_fixture_spare_key"),
        ],
        assignments: vec![Assignment {
            id: AssignmentId::parse("asgn_0123456789abcdef01234567").expect("an id"),
            org_id: org.id,
            flow_id: flow.id.clone(),
            user_id: stevie.id,
            user_email: stevie.email.clone(),
            due_date: None,
            priority: Some(Priority::Low),
            notes: None,
            status: AssignmentStatus::Assigned,
            assigned_at: now,
            assigned_by: UserId(1),
        }],
        flows: vec![flow],
        users,
        deliveries: vec![Delivery {
            id: DeliveryId::parse("dlv_179552160000000000d01").expect("a delivery id"),
            org_id: org.id,
            webhook_id: WebhookId::parse("wh_00000000000000a1").expect("a webhook id"),
            event: Event::new(
                org.id,
                EventType::FlowAssigned,
                now,
                serde_json::json!({"assignmentId": "asgn_0123456789abcdef01234567"}),
            ),
            attempt: 1,
            status: DeliveryStatus::Failed,
            response_code: Some(503),
            duration_ms: 12,
            error: None,
            at: now,
        }],
        webhooks: ["wh_00000000000000a1", "wh_00000000000000a2"]
            .into_iter()
            .map(|id| Webhook {
                id: WebhookId::parse(id).expect("a webhook id"),
                org_id: org.id,
                url: "https://93.184.216.34/hooks/flows".into(),
                events: EventType::ALL.to_vec(),
                enabled: true,
                secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
                previous_secret: None,
                previous_secret_expires_at: None,
                disabled_reason: None,
                created_at: now,
                updated_at: now,
            })
            .collect(),
    }
}

/// The email of the `i`th extra user of [`event_seed`].
pub fn bench_user(i: usize) -> String {
    format!("user{i:05}@company.com")
}

/// The DynamoDB operations one assign sends (on moto, counted by the SDK interceptor), in order: what the
/// round-trip test holds and the benchmark prints.
pub async fn assign_dynamodb_calls() -> Vec<String> {
    let (store, log) = counted_dynamo_store().await;
    let server = TestServer::start_on(store).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;
    log.take();
    let reply = server
        .post(
            "/v1/flows/assign",
            &org.secret,
            serde_json::json!({"flowId": flow_id, "userEmail": "employee@company.com", "dueDate": "2030-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.body);
    log.take()
}
