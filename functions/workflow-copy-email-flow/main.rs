//! Lambda function `workflow-copy-email-flow`: POST /v1/Agents/Workflow/CopyEmailFlow.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_COPY_EMAIL_FLOW).await
}
