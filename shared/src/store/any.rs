//! The store the composition root chose, as every request reaches it: [`AnyStore`].

use std::sync::Arc;

use async_trait::async_trait;

use super::dynamo::DynamoStore;
use super::memory::MemoryStore;
use super::*;

/// The store the composition root chose, as every request reaches it. DynamoDB, what a deployed function runs on,
/// is held by its own type: each port's methods reach it by a direct call, so a function links only the store
/// methods its endpoint calls, where a `dyn Store` would link every method into every function (issue 17: the
/// deployed sizes). Any other store (the in-memory one, the tests' wrappers) is held behind `dyn`, which links
/// nothing where it is not built.
#[derive(Clone)]
pub enum AnyStore {
    Dynamo(Arc<DynamoStore>),
    Other(Arc<dyn Store>),
}

impl From<Arc<MemoryStore>> for AnyStore {
    fn from(store: Arc<MemoryStore>) -> Self {
        Self::Other(store)
    }
}

impl From<Arc<DynamoStore>> for AnyStore {
    fn from(store: Arc<DynamoStore>) -> Self {
        Self::Dynamo(store)
    }
}

impl From<Arc<dyn Store>> for AnyStore {
    fn from(store: Arc<dyn Store>) -> Self {
        Self::Other(store)
    }
}

/// Implements a port for [`AnyStore`], each method handing its arguments to the chosen store's (the signatures are
/// the traits' own: the compiler holds them equal).
macro_rules! delegate {
    ($port:ident { $(async fn $method:ident(&self $(, $arg:ident: $ty:ty)* $(,)?) -> $ret:ty;)* }) => {
        #[async_trait]
        impl $port for AnyStore {
            $(
                async fn $method(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        AnyStore::Dynamo(store) => <DynamoStore as $port>::$method(store $(, $arg)*).await,
                        AnyStore::Other(store) => <dyn Store as $port>::$method(store.as_ref() $(, $arg)*).await,
                    }
                }
            )*
        }
    };
}

delegate!(Directory {
    async fn next_id(&self, counter: Counter) -> StoreResult<u64>;
    async fn raise_counter(&self, counter: Counter, value: u64) -> StoreResult<()>;
    async fn create_organization(
        &self,
        org: &Organization,
        owner: &User,
        keys: &[ApiKey],
        done: Option<&Completion>,
    ) -> StoreResult<()>;
    async fn get_organization(&self, org: OrgId) -> StoreResult<Option<Organization>>;
    async fn change_setting(&self, org: OrgId, setting: &Setting) -> StoreResult<Option<Organization>>;
    async fn create_user(&self, user: &User, done: Option<&Completion>) -> StoreResult<()>;
    async fn get_user(&self, org: OrgId, user: UserId) -> StoreResult<Option<User>>;
    async fn write_user(&self, write: &UserWrite<'_>) -> StoreResult<()>;
    async fn find_user_by_email(&self, org: OrgId, email_key: &str) -> StoreResult<Option<User>>;
    async fn find_user_by_external_id(&self, org: OrgId, external_id: &str) -> StoreResult<Option<User>>;
    async fn list_users(&self, org: OrgId) -> StoreResult<Vec<User>>;
    async fn users_page(&self, org: OrgId, after: Option<UserId>, limit: usize) -> StoreResult<Listed<User>>;
});

delegate!(KeyStore {
    async fn find_key_by_hash(&self, hash: &str) -> StoreResult<Option<ApiKey>>;
    async fn create_key(&self, key: &ApiKey, done: Option<&Completion>) -> StoreResult<()>;
    async fn get_key(&self, org: OrgId, key: &KeyId) -> StoreResult<Option<ApiKey>>;
    async fn keys_page(
        &self,
        org: OrgId,
        user: Option<UserId>,
        after: Option<&KeyId>,
        limit: usize,
    ) -> StoreResult<Listed<ApiKey>>;
    async fn user_keys(&self, org: OrgId, user: UserId) -> StoreResult<Vec<ApiKey>>;
    async fn revoke_key(&self, org: OrgId, key: &KeyId, at: Timestamp) -> StoreResult<Option<ApiKey>>;
});

delegate!(FlowStore {
    async fn create_flow(&self, flow: &Flow, creator: &Membership, done: Option<&Completion>) -> StoreResult<()>;
    async fn get_flow(&self, org: OrgId, flow: &FlowId) -> StoreResult<Option<Flow>>;
    async fn update_flow(
        &self,
        flow: &Flow,
        expected: u64,
        old_slug: &Slug,
        memberships: &[Membership],
    ) -> StoreResult<()>;
    async fn find_flow_by_slug(&self, org: OrgId, slug: &Slug) -> StoreResult<Option<Flow>>;
    async fn list_flows(&self, org: OrgId) -> StoreResult<Vec<Flow>>;
    async fn flow_members(&self, org: OrgId, flow: &FlowId) -> StoreResult<Vec<Membership>>;
    async fn member_flows(&self, org: OrgId, user: UserId) -> StoreResult<Vec<(Flow, Membership)>>;
});

delegate!(AssignmentStore {
    async fn assign_context(&self, org: OrgId, flow: &FlowId, email_key: &str) -> StoreResult<AssignContext>;
    async fn create_assignment(
        &self,
        assignment: &Assignment,
        event: &Event,
        done: Option<&Completion>,
    ) -> StoreResult<()>;
    async fn get_assignment(&self, org: OrgId, id: &AssignmentId) -> StoreResult<Option<Assignment>>;
    async fn list_assignments(&self, org: OrgId, query: &AssignmentQuery) -> StoreResult<AssignmentPage>;
    async fn flow_assignments(
        &self,
        org: OrgId,
        flow: &FlowId,
        from: Option<Timestamp>,
        to: Option<Timestamp>,
    ) -> StoreResult<Vec<Assignment>>;
    async fn update_assignment(
        &self,
        assignment: &Assignment,
        read: AssignmentStatus,
        events: &[Event],
    ) -> StoreResult<()>;
    async fn import_assignments(&self, assignments: &[Assignment]) -> StoreResult<()>;
    async fn due_assignments(&self, now: Timestamp, limit: usize) -> StoreResult<DueAssignments>;
    async fn mark_overdue(&self, assignment: &Assignment, event: &Event) -> StoreResult<bool>;
    async fn set_aside_due(&self, item: &UnreadableDue) -> StoreResult<()>;
});

delegate!(ProgressStore {
    async fn user_progress(&self, org: OrgId, user: UserId) -> StoreResult<UserProgress>;
    async fn person_progress(&self, org: OrgId, external_id: &str) -> StoreResult<UserProgress>;
    async fn index_person(&self, person: &User) -> StoreResult<()>;
    async fn write_progress(&self, write: &ProgressWrite<'_>) -> StoreResult<()>;
    async fn delete_progress(&self, org: OrgId, user: UserId, flow: &FlowId) -> StoreResult<bool>;
    async fn get_profile(&self, org: OrgId, user: UserId) -> StoreResult<Option<Profile>>;
    async fn write_profile(&self, profile: &Profile, expected: u64) -> StoreResult<()>;
    async fn flow_states(&self, org: OrgId, flow: &FlowId, users: &[UserId]) -> StoreResult<Vec<FlowState>>;
    async fn copy_progress(&self, org: OrgId, from: UserId, to: UserId, external_id: Option<&str>) -> StoreResult<()>;
    async fn forget_progress(&self, org: OrgId, user: UserId) -> StoreResult<()>;
});

delegate!(RateLimitStore {
    async fn count(&self, counted: &Counted<'_>, window: i64, expires_at: i64) -> StoreResult<u64>;
});

delegate!(IdempotencyStore {
    async fn begin(&self, claim: &IdempotencyClaim<'_>) -> StoreResult<IdempotencyBegin>;
    async fn complete(&self, done: &Completion) -> StoreResult<()>;
    async fn release(&self, key: &str) -> StoreResult<()>;
});

delegate!(WebhookStore {
    async fn create_webhook(&self, hook: &Webhook, max: u32, done: Option<&Completion>) -> StoreResult<()>;
    async fn get_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<Option<Webhook>>;
    async fn list_webhooks(&self, org: OrgId) -> StoreResult<Vec<Webhook>>;
    async fn patch_webhook(&self, org: OrgId, id: &WebhookId, patch: &WebhookPatch) -> StoreResult<Option<Webhook>>;
    async fn delete_webhook(&self, org: OrgId, id: &WebhookId) -> StoreResult<bool>;
});

delegate!(OutboxStore {
    async fn outbox_before(&self, before: Timestamp, limit: usize) -> StoreResult<Vec<Event>>;
    async fn remove_from_outbox(&self, event: &Event) -> StoreResult<()>;
});

delegate!(DeliveryStore {
    async fn count_attempt(&self, webhook: &WebhookId, event_id: &str, expires_at: i64) -> StoreResult<u32>;
    async fn record_delivery(&self, delivery: &Delivery) -> StoreResult<()>;
    async fn list_deliveries(
        &self,
        org: OrgId,
        webhook: &WebhookId,
        limit: usize,
        after: Option<&DeliveryId>,
    ) -> StoreResult<Vec<Delivery>>;
    async fn get_delivery(&self, org: OrgId, webhook: &WebhookId, id: &DeliveryId) -> StoreResult<Option<Delivery>>;
});

delegate!(EmailFlowStore {
    async fn create_email_flow(&self, record: &EmailFlowRecord) -> StoreResult<()>;
    async fn get_email_flow(&self, org: OrgId, id: u64) -> StoreResult<Option<EmailFlowRecord>>;
    async fn update_email_flow(&self, record: &EmailFlowRecord, expected: u64) -> StoreResult<()>;
    async fn delete_email_flow(&self, org: OrgId, id: u64) -> StoreResult<bool>;
    async fn list_email_flows(&self, org: OrgId) -> StoreResult<Vec<EmailFlowRecord>>;
    async fn get_participant(&self, org: OrgId, flow: u64, person: UserId) -> StoreResult<Option<Participant>>;
    async fn write_participant(&self, participant: &Participant, expected: u64, events: &[Event]) -> StoreResult<()>;
    async fn flow_participants(&self, org: OrgId, flow: u64) -> StoreResult<Vec<Participant>>;
    async fn participants_page(
        &self,
        org: OrgId,
        flow: u64,
        after: Option<UserId>,
        limit: usize,
    ) -> StoreResult<Listed<Participant>>;
    async fn due_participants(&self, now: Timestamp, limit: usize) -> StoreResult<Vec<Participant>>;
});
