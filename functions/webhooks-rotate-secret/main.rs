//! Lambda function `webhooks-rotate-secret`: POST /v1/webhooks/{webhookId}/rotate-secret.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WEBHOOKS_ROTATE_SECRET).await
}
