//! Lambda function `flows-update`: PUT /flows/{organization}/{flow}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::FLOWS_UPDATE).await
}
