//! The domain model, the bottom layer: newtypes that validate on parse (so that a value that exists is a valid
//! one), and the entities the four APIs share (organization, user, API key, flow, assignment, event, webhook
//! endpoint). Nothing here does I/O or knows about HTTP or storage.

mod assignment;
mod email;
mod events;
mod flow;
mod ids;
mod order;
mod organization;
mod profile;
mod progress;
mod retry;
mod text;
mod time;
pub mod workflow;

pub use assignment::{Assignment, AssignmentStatus, Priority, Progressed, ReportStatus};
pub use email::Email;
pub use events::{Delivery, DeliveryId, DeliveryStatus, Event, EventType, Webhook, DELIVERY_RETENTION_SECONDS};
pub use flow::{parse_flow_slug, AccessMode, ContentChanges, Flow, Membership, Step, FLOW_TYPES, RESERVED_FLOW_SLUGS};
pub use ids::{random_token, AssignmentId, FlowId, KeyId, OrgId, UserId, WebhookId};
pub use order::{oldest_first, Chronological};
pub use organization::{ApiKey, KeyKind, Organization, Role, Tier, User, UserTokenPolicy, UserTokenSecret};
pub use profile::{
    GroupSeen, Profile, Session, SessionRefused, TrackedEvent, MAX_EVENTS, MAX_GROUPS, MAX_KEPT_BYTES,
    MAX_PROFILE_BYTES, MAX_PROPERTIES,
};
pub use progress::{
    Action, ActionError, ActionType, CompletionRule, FlowResponse, FlowState, StepProgress, MAX_RESPONSES,
};
pub use retry::{RetrySchedule, MAX_DELAY};
pub use text::{rule as text_rule, FlowSlug, MultiLine, Slug, Text};
pub use time::{format_duration, Timestamp};
