//! Lambda function `workflow-create-default-workflow-step-from-type`: POST /v1/Agents/Workflow/CreateDefaultWorkflowStepFromType.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_FROM_TYPE).await
}
