//! `POST /v1/users`, `GET /v1/users`, `PATCH /v1/users/{id}`, `GET /v1/users/{id}/events`.

use http::StatusCode;
use lambda_http::Request;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::handler::Ctx;
use crate::handlers::body;
use crate::handlers::flowdock::views::UserView;
use crate::handlers::superoffice::participants;
use crate::http::{json, Fields, Input, Need, Response};
use crate::model::workflow::EventType as WorkflowEventType;
use crate::model::{Profile, User};
use crate::services::sessions;
use crate::services::users::{self, NewPerson, UserChanges};

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
    // SuperOffice's email flows with a PersonCreated trigger enrol the person (Frigade's guests never come here).
    participants::person_event(&ctx, user.org_id, user.id, WorkflowEventType::PersonCreated).await;
    Ok(created(&user))
}

#[tracing::instrument(skip_all)]
pub async fn list(ctx: Ctx, _request: Request) -> Result<Response, ApiError> {
    let people = users::list(&ctx.caller, ctx.state.store.as_ref()).await?;
    Ok(json(StatusCode::OK, &people.iter().map(UserView::from).collect::<Vec<_>>()))
}

/// `GET /v1/users/{id}/events`: what Frigade's sessions told of the user (`id` is their id or external id).
#[tracing::instrument(skip_all)]
pub async fn events(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let raw = crate::handlers::path_param(&request, "id")?;
    let (user, profile) = sessions::profile(&ctx.caller, ctx.state.store.as_ref(), &raw).await?;
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
        Some(Self { email, name, nick })
    }
}

/// `PATCH /v1/users/{id}`: an admin gives a person an email, a name or a nick.
#[tracing::instrument(skip_all)]
pub async fn update(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let raw = crate::handlers::path_param(&request, "id")?;
    let changes: UserChanges = body(&request)?;
    let user = users::update(&ctx.caller, ctx.state.store.as_ref(), &raw, changes).await?;
    // A PersonUpdated trigger or goal of SuperOffice's email flows.
    participants::person_event(&ctx, user.org_id, user.id, WorkflowEventType::PersonUpdated).await;
    Ok(json(StatusCode::OK, &UserView::from(&user)))
}
