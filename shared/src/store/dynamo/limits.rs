//! Rate windows and idempotency records.
//!
//! A rate window is one item per (bucket, minute) whose `hits` one UpdateItem `ADD`s to, outside any
//! transaction: a counter inside transactions would conflict with itself at enterprise rates (DynamoDB cancels a
//! transaction that touches an item another transaction holds, `TransactionConflict`), while a plain `ADD` on one
//! item is serialized by DynamoDB and sustains far more than 1,000 a minute (the per-item write limit is 1,000 a
//! second).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::errors::{is_condition_failure, sdk};
use super::items::{from_item, key, n, s, to_item};
use super::keys::{self, META};
use super::tx::{Part, Tx};
use super::DynamoStore;
use crate::store::{
    Completion, Conflict, Counted, IdempotencyBegin, IdempotencyClaim, IdempotencyStore, RateLimitStore, StoreError,
    StoreResult, StoredResponse,
};

#[derive(serde::Serialize, serde::Deserialize)]
struct IdemItem {
    fingerprint: String,
    #[serde(default)]
    locked_until: i64,
    expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response: Option<StoredResponse>,
}

fn completed(done: &Completion) -> IdemItem {
    IdemItem {
        fingerprint: done.fingerprint.clone(),
        locked_until: 0,
        expires_at: done.expires_at,
        response: Some(done.response.clone()),
    }
}

/// The condition under which a completion may be written: the record is still this request's claim.
const STILL_CLAIMED: &str = "fingerprint = :fp AND attribute_not_exists(#response)";

/// Adds the idempotency record `done` to a transaction, on the condition that the claim is still this request's.
pub(super) fn add_completion(tx: &mut Tx<'_>, done: Option<&Completion>) -> StoreResult<()> {
    let Some(done) = done else { return Ok(()) };
    let item = to_item(&completed(done), &keys::idempotency_pk(&done.key), META)?;
    // RESPONSE is one of DynamoDB's reserved words.
    tx.put_if(Part::Completion, item, STILL_CLAIMED, &[("#response", "response")], &[(":fp", s(&done.fingerprint))])?;
    Ok(())
}

#[async_trait]
impl RateLimitStore for DynamoStore {
    async fn count(&self, counted: &Counted<'_>, window: i64, expires_at: i64) -> StoreResult<u64> {
        let out = self
            .client()
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::rate_pk(counted, window), META)))
            .update_expression("ADD hits :one SET expires_at = :exp")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":exp", n(expires_at))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(sdk)?;
        out.attributes
            .and_then(|a| a.get("hits").and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok()))
            .ok_or_else(|| StoreError::backend("a rate count returned no value"))
    }
}

#[async_trait]
impl IdempotencyStore for DynamoStore {
    async fn begin(&self, claim: &IdempotencyClaim<'_>) -> StoreResult<IdempotencyBegin> {
        let pk = keys::idempotency_pk(claim.key);
        let record = IdemItem {
            fingerprint: claim.fingerprint.to_owned(),
            locked_until: claim.locked_until,
            expires_at: claim.expires_at,
            response: None,
        };
        let result = self
            .client()
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&record, &pk, META)?))
            .condition_expression(
                "attribute_not_exists(PK) OR expires_at < :now OR (attribute_not_exists(#response) AND locked_until < :now)",
            )
            .expression_attribute_names("#response", "response")
            .expression_attribute_values(":now", n(claim.now))
            .send()
            .await;
        match result {
            Ok(_) => Ok(IdempotencyBegin::Started),
            Err(err) if is_condition_failure(&err) => {
                let Some(existing) = self.get(pk, META, true).await?.map(from_item::<IdemItem>).transpose()? else {
                    // Released between our write and our read: the caller may simply retry.
                    return Ok(IdempotencyBegin::InFlight);
                };
                Ok(if existing.fingerprint != claim.fingerprint {
                    IdempotencyBegin::Mismatch
                } else if let Some(response) = existing.response {
                    IdempotencyBegin::Replay(response)
                } else {
                    IdempotencyBegin::InFlight
                })
            }
            Err(err) => Err(sdk(err)),
        }
    }

    async fn complete(&self, done: &Completion) -> StoreResult<()> {
        let result = self
            .client()
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&completed(done), &keys::idempotency_pk(&done.key), META)?))
            .condition_expression(STILL_CLAIMED)
            .expression_attribute_names("#response", "response")
            .expression_attribute_values(":fp", s(&done.fingerprint))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if is_condition_failure(&err) => Err(StoreError::Conflict(Conflict::IdempotencyRecord)),
            Err(err) => Err(sdk(err)),
        }
    }

    async fn release(&self, idem: &str) -> StoreResult<()> {
        let result = self
            .client()
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::idempotency_pk(idem), META)))
            .condition_expression("attribute_not_exists(#response)")
            .expression_attribute_names("#response", "response")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            // Completed meanwhile (by the request that held the key before this one's claim lapsed): keep it.
            Err(err) if is_condition_failure(&err) => Ok(()),
            Err(err) => Err(sdk(err)),
        }
    }
}
