//! HTTP plumbing shared by every handler: request ids, JSON bodies and fields, responses, and the mapping of
//! storage failures onto the one error type.

pub mod body;
pub mod request_id;
pub mod response;

pub use body::{json_object, Fields};
pub use response::{json, Response};

use crate::error::ApiError;
use crate::store::StoreError;

/// Storage failures a handler did not turn into something more specific: throttling is a 503 the caller may
/// retry; anything else is internal (logged, never shown).
pub fn store_error(err: StoreError) -> ApiError {
    match err {
        StoreError::Throttled => ApiError::Unavailable,
        StoreError::Conflict(c) => ApiError::conflict(format!("The request conflicts with the current state ({c})")),
        StoreError::Backend(e) => ApiError::Internal(e),
    }
}
