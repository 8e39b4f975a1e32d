//! Webhook endpoints (their URL, the events they want, their signing secret) and their delivery log.

use crate::caller::{Act, Caller};
use crate::error::ApiError;
use crate::model::{Delivery, DeliveryId, EventType, OrgId, Webhook, WebhookId};
use crate::queue::{OutgoingMessage, QueueSender};
use crate::store::{Conflict, DeliveryStore, StoreError, WebhookPatch, WebhookStore};
use crate::webhooks::publish::DeliveryMessage;
use crate::webhooks::signing::generate_secret;
use crate::webhooks::ssrf::{self, Resolver};

/// How many endpoints one organization may have: every event fans out to each, so the fan-out stays bounded.
pub const MAX_ENDPOINTS: u32 = 20;
/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_GRACE_SECONDS: i64 = 24 * 60 * 60;

/// An endpoint to create.
pub struct NewWebhook {
    pub url: String,
    /// `None`: every event.
    pub events: Option<Vec<EventType>>,
    pub enabled: Option<bool>,
}

/// Changes to an endpoint; what is `None` stays.
pub struct WebhookChanges {
    pub url: Option<String>,
    pub events: Option<Vec<EventType>>,
    pub enabled: Option<bool>,
}

/// Where deliveries may go: the URL's shape, and every address its host resolves to (see [`ssrf`]).
pub struct Destinations<'a> {
    pub resolver: &'a dyn Resolver,
    pub local_mode: bool,
}

impl Destinations<'_> {
    /// The URL as it will be stored, or the validation error naming `url`.
    async fn check(&self, raw: &str) -> Result<String, ApiError> {
        let raw = raw.trim();
        let url = ssrf::check_url(raw, self.local_mode).map_err(|p| ApiError::field("url", p))?;
        ssrf::check_destination(&url, self.resolver, self.local_mode).await.map_err(|p| ApiError::field("url", p))?;
        Ok(url.to_string())
    }
}

/// A page of the delivery log and the cursor of the next one.
pub struct DeliveryPage {
    pub deliveries: Vec<Delivery>,
    pub next: Option<DeliveryId>,
}

/// An endpoint of the caller's organization, by the id a path gave.
pub async fn get(caller: &Caller, hooks: &dyn WebhookStore, raw_id: &str) -> Result<Webhook, ApiError> {
    own(caller.org().await?, hooks, raw_id).await
}

async fn own(org: OrgId, hooks: &dyn WebhookStore, raw_id: &str) -> Result<Webhook, ApiError> {
    let missing = || ApiError::not_found(format!("Webhook '{raw_id}' does not exist"));
    let id = WebhookId::parse(raw_id).map_err(|_| missing())?;
    hooks.get_webhook(org, &id).await?.ok_or_else(missing)
}

/// A page of the organization's endpoints, oldest first, after the endpoint `after`, and the last one when more
/// follow. An organization has at most [`MAX_ENDPOINTS`], so the page is cut from the whole list.
pub async fn list(
    caller: &Caller,
    hooks: &dyn WebhookStore,
    after: Option<WebhookId>,
    limit: usize,
) -> Result<(Vec<Webhook>, Option<WebhookId>), ApiError> {
    let all = hooks.list_webhooks(caller.org().await?).await?;
    let start = after.and_then(|a| all.iter().position(|h| h.id == a)).map_or(0, |i| i + 1);
    let page = crate::store::Listed::first(all.into_iter().skip(start).collect(), limit);
    let next = page.more.then(|| page.items.last().map(|h| h.id.clone())).flatten();
    Ok((page.items, next))
}

/// Creates an endpoint with a fresh signing secret (the answer is the only time it is shown).
pub async fn create(
    act: &Act<'_, Webhook>,
    hooks: &dyn WebhookStore,
    destinations: &Destinations<'_>,
    input: NewWebhook,
) -> Result<Webhook, ApiError> {
    let url = destinations.check(&input.url).await?;
    let org = act.caller().org().await?;
    act.permit().await?;
    let now = act.now();
    let hook = Webhook {
        id: WebhookId::generate(),
        org_id: org,
        url,
        // None listed: every type, those added later included.
        events: input.events.unwrap_or_default(),
        enabled: input.enabled.unwrap_or(true),
        secret: generate_secret(),
        previous_secret: None,
        previous_secret_expires_at: None,
        disabled_reason: None,
        created_at: now,
        updated_at: now,
    };
    let done = act.completion(&hook);
    hooks.create_webhook(&hook, MAX_ENDPOINTS, done.as_ref()).await.map_err(|err| match err {
        StoreError::Conflict(Conflict::Limit) => {
            ApiError::conflict(format!("An organization may have at most {MAX_ENDPOINTS} webhook endpoints"))
        }
        other => other.into(),
    })?;
    Ok(hook)
}

/// Changes an endpoint's URL, events or state; re-enabling clears why it was disabled. Only the attributes named
/// change (see [`WebhookPatch`]).
pub async fn update(
    caller: &Caller,
    hooks: &dyn WebhookStore,
    destinations: &Destinations<'_>,
    raw_id: &str,
    changes: WebhookChanges,
) -> Result<Webhook, ApiError> {
    let hook = get(caller, hooks, raw_id).await?;
    let url = match &changes.url {
        Some(url) => Some(destinations.check(url).await?),
        None => None,
    };
    caller.permit().await?;
    let patch = WebhookPatch {
        url,
        events: changes.events,
        enabled: changes.enabled,
        disabled_reason: (changes.enabled == Some(true)).then_some(None),
        rotate: None,
        updated_at: Some(caller.now()),
    };
    hooks
        .patch_webhook(hook.org_id, &hook.id, &patch)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Webhook '{}' does not exist", hook.id)))
}

pub async fn delete(caller: &Caller, hooks: &dyn WebhookStore, raw_id: &str) -> Result<(), ApiError> {
    let hook = get(caller, hooks, raw_id).await?;
    caller.permit().await?;
    hooks.delete_webhook(hook.org_id, &hook.id).await?;
    Ok(())
}

/// A new signing secret; the previous one keeps signing for [`ROTATION_GRACE_SECONDS`].
pub async fn rotate_secret(caller: &Caller, hooks: &dyn WebhookStore, raw_id: &str) -> Result<Webhook, ApiError> {
    let hook = get(caller, hooks, raw_id).await?;
    caller.permit().await?;
    let now = caller.now();
    let patch = WebhookPatch {
        rotate: Some((generate_secret(), now.plus_seconds(ROTATION_GRACE_SECONDS))),
        updated_at: Some(now),
        ..WebhookPatch::default()
    };
    hooks
        .patch_webhook(hook.org_id, &hook.id, &patch)
        .await?
        .ok_or_else(|| ApiError::not_found(format!("Webhook '{}' does not exist", hook.id)))
}

/// A page of an endpoint's deliveries, newest first, after the delivery `cursor` names.
pub async fn deliveries(
    caller: &Caller,
    hooks: &dyn WebhookStore,
    log: &dyn DeliveryStore,
    raw_id: &str,
    limit: usize,
    cursor: Option<DeliveryId>,
) -> Result<DeliveryPage, ApiError> {
    let hook = own(caller.org().await?, hooks, raw_id).await?;
    let deliveries = log.list_deliveries(hook.org_id, &hook.id, limit, cursor.as_ref()).await?;
    let next = (deliveries.len() == limit).then(|| deliveries.last().map(|d| d.id.clone())).flatten();
    Ok(DeliveryPage { deliveries, next })
}

/// Sends a delivery's event to its endpoint again, with the same `webhook-id` and a fresh retry schedule.
pub async fn replay(
    caller: &Caller,
    hooks: &dyn WebhookStore,
    log: &dyn DeliveryStore,
    queue: &dyn QueueSender,
    raw_id: &str,
    raw_delivery: &str,
) -> Result<Delivery, ApiError> {
    let hook = own(caller.org().await?, hooks, raw_id).await?;
    let missing = || ApiError::not_found(format!("Delivery '{raw_delivery}' does not exist"));
    let id = DeliveryId::parse(raw_delivery).map_err(|_| missing())?;
    let delivery = log.get_delivery(hook.org_id, &hook.id, &id).await?.ok_or_else(missing)?;
    caller.permit().await?;
    let message = DeliveryMessage {
        webhook_id: hook.id.clone(),
        event: delivery.event.clone(),
        // A fresh number for each replay, so that two replays never share an attempt count.
        replay: fresh_replay_number(),
    };
    let body = serde_json::to_string(&message).map_err(ApiError::internal)?;
    let outgoing = OutgoingMessage { id: "replay".into(), body, delay_seconds: 0 };
    let failed = queue.send_batch(std::slice::from_ref(&outgoing)).await.map_err(ApiError::internal)?;
    if !failed.is_empty() {
        return Err(ApiError::Unavailable);
    }
    Ok(delivery)
}

/// A random non-zero number naming one replay.
fn fresh_replay_number() -> u64 {
    let mut bytes = [0u8; 8];
    let _ = getrandom::fill(&mut bytes);
    u64::from_le_bytes(bytes).max(1)
}
