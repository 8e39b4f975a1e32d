//! Lambda function `webhooks-delete`: DELETE /v1/webhooks/{webhookId}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WEBHOOKS_DELETE).await
}
