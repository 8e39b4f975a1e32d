//! `POST /v1/api-keys`, `GET /v1/api-keys`, `DELETE /v1/api-keys/{keyId}`.

use http::StatusCode;
use lambda_http::Request;

use super::views::{ApiKeyView, IssuedKeyView};
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::handlers::{body, path_param};
use crate::http::{json, Fields, Input, Need, Response};
use crate::model::UserId;
use crate::services::api_keys::{self, IssuedKey, NewKey};

impl Input for NewKey {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let kind = f.string("kind", Need::Required);
        let user = f.integer("userId", Need::Optional, 1..=u64::from(u32::MAX)).map(UserId);
        Some(Self { kind: kind?, user })
    }
}

fn issued(key: &IssuedKey) -> Response {
    json(StatusCode::CREATED, &IssuedKeyView::from(key))
}

#[tracing::instrument(skip_all)]
pub async fn create(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let input: NewKey = body(&request)?;
    let store = ctx.state.store.as_ref();
    let key = api_keys::create(&ctx.act(&issued), store, store, &ctx.state.signer, input).await?;
    Ok(issued(&key))
}

#[tracing::instrument(skip_all)]
pub async fn list(ctx: Ctx, _request: Request) -> Result<Response, ApiError> {
    let keys = api_keys::list(&ctx.caller, ctx.state.store.as_ref()).await?;
    Ok(json(StatusCode::OK, &keys.iter().map(ApiKeyView::from).collect::<Vec<_>>()))
}

#[tracing::instrument(skip_all)]
pub async fn revoke(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = path_param(&request, "keyId")?;
    let revoked = api_keys::revoke(&ctx.caller, ctx.state.store.as_ref(), &id).await?;
    Ok(json(StatusCode::OK, &ApiKeyView::from(&revoked)))
}
