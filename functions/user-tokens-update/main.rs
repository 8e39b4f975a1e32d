//! Lambda function `user-tokens-update`: PUT /v1/settings/user-tokens.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::USER_TOKENS_UPDATE).await
}
