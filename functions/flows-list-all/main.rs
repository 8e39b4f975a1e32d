//! Lambda function `flows-list-all`: GET /flows/all.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::FLOWS_LIST_ALL).await
}
