//! The `$default` route: every request no route matches gets a 404, or a 405 with `Allow` when the path is
//! known, in the project's error format.

use lambda_http::Request;

use crate::error::ApiError;
use crate::handler::Ctx;
use crate::http::Response;
use crate::routes::{lookup, Lookup};

/// Where flows' `web_url`s point: the dashboard's pages (`{web base}/app/{organization}/{flow}`).
pub const DASHBOARD_PREFIX: &str = "/app/";

pub async fn handle(_ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    match lookup(request.method(), request.uri().path()) {
        Lookup::MethodNotAllowed(allow) => {
            Err(ApiError::MethodNotAllowed { method: request.method().to_string(), allow })
        }
        // A flow's `web_url`: the dashboard's address, which this version does not serve yet.
        Lookup::NotFound if request.uri().path().starts_with(DASHBOARD_PREFIX) => Err(ApiError::not_found(
            "This is where the dashboard will show this flow; this version does not serve the dashboard yet. \
             Read the flow with GET /flows/{organization}/{flow}",
        )),
        // A request that does match a route only reaches here through a misconfigured gateway.
        Lookup::NotFound | Lookup::Found(..) => Err(ApiError::not_found("The requested resource does not exist")),
    }
}
