//! Lambda function `workflow-get-email-flow`: POST /v1/Agents/Workflow/GetEmailFlow.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_GET_EMAIL_FLOW).await
}
