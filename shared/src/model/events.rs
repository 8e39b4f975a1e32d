//! Events and webhook endpoints: what happened, and who wants to hear of it.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{OrgId, Timestamp, WebhookId};

/// The four events seed 000 promises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    #[serde(rename = "flow.assigned")]
    FlowAssigned,
    #[serde(rename = "flow.started")]
    FlowStarted,
    #[serde(rename = "flow.completed")]
    FlowCompleted,
    #[serde(rename = "flow.overdue")]
    FlowOverdue,
}

impl EventType {
    pub const ALL: [EventType; 4] = [Self::FlowAssigned, Self::FlowStarted, Self::FlowCompleted, Self::FlowOverdue];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::FlowAssigned => "flow.assigned",
            Self::FlowStarted => "flow.started",
            Self::FlowCompleted => "flow.completed",
            Self::FlowOverdue => "flow.overdue",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw).ok_or_else(|| {
            format!("'{raw}' is not an event; use flow.assigned, flow.started, flow.completed or flow.overdue")
        })
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Something that happened, as webhooks carry it: `{"type", "timestamp", "data"}`. Its id is the
/// `webhook-id` of every delivery of it, retries and replays included, so receivers can drop duplicates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Event {
    pub id: String,
    pub org_id: OrgId,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub timestamp: Timestamp,
    pub data: Value,
}

impl Event {
    pub fn new(org_id: OrgId, event_type: EventType, at: Timestamp, data: Value) -> Self {
        Self { id: format!("evt_{}", super::random_token(12)), org_id, event_type, timestamp: at, data }
    }

    /// The body every endpoint receives.
    pub fn payload(&self) -> Value {
        serde_json::json!({ "type": self.event_type, "timestamp": self.timestamp, "data": self.data })
    }
}

/// A webhook endpoint: an organization's URL, the events it wants, and the secret its deliveries are signed
/// with. During a rotation the previous secret signs too, until it expires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Webhook {
    pub id: WebhookId,
    pub org_id: OrgId,
    pub url: String,
    pub events: Vec<EventType>,
    pub enabled: bool,
    /// `whsec_` and the base64 of the key.
    pub secret: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_secret_expires_at: Option<Timestamp>,
    /// Why deliveries stopped, when the system disabled the endpoint (a 410 from the receiver).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl Webhook {
    pub fn wants(&self, event: EventType) -> bool {
        self.enabled && self.events.contains(&event)
    }

    /// The secrets that sign a delivery made at `now`: the current one, and the previous one while its
    /// rotation grace lasts.
    pub fn signing_secrets(&self, now: Timestamp) -> Vec<&str> {
        let mut secrets = vec![self.secret.as_str()];
        if let (Some(previous), Some(until)) = (&self.previous_secret, self.previous_secret_expires_at) {
            if until > now {
                secrets.push(previous);
            }
        }
        secrets
    }
}
