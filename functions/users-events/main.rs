//! Lambda function `users-events`: GET /v1/users/{id}/events.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::USERS_EVENTS).await
}
