//! Events and webhook endpoints: what happened, and who wants to hear of it.

use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{OrgId, Timestamp, WebhookId};

/// How long the delivery log and the attempt counts of a delivery are kept (30 days).
pub const DELIVERY_RETENTION_SECONDS: i64 = 30 * 24 * 60 * 60;

/// The four events seed 000 promises.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum EventType {
    #[serde(rename = "flow.assigned")]
    FlowAssigned,
    #[serde(rename = "flow.started")]
    FlowStarted,
    #[serde(rename = "flow.completed")]
    FlowCompleted,
    #[serde(rename = "flow.overdue")]
    FlowOverdue,
    /// An open assignment was cancelled: by an admin, or because its person was deactivated (`data.reason`).
    #[serde(rename = "flow.cancelled")]
    FlowCancelled,
    /// A participant of a SuperOffice email flow reached a step: a message for the receiver to send, or another
    /// step recorded as executed.
    #[serde(rename = "emailflow.step")]
    EmailFlowStep,
}

impl EventType {
    pub const ALL: [EventType; 6] = [
        Self::FlowAssigned,
        Self::FlowStarted,
        Self::FlowCompleted,
        Self::FlowOverdue,
        Self::FlowCancelled,
        Self::EmailFlowStep,
    ];

    pub fn as_str(&self) -> &'static str {
        match self {
            Self::FlowAssigned => "flow.assigned",
            Self::FlowStarted => "flow.started",
            Self::FlowCompleted => "flow.completed",
            Self::FlowOverdue => "flow.overdue",
            Self::FlowCancelled => "flow.cancelled",
            Self::EmailFlowStep => "emailflow.step",
        }
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|t| t.as_str() == raw).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(Self::as_str).collect();
            format!("'{raw}' is not an event; use one of {}", names.join(", "))
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

    /// An event about an assignment. Its `data` is small and stable: the assignment's, flow's and user's ids,
    /// the assignee's email, the status the assignment has now, and its due date when it has one.
    pub fn about_assignment(assignment: &super::Assignment, event_type: EventType, at: Timestamp) -> Self {
        let mut data = serde_json::json!({
            "assignmentId": assignment.id.as_str(),
            "flowId": assignment.flow_id.as_str(),
            "userId": assignment.user_id,
            "userEmail": assignment.user_email.as_str(),
            "status": assignment.status,
        });
        if let Some(due) = assignment.due_date {
            data["dueDate"] = serde_json::json!(due);
        }
        Self::new(assignment.org_id, event_type, at, data)
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
    /// The events it wants; none listed means every type, those added later included.
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
        self.enabled && (self.events.is_empty() || self.events.contains(&event))
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

/// A delivery's id: `dlv_`, the attempt's time in milliseconds (13 digits) and 8 hex digits, so that ids sort
/// by time and the log can be read newest first.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct DeliveryId(String);

impl DeliveryId {
    pub fn new(at_millis: i64) -> Self {
        Self(format!("dlv_{:013}{}", at_millis.max(0), super::random_token(4)))
    }

    pub fn parse(raw: &str) -> Result<Self, String> {
        let rest = raw.strip_prefix("dlv_").unwrap_or("");
        let ok = rest.len() == 21
            && rest[..13].chars().all(|c| c.is_ascii_digit())
            && rest[13..].chars().all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase());
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err("is not a valid delivery id".into())
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DeliveryId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DeliveryStatus {
    Succeeded,
    Failed,
}

/// One attempt at delivering an event to an endpoint, as the delivery log keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: DeliveryId,
    pub org_id: OrgId,
    pub webhook_id: WebhookId,
    pub event: Event,
    pub attempt: u32,
    pub status: DeliveryStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_code: Option<u16>,
    pub duration_ms: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub at: Timestamp,
}
