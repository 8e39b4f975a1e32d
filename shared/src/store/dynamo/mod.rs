//! The DynamoDB store: one table, single-table design. Every access is a GetItem, a Query on a key, a
//! BatchGetItem or a transaction; nothing scans. Keys are built from the caller's organization, never from the
//! request, so another organization's items cannot be addressed. Items are entity structs mapped with
//! serde_dynamo, plus their key attributes. Every key is built in [`keys`]; the methods are split by area:
//! [`directory`] (organizations, users, API keys), [`flows`] (flows and assignments), [`limits`] (rate windows
//! and idempotency records) and [`webhooks`] (endpoints, the outbox, deliveries).
//!
//! | item | PK | SK | notes (who reads it) |
//! |---|---|---|---|
//! | counter | `COUNTER` | `ORG` / `USER` | `n`, updated with `ADD` (new ids) |
//! | organization's counter | `ORG#<org>` | `COUNTER#EMAILFLOW`, `COUNTER#WFINSTANCE` | `n`, updated with `ADD` (SuperOffice's email flow ids, its participants' instance ids) |
//! | organization | `ORG#<org>` | `META` | |
//! | organization slug | `ORGSLUG#<slug>` | `META` | unique by condition |
//! | user | `ORG#<org>` | `USER#<id, 20 digits>` | ordered by id for listing |
//! | user by email | `ORG#<org>` | `EMAIL#<lower-cased email>` | a full copy of the user, written in the same transaction (assign reads it) |
//! | user by external id | `ORG#<org>` | `EXTID#<externalId>` | a full copy of the user with `user_id`; unique by condition (Frigade's `userId` reads it, beside GSI5) |
//! | API key | `APIKEY#<sha256>` | `META` | authentication is this one GetItem (strongly consistent) |
//! | API key, listed | `ORG#<org>` | `APIKEY#<id>` | same record, for listing and revoking |
//! | flow | `ORG#<org>` | `FLOW#<id>` | |
//! | flow slug | `ORG#<org>` | `FLOWSLUG#<slug>` | unique by condition |
//! | flow member | `ORG#<org>#FLOW#<flow>` | `USER#<user>` | GSI1: `ORG#<org>#USER#<user>` / `FLOW#<flow>`: a flow's members (`flow_members`) and a user's flows (`member_flows`), no scan; GSI5 `ORG#<org>#EXT#<sha256 of the member's external id>` / `FLOW#<flow>` once the member has one |
//! | assignment | `ORG#<org>` | `ASGN#<id>` | GSI1 by user, GSI2 by flow and GSI4 by organization (`ORG#<org>#ASGN`), each sorted `ASGN#<assignedAt>#<id>`: the assignment list (newest first, its cursor the last item's time and id), a flow's report (a date range on GSI2), a user's flow states; GSI3 (sparse, sharded) `DUE#<shard>` / `<dueAt>#<org>#<id>` while due (the overdue run); GSI5 `ORG#<org>#EXT#<sha256>` / `ASGN#<assignedAt>#<id>` once the person has an external id |
//! | open assignment | `ORG#<org>` | `OPEN#<flow>#<email>` | one per (flow, person) while open; deleted when the assignment completes or is cancelled |
//! | profile | `ORG#<org>#USER#<user>` | `PROFILE` | what Frigade's sessions told of the user: properties, groups, the newest events; `revision` |
//! | flow state | `ORG#<org>#USER#<user>` | `STATE#<flow id>` | a user's progress in a flow with its newest flow responses; `revision` for optimistic locking; a user's states are one Query; GSI5 `ORG#<org>#EXT#<sha256>` / `STATE#<flow id>` |
//! | webhook endpoint | `ORG#<org>` | `WEBHOOK#<id>` | |
//! | email flow | `ORG#<org>` | `EMAILFLOW#<id, 12 digits>` | SuperOffice's flow with its steps, triggers and goals as one JSON text attribute (bounded to fit); `revision` for optimistic locking; what is inside is found by its id, which names the flow; an organization's flows are one Query (the triggers an event fires) |
//! | email flow participant | `ORG#<org>` | `WFP#<flow, 12 digits>#<person, 20 digits>` | one enrolment per flow and person; `revision` for optimistic locking, written with its `emailflow.step` outbox events; while active and due, in GSI3 under `WFDUE#<shard>` / `<dueAt>#<org>#<flow>#<person>` (partitions apart from the assignments' `DUE#`): the participants' run reads only what is due |
//! | outbox | `OUTBOX#<shard>` | `<time>#<event>` | written in the transaction of the change it announces |
//! | attempt count | `ATTEMPT#<webhook>#<event>` | `META` | `n`, updated with `ADD`; expires |
//! | delivery log | `ORG#<org>#WEBHOOK#<id>` | `DELIVERY#<delivery id>` | ids sort by time; expires |
//! | rate window | `RATE#<bucket>` | `META` | `hits`, one `ADD` per request; expires |
//! | idempotency | `IDEM#<org or admin>#<function>#<key id>#<key>` | `META` | fingerprint, claim, stored response; expires |
//!
//! Access patterns and their cost: authenticate = 1 GetItem, counting the rate window = 1 UpdateItem, both in
//! parallel with the handler's reads; assign = 1 BatchGetItem (flow, user by email, open assignment), then 1
//! TransactWriteItems (assignment, lock, outbox event, and the idempotency record when there is one); a Frigade
//! action = the person by external id (GetItem), the flows and the person index (GSI5: their states, memberships
//! and assignments, three Queries) side by side, then 1 TransactWriteItems (state, assignment, outbox); a Frigade
//! read = the first of those rounds alone. GSI5 is the *person index*: everything Frigade reads about a person,
//! keyed by the organization and their external id (set once), so that it is read beside the person rather than
//! after their user id is known. A write that keys an item without one checks, in its transaction, that the
//! person still has none; the person's `person_indexed` says that what they had before was keyed.

mod directory;
mod email_flows;
mod errors;
mod flows;
mod items;
pub mod keys;
mod limits;
mod progress;
mod schema;
mod tx;
mod webhooks;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::types::{AttributeValue, KeysAndAttributes, ReturnValue, WriteRequest};
use aws_sdk_dynamodb::Client;

use crate::lazy::Lazy;
use crate::store::{StoreError, StoreResult};
use errors::sdk;
use items::{from_item, key, s, Item};

pub use schema::{TABLE_GSIS, TTL_ATTRIBUTE};

/// How many times a batch's unprocessed items are sent again (with back-off) before giving up with
/// [`StoreError::Throttled`], a 503 the caller may retry.
const BATCH_ATTEMPTS: u32 = 5;
/// DynamoDB's limit on one BatchWriteItem (moto accepts more; we keep the real one).
const MAX_BATCH_WRITE: usize = 25;

pub struct DynamoStore {
    /// Built on first use (see [`crate::lazy`]).
    client: Lazy<Client>,
    table: String,
}

/// Waits before the `attempt`th resend of unprocessed batch items: exponential from 20 ms, with full jitter.
pub(super) async fn back_off(attempt: u32) {
    let ceiling = 20u64 << attempt.min(6);
    let mut byte = [0u8; 1];
    let _ = getrandom::fill(&mut byte);
    tokio::time::sleep(Duration::from_millis(ceiling * u64::from(byte[0]) / 255 + 1)).await;
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client: Lazy::ready(client), table: table.into() }
    }

    /// A store whose client is built on its first call.
    pub fn lazy(client: Lazy<Client>, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    pub fn client(&self) -> &Client {
        self.client.get()
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    fn tx(&self) -> tx::Tx<'_> {
        tx::Tx::new(&self.table)
    }

    /// One item; `consistent` for reads that must see the latest write (keys, idempotency records).
    async fn get(&self, pk: String, sk: &str, consistent: bool) -> StoreResult<Option<Item>> {
        let out = self
            .client()
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(consistent)
            .send()
            .await
            .map_err(sdk)?;
        Ok(out.item)
    }

    async fn get_as<T: serde::de::DeserializeOwned>(&self, pk: String, sk: &str) -> StoreResult<Option<T>> {
        self.get(pk, sk, false).await?.map(from_item).transpose()
    }

    /// Every item of an index's partition whose sort key starts with `prefix`, following pages (`GSI1`: `GSI1PK`,
    /// `GSI1SK`).
    async fn query_index_prefix<T: serde::de::DeserializeOwned>(
        &self,
        index: &str,
        pk: String,
        prefix: &str,
    ) -> StoreResult<Vec<T>> {
        self.query_begins_with(Some(index), pk, prefix).await
    }

    /// Every item of a partition whose sort key starts with `prefix`, following pages.
    async fn query_prefix<T: serde::de::DeserializeOwned>(&self, pk: String, prefix: &str) -> StoreResult<Vec<T>> {
        self.query_begins_with(None, pk, prefix).await
    }

    /// What a sharded due index (GSI3, partitions `pk(0)` … `pk(DUE_SHARDS - 1)`) holds up to `until`: at most
    /// `limit` items in all, each shard read in order, and how many items the reads went through.
    async fn due_index(&self, pk: fn(u32) -> String, until: &str, limit: usize) -> StoreResult<(Vec<Item>, u64)> {
        let (mut found, mut read) = (Vec::new(), 0u64);
        for shard in 0..keys::DUE_SHARDS {
            let mut start: Option<Item> = None;
            loop {
                let left = limit.saturating_sub(found.len());
                if left == 0 {
                    break;
                }
                let page = self
                    .client()
                    .query()
                    .table_name(&self.table)
                    .index_name("GSI3")
                    .key_condition_expression("GSI3PK = :pk AND GSI3SK <= :until")
                    .expression_attribute_values(":pk", s(&pk(shard)))
                    .expression_attribute_values(":until", s(until))
                    .limit(i32::try_from(left).unwrap_or(i32::MAX))
                    .set_exclusive_start_key(start.take())
                    .send()
                    .await
                    .map_err(sdk)?;
                read += u64::try_from(page.scanned_count).unwrap_or(0);
                found.extend(page.items.unwrap_or_default());
                match page.last_evaluated_key {
                    Some(next) if !next.is_empty() => start = Some(next),
                    _ => break,
                }
            }
        }
        Ok((found, read))
    }

    /// The table's (or `index`'s) items under `pk` whose sort key starts with `prefix`, following pages.
    async fn query_begins_with<T: serde::de::DeserializeOwned>(
        &self,
        index: Option<&str>,
        pk: String,
        prefix: &str,
    ) -> StoreResult<Vec<T>> {
        let condition = |pk_name: &str, sk_name: &str| format!("{pk_name} = :pk AND begins_with({sk_name}, :prefix)");
        self.query_all(index, condition, &[(":pk", s(&pk)), (":prefix", s(prefix))]).await
    }

    /// Every item of the table's (or `index`'s) key condition `condition` (given the key's attribute names) with
    /// `values`, following pages, in the key's order.
    async fn query_all<T: serde::de::DeserializeOwned>(
        &self,
        index: Option<&str>,
        condition: impl Fn(&str, &str) -> String,
        values: &[(&str, AttributeValue)],
    ) -> StoreResult<Vec<T>> {
        let (pk_name, sk_name) = match index {
            Some(index) => (format!("{index}PK"), format!("{index}SK")),
            None => ("PK".to_owned(), "SK".to_owned()),
        };
        let mut out = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut query = self
                .client()
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_owned))
                .key_condition_expression(condition(&pk_name, &sk_name));
            for (name, value) in values {
                query = query.expression_attribute_values(*name, value.clone());
            }
            let page = query.set_exclusive_start_key(start.take()).send().await.map_err(sdk)?;
            for item in page.items.unwrap_or_default() {
                out.push(from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(next) if !next.is_empty() => start = Some(next),
                _ => return Ok(out),
            }
        }
    }

    /// A page of a partition's items whose sort key starts with `prefix`, in key order, after the item whose sort key
    /// is `after` (the previous page's last), keeping those `filter` (an expression with its values) selects: at
    /// most `limit`, and whether more follow.
    async fn query_after<T: serde::de::DeserializeOwned>(
        &self,
        pk: String,
        prefix: &str,
        after: Option<String>,
        filter: Option<(&str, &[(&str, AttributeValue)])>,
        limit: usize,
    ) -> StoreResult<crate::store::Listed<T>> {
        let mut start = after.map(|sk| key(pk.clone(), &sk));
        let mut found: Vec<T> = Vec::new();
        loop {
            let mut query = self
                .client()
                .query()
                .table_name(&self.table)
                .key_condition_expression("PK = :pk AND begins_with(SK, :prefix)")
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":prefix", s(prefix))
                .limit(i32::try_from(limit + 1).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take());
            if let Some((expression, values)) = filter {
                query = query.filter_expression(expression);
                for (name, value) in values {
                    query = query.expression_attribute_values(*name, value.clone());
                }
            }
            let page = query.send().await.map_err(sdk)?;
            for item in page.items.unwrap_or_default() {
                found.push(from_item(item)?);
            }
            match page.last_evaluated_key {
                Some(next) if !next.is_empty() && found.len() <= limit => start = Some(next),
                _ => return Ok(crate::store::Listed::first(found, limit)),
            }
        }
    }

    /// Reads up to 100 keys in one BatchGetItem (strongly consistent), asking again for unprocessed keys with
    /// back-off.
    async fn batch_get(&self, keys: Vec<Item>) -> StoreResult<Vec<Item>> {
        let mut pending = KeysAndAttributes::builder()
            .set_keys(Some(keys))
            .consistent_read(true)
            .build()
            .map_err(StoreError::backend)?;
        let mut found = Vec::new();
        for attempt in 0..BATCH_ATTEMPTS {
            if attempt > 0 {
                back_off(attempt).await;
            }
            let out = self.client().batch_get_item().request_items(&self.table, pending).send().await.map_err(sdk)?;
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

    /// Writes items in batches of 25, sending unprocessed ones again with back-off.
    async fn batch_put(&self, items: Vec<Item>) -> StoreResult<()> {
        for chunk in items.chunks(MAX_BATCH_WRITE) {
            let mut pending: Vec<WriteRequest> = chunk
                .iter()
                .map(|item| {
                    let put = aws_sdk_dynamodb::types::PutRequest::builder()
                        .set_item(Some(item.clone()))
                        .build()
                        .map_err(StoreError::backend)?;
                    Ok(WriteRequest::builder().put_request(put).build())
                })
                .collect::<StoreResult<_>>()?;
            let mut attempt = 0;
            while !pending.is_empty() {
                if attempt == BATCH_ATTEMPTS {
                    return Err(StoreError::Throttled);
                }
                if attempt > 0 {
                    back_off(attempt).await;
                }
                attempt += 1;
                let out =
                    self.client().batch_write_item().request_items(&self.table, pending).send().await.map_err(sdk)?;
                pending = out.unprocessed_items.and_then(|mut u| u.remove(&self.table)).unwrap_or_default();
            }
        }
        Ok(())
    }

    /// Adds one to the number attribute `attribute` of the item at `item_key` (creating it at 1), setting its
    /// expiry when given; returns the new value.
    async fn increment(&self, item_key: Item, attribute: &str, expires_at: Option<i64>) -> StoreResult<u64> {
        let mut update = self
            .client()
            .update_item()
            .table_name(&self.table)
            .set_key(Some(item_key))
            .update_expression(if expires_at.is_some() { "ADD #n :one SET expires_at = :exp" } else { "ADD #n :one" })
            .expression_attribute_names("#n", attribute)
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(ReturnValue::UpdatedNew);
        if let Some(exp) = expires_at {
            update = update.expression_attribute_values(":exp", AttributeValue::N(exp.to_string()));
        }
        let out = update.send().await.map_err(sdk)?;
        out.attributes
            .and_then(|a| a.get(attribute).and_then(|n| n.as_n().ok()).and_then(|n| n.parse().ok()))
            .ok_or_else(|| StoreError::backend("a counter update returned no value"))
    }
}

/// The sort key of an item, when it has one.
fn sort_key(item: &HashMap<String, AttributeValue>) -> Option<&str> {
    item.get("SK").and_then(|v| v.as_s().ok()).map(String::as_str)
}
