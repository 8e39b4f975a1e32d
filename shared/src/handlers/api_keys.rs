//! `POST /v1/api-keys`, `GET /v1/api-keys`, `DELETE /v1/api-keys/{keyId}`.

use http::StatusCode;
use lambda_http::Request;

use crate::auth::generate_key;
use crate::dispatch::Ctx;
use crate::error::ApiError;
use crate::http::{json, json_object, store_error, Fields, Response};
use crate::model::{KeyId, KeyKind};

use super::{path_param, views};

#[tracing::instrument(skip_all)]
pub async fn create(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let caller = ctx.key()?;
    let body = json_object(&request)?;
    let mut fields = Fields::new(&body);
    let kind = fields.string("kind", true, KeyKind::parse);
    fields.finish()?;
    let kind = kind.ok_or_else(|| ApiError::internal("validated kind missing"))?;
    let (plain, record) = generate_key(kind, caller.org_id, caller.user_id, caller.tier, ctx.now);
    ctx.state.store.create_key(&record).await.map_err(store_error)?;
    let mut view = views::api_key(&record);
    view["key"] = plain.into();
    Ok(json(StatusCode::CREATED, &view))
}

#[tracing::instrument(skip_all)]
pub async fn list(ctx: Ctx, _request: Request) -> Result<Response, ApiError> {
    let keys = ctx.state.store.list_keys(ctx.org()?).await.map_err(store_error)?;
    Ok(json(StatusCode::OK, &keys.iter().map(views::api_key).collect::<Vec<_>>()))
}

#[tracing::instrument(skip_all)]
pub async fn revoke(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let raw = path_param(&request, "keyId")?;
    let missing = || ApiError::not_found(format!("API key '{raw}' does not exist"));
    let id = KeyId::parse(&raw).map_err(|_| missing())?;
    let revoked =
        ctx.state.store.revoke_key(ctx.org()?, &id, ctx.now).await.map_err(store_error)?.ok_or_else(missing)?;
    Ok(json(StatusCode::OK, &views::api_key(&revoked)))
}
