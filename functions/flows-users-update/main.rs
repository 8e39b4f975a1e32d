//! Lambda function `flows-users-update`: PUT /flows/{organization}/{flow}/users/{id}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::FLOWS_USERS_UPDATE).await
}
