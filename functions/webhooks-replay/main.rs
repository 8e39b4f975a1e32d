//! Lambda function `webhooks-replay`: POST /v1/webhooks/{webhookId}/deliveries/{deliveryId}/replay.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WEBHOOKS_REPLAY).await
}
