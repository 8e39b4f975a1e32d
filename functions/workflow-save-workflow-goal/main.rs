//! Lambda function `workflow-save-workflow-goal`: POST /v1/Agents/Workflow/SaveWorkflowGoal.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_SAVE_WORKFLOW_GOAL).await
}
