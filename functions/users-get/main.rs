//! Lambda function `users-get`: GET /v1/users/{id}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::USERS_GET).await
}
