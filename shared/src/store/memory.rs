//! The in-memory store: the embedded default for local runs and tests. It keeps the same uniqueness rules and
//! all-or-nothing writes as the DynamoDB store, under one lock that is never held across an `.await`.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;

use super::*;
use crate::model::AssignmentStatus;

#[derive(Default)]
struct State {
    counters: HashMap<&'static str, u64>,
    orgs: HashMap<OrgId, Organization>,
    org_slugs: HashMap<String, OrgId>,
    users: BTreeMap<(OrgId, UserId), User>,
    emails: HashMap<(OrgId, String), UserId>,
    external_ids: HashMap<(OrgId, String), UserId>,
    keys: HashMap<String, ApiKey>,
    flows: HashMap<(OrgId, String), Flow>,
    flow_slugs: HashMap<(OrgId, String), FlowId>,
    assignments: HashMap<(OrgId, String), Assignment>,
    open_assignments: HashMap<(OrgId, String, String), AssignmentId>,
    rate: HashMap<String, (u32, i64)>,
    idempotency: HashMap<String, IdemRecord>,
    webhooks: BTreeMap<(OrgId, String), Webhook>,
    outbox: HashMap<String, Event>,
    /// The due index: open assignments with a due date, by due date.
    due: BTreeMap<(Timestamp, OrgId, String), ()>,
    attempts: HashMap<(String, String), u32>,
    deliveries: BTreeMap<(OrgId, String, DeliveryId), Delivery>,
}

struct IdemRecord {
    fingerprint: String,
    response: Option<StoredResponse>,
    locked_until: i64,
    expires_at: i64,
}

#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// A store holding `seed`, checked for the same uniqueness rules the store keeps; counters continue after
    /// the largest seeded ids.
    pub fn from_seed(seed: super::seed::Seed) -> Result<Self, String> {
        let store = Self::new();
        {
            let mut s = store.lock();
            for org in seed.organizations {
                if s.org_slugs.insert(org.slug.as_str().to_owned(), org.id).is_some() {
                    return Err(format!("seed: organization slug {} twice", org.slug.as_str()));
                }
                let n = s.counters.entry("org").or_insert(0);
                *n = (*n).max(org.id.0);
                s.orgs.insert(org.id, org);
            }
            for user in seed.users {
                if !s.orgs.contains_key(&user.org_id) {
                    return Err(format!("seed: user {} of unknown organization {}", user.id, user.org_id));
                }
                if s.emails.insert((user.org_id, user.email.key()), user.id).is_some() {
                    return Err(format!("seed: email {} twice", user.email));
                }
                if let Some(ext) = &user.external_id {
                    s.external_ids.insert((user.org_id, ext.clone()), user.id);
                }
                let n = s.counters.entry("user").or_insert(0);
                *n = (*n).max(user.id.0);
                s.users.insert((user.org_id, user.id), user);
            }
            for key in seed.api_keys {
                if !s.orgs.contains_key(&key.org_id) {
                    return Err(format!("seed: key {} of unknown organization {}", key.id, key.org_id));
                }
                s.keys.insert(key.hash.clone(), key);
            }
            for flow in seed.flows {
                if !s.orgs.contains_key(&flow.org_id) {
                    return Err(format!("seed: flow {} of unknown organization {}", flow.id, flow.org_id));
                }
                if s.flow_slugs.insert((flow.org_id, flow.slug.as_str().to_owned()), flow.id.clone()).is_some() {
                    return Err(format!("seed: flow slug {} twice", flow.slug.as_str()));
                }
                s.flows.insert((flow.org_id, flow.id.as_str().to_owned()), flow);
            }
            for a in seed.assignments {
                if !s.flows.contains_key(&(a.org_id, a.flow_id.as_str().to_owned())) {
                    return Err(format!("seed: assignment {} of unknown flow {}", a.id, a.flow_id));
                }
                if a.status.is_open() && s.open_assignments.insert(open_key(&a), a.id.clone()).is_some() {
                    return Err(format!("seed: two open assignments of flow {} to {}", a.flow_id, a.user_email));
                }
                if let (Some(due), true) = (a.due_date, a.status.is_open() && a.status != AssignmentStatus::Overdue) {
                    s.due.insert((due, a.org_id, a.id.as_str().to_owned()), ());
                }
                s.assignments.insert((a.org_id, a.id.as_str().to_owned()), a);
            }
            for hook in seed.webhooks {
                if !s.orgs.contains_key(&hook.org_id) {
                    return Err(format!("seed: webhook {} of unknown organization {}", hook.id, hook.org_id));
                }
                s.webhooks.insert((hook.org_id, hook.id.as_str().to_owned()), hook);
            }
            for d in seed.deliveries {
                if !s.webhooks.contains_key(&(d.org_id, d.webhook_id.as_str().to_owned())) {
                    return Err(format!("seed: delivery {} of unknown webhook {}", d.id, d.webhook_id));
                }
                s.deliveries.insert((d.org_id, d.webhook_id.as_str().to_owned(), d.id.clone()), d);
            }
            let counts: Vec<(OrgId, u64)> = s
                .orgs
                .keys()
                .map(|org| (*org, s.users.range((*org, UserId(0))..=(*org, UserId(u64::MAX))).count() as u64))
                .collect();
            for (org, count) in counts {
                if let Some(o) = s.orgs.get_mut(&org) {
                    o.user_count = count;
                }
            }
        }
        Ok(store)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-applied write: every write checks first, then
        // applies. So a poisoned lock is still consistent.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn open_key(a: &Assignment) -> (OrgId, String, String) {
    (a.org_id, a.flow_id.as_str().to_owned(), a.user_email.key())
}

#[async_trait]
impl Directory for MemoryStore {
    async fn next_id(&self, counter: Counter) -> StoreResult<u64> {
        let name = match counter {
            Counter::Organization => "org",
            Counter::User => "user",
        };
        let mut s = self.lock();
        let n = s.counters.entry(name).or_insert(0);
        *n += 1;
        Ok(*n)
    }

    async fn create_organization(&self, org: &Organization, owner: &User, keys: &[ApiKey]) -> StoreResult<()> {
        let mut s = self.lock();
        if s.org_slugs.contains_key(org.slug.as_str()) {
            return Err(StoreError::Conflict(Conflict::OrganizationSlug));
        }
        s.org_slugs.insert(org.slug.as_str().to_owned(), org.id);
        s.orgs.insert(org.id, org.clone());
        s.emails.insert((org.id, owner.email.key()), owner.id);
        if let Some(ext) = &owner.external_id {
            s.external_ids.insert((org.id, ext.clone()), owner.id);
        }
        s.users.insert((org.id, owner.id), owner.clone());
        for key in keys {
            s.keys.insert(key.hash.clone(), key.clone());
        }
        Ok(())
    }

    async fn get_organization(&self, org: OrgId) -> StoreResult<Option<Organization>> {
        Ok(self.lock().orgs.get(&org).cloned())
    }

    async fn create_user(&self, user: &User) -> StoreResult<()> {
        let mut s = self.lock();
        if !s.orgs.contains_key(&user.org_id) {
            return Err(StoreError::Conflict(Conflict::Missing));
        }
        if s.emails.contains_key(&(user.org_id, user.email.key())) {
            return Err(StoreError::Conflict(Conflict::UserEmail));
        }
        if let Some(ext) = &user.external_id {
            if s.external_ids.contains_key(&(user.org_id, ext.clone())) {
                return Err(StoreError::Conflict(Conflict::UserExternalId));
            }
            s.external_ids.insert((user.org_id, ext.clone()), user.id);
        }
        s.emails.insert((user.org_id, user.email.key()), user.id);
        s.users.insert((user.org_id, user.id), user.clone());
        if let Some(org) = s.orgs.get_mut(&user.org_id) {
            org.user_count += 1;
        }
        Ok(())
    }

    async fn get_user(&self, org: OrgId, user: UserId) -> StoreResult<Option<User>> {
        Ok(self.lock().users.get(&(org, user)).cloned())
    }

    async fn find_user_by_email(&self, org: OrgId, email_key: &str) -> StoreResult<Option<User>> {
        let s = self.lock();
        Ok(s.emails.get(&(org, email_key.to_owned())).and_then(|id| s.users.get(&(org, *id))).cloned())
    }

    async fn list_users(&self, org: OrgId) -> StoreResult<Vec<User>> {
        let s = self.lock();
        Ok(s.users.range((org, UserId(0))..=(org, UserId(u64::MAX))).map(|(_, u)| u.clone()).collect())
    }
}

#[async_trait]
impl KeyStore for MemoryStore {
    async fn find_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>> {
        Ok(self.lock().keys.get(hash).cloned())
    }

    async fn create_key(&self, key: &ApiKey) -> StoreResult<()> {
        self.lock().keys.insert(key.hash.clone(), key.clone());
        Ok(())
    }

    async fn list_keys(&self, org: OrgId) -> StoreResult<Vec<ApiKey>> {
        let s = self.lock();
        let mut keys: Vec<ApiKey> = s.keys.values().filter(|k| k.org_id == org).cloned().collect();
        keys.sort_by(|a, b| (a.created_at, a.id.as_str()).cmp(&(b.created_at, b.id.as_str())));
        Ok(keys)
    }

    async fn revoke_key(&self, org: OrgId, key: &KeyId, at: Timestamp) -> StoreResult<Option<ApiKey>> {
        let mut s = self.lock();
        let found = s.keys.values_mut().find(|k| k.org_id == org && &k.id == key);
        Ok(found.map(|k| {
            k.revoked_at.get_or_insert(at);
            k.clone()
        }))
    }
}

#[async_trait]
impl FlowStore for MemoryStore {
    async fn create_flow(&self, flow: &Flow) -> StoreResult<()> {
        let mut s = self.lock();
        let slug_key = (flow.org_id, flow.slug.as_str().to_owned());
        if s.flow_slugs.contains_key(&slug_key) {
            return Err(StoreError::Conflict(Conflict::FlowSlug));
        }
        s.flow_slugs.insert(slug_key, flow.id.clone());
        s.flows.insert((flow.org_id, flow.id.as_str().to_owned()), flow.clone());
        Ok(())
    }

    async fn get_flow(&self, org: OrgId, flow: &FlowId) -> StoreResult<Option<Flow>> {
        Ok(self.lock().flows.get(&(org, flow.as_str().to_owned())).cloned())
    }
}

#[async_trait]
impl AssignmentStore for MemoryStore {
    async fn assign_context(&self, org: OrgId, flow: &FlowId, email_key: &str) -> StoreResult<AssignContext> {
        let s = self.lock();
        Ok(AssignContext {
            flow: s.flows.get(&(org, flow.as_str().to_owned())).cloned(),
            user: s.emails.get(&(org, email_key.to_owned())).and_then(|id| s.users.get(&(org, *id))).cloned(),
            open: s.open_assignments.get(&(org, flow.as_str().to_owned(), email_key.to_owned())).cloned(),
        })
    }

    async fn create_assignment(&self, assignment: &Assignment, event: &Event) -> StoreResult<()> {
        let mut s = self.lock();
        let open = open_key(assignment);
        if let Some(existing) = s.open_assignments.get(&open) {
            return Err(StoreError::Conflict(Conflict::OpenAssignment(Some(existing.clone()))));
        }
        s.open_assignments.insert(open, assignment.id.clone());
        s.outbox.insert(event.id.clone(), event.clone());
        if let (Some(due), true) = (assignment.due_date, assignment.status.is_open()) {
            s.due.insert((due, assignment.org_id, assignment.id.as_str().to_owned()), ());
        }
        s.assignments.insert((assignment.org_id, assignment.id.as_str().to_owned()), assignment.clone());
        Ok(())
    }

    async fn get_assignment(&self, org: OrgId, id: &AssignmentId) -> StoreResult<Option<Assignment>> {
        Ok(self.lock().assignments.get(&(org, id.as_str().to_owned())).cloned())
    }

    async fn import_assignments(&self, assignments: &[Assignment]) -> StoreResult<()> {
        let mut s = self.lock();
        for a in assignments {
            if a.status.is_open() {
                s.open_assignments.insert(open_key(a), a.id.clone());
            }
            if let (Some(due), AssignmentStatus::Assigned | AssignmentStatus::Started) = (a.due_date, a.status) {
                s.due.insert((due, a.org_id, a.id.as_str().to_owned()), ());
            }
            s.assignments.insert((a.org_id, a.id.as_str().to_owned()), a.clone());
        }
        Ok(())
    }

    async fn due_assignments(&self, now: Timestamp, limit: usize) -> StoreResult<DueAssignments> {
        let s = self.lock();
        let mut found = DueAssignments::default();
        for (due, org, id) in s.due.keys() {
            if *due > now || found.assignments.len() >= limit {
                break;
            }
            found.items_read += 1;
            if let Some(a) = s.assignments.get(&(*org, id.clone())) {
                found.assignments.push(a.clone());
            }
        }
        Ok(found)
    }

    async fn mark_overdue(&self, assignment: &Assignment, event: &Event) -> StoreResult<bool> {
        let mut s = self.lock();
        let key = (assignment.org_id, assignment.id.as_str().to_owned());
        let Some(stored) = s.assignments.get_mut(&key) else { return Ok(false) };
        let due = match (stored.status, stored.due_date) {
            (AssignmentStatus::Assigned | AssignmentStatus::Started, Some(due)) => due,
            _ => return Ok(false),
        };
        stored.status = AssignmentStatus::Overdue;
        s.due.remove(&(due, key.0, key.1));
        s.outbox.insert(event.id.clone(), event.clone());
        Ok(true)
    }
}

#[async_trait]
impl RateLimitStore for MemoryStore {
    async fn hit(&self, bucket: &str, limit: u32, expires_at: i64) -> StoreResult<RateDecision> {
        let mut s = self.lock();
        if !s.rate.contains_key(bucket) {
            // A new window: forget the expired ones, as DynamoDB's TTL would.
            let now = Timestamp::now().unix();
            s.rate.retain(|_, (_, exp)| *exp > now);
        }
        let entry = s.rate.entry(bucket.to_owned()).or_insert((0, expires_at));
        if entry.0 >= limit {
            return Ok(RateDecision::Limited);
        }
        entry.0 += 1;
        Ok(RateDecision::Allowed)
    }
}

#[async_trait]
impl IdempotencyStore for MemoryStore {
    async fn begin(&self, claim: &IdempotencyClaim<'_>) -> StoreResult<IdempotencyBegin> {
        let mut s = self.lock();
        let live = s
            .idempotency
            .get(claim.key)
            .filter(|r| r.expires_at > claim.now && (r.response.is_some() || r.locked_until > claim.now));
        if let Some(record) = live {
            return Ok(if record.fingerprint != claim.fingerprint {
                IdempotencyBegin::Mismatch
            } else if let Some(response) = &record.response {
                IdempotencyBegin::Replay(response.clone())
            } else {
                IdempotencyBegin::InFlight
            });
        }
        s.idempotency.insert(
            claim.key.to_owned(),
            IdemRecord {
                fingerprint: claim.fingerprint.to_owned(),
                response: None,
                locked_until: claim.locked_until,
                expires_at: claim.expires_at,
            },
        );
        Ok(IdempotencyBegin::Started)
    }

    async fn complete(
        &self,
        key: &str,
        fingerprint: &str,
        response: &StoredResponse,
        expires_at: i64,
    ) -> StoreResult<()> {
        self.lock().idempotency.insert(
            key.to_owned(),
            IdemRecord {
                fingerprint: fingerprint.to_owned(),
                response: Some(response.clone()),
                locked_until: 0,
                expires_at,
            },
        );
        Ok(())
    }

    async fn release(&self, key: &str) -> StoreResult<()> {
        self.lock().idempotency.remove(key);
        Ok(())
    }
}

#[async_trait]
impl WebhookStore for MemoryStore {
    async fn create_webhook(&self, hook: &Webhook) -> StoreResult<()> {
        self.lock().webhooks.insert((hook.org_id, hook.id.as_str().to_owned()), hook.clone());
        Ok(())
    }

    async fn get_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<Option<Webhook>> {
        Ok(self.lock().webhooks.get(&(org, id.as_str().to_owned())).cloned())
    }

    async fn list_webhooks(&self, org: OrgId) -> StoreResult<Vec<Webhook>> {
        let mut hooks: Vec<Webhook> = self.lock().webhooks.values().filter(|h| h.org_id == org).cloned().collect();
        hooks.sort_by(|a, b| (a.created_at, a.id.as_str()).cmp(&(b.created_at, b.id.as_str())));
        Ok(hooks)
    }

    async fn update_webhook(&self, hook: &Webhook) -> StoreResult<bool> {
        let mut s = self.lock();
        match s.webhooks.get_mut(&(hook.org_id, hook.id.as_str().to_owned())) {
            Some(existing) => {
                *existing = hook.clone();
                Ok(true)
            }
            None => Ok(false),
        }
    }

    async fn delete_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<bool> {
        Ok(self.lock().webhooks.remove(&(org, id.as_str().to_owned())).is_some())
    }
}

#[async_trait]
impl OutboxStore for MemoryStore {
    async fn outbox_before(&self, before: Timestamp, limit: usize) -> StoreResult<Vec<Event>> {
        let s = self.lock();
        let mut events: Vec<Event> = s.outbox.values().filter(|e| e.timestamp < before).cloned().collect();
        events.sort_by(|a, b| (a.timestamp, &a.id).cmp(&(b.timestamp, &b.id)));
        events.truncate(limit);
        Ok(events)
    }

    async fn remove_from_outbox(&self, event: &Event) -> StoreResult<()> {
        self.lock().outbox.remove(&event.id);
        Ok(())
    }
}

#[async_trait]
impl DeliveryStore for MemoryStore {
    async fn count_attempt(&self, webhook: &WebhookId, event_id: &str, _expires_at: i64) -> StoreResult<u32> {
        let mut s = self.lock();
        let n = s.attempts.entry((webhook.as_str().to_owned(), event_id.to_owned())).or_insert(0);
        *n += 1;
        Ok(*n)
    }

    async fn record_delivery(&self, delivery: &Delivery) -> StoreResult<()> {
        let key = (delivery.org_id, delivery.webhook_id.as_str().to_owned(), delivery.id.clone());
        self.lock().deliveries.insert(key, delivery.clone());
        Ok(())
    }

    async fn list_deliveries(
        &self,
        org: OrgId,
        webhook: &WebhookId,
        limit: usize,
        after: Option<&DeliveryId>,
    ) -> StoreResult<Vec<Delivery>> {
        let s = self.lock();
        Ok(s.deliveries
            .iter()
            .rev()
            .filter(|((o, w, id), _)| *o == org && w == webhook.as_str() && after.is_none_or(|a| id < a))
            .take(limit)
            .map(|(_, d)| d.clone())
            .collect())
    }

    async fn get_delivery(&self, org: OrgId, webhook: &WebhookId, id: &DeliveryId) -> StoreResult<Option<Delivery>> {
        Ok(self.lock().deliveries.get(&(org, webhook.as_str().to_owned(), id.clone())).cloned())
    }
}
