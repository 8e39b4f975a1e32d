//! The server `make fuzz` runs schemathesis against: the local server in-process on a free port of 127.0.0.1, on the
//! backend `FUZZ_BACKEND` names (`memory`, or `dynamodb` through moto at `FLOWS_TEST_DYNAMODB`), with an organization
//! bootstrapped through the admin route, a person and a flow to assign. It prints one JSON line (`base`,
//! `secretKey`, `adminToken`, `organization`, `flowId`, `userEmail`) and serves until killed. Every webhook host
//! resolves to 127.0.0.1 (no DNS is ever asked, and nothing but loopback is reached), and the rate limits are high
//! enough that the fuzzer exercises the routes rather than the limits (the limits have tests of their own).

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use flows_shared::webhooks::ssrf::Resolver;
use flows_testkit::{Backend, TestServer, ADMIN_TOKEN};

struct Loopback;

#[flows_shared::async_trait]
impl Resolver for Loopback {
    async fn resolve(&self, _host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        Ok(vec![SocketAddr::new(IpAddr::from([127, 0, 0, 1]), port)])
    }
}

#[tokio::main]
async fn main() {
    let backend = match std::env::var("FUZZ_BACKEND").as_deref() {
        Ok("dynamodb") => Backend::Dynamodb,
        _ => Backend::Memory,
    };
    let store = flows_testkit::store(backend).await;
    let server = TestServer::start_custom(
        store,
        |c| {
            c.rate_limit_standard = 1_000_000;
            c.rate_limit_enterprise = 1_000_000;
            c.rate_limit_admin = 1_000_000;
        },
        Arc::new(Loopback),
    )
    .await;
    let (org, flow) = server.ready_to_assign("Fuzz").await;
    println!(
        "{}",
        serde_json::json!({
            "base": server.base,
            "secretKey": org.secret,
            "adminToken": ADMIN_TOKEN,
            "organization": org.slug,
            "flowId": flow,
            "userEmail": "employee@company.com",
        })
    );
    std::future::pending::<()>().await;
}
