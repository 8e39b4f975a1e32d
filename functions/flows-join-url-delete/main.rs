//! Lambda function `flows-join-url-delete`: DELETE /flows/{organization}/{flow}/join_url.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::FLOWS_JOIN_URL_DELETE).await
}
