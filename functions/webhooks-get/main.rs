//! Lambda function `webhooks-get`: GET /v1/webhooks/{webhookId}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WEBHOOKS_GET).await
}
