//! Lambda function `public-flow-states-update`: POST /v1/public/flowStates.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::PUBLIC_FLOW_STATES_UPDATE).await
}
