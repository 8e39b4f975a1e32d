//! Lambda function `workflow-delete-workflow-goal`: POST /v1/Agents/Workflow/DeleteWorkflowGoal.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_DELETE_WORKFLOW_GOAL).await
}
