//! Lambda function `openapi`: GET /openapi.json.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::OPENAPI).await
}
