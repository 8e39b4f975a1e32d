//! Lambda function `webhooks-list`: GET /v1/webhooks.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WEBHOOKS_LIST).await
}
