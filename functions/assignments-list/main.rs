//! Lambda function `assignments-list`: GET /v1/assignments.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::ASSIGNMENTS_LIST).await
}
