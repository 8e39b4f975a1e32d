//! SDK errors to [`StoreError`]: throttling and transaction conflicts become [`StoreError::Throttled`] (a 503 the
//! caller may retry), a condition failure is the caller's to read, anything else is a backend failure whose full
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
    StoreError::backend(DisplayErrorContext(err).to_string())
}

pub fn is_condition_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.code() == Some("ConditionalCheckFailedException")
}

#[cfg(test)]
mod tests {
    use super::*;

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
