//! SDK errors to [`StoreError`]: throttling becomes [`StoreError::Throttled`] (a 503 the caller may retry), a
//! cancelled transaction tells which of its items failed its condition, anything else is a backend failure
//! whose full context goes to the log, never to a response.

use std::collections::HashMap;
use std::error::Error;

use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::AttributeValue;

use crate::store::{StoreError, StoreResult};

const THROTTLING: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "ThrottlingException",
    "TransactionConflictException",
    "TransactionInProgressException",
];

pub fn sdk<E, R>(err: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if err.code().is_some_and(|c| THROTTLING.contains(&c)) {
        return StoreError::Throttled;
    }
    StoreError::backend(DisplayErrorContext(err).to_string())
}

pub fn is_condition_failure<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.code() == Some("ConditionalCheckFailedException")
}

/// How a transaction ended: committed, or cancelled because item `i` failed its condition (with the item as it
/// was, when DynamoDB returned it).
pub enum TxOutcome {
    Committed,
    Failed(usize, Option<HashMap<String, AttributeValue>>),
}

pub fn cancelled_at<R>(err: SdkError<TransactWriteItemsError, R>) -> StoreResult<TxOutcome>
where
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancel)) = err.as_service_error() {
        let reasons = cancel.cancellation_reasons();
        if let Some(i) = reasons.iter().position(|r| r.code() == Some("ConditionalCheckFailed")) {
            return Ok(TxOutcome::Failed(i, reasons[i].item().cloned()));
        }
        if reasons.iter().any(|r| r.code().is_some_and(|c| THROTTLING.iter().any(|t| t.starts_with(c)))) {
            return Err(StoreError::Throttled);
        }
    }
    Err(sdk(err))
}
