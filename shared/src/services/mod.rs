//! Business operations, grouped by the resource they act on. A service takes a typed input (built from a request
//! body by its handler), the narrow store traits it needs, and the request's [`Act`](crate::caller::Act) (for
//! writes) or [`Caller`](crate::caller::Caller) (for reads); it holds the rule, and returns domain values, which
//! each API's handlers render in their own conventions.
//!
//! Reads go out before the gate is passed (they run beside it); every write passes the gate first.

pub mod api_keys;
pub mod assignments;
pub mod content;
pub mod email_flows;
pub mod email_participants;
pub mod flows;
pub mod organizations;
pub mod overdue;
pub mod progress;
pub mod reports;
pub mod sessions;
pub mod users;
pub mod webhooks;
