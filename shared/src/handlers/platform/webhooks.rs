//! Webhook endpoints (secret keys only): `POST /v1/webhooks`, `GET /v1/webhooks`, `GET`, `PATCH` and `DELETE
//! /v1/webhooks/{webhookId}`, `POST /v1/webhooks/{webhookId}/rotate-secret`, and the delivery log: `GET
//! /v1/webhooks/{webhookId}/deliveries`, `POST /v1/webhooks/{webhookId}/deliveries/{deliveryId}/replay`. The
//! signing secret is shown at creation and rotation only.

use http::StatusCode;
use lambda_http::{Request, RequestExt};
use utoipa::openapi::schema::{ObjectBuilder, SchemaFormat};

use super::views::{DeliveryPageView, ReplayView, RotatedView, WebhookPageView, WebhookView, WebhookWithSecretView};
use crate::error::{ApiError, Problems};
use crate::handler::Ctx;
use crate::handlers::{body, path_param};
use crate::http::{json, no_content, page, Fields, Input, Need, Response};
use crate::model::{DeliveryId, EventType, Webhook, WebhookId};
use crate::services::webhooks::{self, Destinations, NewWebhook, WebhookChanges};
use crate::webhooks::ssrf::{self, MAX_URL_LEN};

/// At most this many event names in one list (there are four; repeats count once).
pub const MAX_EVENT_NAMES: usize = 16;
const NO_EVENTS: &str = "must name at least one event; leave it out for all four";

fn url_schema() -> ObjectBuilder {
    ObjectBuilder::new().max_length(Some(MAX_URL_LEN)).format(Some(SchemaFormat::Custom("uri".into())))
}

/// The URL's shape, read with the other fields so that one answer names every bad one: what no deployment takes (a
/// scheme other than http and https, no host, credentials). Whether this deployment takes http, the port and where
/// the host resolves are the service's to check.
fn read_url(f: &mut Fields<'_>, need: Need) -> Option<String> {
    f.string_with("url", need, url_schema(), |s| {
        let url = s.trim();
        ssrf::check_url(url, true)?;
        Ok(url.to_owned())
    })
}

impl Input for NewWebhook {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let url = read_url(f, Need::Required);
        let events = f.strings::<EventType>("events", Need::Optional, MAX_EVENT_NAMES, NO_EVENTS);
        let enabled = f.boolean("enabled", Need::Optional);
        Some(Self { url: url?, events, enabled })
    }
}

impl Input for WebhookChanges {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let url = read_url(f, Need::Optional);
        let events = f.strings::<EventType>("events", Need::Optional, MAX_EVENT_NAMES, NO_EVENTS);
        let enabled = f.boolean("enabled", Need::Optional);
        Some(Self { url, events, enabled })
    }
}

fn destinations(ctx: &Ctx) -> Destinations<'_> {
    Destinations { resolver: ctx.state.resolver.as_ref(), local_mode: ctx.state.config.local_mode }
}

fn created(hook: &Webhook) -> Response {
    json(StatusCode::CREATED, &WebhookWithSecretView::from(hook))
}

#[tracing::instrument(skip_all)]
pub async fn create(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let input: NewWebhook = body(&request)?;
    let hook = webhooks::create(&ctx.act(&created), &ctx.state.store, &destinations(&ctx), input).await?;
    Ok(created(&hook))
}

/// `GET /v1/webhooks?limit=&cursor=`: a page of endpoints, oldest first.
#[tracing::instrument(skip_all)]
pub async fn list(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let query = request.query_string_parameters();
    let mut problems = Problems::new();
    let page = page::request(&mut problems, query.first("limit"), query.first("cursor"), |k| WebhookId::parse(k).ok());
    problems.finish()?;
    let (hooks, next) = webhooks::list(&ctx.caller, &ctx.state.store, page.after, page.limit).await?;
    let view = WebhookPageView {
        items: hooks.iter().map(WebhookView::from).collect(),
        next_cursor: next.map(|id| page::cursor_of(id.as_str())),
    };
    Ok(json(StatusCode::OK, &view))
}

#[tracing::instrument(skip_all)]
pub async fn get(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = path_param(&request, "webhookId")?;
    let hook = webhooks::get(&ctx.caller, &ctx.state.store, &id).await?;
    Ok(json(StatusCode::OK, &WebhookView::from(&hook)))
}

#[tracing::instrument(skip_all)]
pub async fn update(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = path_param(&request, "webhookId")?;
    let changes: WebhookChanges = body(&request)?;
    let hook = webhooks::update(&ctx.caller, &ctx.state.store, &destinations(&ctx), &id, changes).await?;
    Ok(json(StatusCode::OK, &WebhookView::from(&hook)))
}

#[tracing::instrument(skip_all)]
pub async fn delete(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = path_param(&request, "webhookId")?;
    webhooks::delete(&ctx.caller, &ctx.state.store, &id).await?;
    Ok(no_content())
}

#[tracing::instrument(skip_all)]
pub async fn rotate_secret(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = path_param(&request, "webhookId")?;
    let hook = webhooks::rotate_secret(&ctx.caller, &ctx.state.store, &id).await?;
    Ok(json(StatusCode::OK, &RotatedView::from(&hook)))
}

/// `GET /v1/webhooks/{id}/deliveries?limit=&cursor=`: every attempt, newest first; `nextCursor` names the page
/// after this one.
#[tracing::instrument(skip_all)]
pub async fn deliveries(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = path_param(&request, "webhookId")?;
    let query = request.query_string_parameters();
    let mut problems = Problems::new();
    let page = page::request(&mut problems, query.first("limit"), query.first("cursor"), |k| DeliveryId::parse(k).ok());
    problems.finish()?;
    let store = &ctx.state.store;
    let page = webhooks::deliveries(&ctx.caller, store, store, &id, page.limit, page.after).await?;
    Ok(json(StatusCode::OK, &DeliveryPageView::from(&page)))
}

/// `POST /v1/webhooks/{id}/deliveries/{deliveryId}/replay`: sends that delivery's event to the endpoint again,
/// with the same `webhook-id` and a fresh retry schedule.
#[tracing::instrument(skip_all)]
pub async fn replay(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = path_param(&request, "webhookId")?;
    let delivery_id = path_param(&request, "deliveryId")?;
    let store = &ctx.state.store;
    let delivery = webhooks::replay(&ctx.caller, store, store, &ctx.state.queue, &id, &delivery_id).await?;
    Ok(json(StatusCode::ACCEPTED, &ReplayView { queued: true, event_id: delivery.event.id, webhook_id: id }))
}
