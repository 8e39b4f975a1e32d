//! One handler per endpoint, grouped by the API it belongs to. A handler reads and validates its input, calls the
//! store through its traits, and renders its answer; the pipeline in [`crate::dispatch`] does everything
//! around it.

pub mod admin;
pub mod api_keys;
pub mod assignments;
pub mod fallback;
pub mod flowdock;
pub mod momoflow;
pub mod users;
pub mod views;
pub mod webhooks;

use lambda_http::RequestExt;

use crate::error::ApiError;

/// A path parameter the route table promises. Its absence means the request did not come through the route
/// table, so it is answered as an unknown resource.
pub(crate) fn path_param(request: &lambda_http::Request, name: &str) -> Result<String, ApiError> {
    request
        .path_parameters()
        .first(name)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::not_found("The requested resource does not exist"))
}
