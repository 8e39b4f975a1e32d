//! `GET` and `PUT /v1/settings/cors`: the origins whose pages may read the public routes' answers (an admin's).

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
    let allowed_origins = organizations::allowed_origins(&ctx.caller, ctx.state.store.as_ref()).await?;
    Ok(json(StatusCode::OK, &CorsView { allowed_origins }))
}

#[tracing::instrument(skip_all)]
pub async fn update(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let change: CorsChange = body(&request)?;
    let store = ctx.state.store.as_ref();
    let allowed_origins = organizations::set_allowed_origins(&ctx.caller, store, change.allowed_origins).await?;
    Ok(json(StatusCode::OK, &CorsView { allowed_origins }))
}
