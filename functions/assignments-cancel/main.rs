//! Lambda function `assignments-cancel`: DELETE /v1/assignments/{assignmentId}.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::ASSIGNMENTS_CANCEL).await
}
