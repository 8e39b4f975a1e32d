//! The local server (`make run`): every route on one port, in-memory by default. See the README.

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    flows_shared::local::run().await
}
