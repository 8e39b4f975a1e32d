//! Who a request acts for, and the gate every write passes.
//!
//! The checks that need no storage (the key's form and MAC, the admin token) run before anything else. The
//! checks that need storage (the key's lookup, the rate window's count, the idempotency claim) form the *gate*:
//! one future, run once per request, which the pipeline polls alongside the handler. So a handler's reads go out
//! in parallel with the gate, and a request costs the longest chain of calls, not their sum:
//!
//! - a read (get an assignment): the key's GetItem, the window's UpdateItem and the item's GetItem, all at once:
//!   **one** sequential round trip;
//! - a write (assign): the same first round (the handler's BatchGetItem beside the gate), then the
//!   TransactWriteItems: **two**. With an `Idempotency-Key`, the claim joins the first round (for signed keys).
//!
//! A handler must pass the gate ([`Caller::permit`], or [`Act::permit`]) before it writes; it may read before.
//! The pipeline awaits the gate whatever the handler did and answers with the gate's refusal when there is one,
//! so reads made for a revoked key, or beyond the rate limit, are thrown away unseen.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::store::{Directory as _, IdempotencyStore as _, KeyStore as _, RateLimitStore as _};

use tokio::sync::OnceCell;

use crate::auth::user_token::{self, Refusal};
use crate::auth::Presented;
use crate::config::Limits;
use crate::error::ApiError;
use crate::http::Response;
use crate::idempotency;
use crate::model::{ApiKey, KeyId, KeyKind, OrgId, Organization, Role, Timestamp, UserTokenPolicy};
use crate::rate_limit::{self, Counted, Quota};
use crate::routes::{Access, Route};
use crate::store::{Completion, IdempotencyBegin, IdempotencyClaim, StoreError, StoreResult, StoredResponse};

/// The storage the gate needs.
pub trait GateStore: crate::store::KeyStore + crate::store::RateLimitStore + crate::store::IdempotencyStore {}
impl<T: crate::store::KeyStore + crate::store::RateLimitStore + crate::store::IdempotencyStore> GateStore for T {}

/// Who the request acts for, once the gate let it through.
#[derive(Clone, Debug)]
pub enum Principal {
    Key(ApiKey),
    Admin,
    Anonymous,
}

impl Principal {
    /// The caller's key; only the admin and open routes have none.
    pub fn key(&self) -> Result<&ApiKey, ApiError> {
        match self {
            Self::Key(key) => Ok(key),
            _ => Err(ApiError::internal("a route without a key asked for the caller's key")),
        }
    }
}

/// A plain public key's answer where every public request needs a user token.
const ALWAYS_TOKENS: &str = "This organization requires a user token for its public requests: its server mints one \
                             per user (see /v1/settings/user-tokens) for the page to use in place of the public key";
/// A plain public key's answer to progress on an assigned flow where that needs a user token.
const ASSIGNED_TOKENS: &str = "This flow is assigned to this user, and this organization records progress on assigned \
                               flows only with a user token minted for the user (see /v1/settings/user-tokens)";

/// Why the gate refused a request; every waiter on the gate gets a copy.
#[derive(Clone, Debug)]
pub enum Denied {
    Unauthorized,
    Forbidden(String),
    RateLimited {
        retry_after: u64,
    },
    Unavailable,
    /// A storage failure, logged where it happened.
    Failed,
    /// The same request was answered before: this answer again.
    Replay(StoredResponse),
    /// A user token that does not hold for this request.
    Token(Refusal),
    /// The same idempotency key is being processed.
    InFlight,
    /// The idempotency key was used with another request.
    Mismatch,
}

impl From<&Denied> for ApiError {
    fn from(denied: &Denied) -> Self {
        match denied {
            Denied::Unauthorized => ApiError::Unauthorized,
            Denied::Token(refusal) => ApiError::TokenRefused(refusal.message()),
            Denied::Forbidden(message) => ApiError::Forbidden(message.clone()),
            Denied::RateLimited { retry_after } => ApiError::RateLimited { retry_after: *retry_after },
            Denied::Unavailable => ApiError::Unavailable,
            Denied::Failed => ApiError::internal("the gate failed (logged)"),
            Denied::Replay(_) => ApiError::conflict("This request was already answered"),
            Denied::InFlight => {
                ApiError::conflict("A request with this Idempotency-Key is still being processed; retry later")
            }
            Denied::Mismatch => ApiError::IdempotencyMismatch,
        }
    }
}

fn storage(err: StoreError) -> Denied {
    match err {
        StoreError::Throttled => Denied::Unavailable,
        other => {
            tracing::error!(error = %other, "the gate could not reach storage");
            Denied::Failed
        }
    }
}

/// What a request presented, checked as far as possible without storage.
#[derive(Clone, Debug)]
pub enum Credential {
    /// An open route: nothing asked.
    Open,
    /// The system itself (the local server's demo data): passes as the admin, counted nowhere.
    System,
    /// The admin token, already compared; counted by its hash.
    Admin {
        token_hash: String,
    },
    Key(Presented),
}

/// An `Idempotency-Key` with the fingerprint of the request that carries it.
#[derive(Clone, Debug)]
pub struct IdempotencyRequest {
    pub key: String,
    pub fingerprint: String,
}

/// What passed the gate.
#[derive(Clone, Debug)]
pub struct Passed {
    pub principal: Principal,
    /// The rate window's quota after this request, for the `RateLimit` headers.
    pub quota: Option<Quota>,
    /// Which public requests the organization wants user tokens for (a public key's; `Never` for the others).
    pub user_tokens: UserTokenPolicy,
    /// Whether a user token vouched for the request's end user.
    pub verified_user: bool,
}

impl Passed {
    fn new(principal: Principal, quota: Option<Quota>) -> Self {
        Self { principal, quota, user_tokens: UserTokenPolicy::Never, verified_user: false }
    }
}

/// A request's caller: its credential, and the gate.
pub struct Caller {
    route: &'static Route,
    credential: Credential,
    store: crate::store::any::AnyStore,
    limits: Limits,
    now: Timestamp,
    end_user: Option<String>,
    idempotency: Option<IdempotencyRequest>,
    gate: OnceCell<Result<Passed, Denied>>,
    /// The idempotency record this request claimed, once claimed.
    claimed: Mutex<Option<String>>,
    /// Whether a write carried the claimed record's completion.
    sealed: AtomicBool,
}

impl Caller {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        route: &'static Route,
        credential: Credential,
        store: crate::store::any::AnyStore,
        limits: Limits,
        now: Timestamp,
        end_user: Option<String>,
        idempotency: Option<IdempotencyRequest>,
    ) -> Self {
        Self {
            route,
            credential,
            store,
            limits,
            now,
            end_user,
            idempotency,
            gate: OnceCell::new(),
            claimed: Mutex::new(None),
            sealed: AtomicBool::new(false),
        }
    }

    /// The system itself, acting outside any request (the demo data).
    pub fn system(store: crate::store::any::AnyStore, limits: Limits, now: Timestamp) -> Self {
        Self::new(&crate::routes::FALLBACK, Credential::System, store, limits, now, None, None)
    }

    /// The request's time, read once so that everything the request writes agrees.
    pub fn now(&self) -> Timestamp {
        self.now
    }

    /// The organization the request acts in: known at once for signed keys (their MAC holds, so only a holder of
    /// one of the organization's keys can name it), after the lookup for keys of the earlier form.
    pub async fn org(&self) -> Result<OrgId, ApiError> {
        match &self.credential {
            Credential::Key(presented) => match presented.org() {
                Some(org) => Ok(org),
                None => Ok(self.permit().await?.key()?.org_id),
            },
            _ => Err(ApiError::internal("a route without a key asked for the caller's organization")),
        }
    }

    /// Passes the gate (once per request; later calls get the same answer).
    pub async fn permit(&self) -> Result<Principal, ApiError> {
        match self.verdict().await {
            Ok(passed) => Ok(passed.principal.clone()),
            Err(denied) => Err(ApiError::from(denied)),
        }
    }

    /// The gate's answer.
    pub async fn verdict(&self) -> &Result<Passed, Denied> {
        self.gate.get_or_init(|| self.run_gate()).await
    }

    async fn run_gate(&self) -> Result<Passed, Denied> {
        let result = match &self.credential {
            Credential::Open => Ok(Passed::new(Principal::Anonymous, None)),
            Credential::System => Ok(Passed::new(Principal::Admin, None)),
            Credential::Admin { token_hash } => self.admin_gate(token_hash).await,
            Credential::Key(presented) => self.key_gate(presented).await,
        };
        if result.is_err() {
            self.release().await;
        }
        result
    }

    async fn admin_gate(&self, token_hash: &str) -> Result<Passed, Denied> {
        let counted = Counted::Admin { token_hash };
        let (count, claim) = tokio::join!(self.count(&counted), self.claim("admin", &token_hash[..16]));
        let quota = rate_limit::decide(count.map_err(storage)?, self.limits.admin, self.now)
            .map_err(|_| Denied::RateLimited { retry_after: self.retry_after() })?;
        claim?;
        Ok(Passed::new(Principal::Admin, Some(quota)))
    }

    async fn key_gate(&self, presented: &Presented) -> Result<Passed, Denied> {
        if let Presented::UserToken { claim, hash } = presented {
            return self.user_token_gate(claim, hash).await;
        }
        let end_user = self.end_user.as_deref().unwrap_or("");
        let counted = match (presented.kind(), presented.org()) {
            (KeyKind::Public, _) => Some(Counted::PublicKey { key_hash: presented.hash(), end_user }),
            (KeyKind::Secret, Some(org)) => Some(Counted::Organization(org.0)),
            // An unsigned secret key: its organization is known after the lookup.
            (KeyKind::Secret, None) => None,
        };
        // A public key is counted twice: for its end user, and for all its end users together (its ceiling).
        let total =
            (presented.kind() == KeyKind::Public).then(|| Counted::PublicKeyTotal { key_hash: presented.hash() });
        let count_total = async {
            match &total {
                Some(total) => Some(self.count(total).await),
                None => None,
            }
        };
        // A public key's organization says whether its public requests need user tokens instead.
        let public = presented.kind() == KeyKind::Public;
        let (key, count, total_count, claim, org) = match presented {
            Presented::Signed { org, id, .. } => {
                let scope = org.to_string();
                let counted = counted.as_ref().expect("signed keys know whom they count");
                let (key, count, total_count, claim, org) = tokio::join!(
                    self.store.find_key_by_hash(presented.hash()),
                    self.count(counted),
                    count_total,
                    self.claim(&scope, id.as_str()),
                    self.organization_if(public, *org)
                );
                (key.map_err(storage)?, count, total_count, claim, org?)
            }
            Presented::Legacy { .. } => {
                let key = self.store.find_key_by_hash(presented.hash()).await.map_err(storage)?;
                let Some(found) = key.as_ref().filter(|k| k.revoked_at.is_none()) else {
                    return Err(Denied::Unauthorized);
                };
                let counted = counted.unwrap_or(Counted::Organization(found.org_id.0));
                let scope = found.org_id.to_string();
                let (count, total_count, claim, org) = tokio::join!(
                    self.count(&counted),
                    count_total,
                    self.claim(&scope, found.id.as_str()),
                    self.organization_if(public, found.org_id)
                );
                (key, count, total_count, claim, org?)
            }
            Presented::UserToken { .. } => unreachable!("user tokens pass their own gate"),
        };
        let key = key.filter(|k| k.revoked_at.is_none()).ok_or(Denied::Unauthorized)?;
        if let Presented::Signed { org, id, .. } = presented {
            if key.org_id != *org || &key.id != id {
                return Err(Denied::Unauthorized);
            }
        }
        if key.kind != presented.kind() {
            return Err(Denied::Unauthorized);
        }
        if self.route.access == Access::Secret && key.kind != KeyKind::Secret {
            return Err(Denied::Forbidden("This route requires a secret API key".into()));
        }
        if self.route.role == Role::Admin && key.role != Role::Admin {
            return Err(Denied::Forbidden("This route requires the key of an organization admin".into()));
        }
        let limited = |_| Denied::RateLimited { retry_after: self.retry_after() };
        let limit = match key.kind {
            KeyKind::Public => self.limits.public_per_user,
            KeyKind::Secret => self.limits.for_tier(key.tier),
        };
        let mut quota = rate_limit::decide(count.map_err(storage)?, limit, self.now).map_err(limited)?;
        if let Some(total_count) = total_count {
            let ceiling = self.limits.public_key_ceiling(key.tier);
            let total = rate_limit::decide(total_count.map_err(storage)?, ceiling, self.now).map_err(limited)?;
            // The headers tell the nearer of the two limits.
            if total.remaining < quota.remaining {
                quota = total;
            }
        }
        claim?;
        let user_tokens = org.map_or(UserTokenPolicy::Never, |o| o.user_tokens);
        if user_tokens == UserTokenPolicy::Always {
            return Err(Denied::Forbidden(ALWAYS_TOKENS.into()));
        }
        Ok(Passed { principal: Principal::Key(key), quota: Some(quota), user_tokens, verified_user: false })
    }

    /// The organization, when `wanted` (a public key's gate reads its user-token policy).
    async fn organization_if(&self, wanted: bool, org: OrgId) -> Result<Option<Organization>, Denied> {
        if !wanted {
            return Ok(None);
        }
        self.store.get_organization(org).await.map_err(storage)
    }

    /// A user token's gate: its organization's secret and the request's `userId` decide whether it holds; it then
    /// acts as the organization's public key for that user. Each token has its own rate window (a public key's per
    /// end user; a token is one end user's), so that tokens forged under an organization's id, which cost the read
    /// of its secret, count against nobody's window but their own.
    async fn user_token_gate(&self, claim: &user_token::Claim, hash: &str) -> Result<Passed, Denied> {
        if self.route.access == Access::Secret {
            return Err(Denied::Forbidden("This route requires a secret API key".into()));
        }
        let org = claim.org;
        let end_user = self.end_user.as_deref().unwrap_or("");
        let (counted, scope) = (Counted::PublicKey { key_hash: hash, end_user }, org.to_string());
        let (found, count, claimed) =
            tokio::join!(self.store.get_organization(org), self.count(&counted), self.claim(&scope, &hash[..16]));
        let found = found.map_err(storage)?.ok_or(Denied::Unauthorized)?;
        let secrets = match &found.user_token_secret {
            Some(secret) => secret.verifying(self.now, user_token::PREVIOUS_SECRET_SECONDS),
            None => Vec::new(),
        };
        claim.check(&secrets, self.end_user.as_deref(), self.now).map_err(Denied::Token)?;
        let limited = |_| Denied::RateLimited { retry_after: self.retry_after() };
        let quota =
            rate_limit::decide(count.map_err(storage)?, self.limits.public_per_user, self.now).map_err(limited)?;
        claimed?;
        let key = ApiKey {
            id: KeyId::parse(&format!("key_{}", &hash[..16])).map_err(|_| Denied::Unauthorized)?,
            org_id: org,
            user_id: crate::model::UserId(0),
            role: Role::Member,
            kind: KeyKind::Public,
            tier: found.tier,
            prefix: user_token::PREFIX.to_owned(),
            last4: None,
            name: None,
            hash: hash.to_owned(),
            created_at: self.now,
            revoked_at: None,
        };
        Ok(Passed {
            principal: Principal::Key(key),
            quota: Some(quota),
            user_tokens: found.user_tokens,
            verified_user: true,
        })
    }

    /// Refuses a public key's progress on a flow assigned to the user when the organization wants a user token for
    /// it (a secret key, or a user token, passes).
    pub async fn require_token_for_assigned(&self) -> Result<(), ApiError> {
        let passed = match self.verdict().await {
            Ok(passed) => passed,
            Err(denied) => return Err(ApiError::from(denied)),
        };
        let public = matches!(&passed.principal, Principal::Key(k) if k.kind == KeyKind::Public);
        if public && !passed.verified_user && passed.user_tokens == UserTokenPolicy::AssignedProgress {
            return Err(ApiError::Forbidden(ASSIGNED_TOKENS.into()));
        }
        Ok(())
    }

    /// Counts a person a public key is about to bring into the organization (Frigade's `userId` becoming a user):
    /// at most its tier's request limit a minute for one key (a 429), and at most the tier's people limit in an
    /// organization of `people` (a 403). A secret key's people are its admins' to add and are not counted.
    pub async fn new_person(&self, people: u64) -> Result<(), ApiError> {
        let principal = self.permit().await?;
        let key = principal.key()?;
        if key.kind != KeyKind::Public {
            return Ok(());
        }
        let cap = self.limits.people_for_tier(key.tier);
        if people >= cap {
            return Err(ApiError::Forbidden(format!(
                "This organization has {cap} people or more; a public key brings in no more (an admin may add people)"
            )));
        }
        let count = self.count(&Counted::NewPeople { key_hash: &key.hash }).await?;
        let limit = self.limits.for_tier(key.tier);
        if count > u64::from(limit) {
            tracing::warn!(limit, "a public key brought in too many new people this minute");
            return Err(ApiError::RateLimited { retry_after: self.retry_after() });
        }
        Ok(())
    }

    fn retry_after(&self) -> u64 {
        u64::try_from(rate_limit::window(self.now).1 - self.now.unix()).unwrap_or(1).max(1)
    }

    async fn count(&self, counted: &Counted<'_>) -> StoreResult<u64> {
        self.store.count(counted, rate_limit::window(self.now).0, rate_limit::expires_at(self.now)).await
    }

    /// Claims the request's idempotency key in `scope` for the caller's key `caller_key`, when it has one.
    async fn claim(&self, scope: &str, caller_key: &str) -> Result<(), Denied> {
        let Some(request) = &self.idempotency else { return Ok(()) };
        let record = idempotency::scoped_key(scope, self.route.function, caller_key, &request.key);
        let now = self.now.unix();
        let claim = IdempotencyClaim {
            key: &record,
            fingerprint: &request.fingerprint,
            now,
            locked_until: now + idempotency::LOCK_SECONDS,
            expires_at: now + idempotency::TTL_SECONDS,
        };
        match self.store.begin(&claim).await.map_err(storage)? {
            IdempotencyBegin::Started => {
                *self.claimed.lock().unwrap_or_else(|p| p.into_inner()) = Some(record);
                Ok(())
            }
            IdempotencyBegin::Replay(stored) => Err(Denied::Replay(stored)),
            IdempotencyBegin::InFlight => Err(Denied::InFlight),
            IdempotencyBegin::Mismatch => Err(Denied::Mismatch),
        }
    }

    fn claimed_record(&self) -> Option<String> {
        self.claimed.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The record that completes this request's idempotency key with `answer`, when the request claimed one;
    /// the write that carries it must commit it in its own transaction. Secrets are taken out of the answer
    /// first (see [`idempotency::redact`]).
    pub fn completion(&self, answer: &Response) -> Option<Completion> {
        let key = self.claimed_record()?;
        let request = self.idempotency.as_ref()?;
        self.sealed.store(true, Ordering::SeqCst);
        Some(Completion {
            key,
            fingerprint: request.fingerprint.clone(),
            response: idempotency::stored(answer),
            expires_at: self.now.unix() + idempotency::TTL_SECONDS,
        })
    }

    /// After the handler: keeps its answer for the idempotency key when it succeeded (unless its write already
    /// did), or releases the key when it failed, so that a retry runs again.
    pub async fn finish(&self, answer: &Response) {
        if self.claimed_record().is_none() {
            return;
        }
        if answer.status().is_success() {
            if self.sealed.load(Ordering::SeqCst) {
                return;
            }
            if let Some(done) = self.completion(answer) {
                if let Err(err) = self.store.complete(&done).await {
                    tracing::warn!(error = %err, "could not keep an idempotent answer");
                }
            }
        } else {
            self.release().await;
        }
    }

    async fn release(&self) {
        let Some(record) = self.claimed.lock().unwrap_or_else(|p| p.into_inner()).take() else { return };
        if let Err(err) = self.store.release(&record).await {
            tracing::warn!(error = %err, "could not release an idempotency key");
        }
    }
}

/// What a service that writes needs from its request: the caller to pass the gate with, the request's time, and
/// how its result is answered, so that an `Idempotency-Key`'s record of that answer can commit in the same
/// transaction as the write.
pub struct Act<'a, T> {
    caller: &'a Caller,
    answer: &'a (dyn Fn(&T) -> Response + Sync),
}

impl<'a, T> Act<'a, T> {
    pub fn new(caller: &'a Caller, answer: &'a (dyn Fn(&T) -> Response + Sync)) -> Self {
        Self { caller, answer }
    }

    pub fn caller(&self) -> &Caller {
        self.caller
    }

    pub fn now(&self) -> Timestamp {
        self.caller.now()
    }

    /// Passes the gate; call before writing.
    pub async fn permit(&self) -> Result<Principal, ApiError> {
        self.caller.permit().await
    }

    /// The idempotency record of `result`'s answer, for the write's transaction.
    pub fn completion(&self, result: &T) -> Option<Completion> {
        self.caller.claimed_record()?;
        self.caller.completion(&(self.answer)(result))
    }
}
