//! `POST /admin/organizations`: bootstraps an organization with its owner and first keys.

use http::StatusCode;
use lambda_http::Request;

use super::views::Bootstrapped;
use crate::config::Config;
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::handlers::body;
use crate::http::{json, Fields, Input, Need, Response};
use crate::model::Tier;
use crate::services::organizations::{self, NewOrganization, Provisioned};
use crate::services::users::NewPerson;

impl Input for NewOrganization {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let name = f.string("name", Need::Required);
        let tier = f.string("tier", Need::Optional).unwrap_or(Tier::Standard);
        let owner = f.object("owner", Need::Required, NewPerson::read);
        Some(Self { name: name?, tier, owner: owner? })
    }
}

fn created(config: &Config, provisioned: &Provisioned) -> Response {
    json(StatusCode::CREATED, &Bootstrapped::new(config, provisioned))
}

#[tracing::instrument(skip_all)]
pub async fn create_organization(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let input: NewOrganization = body(&request)?;
    let (store, config) = (&ctx.state.store, &ctx.state.config);
    let answer = |p: &Provisioned| created(config, p);
    let provisioned = organizations::provision(&ctx.act(&answer), store, &ctx.state.signer, input).await?;
    Ok(created(config, &provisioned))
}
