//! The management API's answers: API keys, webhook endpoints, deliveries, and the bootstrap (whose organization
//! and owner are Flowdock's objects).

use serde::Serialize;
use utoipa::ToSchema;

use crate::config::Config;
use crate::handlers::flowdock::views::{OrganizationView, UserView};
use crate::http::page::cursor_of;
use crate::model::{ApiKey, Delivery, DeliveryStatus, EventType, KeyKind, Role, User, Webhook};
use crate::services::api_keys::IssuedKey;
use crate::services::organizations::Provisioned;
use crate::services::webhooks::DeliveryPage;

/// The answer to a bootstrap: the organization, its owner, and its first two keys (shown this once).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Bootstrapped {
    pub organization: OrganizationView,
    pub owner: UserView,
    /// `null` in an answer replayed for an Idempotency-Key: keys are never stored.
    #[schema(value_type = Option<String>)]
    pub secret_key: String,
    /// `null` in an answer replayed for an Idempotency-Key.
    #[schema(value_type = Option<String>)]
    pub public_key: String,
}

impl Bootstrapped {
    pub fn new(config: &Config, p: &Provisioned) -> Self {
        Self {
            organization: OrganizationView::new(config, &p.organization),
            owner: UserView::from(&p.owner),
            secret_key: p.secret_key.clone(),
            public_key: p.public_key.clone(),
        }
    }
}

/// A person as our routes show them: Flowdock's user object, with their role and whether they are active.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PersonView {
    #[serde(flatten)]
    pub user: UserView,
    pub role: Role,
    /// False once deactivated: their keys are revoked, they cannot be assigned or join flows.
    pub active: bool,
    #[schema(format = DateTime)]
    pub deactivated_at: Option<String>,
}

impl From<&User> for PersonView {
    fn from(user: &User) -> Self {
        Self {
            user: UserView::from(user),
            role: user.role,
            active: user.is_active(),
            deactivated_at: user.deactivated_at.map(|t| t.to_rfc3339()),
        }
    }
}

crate::page_view!(
    /// A page of the organization's people, by id.
    PersonPageView,
    PersonView
);

/// An API key: never the key itself, which only its creation shows.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyView {
    pub id: String,
    pub kind: KeyKind,
    /// What its maker called it.
    pub name: Option<String>,
    /// The key's first characters, to recognise it by.
    pub prefix: String,
    /// The key's last four characters; null for keys made before they were kept.
    pub last4: Option<String>,
    pub user_id: u64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

impl From<&ApiKey> for ApiKeyView {
    fn from(k: &ApiKey) -> Self {
        Self {
            id: k.id.to_string(),
            kind: k.kind,
            name: k.name.clone(),
            prefix: k.prefix.clone(),
            last4: k.last4.clone(),
            user_id: k.user_id.0,
            created_at: k.created_at.to_rfc3339(),
            revoked_at: k.revoked_at.map(|t| t.to_rfc3339()),
        }
    }
}

crate::page_view!(
    /// A page of API keys, by id.
    ApiKeyPageView,
    ApiKeyView
);

/// A key just made, with the key itself, shown this once.
#[derive(Serialize, ToSchema)]
pub struct IssuedKeyView {
    #[serde(flatten)]
    pub record: ApiKeyView,
    /// The key itself; `null` in an answer replayed for an Idempotency-Key: keys are never stored.
    #[schema(value_type = Option<String>)]
    pub key: String,
}

impl From<&IssuedKey> for IssuedKeyView {
    fn from(k: &IssuedKey) -> Self {
        Self { record: ApiKeyView::from(&k.record), key: k.plain.clone() }
    }
}

/// A webhook endpoint, without its secret.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookView {
    pub id: String,
    pub url: String,
    pub events: Vec<EventType>,
    pub enabled: bool,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Why deliveries stopped, when the system disabled the endpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
}

impl From<&Webhook> for WebhookView {
    fn from(h: &Webhook) -> Self {
        Self {
            id: h.id.to_string(),
            url: h.url.clone(),
            events: if h.events.is_empty() { crate::model::EventType::ALL.to_vec() } else { h.events.clone() },
            enabled: h.enabled,
            created_at: h.created_at.to_rfc3339(),
            updated_at: h.updated_at.to_rfc3339(),
            disabled_reason: h.disabled_reason.clone(),
        }
    }
}

crate::page_view!(
    /// A page of webhook endpoints, oldest first.
    WebhookPageView,
    WebhookView
);

/// An endpoint with its signing secret: only in the answer to its creation.
#[derive(Serialize, ToSchema)]
pub struct WebhookWithSecretView {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// `whsec_` and the base64 of 32 random bytes; `null` in an answer replayed for an Idempotency-Key.
    #[schema(value_type = Option<String>)]
    pub secret: String,
}

impl From<&Webhook> for WebhookWithSecretView {
    fn from(h: &Webhook) -> Self {
        Self { webhook: WebhookView::from(h), secret: h.secret.clone() }
    }
}

/// The answer to a rotation: the new secret, and until when the previous one keeps signing.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct RotatedView {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// The new secret; `null` in an answer replayed for an Idempotency-Key.
    #[schema(value_type = Option<String>)]
    pub secret: String,
    #[schema(format = DateTime)]
    pub previous_secret_expires_at: Option<String>,
}

impl From<&Webhook> for RotatedView {
    fn from(h: &Webhook) -> Self {
        Self {
            webhook: WebhookView::from(h),
            secret: h.secret.clone(),
            previous_secret_expires_at: h.previous_secret_expires_at.map(|t| t.to_rfc3339()),
        }
    }
}

/// One attempt at a delivery.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    pub id: String,
    pub event_id: String,
    pub event_type: EventType,
    pub attempt: u32,
    pub status: DeliveryStatus,
    pub response_code: Option<u16>,
    pub duration_ms: u64,
    pub error: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<&Delivery> for DeliveryView {
    fn from(d: &Delivery) -> Self {
        Self {
            id: d.id.to_string(),
            event_id: d.event.id.clone(),
            event_type: d.event.event_type,
            attempt: d.attempt,
            status: d.status,
            response_code: d.response_code,
            duration_ms: d.duration_ms,
            error: d.error.clone(),
            created_at: d.at.to_rfc3339(),
        }
    }
}

crate::page_view!(
    /// A page of deliveries, newest first.
    DeliveryPageView,
    DeliveryView
);

impl From<&DeliveryPage> for DeliveryPageView {
    fn from(p: &DeliveryPage) -> Self {
        Self {
            items: p.deliveries.iter().map(DeliveryView::from).collect(),
            next_cursor: p.next.as_ref().map(|id| cursor_of(id.as_str())),
        }
    }
}

/// The answer to a replay.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ReplayView {
    pub queued: bool,
    pub event_id: String,
    pub webhook_id: String,
}
