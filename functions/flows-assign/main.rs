//! Lambda function `flows-assign`: POST /v1/flows/assign.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::FLOWS_ASSIGN).await
}
