//! Lambda function `invitations-accept`: POST /invitations/{invitation}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::INVITATIONS_ACCEPT).await
}
