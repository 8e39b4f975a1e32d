//! Lambda function `workflow-add-after-workflow-step`: POST /v1/Agents/Workflow/AddAfterWorkflowStep.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_ADD_AFTER_WORKFLOW_STEP).await
}
