//! Lambda function `overdue-scheduler`: EventBridge schedule, every minute: marks due assignments overdue and sweeps the outbox.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), lambda_runtime::Error> {
    flows_shared::lambda::run_scheduler().await
}
