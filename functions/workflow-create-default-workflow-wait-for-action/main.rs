//! Lambda function `workflow-create-default-workflow-wait-for-action`: POST /v1/Agents/Workflow/CreateDefaultWorkflowWaitForAction.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_CREATE_DEFAULT_WORKFLOW_WAIT_FOR_ACTION).await
}
