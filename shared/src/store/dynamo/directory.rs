//! Organizations, users and API keys.

use std::collections::HashMap;

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValuesOnConditionCheckFailure};

use super::errors::{is_condition_failure, sdk};
use super::items::{attribute, from_item, key, n, s, to_item, Item};
use super::keys::{self, META};
use super::limits::add_completion;
use super::tx::{Cond, Part, Tx, TxOutcome};
use super::DynamoStore;
use crate::model::{ApiKey, KeyId, OrgId, Organization, Timestamp, User, UserId};
use crate::store::{
    Completion, Conflict, Counter, Directory, KeyStore, Listed, Setting, StoreError, StoreResult, UserWrite,
    MAX_KEYS_PER_PERSON,
};

impl DynamoStore {
    /// A user's items: the user, the email lookup (a full copy), with an external id its lookup (a full copy too,
    /// with `user_id`), and the map of their keys that are not revoked (`keys`: those made with them).
    fn add_user(&self, tx: &mut Tx<'_>, user: &User, keys: &[ApiKey]) -> StoreResult<()> {
        let pk = keys::org_pk(user.org_id);
        tx.put(Part::User, to_item(user, &pk, &keys::user_sk(user.id))?, Cond::Absent)?;
        if let Some(email) = &user.email {
            tx.put(Part::UserEmail, to_item(user, &pk, &keys::email_sk(&email.key()))?, Cond::Absent)?;
        }
        if let Some(ext) = &user.external_id {
            tx.put(Part::UserExternalId, external_id_link(user, ext)?, Cond::Absent)?;
        }
        let held: HashMap<String, AttributeValue> = keys.iter().map(|k| (k.id.to_string(), s(&k.hash))).collect();
        let mut item = key(pk, &keys::user_keys_sk(user.id));
        item.insert(USER_KEYS.into(), AttributeValue::M(held));
        tx.put(Part::UserKeys, item, Cond::None)?;
        Ok(())
    }

    fn add_key(&self, tx: &mut Tx<'_>, k: &ApiKey) -> StoreResult<()> {
        tx.put(Part::KeyByHash, to_item(k, &keys::key_hash_pk(&k.hash), META)?, Cond::Absent)?;
        tx.put(Part::KeyListed, to_item(k, &keys::org_pk(k.org_id), &keys::key_listed_sk(&k.id))?, Cond::Absent)?;
        Ok(())
    }

    /// A key rewritten (its role, its revocation): both its items.
    fn add_key_rewrite(&self, tx: &mut Tx<'_>, k: &ApiKey) -> StoreResult<()> {
        tx.put(Part::KeyByHash, to_item(k, &keys::key_hash_pk(&k.hash), META)?, Cond::None)?;
        tx.put(Part::KeyListed, to_item(k, &keys::org_pk(k.org_id), &keys::key_listed_sk(&k.id))?, Cond::None)?;
        Ok(())
    }

    /// Moves the organization's counters: active admins by `admins` (refused when it would leave none, or when
    /// the organization predates the count: the caller counts, then writes again) and people by `people`.
    fn add_org_counts(&self, tx: &mut Tx<'_>, org: OrgId, admins: i64, people: i64) -> StoreResult<()> {
        let mut set = Vec::new();
        let mut conditions = vec!["attribute_exists(PK)"];
        let mut values = vec![];
        if admins != 0 {
            set.push("SET admin_count = admin_count + :admins");
            conditions.push(if admins < 0 { "admin_count > :one" } else { "attribute_exists(admin_count)" });
            values.push((":admins", n(admins)));
            if admins < 0 {
                values.push((":one", n(1)));
            }
        }
        if people != 0 {
            set.push("ADD user_count :people");
            values.push((":people", n(people)));
        }
        let (expression, condition) = (set.join(" "), conditions.join(" AND "));
        tx.update(Part::OrganizationCounts, |u| {
            let mut u = u
                .set_key(Some(key(keys::org_pk(org), META)))
                .update_expression(expression)
                .condition_expression(condition)
                .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
            for (name, value) in values {
                u = u.expression_attribute_values(name, value);
            }
            u
        })?;
        Ok(())
    }

    /// Counts the active admins of an organization made before the count was kept, and keeps the count (unless
    /// another request kept it first).
    async fn count_admins(&self, org: OrgId) -> StoreResult<()> {
        let users: Vec<User> = self.query_prefix(keys::org_pk(org), keys::USER_PREFIX).await?;
        let admins = users.iter().filter(|u| u.is_active_admin()).count();
        let result = self
            .client()
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::org_pk(org), META)))
            .update_expression("SET admin_count = :n")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(admin_count)")
            .expression_attribute_values(":n", n(admins))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if is_condition_failure(&err) => Ok(()),
            Err(err) => Err(sdk(err)),
        }
    }

    /// The keys of a person, not revoked, as the organization's list holds them: for people whose keys predate the
    /// map of them.
    async fn listed_user_keys(&self, org: OrgId, user: UserId) -> StoreResult<Vec<ApiKey>> {
        let all: Vec<ApiKey> = self.query_prefix(keys::org_pk(org), keys::KEY_LISTED_PREFIX).await?;
        Ok(all.into_iter().filter(|k| k.user_id == user && k.revoked_at.is_none()).collect())
    }

    /// Makes the map of a person's keys from the organization's list, for a person whose keys predate it.
    async fn map_user_keys(&self, org: OrgId, user: UserId) -> StoreResult<()> {
        let held = self.listed_user_keys(org, user).await?;
        let map: HashMap<String, AttributeValue> = held.iter().map(|k| (k.id.to_string(), s(&k.hash))).collect();
        let result = self
            .client()
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::org_pk(org), &keys::user_keys_sk(user))))
            .update_expression("SET #k = :map")
            .condition_expression("attribute_not_exists(#k)")
            .expression_attribute_names("#k", USER_KEYS)
            .expression_attribute_values(":map", AttributeValue::M(map))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if is_condition_failure(&err) => Ok(()),
            Err(err) => Err(sdk(err)),
        }
    }

    /// The transaction of a change of a person (see [`UserWrite`]).
    fn user_write_tx(&self, write: &UserWrite<'_>) -> StoreResult<Tx<'_>> {
        let (user, read) = (write.user, write.read);
        let pk = keys::org_pk(user.org_id);
        let mut tx = self.tx();
        let condition = if read.revision == 0 {
            "attribute_exists(PK) AND (attribute_not_exists(#rev) OR #rev = :rev)"
        } else {
            "attribute_exists(PK) AND #rev = :rev"
        };
        tx.put_if(
            Part::User,
            to_item(user, &pk, &keys::user_sk(user.id))?,
            condition,
            &[("#rev", "revision")],
            &[(":rev", n(read.revision))],
        )?;
        let (new_email, old_email) = (user.email.as_ref().map(|e| e.key()), read.email.as_ref().map(|e| e.key()));
        if let Some(email) = &new_email {
            let cond = if new_email == old_email { Cond::None } else { Cond::Absent };
            tx.put(Part::UserEmail, to_item(user, &pk, &keys::email_sk(email))?, cond)?;
        }
        if let Some(email) = old_email.filter(|old| Some(old) != new_email.as_ref()) {
            tx.delete(Part::OldUserEmail, key(pk.clone(), &keys::email_sk(&email)))?;
        }
        if let Some(ext) = &user.external_id {
            let link = external_id_link(user, ext)?;
            match (read.external_id == user.external_id, write.absorbs) {
                (true, _) => tx.put(Part::UserExternalId, link, Cond::None)?,
                // The lookup of the person absorbed becomes this person's.
                (false, Some(absorbed)) => {
                    tx.put_if(Part::UserExternalId, link, "user_id = :absorbed", &[], &[(":absorbed", n(absorbed.id))])?
                }
                (false, None) => tx.put(Part::UserExternalId, link, Cond::Absent)?,
            };
        }
        if let Some(old) = read.external_id.as_ref().filter(|old| Some(*old) != user.external_id.as_ref()) {
            tx.delete(Part::UserExternalId, key(pk.clone(), &keys::external_id_sk(old)))?;
        }
        for k in write.keys {
            self.add_key_rewrite(&mut tx, k)?;
        }
        if user.disabled && !read.disabled {
            // Every key is revoked: none is held any more.
            let mut item = key(pk.clone(), &keys::user_keys_sk(user.id));
            item.insert(USER_KEYS.into(), AttributeValue::M(HashMap::new()));
            tx.put(Part::UserKeys, item, Cond::None)?;
        }
        let admins = i64::from(user.is_active_admin()) - i64::from(read.is_active_admin());
        let people = -i64::from(write.absorbs.is_some());
        if admins != 0 || people != 0 {
            self.add_org_counts(&mut tx, user.org_id, admins, people)?;
        }
        if let Some(absorbed) = write.absorbs {
            tx.delete_existing(Part::AbsorbedUser, key(pk.clone(), &keys::user_sk(absorbed.id)))?;
            tx.delete(Part::UserKeys, key(pk.clone(), &keys::user_keys_sk(absorbed.id)))?;
        }
        Ok(tx)
    }
}

/// The attribute of a person's keys item: key id → hash.
const USER_KEYS: &str = "keys";

/// The lookup of a user by external id: a full copy of the user, with `user_id`.
fn external_id_link(user: &User, ext: &str) -> StoreResult<Item> {
    let mut link = to_item(user, &keys::org_pk(user.org_id), &keys::external_id_sk(ext))?;
    link.insert("user_id".into(), n(user.id));
    Ok(link)
}

/// Whether a failed change of the organization's counts failed for want of the admin count, which organizations
/// made before it was kept lack.
fn lacks_admin_count(old: &Option<Item>) -> bool {
    old.as_ref().is_some_and(|item| !item.contains_key("admin_count"))
}

fn user_conflict(part: Part, _: Option<Item>) -> Option<StoreError> {
    match part {
        Part::UserEmail => Some(StoreError::Conflict(Conflict::UserEmail)),
        Part::UserExternalId => Some(StoreError::Conflict(Conflict::UserExternalId)),
        Part::OrganizationCounts => Some(StoreError::Conflict(Conflict::Missing)),
        _ => None,
    }
}

#[async_trait]
impl Directory for DynamoStore {
    async fn next_id(&self, counter: Counter) -> StoreResult<u64> {
        let (pk, sk) = keys::counter_key(counter);
        self.increment(key(pk, sk), "n", None).await
    }

    async fn raise_counter(&self, counter: Counter, value: u64) -> StoreResult<()> {
        let (pk, sk) = keys::counter_key(counter);
        let result = self
            .client()
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .update_expression("SET n = :v")
            .condition_expression("attribute_not_exists(n) OR n < :v")
            .expression_attribute_values(":v", n(value))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(err) if is_condition_failure(&err) => Ok(()),
            Err(err) => Err(sdk(err)),
        }
    }

    async fn create_organization(
        &self,
        org: &Organization,
        owner: &User,
        api_keys: &[ApiKey],
        done: Option<&Completion>,
    ) -> StoreResult<()> {
        let mut tx = self.tx();
        tx.put(Part::Organization, to_item(org, &keys::org_pk(org.id), META)?, Cond::Absent)?;
        tx.put(Part::OrganizationSlug, key(keys::org_slug_pk(&org.slug), META), Cond::Absent)?;
        let owners: Vec<ApiKey> = api_keys.iter().filter(|k| k.user_id == owner.id).cloned().collect();
        self.add_user(&mut tx, owner, &owners)?;
        for k in api_keys {
            self.add_key(&mut tx, k)?;
        }
        add_completion(&mut tx, done)?;
        tx.commit(self.client()).await?.or_fail(|part, _| match part {
            Part::OrganizationSlug => Some(StoreError::Conflict(Conflict::OrganizationSlug)),
            _ => None,
        })
    }

    async fn get_organization(&self, org: OrgId) -> StoreResult<Option<Organization>> {
        self.get_as(keys::org_pk(org), META).await
    }

    async fn change_setting(&self, org: OrgId, setting: &Setting) -> StoreResult<Option<Organization>> {
        // The attribute the organization item has for it, written as serde_dynamo writes the item.
        let (name, value) = match setting {
            Setting::AllowedOrigins(origins) => ("allowed_origins", attribute(origins)?),
            Setting::UserTokens(policy) => ("user_tokens", attribute(policy)?),
            Setting::UserTokenSecret(secret) => ("user_token_secret", attribute(secret)?),
        };
        let result = self
            .client()
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::org_pk(org), META)))
            .update_expression("SET #setting = :value")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#setting", name)
            .expression_attribute_values(":value", value)
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllNew)
            .send()
            .await;
        match result {
            Ok(out) => out.attributes.map(super::items::from_item).transpose(),
            Err(err) if is_condition_failure(&err) => Ok(None),
            Err(err) => Err(sdk(err)),
        }
    }

    async fn create_user(&self, user: &User, done: Option<&Completion>) -> StoreResult<()> {
        for attempt in 0..2 {
            let mut tx = self.tx();
            self.add_user(&mut tx, user, &[])?;
            self.add_org_counts(&mut tx, user.org_id, i64::from(user.is_active_admin()), 1)?;
            add_completion(&mut tx, done)?;
            match tx.commit(self.client()).await? {
                TxOutcome::Failed(Part::OrganizationCounts, old) if attempt == 0 && lacks_admin_count(&old) => {
                    self.count_admins(user.org_id).await?;
                }
                outcome => return outcome.or_fail(user_conflict),
            }
        }
        Err(StoreError::backend("an organization's admin count could not be kept"))
    }

    async fn get_user(&self, org: OrgId, user: UserId) -> StoreResult<Option<User>> {
        self.get_as(keys::org_pk(org), &keys::user_sk(user)).await
    }

    async fn write_user(&self, write: &UserWrite<'_>) -> StoreResult<()> {
        for attempt in 0..2 {
            match self.user_write_tx(write)?.commit(self.client()).await? {
                TxOutcome::Failed(Part::OrganizationCounts, old) if attempt == 0 && lacks_admin_count(&old) => {
                    self.count_admins(write.user.org_id).await?;
                }
                outcome => {
                    return outcome.or_fail(|part, old| match part {
                        Part::User | Part::AbsorbedUser => Some(StoreError::Conflict(Conflict::Revision)),
                        Part::UserEmail => Some(StoreError::Conflict(Conflict::UserEmail)),
                        Part::UserExternalId => Some(StoreError::Conflict(Conflict::UserExternalId)),
                        Part::OrganizationCounts if old.is_some() => Some(StoreError::Conflict(Conflict::LastAdmin)),
                        Part::OrganizationCounts => Some(StoreError::Conflict(Conflict::Missing)),
                        _ => None,
                    })
                }
            }
        }
        Err(StoreError::backend("an organization's admin count could not be kept"))
    }

    async fn find_user_by_email(&self, org: OrgId, email_key: &str) -> StoreResult<Option<User>> {
        self.get_as(keys::org_pk(org), &keys::email_sk(email_key)).await
    }

    async fn find_user_by_external_id(&self, org: OrgId, external_id: &str) -> StoreResult<Option<User>> {
        let Some(item) = self.get(keys::org_pk(org), &keys::external_id_sk(external_id), true).await? else {
            return Ok(None);
        };
        // Lookups written before they carried a copy of the user name it by `user_id` only.
        let named = item.get("user_id").and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok()).map(UserId);
        match super::items::from_item::<User>(item) {
            Ok(user) => Ok(Some(user)),
            Err(_) => match named {
                Some(id) => self.get_as(keys::org_pk(org), &keys::user_sk(id)).await,
                None => Err(StoreError::backend("an external id's lookup names no user")),
            },
        }
    }

    async fn list_users(&self, org: OrgId) -> StoreResult<Vec<User>> {
        self.query_prefix(keys::org_pk(org), keys::USER_PREFIX).await
    }

    async fn users_page(&self, org: OrgId, after: Option<UserId>, limit: usize) -> StoreResult<Listed<User>> {
        self.query_after(keys::org_pk(org), keys::USER_PREFIX, after.map(keys::user_sk), None, limit).await
    }
}

#[async_trait]
impl KeyStore for DynamoStore {
    async fn find_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>> {
        self.get(keys::key_hash_pk(hash), META, true).await?.map(super::items::from_item).transpose()
    }

    async fn create_key(&self, k: &ApiKey, done: Option<&Completion>) -> StoreResult<()> {
        let held = key(keys::org_pk(k.org_id), &keys::user_keys_sk(k.user_id));
        for attempt in 0..2 {
            let mut tx = self.tx();
            self.add_key(&mut tx, k)?;
            tx.update(Part::UserKeys, |u| {
                u.set_key(Some(held.clone()))
                    .update_expression("SET #k.#id = :hash")
                    .condition_expression("attribute_exists(#k) AND size(#k) < :max")
                    .expression_attribute_names("#k", USER_KEYS)
                    .expression_attribute_names("#id", k.id.as_str())
                    .expression_attribute_values(":hash", s(&k.hash))
                    .expression_attribute_values(":max", n(MAX_KEYS_PER_PERSON))
                    .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld)
            })?;
            add_completion(&mut tx, done)?;
            match tx.commit(self.client()).await? {
                TxOutcome::Failed(Part::UserKeys, old)
                    if attempt == 0 && old.as_ref().is_none_or(|item| !item.contains_key(USER_KEYS)) =>
                {
                    // A person whose keys predate the map of them: map them, then count again.
                    self.map_user_keys(k.org_id, k.user_id).await?;
                }
                outcome => {
                    return outcome.or_fail(|part, _| match part {
                        Part::UserKeys => Some(StoreError::Conflict(Conflict::Limit)),
                        _ => None,
                    })
                }
            }
        }
        Err(StoreError::backend("a person's keys could not be mapped"))
    }

    async fn get_key(&self, org: OrgId, id: &KeyId) -> StoreResult<Option<ApiKey>> {
        self.get(keys::org_pk(org), &keys::key_listed_sk(id), true).await?.map(from_item).transpose()
    }

    async fn keys_page(
        &self,
        org: OrgId,
        user: Option<UserId>,
        after: Option<&KeyId>,
        limit: usize,
    ) -> StoreResult<Listed<ApiKey>> {
        let values = user.map(|u| [(":user", n(u))]);
        let filter = values.as_ref().map(|v| ("user_id = :user", &v[..]));
        self.query_after(keys::org_pk(org), keys::KEY_LISTED_PREFIX, after.map(keys::key_listed_sk), filter, limit)
            .await
    }

    async fn user_keys(&self, org: OrgId, user: UserId) -> StoreResult<Vec<ApiKey>> {
        let held = self.get(keys::org_pk(org), &keys::user_keys_sk(user), true).await?;
        let Some(AttributeValue::M(map)) = held.and_then(|mut item| item.remove(USER_KEYS)) else {
            return self.listed_user_keys(org, user).await;
        };
        let mut found = Vec::with_capacity(map.len());
        let hashes: Vec<String> = map.values().filter_map(|v| v.as_s().ok().cloned()).collect();
        for chunk in hashes.chunks(100) {
            let wanted = chunk.iter().map(|h| key(keys::key_hash_pk(h), META)).collect();
            for item in self.batch_get(wanted).await? {
                let k: ApiKey = from_item(item)?;
                if k.org_id == org && k.user_id == user && k.revoked_at.is_none() {
                    found.push(k);
                }
            }
        }
        found.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(found)
    }

    async fn revoke_key(&self, org: OrgId, id: &KeyId, at: Timestamp) -> StoreResult<Option<ApiKey>> {
        let listed = keys::key_listed_sk(id);
        let Some(item) = self.get(keys::org_pk(org), &listed, true).await? else {
            return Ok(None);
        };
        let mut k: ApiKey = from_item(item)?;
        if k.revoked_at.is_some() {
            return Ok(Some(k));
        }
        k.revoked_at = Some(at);
        for with_map in [true, false] {
            let mut tx = self.tx();
            for (part, pk, sk) in [
                (Part::KeyByHash, keys::key_hash_pk(&k.hash), META.to_owned()),
                (Part::KeyListed, keys::org_pk(org), listed.clone()),
            ] {
                tx.update(part, |u| {
                    u.set_key(Some(key(pk, &sk)))
                        .update_expression("SET revoked_at = if_not_exists(revoked_at, :at)")
                        .condition_expression("attribute_exists(PK)")
                        .expression_attribute_values(":at", s(&at.to_rfc3339()))
                })?;
            }
            if with_map {
                tx.update(Part::UserKeys, |u| {
                    u.set_key(Some(key(keys::org_pk(org), &keys::user_keys_sk(k.user_id))))
                        .update_expression("REMOVE #k.#id")
                        .condition_expression("attribute_exists(#k)")
                        .expression_attribute_names("#k", USER_KEYS)
                        .expression_attribute_names("#id", id.as_str())
                })?;
            }
            match tx.commit(self.client()).await? {
                // A person whose keys predate the map of them: the key is revoked without it.
                TxOutcome::Failed(Part::UserKeys, _) => continue,
                outcome => outcome.or_fail(|_, _| None)?,
            }
            return Ok(Some(k));
        }
        Err(StoreError::backend("a key could not be revoked"))
    }
}
