//! SuperOffice's email flows: one item each in the organization's partition, written over its revision.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::errors::{is_condition_failure, sdk};
use super::items::{key, to_item};
use super::keys;
use super::DynamoStore;
use crate::model::workflow::EmailFlowRecord;
use crate::model::OrgId;
use crate::store::{Conflict, EmailFlowStore, StoreError, StoreResult};

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
}
