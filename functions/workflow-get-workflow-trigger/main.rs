//! Lambda function `workflow-get-workflow-trigger`: POST /v1/Agents/Workflow/GetWorkflowTrigger.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_GET_WORKFLOW_TRIGGER).await
}
