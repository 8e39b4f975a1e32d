//! Lambda function `organizations-get`: GET /organizations/{organization}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::ORGANIZATIONS_GET).await
}
