//! `POST /v1/users`, `GET /v1/users`, `GET`, `PATCH` and `DELETE /v1/users/{id}`, `GET /v1/users/{id}/events`.

use http::StatusCode;
use lambda_http::{Request, RequestExt};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use super::views::{PersonPageView, PersonView};
use crate::error::{ApiError, Problems};
use crate::handler::Ctx;
use crate::handlers::body;
use crate::handlers::superoffice::participants;
use crate::http::{json, page, Fields, Input, Need, Response};
use crate::model::workflow::EventType as WorkflowEventType;
use crate::model::{Profile, Text, User, UserId};
use crate::services::sessions;
use crate::services::users::{self, NewPerson, PeopleQuery, UserChanges, MAX_EXTERNAL_ID};

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
    json(StatusCode::CREATED, &PersonView::from(user))
}

#[tracing::instrument(skip_all)]
pub async fn create(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let person: NewPerson = body(&request)?;
    let user = users::create(&ctx.act(&created), &ctx.state.store, person).await?;
    // SuperOffice's email flows with a PersonCreated trigger enrol the person (Frigade's guests never come here).
    participants::person_event(&ctx, user.org_id, user.id, WorkflowEventType::PersonCreated).await;
    Ok(created(&user))
}

/// `GET /v1/users?limit=&cursor=&externalId=`: a page of the organization's people by id (or the one person with
/// that external id).
#[tracing::instrument(skip_all)]
pub async fn list(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let query = request.query_string_parameters();
    let mut problems = Problems::new();
    let page =
        page::request(&mut problems, query.first("limit"), query.first("cursor"), |k| k.parse().ok().map(UserId));
    let external_id =
        query.first("externalId").and_then(|raw| problems.check("externalId", Text::<MAX_EXTERNAL_ID>::parse(raw)));
    problems.finish()?;
    let people = PeopleQuery { external_id: external_id.map(Text::into_string), after: page.after, limit: page.limit };
    let (found, next) = users::list(&ctx.caller, &ctx.state.store, people).await?;
    let view = PersonPageView {
        items: found.iter().map(PersonView::from).collect(),
        next_cursor: next.map(|id| page::cursor_of(&id.to_string())),
    };
    Ok(json(StatusCode::OK, &view))
}

/// `GET /v1/users/{id}`: one person, by our id.
#[tracing::instrument(skip_all)]
pub async fn get(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let raw = crate::handlers::path_param(&request, "id")?;
    let user = users::get(&ctx.caller, &ctx.state.store, &raw).await?;
    Ok(json(StatusCode::OK, &PersonView::from(&user)))
}

/// `DELETE /v1/users/{id}`: deactivates the person (200 with them; the same again on a repeat).
#[tracing::instrument(skip_all)]
pub async fn deactivate(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let raw = crate::handlers::path_param(&request, "id")?;
    let changes = UserChanges { active: Some(false), ..UserChanges::default() };
    let events = ctx.state.publisher();
    let user = users::update(&ctx.caller, people(&ctx, &events), &raw, changes).await?;
    Ok(json(StatusCode::OK, &PersonView::from(&user)))
}

/// The storage a change of a person touches, and where its events go.
fn people<'a>(ctx: &'a Ctx, events: &'a crate::webhooks::publish::Publisher<'a>) -> users::People<'a> {
    let store = &ctx.state.store;
    users::People { directory: store, keys: store, progress: store, assignments: store, email_flows: store, events }
}

/// `GET /v1/users/{id}/events`: what Frigade's sessions told of the user (`id` is their id or external id).
#[tracing::instrument(skip_all)]
pub async fn events(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let raw = crate::handlers::path_param(&request, "id")?;
    let (user, profile) = sessions::profile(&ctx.caller, &ctx.state.store, &raw).await?;
    Ok(json(StatusCode::OK, &ProfileView::of(&user, &profile)))
}

/// A group the user was seen in.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupView {
    pub group_id: String,
    #[schema(value_type = Object)]
    pub properties: Map<String, Value>,
    #[schema(format = DateTime)]
    pub first_seen_at: String,
    #[schema(format = DateTime)]
    pub last_seen_at: String,
}

/// A tracked event.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrackedEventView {
    pub event: String,
    #[schema(value_type = Object)]
    pub properties: Map<String, Value>,
    /// Set for a group's event.
    pub group_id: Option<String>,
    #[schema(format = DateTime)]
    pub at: String,
}

/// What sessions told of a user.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProfileView {
    pub user_id: u64,
    pub external_id: Option<String>,
    /// The user properties, merged over the sessions.
    #[schema(value_type = Object)]
    pub properties: Map<String, Value>,
    pub groups: Vec<GroupView>,
    /// Newest first; the newest 100 are kept.
    pub events: Vec<TrackedEventView>,
}

impl ProfileView {
    fn of(user: &User, p: &Profile) -> Self {
        Self {
            user_id: user.id.0,
            external_id: user.external_id.clone(),
            properties: p.properties.clone(),
            groups: p
                .groups
                .iter()
                .map(|g| GroupView {
                    group_id: g.group_id.clone(),
                    properties: g.properties.clone(),
                    first_seen_at: g.first_seen_at.to_rfc3339(),
                    last_seen_at: g.last_seen_at.to_rfc3339(),
                })
                .collect(),
            events: p
                .events
                .iter()
                .rev()
                .map(|e| TrackedEventView {
                    event: e.event.clone(),
                    properties: e.properties.clone(),
                    group_id: e.group_id.clone(),
                    at: e.at.to_rfc3339(),
                })
                .collect(),
        }
    }
}

impl Input for UserChanges {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let email = f.string("email", Need::Optional);
        let name = f.string("name", Need::Optional);
        let nick = f.string("nick", Need::Optional);
        let role = f.string("role", Need::Optional);
        let active = f.boolean("active", Need::Optional);
        let external_id = f.string("externalId", Need::Optional);
        Some(Self { email, name, nick, role, active, external_id })
    }
}

/// `PATCH /v1/users/{id}`: an admin changes a person's email, name, nick, role, whether they are active, or gives
/// them their Frigade `userId` (`externalId`).
#[tracing::instrument(skip_all)]
pub async fn update(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let raw = crate::handlers::path_param(&request, "id")?;
    let changes: UserChanges = body(&request)?;
    let events = ctx.state.publisher();
    let user = users::update(&ctx.caller, people(&ctx, &events), &raw, changes).await?;
    if user.is_active() {
        // A PersonUpdated trigger or goal of SuperOffice's email flows.
        participants::person_event(&ctx, user.org_id, user.id, WorkflowEventType::PersonUpdated).await;
    }
    Ok(json(StatusCode::OK, &PersonView::from(&user)))
}
