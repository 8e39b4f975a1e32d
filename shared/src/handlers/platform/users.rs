//! `POST /v1/users`, `GET /v1/users`.

use http::StatusCode;
use lambda_http::Request;

use crate::error::ApiError;
use crate::handler::Ctx;
use crate::handlers::body;
use crate::handlers::flowdock::views::UserView;
use crate::http::{json, Fields, Input, Need, Response};
use crate::model::User;
use crate::services::users::{self, NewPerson};

impl Input for NewPerson {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let email = f.string("email", Need::Required);
        let name = f.string("name", Need::Required);
        let nick = f.string("nick", Need::Optional);
        let external_id = f.string("externalId", Need::Optional);
        let role = f.string("role", Need::Optional).unwrap_or_default();
        Some(Self { email: email?, name: name?, nick, external_id, role })
    }
}

fn created(user: &User) -> Response {
    json(StatusCode::CREATED, &UserView::from(user))
}

#[tracing::instrument(skip_all)]
pub async fn create(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let person: NewPerson = body(&request)?;
    let user = users::create(&ctx.act(&created), ctx.state.store.as_ref(), person).await?;
    Ok(created(&user))
}

#[tracing::instrument(skip_all)]
pub async fn list(ctx: Ctx, _request: Request) -> Result<Response, ApiError> {
    let people = users::list(&ctx.caller, ctx.state.store.as_ref()).await?;
    Ok(json(StatusCode::OK, &people.iter().map(UserView::from).collect::<Vec<_>>()))
}
