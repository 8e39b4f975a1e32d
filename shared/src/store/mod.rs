//! Storage ports, split by access need: each trait is what one part of the domain needs, and services take the
//! narrow traits they use; [`Store`] is all of them, which is what the application state holds. Two
//! implementations, chosen by the composition root: [`memory::MemoryStore`] (the embedded default, for local
//! runs and tests) and [`dynamo::DynamoStore`] (one DynamoDB table; its module docs hold the key plan and the
//! access patterns). `tests/e2e/store_contract.rs` holds both to the same contract, method by method.
//!
//! Every method takes the caller's organization as a parameter and builds its keys from it: an item of another
//! organization cannot even be addressed.
//!
//! A write that a request may retry with an `Idempotency-Key` takes an optional [`Completion`]: the record of the
//! answer, committed in the same transaction as the write, so that the write and its record exist together or
//! not at all.

pub mod any;
pub mod dynamo;
pub mod memory;
pub mod seed;

use async_trait::async_trait;

use crate::error::ApiError;
use crate::model::workflow::participants::Participant;
use crate::model::workflow::EmailFlowRecord;
use crate::model::{
    ApiKey, Assignment, AssignmentId, AssignmentStatus, Delivery, DeliveryId, Event, Flow, FlowId, FlowState, KeyId,
    Membership, OrgId, Organization, Profile, Slug, Timestamp, User, UserId, Webhook, WebhookId,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness condition failed; the value names what already exists.
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// The backend asked us to slow down (throttling, a transaction conflict): worth retrying.
    #[error("throttled")]
    Throttled,
    #[error("storage failure: {0}")]
    Backend(#[source] Box<dyn std::error::Error + Send + Sync>),
}

/// What a failed uniqueness condition collided with.
#[derive(Debug, Clone, PartialEq)]
pub enum Conflict {
    OrganizationSlug,
    UserEmail,
    UserExternalId,
    FlowSlug,
    /// An open assignment of the same flow to the same person, with its id when known.
    OpenAssignment(Option<AssignmentId>),
    /// The record this write expected is missing (e.g. the organization was deleted meanwhile).
    Missing,
    /// The idempotency record this write was to complete was taken over by another request.
    IdempotencyRecord,
    /// A per-organization limit was reached (the webhook endpoints' cap).
    Limit,
    /// The record changed since it was read (its `revision` moved on): read again and redo the change.
    Revision,
    /// The change would leave the organization without an active admin.
    LastAdmin,
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{self:?}")
    }
}

impl StoreError {
    pub fn backend(err: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self::Backend(err.into())
    }
}

/// Storage failures a service did not turn into something more specific: throttling is a 503 the caller may
/// retry; a conflict a 409; anything else internal (logged, never shown).
impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Throttled => ApiError::Unavailable,
            StoreError::Conflict(c) => {
                ApiError::conflict(format!("The request conflicts with the current state ({c})"))
            }
            StoreError::Backend(e) => ApiError::Internal(e),
        }
    }
}

pub type StoreResult<T> = Result<T, StoreError>;

/// Per-deployment integer counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counter {
    Organization,
    User,
    /// An organization's email flows (SuperOffice's integer ids: 1, 2, …).
    EmailFlow(OrgId),
    /// An organization's enrolments in email flows (SuperOffice's workflow instance ids).
    WorkflowInstance(OrgId),
}

/// A response kept for an idempotency key, to be returned again.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
}

/// The record that completes an idempotency key: written with the write it guards, in the same transaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Completion {
    pub key: String,
    pub fingerprint: String,
    pub response: StoredResponse,
    /// When the record, and the response kept in it, are forgotten (unix seconds).
    pub expires_at: i64,
}

/// A page of records in their key's order, and whether more come after its last.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed<T> {
    pub items: Vec<T>,
    pub more: bool,
}

impl<T> Listed<T> {
    /// The first `limit` of `found` (records after the previous page, in order), and whether there were more.
    pub fn first(mut found: Vec<T>, limit: usize) -> Self {
        let more = found.len() > limit;
        found.truncate(limit);
        Self { items: found, more }
    }
}

/// The most API keys one person may have that are not revoked: a change of the person's role or their
/// deactivation rewrites them all in one transaction.
pub const MAX_KEYS_PER_PERSON: usize = 25;

/// One setting of an organization, as an admin changes it.
#[derive(Clone, Debug)]
pub enum Setting {
    /// The origins whose pages may read the public routes' answers (CORS).
    AllowedOrigins(Vec<String>),
    /// Which public requests need a user token.
    UserTokens(crate::model::UserTokenPolicy),
    /// The secret user tokens are signed with (a new one ends the old one's tokens).
    UserTokenSecret(crate::model::UserTokenSecret),
}

impl Setting {
    /// Sets this setting on `org`.
    pub fn apply(&self, org: &mut Organization) {
        match self {
            Self::AllowedOrigins(origins) => org.allowed_origins = origins.clone(),
            Self::UserTokens(policy) => org.user_tokens = *policy,
            Self::UserTokenSecret(secret) => org.user_token_secret = Some(secret.clone()),
        }
    }
}

/// One change of a person, written over the user as read (`user.revision` is the next one). The store keeps the
/// organization's count of active admins with it, refusing ([`Conflict::LastAdmin`]) a change that would leave none.
#[derive(Debug)]
pub struct UserWrite<'a> {
    pub user: &'a User,
    pub read: &'a User,
    /// The person's keys rewritten (their role; their revocation when the person is deactivated), in the same
    /// transaction.
    pub keys: &'a [ApiKey],
    /// A person Frigade brought in whose external id `user` takes: they are removed in the same transaction (their
    /// progress was copied to `user` before).
    pub absorbs: Option<&'a User>,
}

/// Organizations and their people.
#[async_trait]
pub trait Directory: Send + Sync {
    /// The next value of a per-deployment counter (1, 2, 3, ...).
    async fn next_id(&self, counter: Counter) -> StoreResult<u64>;
    /// Moves a counter up to at least `value`, so that ids handed out later come after it (for seeds).
    async fn raise_counter(&self, counter: Counter, value: u64) -> StoreResult<()>;
    /// Creates an organization with its owner and first keys, all or nothing; fails with
    /// [`Conflict::OrganizationSlug`] when the slug is taken.
    async fn create_organization(
        &self,
        org: &Organization,
        owner: &User,
        keys: &[ApiKey],
        done: Option<&Completion>,
    ) -> StoreResult<()>;
    async fn get_organization(&self, org: OrgId) -> StoreResult<Option<Organization>>;
    /// Changes one of the organization's settings; the organization as changed, `None` when it does not exist.
    async fn change_setting(&self, org: OrgId, setting: &Setting) -> StoreResult<Option<Organization>>;
    /// Adds a user, unique by email (case-folded) and by external id within the organization, and counts it in
    /// the organization's `user_count`.
    async fn create_user(&self, user: &User, done: Option<&Completion>) -> StoreResult<()>;
    async fn get_user(&self, org: OrgId, user: UserId) -> StoreResult<Option<User>>;
    /// Writes a change of a person (see [`UserWrite`]) over the user as read ([`Conflict::Revision`] when it
    /// changed meanwhile), its lookups with it: a new email must be free ([`Conflict::UserEmail`]) and the old one
    /// is released; a new external id must be free but for the person it absorbs ([`Conflict::UserExternalId`]).
    async fn write_user(&self, write: &UserWrite<'_>) -> StoreResult<()>;
    async fn find_user_by_email(&self, org: OrgId, email_key: &str) -> StoreResult<Option<User>>;
    /// The user whose external id (Frigade's `userId`) this is; a strongly consistent read.
    async fn find_user_by_external_id(&self, org: OrgId, external_id: &str) -> StoreResult<Option<User>>;
    /// The organization's users, ordered by id.
    async fn list_users(&self, org: OrgId) -> StoreResult<Vec<User>>;
    /// A page of the organization's users by id: those after `after`, at most `limit`.
    async fn users_page(&self, org: OrgId, after: Option<UserId>, limit: usize) -> StoreResult<Listed<User>>;
}

/// API keys, found by the hash of the presented key.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// The key with this hash; a strongly consistent read, so that a revocation counts at once.
    async fn find_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>>;
    /// Stores a key; [`Conflict::Limit`] when its user has [`MAX_KEYS_PER_PERSON`] keys that are not revoked.
    async fn create_key(&self, key: &ApiKey, done: Option<&Completion>) -> StoreResult<()>;
    async fn get_key(&self, org: OrgId, key: &KeyId) -> StoreResult<Option<ApiKey>>;
    /// A page of the organization's keys by id (only `user`'s when given): those after `after`, at most `limit`.
    async fn keys_page(
        &self,
        org: OrgId,
        user: Option<UserId>,
        after: Option<&KeyId>,
        limit: usize,
    ) -> StoreResult<Listed<ApiKey>>;
    /// The keys of a person that are not revoked; strongly consistent (a change of the person rewrites them).
    async fn user_keys(&self, org: OrgId, user: UserId) -> StoreResult<Vec<ApiKey>>;
    /// Marks a key revoked (once: a second revocation keeps the first time); `None` when the organization has no
    /// such key.
    async fn revoke_key(&self, org: OrgId, key: &KeyId, at: Timestamp) -> StoreResult<Option<ApiKey>>;
}

#[async_trait]
pub trait FlowStore: Send + Sync {
    /// Creates a flow with its creator as its first member (`creator`, keyed by their external id if they have
    /// one), unique by slug within the organization.
    async fn create_flow(&self, flow: &Flow, creator: &Membership, done: Option<&Completion>) -> StoreResult<()>;
    async fn get_flow(&self, org: OrgId, flow: &FlowId) -> StoreResult<Option<Flow>>;
    /// Writes `flow` over the one whose `revision` is still `expected` (`flow.revision` is the next one), with
    /// `memberships` (new or changed) in the same write; [`Conflict::Revision`] when another change came first.
    /// When `flow.slug` is not `old_slug`, the slug moves too ([`Conflict::FlowSlug`] when another flow has it).
    async fn update_flow(
        &self,
        flow: &Flow,
        expected: u64,
        old_slug: &Slug,
        memberships: &[Membership],
    ) -> StoreResult<()>;
    /// The flow whose slug (`parameterized_name`) this is in the organization.
    async fn find_flow_by_slug(&self, org: OrgId, slug: &Slug) -> StoreResult<Option<Flow>>;
    /// Every flow of the organization, by id.
    async fn list_flows(&self, org: OrgId) -> StoreResult<Vec<Flow>>;
    /// A flow's memberships, by user id.
    async fn flow_members(&self, org: OrgId, flow: &FlowId) -> StoreResult<Vec<Membership>>;
    /// The flows a user has a membership of (joined or not, blocked or not), with the membership, by flow id; from
    /// the user's side, without a scan.
    async fn member_flows(&self, org: OrgId, user: UserId) -> StoreResult<Vec<(Flow, Membership)>>;
}

/// What an assignment needs to know before it is written, read in one round trip.
#[derive(Debug, Default)]
pub struct AssignContext {
    pub flow: Option<Flow>,
    pub user: Option<User>,
    /// The open assignment of this flow to this person, if any.
    pub open: Option<AssignmentId>,
}

#[async_trait]
pub trait AssignmentStore: Send + Sync {
    async fn assign_context(&self, org: OrgId, flow: &FlowId, email_key: &str) -> StoreResult<AssignContext>;
    /// Writes the assignment and, in the same transaction, the event that announces it into the outbox; fails
    /// with [`Conflict::OpenAssignment`] if one is open for the same flow and person.
    async fn create_assignment(
        &self,
        assignment: &Assignment,
        event: &Event,
        done: Option<&Completion>,
    ) -> StoreResult<()>;
    async fn get_assignment(&self, org: OrgId, id: &AssignmentId) -> StoreResult<Option<Assignment>>;
    /// A page of the organization's assignments, newest first (by `assigned_at`, then id), as `query` selects them:
    /// through the flow's index, the person's, or the organization's, never a scan.
    async fn list_assignments(&self, org: OrgId, query: &AssignmentQuery) -> StoreResult<AssignmentPage>;
    /// A flow's assignments made within `[from, to]` (either end open), oldest first, through the flow's index
    /// (reports).
    async fn flow_assignments(
        &self,
        org: OrgId,
        flow: &FlowId,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> StoreResult<Vec<Assignment>>;
    /// Writes a changed assignment over the status it was read with ([`Conflict::Revision`] when it moved on), its
    /// due-index entry and open-assignment lock following its new status, with `events`, in one transaction.
    async fn update_assignment(
        &self,
        assignment: &Assignment,
        read: AssignmentStatus,
        events: &[Event],
    ) -> StoreResult<()>;
    /// Writes assignments in bulk, without events: for imports, fixtures and benchmarks. No uniqueness check; the
    /// caller brings assignments that do not collide.
    async fn import_assignments(&self, assignments: &[Assignment]) -> StoreResult<()>;
    /// Assignments due at or before `now` (see [`Assignment::due_at`]), read through the due index, so the cost
    /// follows the number due, not the number of assignments; at most `limit`, earliest first.
    async fn due_assignments(&self, now: Timestamp, limit: usize) -> StoreResult<DueAssignments>;
    /// Moves a due assignment to overdue, takes it out of the due index and writes `event` into the outbox, in
    /// one transaction; `false` when it was no longer due (another run got there first, or it was completed).
    async fn mark_overdue(&self, assignment: &Assignment, event: &Event) -> StoreResult<bool>;
    /// Takes an item the due index holds but no one can read out of the index (it stays where it is, marked),
    /// so that one bad record never stops the schedule.
    async fn set_aside_due(&self, item: &UnreadableDue) -> StoreResult<()>;
}

/// Everything about one user that their flow states need, read at once: their states, their memberships and
/// their assignments (each one Query on the user's side).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct UserProgress {
    pub states: Vec<FlowState>,
    pub memberships: Vec<Membership>,
    pub assignments: Vec<Assignment>,
}

impl UserProgress {
    /// Only what is `user`'s (the person index may hold a former holder's items under the same external id).
    pub fn of(mut self, user: UserId) -> Self {
        self.states.retain(|s| s.user_id == user);
        self.memberships.retain(|m| m.user_id == user);
        self.assignments.retain(|a| a.user_id == user);
        self
    }
}

/// One write of a user's progress in a flow: the state over the revision it was read at, and, in the same
/// transaction, the open assignment it moved (over the status it was read with) and the events that announce it.
#[derive(Debug)]
pub struct ProgressWrite<'a> {
    /// The person's external id, which keys the state in the person index.
    pub external_id: Option<&'a str>,
    /// `state.revision` is the next revision; `expected` the one read (0: there was no state).
    pub state: &'a FlowState,
    pub expected: u64,
    pub assignment: Option<(&'a Assignment, AssignmentStatus)>,
    pub events: &'a [Event],
}

/// Frigade's flow states.
#[async_trait]
pub trait ProgressStore: Send + Sync {
    /// A user's states (as they are now), memberships and assignments (through the user index).
    async fn user_progress(&self, org: OrgId, user: UserId) -> StoreResult<UserProgress>;
    /// What [`Self::user_progress`] reads, found by the person's external id instead of their user id, so that it is
    /// read beside the person rather than after (the person index; it may lag a write by a moment, and may hold
    /// the items of a person who had the external id before: keep those of the person found). A conditional write
    /// over what it read fails on anything it missed.
    async fn person_progress(&self, org: OrgId, external_id: &str) -> StoreResult<UserProgress>;
    /// Keys a person's existing states, memberships and assignments by the external id they were just given (set
    /// once), so that [`Self::person_progress`] finds them. Repeating it changes nothing more.
    async fn index_person(&self, person: &User) -> StoreResult<()>;
    /// Writes a state change; [`Conflict::Revision`] when the state or the assignment changed since they were read
    /// (read again and redo).
    async fn write_progress(&self, write: &ProgressWrite<'_>) -> StoreResult<()>;
    /// Forgets a user's state in a flow, history included; `false` when there was none.
    async fn delete_progress(&self, org: OrgId, user: UserId, flow: &FlowId) -> StoreResult<bool>;
    /// The user's profile as Frigade's sessions built it.
    async fn get_profile(&self, org: OrgId, user: UserId) -> StoreResult<Option<Profile>>;
    /// Writes a profile over the revision it was read at (`profile.revision` is the next one; 0 read: there was
    /// none); [`Conflict::Revision`] when another write came first.
    async fn write_profile(&self, profile: &Profile, expected: u64) -> StoreResult<()>;
    /// The states these users have in one flow (users without one are left out), in one read (reports).
    async fn flow_states(&self, org: OrgId, flow: &FlowId, users: &[UserId]) -> StoreResult<Vec<FlowState>>;
    /// Copies a person's flow states and profile to another person, keeping what the other already has; for a
    /// person who takes the external id of one Frigade brought in. Repeating it changes nothing more.
    /// `external_id` (the one `to` takes) keys the copies in the person index.
    async fn copy_progress(&self, org: OrgId, from: UserId, to: UserId, external_id: Option<&str>) -> StoreResult<()>;
    /// Forgets every flow state and the profile of a person (one who was absorbed by another).
    async fn forget_progress(&self, org: OrgId, user: UserId) -> StoreResult<()>;
}

/// Which assignments a list reads.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssignmentQuery {
    /// Only this flow's (through its index).
    pub flow: Option<FlowId>,
    /// Only this person's (through theirs); with `flow` too, the flow's index is read and filtered.
    pub user: Option<UserId>,
    pub status: Option<AssignmentStatus>,
    /// The last assignment of the previous page: this page starts after it.
    pub after: Option<(Timestamp, AssignmentId)>,
    pub limit: usize,
}

/// A page of assignments, and where the next starts when there is one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssignmentPage {
    pub items: Vec<Assignment>,
    pub next: Option<(Timestamp, AssignmentId)>,
}

impl AssignmentQuery {
    /// Whether `a` belongs to the selection (the stores' filters, said once).
    pub fn selects(&self, a: &Assignment) -> bool {
        self.flow.as_ref().is_none_or(|f| &a.flow_id == f)
            && self.user.is_none_or(|u| a.user_id == u)
            && self.status.is_none_or(|s| a.status == s)
    }
}

/// What one read of the due index found, and what it cost.
#[derive(Debug, Default)]
pub struct DueAssignments {
    pub assignments: Vec<Assignment>,
    /// Items in the index that could not be read as assignments (written by something else, or damaged).
    pub unreadable: Vec<UnreadableDue>,
    /// Items the store read to find them.
    pub items_read: u64,
}

/// An item of the due index that could not be read, named as its store names it.
#[derive(Debug, Clone, PartialEq)]
pub struct UnreadableDue {
    pub key: String,
    pub problem: String,
}

/// Whose requests (or new people) a rate window counts.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Counted<'a> {
    /// Every secret key of an organization.
    Organization(u64),
    /// One public key (by its hash) and one end user.
    PublicKey { key_hash: &'a str, end_user: &'a str },
    /// One public key, all its end users together.
    PublicKeyTotal { key_hash: &'a str },
    /// The people one public key (by its hash) brings in.
    NewPeople { key_hash: &'a str },
    /// One admin token (by its hash).
    Admin { token_hash: &'a str },
}

#[async_trait]
pub trait RateLimitStore: Send + Sync {
    /// Counts one in `counted`'s window number `window` and returns how many the window has counted, this one
    /// included. `expires_at` (unix seconds) is when the window's record may be forgotten. The decision is the
    /// caller's, so that the count can run before the limit (the key's tier) is known.
    async fn count(&self, counted: &Counted<'_>, window: i64, expires_at: i64) -> StoreResult<u64>;
}

#[derive(Debug, Clone, PartialEq)]
pub enum IdempotencyBegin {
    /// First time this key is seen (or its record expired, or its claim lapsed): go on, then complete or
    /// release it.
    Started,
    /// The same request was completed before: answer this again.
    Replay(StoredResponse),
    /// The same key is being processed right now.
    InFlight,
    /// The key was used with another request.
    Mismatch,
}

/// A request's claim on an idempotency key (times in unix seconds).
#[derive(Debug, Clone, Copy)]
pub struct IdempotencyClaim<'a> {
    pub key: &'a str,
    pub fingerprint: &'a str,
    pub now: i64,
    /// Until when the claim holds while the request runs. A request that died mid-way (a crashed or timed-out
    /// function) leaves a claim that lapses then, and a retry takes over instead of getting 409 for a day.
    pub locked_until: i64,
    /// When the record, and the response kept in it, are forgotten.
    pub expires_at: i64,
}

#[async_trait]
pub trait IdempotencyStore: Send + Sync {
    /// Claims the key, or says why not; reads strongly consistently.
    async fn begin(&self, claim: &IdempotencyClaim<'_>) -> StoreResult<IdempotencyBegin>;
    /// Completes a key whose write did not carry the record itself.
    async fn complete(&self, done: &Completion) -> StoreResult<()>;
    /// Forgets an in-flight key whose request failed, so that a retry runs again.
    async fn release(&self, key: &str) -> StoreResult<()>;
}

/// Changes to a webhook endpoint, each applied to its own attributes only, so that concurrent changes of
/// different attributes (a rotation and the consumer's disabling after a 410) never undo each other.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct WebhookPatch {
    pub url: Option<String>,
    pub events: Option<Vec<crate::model::EventType>>,
    pub enabled: Option<bool>,
    /// `Some(None)` clears the reason.
    pub disabled_reason: Option<Option<String>>,
    /// A rotation: the new secret; the current one becomes the previous one, signing until then.
    pub rotate: Option<(String, Timestamp)>,
    pub updated_at: Option<Timestamp>,
}

/// Webhook endpoints of an organization.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    /// Creates an endpoint, unless the organization has `max` already ([`Conflict::Limit`]): the count is kept
    /// with the endpoints, so concurrent creations cannot pass it.
    async fn create_webhook(&self, hook: &Webhook, max: u32, done: Option<&Completion>) -> StoreResult<()>;
    async fn get_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<Option<Webhook>>;
    /// The organization's endpoints, oldest first.
    async fn list_webhooks(&self, org: OrgId) -> StoreResult<Vec<Webhook>>;
    /// Applies `patch` to the endpoint's own attributes; the endpoint as changed, or `None` when it does not
    /// exist.
    async fn patch_webhook(&self, org: OrgId, id: &WebhookId, patch: &WebhookPatch) -> StoreResult<Option<Webhook>>;
    /// `false` when there was no such endpoint.
    async fn delete_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<bool>;
}

/// Events written with the change they announce, kept until they are handed to the queue.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Events written before `before`, oldest first, at most `limit`.
    async fn outbox_before(&self, before: Timestamp, limit: usize) -> StoreResult<Vec<Event>>;
    async fn remove_from_outbox(&self, event: &Event) -> StoreResult<()>;
}

/// Webhook deliveries: attempt counts and the log of every attempt.
#[async_trait]
pub trait DeliveryStore: Send + Sync {
    /// Counts one more attempt at delivering `event_id` to `webhook`; returns its number (1, 2, ...).
    async fn count_attempt(&self, webhook: &WebhookId, event_id: &str, expires_at: i64) -> StoreResult<u32>;
    async fn record_delivery(&self, delivery: &Delivery) -> StoreResult<()>;
    /// The endpoint's deliveries, newest first, after the delivery `after` when given; at most `limit`.
    async fn list_deliveries(
        &self,
        org: OrgId,
        webhook: &WebhookId,
        limit: usize,
        after: Option<&DeliveryId>,
    ) -> StoreResult<Vec<Delivery>>;
    async fn get_delivery(&self, org: OrgId, webhook: &WebhookId, id: &DeliveryId) -> StoreResult<Option<Delivery>>;
}

/// SuperOffice's email flows: one record each, with everything inside it, written over its revision.
#[async_trait]
pub trait EmailFlowStore: Send + Sync {
    /// Writes a new flow; [`Conflict::Revision`] when one with its id exists.
    async fn create_email_flow(&self, record: &EmailFlowRecord) -> StoreResult<()>;
    async fn get_email_flow(&self, org: OrgId, id: u64) -> StoreResult<Option<EmailFlowRecord>>;
    /// Writes a flow over the revision it was read at; [`Conflict::Revision`] when another write came first or the
    /// flow is gone.
    async fn update_email_flow(&self, record: &EmailFlowRecord, expected: u64) -> StoreResult<()>;
    /// Deletes a flow with everything in it; `false` when there was none.
    async fn delete_email_flow(&self, org: OrgId, id: u64) -> StoreResult<bool>;
    /// The organization's email flows, by id (one Query in its partition: the triggers an event may fire).
    async fn list_email_flows(&self, org: OrgId) -> StoreResult<Vec<EmailFlowRecord>>;
    /// A person's enrolment in a flow (the latest; one per flow and person).
    async fn get_participant(&self, org: OrgId, flow: u64, person: UserId) -> StoreResult<Option<Participant>>;
    /// Writes an enrolment over the revision it was read at (0: there was none), with the events it announces in
    /// the same transaction; [`Conflict::Revision`] when another write came first. An active participant with a
    /// `due_at` is in the due index.
    async fn write_participant(&self, participant: &Participant, expected: u64, events: &[Event]) -> StoreResult<()>;
    /// A flow's participants, by person.
    async fn flow_participants(&self, org: OrgId, flow: u64) -> StoreResult<Vec<Participant>>;
    /// A page of a flow's participants by person: those after `after`, at most `limit`.
    async fn participants_page(
        &self,
        org: OrgId,
        flow: u64,
        after: Option<UserId>,
        limit: usize,
    ) -> StoreResult<Listed<Participant>>;
    /// Active participants due at `now`, earliest first, at most `limit`, through the due index.
    async fn due_participants(&self, now: Timestamp, limit: usize) -> StoreResult<Vec<Participant>>;
}

/// Every port, for code that calls them on an [`any::AnyStore`] (`use flows_shared::store::ports::*`).
pub mod ports {
    pub use super::{
        AssignmentStore, DeliveryStore, Directory, EmailFlowStore, FlowStore, IdempotencyStore, KeyStore, OutboxStore,
        ProgressStore, RateLimitStore, Store, WebhookStore,
    };
}

/// Everything the application needs from storage.
pub trait Store:
    Directory
    + KeyStore
    + FlowStore
    + AssignmentStore
    + ProgressStore
    + RateLimitStore
    + IdempotencyStore
    + WebhookStore
    + OutboxStore
    + DeliveryStore
    + EmailFlowStore
{
}

impl<T> Store for T where
    T: Directory
        + KeyStore
        + FlowStore
        + AssignmentStore
        + ProgressStore
        + RateLimitStore
        + IdempotencyStore
        + WebhookStore
        + OutboxStore
        + DeliveryStore
        + EmailFlowStore
{
}
