//! SuperOffice's email flows: one item each in the organization's partition, written over its revision.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::errors::{is_condition_failure, sdk};
use super::items::{from_item, key, to_item, with};
use super::keys;
use super::tx::{Part, TxOutcome};
use super::DynamoStore;
use crate::model::workflow::participants::Participant;
use crate::model::workflow::EmailFlowRecord;
use crate::model::{Event, OrgId, Timestamp, UserId};
use crate::store::{Conflict, EmailFlowStore, Listed, StoreError, StoreResult};

#[async_trait]
impl EmailFlowStore for DynamoStore {
    async fn create_email_flow(&self, record: &EmailFlowRecord) -> StoreResult<()> {
        let item = to_item(record, &keys::org_pk(record.org_id), &keys::email_flow_sk(record.id))?;
        let put = self.client().put_item().table_name(&self.table).set_item(Some(item));
        match put.condition_expression("attribute_not_exists(PK)").send().await {
            Ok(_) => Ok(()),
            Err(err) if is_condition_failure(&err) => Err(StoreError::Conflict(Conflict::Revision)),
            Err(err) => Err(sdk(err)),
        }
    }

    async fn get_email_flow(&self, org: OrgId, id: u64) -> StoreResult<Option<EmailFlowRecord>> {
        self.get_as(keys::org_pk(org), &keys::email_flow_sk(id)).await
    }

    async fn update_email_flow(&self, record: &EmailFlowRecord, expected: u64) -> StoreResult<()> {
        let item = to_item(record, &keys::org_pk(record.org_id), &keys::email_flow_sk(record.id))?;
        let put = self
            .client()
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("#revision = :expected")
            .expression_attribute_names("#revision", "revision")
            .expression_attribute_values(":expected", AttributeValue::N(expected.to_string()));
        match put.send().await {
            Ok(_) => Ok(()),
            Err(err) if is_condition_failure(&err) => Err(StoreError::Conflict(Conflict::Revision)),
            Err(err) => Err(sdk(err)),
        }
    }

    async fn delete_email_flow(&self, org: OrgId, id: u64) -> StoreResult<bool> {
        let out = self
            .client()
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::org_pk(org), &keys::email_flow_sk(id))))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }

    async fn list_email_flows(&self, org: OrgId) -> StoreResult<Vec<EmailFlowRecord>> {
        self.query_prefix(keys::org_pk(org), keys::EMAIL_FLOW_PREFIX).await
    }

    async fn get_participant(&self, org: OrgId, flow: u64, person: UserId) -> StoreResult<Option<Participant>> {
        self.get_as(keys::org_pk(org), &keys::participant_sk(flow, person)).await
    }

    async fn write_participant(&self, p: &Participant, expected: u64, events: &[Event]) -> StoreResult<()> {
        let mut item = to_item(p, &keys::org_pk(p.org_id), &keys::participant_sk(p.flow_id, p.person_id))?;
        if let (true, Some(due)) = (p.is_active(), p.due_at) {
            item = with(
                item,
                &[
                    ("GSI3PK", keys::participant_due_pk_of(p.org_id, p.flow_id, p.person_id)),
                    ("GSI3SK", keys::participant_due_sk(due, p.org_id, p.flow_id, p.person_id)),
                ],
            );
        }
        let mut tx = self.tx();
        if expected == 0 {
            tx.put_if(Part::Participant, item, "attribute_not_exists(PK)", &[], &[])?;
        } else {
            tx.put_if(
                Part::Participant,
                item,
                "#revision = :expected",
                &[("#revision", "revision")],
                &[(":expected", AttributeValue::N(expected.to_string()))],
            )?;
        }
        for event in events {
            self.add_outbox(&mut tx, event)?;
        }
        match tx.commit(self.client()).await? {
            TxOutcome::Committed => Ok(()),
            TxOutcome::Failed(Part::Participant, _) => Err(StoreError::Conflict(Conflict::Revision)),
            TxOutcome::Failed(part, _) => Err(StoreError::backend(format!("a participant write failed on {part:?}"))),
        }
    }

    async fn flow_participants(&self, org: OrgId, flow: u64) -> StoreResult<Vec<Participant>> {
        self.query_prefix(keys::org_pk(org), &keys::participants_prefix(flow)).await
    }

    async fn participants_page(
        &self,
        org: OrgId,
        flow: u64,
        after: Option<UserId>,
        limit: usize,
    ) -> StoreResult<Listed<Participant>> {
        let after = after.map(|person| keys::participant_sk(flow, person));
        self.query_after(keys::org_pk(org), &keys::participants_prefix(flow), after, None, limit).await
    }

    async fn due_participants(&self, now: Timestamp, limit: usize) -> StoreResult<Vec<Participant>> {
        let (items, _) = self.due_index(keys::participant_due_pk, &keys::due_until(now), limit).await?;
        let mut found: Vec<Participant> = Vec::new();
        for item in items {
            match from_item::<Participant>(item) {
                Ok(p) => found.push(p),
                Err(err) => tracing::error!(error = %err, "an unreadable participant in the due index; skipped"),
            }
        }
        found.sort_by_key(|p| p.due_at);
        found.truncate(limit);
        Ok(found)
    }
}
