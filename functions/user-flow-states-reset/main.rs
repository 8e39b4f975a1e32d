//! Lambda function `user-flow-states-reset`: DELETE /v1/userFlowStates/{flowSlug}/{userId}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::USER_FLOW_STATES_RESET).await
}
