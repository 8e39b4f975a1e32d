//! Lambda function `workflow-delete-workflow-wait-for-action`: POST /v1/Agents/Workflow/DeleteWorkflowWaitForAction.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_DELETE_WORKFLOW_WAIT_FOR_ACTION).await
}
