//! Flow states: one item per (user, flow) in the user's partition, written over its revision, with the
//! assignment it moves and the events that announce it in the same transaction.

use async_trait::async_trait;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};

use super::errors::sdk;
use super::items::{from_item, key, s, to_item, with, Item};
use super::keys;
use super::tx::{Part, TxOutcome};
use super::DynamoStore;
use crate::model::{Assignment, FlowId, FlowState, Membership, OrgId, Profile, User, UserId};
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

    async fn person_progress(&self, org: OrgId, external_id: &str) -> StoreResult<UserProgress> {
        let pk = keys::person_index_pk(org, external_id);
        let (states, memberships, assignments) = tokio::try_join!(
            self.query_index_prefix::<FlowState>("GSI5", pk.clone(), keys::STATE_PREFIX),
            self.query_index_prefix::<Membership>("GSI5", pk.clone(), keys::MEMBER_INDEX_PREFIX),
            self.query_index_prefix::<Assignment>("GSI5", pk, keys::ASSIGNMENT_INDEX_PREFIX),
        )?;
        Ok(UserProgress { states, memberships, assignments })
    }

    async fn index_person(&self, person: &User) -> StoreResult<()> {
        let Some(external) = person.external_id.as_deref() else { return Ok(()) };
        let (org, user) = (person.org_id, person.id);
        let found = self.user_progress(org, user).await?;
        let pk = keys::person_index_pk(org, external);
        let mut tagged: Vec<(Item, String, Option<&str>)> = Vec::new();
        for state in &found.states {
            let sk = keys::state_sk(&state.flow_id);
            tagged.push((key(keys::states_pk(org, user), &sk), sk, None));
        }
        for m in found.memberships.iter().filter(|m| m.external_id.is_none()) {
            tagged.push((
                key(keys::flow_members_pk(org, &m.flow_id), &keys::member_sk(user)),
                keys::member_index_sk(&m.flow_id),
                Some("external_id"),
            ));
        }
        for a in found.assignments.iter().filter(|a| a.user_external_id.is_none()) {
            tagged.push((
                key(keys::org_pk(org), &keys::assignment_sk(&a.id)),
                keys::assignment_index_sk(a.assigned_at, &a.id),
                Some("user_external_id"),
            ));
        }
        let updates = tagged.into_iter().map(|(item_key, sk, field)| {
            let mut update = self
                .client()
                .update_item()
                .table_name(&self.table)
                .set_key(Some(item_key))
                .condition_expression("attribute_exists(PK)")
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":sk", s(&sk));
            update = match field {
                Some(field) => update
                    .update_expression("SET GSI5PK = :pk, GSI5SK = :sk, #field = :external")
                    .expression_attribute_names("#field", field)
                    .expression_attribute_values(":external", s(external)),
                None => update.update_expression("SET GSI5PK = :pk, GSI5SK = :sk"),
            };
            // An item gone meanwhile has nothing to key.
            unless_condition_failed(update)
        });
        futures_util::future::try_join_all(updates).await?;
        // Then the person says so, in each of their copies (the flag is not revised: it only ever turns true).
        let home = keys::org_pk(org);
        let mut copies = vec![keys::user_sk(user), keys::external_id_sk(external)];
        copies.extend(person.email.as_ref().map(|e| keys::email_sk(&e.key())));
        let marks = copies.into_iter().map(|sk| {
            let update = self
                .client()
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key(home.clone(), &sk)))
                .update_expression("SET person_indexed = :yes")
                .condition_expression("external_id = :external")
                .expression_attribute_values(":yes", AttributeValue::Bool(true))
                .expression_attribute_values(":external", s(external));
            unless_condition_failed(update)
        });
        futures_util::future::try_join_all(marks).await?;
        Ok(())
    }

    async fn write_progress(&self, write: &ProgressWrite<'_>) -> StoreResult<()> {
        let state = write.state;
        let sk = keys::state_sk(&state.flow_id);
        let mut item = to_item(state, &keys::states_pk(state.org_id, state.user_id), &sk)?;
        if let Some(external) = write.external_id {
            item = with(item, &[("GSI5PK", keys::person_index_pk(state.org_id, external)), ("GSI5SK", sk)]);
        }
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
            self.add_assignment_change(&mut tx, a, read)?;
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

    async fn get_profile(&self, org: OrgId, user: UserId) -> StoreResult<Option<Profile>> {
        self.get_as(keys::states_pk(org, user), keys::PROFILE_SK).await
    }

    async fn write_profile(&self, profile: &Profile, expected: u64) -> StoreResult<()> {
        let item = to_item(profile, &keys::states_pk(profile.org_id, profile.user_id), keys::PROFILE_SK)?;
        let mut put = self.client().put_item().table_name(&self.table).set_item(Some(item));
        put = if expected == 0 {
            put.condition_expression("attribute_not_exists(PK)")
        } else {
            put.condition_expression("#revision = :expected")
                .expression_attribute_names("#revision", "revision")
                .expression_attribute_values(":expected", AttributeValue::N(expected.to_string()))
        };
        match put.send().await {
            Ok(_) => Ok(()),
            Err(err) if super::errors::is_condition_failure(&err) => Err(StoreError::Conflict(Conflict::Revision)),
            Err(err) => Err(sdk(err)),
        }
    }

    async fn flow_states(&self, org: OrgId, flow: &FlowId, users: &[UserId]) -> StoreResult<Vec<FlowState>> {
        let mut found = Vec::with_capacity(users.len());
        for chunk in users.chunks(100) {
            let wanted = chunk.iter().map(|u| key(keys::states_pk(org, *u), &keys::state_sk(flow))).collect();
            for item in self.batch_get(wanted).await? {
                found.push(from_item(item)?);
            }
        }
        Ok(found)
    }

    async fn copy_progress(&self, org: OrgId, from: UserId, to: UserId, external_id: Option<&str>) -> StoreResult<()> {
        let theirs = keys::states_pk(org, from);
        let (states, profile) = tokio::try_join!(
            self.query_prefix::<FlowState>(theirs.clone(), keys::STATE_PREFIX),
            self.get_as::<Profile>(theirs, keys::PROFILE_SK),
        )?;
        let pk = keys::states_pk(org, to);
        let mut items = Vec::with_capacity(states.len() + 1);
        for state in states {
            let state = FlowState { user_id: to, ..state };
            let sk = keys::state_sk(&state.flow_id);
            let item = to_item(&state, &pk, &sk)?;
            items.push(match external_id {
                Some(external) => with(item, &[("GSI5PK", keys::person_index_pk(org, external)), ("GSI5SK", sk)]),
                None => item,
            });
        }
        if let Some(profile) = profile {
            items.push(to_item(&Profile { user_id: to, ..profile }, &pk, keys::PROFILE_SK)?);
        }
        // Each kept unless the person has one already (a repeat finds them all there).
        let puts = items.into_iter().map(|item| async move {
            let result = self
                .client()
                .put_item()
                .table_name(&self.table)
                .set_item(Some(item))
                .condition_expression("attribute_not_exists(PK)")
                .send()
                .await;
            match result {
                Ok(_) => Ok(()),
                Err(err) if super::errors::is_condition_failure(&err) => Ok(()),
                Err(err) => Err(sdk(err)),
            }
        });
        futures_util::future::try_join_all(puts).await?;
        Ok(())
    }

    async fn forget_progress(&self, org: OrgId, user: UserId) -> StoreResult<()> {
        let pk = keys::states_pk(org, user);
        let states: Vec<FlowState> = self.query_prefix(pk.clone(), keys::STATE_PREFIX).await?;
        let mut doomed: Vec<String> = states.iter().map(|state| keys::state_sk(&state.flow_id)).collect();
        doomed.push(keys::PROFILE_SK.to_owned());
        let deletes = doomed.into_iter().map(|sk| {
            let pk = pk.clone();
            async move {
                self.client()
                    .delete_item()
                    .table_name(&self.table)
                    .set_key(Some(key(pk, &sk)))
                    .send()
                    .await
                    .map_err(sdk)
            }
        });
        futures_util::future::try_join_all(deletes).await?;
        Ok(())
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

/// Sends an update whose failed condition means there is nothing to do.
async fn unless_condition_failed(
    update: aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder,
) -> StoreResult<()> {
    match update.send().await {
        Ok(_) => Ok(()),
        Err(err) if super::errors::is_condition_failure(&err) => Ok(()),
        Err(err) => Err(sdk(err)),
    }
}
