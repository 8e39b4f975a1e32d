//! `OPTIONS /v1/public/{proxy+}`: CORS preflights of the routes browsers call (see [`crate::cors`]). A preflight
//! carries no key; a path no public route has is a 404.

use lambda_http::Request;

use crate::cors;
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::http::Response;

#[tracing::instrument(skip_all)]
pub async fn handle(_ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let origin = cors::origin_of(request.headers());
    cors::preflight(request.uri().path(), origin.as_deref())
        .ok_or_else(|| ApiError::not_found("The requested resource does not exist"))
}
