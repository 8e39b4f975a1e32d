//! One handler per endpoint, grouped by the API it serves, because each API has its own conventions (paths,
//! field casing, error and time formats) while the domain below them is one:
//!
//! - [`momoflow`]: MomoFlow's flow assignment (seed 000): `/v1/flows/assign`, `/v1/assignments/*`; camelCase,
//!   RFC 3339 times.
//! - [`flowdock`]: Flowdock's flows (seed 001): `/flows/*`; snake_case, organizations and users as Flowdock shows
//!   them.
//! - [`frigade`]: Frigade's flow states (seed 003): `/v1/public/*` (browsers), `/v1/flows/{flowId}`,
//!   `/v1/userFlowStates/*`; camelCase, `$state` objects as Frigade's SDK reads them.
//! - [`platform`]: the project's own management API in MomoFlow's conventions: organizations (admin), users, API
//!   keys, webhook endpoints and their deliveries.
//! - [`superoffice`]: SuperOffice's workflow agent (seed 002): `/v1/Agents/Workflow/<Method>` and the same under
//!   `/api`; PascalCase answers, enums by name.
//! - [`fallback`]: what no route matches.
//!
//! A handler parses (path, query, body into a typed input), calls one service, and renders; each API's views
//! (the JSON it answers, with their schemas) live in that API's `views` module. The pipeline in
//! [`crate::dispatch`] does everything around the handler.

pub mod fallback;
pub mod flowdock;
pub mod frigade;
pub mod momoflow;
pub mod platform;
pub mod superoffice;

use lambda_http::RequestExt;

use crate::error::ApiError;
use crate::http::{json_object, read_input, Input};

/// A path parameter the route table promises. Its absence means the request did not come through the route
/// table, so it is answered as an unknown resource.
pub(crate) fn path_param(request: &lambda_http::Request, name: &str) -> Result<String, ApiError> {
    request
        .path_parameters()
        .first(name)
        .map(str::to_owned)
        .ok_or_else(|| ApiError::not_found("The requested resource does not exist"))
}

/// The request's JSON body as the typed input `T`.
pub(crate) fn body<T: Input>(request: &lambda_http::Request) -> Result<T, ApiError> {
    read_input(&json_object(request)?)
}
