//! Webhooks: publishing events to the queue (with the outbox behind it), Standard Webhooks signing, and the
//! SSRF guard.

pub mod consumer;
pub mod deliver;
pub mod publish;
pub mod signing;
pub mod ssrf;

/// How many endpoints one organization may have: every event fans out to each, so the fan-out stays bounded.
pub const MAX_ENDPOINTS: usize = 20;
/// How long the previous secret keeps signing after a rotation.
pub const ROTATION_GRACE_SECONDS: i64 = 24 * 60 * 60;
