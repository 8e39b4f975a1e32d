//! Lambda function `workflow-remove-participants-from-email-flow`: POST /v1/Agents/Workflow/RemoveParticipantsFromEmailFlow.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_REMOVE_PARTICIPANTS_FROM_EMAIL_FLOW).await
}
