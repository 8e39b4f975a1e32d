//! Lambda function `flows-create`: POST /flows/{organization}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::FLOWS_CREATE).await
}
