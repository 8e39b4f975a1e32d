//! The domain model: newtypes that validate on parse, so that a value that exists is a valid one, and the
//! entities the four APIs share (organization, user, flow, assignment, API key).

mod email;
mod entities;
mod events;
mod ids;
mod text;
mod time;

pub use email::Email;
pub use entities::*;
pub use events::{Delivery, DeliveryId, DeliveryStatus, Event, EventType, Webhook};
pub use ids::{random_token, AssignmentId, FlowId, KeyId, OrgId, UserId, WebhookId};
pub use text::{BoundedText, FlowSlug, Slug};
pub use time::{format_duration, Timestamp};
