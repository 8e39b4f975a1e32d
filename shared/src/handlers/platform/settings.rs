//! An organization's settings (an admin's): `GET` and `PUT /v1/settings/cors`, the origins whose pages may read the
//! public routes' answers; `GET` and `PUT /v1/settings/user-tokens` and `POST .../rotate-secret`, the verified end
//! users (see [`crate::auth::user_token`]).

use http::StatusCode;
use lambda_http::Request;
use serde::Serialize;
use utoipa::openapi::schema::ObjectBuilder;
use utoipa::ToSchema;

use crate::cors::{self, MAX_ORIGINS};
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::handlers::body;
use crate::http::{json, Fields, Input, Need, Response};
use crate::model::{Organization, UserTokenPolicy};
use crate::services::organizations;

/// The organization's CORS setting.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CorsView {
    /// Origins (`https://app.example.com`) whose pages may read the public routes' answers; empty: any origin.
    pub allowed_origins: Vec<String>,
}

/// The body of `PUT /v1/settings/cors`.
pub struct CorsChange {
    pub allowed_origins: Vec<String>,
}

impl Input for CorsChange {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let schema = ObjectBuilder::new().pattern(Some("^https?://[^/?#@]+$"));
        let origins = f.string_list("allowedOrigins", Need::Required, MAX_ORIGINS, schema, cors::parse_origin);
        Some(Self { allowed_origins: origins? })
    }
}

#[tracing::instrument(skip_all)]
pub async fn get(ctx: Ctx, _request: Request) -> Result<Response, ApiError> {
    let allowed_origins = organizations::allowed_origins(&ctx.caller, &ctx.state.store).await?;
    Ok(json(StatusCode::OK, &CorsView { allowed_origins }))
}

#[tracing::instrument(skip_all)]
pub async fn update(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let change: CorsChange = body(&request)?;
    let store = &ctx.state.store;
    let allowed_origins = organizations::set_allowed_origins(&ctx.caller, store, change.allowed_origins).await?;
    Ok(json(StatusCode::OK, &CorsView { allowed_origins }))
}

/// The organization's user-token setting.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserTokensView {
    /// The organization's id: the first part of each of its user tokens (`ut_<organizationId>_…`).
    pub organization_id: u64,
    /// Which public requests need a user token instead of the public key: `never` (the default),
    /// `assignedProgress` (progress on a flow assigned to the user) or `always` (every public request).
    #[schema(value_type = String)]
    pub required: UserTokenPolicy,
    /// When the signing secret was made; `null` while there is none.
    #[schema(value_type = Option<String>)]
    pub secret_created_at: Option<String>,
}

impl From<&Organization> for UserTokensView {
    fn from(org: &Organization) -> Self {
        Self {
            organization_id: org.id.0,
            required: org.user_tokens,
            secret_created_at: org.user_token_secret.as_ref().map(|s| s.created_at.to_rfc3339()),
        }
    }
}

/// The setting with its new signing secret: only in the answer that made it.
#[derive(Serialize, ToSchema)]
pub struct UserTokensWithSecretView {
    #[serde(flatten)]
    pub setting: UserTokensView,
    /// `uts_` and 64 hex digits: sign tokens with it on your server, never in a page; `null` in an answer replayed
    /// for an Idempotency-Key.
    #[schema(value_type = Option<String>)]
    pub secret: String,
}

/// The body of `PUT /v1/settings/user-tokens`.
pub struct UserTokensChange {
    pub required: UserTokenPolicy,
}

impl Input for UserTokensChange {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        Some(Self { required: f.string("required", Need::Required)? })
    }
}

#[tracing::instrument(skip_all)]
pub async fn user_tokens_get(ctx: Ctx, _request: Request) -> Result<Response, ApiError> {
    let org = organizations::organization(&ctx.caller, &ctx.state.store).await?;
    Ok(json(StatusCode::OK, &UserTokensView::from(&org)))
}

#[tracing::instrument(skip_all)]
pub async fn user_tokens_update(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let change: UserTokensChange = body(&request)?;
    let org = organizations::set_user_tokens(&ctx.caller, &ctx.state.store, change.required).await?;
    Ok(json(StatusCode::OK, &UserTokensView::from(&org)))
}

#[tracing::instrument(skip_all)]
pub async fn user_tokens_rotate_secret(ctx: Ctx, _request: Request) -> Result<Response, ApiError> {
    let org = organizations::rotate_user_token_secret(&ctx.caller, &ctx.state.store).await?;
    let secret = org.user_token_secret.as_ref().map(|s| s.secret.clone()).unwrap_or_default();
    Ok(json(StatusCode::OK, &UserTokensWithSecretView { setting: UserTokensView::from(&org), secret }))
}
