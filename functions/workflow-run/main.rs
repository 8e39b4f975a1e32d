//! Lambda function `workflow-run`: POST /v1/Agents/Workflow/Run.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_RUN).await
}
