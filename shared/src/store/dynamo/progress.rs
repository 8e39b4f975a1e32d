//! Flow states: one item per (user, flow) in the user's partition, written over its revision, with the
//! assignment it moves and the events that announce it in the same transaction.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::errors::sdk;
use super::flows::{assignment_item, open_lock, status};
use super::items::{key, to_item};
use super::keys;
use super::tx::{Part, TxOutcome};
use super::DynamoStore;
use crate::model::{Assignment, FlowId, FlowState, Membership, OrgId, UserId};
use crate::store::{Conflict, ProgressStore, ProgressWrite, StoreError, StoreResult, UserProgress};

#[async_trait]
impl ProgressStore for DynamoStore {
    async fn user_progress(&self, org: OrgId, user: UserId) -> StoreResult<UserProgress> {
        let side = keys::user_index_pk(org, user);
        let (states, memberships, assignments) = tokio::try_join!(
            self.query_prefix::<FlowState>(keys::states_pk(org, user), keys::STATE_PREFIX),
            self.query_index_prefix::<Membership>("GSI1", side.clone(), keys::MEMBER_INDEX_PREFIX),
            self.query_index_prefix::<Assignment>("GSI1", side, keys::ASSIGNMENT_INDEX_PREFIX),
        )?;
        Ok(UserProgress { states, memberships, assignments })
    }

    async fn write_progress(&self, write: &ProgressWrite<'_>) -> StoreResult<()> {
        let state = write.state;
        let item = to_item(state, &keys::states_pk(state.org_id, state.user_id), &keys::state_sk(&state.flow_id))?;
        let mut tx = self.tx();
        if write.expected == 0 {
            tx.put_if(Part::FlowState, item, "attribute_not_exists(PK)", &[], &[])?;
        } else {
            tx.put_if(
                Part::FlowState,
                item,
                "#revision = :expected",
                &[("#revision", "revision")],
                &[(":expected", AttributeValue::N(write.expected.to_string()))],
            )?;
        }
        if let Some((a, read)) = write.assignment {
            tx.put_if(
                Part::Assignment,
                assignment_item(a)?,
                "#status = :read",
                &[("#status", "status")],
                &[(":read", status(read))],
            )?;
            if !a.status.is_open() {
                let lock = open_lock(a);
                let lock_key = key(
                    lock.get("PK").and_then(|v| v.as_s().ok()).cloned().unwrap_or_default(),
                    lock.get("SK").and_then(|v| v.as_s().ok()).map_or("", String::as_str),
                );
                tx.delete(Part::OpenAssignment, lock_key)?;
            }
        }
        for event in write.events {
            self.add_outbox(&mut tx, event)?;
        }
        match tx.commit(self.client()).await? {
            TxOutcome::Committed => Ok(()),
            TxOutcome::Failed(Part::FlowState | Part::Assignment, _) => Err(StoreError::Conflict(Conflict::Revision)),
            TxOutcome::Failed(part, _) => Err(StoreError::backend(format!("a progress write failed on {part:?}"))),
        }
    }

    async fn delete_progress(&self, org: OrgId, user: UserId, flow: &FlowId) -> StoreResult<bool> {
        let out = self
            .client()
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::states_pk(org, user), &keys::state_sk(flow))))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }
}
