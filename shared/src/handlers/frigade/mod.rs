//! Frigade's flow states (seed 003): `/v1/public/*` for browsers (public or secret key) and the secret-key
//! routes beside them (`/v1/flows/{flowId}`, `/v1/userFlowStates/*`); camelCase, RFC 3339 times, `$state`
//! objects as Frigade's SDK reads them.

pub mod content;
pub mod preflight;
pub mod sessions;
pub mod states;
pub mod views;
