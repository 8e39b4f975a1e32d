//! Lambda function `user-tokens-rotate-secret`: POST /v1/settings/user-tokens/rotate-secret.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::USER_TOKENS_ROTATE_SECRET).await
}
