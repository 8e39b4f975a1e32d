//! Lambda function `webhook-consumer`: SQS event source: delivers webhooks, reports partial batch failures.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    flows_shared::lambda::run_consumer().await
}
