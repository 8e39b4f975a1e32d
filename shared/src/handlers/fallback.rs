//! The `$default` route: every request no route matches gets a 404, or a 405 with `Allow` when the path is
//! known, in the project's error format.

use lambda_http::Request;

use crate::error::ApiError;
use crate::handler::Ctx;
use crate::http::Response;
use crate::routes::{lookup, Lookup};

pub async fn handle(_ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    match lookup(request.method(), request.uri().path()) {
        Lookup::MethodNotAllowed(allow) => {
            Err(ApiError::MethodNotAllowed { method: request.method().to_string(), allow })
        }
        // A request that does match a route only reaches here through a misconfigured gateway.
        Lookup::NotFound | Lookup::Found(..) => Err(ApiError::not_found("The requested resource does not exist")),
    }
}
