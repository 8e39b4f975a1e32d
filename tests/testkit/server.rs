//! The local server, started in-process on a free port of 127.0.0.1 on either backend, and a small JSON client.

use std::sync::Arc;

use flows_shared::config::Config;
use flows_shared::model::RetrySchedule;
use flows_shared::queue::memory::MemoryQueue;
use flows_shared::queue::Queue;
use flows_shared::state::AppState;
use flows_shared::store::any::AnyStore;
use flows_shared::webhooks::ssrf::Resolver;
use http::{HeaderMap, StatusCode};
use serde_json::Value;

use crate::backends::{store, Backend, TestQueue};

pub const ADMIN_TOKEN: &str = "test-admin-token-of-at-least-32-characters";

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

/// Test defaults: the admin routes on, limits high enough not to get in the way.
pub fn test_config() -> Config {
    let mut config = Config::for_tests();
    config.admin_token = Some(ADMIN_TOKEN.to_owned());
    config.rate_limit_standard = 100_000;
    config.rate_limit_enterprise = 100_000;
    config.rate_limit_admin = 100_000;
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

async fn listener() -> (tokio::net::TcpListener, String) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let base = format!("http://{}", listener.local_addr().expect("bound"));
    (listener, base)
}

/// A plain HTTP client for the test servers (reqwest finds the process's TLS provider installed).
pub fn http_client() -> reqwest::Client {
    flows_shared::tls::install_provider();
    reqwest::Client::builder().no_proxy().build().expect("client")
}

impl TestServer {
    pub async fn start(backend: Backend) -> Self {
        Self::start_with(backend, |_| {}).await
    }

    pub async fn start_with(backend: Backend, tweak: impl FnOnce(&mut Config)) -> Self {
        Self::start_custom(store(backend).await, tweak, Arc::new(StaticResolver::default())).await
    }

    /// The server on a store of the caller's making.
    pub async fn start_on(store: impl Into<AnyStore>) -> Self {
        Self::start_custom(store, |_| {}, Arc::new(StaticResolver::default())).await
    }

    /// The server on `store`, with `tweak` applied to the test configuration and `resolver` for webhook hosts.
    pub async fn start_custom(
        store: impl Into<AnyStore>,
        tweak: impl FnOnce(&mut Config),
        resolver: Arc<dyn Resolver>,
    ) -> Self {
        let (listener, base) = listener().await;
        let mut config = test_config();
        config.api_base_url = base.clone();
        config.web_base_url = base.clone();
        tweak(&mut config);
        let queue: Arc<dyn Queue> = Arc::new(MemoryQueue::new(std::time::Duration::from_secs(30), 20));
        let state = AppState::new(config, store, queue, resolver);
        let task = tokio::spawn(flows_shared::local::serve(listener, state.clone()));
        Self { base, state, client: http_client(), tasks: vec![task] }
    }

    /// The whole pipeline, as `make run` has it: the server, the delivery consumer and the schedule, on
    /// `backend`'s store and queue (made flaky when asked), with the retry schedule and the schedule's interval
    /// compressed to milliseconds (then `tweak`).
    pub async fn start_pipeline(backend: Backend, queue: &TestQueue, tweak: impl FnOnce(&mut Config)) -> Self {
        Self::start_pipeline_on(store(backend).await, queue, tweak).await
    }

    /// [`Self::start_pipeline`] on a store of the caller's making.
    pub async fn start_pipeline_on(
        store: impl Into<AnyStore>,
        queue: &TestQueue,
        tweak: impl FnOnce(&mut Config),
    ) -> Self {
        let (listener, base) = listener().await;
        let mut config = test_config();
        config.api_base_url = base.clone();
        config.web_base_url = base.clone();
        config.retry_schedule = RetrySchedule(vec![std::time::Duration::from_millis(20); 7]);
        config.schedule_interval = std::time::Duration::from_millis(50);
        // Long enough that the sweep does not race the request that is sending the event it just wrote.
        config.outbox_sweep_after = std::time::Duration::from_secs(1);
        config.webhook_timeout = std::time::Duration::from_secs(5);
        tweak(&mut config);
        let state = AppState::new(config, store, queue.queue(), Arc::new(StaticResolver::default()));
        let deliverer = Arc::new(flows_shared::app::deliverer(&state).expect("an HTTP client"));
        let tasks = vec![
            tokio::spawn(flows_shared::local::serve(listener, state.clone())),
            tokio::spawn(flows_shared::app::run_consumer(state.clone(), deliverer, 8)),
            tokio::spawn(flows_shared::app::run_schedule(state.clone())),
        ];
        Self { base, state, client: http_client(), tasks }
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
}
