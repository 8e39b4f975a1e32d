//! Lambda function `api-keys-revoke`: DELETE /v1/api-keys/{keyId}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::API_KEYS_REVOKE).await
}
