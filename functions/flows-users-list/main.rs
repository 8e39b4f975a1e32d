//! Lambda function `flows-users-list`: GET /flows/{organization}/{flow}/users.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::FLOWS_USERS_LIST).await
}
