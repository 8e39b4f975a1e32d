//! Lambda function `users-create`: POST /v1/users.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::USERS_CREATE).await
}
