//! SDK errors to [`StoreError`]: throttling, transaction conflicts and a DynamoDB that could not be reached or did not
//! answer in time (once the SDK's own retries are spent) become [`StoreError::Throttled`] (a 503 the caller may
//! retry, with its Idempotency-Key when it writes), a condition failure is the caller's to read, anything else is a backend failure whose full
//! context goes to the log, never to a response.

use std::error::Error;

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};

use crate::store::StoreError;

/// Error codes (and transaction cancellation reasons) that mean "not now": DynamoDB's throttling, a conflict with
/// another transaction on the same item, a transaction with the same token still running.
const RETRYABLE: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "ProvisionedThroughputExceeded",
    "RequestLimitExceeded",
    "ThrottlingException",
    "ThrottlingError",
    "TransactionConflictException",
    "TransactionConflict",
    "TransactionInProgressException",
];

/// Whether an error code or cancellation reason is one of [`RETRYABLE`], compared whole.
pub fn is_retryable(code: &str) -> bool {
    RETRYABLE.contains(&code)
}

pub fn sdk<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if err.code().is_some_and(is_retryable) {
        return StoreError::Throttled;
    }
    if matches!(err, SdkError::DispatchFailure(_) | SdkError::TimeoutError(_)) {
        tracing::warn!(error = %DisplayErrorContext(&err), "DynamoDB unreachable");
        return StoreError::Throttled;
    }
    StoreError::backend(DisplayErrorContext(err).to_string())
}

pub fn is_condition_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.code() == Some("ConditionalCheckFailedException")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unreachable_or_silent_dynamodb_is_not_now_and_anything_else_a_backend_failure() {
        use aws_sdk_dynamodb::operation::get_item::GetItemError;
        use aws_smithy_runtime_api::client::result::ConnectorError;
        type Sdk = SdkError<GetItemError, ()>;

        let refused = Sdk::dispatch_failure(ConnectorError::io("connection refused".into()));
        assert!(matches!(sdk(refused), StoreError::Throttled));
        let silent = Sdk::timeout_error("operation timed out");
        assert!(matches!(sdk(silent), StoreError::Throttled));
        let unreadable = Sdk::construction_failure("bad request");
        assert!(matches!(sdk(unreadable), StoreError::Backend(_)));
    }

    #[test]
    fn every_throttling_code_is_retryable_whole_words_only() {
        for code in ["ThrottlingException", "ThrottlingError", "TransactionConflict", "RequestLimitExceeded"] {
            assert!(is_retryable(code), "{code}");
        }
        for code in ["Throttling", "ConditionalCheckFailed", "ValidationError", ""] {
            assert!(!is_retryable(code), "{code}");
        }
    }
}
