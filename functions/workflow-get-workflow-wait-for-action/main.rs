//! Lambda function `workflow-get-workflow-wait-for-action`: POST /v1/Agents/Workflow/GetWorkflowWaitForAction.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_GET_WORKFLOW_WAIT_FOR_ACTION).await
}
