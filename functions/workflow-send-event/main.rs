//! Lambda function `workflow-send-event`: POST /v1/Agents/Workflow/SendEvent.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_http::Error> {
    flows_shared::lambda::run(&flows_shared::endpoints::WORKFLOW_SEND_EVENT).await
}
