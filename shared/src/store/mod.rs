//! Storage, split by access need. Each trait is what one part of the domain needs; [`Store`] is all of them,
//! which is what the application state holds. Two implementations: [`memory::MemoryStore`] (the embedded
//! default, for local runs and tests) and [`dynamo::DynamoStore`] (one DynamoDB table; see its module docs for
//! the key plan and access patterns).
//!
//! Every method takes the caller's organization as a parameter and builds its keys from it: an item of another
//! organization cannot even be addressed.

pub mod dynamo;
pub mod memory;
pub mod seed;

use async_trait::async_trait;

use crate::model::{
    ApiKey, Assignment, AssignmentId, Delivery, DeliveryId, Event, Flow, FlowId, KeyId, OrgId, Organization, Timestamp,
    User, UserId, Webhook, WebhookId,
};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness condition failed; the text names what already exists.
    #[error("conflict: {0}")]
    Conflict(Conflict),
    /// The backend asked us to slow down (DynamoDB throttling).
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

pub type StoreResult<T> = Result<T, StoreError>;

/// Per-deployment integer counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Counter {
    Organization,
    User,
}

/// Organizations and their people.
#[async_trait]
pub trait Directory: Send + Sync {
    /// The next value of a per-deployment counter (1, 2, 3, ...).
    async fn next_id(&self, counter: Counter) -> StoreResult<u64>;
    /// Creates an organization with its owner and first keys, all or nothing.
    async fn create_organization(&self, org: &Organization, owner: &User, keys: &[ApiKey]) -> StoreResult<()>;
    async fn get_organization(&self, org: OrgId) -> StoreResult<Option<Organization>>;
    /// Adds a user, unique by email (case-folded) and by external id within the organization.
    async fn create_user(&self, user: &User) -> StoreResult<()>;
    async fn get_user(&self, org: OrgId, user: UserId) -> StoreResult<Option<User>>;
    async fn find_user_by_email(&self, org: OrgId, email_key: &str) -> StoreResult<Option<User>>;
    /// The organization's users, ordered by id.
    async fn list_users(&self, org: OrgId) -> StoreResult<Vec<User>>;
}

/// API keys, found by the hash of the presented key.
#[async_trait]
pub trait KeyStore: Send + Sync {
    async fn find_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>>;
    async fn create_key(&self, key: &ApiKey) -> StoreResult<()>;
    /// The organization's keys, oldest first.
    async fn list_keys(&self, org: OrgId) -> StoreResult<Vec<ApiKey>>;
    /// Marks a key revoked; `None` when the organization has no such key.
    async fn revoke_key(&self, org: OrgId, key: &KeyId, at: Timestamp) -> StoreResult<Option<ApiKey>>;
}

#[async_trait]
pub trait FlowStore: Send + Sync {
    /// Creates a flow, unique by slug within the organization.
    async fn create_flow(&self, flow: &Flow) -> StoreResult<()>;
    async fn get_flow(&self, org: OrgId, flow: &FlowId) -> StoreResult<Option<Flow>>;
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
    async fn create_assignment(&self, assignment: &Assignment, event: &Event) -> StoreResult<()>;
    async fn get_assignment(&self, org: OrgId, id: &AssignmentId) -> StoreResult<Option<Assignment>>;
    /// Writes assignments in bulk, without events: for imports, fixtures and benchmarks. No uniqueness check; the
    /// caller brings assignments that do not collide.
    async fn import_assignments(&self, assignments: &[Assignment]) -> StoreResult<()>;
    /// Open assignments whose due date is at or before `now`, read through the due index (so the cost follows
    /// the number due, not the number of assignments); at most `limit`.
    async fn due_assignments(&self, now: Timestamp, limit: usize) -> StoreResult<DueAssignments>;
    /// Moves a due assignment to overdue, takes it out of the due index and writes `event` into the outbox, in
    /// one transaction; `false` when it was no longer open and due (another run got there first, or it was
    /// completed).
    async fn mark_overdue(&self, assignment: &Assignment, event: &Event) -> StoreResult<bool>;
}

/// What one read of the due index found, and what it cost.
#[derive(Debug, Default)]
pub struct DueAssignments {
    pub assignments: Vec<Assignment>,
    /// Items the store read to find them.
    pub items_read: u64,
}

/// The outcome of counting one request against a window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RateDecision {
    Allowed,
    Limited,
}

#[async_trait]
pub trait RateLimitStore: Send + Sync {
    /// Counts one request in `bucket`'s window, unless `limit` requests were already counted there.
    /// `expires_at` (unix seconds) is when the window's record may be forgotten.
    async fn hit(&self, bucket: &str, limit: u32, expires_at: i64) -> StoreResult<RateDecision>;
}

/// A response kept for an idempotency key, to be returned again.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum IdempotencyBegin {
    /// First time this key is seen (or its record expired): go on, then complete or release it.
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
    async fn begin(&self, claim: &IdempotencyClaim<'_>) -> StoreResult<IdempotencyBegin>;
    async fn complete(
        &self,
        key: &str,
        fingerprint: &str,
        response: &StoredResponse,
        expires_at: i64,
    ) -> StoreResult<()>;
    /// Forgets an in-flight key whose request failed in a way worth retrying.
    async fn release(&self, key: &str) -> StoreResult<()>;
}

/// Webhook endpoints of an organization.
#[async_trait]
pub trait WebhookStore: Send + Sync {
    async fn create_webhook(&self, hook: &Webhook) -> StoreResult<()>;
    async fn get_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<Option<Webhook>>;
    /// The organization's endpoints, oldest first.
    async fn list_webhooks(&self, org: OrgId) -> StoreResult<Vec<Webhook>>;
    /// Replaces an endpoint; `false` when it no longer exists.
    async fn update_webhook(&self, hook: &Webhook) -> StoreResult<bool>;
    /// `false` when there was no such endpoint.
    async fn delete_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<bool>;
}

/// Events written with the change they announce, kept until they are handed to the queue.
#[async_trait]
pub trait OutboxStore: Send + Sync {
    /// Events written before `before`, at most `limit`.
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

/// Everything the application needs from storage.
pub trait Store:
    Directory
    + KeyStore
    + FlowStore
    + AssignmentStore
    + RateLimitStore
    + IdempotencyStore
    + WebhookStore
    + OutboxStore
    + DeliveryStore
{
}

impl<T> Store for T where
    T: Directory
        + KeyStore
        + FlowStore
        + AssignmentStore
        + RateLimitStore
        + IdempotencyStore
        + WebhookStore
        + OutboxStore
        + DeliveryStore
{
}
