//! Lambda function `webhooks-deliveries`: GET /v1/webhooks/{webhookId}/deliveries.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WEBHOOKS_DELIVERIES).await
}
