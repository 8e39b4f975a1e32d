//! Lambda function `workflow-get-workflow-step-option`: POST /v1/Agents/Workflow/GetWorkflowStepOption.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_GET_WORKFLOW_STEP_OPTION).await
}
