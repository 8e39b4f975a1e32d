//! Lambda function `workflow-get-workflow-goal`: POST /v1/Agents/Workflow/GetWorkflowGoal.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_GET_WORKFLOW_GOAL).await
}
