//! Lambda function `email-flow-participants`: GET /v1/emailflows/{emailFlowId}/participants.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::EMAIL_FLOW_PARTICIPANTS).await
}
