//! `GET /organizations/{organization}`: Flowdock's organization object, the address an organization's `url` names;
//! for a key of that organization (another organization's slug is answered 404, like one that does not exist).

use http::StatusCode;
use lambda_http::Request;

use super::views::OrganizationView;
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::handlers::path_param;
use crate::http::{json, Response};
use crate::services::flows;

#[tracing::instrument(skip_all)]
pub async fn get(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let slug = path_param(&request, "organization")?;
    let org = ctx.caller.org().await?;
    let (found, _) = tokio::try_join!(flows::own_organization(&ctx.state.store, org, &slug), ctx.caller.permit())?;
    Ok(json(StatusCode::OK, &OrganizationView::new(&ctx.state.config, &found)))
}
