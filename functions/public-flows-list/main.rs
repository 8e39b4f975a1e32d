//! Lambda function `public-flows-list`: GET /v1/public/flows.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::PUBLIC_FLOWS_LIST).await
}
