//! Transactions whose items have names. A cancelled transaction says which item's condition failed by its
//! position; here each item carries a [`Part`], so a reordered transaction cannot silently change which error
//! comes back. Every transaction carries a `ClientRequestToken`, so that the SDK's retry of a request whose
//! response was lost is recognised by DynamoDB as the same transaction (for ten minutes) instead of conflicting
//! with itself.

use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem, Update};

use super::errors::{is_retryable, sdk};
use super::items::Item;
use crate::model::random_token;
use crate::store::{Conflict, StoreError, StoreResult};

/// What an item of a transaction is, so that a failed condition can be named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Part {
    Organization,
    OrganizationSlug,
    User,
    UserEmail,
    UserExternalId,
    /// The email lookup a user leaves.
    OldUserEmail,
    /// The organization's `user_count`.
    KeyByHash,
    KeyListed,
    /// A person's keys that are not revoked (the map of their ids to hashes).
    UserKeys,
    /// The organization's counters a change of a person moves: active admins, people.
    OrganizationCounts,
    /// A person another one absorbs (their external id moves to the other).
    AbsorbedUser,
    /// A person who still has no external id: what a write keyed without one checks (see
    /// [`super::DynamoStore::check_no_external_id`]).
    PersonWithoutExternalId,
    Flow,
    FlowSlug,
    /// The slug a flow leaves.
    OldFlowSlug,
    FlowMember,
    Assignment,
    OpenAssignment,
    Outbox,
    FlowState,
    /// An email flow's participant.
    Participant,
    Webhook,
    /// The organization's count of webhook endpoints.
    WebhookCount,
    /// The idempotency record the write completes.
    Completion,
}

/// A put's condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cond {
    /// Overwrites whatever is there.
    None,
    /// Fails when the item exists (returning it as it was).
    Absent,
}

/// A transaction under construction.
pub struct Tx<'a> {
    table: &'a str,
    parts: Vec<Part>,
    items: Vec<TransactWriteItem>,
}

/// How a transaction ended.
pub enum TxOutcome {
    Committed,
    /// Cancelled because the condition of this part failed; with the item as it was, when DynamoDB returned it.
    Failed(Part, Option<Item>),
}

impl<'a> Tx<'a> {
    pub fn new(table: &'a str) -> Self {
        Self { table, parts: Vec::new(), items: Vec::new() }
    }

    pub fn put(&mut self, part: Part, item: Item, cond: Cond) -> StoreResult<&mut Self> {
        let mut put = Put::builder().table_name(self.table).set_item(Some(item));
        if cond == Cond::Absent {
            put = put
                .condition_expression("attribute_not_exists(PK)")
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        }
        self.push(part, TransactWriteItem::builder().put(put.build().map_err(StoreError::backend)?).build());
        Ok(self)
    }

    /// A put with its own condition (names and values given).
    pub fn put_if(
        &mut self,
        part: Part,
        item: Item,
        condition: &str,
        names: &[(&str, &str)],
        values: &[(&str, AttributeValue)],
    ) -> StoreResult<&mut Self> {
        let mut put = Put::builder()
            .table_name(self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        for (k, v) in names {
            put = put.expression_attribute_names(*k, *v);
        }
        for (k, v) in values {
            put = put.expression_attribute_values(*k, v.clone());
        }
        self.push(part, TransactWriteItem::builder().put(put.build().map_err(StoreError::backend)?).build());
        Ok(self)
    }

    /// A delete, whether or not the item exists.
    pub fn delete(&mut self, part: Part, key: Item) -> StoreResult<&mut Self> {
        let delete = aws_sdk_dynamodb::types::Delete::builder()
            .table_name(self.table)
            .set_key(Some(key))
            .build()
            .map_err(StoreError::backend)?;
        self.push(part, TransactWriteItem::builder().delete(delete).build());
        Ok(self)
    }

    /// A delete, on the condition that the item exists.
    pub fn delete_existing(&mut self, part: Part, key: Item) -> StoreResult<&mut Self> {
        let delete = aws_sdk_dynamodb::types::Delete::builder()
            .table_name(self.table)
            .set_key(Some(key))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(StoreError::backend)?;
        self.push(part, TransactWriteItem::builder().delete(delete).build());
        Ok(self)
    }

    /// A condition on an item the transaction does not write.
    pub fn check(&mut self, part: Part, key: Item, condition: &str) -> StoreResult<&mut Self> {
        let check = aws_sdk_dynamodb::types::ConditionCheck::builder()
            .table_name(self.table)
            .set_key(Some(key))
            .condition_expression(condition)
            .build()
            .map_err(StoreError::backend)?;
        self.push(part, TransactWriteItem::builder().condition_check(check).build());
        Ok(self)
    }

    /// An update, built by `build` on a builder that already names the table.
    pub fn update(
        &mut self,
        part: Part,
        build: impl FnOnce(
            aws_sdk_dynamodb::types::builders::UpdateBuilder,
        ) -> aws_sdk_dynamodb::types::builders::UpdateBuilder,
    ) -> StoreResult<&mut Self> {
        let update: Update = build(Update::builder().table_name(self.table)).build().map_err(StoreError::backend)?;
        self.push(part, TransactWriteItem::builder().update(update).build());
        Ok(self)
    }

    fn push(&mut self, part: Part, item: TransactWriteItem) {
        self.parts.push(part);
        self.items.push(item);
    }

    /// Commits the transaction. A transaction cancelled only because another one held one of its items at that
    /// moment (`TransactionConflict`, which DynamoDB answers rather than waits on, e.g. when people are added to
    /// one organization at once and its `user_count` is in each transaction) is tried again, with back-off, up to
    /// [`CONFLICT_ATTEMPTS`] times, then answered as [`StoreError::Throttled`] (a 503 the caller may retry).
    pub async fn commit(self, client: &aws_sdk_dynamodb::Client) -> StoreResult<TxOutcome> {
        for attempt in 0..CONFLICT_ATTEMPTS {
            if attempt > 0 {
                super::back_off(attempt).await;
            }
            let result = client
                .transact_write_items()
                .set_transact_items(Some(self.items.clone()))
                .client_request_token(random_token(16))
                .send()
                .await;
            match result {
                Ok(_) => return Ok(TxOutcome::Committed),
                Err(err) => match cancelled(err, &self.parts)? {
                    Cancelled::Failed(part, item) => return Ok(TxOutcome::Failed(part, item)),
                    Cancelled::Conflict => continue,
                },
            }
        }
        Err(StoreError::Throttled)
    }
}

/// How many times a transaction cancelled by a conflict is sent.
pub const CONFLICT_ATTEMPTS: u32 = 5;

enum Cancelled {
    Failed(Part, Option<Item>),
    /// Another transaction held an item: worth trying again at once.
    Conflict,
}

fn cancelled<R>(err: SdkError<TransactWriteItemsError, R>, parts: &[Part]) -> StoreResult<Cancelled>
where
    R: std::fmt::Debug + Send + Sync + 'static,
{
    if let Some(TransactWriteItemsError::TransactionCanceledException(cancel)) = err.as_service_error() {
        let reasons = cancel.cancellation_reasons();
        if let Some(i) = reasons.iter().position(|r| r.code() == Some("ConditionalCheckFailed")) {
            if let Some(part) = parts.get(i) {
                return Ok(Cancelled::Failed(*part, reasons[i].item().cloned()));
            }
        }
        if reasons.iter().any(|r| r.code() == Some("TransactionConflict")) {
            return Ok(Cancelled::Conflict);
        }
        if reasons.iter().any(|r| r.code().is_some_and(is_retryable)) {
            return Err(StoreError::Throttled);
        }
    }
    Err(sdk(err))
}

impl TxOutcome {
    /// Committed, or the error `on_failure` names for the part that failed (a backend error when it names none).
    pub fn or_fail(self, on_failure: impl FnOnce(Part, Option<Item>) -> Option<StoreError>) -> StoreResult<()> {
        match self {
            TxOutcome::Committed => Ok(()),
            TxOutcome::Failed(Part::Completion, _) => Err(StoreError::Conflict(Conflict::IdempotencyRecord)),
            TxOutcome::Failed(part, old) => Err(on_failure(part, old)
                .unwrap_or_else(|| StoreError::backend(format!("a transaction's condition failed on {part:?}")))),
        }
    }
}
