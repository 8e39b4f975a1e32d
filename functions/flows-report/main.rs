//! Lambda function `flows-report`: POST /v1/flows/report.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::FLOWS_REPORT).await
}
