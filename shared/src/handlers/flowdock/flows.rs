//! `GET /flows`: the user's flows; `GET /flows/all`: those and the ones they may join; `GET /flows/find?id=` and
//! `GET /flows/{organization}/{flow}`: one flow with its users. `POST /flows/{organization}`: creates a flow. Besides Flowdock's `name` (and
//! `access_mode`) it takes an explicit `flowSlug` and Frigade's content: `flowType`, ordered `steps`, `sequential`,
//! `completionRule`.

use lambda_http::Request;

use super::views;
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::handlers::frigade::content::read_content;
use crate::handlers::{body, path_param};
use crate::http::values::flow_slug_schema;
use crate::http::{Fields, Input, Need, Response};
use crate::model::{parse_flow_slug, UserId};
use crate::services::flows::{self, Added, FlowChanges, NewFlow};

impl Input for NewFlow {
    /// A vendor's route: what its official client sends beyond the document is ignored.
    const STRICT: bool = false;

    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let name = f.string("name", Need::Required);
        let access_mode = f.string("access_mode", Need::Optional);
        let slug = f.string_with("flowSlug", Need::Optional, flow_slug_schema(), parse_flow_slug);
        let content = read_content(f);
        Some(Self { name: name?, access_mode, slug, content: content? })
    }
}

#[tracing::instrument(skip_all)]
pub async fn create(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let org = path_param(&request, "organization")?;
    let input: NewFlow = body(&request)?;
    let (store, config) = (&ctx.state.store, &ctx.state.config);
    let answer = |created: &flows::CreatedFlow| views::created(config, created);
    let created = flows::create(&ctx.act(&answer), store, store, &org, input).await?;
    Ok(views::created(config, &created))
}

/// Flowdock's `users` parameter: `1`/`0` (its documents), `true`/`false` (its client, from a boolean).
pub fn users_param(request: &Request) -> Result<bool, ApiError> {
    use lambda_http::RequestExt as _;
    match request.query_string_parameters().first("users") {
        None | Some("0") | Some("false") => Ok(false),
        Some("1") | Some("true") => Ok(true),
        Some(_) => Err(ApiError::field("users", "must be 1, 0, true or false")),
    }
}

#[tracing::instrument(skip_all)]
pub async fn list(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let with_users = users_param(&request)?;
    let store = &ctx.state.store;
    let list = flows::list(&ctx.caller, store, store, with_users).await?;
    Ok(views::listed(&ctx.state.config, &list, with_users))
}

#[tracing::instrument(skip_all)]
pub async fn list_all(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let with_users = users_param(&request)?;
    let store = &ctx.state.store;
    let list = flows::list_all(&ctx.caller, store, store, with_users).await?;
    Ok(views::listed(&ctx.state.config, &list, with_users))
}

#[tracing::instrument(skip_all)]
pub async fn get(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let org = path_param(&request, "organization")?;
    let flow = path_param(&request, "flow")?;
    let store = &ctx.state.store;
    let detail = flows::get(&ctx.caller, store, store, &org, &flow).await?;
    Ok(views::detail(&ctx.state.config, &detail))
}

#[tracing::instrument(skip_all)]
pub async fn find(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    use lambda_http::RequestExt as _;
    let query = request.query_string_parameters();
    let id = query.first("id").ok_or_else(|| ApiError::field("id", "is required"))?.to_owned();
    let store = &ctx.state.store;
    let detail = flows::find(&ctx.caller, store, store, &id).await?;
    Ok(views::detail(&ctx.state.config, &detail))
}

impl Input for FlowChanges {
    /// A vendor's route: what its official client sends beyond the document is ignored.
    const STRICT: bool = false;

    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let name = f.string("name", Need::Optional);
        let open = f.boolean("open", Need::Optional);
        let disabled = f.boolean("disabled", Need::Optional);
        let access_mode = f.string("access_mode", Need::Optional);
        Some(Self { name, open, disabled, access_mode })
    }
}

#[tracing::instrument(skip_all)]
pub async fn update(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let org = path_param(&request, "organization")?;
    let flow = path_param(&request, "flow")?;
    let changes: FlowChanges = body(&request)?;
    let store = &ctx.state.store;
    let detail = flows::update(&ctx.caller, store, store, &org, &flow, changes).await?;
    Ok(views::detail(&ctx.state.config, &detail))
}

/// The `{"id": ...}` of `POST .../users`.
pub struct NewMember {
    pub id: UserId,
}

impl Input for NewMember {
    /// A vendor's route: what its official client sends beyond the document is ignored.
    const STRICT: bool = false;

    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let id = f.integer("id", Need::Required, 1..=u64::from(u32::MAX));
        Some(Self { id: UserId(id?) })
    }
}

/// The `{"disabled": ...}` of `PUT .../users/{id}`.
pub struct MemberChange {
    pub disabled: bool,
}

impl Input for MemberChange {
    /// A vendor's route: what its official client sends beyond the document is ignored.
    const STRICT: bool = false;

    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let disabled = f.boolean("disabled", Need::Required);
        Some(Self { disabled: disabled? })
    }
}

#[tracing::instrument(skip_all)]
pub async fn members(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let (org, flow) = (path_param(&request, "organization")?, path_param(&request, "flow")?);
    let store = &ctx.state.store;
    // The flow's users are the flow as `get` reads it (visible to the caller, members included).
    let detail = flows::get(&ctx.caller, store, store, &org, &flow).await?;
    Ok(views::members(&detail))
}

#[tracing::instrument(skip_all)]
pub async fn add_member(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let (org, flow) = (path_param(&request, "organization")?, path_param(&request, "flow")?);
    let input: NewMember = body(&request)?;
    let store = &ctx.state.store;
    let (detail, added) = flows::add_member(&ctx.caller, store, store, &org, &flow, input.id).await?;
    Ok(match added {
        Added::Added(user) => views::member(http::StatusCode::CREATED, &user, detail.user),
        Added::Already(user) => views::member(http::StatusCode::OK, &user, detail.user),
    })
}

#[tracing::instrument(skip_all)]
pub async fn update_member(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let (org, flow) = (path_param(&request, "organization")?, path_param(&request, "flow")?);
    let raw = path_param(&request, "id")?;
    let missing = || ApiError::not_found(format!("User {raw} does not exist"));
    let id = raw.parse::<u64>().ok().filter(|n| (1..=u64::from(u32::MAX)).contains(n)).ok_or_else(missing)?;
    let change: MemberChange = body(&request)?;
    let store = &ctx.state.store;
    let acting = ctx.caller.permit().await?.key()?.user_id;
    let user = flows::set_member_blocked(&ctx.caller, store, store, &org, &flow, UserId(id), change.disabled).await?;
    Ok(views::member(http::StatusCode::OK, &user, acting))
}

#[tracing::instrument(skip_all)]
pub async fn join_url(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let (org, flow) = (path_param(&request, "organization")?, path_param(&request, "flow")?);
    let store = &ctx.state.store;
    let detail = flows::join_url(&ctx.caller, store, store, &org, &flow).await?;
    Ok(views::join_url(&ctx.state.config, http::StatusCode::OK, &detail))
}

#[tracing::instrument(skip_all)]
pub async fn renew_join_url(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let (org, flow) = (path_param(&request, "organization")?, path_param(&request, "flow")?);
    let store = &ctx.state.store;
    let detail = flows::change_join_url(&ctx.caller, store, store, &org, &flow, true).await?;
    Ok(views::join_url(&ctx.state.config, http::StatusCode::CREATED, &detail))
}

#[tracing::instrument(skip_all)]
pub async fn delete_join_url(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let (org, flow) = (path_param(&request, "organization")?, path_param(&request, "flow")?);
    let store = &ctx.state.store;
    let detail = flows::change_join_url(&ctx.caller, store, store, &org, &flow, false).await?;
    Ok(views::acting_as(crate::http::response::no_content(), detail.user))
}

#[tracing::instrument(skip_all)]
pub async fn join(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let invitation = path_param(&request, "invitation")?;
    let store = &ctx.state.store;
    let detail = flows::join(&ctx.caller, store, store, &invitation).await?;
    Ok(views::detail(&ctx.state.config, &detail))
}
