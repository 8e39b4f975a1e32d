//! Webhook endpoints (secret keys only): `POST /v1/webhooks`, `GET /v1/webhooks`, `GET`, `PATCH` and `DELETE
//! /v1/webhooks/{id}`, `POST /v1/webhooks/{id}/rotate-secret`, and the delivery log: `GET
//! /v1/webhooks/{id}/deliveries`, `POST /v1/webhooks/{id}/deliveries/{deliveryId}/replay`. The signing secret is
//! shown at creation and rotation only.

use http::StatusCode;
use lambda_http::{Request, RequestExt};
use serde_json::{json, Value};

use crate::dispatch::Ctx;
use crate::error::ApiError;
use crate::http::{json, json_object, store_error, Fields, Response};
use crate::model::{Delivery, DeliveryId, EventType, Webhook, WebhookId};
use crate::queue::OutgoingMessage;
use crate::webhooks::publish::DeliveryMessage;
use crate::webhooks::signing::generate_secret;
use crate::webhooks::{ssrf, MAX_ENDPOINTS, ROTATION_GRACE_SECONDS};

use super::path_param;

pub fn view(hook: &Webhook) -> Value {
    let mut v = json!({
        "id": hook.id.as_str(),
        "url": hook.url,
        "events": hook.events,
        "enabled": hook.enabled,
        "createdAt": hook.created_at,
        "updatedAt": hook.updated_at,
    });
    if let Some(reason) = &hook.disabled_reason {
        v["disabledReason"] = json!(reason);
    }
    v
}

/// The view with the secret: only in the answers to creation and rotation.
fn view_with_secret(hook: &Webhook) -> Value {
    let mut v = view(hook);
    v["secret"] = json!(hook.secret);
    v
}

fn read_events(fields: &mut Fields<'_>, body: &serde_json::Map<String, Value>) -> Option<Vec<EventType>> {
    match body.get("events") {
        None | Some(Value::Null) => None,
        Some(Value::Array(items)) if items.is_empty() => {
            fields.add("events", "must name at least one event; leave it out for all four");
            None
        }
        Some(Value::Array(items)) => {
            let mut events = Vec::new();
            for item in items {
                match item.as_str().map(EventType::parse) {
                    Some(Ok(e)) if !events.contains(&e) => events.push(e),
                    Some(Ok(_)) => {}
                    Some(Err(problem)) => fields.add("events", problem),
                    None => fields.add("events", "must be an array of event names"),
                }
            }
            Some(events)
        }
        Some(_) => {
            fields.add("events", "must be an array of event names");
            None
        }
    }
}

/// Checks a URL's shape and where it leads; problems are recorded on `url`.
async fn checked_url(ctx: &Ctx, fields: &mut Fields<'_>, raw: Option<String>) -> Option<String> {
    let raw = raw?;
    let local = ctx.state.config.local_mode;
    let url = match ssrf::check_url(&raw, local) {
        Ok(url) => url,
        Err(problem) => {
            fields.add("url", problem);
            return None;
        }
    };
    match ssrf::check_destination(&url, ctx.state.resolver.as_ref(), local).await {
        Ok(_) => Some(url.to_string()),
        Err(problem) => {
            fields.add("url", problem);
            None
        }
    }
}

async fn own_webhook(ctx: &Ctx, request: &Request) -> Result<Webhook, ApiError> {
    let raw = path_param(request, "webhookId")?;
    let missing = || ApiError::not_found(format!("Webhook '{raw}' does not exist"));
    let id = WebhookId::parse(&raw).map_err(|_| missing())?;
    ctx.state.store.get_webhook(ctx.org()?, &id).await.map_err(store_error)?.ok_or_else(missing)
}

#[tracing::instrument(skip_all)]
pub async fn create(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let org = ctx.org()?;
    let body = json_object(&request)?;
    let mut fields = Fields::new(&body);
    let raw_url = fields.string("url", true, |s| Ok::<_, String>(s.trim().to_owned()));
    let events = read_events(&mut fields, &body).unwrap_or_else(|| EventType::ALL.to_vec());
    let enabled = fields.boolean("enabled").unwrap_or(true);
    let url = checked_url(&ctx, &mut fields, raw_url).await;
    fields.finish()?;
    let url = url.ok_or_else(|| ApiError::internal("validated url missing"))?;
    let store = ctx.state.store.as_ref();
    if store.list_webhooks(org).await.map_err(store_error)?.len() >= MAX_ENDPOINTS {
        return Err(ApiError::conflict(format!("An organization may have at most {MAX_ENDPOINTS} webhook endpoints")));
    }
    let hook = Webhook {
        id: WebhookId::generate(),
        org_id: org,
        url,
        events,
        enabled,
        secret: generate_secret(),
        previous_secret: None,
        previous_secret_expires_at: None,
        disabled_reason: None,
        created_at: ctx.now,
        updated_at: ctx.now,
    };
    store.create_webhook(&hook).await.map_err(store_error)?;
    Ok(json(StatusCode::CREATED, &view_with_secret(&hook)))
}

#[tracing::instrument(skip_all)]
pub async fn list(ctx: Ctx, _request: Request) -> Result<Response, ApiError> {
    let hooks = ctx.state.store.list_webhooks(ctx.org()?).await.map_err(store_error)?;
    Ok(json(StatusCode::OK, &hooks.iter().map(view).collect::<Vec<_>>()))
}

#[tracing::instrument(skip_all)]
pub async fn get(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    Ok(json(StatusCode::OK, &view(&own_webhook(&ctx, &request).await?)))
}

#[tracing::instrument(skip_all)]
pub async fn update(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let mut hook = own_webhook(&ctx, &request).await?;
    let body = json_object(&request)?;
    let mut fields = Fields::new(&body);
    let raw_url = fields.string("url", false, |s| Ok::<_, String>(s.trim().to_owned()));
    let events = read_events(&mut fields, &body);
    let enabled = fields.boolean("enabled");
    let url = checked_url(&ctx, &mut fields, raw_url).await;
    fields.finish()?;
    if let Some(url) = url {
        hook.url = url;
    }
    if let Some(events) = events {
        hook.events = events;
    }
    if let Some(enabled) = enabled {
        hook.enabled = enabled;
        if enabled {
            hook.disabled_reason = None;
        }
    }
    hook.updated_at = ctx.now;
    if !ctx.state.store.update_webhook(&hook).await.map_err(store_error)? {
        return Err(ApiError::not_found(format!("Webhook '{}' does not exist", hook.id)));
    }
    Ok(json(StatusCode::OK, &view(&hook)))
}

#[tracing::instrument(skip_all)]
pub async fn delete(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let hook = own_webhook(&ctx, &request).await?;
    ctx.state.store.delete_webhook(hook.org_id, &hook.id).await.map_err(store_error)?;
    let mut response = http::Response::new(lambda_http::Body::Empty);
    *response.status_mut() = StatusCode::NO_CONTENT;
    Ok(response)
}

#[tracing::instrument(skip_all)]
pub async fn rotate_secret(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let mut hook = own_webhook(&ctx, &request).await?;
    hook.previous_secret = Some(std::mem::replace(&mut hook.secret, generate_secret()));
    hook.previous_secret_expires_at = Some(ctx.now.plus_seconds(ROTATION_GRACE_SECONDS));
    hook.updated_at = ctx.now;
    if !ctx.state.store.update_webhook(&hook).await.map_err(store_error)? {
        return Err(ApiError::not_found(format!("Webhook '{}' does not exist", hook.id)));
    }
    let mut v = view_with_secret(&hook);
    v["previousSecretExpiresAt"] = json!(hook.previous_secret_expires_at);
    Ok(json(StatusCode::OK, &v))
}

/// Deliveries per page, by default and at most.
pub const DEFAULT_PAGE: u64 = 20;
pub const MAX_PAGE: u64 = 100;

fn delivery_view(d: &Delivery) -> Value {
    json!({
        "id": d.id.as_str(),
        "eventId": d.event.id,
        "eventType": d.event.event_type,
        "attempt": d.attempt,
        "status": d.status,
        "responseCode": d.response_code,
        "durationMs": d.duration_ms,
        "error": d.error,
        "createdAt": d.at,
    })
}

/// `GET /v1/webhooks/{id}/deliveries?limit=&cursor=`: every attempt, newest first; `nextCursor` names the
/// page after this one.
#[tracing::instrument(skip_all)]
pub async fn deliveries(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let hook = own_webhook(&ctx, &request).await?;
    let query = request.query_string_parameters();
    let mut problems = crate::error::Problems::new();
    let limit = match query.first("limit") {
        None => DEFAULT_PAGE,
        Some(raw) => problems
            .check(
                "limit",
                raw.parse::<u64>()
                    .ok()
                    .filter(|n| (1..=MAX_PAGE).contains(n))
                    .ok_or_else(|| format!("must be a whole number from 1 to {MAX_PAGE}")),
            )
            .unwrap_or(DEFAULT_PAGE),
    };
    let cursor = query.first("cursor").and_then(|raw| problems.check("cursor", DeliveryId::parse(raw)));
    problems.finish()?;
    let limit = usize::try_from(limit).unwrap_or(20);
    let page =
        ctx.state.store.list_deliveries(hook.org_id, &hook.id, limit, cursor.as_ref()).await.map_err(store_error)?;
    let next = (page.len() == limit).then(|| page.last().map(|d| d.id.as_str().to_owned())).flatten();
    Ok(json(StatusCode::OK, &json!({ "data": page.iter().map(delivery_view).collect::<Vec<_>>(), "nextCursor": next })))
}

/// `POST /v1/webhooks/{id}/deliveries/{deliveryId}/replay`: sends that delivery's event to the endpoint again,
/// with the same `webhook-id` and a fresh retry schedule.
#[tracing::instrument(skip_all)]
pub async fn replay(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let hook = own_webhook(&ctx, &request).await?;
    let raw = path_param(&request, "deliveryId")?;
    let missing = || ApiError::not_found(format!("Delivery '{raw}' does not exist"));
    let id = DeliveryId::parse(&raw).map_err(|_| missing())?;
    let delivery =
        ctx.state.store.get_delivery(hook.org_id, &hook.id, &id).await.map_err(store_error)?.ok_or_else(missing)?;
    let message = DeliveryMessage {
        webhook_id: hook.id.clone(),
        event: delivery.event.clone(),
        replay: u64::try_from(ctx.now.unix_millis()).unwrap_or(1).max(1),
    };
    let body = serde_json::to_string(&message).map_err(ApiError::internal)?;
    let outgoing = OutgoingMessage { id: "replay".into(), body, delay_seconds: 0 };
    let failed = ctx.state.queue.send_batch(std::slice::from_ref(&outgoing)).await.map_err(ApiError::internal)?;
    if !failed.is_empty() {
        return Err(ApiError::Unavailable);
    }
    Ok(json(
        StatusCode::ACCEPTED,
        &json!({ "queued": true, "eventId": delivery.event.id, "webhookId": hook.id.as_str() }),
    ))
}
