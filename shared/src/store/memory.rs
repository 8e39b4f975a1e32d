//! The in-memory store: the embedded default for local runs and tests. It keeps the same uniqueness rules and
//! all-or-nothing writes as the DynamoDB store, under one lock that is never held across an `.await`: every write
//! checks all its conditions first, then applies.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Mutex;

use async_trait::async_trait;

use super::*;
use crate::model::workflow::participants::Participant;
use crate::model::{oldest_first, AssignmentStatus, Email};

#[derive(Default)]
struct State {
    counters: HashMap<Counter, u64>,
    orgs: HashMap<OrgId, Organization>,
    org_slugs: HashMap<String, OrgId>,
    users: BTreeMap<(OrgId, UserId), User>,
    emails: HashMap<(OrgId, String), UserId>,
    external_ids: HashMap<(OrgId, String), UserId>,
    keys: HashMap<String, ApiKey>,
    flows: HashMap<(OrgId, FlowId), Flow>,
    flow_slugs: HashMap<(OrgId, String), FlowId>,
    /// Memberships by (organization, flow, user); the user's side is the same map read by user.
    members: BTreeMap<(OrgId, FlowId, UserId), Membership>,
    assignments: HashMap<(OrgId, AssignmentId), Assignment>,
    /// One per (flow, person) while an assignment is open.
    open_assignments: HashMap<(OrgId, FlowId, String), AssignmentId>,
    /// The due index, by [`Assignment::due_at`].
    due: BTreeSet<(Timestamp, OrgId, AssignmentId)>,
    /// Flow states by (organization, user, flow).
    states: BTreeMap<(OrgId, UserId, FlowId), FlowState>,
    profiles: HashMap<(OrgId, UserId), Profile>,
    rate: HashMap<String, (u64, i64)>,
    idempotency: HashMap<String, IdemRecord>,
    webhooks: BTreeMap<(OrgId, WebhookId), Webhook>,
    webhook_counts: HashMap<OrgId, u32>,
    outbox: HashMap<String, Event>,
    attempts: HashMap<(WebhookId, String), u32>,
    deliveries: BTreeMap<(OrgId, WebhookId, DeliveryId), Delivery>,
    email_flows: HashMap<(OrgId, u64), EmailFlowRecord>,
    participants: BTreeMap<(OrgId, u64, UserId), Participant>,
}

struct IdemRecord {
    fingerprint: String,
    response: Option<StoredResponse>,
    locked_until: i64,
    expires_at: i64,
}

impl State {
    /// As DynamoDB's transactions check: an item keyed without an external id is refused once the person has one
    /// (they must be read again).
    fn check_keyed(&self, org: OrgId, user: UserId, external_id: Option<&str>) -> StoreResult<()> {
        let has_one = self.users.get(&(org, user)).is_some_and(|u| u.external_id.is_some());
        if external_id.is_none() && has_one {
            return Err(StoreError::Conflict(Conflict::Revision));
        }
        Ok(())
    }

    fn index_assignment(&mut self, a: &Assignment) {
        if a.status.is_open() {
            self.open_assignments.insert(open_key(a), a.id.clone());
        }
        if let Some(due) = a.due_at() {
            self.due.insert((due, a.org_id, a.id.clone()));
        }
        self.assignments.insert((a.org_id, a.id.clone()), a.clone());
    }

    /// Writes a changed assignment over the stored one, moving it in (or out of) the due index and releasing its
    /// open-assignment lock once it is closed.
    fn replace_assignment(&mut self, a: &Assignment) {
        if let Some(old) = self.assignments.get(&(a.org_id, a.id.clone())).cloned() {
            if let Some(due) = old.due_at() {
                self.due.remove(&(due, old.org_id, old.id.clone()));
            }
        }
        if !a.status.is_open() && self.open_assignments.get(&open_key(a)) == Some(&a.id) {
            self.open_assignments.remove(&open_key(a));
        }
        self.index_assignment(a);
    }

    /// Checks that `done` may complete its key: the record must still be this request's claim.
    fn check_completion(&self, done: Option<&Completion>) -> StoreResult<()> {
        let Some(done) = done else { return Ok(()) };
        match self.idempotency.get(&done.key) {
            Some(r) if r.fingerprint == done.fingerprint && r.response.is_none() => Ok(()),
            _ => Err(StoreError::Conflict(Conflict::IdempotencyRecord)),
        }
    }

    fn apply_completion(&mut self, done: Option<&Completion>) {
        if let Some(done) = done {
            self.idempotency.insert(
                done.key.clone(),
                IdemRecord {
                    fingerprint: done.fingerprint.clone(),
                    response: Some(done.response.clone()),
                    locked_until: 0,
                    expires_at: done.expires_at,
                },
            );
        }
    }
}

#[derive(Default)]
pub struct MemoryStore {
    state: Mutex<State>,
}

impl MemoryStore {
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave a half-applied write: every write checks first, then
        // applies. So a poisoned lock is still consistent.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

fn open_key(a: &Assignment) -> (OrgId, FlowId, String) {
    (a.org_id, a.flow_id.clone(), a.user_email.key())
}

#[async_trait]
impl Directory for MemoryStore {
    async fn next_id(&self, counter: Counter) -> StoreResult<u64> {
        let mut s = self.lock();
        let n = s.counters.entry(counter).or_insert(0);
        *n += 1;
        Ok(*n)
    }

    async fn raise_counter(&self, counter: Counter, value: u64) -> StoreResult<()> {
        let mut s = self.lock();
        let n = s.counters.entry(counter).or_insert(0);
        *n = (*n).max(value);
        Ok(())
    }

    async fn create_organization(
        &self,
        org: &Organization,
        owner: &User,
        keys: &[ApiKey],
        done: Option<&Completion>,
    ) -> StoreResult<()> {
        let mut s = self.lock();
        if s.org_slugs.contains_key(org.slug.as_str()) {
            return Err(StoreError::Conflict(Conflict::OrganizationSlug));
        }
        s.check_completion(done)?;
        s.org_slugs.insert(org.slug.as_str().to_owned(), org.id);
        s.orgs.insert(org.id, org.clone());
        if let Some(email) = &owner.email {
            s.emails.insert((org.id, email.key()), owner.id);
        }
        if let Some(ext) = &owner.external_id {
            s.external_ids.insert((org.id, ext.clone()), owner.id);
        }
        s.users.insert((org.id, owner.id), owner.clone());
        for key in keys {
            s.keys.insert(key.hash.clone(), key.clone());
        }
        s.apply_completion(done);
        Ok(())
    }

    async fn get_organization(&self, org: OrgId) -> StoreResult<Option<Organization>> {
        Ok(self.lock().orgs.get(&org).cloned())
    }

    async fn change_setting(&self, org: OrgId, setting: &Setting) -> StoreResult<Option<Organization>> {
        let mut s = self.lock();
        Ok(s.orgs.get_mut(&org).map(|found| {
            setting.apply(found);
            found.clone()
        }))
    }

    async fn create_user(&self, user: &User, done: Option<&Completion>) -> StoreResult<()> {
        let mut s = self.lock();
        if !s.orgs.contains_key(&user.org_id) {
            return Err(StoreError::Conflict(Conflict::Missing));
        }
        if user.email.as_ref().is_some_and(|e| s.emails.contains_key(&(user.org_id, e.key()))) {
            return Err(StoreError::Conflict(Conflict::UserEmail));
        }
        if let Some(ext) = &user.external_id {
            if s.external_ids.contains_key(&(user.org_id, ext.clone())) {
                return Err(StoreError::Conflict(Conflict::UserExternalId));
            }
        }
        s.check_completion(done)?;
        if let Some(ext) = &user.external_id {
            s.external_ids.insert((user.org_id, ext.clone()), user.id);
        }
        if let Some(email) = &user.email {
            s.emails.insert((user.org_id, email.key()), user.id);
        }
        s.users.insert((user.org_id, user.id), user.clone());
        if let Some(org) = s.orgs.get_mut(&user.org_id) {
            org.user_count += 1;
        }
        s.apply_completion(done);
        Ok(())
    }

    async fn get_user(&self, org: OrgId, user: UserId) -> StoreResult<Option<User>> {
        Ok(self.lock().users.get(&(org, user)).cloned())
    }

    async fn write_user(&self, write: &UserWrite<'_>) -> StoreResult<()> {
        let (user, read) = (write.user, write.read);
        let mut s = self.lock();
        let key = (user.org_id, user.id);
        if s.users.get(&key) != Some(read) {
            return Err(StoreError::Conflict(Conflict::Revision));
        }
        let new_email = user.email.as_ref().map(Email::key);
        let old_email = read.email.as_ref().map(Email::key);
        if new_email != old_email {
            if let Some(email) = &new_email {
                if s.emails.contains_key(&(user.org_id, email.clone())) {
                    return Err(StoreError::Conflict(Conflict::UserEmail));
                }
            }
        }
        if user.external_id != read.external_id {
            if let Some(ext) = &user.external_id {
                let holder = s.external_ids.get(&(user.org_id, ext.clone()));
                if holder.is_some_and(|h| write.absorbs.is_none_or(|a| a.id != *h)) {
                    return Err(StoreError::Conflict(Conflict::UserExternalId));
                }
            }
        }
        if let Some(absorbed) = write.absorbs {
            if s.users.get(&(absorbed.org_id, absorbed.id)) != Some(absorbed) {
                return Err(StoreError::Conflict(Conflict::Revision));
            }
        }
        if read.is_active_admin() && !user.is_active_admin() {
            let admins = s.users.range((user.org_id, UserId(0))..=(user.org_id, UserId(u64::MAX)));
            if admins.filter(|(_, u)| u.is_active_admin()).count() <= 1 {
                return Err(StoreError::Conflict(Conflict::LastAdmin));
            }
        }
        // Every condition holds: apply.
        if new_email != old_email {
            if let Some(email) = new_email {
                s.emails.insert((user.org_id, email), user.id);
            }
            if let Some(email) = old_email {
                s.emails.remove(&(user.org_id, email));
            }
        }
        if let Some(absorbed) = write.absorbs {
            s.users.remove(&(absorbed.org_id, absorbed.id));
            if let Some(ext) = &absorbed.external_id {
                s.external_ids.remove(&(absorbed.org_id, ext.clone()));
            }
            if let Some(org) = s.orgs.get_mut(&absorbed.org_id) {
                org.user_count = org.user_count.saturating_sub(1);
            }
        }
        if user.external_id != read.external_id {
            if let Some(ext) = &read.external_id {
                s.external_ids.remove(&(user.org_id, ext.clone()));
            }
            if let Some(ext) = &user.external_id {
                s.external_ids.insert((user.org_id, ext.clone()), user.id);
            }
        }
        for k in write.keys {
            s.keys.insert(k.hash.clone(), k.clone());
        }
        s.users.insert(key, user.clone());
        Ok(())
    }

    async fn find_user_by_email(&self, org: OrgId, email_key: &str) -> StoreResult<Option<User>> {
        let s = self.lock();
        Ok(s.emails.get(&(org, email_key.to_owned())).and_then(|id| s.users.get(&(org, *id))).cloned())
    }

    async fn find_user_by_external_id(&self, org: OrgId, external_id: &str) -> StoreResult<Option<User>> {
        let s = self.lock();
        Ok(s.external_ids.get(&(org, external_id.to_owned())).and_then(|id| s.users.get(&(org, *id))).cloned())
    }

    async fn list_users(&self, org: OrgId) -> StoreResult<Vec<User>> {
        let s = self.lock();
        Ok(s.users.range((org, UserId(0))..=(org, UserId(u64::MAX))).map(|(_, u)| u.clone()).collect())
    }

    async fn users_page(&self, org: OrgId, after: Option<UserId>, limit: usize) -> StoreResult<Listed<User>> {
        let s = self.lock();
        let from = after.map_or(0, |a| a.0.saturating_add(1));
        let found = s.users.range((org, UserId(from))..=(org, UserId(u64::MAX))).take(limit + 1);
        Ok(Listed::first(found.map(|(_, u)| u.clone()).collect(), limit))
    }
}

#[async_trait]
impl KeyStore for MemoryStore {
    async fn find_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>> {
        Ok(self.lock().keys.get(hash).cloned())
    }

    async fn create_key(&self, key: &ApiKey, done: Option<&Completion>) -> StoreResult<()> {
        let mut s = self.lock();
        let held = s.keys.values().filter(|k| k.org_id == key.org_id && k.user_id == key.user_id);
        if held.filter(|k| k.revoked_at.is_none()).count() >= MAX_KEYS_PER_PERSON {
            return Err(StoreError::Conflict(Conflict::Limit));
        }
        s.check_completion(done)?;
        s.keys.insert(key.hash.clone(), key.clone());
        s.apply_completion(done);
        Ok(())
    }

    async fn get_key(&self, org: OrgId, key: &KeyId) -> StoreResult<Option<ApiKey>> {
        Ok(self.lock().keys.values().find(|k| k.org_id == org && &k.id == key).cloned())
    }

    async fn keys_page(
        &self,
        org: OrgId,
        user: Option<UserId>,
        after: Option<&KeyId>,
        limit: usize,
    ) -> StoreResult<Listed<ApiKey>> {
        let s = self.lock();
        let mut found: Vec<ApiKey> = s
            .keys
            .values()
            .filter(|k| k.org_id == org && user.is_none_or(|u| k.user_id == u) && after.is_none_or(|a| &k.id > a))
            .cloned()
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        found.truncate(limit + 1);
        Ok(Listed::first(found, limit))
    }

    async fn user_keys(&self, org: OrgId, user: UserId) -> StoreResult<Vec<ApiKey>> {
        let s = self.lock();
        let mut found: Vec<ApiKey> = s
            .keys
            .values()
            .filter(|k| k.org_id == org && k.user_id == user && k.revoked_at.is_none())
            .cloned()
            .collect();
        found.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(found)
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
    async fn create_flow(&self, flow: &Flow, creator: &Membership, done: Option<&Completion>) -> StoreResult<()> {
        let mut s = self.lock();
        let slug_key = (flow.org_id, flow.slug.as_str().to_owned());
        if s.flow_slugs.contains_key(&slug_key) {
            return Err(StoreError::Conflict(Conflict::FlowSlug));
        }
        s.check_keyed(creator.org_id, creator.user_id, creator.external_id.as_deref())?;
        s.check_completion(done)?;
        s.flow_slugs.insert(slug_key, flow.id.clone());
        s.flows.insert((flow.org_id, flow.id.clone()), flow.clone());
        s.members.insert((flow.org_id, flow.id.clone(), flow.created_by), creator.clone());
        s.apply_completion(done);
        Ok(())
    }

    async fn get_flow(&self, org: OrgId, flow: &FlowId) -> StoreResult<Option<Flow>> {
        Ok(self.lock().flows.get(&(org, flow.clone())).cloned())
    }

    async fn update_flow(
        &self,
        flow: &Flow,
        expected: u64,
        old_slug: &Slug,
        memberships: &[Membership],
    ) -> StoreResult<()> {
        let mut s = self.lock();
        let key = (flow.org_id, flow.id.clone());
        match s.flows.get(&key) {
            Some(current) if current.revision == expected => {}
            Some(_) => return Err(StoreError::Conflict(Conflict::Revision)),
            None => return Err(StoreError::Conflict(Conflict::Missing)),
        }
        if &flow.slug != old_slug && s.flow_slugs.contains_key(&(flow.org_id, flow.slug.as_str().to_owned())) {
            return Err(StoreError::Conflict(Conflict::FlowSlug));
        }
        for m in memberships {
            s.check_keyed(m.org_id, m.user_id, m.external_id.as_deref())?;
        }
        if &flow.slug != old_slug {
            s.flow_slugs.remove(&(flow.org_id, old_slug.as_str().to_owned()));
            s.flow_slugs.insert((flow.org_id, flow.slug.as_str().to_owned()), flow.id.clone());
        }
        s.flows.insert(key, flow.clone());
        for m in memberships {
            s.members.insert((m.org_id, m.flow_id.clone(), m.user_id), m.clone());
        }
        Ok(())
    }

    async fn find_flow_by_slug(&self, org: OrgId, slug: &Slug) -> StoreResult<Option<Flow>> {
        let s = self.lock();
        let id = s.flow_slugs.get(&(org, slug.as_str().to_owned()));
        Ok(id.and_then(|id| s.flows.get(&(org, id.clone()))).cloned())
    }

    async fn list_flows(&self, org: OrgId) -> StoreResult<Vec<Flow>> {
        let s = self.lock();
        let mut flows: Vec<Flow> = s.flows.values().filter(|f| f.org_id == org).cloned().collect();
        flows.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
        Ok(flows)
    }

    async fn flow_members(&self, org: OrgId, flow: &FlowId) -> StoreResult<Vec<Membership>> {
        let s = self.lock();
        Ok(s.members.values().filter(|m| m.org_id == org && &m.flow_id == flow).cloned().collect())
    }

    async fn member_flows(&self, org: OrgId, user: UserId) -> StoreResult<Vec<(Flow, Membership)>> {
        let s = self.lock();
        let mut found: Vec<(Flow, Membership)> = s
            .members
            .values()
            .filter(|m| m.org_id == org && m.user_id == user)
            .filter_map(|m| Some((s.flows.get(&(org, m.flow_id.clone()))?.clone(), m.clone())))
            .collect();
        found.sort_by(|a, b| a.0.id.as_str().cmp(b.0.id.as_str()));
        Ok(found)
    }
}

#[async_trait]
impl ProgressStore for MemoryStore {
    async fn user_progress(&self, org: OrgId, user: UserId) -> StoreResult<UserProgress> {
        let s = self.lock();
        let states = s.states.values().filter(|st| st.org_id == org && st.user_id == user).cloned().collect();
        let memberships = s.members.values().filter(|m| m.org_id == org && m.user_id == user).cloned().collect();
        let mut assignments: Vec<Assignment> =
            s.assignments.values().filter(|a| a.org_id == org && a.user_id == user).cloned().collect();
        assignments.sort_by(|a, b| (a.assigned_at, a.id.as_str()).cmp(&(b.assigned_at, b.id.as_str())));
        Ok(UserProgress { states, memberships, assignments })
    }

    async fn person_progress(&self, org: OrgId, external_id: &str) -> StoreResult<UserProgress> {
        let user = self.lock().external_ids.get(&(org, external_id.to_owned())).copied();
        match user {
            Some(user) => self.user_progress(org, user).await,
            None => Ok(UserProgress::default()),
        }
    }

    async fn index_person(&self, person: &User) -> StoreResult<()> {
        let Some(external) = &person.external_id else { return Ok(()) };
        let (org, user) = (person.org_id, person.id);
        let mut s = self.lock();
        for m in s.members.values_mut().filter(|m| m.org_id == org && m.user_id == user) {
            m.external_id.get_or_insert_with(|| external.clone());
        }
        let ids: Vec<AssignmentId> = s
            .assignments
            .values()
            .filter(|a| a.org_id == org && a.user_id == user && a.user_external_id.is_none())
            .map(|a| a.id.clone())
            .collect();
        for id in ids {
            if let Some(mut a) = s.assignments.get(&(org, id)).cloned() {
                a.user_external_id = Some(external.clone());
                s.replace_assignment(&a);
            }
        }
        if let Some(u) = s.users.get_mut(&(org, user)).filter(|u| u.external_id.as_ref() == Some(external)) {
            u.person_indexed = true;
        }
        Ok(())
    }

    async fn write_progress(&self, write: &ProgressWrite<'_>) -> StoreResult<()> {
        let mut s = self.lock();
        let state = write.state;
        let key = (state.org_id, state.user_id, state.flow_id.clone());
        let current = s.states.get(&key).map_or(0, |st| st.revision);
        if current != write.expected {
            return Err(StoreError::Conflict(Conflict::Revision));
        }
        if let Some((a, read_status)) = write.assignment {
            let stored = s.assignments.get(&(a.org_id, a.id.clone()));
            if stored.is_none_or(|stored| stored.status != read_status) {
                return Err(StoreError::Conflict(Conflict::Revision));
            }
        }
        s.states.insert(key, state.clone());
        if let Some((a, _)) = write.assignment {
            s.replace_assignment(a);
        }
        for event in write.events {
            s.outbox.insert(event.id.clone(), event.clone());
        }
        Ok(())
    }

    async fn delete_progress(&self, org: OrgId, user: UserId, flow: &FlowId) -> StoreResult<bool> {
        Ok(self.lock().states.remove(&(org, user, flow.clone())).is_some())
    }

    async fn get_profile(&self, org: OrgId, user: UserId) -> StoreResult<Option<Profile>> {
        Ok(self.lock().profiles.get(&(org, user)).cloned())
    }

    async fn write_profile(&self, profile: &Profile, expected: u64) -> StoreResult<()> {
        let mut s = self.lock();
        let key = (profile.org_id, profile.user_id);
        if s.profiles.get(&key).map_or(0, |p| p.revision) != expected {
            return Err(StoreError::Conflict(Conflict::Revision));
        }
        s.profiles.insert(key, profile.clone());
        Ok(())
    }

    async fn flow_states(&self, org: OrgId, flow: &FlowId, users: &[UserId]) -> StoreResult<Vec<FlowState>> {
        let s = self.lock();
        Ok(users.iter().filter_map(|u| s.states.get(&(org, *u, flow.clone())).cloned()).collect())
    }

    async fn copy_progress(&self, org: OrgId, from: UserId, to: UserId, _: Option<&str>) -> StoreResult<()> {
        let mut s = self.lock();
        let theirs: Vec<FlowState> = s
            .states
            .iter()
            .filter(|((o, u, _), _)| *o == org && *u == from)
            .map(|(_, state)| FlowState { user_id: to, ..state.clone() })
            .collect();
        for state in theirs {
            s.states.entry((org, to, state.flow_id.clone())).or_insert(state);
        }
        if let Some(profile) = s.profiles.get(&(org, from)).cloned() {
            s.profiles.entry((org, to)).or_insert(Profile { user_id: to, ..profile });
        }
        Ok(())
    }

    async fn forget_progress(&self, org: OrgId, user: UserId) -> StoreResult<()> {
        let mut s = self.lock();
        s.states.retain(|(o, u, _), _| !(*o == org && *u == user));
        s.profiles.remove(&(org, user));
        Ok(())
    }
}

#[async_trait]
impl AssignmentStore for MemoryStore {
    async fn assign_context(&self, org: OrgId, flow: &FlowId, email_key: &str) -> StoreResult<AssignContext> {
        let s = self.lock();
        Ok(AssignContext {
            flow: s.flows.get(&(org, flow.clone())).cloned(),
            user: s.emails.get(&(org, email_key.to_owned())).and_then(|id| s.users.get(&(org, *id))).cloned(),
            open: s.open_assignments.get(&(org, flow.clone(), email_key.to_owned())).cloned(),
        })
    }

    async fn create_assignment(
        &self,
        assignment: &Assignment,
        event: &Event,
        done: Option<&Completion>,
    ) -> StoreResult<()> {
        let mut s = self.lock();
        if let Some(existing) = s.open_assignments.get(&open_key(assignment)) {
            return Err(StoreError::Conflict(Conflict::OpenAssignment(Some(existing.clone()))));
        }
        s.check_keyed(assignment.org_id, assignment.user_id, assignment.user_external_id.as_deref())?;
        s.check_completion(done)?;
        s.index_assignment(assignment);
        s.outbox.insert(event.id.clone(), event.clone());
        s.apply_completion(done);
        Ok(())
    }

    async fn get_assignment(&self, org: OrgId, id: &AssignmentId) -> StoreResult<Option<Assignment>> {
        Ok(self.lock().assignments.get(&(org, id.clone())).cloned())
    }

    async fn list_assignments(&self, org: OrgId, query: &AssignmentQuery) -> StoreResult<AssignmentPage> {
        let s = self.lock();
        let mut all: Vec<&Assignment> =
            s.assignments.values().filter(|a| a.org_id == org && query.selects(a)).collect();
        all.sort_by(|a, b| (b.assigned_at, b.id.as_str()).cmp(&(a.assigned_at, a.id.as_str())));
        let after = |a: &&Assignment| {
            query.after.as_ref().is_none_or(|(at, id)| (a.assigned_at, a.id.as_str()) < (*at, id.as_str()))
        };
        let mut items: Vec<Assignment> = all.into_iter().filter(after).take(query.limit + 1).cloned().collect();
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
        let s = self.lock();
        let mut found: Vec<Assignment> = s
            .assignments
            .values()
            .filter(|a| a.org_id == org && &a.flow_id == flow)
            .filter(|a| from.is_none_or(|f| a.assigned_at >= f) && to.is_none_or(|t| a.assigned_at <= t))
            .cloned()
            .collect();
        found.sort_by(|a, b| (a.assigned_at, a.id.as_str()).cmp(&(b.assigned_at, b.id.as_str())));
        Ok(found)
    }

    async fn update_assignment(
        &self,
        assignment: &Assignment,
        read: AssignmentStatus,
        events: &[Event],
    ) -> StoreResult<()> {
        let mut s = self.lock();
        let stored = s.assignments.get(&(assignment.org_id, assignment.id.clone()));
        if stored.is_none_or(|stored| stored.status != read) {
            return Err(StoreError::Conflict(Conflict::Revision));
        }
        s.replace_assignment(assignment);
        for event in events {
            s.outbox.insert(event.id.clone(), event.clone());
        }
        Ok(())
    }

    async fn import_assignments(&self, assignments: &[Assignment]) -> StoreResult<()> {
        let mut s = self.lock();
        for a in assignments {
            s.index_assignment(a);
        }
        Ok(())
    }

    async fn due_assignments(&self, now: Timestamp, limit: usize) -> StoreResult<DueAssignments> {
        let s = self.lock();
        let mut found = DueAssignments::default();
        for (due, org, id) in &s.due {
            if *due > now || found.assignments.len() + found.unreadable.len() >= limit {
                break;
            }
            found.items_read += 1;
            match s.assignments.get(&(*org, id.clone())) {
                Some(a) => found.assignments.push(a.clone()),
                None => found.unreadable.push(UnreadableDue {
                    key: format!("{due}|{org}|{id}"),
                    problem: "no assignment behind the index entry".into(),
                }),
            }
        }
        Ok(found)
    }

    async fn set_aside_due(&self, item: &UnreadableDue) -> StoreResult<()> {
        let mut s = self.lock();
        s.due.retain(|(due, org, id)| format!("{due}|{org}|{id}") != item.key);
        Ok(())
    }

    async fn mark_overdue(&self, assignment: &Assignment, event: &Event) -> StoreResult<bool> {
        let mut s = self.lock();
        let key = (assignment.org_id, assignment.id.clone());
        let Some(stored) = s.assignments.get_mut(&key) else { return Ok(false) };
        let Some(due) = stored.due_at() else { return Ok(false) };
        stored.status = AssignmentStatus::Overdue;
        s.due.remove(&(due, key.0, key.1));
        s.outbox.insert(event.id.clone(), event.clone());
        Ok(true)
    }
}

impl MemoryStore {
    /// Puts an unreadable item into the due index, as a damaged DynamoDB item would be: for tests of the schedule.
    pub fn damage_due_index(&self, at: Timestamp, org: OrgId, id: AssignmentId) {
        self.lock().due.insert((at, org, id));
    }
}

#[async_trait]
impl RateLimitStore for MemoryStore {
    async fn count(&self, counted: &Counted<'_>, window: i64, expires_at: i64) -> StoreResult<u64> {
        let bucket = format!("{counted:?}#{window}");
        let mut s = self.lock();
        if !s.rate.contains_key(&bucket) {
            // A new window: forget the expired ones, as DynamoDB's TTL would.
            let now = Timestamp::now().unix();
            s.rate.retain(|_, (_, exp)| *exp > now);
        }
        let entry = s.rate.entry(bucket).or_insert((0, expires_at));
        entry.0 += 1;
        Ok(entry.0)
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

    async fn complete(&self, done: &Completion) -> StoreResult<()> {
        let mut s = self.lock();
        s.check_completion(Some(done))?;
        s.apply_completion(Some(done));
        Ok(())
    }

    async fn release(&self, key: &str) -> StoreResult<()> {
        let mut s = self.lock();
        if s.idempotency.get(key).is_some_and(|r| r.response.is_none()) {
            s.idempotency.remove(key);
        }
        Ok(())
    }
}

#[async_trait]
impl WebhookStore for MemoryStore {
    async fn create_webhook(&self, hook: &Webhook, max: u32, done: Option<&Completion>) -> StoreResult<()> {
        let mut s = self.lock();
        if s.webhook_counts.get(&hook.org_id).copied().unwrap_or(0) >= max {
            return Err(StoreError::Conflict(Conflict::Limit));
        }
        s.check_completion(done)?;
        *s.webhook_counts.entry(hook.org_id).or_insert(0) += 1;
        s.webhooks.insert((hook.org_id, hook.id.clone()), hook.clone());
        s.apply_completion(done);
        Ok(())
    }

    async fn get_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<Option<Webhook>> {
        Ok(self.lock().webhooks.get(&(org, id.clone())).cloned())
    }

    async fn list_webhooks(&self, org: OrgId) -> StoreResult<Vec<Webhook>> {
        let mut hooks: Vec<Webhook> = self.lock().webhooks.values().filter(|h| h.org_id == org).cloned().collect();
        oldest_first(&mut hooks);
        Ok(hooks)
    }

    async fn patch_webhook(&self, org: OrgId, id: &WebhookId, patch: &WebhookPatch) -> StoreResult<Option<Webhook>> {
        let mut s = self.lock();
        let Some(hook) = s.webhooks.get_mut(&(org, id.clone())) else { return Ok(None) };
        if let Some(url) = &patch.url {
            hook.url = url.clone();
        }
        if let Some(events) = &patch.events {
            hook.events = events.clone();
        }
        if let Some(enabled) = patch.enabled {
            hook.enabled = enabled;
        }
        if let Some(reason) = &patch.disabled_reason {
            hook.disabled_reason = reason.clone();
        }
        if let Some((secret, until)) = &patch.rotate {
            hook.previous_secret = Some(std::mem::replace(&mut hook.secret, secret.clone()));
            hook.previous_secret_expires_at = Some(*until);
        }
        if let Some(at) = patch.updated_at {
            hook.updated_at = at;
        }
        Ok(Some(hook.clone()))
    }

    async fn delete_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<bool> {
        let mut s = self.lock();
        let gone = s.webhooks.remove(&(org, id.clone())).is_some();
        if gone {
            if let Some(n) = s.webhook_counts.get_mut(&org) {
                *n = n.saturating_sub(1);
            }
        }
        Ok(gone)
    }
}

#[async_trait]
impl OutboxStore for MemoryStore {
    async fn outbox_before(&self, before: Timestamp, limit: usize) -> StoreResult<Vec<Event>> {
        let mut events: Vec<Event> = self.lock().outbox.values().filter(|e| e.timestamp < before).cloned().collect();
        oldest_first(&mut events);
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
        let n = s.attempts.entry((webhook.clone(), event_id.to_owned())).or_insert(0);
        *n += 1;
        Ok(*n)
    }

    async fn record_delivery(&self, delivery: &Delivery) -> StoreResult<()> {
        let key = (delivery.org_id, delivery.webhook_id.clone(), delivery.id.clone());
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
            .filter(|((o, w, id), _)| *o == org && w == webhook && after.is_none_or(|a| id < a))
            .take(limit)
            .map(|(_, d)| d.clone())
            .collect())
    }

    async fn get_delivery(&self, org: OrgId, webhook: &WebhookId, id: &DeliveryId) -> StoreResult<Option<Delivery>> {
        Ok(self.lock().deliveries.get(&(org, webhook.clone(), id.clone())).cloned())
    }
}

#[async_trait]
impl EmailFlowStore for MemoryStore {
    async fn create_email_flow(&self, record: &EmailFlowRecord) -> StoreResult<()> {
        let mut s = self.lock();
        let slot = (record.org_id, record.id);
        if s.email_flows.contains_key(&slot) {
            return Err(StoreError::Conflict(Conflict::Revision));
        }
        s.email_flows.insert(slot, record.clone());
        Ok(())
    }

    async fn get_email_flow(&self, org: OrgId, id: u64) -> StoreResult<Option<EmailFlowRecord>> {
        Ok(self.lock().email_flows.get(&(org, id)).cloned())
    }

    async fn update_email_flow(&self, record: &EmailFlowRecord, expected: u64) -> StoreResult<()> {
        let mut s = self.lock();
        match s.email_flows.get_mut(&(record.org_id, record.id)) {
            Some(stored) if stored.revision == expected => {
                *stored = record.clone();
                Ok(())
            }
            _ => Err(StoreError::Conflict(Conflict::Revision)),
        }
    }

    async fn delete_email_flow(&self, org: OrgId, id: u64) -> StoreResult<bool> {
        Ok(self.lock().email_flows.remove(&(org, id)).is_some())
    }

    async fn list_email_flows(&self, org: OrgId) -> StoreResult<Vec<EmailFlowRecord>> {
        let s = self.lock();
        let mut flows: Vec<EmailFlowRecord> = s.email_flows.values().filter(|f| f.org_id == org).cloned().collect();
        flows.sort_by_key(|f| f.id);
        Ok(flows)
    }

    async fn get_participant(&self, org: OrgId, flow: u64, person: UserId) -> StoreResult<Option<Participant>> {
        Ok(self.lock().participants.get(&(org, flow, person)).cloned())
    }

    async fn write_participant(&self, p: &Participant, expected: u64, events: &[Event]) -> StoreResult<()> {
        let mut s = self.lock();
        let slot = (p.org_id, p.flow_id, p.person_id);
        let current = s.participants.get(&slot).map(|p| p.revision).unwrap_or(0);
        if current != expected {
            return Err(StoreError::Conflict(Conflict::Revision));
        }
        s.participants.insert(slot, p.clone());
        for event in events {
            s.outbox.insert(event.id.clone(), event.clone());
        }
        Ok(())
    }

    async fn flow_participants(&self, org: OrgId, flow: u64) -> StoreResult<Vec<Participant>> {
        let s = self.lock();
        Ok(s.participants
            .range((org, flow, UserId(0))..=(org, flow, UserId(u64::MAX)))
            .map(|(_, p)| p.clone())
            .collect())
    }

    async fn participants_page(
        &self,
        org: OrgId,
        flow: u64,
        after: Option<UserId>,
        limit: usize,
    ) -> StoreResult<Listed<Participant>> {
        let s = self.lock();
        let from = after.map_or(0, |a| a.0.saturating_add(1));
        let found = s.participants.range((org, flow, UserId(from))..=(org, flow, UserId(u64::MAX))).take(limit + 1);
        Ok(Listed::first(found.map(|(_, p)| p.clone()).collect(), limit))
    }

    async fn due_participants(&self, now: Timestamp, limit: usize) -> StoreResult<Vec<Participant>> {
        let s = self.lock();
        let mut due: Vec<Participant> =
            s.participants.values().filter(|p| p.is_active() && p.due_at.is_some_and(|d| d <= now)).cloned().collect();
        due.sort_by_key(|p| p.due_at);
        due.truncate(limit);
        Ok(due)
    }
}
