//! Lambda function `workflow-create-default-workflow-goal`: POST /v1/Agents/Workflow/CreateDefaultWorkflowGoal.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_CREATE_DEFAULT_WORKFLOW_GOAL).await
}
