//! The workflow agent's methods: `CreateDefaultEmailFlow` (the rest follow, issue by issue).

use http::StatusCode;
use lambda_http::Request;

use super::carriers::EmailFlowCarrier;
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::http::{json, Response};

/// `CreateDefaultEmailFlow`: the default email flow to edit and save whole. Its client sends the body `null`.
#[tracing::instrument(skip_all)]
pub async fn create_default_email_flow(ctx: Ctx, _request: Request) -> Result<Response, ApiError> {
    ctx.caller.permit().await?;
    Ok(json(StatusCode::OK, &EmailFlowCarrier::default_flow()))
}
