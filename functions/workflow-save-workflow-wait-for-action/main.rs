//! Lambda function `workflow-save-workflow-wait-for-action`: POST /v1/Agents/Workflow/SaveWorkflowWaitForAction.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_SAVE_WORKFLOW_WAIT_FOR_ACTION).await
}
