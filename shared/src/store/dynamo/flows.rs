//! Flows (with their members) and assignments (with their indexes, the open-assignment lock and the due index).

use async_trait::async_trait;
use aws_sdk_dynamodb::types::AttributeValue;

use super::errors::sdk;
use super::items::{from_item, key, s, to_item, with, Item};
use super::keys;
use super::limits::add_completion;
use super::tx::{Cond, Part, Tx};
use super::{sort_key, DynamoStore};
use crate::model::{
    Assignment, AssignmentId, AssignmentStatus, Event, Flow, FlowId, Membership, OrgId, Slug, Timestamp, UserId,
};
use crate::store::{
    AssignContext, AssignmentPage, AssignmentQuery, AssignmentStore, Completion, Conflict, DueAssignments, FlowStore,
    StoreError, StoreResult, UnreadableDue,
};

/// An assignment's item, with its index keys: by user (GSI1), by flow (GSI2), in the due index (GSI3) while
/// [`Assignment::due_at`] says it is due, by organization (GSI4) and, once the person has an external id, in the
/// person index (GSI5).
pub(super) fn assignment_item(a: &Assignment) -> StoreResult<Item> {
    let pk = keys::org_pk(a.org_id);
    let listed = keys::assignment_index_sk(a.assigned_at, &a.id);
    let mut item = with(
        to_item(a, &pk, &keys::assignment_sk(&a.id))?,
        &[
            ("GSI1PK", keys::user_index_pk(a.org_id, a.user_id)),
            ("GSI1SK", listed.clone()),
            ("GSI2PK", keys::flow_index_pk(a.org_id, &a.flow_id)),
            ("GSI2SK", listed.clone()),
            ("GSI4PK", keys::org_assignments_pk(a.org_id)),
            ("GSI4SK", listed),
        ],
    );
    if let Some(due) = a.due_at() {
        item = with(item, &[("GSI3PK", keys::due_pk_of(&a.id)), ("GSI3SK", keys::due_sk(due, a.org_id, &a.id))]);
    }
    if let Some(external) = &a.user_external_id {
        item = with(
            item,
            &[
                ("GSI5PK", keys::person_index_pk(a.org_id, external)),
                ("GSI5SK", keys::assignment_index_sk(a.assigned_at, &a.id)),
            ],
        );
    }
    Ok(item)
}

/// The open-assignment lock: one per (flow, person), naming the open assignment.
pub(super) fn open_lock(a: &Assignment) -> Item {
    let mut lock = key(keys::org_pk(a.org_id), &keys::open_assignment_sk(&a.flow_id, &a.user_email.key()));
    lock.insert("assignment_id".into(), s(a.id.as_str()));
    lock
}

fn open_assignment_id(item: &Item) -> Option<AssignmentId> {
    item.get("assignment_id").and_then(|v| v.as_s().ok()).and_then(|v| AssignmentId::parse(v).ok())
}

fn outbox_item(event: &Event) -> StoreResult<Item> {
    to_item(event, &keys::outbox_pk_of(&event.id), &keys::outbox_sk(event))
}

impl DynamoStore {
    /// A write that keys a person's item without an external id holds only while the person has none: one set
    /// meanwhile (its backfill reading the person's items before this write lands) fails the write, which is redone
    /// with the person read again. Without it the item would be missing from the person index for good.
    pub(super) fn check_no_external_id(&self, tx: &mut Tx<'_>, org: OrgId, user: UserId) -> StoreResult<()> {
        tx.check(
            Part::PersonWithoutExternalId,
            key(keys::org_pk(org), &keys::user_sk(user)),
            "attribute_not_exists(external_id)",
        )?;
        Ok(())
    }

    /// A changed assignment, over the status it was read with; once it is closed, its open-assignment lock goes.
    pub(super) fn add_assignment_change(
        &self,
        tx: &mut Tx<'_>,
        a: &Assignment,
        read: AssignmentStatus,
    ) -> StoreResult<()> {
        tx.put_if(
            Part::Assignment,
            assignment_item(a)?,
            "#status = :read",
            &[("#status", "status")],
            &[(":read", status(read))],
        )?;
        if !a.status.is_open() {
            let lock = key(keys::org_pk(a.org_id), &keys::open_assignment_sk(&a.flow_id, &a.user_email.key()));
            tx.delete(Part::OpenAssignment, lock)?;
        }
        Ok(())
    }

    pub(super) fn add_outbox(&self, tx: &mut Tx<'_>, event: &Event) -> StoreResult<()> {
        tx.put(Part::Outbox, outbox_item(event)?, Cond::None)?;
        Ok(())
    }
}

#[async_trait]
impl FlowStore for DynamoStore {
    async fn create_flow(&self, flow: &Flow, creator: &Membership, done: Option<&Completion>) -> StoreResult<()> {
        let pk = keys::org_pk(flow.org_id);
        let slug = slug_item(flow);
        let mut tx = self.tx();
        tx.put(Part::Flow, to_item(flow, &pk, &keys::flow_sk(&flow.id))?, Cond::Absent)?;
        tx.put(Part::FlowSlug, slug, Cond::Absent)?;
        tx.put(Part::FlowMember, membership_item(creator)?, Cond::None)?;
        if creator.external_id.is_none() {
            self.check_no_external_id(&mut tx, creator.org_id, creator.user_id)?;
        }
        add_completion(&mut tx, done)?;
        tx.commit(self.client()).await?.or_fail(|part, _| match part {
            Part::FlowSlug => Some(StoreError::Conflict(Conflict::FlowSlug)),
            Part::PersonWithoutExternalId => Some(StoreError::Conflict(Conflict::Revision)),
            _ => None,
        })
    }

    async fn get_flow(&self, org: OrgId, flow: &FlowId) -> StoreResult<Option<Flow>> {
        self.get_as(keys::org_pk(org), &keys::flow_sk(flow)).await
    }

    async fn update_flow(
        &self,
        flow: &Flow,
        expected: u64,
        old_slug: &Slug,
        memberships: &[Membership],
    ) -> StoreResult<()> {
        let pk = keys::org_pk(flow.org_id);
        // A flow written before revisions existed has none: it counts as revision 0.
        let condition = if expected == 0 {
            "attribute_exists(PK) AND (attribute_not_exists(#revision) OR #revision = :expected)"
        } else {
            "attribute_exists(PK) AND #revision = :expected"
        };
        let mut tx = self.tx();
        tx.put_if(
            Part::Flow,
            to_item(flow, &pk, &keys::flow_sk(&flow.id))?,
            condition,
            &[("#revision", "revision")],
            &[(":expected", AttributeValue::N(expected.to_string()))],
        )?;
        for m in memberships {
            tx.put(Part::FlowMember, membership_item(m)?, Cond::None)?;
            if m.external_id.is_none() {
                self.check_no_external_id(&mut tx, m.org_id, m.user_id)?;
            }
        }
        if &flow.slug != old_slug {
            tx.put(Part::FlowSlug, slug_item(flow), Cond::Absent)?;
            tx.delete_existing(Part::OldFlowSlug, key(pk, &keys::flow_slug_sk(old_slug)))?;
        }
        tx.commit(self.client()).await?.or_fail(|part, old| match part {
            Part::Flow if old.is_some() => Some(StoreError::Conflict(Conflict::Revision)),
            Part::Flow => Some(StoreError::Conflict(Conflict::Missing)),
            Part::FlowSlug => Some(StoreError::Conflict(Conflict::FlowSlug)),
            Part::PersonWithoutExternalId => Some(StoreError::Conflict(Conflict::Revision)),
            _ => None,
        })
    }

    async fn find_flow_by_slug(&self, org: OrgId, slug: &Slug) -> StoreResult<Option<Flow>> {
        let Some(item) = self.get(keys::org_pk(org), &keys::flow_slug_sk(slug), false).await? else {
            return Ok(None);
        };
        let Some(id) = item.get("flow_id").and_then(|v| v.as_s().ok()).and_then(|id| FlowId::parse(id).ok()) else {
            return Err(StoreError::backend(format!("the slug item of '{}' names no flow", slug.as_str())));
        };
        self.get_flow(org, &id).await
    }

    async fn list_flows(&self, org: OrgId) -> StoreResult<Vec<Flow>> {
        let mut flows: Vec<Flow> = self.query_prefix(keys::org_pk(org), keys::FLOW_PREFIX).await?;
        flows.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        Ok(flows)
    }

    async fn flow_members(&self, org: OrgId, flow: &FlowId) -> StoreResult<Vec<Membership>> {
        let mut members: Vec<Membership> =
            self.query_prefix(keys::flow_members_pk(org, flow), keys::MEMBER_PREFIX).await?;
        members.sort_by_key(|m| m.user_id);
        Ok(members)
    }

    async fn member_flows(&self, org: OrgId, user: UserId) -> StoreResult<Vec<(Flow, Membership)>> {
        let memberships: Vec<Membership> =
            self.query_index_prefix("GSI1", keys::user_index_pk(org, user), keys::MEMBER_INDEX_PREFIX).await?;
        let mut flows: Vec<Flow> = Vec::with_capacity(memberships.len());
        for chunk in memberships.chunks(100) {
            let wanted = chunk.iter().map(|m| key(keys::org_pk(org), &keys::flow_sk(&m.flow_id))).collect();
            for item in self.batch_get(wanted).await? {
                flows.push(from_item(item)?);
            }
        }
        let mut found: Vec<(Flow, Membership)> = memberships
            .into_iter()
            .filter_map(|m| Some((flows.iter().find(|f| f.id == m.flow_id)?.clone(), m)))
            .collect();
        found.sort_by(|a, b| a.0.id.as_str().cmp(b.0.id.as_str()));
        Ok(found)
    }
}

/// The slug's item: the flow's `parameterized_name`, naming the flow.
fn slug_item(flow: &Flow) -> Item {
    let mut slug = key(keys::org_pk(flow.org_id), &keys::flow_slug_sk(&flow.slug));
    slug.insert("flow_id".into(), s(flow.id.as_str()));
    slug
}

/// A membership's item: in the flow's partition, in the user's (GSI1) and, once the member has an external id, in
/// the person index (GSI5).
fn membership_item(m: &Membership) -> StoreResult<Item> {
    let item = to_item(m, &keys::flow_members_pk(m.org_id, &m.flow_id), &keys::member_sk(m.user_id))?;
    let item = with(
        item,
        &[("GSI1PK", keys::user_index_pk(m.org_id, m.user_id)), ("GSI1SK", keys::member_index_sk(&m.flow_id))],
    );
    Ok(match &m.external_id {
        Some(external) => with(
            item,
            &[("GSI5PK", keys::person_index_pk(m.org_id, external)), ("GSI5SK", keys::member_index_sk(&m.flow_id))],
        ),
        None => item,
    })
}

#[async_trait]
impl AssignmentStore for DynamoStore {
    async fn assign_context(&self, org: OrgId, flow: &FlowId, email_key: &str) -> StoreResult<AssignContext> {
        let pk = keys::org_pk(org);
        let flow_sk = keys::flow_sk(flow);
        let email_sk = keys::email_sk(email_key);
        let open_sk = keys::open_assignment_sk(flow, email_key);
        let wanted = vec![key(pk.clone(), &flow_sk), key(pk.clone(), &email_sk), key(pk, &open_sk)];
        let mut context = AssignContext::default();
        for item in self.batch_get(wanted).await? {
            match sort_key(&item) {
                Some(sk) if sk == flow_sk => context.flow = Some(from_item(item)?),
                Some(sk) if sk == email_sk => context.user = Some(from_item(item)?),
                Some(sk) if sk == open_sk => context.open = open_assignment_id(&item),
                _ => {}
            }
        }
        Ok(context)
    }

    async fn create_assignment(&self, a: &Assignment, event: &Event, done: Option<&Completion>) -> StoreResult<()> {
        let mut tx = self.tx();
        tx.put(Part::Assignment, assignment_item(a)?, Cond::Absent)?;
        tx.put(Part::OpenAssignment, open_lock(a), Cond::Absent)?;
        if a.user_external_id.is_none() {
            self.check_no_external_id(&mut tx, a.org_id, a.user_id)?;
        }
        self.add_outbox(&mut tx, event)?;
        add_completion(&mut tx, done)?;
        tx.commit(self.client()).await?.or_fail(|part, old| match part {
            Part::OpenAssignment => {
                Some(StoreError::Conflict(Conflict::OpenAssignment(old.as_ref().and_then(open_assignment_id))))
            }
            Part::PersonWithoutExternalId => Some(StoreError::Conflict(Conflict::Revision)),
            _ => None,
        })
    }

    async fn get_assignment(&self, org: OrgId, id: &AssignmentId) -> StoreResult<Option<Assignment>> {
        self.get_as(keys::org_pk(org), &keys::assignment_sk(id)).await
    }

    async fn list_assignments(&self, org: OrgId, query: &AssignmentQuery) -> StoreResult<AssignmentPage> {
        let (index, pk) = match (&query.flow, query.user) {
            (Some(flow), _) => ("GSI2", keys::flow_index_pk(org, flow)),
            (None, Some(user)) => ("GSI1", keys::user_index_pk(org, user)),
            (None, None) => ("GSI4", keys::org_assignments_pk(org)),
        };
        let mut start = query.after.as_ref().map(|(at, id)| {
            let mut k = key(keys::org_pk(org), &keys::assignment_sk(id));
            k.insert(format!("{index}PK"), s(&pk));
            k.insert(format!("{index}SK"), s(&keys::assignment_index_sk(*at, id)));
            k
        });
        let mut items: Vec<Assignment> = Vec::new();
        loop {
            let page = self
                .client()
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression(format!("{index}PK = :pk AND begins_with({index}SK, :prefix)"))
                .expression_attribute_values(":pk", s(&pk))
                .expression_attribute_values(":prefix", s(keys::ASSIGNMENT_INDEX_PREFIX))
                .scan_index_forward(false)
                .limit(i32::try_from(query.limit + 1).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(sdk)?;
            for item in page.items.unwrap_or_default() {
                let a: Assignment = from_item(item)?;
                if query.selects(&a) {
                    items.push(a);
                }
            }
            match page.last_evaluated_key {
                Some(next) if !next.is_empty() && items.len() <= query.limit => start = Some(next),
                _ => break,
            }
        }
        let next = (items.len() > query.limit).then(|| {
            items.truncate(query.limit);
            items.last().map(|a| (a.assigned_at, a.id.clone()))
        });
        Ok(AssignmentPage { items, next: next.flatten() })
    }

    async fn flow_assignments(
        &self,
        org: OrgId,
        flow: &FlowId,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> StoreResult<Vec<Assignment>> {
        let low = from.map_or_else(|| keys::ASSIGNMENT_INDEX_PREFIX.to_owned(), keys::assignment_index_from);
        let high = to.map_or_else(|| keys::ASSIGNMENT_INDEX_END.to_owned(), keys::assignment_index_until);
        let condition = |pk: &str, sk: &str| format!("{pk} = :pk AND {sk} BETWEEN :low AND :high");
        let values = [(":pk", s(&keys::flow_index_pk(org, flow))), (":low", s(&low)), (":high", s(&high))];
        self.query_all(Some("GSI2"), condition, &values).await
    }

    async fn update_assignment(&self, a: &Assignment, read: AssignmentStatus, events: &[Event]) -> StoreResult<()> {
        let mut tx = self.tx();
        self.add_assignment_change(&mut tx, a, read)?;
        for event in events {
            self.add_outbox(&mut tx, event)?;
        }
        match tx.commit(self.client()).await? {
            super::tx::TxOutcome::Committed => Ok(()),
            super::tx::TxOutcome::Failed(Part::Assignment, _) => Err(StoreError::Conflict(Conflict::Revision)),
            super::tx::TxOutcome::Failed(part, _) => {
                Err(StoreError::backend(format!("an assignment's write failed on {part:?}")))
            }
        }
    }

    async fn import_assignments(&self, assignments: &[Assignment]) -> StoreResult<()> {
        let mut items = Vec::with_capacity(assignments.len() * 2);
        for a in assignments {
            items.push(assignment_item(a)?);
            if a.status.is_open() {
                items.push(open_lock(a));
            }
        }
        self.batch_put(items).await
    }

    async fn due_assignments(&self, now: Timestamp, limit: usize) -> StoreResult<DueAssignments> {
        let mut found = DueAssignments::default();
        let (items, read) = self.due_index(keys::due_pk, &keys::due_until(now), limit).await?;
        found.items_read = read;
        for item in items {
            let key = format!(
                "{}|{}",
                item.get("PK").and_then(|v| v.as_s().ok()).map_or("", String::as_str),
                sort_key(&item).unwrap_or("")
            );
            match from_item::<Assignment>(item) {
                Ok(a) => found.assignments.push(a),
                Err(problem) => found.unreadable.push(UnreadableDue { key, problem: problem.to_string() }),
            }
        }
        // Each shard is read in order; together, earliest first.
        found.assignments.sort_by(|a, b| (a.due_date, a.id.as_str()).cmp(&(b.due_date, b.id.as_str())));
        Ok(found)
    }

    async fn set_aside_due(&self, item: &UnreadableDue) -> StoreResult<()> {
        let Some((pk, sk)) = item.key.split_once('|') else {
            return Err(StoreError::backend(format!("not a key of this store: {}", item.key)));
        };
        self.client()
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk.to_owned(), sk)))
            .update_expression("SET set_aside_at = :at REMOVE GSI3PK, GSI3SK")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":at", s(&Timestamp::now().to_rfc3339()))
            .send()
            .await
            .map_err(sdk)?;
        Ok(())
    }

    async fn mark_overdue(&self, a: &Assignment, event: &Event) -> StoreResult<bool> {
        let mut tx = self.tx();
        tx.update(Part::Assignment, |u| {
            u.set_key(Some(key(keys::org_pk(a.org_id), &keys::assignment_sk(&a.id))))
                .update_expression("SET #status = :overdue REMOVE GSI3PK, GSI3SK")
                .condition_expression("attribute_exists(GSI3PK) AND #status IN (:assigned, :started)")
                .expression_attribute_names("#status", "status")
                .expression_attribute_values(":overdue", status(AssignmentStatus::Overdue))
                .expression_attribute_values(":assigned", status(AssignmentStatus::Assigned))
                .expression_attribute_values(":started", status(AssignmentStatus::Started))
        })?;
        self.add_outbox(&mut tx, event)?;
        match tx.commit(self.client()).await? {
            super::tx::TxOutcome::Committed => Ok(true),
            super::tx::TxOutcome::Failed(Part::Assignment, _) => Ok(false),
            super::tx::TxOutcome::Failed(part, _) => {
                Err(StoreError::backend(format!("an overdue write failed on {part:?}")))
            }
        }
    }
}

/// A status as its item attribute (serde's form of the enum).
pub(super) fn status(status: AssignmentStatus) -> AttributeValue {
    serde_dynamo::to_attribute_value(status).unwrap_or_else(|_| s("unknown"))
}
