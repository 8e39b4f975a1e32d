//! Lambda function `not-found`: API Gateway's $default route: 404 or 405 in the project's format.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::FALLBACK).await
}
