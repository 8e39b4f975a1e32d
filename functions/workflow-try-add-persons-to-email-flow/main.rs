//! Lambda function `workflow-try-add-persons-to-email-flow`: POST /v1/Agents/Workflow/TryAddPersonsToEmailFlow.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_TRY_ADD_PERSONS_TO_EMAIL_FLOW).await
}
