//! Flows: Flowdock's identity and access with Frigade's content (type and ordered steps).

use std::collections::{HashMap, HashSet};

use crate::caller::{Act, Caller};
use crate::error::ApiError;
use crate::model::{random_token, AccessMode, Flow, FlowId, Membership, Organization, Slug, Step, Text, User, UserId};
use crate::store::{Conflict, Directory, FlowStore, StoreError};

pub const MAX_FLOW_NAME: usize = 100;
pub const MAX_STEPS: usize = 100;
pub const MAX_STEP_ID: usize = 100;
pub const MAX_STEP_TITLE: usize = 200;
pub const MAX_STEP_MINUTES: u64 = 10_000;
pub const DEFAULT_FLOW_TYPE: &str = "CHECKLIST";

/// A flow to create.
pub struct NewFlow {
    pub name: Text<MAX_FLOW_NAME>,
    pub access_mode: Option<AccessMode>,
    pub flow_type: Option<String>,
    pub steps: Vec<Step>,
}

/// What creating a flow returns: the flow with its organization and its first member.
pub struct CreatedFlow {
    pub organization: Organization,
    pub flow: Flow,
    pub members: Vec<User>,
}

/// The first step id that appears twice, if any: a rule no schema states.
pub fn repeated_step(steps: &[Step]) -> Option<&str> {
    let mut seen = HashSet::new();
    steps.iter().find(|s| !seen.insert(s.id.as_str())).map(|s| s.id.as_str())
}

/// The caller's organization, if `slug` names it; another organization's slug is answered exactly like one that
/// does not exist.
pub async fn own_organization(
    directory: &dyn Directory,
    org: crate::model::OrgId,
    slug: &str,
) -> Result<Organization, ApiError> {
    let missing = || ApiError::not_found(format!("Organization '{slug}' does not exist"));
    let found = directory.get_organization(org).await?.ok_or_else(missing)?;
    if found.slug.as_str() == slug {
        Ok(found)
    } else {
        Err(missing())
    }
}

/// A flow in a user's list, with the user's membership and (when asked) its members.
pub struct ListedFlow {
    pub flow: Flow,
    pub membership: Membership,
    pub members: Vec<User>,
}

/// The flows of a user's list, in their organization.
pub struct FlowList {
    pub organization: Organization,
    /// The user the key acts as (Flowdock's `Flowdock-User`).
    pub user: UserId,
    pub flows: Vec<ListedFlow>,
}

/// The flows the caller's user is a member of (Flowdock's `GET /flows`): joined, not blocked from, not disabled;
/// by id; with each flow's members when `with_users` (a member blocked from the flow is shown `disabled`).
pub async fn list(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    with_users: bool,
) -> Result<FlowList, ApiError> {
    let org = caller.org().await?;
    let principal = caller.permit().await?;
    let user = principal.key()?.user_id;
    let (organization, mine) = tokio::try_join!(directory.get_organization(org), flows.member_flows(org, user))?;
    let organization = organization.ok_or_else(|| ApiError::internal("the key's organization is missing"))?;
    let mine: Vec<(Flow, Membership)> =
        mine.into_iter().filter(|(f, m)| m.joined && !m.disabled && !f.disabled).collect();
    let mut listed = Vec::with_capacity(mine.len());
    if with_users {
        let people: HashMap<UserId, User> = directory.list_users(org).await?.into_iter().map(|u| (u.id, u)).collect();
        let rosters =
            futures_util::future::try_join_all(mine.iter().map(|(f, _)| flows.flow_members(org, &f.id))).await?;
        for ((flow, membership), roster) in mine.into_iter().zip(rosters) {
            let members = roster
                .iter()
                .filter_map(|m| {
                    let mut user = people.get(&m.user_id)?.clone();
                    user.disabled |= m.disabled;
                    Some(user)
                })
                .collect();
            listed.push(ListedFlow { flow, membership, members });
        }
    } else {
        listed.extend(mine.into_iter().map(|(flow, membership)| ListedFlow { flow, membership, members: Vec::new() }));
    }
    Ok(FlowList { organization, user, flows: listed })
}

/// Creates a flow in the organization `org_slug` names, with the caller as its only member.
pub async fn create(
    act: &Act<'_, CreatedFlow>,
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    org_slug: &str,
    input: NewFlow,
) -> Result<CreatedFlow, ApiError> {
    let org = act.caller().org().await?;
    let organization = own_organization(directory, org, org_slug).await?;
    let principal = act.permit().await?;
    let creator = principal.key()?.user_id;
    let members: Vec<User> = directory.get_user(org, creator).await?.into_iter().collect();
    let base = Slug::from_name(input.name.as_str(), "flow");
    let mut created = CreatedFlow {
        organization,
        flow: Flow {
            id: FlowId::generate(),
            org_id: org,
            slug: base.clone(),
            name: input.name.into_string(),
            access_mode: input.access_mode.unwrap_or(AccessMode::Invitation),
            join_token: random_token(20),
            disabled: false,
            flow_type: input.flow_type.unwrap_or_else(|| DEFAULT_FLOW_TYPE.to_owned()),
            steps: input.steps,
            version: 1,
            created_by: creator,
            created_at: act.now(),
        },
        members,
    };
    // A name whose slug is taken gets the next free number ("my-flow-2"), as Flowdock does; past a few, a random
    // suffix, so that a popular name costs a bounded number of tries. Each try is one conditional write, so two
    // creates racing for one slug both succeed, with different slugs.
    for attempt in 1..=SLUG_ATTEMPTS {
        created.flow.slug = match attempt {
            1 => base.clone(),
            n if n < SLUG_ATTEMPTS => base.with_suffix(&n.to_string()),
            _ => base.with_suffix(&random_token(3)),
        };
        let done = act.completion(&created);
        match flows.create_flow(&created.flow, done.as_ref()).await {
            Ok(()) => return Ok(created),
            Err(StoreError::Conflict(Conflict::FlowSlug)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::conflict(format!("Too many flows are named '{}' in this organization", base.as_str())))
}

/// How many slugs a create tries: the name's own, then numbered ones, then one with a random suffix.
const SLUG_ATTEMPTS: u32 = 10;
