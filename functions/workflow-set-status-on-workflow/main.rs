//! Lambda function `workflow-set-status-on-workflow`: POST /v1/Agents/Workflow/SetStatusOnWorkflow.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_SET_STATUS_ON_WORKFLOW).await
}
