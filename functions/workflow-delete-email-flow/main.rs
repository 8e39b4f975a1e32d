//! Lambda function `workflow-delete-email-flow`: POST /v1/Agents/Workflow/DeleteEmailFlow.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_DELETE_EMAIL_FLOW).await
}
