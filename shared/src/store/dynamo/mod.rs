//! The DynamoDB store: one table, single-table design. Every access is a GetItem, a Query on a key, a
//! BatchGetItem or a transaction; nothing scans. Keys are built from the caller's organization, never from the
//! request, so another organization's items cannot be addressed. Items are entity structs mapped with
//! serde_dynamo, plus their key attributes.
//!
//! | item | PK | SK | notes |
//! |---|---|---|---|
//! | counter | `COUNTER` | `ORG` / `USER` | `n`, updated with `ADD` |
//! | organization | `ORG#<org>` | `META` | |
//! | organization slug | `ORGSLUG#<slug>` | `META` | unique by condition |
//! | user | `ORG#<org>` | `USER#<id, 20 digits>` | ordered by id for listing |
//! | user by email | `ORG#<org>` | `EMAIL#<lower-cased email>` | a full copy of the user, written in the same transaction |
//! | user by external id | `ORG#<org>` | `EXTID#<externalId>` | `user_id` |
//! | API key | `APIKEY#<sha256>` | `META` | authentication is this one GetItem |
//! | API key, listed | `ORG#<org>` | `APIKEY#<id>` | same record, for listing and revoking |
//! | flow | `ORG#<org>` | `FLOW#<id>` | |
//! | flow slug | `ORG#<org>` | `FLOWSLUG#<slug>` | unique by condition |
//! | flow member | `ORG#<org>#FLOW#<flow>` | `USER#<user>` | GSI1: `ORG#<org>#USER#<user>` / `FLOW#<flow>` |
//! | assignment | `ORG#<org>` | `ASGN#<id>` | GSI1 by user, GSI2 by flow; GSI3 (sparse, sharded) `DUE#<shard>` / `<dueAt>#<org>#<id>` while open with a due date |
//! | open assignment | `ORG#<org>` | `OPEN#<flow>#<email>` | one per (flow, person) while open |
//! | webhook endpoint | `ORG#<org>` | `WEBHOOK#<id>` | |
//! | outbox | `OUTBOX#<shard>` | `<time>#<event>` | written in the transaction of the change it announces |
//! | attempt count | `ATTEMPT#<webhook>#<event>` | `META` | `n`, updated with `ADD`; expires |
//! | delivery log | `ORG#<org>#WEBHOOK#<id>` | `DELIVERY#<delivery id>` | ids sort by time; expires |
//! | rate window | `RATE#<bucket>` | `META` | one conditional update per request; expires |
//! | idempotency | `IDEM#<org or admin>#<function>#<key>` | `META` | fingerprint, stored response; expires |
//!
//! Access patterns and their cost: authenticate = 1 GetItem; rate limit = 1 UpdateItem; assign = 1
//! BatchGetItem (flow, user by email, open assignment) + 1 TransactWriteItems.

mod errors;
mod items;
mod schema;

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, Put, PutRequest, ReturnValue, ReturnValuesOnConditionCheckFailure,
    TransactWriteItem, Update, WriteRequest,
};
use aws_sdk_dynamodb::Client;

use super::*;
use crate::model::AssignmentStatus;
use errors::{cancelled_at, sdk, TxOutcome};
use items::{from_item, key, s, to_item};

pub use schema::TABLE_GSIS;

/// How many times a batch read's unprocessed keys are asked for again before giving up.
const BATCH_RETRIES: usize = 5;
/// Shards of the outbox: spread writes, few enough that the sweep queries them all.
pub const OUTBOX_SHARDS: u32 = 4;
/// How long delivery records and attempt counts are kept.
pub const DELIVERY_LOG_SECONDS: i64 = 30 * 24 * 60 * 60;

fn shard_of(text: &str, shards: u32) -> u32 {
    text.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % shards
}

fn outbox_pk(event_id: &str) -> String {
    format!("OUTBOX#{}", shard_of(event_id, OUTBOX_SHARDS))
}

fn outbox_sk(event: &Event) -> String {
    format!("{}#{}", event.timestamp, event.id)
}

/// Shards of the due-date index: enough to spread writes, few enough to query them all each minute.
pub const DUE_SHARDS: u32 = 8;

pub struct DynamoStore {
    client: Client,
    table: String,
}

fn org_pk(org: OrgId) -> String {
    format!("ORG#{org}")
}

fn user_sk(user: UserId) -> String {
    format!("USER#{:020}", user.0)
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    fn put(&self, item: HashMap<String, AttributeValue>, unique: bool) -> StoreResult<TransactWriteItem> {
        let mut put = Put::builder().table_name(&self.table).set_item(Some(item));
        if unique {
            put = put
                .condition_expression("attribute_not_exists(PK)")
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
        }
        Ok(TransactWriteItem::builder().put(put.build().map_err(StoreError::backend)?).build())
    }

    async fn transact(&self, items: Vec<TransactWriteItem>) -> StoreResult<TxOutcome> {
        match self.client.transact_write_items().set_transact_items(Some(items)).send().await {
            Ok(_) => Ok(TxOutcome::Committed),
            Err(err) => cancelled_at(err),
        }
    }

    async fn get(&self, pk: String, sk: &str) -> StoreResult<Option<HashMap<String, AttributeValue>>> {
        let out =
            self.client.get_item().table_name(&self.table).set_key(Some(key(pk, sk))).send().await.map_err(sdk)?;
        Ok(out.item)
    }

    async fn get_as<T: serde::de::DeserializeOwned>(&self, pk: String, sk: &str) -> StoreResult<Option<T>> {
        self.get(pk, sk).await?.map(from_item).transpose()
    }

    /// Every item of a partition whose sort key starts with `prefix`, following pages.
    async fn query_prefix<T: serde::de::DeserializeOwned>(&self, pk: String, prefix: &str) -> StoreResult<Vec<T>> {
        let mut out = Vec::new();
        let mut start: Option<HashMap<String, AttributeValue>> = None;
        loop {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":prefix", s(prefix))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(sdk)?;
            for item in page.items.unwrap_or_default() {
                out.push(from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(next) if !next.is_empty() => start = Some(next),
                _ => return Ok(out),
            }
        }
    }

    /// Reads up to 100 keys in one BatchGetItem, asking again for unprocessed keys.
    async fn batch_get(
        &self,
        keys: Vec<HashMap<String, AttributeValue>>,
    ) -> StoreResult<Vec<HashMap<String, AttributeValue>>> {
        let mut pending = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(true)
            .build()
            .map_err(StoreError::backend)?;
        let mut found = Vec::new();
        for _ in 0..BATCH_RETRIES {
            let out = self.client.batch_get_item().request_items(&self.table, pending).send().await.map_err(sdk)?;
            if let Some(mut responses) = out.responses {
                found.extend(responses.remove(&self.table).unwrap_or_default());
            }
            match out.unprocessed_keys.and_then(|mut u| u.remove(&self.table)) {
                Some(rest) if !rest.keys.is_empty() => pending = rest,
                _ => return Ok(found),
            }
        }
        Err(StoreError::Throttled)
    }

    /// Adds one to the counter attribute `n` of the item at `item_key` (creating it at 1), optionally setting
    /// its expiry; returns the new value.
    async fn increment(&self, item_key: items::Item, expires_at: Option<i64>) -> StoreResult<u64> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(item_key))
            .update_expression(if expires_at.is_some() { "ADD n :one SET expires_at = :exp" } else { "ADD n :one" })
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(ReturnValue::UpdatedNew);
        if let Some(exp) = expires_at {
            update = update.expression_attribute_values(":exp", AttributeValue::N(exp.to_string()));
        }
        let out = update.send().await.map_err(sdk)?;
        out.attributes
            .and_then(|a| a.get("n").and_then(|n| n.as_n().ok()).and_then(|n| n.parse().ok()))
            .ok_or_else(|| StoreError::backend("a counter update returned no value"))
    }

    fn user_items(&self, user: &User, unique_email: bool) -> StoreResult<Vec<TransactWriteItem>> {
        let pk = org_pk(user.org_id);
        let mut items = vec![
            self.put(to_item(user, &pk, &user_sk(user.id))?, true)?,
            self.put(to_item(user, &pk, &format!("EMAIL#{}", user.email.key()))?, unique_email)?,
        ];
        if let Some(ext) = &user.external_id {
            let mut link = key(pk.clone(), &format!("EXTID#{ext}"));
            link.insert("user_id".into(), AttributeValue::N(user.id.to_string()));
            items.push(self.put(link, true)?);
        }
        Ok(items)
    }

    fn key_items(&self, k: &ApiKey) -> StoreResult<Vec<TransactWriteItem>> {
        Ok(vec![
            self.put(to_item(k, &format!("APIKEY#{}", k.hash), "META")?, true)?,
            self.put(to_item(k, &org_pk(k.org_id), &format!("APIKEY#{}", k.id))?, true)?,
        ])
    }
}

#[async_trait]
impl Directory for DynamoStore {
    async fn next_id(&self, counter: Counter) -> StoreResult<u64> {
        let name = match counter {
            Counter::Organization => "ORG",
            Counter::User => "USER",
        };
        self.increment(key("COUNTER".into(), name), None).await
    }

    async fn create_organization(&self, org: &Organization, owner: &User, keys: &[ApiKey]) -> StoreResult<()> {
        let mut items = vec![
            self.put(to_item(org, &org_pk(org.id), "META")?, true)?,
            self.put(key(format!("ORGSLUG#{}", org.slug.as_str()), "META"), true)?,
        ];
        items.extend(self.user_items(owner, true)?);
        for k in keys {
            items.extend(self.key_items(k)?);
        }
        match self.transact(items).await? {
            TxOutcome::Committed => Ok(()),
            TxOutcome::Failed(1, _) => Err(StoreError::Conflict(Conflict::OrganizationSlug)),
            TxOutcome::Failed(i, _) => Err(StoreError::backend(format!("organization write failed at item {i}"))),
        }
    }

    async fn get_organization(&self, org: OrgId) -> StoreResult<Option<Organization>> {
        self.get_as(org_pk(org), "META").await
    }

    async fn create_user(&self, user: &User) -> StoreResult<()> {
        let mut items = self.user_items(user, true)?;
        let org_update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(org_pk(user.org_id), "META")))
            .update_expression("ADD user_count :one")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .build()
            .map_err(StoreError::backend)?;
        items.push(TransactWriteItem::builder().update(org_update).build());
        let org_index = items.len() - 1;
        match self.transact(items).await? {
            TxOutcome::Committed => Ok(()),
            TxOutcome::Failed(1, _) => Err(StoreError::Conflict(Conflict::UserEmail)),
            TxOutcome::Failed(i, _) if i == org_index => Err(StoreError::Conflict(Conflict::Missing)),
            TxOutcome::Failed(2, _) if user.external_id.is_some() => {
                Err(StoreError::Conflict(Conflict::UserExternalId))
            }
            TxOutcome::Failed(i, _) => Err(StoreError::backend(format!("user write failed at item {i}"))),
        }
    }

    async fn get_user(&self, org: OrgId, user: UserId) -> StoreResult<Option<User>> {
        self.get_as(org_pk(org), &user_sk(user)).await
    }

    async fn find_user_by_email(&self, org: OrgId, email_key: &str) -> StoreResult<Option<User>> {
        self.get_as(org_pk(org), &format!("EMAIL#{email_key}")).await
    }

    async fn list_users(&self, org: OrgId) -> StoreResult<Vec<User>> {
        self.query_prefix(org_pk(org), "USER#").await
    }
}

#[async_trait]
impl KeyStore for DynamoStore {
    async fn find_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>> {
        self.get_as(format!("APIKEY#{hash}"), "META").await
    }

    async fn create_key(&self, k: &ApiKey) -> StoreResult<()> {
        match self.transact(self.key_items(k)?).await? {
            TxOutcome::Committed => Ok(()),
            TxOutcome::Failed(i, _) => Err(StoreError::backend(format!("key write failed at item {i}"))),
        }
    }

    async fn list_keys(&self, org: OrgId) -> StoreResult<Vec<ApiKey>> {
        let mut keys: Vec<ApiKey> = self.query_prefix(org_pk(org), "APIKEY#").await?;
        keys.sort_by(|a, b| (a.created_at, a.id.as_str()).cmp(&(b.created_at, b.id.as_str())));
        Ok(keys)
    }

    async fn revoke_key(&self, org: OrgId, id: &KeyId, at: Timestamp) -> StoreResult<Option<ApiKey>> {
        let listed = format!("APIKEY#{id}");
        let Some(mut k) = self.get_as::<ApiKey>(org_pk(org), &listed).await? else {
            return Ok(None);
        };
        if k.revoked_at.is_some() {
            return Ok(Some(k));
        }
        k.revoked_at = Some(at);
        let update = |pk: String, sk: &str| -> StoreResult<TransactWriteItem> {
            let u = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(pk, sk)))
                .update_expression("SET revoked_at = :at")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":at", s(&at.to_rfc3339()))
                .build()
                .map_err(StoreError::backend)?;
            Ok(TransactWriteItem::builder().update(u).build())
        };
        let items = vec![update(format!("APIKEY#{}", k.hash), "META")?, update(org_pk(org), &listed)?];
        match self.transact(items).await? {
            TxOutcome::Committed => Ok(Some(k)),
            TxOutcome::Failed(i, _) => Err(StoreError::backend(format!("key revocation failed at item {i}"))),
        }
    }
}

#[async_trait]
impl FlowStore for DynamoStore {
    async fn create_flow(&self, flow: &Flow) -> StoreResult<()> {
        let pk = org_pk(flow.org_id);
        let mut slug = key(pk.clone(), &format!("FLOWSLUG#{}", flow.slug.as_str()));
        slug.insert("flow_id".into(), s(flow.id.as_str()));
        let mut member = key(format!("{pk}#FLOW#{}", flow.id), &format!("USER#{}", flow.created_by));
        member.insert("GSI1PK".into(), s(&format!("{pk}#USER#{}", flow.created_by)));
        member.insert("GSI1SK".into(), s(&format!("FLOW#{}", flow.id)));
        member.insert("joined".into(), AttributeValue::Bool(true));
        member.insert("open".into(), AttributeValue::Bool(true));
        let items = vec![
            self.put(to_item(flow, &pk, &format!("FLOW#{}", flow.id))?, true)?,
            self.put(slug, true)?,
            self.put(member, false)?,
        ];
        match self.transact(items).await? {
            TxOutcome::Committed => Ok(()),
            TxOutcome::Failed(1, _) => Err(StoreError::Conflict(Conflict::FlowSlug)),
            TxOutcome::Failed(i, _) => Err(StoreError::backend(format!("flow write failed at item {i}"))),
        }
    }

    async fn get_flow(&self, org: OrgId, flow: &FlowId) -> StoreResult<Option<Flow>> {
        self.get_as(org_pk(org), &format!("FLOW#{flow}")).await
    }
}

/// An assignment's item (with its index keys: by user, by flow, and in the due index while open with a due
/// date) and its open-assignment lock.
fn assignment_items(a: &Assignment) -> StoreResult<(items::Item, items::Item)> {
    let pk = org_pk(a.org_id);
    let mut item = to_item(a, &pk, &format!("ASGN#{}", a.id))?;
    let listed = format!("ASGN#{}#{}", a.assigned_at, a.id);
    item.insert("GSI1PK".into(), s(&format!("{pk}#USER#{}", a.user_id)));
    item.insert("GSI1SK".into(), s(&listed));
    item.insert("GSI2PK".into(), s(&format!("{pk}#FLOW#{}", a.flow_id)));
    item.insert("GSI2SK".into(), s(&listed));
    if let (Some(due), AssignmentStatus::Assigned | AssignmentStatus::Started) = (a.due_date, a.status) {
        item.insert("GSI3PK".into(), s(&format!("DUE#{}", due_shard(&a.id))));
        item.insert("GSI3SK".into(), s(&format!("{due}#{}#{}", a.org_id, a.id)));
    }
    let mut lock = key(pk, &open_sk(&a.flow_id, &a.user_email.key()));
    lock.insert("assignment_id".into(), s(a.id.as_str()));
    Ok((item, lock))
}

/// DynamoDB's limit on one BatchWriteItem (moto accepts more; we keep the real one).
const MAX_BATCH_WRITE: usize = 25;

fn open_sk(flow: &FlowId, email_key: &str) -> String {
    format!("OPEN#{flow}#{email_key}")
}

/// The due-index shard of an assignment: spreads writes over [`DUE_SHARDS`] partitions.
pub fn due_shard(id: &AssignmentId) -> u32 {
    shard_of(id.as_str(), DUE_SHARDS)
}

fn open_assignment_id(item: &HashMap<String, AttributeValue>) -> Option<AssignmentId> {
    item.get("assignment_id").and_then(|v| v.as_s().ok()).and_then(|v| AssignmentId::parse(v).ok())
}

#[async_trait]
impl AssignmentStore for DynamoStore {
    async fn assign_context(&self, org: OrgId, flow: &FlowId, email_key: &str) -> StoreResult<AssignContext> {
        let pk = org_pk(org);
        let flow_sk = format!("FLOW#{flow}");
        let email_sk = format!("EMAIL#{email_key}");
        let open = open_sk(flow, email_key);
        let keys = vec![key(pk.clone(), &flow_sk), key(pk.clone(), &email_sk), key(pk, &open)];
        let mut context = AssignContext::default();
        for item in self.batch_get(keys).await? {
            match item.get("SK").and_then(|v| v.as_s().ok()).map(String::as_str) {
                Some(sk) if sk == flow_sk => context.flow = Some(from_item(item)?),
                Some(sk) if sk == email_sk => context.user = Some(from_item(item)?),
                Some(sk) if sk == open => context.open = open_assignment_id(&item),
                _ => {}
            }
        }
        Ok(context)
    }

    async fn create_assignment(&self, a: &Assignment, event: &Event) -> StoreResult<()> {
        let (item, lock) = assignment_items(a)?;
        let outbox = self.put(to_item(event, &outbox_pk(&event.id), &outbox_sk(event))?, false)?;
        match self.transact(vec![self.put(item, true)?, self.put(lock, true)?, outbox]).await? {
            TxOutcome::Committed => Ok(()),
            TxOutcome::Failed(1, old) => {
                Err(StoreError::Conflict(Conflict::OpenAssignment(old.as_ref().and_then(open_assignment_id))))
            }
            TxOutcome::Failed(i, _) => Err(StoreError::backend(format!("assignment write failed at item {i}"))),
        }
    }

    async fn get_assignment(&self, org: OrgId, id: &AssignmentId) -> StoreResult<Option<Assignment>> {
        self.get_as(org_pk(org), &format!("ASGN#{id}")).await
    }

    async fn import_assignments(&self, assignments: &[Assignment]) -> StoreResult<()> {
        let mut requests = Vec::with_capacity(assignments.len() * 2);
        for a in assignments {
            let (item, lock) = assignment_items(a)?;
            requests.push(item);
            if a.status.is_open() {
                requests.push(lock);
            }
        }
        for chunk in requests.chunks(MAX_BATCH_WRITE) {
            let mut pending: Vec<WriteRequest> = chunk
                .iter()
                .map(|item| {
                    let put =
                        PutRequest::builder().set_item(Some(item.clone())).build().map_err(StoreError::backend)?;
                    Ok(WriteRequest::builder().put_request(put).build())
                })
                .collect::<StoreResult<_>>()?;
            for attempt in 0..=BATCH_RETRIES {
                if pending.is_empty() {
                    break;
                }
                if attempt == BATCH_RETRIES {
                    return Err(StoreError::Throttled);
                }
                let out =
                    self.client.batch_write_item().request_items(&self.table, pending).send().await.map_err(sdk)?;
                pending = out.unprocessed_items.and_then(|mut u| u.remove(&self.table)).unwrap_or_default();
            }
        }
        Ok(())
    }

    async fn due_assignments(&self, now: Timestamp, limit: usize) -> StoreResult<DueAssignments> {
        let mut found = DueAssignments::default();
        // `#~` sorts after every `#<org>#<id>`, so assignments due this very second are included.
        let until = format!("{now}#~");
        for shard in 0..DUE_SHARDS {
            let mut start: Option<HashMap<String, AttributeValue>> = None;
            loop {
                let left = limit.saturating_sub(found.assignments.len());
                if left == 0 {
                    return Ok(found);
                }
                let page = self
                    .client
                    .query()
                    .table_name(&self.table)
                    .index_name("GSI3")
                    .key_condition_expression("GSI3PK = :pk AND GSI3SK <= :until")
                    .expression_attribute_values(":pk", s(&format!("DUE#{shard}")))
                    .expression_attribute_values(":until", s(&until))
                    .limit(i32::try_from(left).unwrap_or(i32::MAX))
                    .set_exclusive_start_key(start.take())
                    .send()
                    .await
                    .map_err(sdk)?;
                found.items_read += u64::try_from(page.scanned_count).unwrap_or(0);
                for item in page.items.unwrap_or_default() {
                    found.assignments.push(from_item(item)?);
                }
                match page.last_evaluated_key {
                    Some(next) if !next.is_empty() => start = Some(next),
                    _ => break,
                }
            }
        }
        Ok(found)
    }

    async fn mark_overdue(&self, a: &Assignment, event: &Event) -> StoreResult<bool> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(org_pk(a.org_id), &format!("ASGN#{}", a.id))))
            .update_expression("SET #status = :overdue REMOVE GSI3PK, GSI3SK")
            .condition_expression("attribute_exists(GSI3PK) AND #status IN (:assigned, :started)")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":overdue", s("overdue"))
            .expression_attribute_values(":assigned", s("assigned"))
            .expression_attribute_values(":started", s("started"))
            .build()
            .map_err(StoreError::backend)?;
        let outbox = self.put(to_item(event, &outbox_pk(&event.id), &outbox_sk(event))?, false)?;
        match self.transact(vec![TransactWriteItem::builder().update(update).build(), outbox]).await? {
            TxOutcome::Committed => Ok(true),
            TxOutcome::Failed(0, _) => Ok(false),
            TxOutcome::Failed(i, _) => Err(StoreError::backend(format!("overdue write failed at item {i}"))),
        }
    }
}

#[async_trait]
impl RateLimitStore for DynamoStore {
    async fn hit(&self, bucket: &str, limit: u32, expires_at: i64) -> StoreResult<RateDecision> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("RATE#{bucket}"), "META")))
            .update_expression("ADD hits :one SET expires_at = :exp")
            .condition_expression("attribute_not_exists(hits) OR hits < :limit")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":exp", AttributeValue::N(expires_at.to_string()))
            .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(RateDecision::Allowed),
            Err(err) if errors::is_condition_failure(&err) => Ok(RateDecision::Limited),
            Err(err) => Err(sdk(err)),
        }
    }
}

#[derive(serde::Serialize, serde::Deserialize)]
struct IdemItem {
    fingerprint: String,
    #[serde(default)]
    locked_until: i64,
    expires_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    response: Option<StoredResponse>,
}

#[async_trait]
impl IdempotencyStore for DynamoStore {
    async fn begin(&self, claim: &IdempotencyClaim<'_>) -> StoreResult<IdempotencyBegin> {
        let pk = format!("IDEM#{}", claim.key);
        let record = IdemItem {
            fingerprint: claim.fingerprint.to_owned(),
            locked_until: claim.locked_until,
            expires_at: claim.expires_at,
            response: None,
        };
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&record, &pk, "META")?))
            .condition_expression(
                "attribute_not_exists(PK) OR expires_at < :now OR (attribute_not_exists(#response) AND locked_until < :now)",
            )
            // RESPONSE is one of DynamoDB's reserved words.
            .expression_attribute_names("#response", "response")
            .expression_attribute_values(":now", AttributeValue::N(claim.now.to_string()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(IdempotencyBegin::Started),
            Err(err) if errors::is_condition_failure(&err) => {
                let Some(existing) = self.get_as::<IdemItem>(pk, "META").await? else {
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

    async fn complete(
        &self,
        idem: &str,
        fingerprint: &str,
        response: &StoredResponse,
        expires_at: i64,
    ) -> StoreResult<()> {
        let record = IdemItem {
            fingerprint: fingerprint.to_owned(),
            locked_until: 0,
            expires_at,
            response: Some(response.clone()),
        };
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&record, &format!("IDEM#{idem}"), "META")?))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    async fn release(&self, idem: &str) -> StoreResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("IDEM#{idem}"), "META")))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }
}

#[async_trait]
impl WebhookStore for DynamoStore {
    async fn create_webhook(&self, hook: &Webhook) -> StoreResult<()> {
        let item = to_item(hook, &org_pk(hook.org_id), &format!("WEBHOOK#{}", hook.id))?;
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    async fn get_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<Option<Webhook>> {
        self.get_as(org_pk(org), &format!("WEBHOOK#{id}")).await
    }

    async fn list_webhooks(&self, org: OrgId) -> StoreResult<Vec<Webhook>> {
        let mut hooks: Vec<Webhook> = self.query_prefix(org_pk(org), "WEBHOOK#").await?;
        hooks.sort_by(|a, b| (a.created_at, a.id.as_str()).cmp(&(b.created_at, b.id.as_str())));
        Ok(hooks)
    }

    async fn update_webhook(&self, hook: &Webhook) -> StoreResult<bool> {
        let item = to_item(hook, &org_pk(hook.org_id), &format!("WEBHOOK#{}", hook.id))?;
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(err) if errors::is_condition_failure(&err) => Ok(false),
            Err(err) => Err(sdk(err)),
        }
    }

    async fn delete_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<bool> {
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(org_pk(org), &format!("WEBHOOK#{id}"))))
            .return_values(ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk)?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }
}

#[async_trait]
impl OutboxStore for DynamoStore {
    async fn outbox_before(&self, before: Timestamp, limit: usize) -> StoreResult<Vec<Event>> {
        let mut events = Vec::new();
        for shard in 0..OUTBOX_SHARDS {
            let page = self
                .client
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND SK < :before")
                .expression_attribute_values(":pk", s(&format!("OUTBOX#{shard}")))
                .expression_attribute_values(":before", s(&before.to_rfc3339()))
                .limit(i32::try_from(limit).unwrap_or(i32::MAX))
                .send()
                .await
                .map_err(sdk)?;
            for item in page.items.unwrap_or_default() {
                events.push(from_item::<Event>(item)?);
            }
        }
        events.sort_by(|a, b| (a.timestamp, &a.id).cmp(&(b.timestamp, &b.id)));
        events.truncate(limit);
        Ok(events)
    }

    async fn remove_from_outbox(&self, event: &Event) -> StoreResult<()> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(outbox_pk(&event.id), &outbox_sk(event))))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }
}

fn delivery_pk(org: OrgId, webhook: &WebhookId) -> String {
    format!("ORG#{org}#WEBHOOK#{webhook}")
}

#[async_trait]
impl DeliveryStore for DynamoStore {
    async fn count_attempt(&self, webhook: &WebhookId, event_id: &str, expires_at: i64) -> StoreResult<u32> {
        let n = self.increment(key(format!("ATTEMPT#{webhook}#{event_id}"), "META"), Some(expires_at)).await?;
        u32::try_from(n).map_err(StoreError::backend)
    }

    async fn record_delivery(&self, d: &Delivery) -> StoreResult<()> {
        let mut item = to_item(d, &delivery_pk(d.org_id, &d.webhook_id), &format!("DELIVERY#{}", d.id))?;
        item.insert("expires_at".into(), AttributeValue::N((d.at.unix() + DELIVERY_LOG_SECONDS).to_string()));
        self.client.put_item().table_name(&self.table).set_item(Some(item)).send().await.map_err(sdk)?;
        Ok(())
    }

    async fn list_deliveries(
        &self,
        org: OrgId,
        webhook: &WebhookId,
        limit: usize,
        after: Option<&DeliveryId>,
    ) -> StoreResult<Vec<Delivery>> {
        let pk = delivery_pk(org, webhook);
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
            .expression_attribute_values(":pk", s(&pk))
            .expression_attribute_values(":prefix", s("DELIVERY#"))
            .scan_index_forward(false)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX));
        if let Some(after) = after {
            query = query.set_exclusive_start_key(Some(key(pk.clone(), &format!("DELIVERY#{after}"))));
        }
        let page = query.send().await.map_err(sdk)?;
        page.items.unwrap_or_default().into_iter().map(from_item).collect()
    }

    async fn get_delivery(&self, org: OrgId, webhook: &WebhookId, id: &DeliveryId) -> StoreResult<Option<Delivery>> {
        self.get_as(delivery_pk(org, webhook), &format!("DELIVERY#{id}")).await
    }
}
