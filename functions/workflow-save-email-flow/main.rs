//! Lambda function `workflow-save-email-flow`: POST /v1/Agents/Workflow/SaveEmailFlow.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_SAVE_EMAIL_FLOW).await
}
