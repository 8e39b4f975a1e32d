//! Lambda function `cors-update`: PUT /v1/settings/cors.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::CORS_UPDATE).await
}
