//! Lambda function `workflow-create-default-email-flow`: POST /v1/Agents/Workflow/CreateDefaultEmailFlow.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_CREATE_DEFAULT_EMAIL_FLOW).await
}
