//! Lambda function `public-preflight`: OPTIONS /v1/public/{proxy+}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::PUBLIC_PREFLIGHT).await
}
