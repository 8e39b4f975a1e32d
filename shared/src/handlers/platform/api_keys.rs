//! `POST /v1/api-keys`, `GET /v1/api-keys`, `DELETE /v1/api-keys/{keyId}`.

use http::StatusCode;
use lambda_http::{Request, RequestExt};

use super::views::{ApiKeyPageView, ApiKeyView, IssuedKeyView};
use crate::error::{ApiError, Problems};
use crate::handler::Ctx;
use crate::handlers::{body, path_param};
use crate::http::{json, page, Fields, Input, Need, Response};
use crate::model::{KeyId, UserId};
use crate::services::api_keys::{self, IssuedKey, NewKey};

impl Input for NewKey {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let kind = f.string("kind", Need::Required);
        let user = f.integer("userId", Need::Optional, 1..=u64::from(u32::MAX)).map(UserId);
        let name = f.string("name", Need::Optional);
        Some(Self { kind: kind?, user, name })
    }
}

fn issued(key: &IssuedKey) -> Response {
    json(StatusCode::CREATED, &IssuedKeyView::from(key))
}

#[tracing::instrument(skip_all)]
pub async fn create(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let input: NewKey = body(&request)?;
    let store = &ctx.state.store;
    let key = api_keys::create(&ctx.act(&issued), store, store, &ctx.state.signer, input).await?;
    Ok(issued(&key))
}

/// `GET /v1/api-keys?limit=&cursor=`: a page of keys by id.
#[tracing::instrument(skip_all)]
pub async fn list(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let query = request.query_string_parameters();
    let mut problems = Problems::new();
    let page = page::request(&mut problems, query.first("limit"), query.first("cursor"), |k| KeyId::parse(k).ok());
    problems.finish()?;
    let (keys, next) = api_keys::list(&ctx.caller, &ctx.state.store, page.after, page.limit).await?;
    let view = ApiKeyPageView {
        items: keys.iter().map(ApiKeyView::from).collect(),
        next_cursor: next.map(|id| page::cursor_of(id.as_str())),
    };
    Ok(json(StatusCode::OK, &view))
}

#[tracing::instrument(skip_all)]
pub async fn revoke(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let id = path_param(&request, "keyId")?;
    let revoked = api_keys::revoke(&ctx.caller, &ctx.state.store, &id).await?;
    Ok(json(StatusCode::OK, &ApiKeyView::from(&revoked)))
}
