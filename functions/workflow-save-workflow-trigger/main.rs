//! Lambda function `workflow-save-workflow-trigger`: POST /v1/Agents/Workflow/SaveWorkflowTrigger.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_SAVE_WORKFLOW_TRIGGER).await
}
