//! Lambda function `flows-get`: GET /flows/{organization}/{flow}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::FLOWS_GET).await
}
