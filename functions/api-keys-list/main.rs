//! Lambda function `api-keys-list`: GET /v1/api-keys.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::API_KEYS_LIST).await
}
