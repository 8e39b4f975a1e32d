//! Lambda function `cors-get`: GET /v1/settings/cors.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::CORS_GET).await
}
