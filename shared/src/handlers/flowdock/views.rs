//! Flowdock's organization, user and flow objects (seed 001), built from the deployment's own base URLs.

use http::StatusCode;
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::config::Config;
use crate::http::{json, Response};
use crate::model::{AccessMode, Flow, Organization, Tier, User, UserId};
use crate::services::flows::{CreatedFlow, FlowDetail, FlowList, ListedFlow};

#[derive(Serialize, ToSchema)]
pub struct OrganizationView {
    pub id: u64,
    pub name: String,
    pub parameterized_name: String,
    pub user_limit: u64,
    pub user_count: u64,
    pub active: bool,
    pub url: String,
    pub tier: Tier,
}

impl OrganizationView {
    pub fn new(config: &Config, org: &Organization) -> Self {
        Self {
            id: org.id.0,
            name: org.name.clone(),
            parameterized_name: org.slug.as_str().to_owned(),
            user_limit: 0,
            user_count: org.user_count,
            active: true,
            url: format!("{}/organizations/{}", config.api_base_url, org.slug.as_str()),
            tier: org.tier,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct UserView {
    pub id: u64,
    pub nick: String,
    pub name: String,
    /// None for a person known only by their `externalId` (brought in by Frigade's `userId`).
    pub email: Option<String>,
    pub avatar: String,
    pub status: Option<String>,
    pub disabled: bool,
    /// Milliseconds since the epoch.
    pub last_activity: i64,
    /// Milliseconds since the epoch.
    pub last_ping: i64,
    /// The caller's own id for this person, when it has one.
    #[serde(rename = "externalId", skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
}

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        let avatar_of = user.email.as_ref().map_or_else(|| format!("user:{}", user.id), |e| e.key());
        let avatar_hash = hex::encode(Sha256::digest(avatar_of.as_bytes()));
        Self {
            id: user.id.0,
            nick: user.nick.clone(),
            name: user.name.clone(),
            email: user.email.as_ref().map(ToString::to_string),
            avatar: format!("https://www.gravatar.com/avatar/{avatar_hash}"),
            status: None,
            disabled: user.disabled,
            last_activity: user.created_at.unix_millis(),
            last_ping: user.created_at.unix_millis(),
            external_id: user.external_id.clone(),
        }
    }
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StepView {
    pub id: String,
    pub title: String,
    pub estimated_minutes: u32,
}

/// A flow as Flowdock shows it, with Frigade's content beside it (`flowType`, `steps`, `version`).
#[derive(Serialize, ToSchema)]
pub struct FlowView {
    pub id: String,
    pub name: String,
    pub parameterized_name: String,
    pub organization: OrganizationView,
    pub unread_mentions: u64,
    pub open: bool,
    pub joined: bool,
    pub url: String,
    pub web_url: String,
    /// Only for the `link` and `organization` access modes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub join_url: Option<String>,
    pub access_mode: AccessMode,
    pub disabled: bool,
    #[serde(rename = "flowType")]
    pub flow_type: String,
    pub steps: Vec<StepView>,
    pub version: u64,
    /// The flow's members; left out of a list asked without `users`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub users: Option<Vec<UserView>>,
}

impl FlowView {
    pub fn new(config: &Config, org: &Organization, flow: &Flow, users: &[User], joined: bool) -> Self {
        let org_slug = org.slug.as_str();
        let slug = flow.slug.as_str();
        Self {
            id: flow.id.to_string(),
            name: flow.name.clone(),
            parameterized_name: slug.to_owned(),
            organization: OrganizationView::new(config, org),
            unread_mentions: 0,
            open: joined,
            joined,
            url: format!("{}/flows/{org_slug}/{slug}", config.api_base_url),
            web_url: format!("{}/app/{org_slug}/{slug}", config.web_base_url),
            join_url: crate::services::flows::has_join_url(flow)
                .then(|| format!("{}/invitations/{}-{slug}", config.web_base_url, flow.join_token)),
            access_mode: flow.access_mode,
            disabled: flow.disabled,
            flow_type: flow.flow_type.clone(),
            steps: flow
                .steps
                .iter()
                .map(|s| StepView { id: s.id.clone(), title: s.title.clone(), estimated_minutes: s.estimated_minutes })
                .collect(),
            version: flow.version,
            users: Some(users.iter().map(UserView::from).collect()),
        }
    }

    /// The flow as the `user`'s list shows it: joined and open by the membership, members only when asked.
    pub fn listed(config: &Config, org: &Organization, listed: &ListedFlow, with_users: bool) -> Self {
        let mut view = Self::new(config, org, &listed.flow, &listed.members, listed.membership.joined);
        view.open = listed.membership.open;
        if !with_users {
            view.users = None;
        }
        view
    }
}

/// The answer to `GET /flows`: the flows, with `Flowdock-User` naming the user the key acts as.
pub fn listed(config: &Config, list: &FlowList, with_users: bool) -> Response {
    let flows: Vec<FlowView> =
        list.flows.iter().map(|f| FlowView::listed(config, &list.organization, f, with_users)).collect();
    acting_as(json(StatusCode::OK, &flows), list.user)
}

/// The answer to `GET /flows/{organization}/{flow}` and `GET /flows/find`: the flow with its users.
pub fn detail(config: &Config, detail: &FlowDetail) -> Response {
    let view = FlowView::listed(config, &detail.organization, &detail.flow, true);
    acting_as(json(StatusCode::OK, &view), detail.user)
}

/// The answer to `GET /flows/{organization}/{flow}/users`: the flow's users (a blocked one `disabled`).
pub fn members(detail: &FlowDetail) -> Response {
    let users: Vec<UserView> = detail.flow.members.iter().map(UserView::from).collect();
    acting_as(json(StatusCode::OK, &users), detail.user)
}

/// One member, as Flowdock shows a user.
pub fn member(status: StatusCode, user: &User, acting: UserId) -> Response {
    acting_as(json(status, &UserView::from(user)), acting)
}

/// A flow's join URL.
#[derive(Serialize, ToSchema)]
pub struct JoinUrlView {
    pub join_url: String,
}

/// The answer of the join-URL routes: the flow's join URL.
pub fn join_url(config: &Config, status: StatusCode, detail: &FlowDetail) -> Response {
    let view = FlowView::listed(config, &detail.organization, &detail.flow, false);
    let body = JoinUrlView { join_url: view.join_url.unwrap_or_default() };
    acting_as(json(status, &body), detail.user)
}

/// Adds `Flowdock-User: <id>` to a Flowdock answer.
pub fn acting_as(mut response: Response, user: UserId) -> Response {
    response.headers_mut().insert(FLOWDOCK_USER, http::HeaderValue::from(user.0));
    response
}

/// The header every Flowdock answer carries: the id of the user the key acts as.
pub const FLOWDOCK_USER: http::HeaderName = http::HeaderName::from_static("flowdock-user");

/// The answer to a flow's creation: 201 with the flow and its first member.
pub fn created(config: &Config, created: &CreatedFlow) -> Response {
    let view = FlowView::new(config, &created.organization, &created.flow, &created.members, true);
    acting_as(json(StatusCode::CREATED, &view), created.flow.created_by)
}
