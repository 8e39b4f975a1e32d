//! Lambda function `admin-create-organization`: POST /admin/organizations.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::ADMIN_CREATE_ORGANIZATION).await
}
