//! What the end-to-end tests (and the benchmark) share: the local server started in-process on 127.0.0.1 on
//! either backend, a small JSON client, and fixtures that set up an organization through the public API.

use std::sync::Arc;

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use flows_shared::app::AppState;
use flows_shared::config::Config;
use flows_shared::model::random_token;
use flows_shared::store::dynamo::DynamoStore;
use flows_shared::store::memory::MemoryStore;
use flows_shared::store::Store;
use http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

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
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .endpoint_url(endpoint)
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("testing", "testing", None, None, "flows-tests"))
        .build();
    aws_sdk_dynamodb::Client::from_conf(config)
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
    config
}

/// The local server, serving on a free port of 127.0.0.1 until dropped.
pub struct TestServer {
    pub base: String,
    pub state: Arc<AppState>,
    client: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
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
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a free port");
        let base = format!("http://{}", listener.local_addr().expect("bound"));
        let mut config = test_config();
        config.api_base_url = base.clone();
        config.web_base_url = base.clone();
        tweak(&mut config);
        let state = AppState::new(config, store(backend).await);
        let task = tokio::spawn(flows_shared::local::serve(listener, state.clone()));
        Self { base, state, client: reqwest::Client::builder().no_proxy().build().expect("client"), task }
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
