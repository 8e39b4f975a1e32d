//! Lambda function `public-sessions`: POST /v1/public/sessions.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::PUBLIC_SESSIONS).await
}
