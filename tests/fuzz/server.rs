//! The server `make fuzz` runs schemathesis against: the local server in-process on a free port of 127.0.0.1, on the
//! backend `FUZZ_BACKEND` names (`memory`, or `dynamodb` through moto at `FLOWS_TEST_DYNAMODB`), with an organization
//! bootstrapped through the admin route. It prints one JSON line (`base`, `secretKey`, `adminToken`) and serves until
//! killed. Webhook hosts resolve to nothing (no DNS is ever asked), and the rate limits are high enough that the
//! fuzzer exercises the routes rather than the limits (the limits have tests of their own).

use flows_testkit::{Backend, TestServer, ADMIN_TOKEN};

#[tokio::main]
async fn main() {
    let backend = match std::env::var("FUZZ_BACKEND").as_deref() {
        Ok("dynamodb") => Backend::Dynamodb,
        _ => Backend::Memory,
    };
    let server = TestServer::start_with(backend, |c| {
        c.rate_limit_standard = 1_000_000;
        c.rate_limit_enterprise = 1_000_000;
        c.rate_limit_admin = 1_000_000;
    })
    .await;
    let org = server.organization("Fuzz", "standard").await;
    println!("{}", serde_json::json!({ "base": server.base, "secretKey": org.secret, "adminToken": ADMIN_TOKEN }));
    std::future::pending::<()>().await;
}
