//! Organizations, users and API keys.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;

use super::errors::{is_condition_failure, sdk};
use super::items::{key, n, s, to_item, Item};
use super::keys::{self, META};
use super::limits::add_completion;
use super::tx::{Cond, Part, Tx};
use super::DynamoStore;
use crate::model::{ApiKey, KeyId, OrgId, Organization, Timestamp, User, UserId};
use crate::store::{Completion, Conflict, Counter, Directory, KeyStore, StoreError, StoreResult};

impl DynamoStore {
    /// A user's items: the user, the email lookup (a full copy) and, with an external id, its lookup (a full copy
    /// too, with `user_id`).
    fn add_user(&self, tx: &mut Tx<'_>, user: &User) -> StoreResult<()> {
        let pk = keys::org_pk(user.org_id);
        tx.put(Part::User, to_item(user, &pk, &keys::user_sk(user.id))?, Cond::Absent)?;
        if let Some(email) = &user.email {
            tx.put(Part::UserEmail, to_item(user, &pk, &keys::email_sk(&email.key()))?, Cond::Absent)?;
        }
        if let Some(ext) = &user.external_id {
            let mut link = to_item(user, &pk, &keys::external_id_sk(ext))?;
            link.insert("user_id".into(), n(user.id));
            tx.put(Part::UserExternalId, link, Cond::Absent)?;
        }
        Ok(())
    }

    fn add_key(&self, tx: &mut Tx<'_>, k: &ApiKey) -> StoreResult<()> {
        tx.put(Part::KeyByHash, to_item(k, &keys::key_hash_pk(&k.hash), META)?, Cond::Absent)?;
        tx.put(Part::KeyListed, to_item(k, &keys::org_pk(k.org_id), &keys::key_listed_sk(&k.id))?, Cond::Absent)?;
        Ok(())
    }
}

fn user_conflict(part: Part, _: Option<Item>) -> Option<StoreError> {
    match part {
        Part::UserEmail => Some(StoreError::Conflict(Conflict::UserEmail)),
        Part::UserExternalId => Some(StoreError::Conflict(Conflict::UserExternalId)),
        Part::UserCount => Some(StoreError::Conflict(Conflict::Missing)),
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
        self.add_user(&mut tx, owner)?;
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

    async fn set_allowed_origins(&self, org: OrgId, origins: &[String]) -> StoreResult<Option<Organization>> {
        let list = AttributeValue::L(origins.iter().map(|o| s(o)).collect());
        let result = self
            .client()
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::org_pk(org), META)))
            .update_expression("SET allowed_origins = :origins")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":origins", list)
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
        let mut tx = self.tx();
        self.add_user(&mut tx, user)?;
        tx.update(Part::UserCount, |u| {
            u.set_key(Some(key(keys::org_pk(user.org_id), META)))
                .update_expression("ADD user_count :one")
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":one", AttributeValue::N("1".into()))
        })?;
        add_completion(&mut tx, done)?;
        tx.commit(self.client()).await?.or_fail(user_conflict)
    }

    async fn get_user(&self, org: OrgId, user: UserId) -> StoreResult<Option<User>> {
        self.get_as(keys::org_pk(org), &keys::user_sk(user)).await
    }

    async fn update_user(&self, user: &User, read: &User) -> StoreResult<()> {
        let pk = keys::org_pk(user.org_id);
        let mut tx = self.tx();
        // Over the user as read: the attributes a change writes are in the condition.
        let email_read = match &read.email {
            Some(_) => "#email = :email",
            None => "attribute_not_exists(#email)",
        };
        let condition = format!("attribute_exists(PK) AND {email_read} AND #name = :name AND nick = :nick");
        let mut values = vec![(":name", s(&read.name)), (":nick", s(&read.nick))];
        if let Some(email) = &read.email {
            values.push((":email", s(email.as_str())));
        }
        let names = [("#email", "email"), ("#name", "name")];
        tx.put_if(Part::User, to_item(user, &pk, &keys::user_sk(user.id))?, &condition, &names, &values)?;
        let (new_email, old_email) = (user.email.as_ref().map(|e| e.key()), read.email.as_ref().map(|e| e.key()));
        if let Some(email) = &new_email {
            let cond = if new_email == old_email { Cond::None } else { Cond::Absent };
            tx.put(Part::UserEmail, to_item(user, &pk, &keys::email_sk(email))?, cond)?;
        }
        if let Some(email) = old_email.filter(|old| Some(old) != new_email.as_ref()) {
            tx.delete(Part::OldUserEmail, key(pk.clone(), &keys::email_sk(&email)))?;
        }
        if let Some(ext) = &user.external_id {
            let mut link = to_item(user, &pk, &keys::external_id_sk(ext))?;
            link.insert("user_id".into(), n(user.id));
            tx.put(Part::UserExternalId, link, Cond::None)?;
        }
        tx.commit(self.client()).await?.or_fail(|part, _| match part {
            Part::User => Some(StoreError::Conflict(Conflict::Revision)),
            Part::UserEmail => Some(StoreError::Conflict(Conflict::UserEmail)),
            _ => None,
        })
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
}

#[async_trait]
impl KeyStore for DynamoStore {
    async fn find_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>> {
        self.get(keys::key_hash_pk(hash), META, true).await?.map(super::items::from_item).transpose()
    }

    async fn create_key(&self, k: &ApiKey, done: Option<&Completion>) -> StoreResult<()> {
        let mut tx = self.tx();
        self.add_key(&mut tx, k)?;
        add_completion(&mut tx, done)?;
        tx.commit(self.client()).await?.or_fail(|_, _| None)
    }

    async fn list_keys(&self, org: OrgId) -> StoreResult<Vec<ApiKey>> {
        let mut found: Vec<ApiKey> = self.query_prefix(keys::org_pk(org), keys::KEY_LISTED_PREFIX).await?;
        crate::model::oldest_first(&mut found);
        Ok(found)
    }

    async fn revoke_key(&self, org: OrgId, id: &KeyId, at: Timestamp) -> StoreResult<Option<ApiKey>> {
        let listed = keys::key_listed_sk(id);
        let Some(item) = self.get(keys::org_pk(org), &listed, true).await? else {
            return Ok(None);
        };
        let mut k: ApiKey = super::items::from_item(item)?;
        if k.revoked_at.is_some() {
            return Ok(Some(k));
        }
        k.revoked_at = Some(at);
        let mut tx = self.tx();
        for (part, pk, sk) in [
            (Part::KeyByHash, keys::key_hash_pk(&k.hash), META.to_owned()),
            (Part::KeyListed, keys::org_pk(org), listed),
        ] {
            tx.update(part, |u| {
                u.set_key(Some(key(pk, &sk)))
                    .update_expression("SET revoked_at = if_not_exists(revoked_at, :at)")
                    .condition_expression("attribute_exists(PK)")
                    .expression_attribute_values(":at", s(&at.to_rfc3339()))
            })?;
        }
        tx.commit(self.client()).await?.or_fail(|_, _| None)?;
        Ok(Some(k))
    }
}
