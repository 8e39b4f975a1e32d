//! Webhook endpoints, the outbox and the delivery log.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::errors::{is_condition_failure, sdk};
use super::items::{from_item, key, n, s, to_item};
use super::keys::{self, META};
use super::limits::add_completion;
use super::tx::{Cond, Part};
use super::DynamoStore;
use crate::model::{
    oldest_first, Delivery, DeliveryId, Event, OrgId, Timestamp, Webhook, WebhookId, DELIVERY_RETENTION_SECONDS,
};
use crate::store::{
    Completion, Conflict, DeliveryStore, OutboxStore, StoreError, StoreResult, WebhookPatch, WebhookStore,
};

#[async_trait]
impl WebhookStore for DynamoStore {
    async fn create_webhook(&self, hook: &Webhook, max: u32, done: Option<&Completion>) -> StoreResult<()> {
        let mut tx = self.tx();
        tx.put(Part::Webhook, to_item(hook, &keys::org_pk(hook.org_id), &keys::webhook_sk(&hook.id))?, Cond::Absent)?;
        tx.update(Part::WebhookCount, |u| {
            u.set_key(Some(key(keys::org_pk(hook.org_id), keys::WEBHOOK_COUNT_SK)))
                .update_expression("ADD n :one")
                .condition_expression("attribute_not_exists(n) OR n < :max")
                .expression_attribute_values(":one", n(1))
                .expression_attribute_values(":max", n(max))
        })?;
        add_completion(&mut tx, done)?;
        tx.commit(self.client())
            .await?
            .or_fail(|part, _| (part == Part::WebhookCount).then_some(StoreError::Conflict(Conflict::Limit)))
    }

    async fn get_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<Option<Webhook>> {
        self.get_as(keys::org_pk(org), &keys::webhook_sk(id)).await
    }

    async fn list_webhooks(&self, org: OrgId) -> StoreResult<Vec<Webhook>> {
        let mut hooks: Vec<Webhook> = self.query_prefix(keys::org_pk(org), keys::WEBHOOK_PREFIX).await?;
        oldest_first(&mut hooks);
        Ok(hooks)
    }

    async fn patch_webhook(&self, org: OrgId, id: &WebhookId, patch: &WebhookPatch) -> StoreResult<Option<Webhook>> {
        let mut sets = Vec::new();
        let mut removes = Vec::new();
        let mut values: Vec<(&str, AttributeValue)> = Vec::new();
        if let Some(url) = &patch.url {
            sets.push("#url = :url");
            values.push((":url", s(url)));
        }
        if let Some(events) = &patch.events {
            sets.push("events = :events");
            values.push((":events", serde_dynamo::to_attribute_value(events).map_err(StoreError::backend)?));
        }
        if let Some(enabled) = patch.enabled {
            sets.push("enabled = :enabled");
            values.push((":enabled", AttributeValue::Bool(enabled)));
        }
        match &patch.disabled_reason {
            Some(Some(reason)) => {
                sets.push("disabled_reason = :reason");
                values.push((":reason", s(reason)));
            }
            Some(None) => removes.push("disabled_reason"),
            None => {}
        }
        if let Some((secret, until)) = &patch.rotate {
            // The swap reads the current secret in the same update: no read-then-write.
            sets.push("previous_secret = secret, secret = :secret, previous_secret_expires_at = :until");
            values.push((":secret", s(secret)));
            values.push((":until", s(&until.to_rfc3339())));
        }
        if let Some(at) = patch.updated_at {
            sets.push("updated_at = :at");
            values.push((":at", s(&at.to_rfc3339())));
        }
        let mut expression = String::new();
        if !sets.is_empty() {
            expression.push_str(&format!("SET {}", sets.join(", ")));
        }
        if !removes.is_empty() {
            expression.push_str(&format!(" REMOVE {}", removes.join(", ")));
        }
        if expression.is_empty() {
            return self.get_webhook(org, id).await;
        }
        let mut update = self
            .client()
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::org_pk(org), &keys::webhook_sk(id))))
            .update_expression(expression.trim())
            .condition_expression("attribute_exists(PK)")
            .return_values(ReturnValue::AllNew);
        if patch.url.is_some() {
            // URL is one of DynamoDB's reserved words.
            update = update.expression_attribute_names("#url", "url");
        }
        for (name, value) in values {
            update = update.expression_attribute_values(name, value);
        }
        match update.send().await {
            Ok(out) => out.attributes.map(from_item).transpose(),
            Err(err) if is_condition_failure(&err) => Ok(None),
            Err(err) => Err(sdk(err)),
        }
    }

    async fn delete_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<bool> {
        let mut tx = self.tx();
        tx.delete_existing(Part::Webhook, key(keys::org_pk(org), &keys::webhook_sk(id)))?;
        tx.update(Part::WebhookCount, |u| {
            u.set_key(Some(key(keys::org_pk(org), keys::WEBHOOK_COUNT_SK)))
                .update_expression("ADD n :minus_one")
                .expression_attribute_values(":minus_one", n(-1))
        })?;
        match tx.commit(self.client()).await? {
            super::tx::TxOutcome::Committed => Ok(true),
            super::tx::TxOutcome::Failed(Part::Webhook, _) => Ok(false),
            super::tx::TxOutcome::Failed(part, _) => {
                Err(StoreError::backend(format!("a webhook deletion failed on {part:?}")))
            }
        }
    }
}

#[async_trait]
impl OutboxStore for DynamoStore {
    async fn outbox_before(&self, before: Timestamp, limit: usize) -> StoreResult<Vec<Event>> {
        let mut events = Vec::new();
        for shard in 0..keys::OUTBOX_SHARDS {
            let page = self
                .client()
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND SK < :before")
                .expression_attribute_values(":pk", s(&keys::outbox_pk(shard)))
                .expression_attribute_values(":before", s(&keys::outbox_before(before)))
                .limit(i32::try_from(limit).unwrap_or(i32::MAX))
                .send()
                .await
                .map_err(sdk)?;
            for item in page.items.unwrap_or_default() {
                events.push(from_item::<Event>(item)?);
            }
        }
        oldest_first(&mut events);
        events.truncate(limit);
        Ok(events)
    }

    async fn remove_from_outbox(&self, event: &Event) -> StoreResult<()> {
        self.client()
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::outbox_pk_of(&event.id), &keys::outbox_sk(event))))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }
}

#[async_trait]
impl DeliveryStore for DynamoStore {
    async fn count_attempt(&self, webhook: &WebhookId, event_id: &str, expires_at: i64) -> StoreResult<u32> {
        let count = self.increment(key(keys::attempt_pk(webhook, event_id), META), "n", Some(expires_at)).await?;
        u32::try_from(count).map_err(StoreError::backend)
    }

    async fn record_delivery(&self, d: &Delivery) -> StoreResult<()> {
        let mut item = to_item(d, &keys::deliveries_pk(d.org_id, &d.webhook_id), &keys::delivery_sk(&d.id))?;
        item.insert("expires_at".into(), n(d.at.unix() + DELIVERY_RETENTION_SECONDS));
        self.client().put_item().table_name(&self.table).set_item(Some(item)).send().await.map_err(sdk)?;
        Ok(())
    }

    async fn list_deliveries(
        &self,
        org: OrgId,
        webhook: &WebhookId,
        limit: usize,
        after: Option<&DeliveryId>,
    ) -> StoreResult<Vec<Delivery>> {
        let pk = keys::deliveries_pk(org, webhook);
        let mut query = self
            .client()
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":prefix", s(keys::DELIVERY_PREFIX))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        if let Some(after) = after {
            query = query.set_exclusive_start_key(Some(key(pk.clone(), &keys::delivery_sk(after))));
        }
        let page = query.send().await.map_err(sdk)?;
        page.items.unwrap_or_default().into_iter().map(from_item).collect()
    }

    async fn get_delivery(&self, org: OrgId, webhook: &WebhookId, id: &DeliveryId) -> StoreResult<Option<Delivery>> {
        self.get_as(keys::deliveries_pk(org, webhook), &keys::delivery_sk(id)).await
    }
}
