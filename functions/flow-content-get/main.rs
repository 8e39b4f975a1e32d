//! Lambda function `flow-content-get`: GET /v1/flows/{flowId}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::FLOW_CONTENT_GET).await
}
