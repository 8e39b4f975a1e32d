//! Flows: Flowdock's identity and access with Frigade's content (type and ordered steps).

use std::collections::{HashMap, HashSet};

use subtle::ConstantTimeEq;

use crate::caller::{Act, Caller};
use crate::error::ApiError;
use crate::model::ContentChanges;
use crate::model::{
    random_token, AccessMode, Flow, FlowId, Membership, OrgId, Organization, Role, Slug, Step, Text, User, UserId,
    RESERVED_FLOW_SLUGS,
};
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
    /// An explicit `flowSlug` (`parameterized_name`): taken as given (a 409 when another flow has it), where a
    /// slug made from the name gets a number when taken.
    pub slug: Option<Slug>,
    pub content: ContentChanges,
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
    let organization = keys_organization(organization)?;
    let mine: Vec<(Flow, Membership)> =
        mine.into_iter().filter(|(f, m)| m.joined && !m.disabled && !f.disabled).collect();
    let of: Vec<Flow> = if with_users { mine.iter().map(|(f, _)| f.clone()).collect() } else { Vec::new() };
    let mut members = with_members(directory, flows, org, &of).await?.into_iter();
    let listed = mine
        .into_iter()
        .map(|(flow, membership)| ListedFlow { flow, membership, members: members.next().unwrap_or_default() })
        .collect();
    Ok(FlowList { organization, user, flows: listed })
}

/// Whether a user may see a flow: an admin sees every flow of the organization; anyone else a flow that is not
/// disabled and that they are a member of (not blocked from), or that is open to the organization.
pub fn visible(flow: &Flow, membership: Option<&Membership>, role: Role) -> bool {
    if role == Role::Admin {
        return true;
    }
    if flow.disabled {
        return false;
    }
    match membership {
        Some(m) => !m.disabled,
        None => flow.access_mode == AccessMode::Organization,
    }
}

/// The flows of Flowdock's `GET /flows/all`: the user's list, and the organization-mode flows of their
/// organization they have not joined (`joined` false, `open` false); by id.
pub async fn list_all(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    with_users: bool,
) -> Result<FlowList, ApiError> {
    let mine = list(caller, directory, flows, with_users).await?;
    let all = flows.list_flows(mine.organization.id).await?;
    let user = mine.user;
    let mut found: Vec<ListedFlow> = mine.flows;
    let joinable: Vec<Flow> = all
        .into_iter()
        .filter(|f| !f.disabled && f.access_mode == AccessMode::Organization)
        .filter(|f| !found.iter().any(|l| l.flow.id == f.id))
        .collect();
    let members = if with_users {
        with_members(directory, flows, mine.organization.id, &joinable).await?
    } else {
        vec![Vec::new(); joinable.len()]
    };
    for (flow, members) in joinable.into_iter().zip(members) {
        let membership = Membership::none(&flow, user);
        found.push(ListedFlow { flow, membership, members });
    }
    found.sort_by(|a, b| a.flow.id.as_str().cmp(b.flow.id.as_str()));
    Ok(FlowList { organization: mine.organization, user, flows: found })
}

/// Each flow's members as users (a member blocked from the flow shown `disabled`), in the flows' order.
async fn with_members(
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    org: OrgId,
    of: &[Flow],
) -> Result<Vec<Vec<User>>, ApiError> {
    if of.is_empty() {
        return Ok(Vec::new());
    }
    let people: HashMap<UserId, User> = directory.list_users(org).await?.into_iter().map(|u| (u.id, u)).collect();
    let rosters = futures_util::future::try_join_all(of.iter().map(|f| flows.flow_members(org, &f.id))).await?;
    Ok(rosters
        .into_iter()
        .map(|roster| {
            roster
                .iter()
                .filter(|m| m.joined)
                .filter_map(|m| {
                    let mut user = people.get(&m.user_id)?.clone();
                    user.disabled |= m.disabled;
                    Some(user)
                })
                .collect()
        })
        .collect())
}

/// One flow as Flowdock's `GET /flows/{organization}/{flow}` and `GET /flows/find` show it: always with its users.
pub struct FlowDetail {
    pub organization: Organization,
    pub user: UserId,
    pub flow: ListedFlow,
}

/// The flow `org_slug`/`flow_slug` names, if the user may see it; anything they may not (another organization's,
/// an invitation-only flow they are not in, a disabled one) is answered 404, exactly like a flow that does not
/// exist.
pub async fn get(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    org_slug: &str,
    flow_slug: &str,
) -> Result<FlowDetail, ApiError> {
    let missing = || ApiError::not_found(format!("Flow '{org_slug}/{flow_slug}' does not exist"));
    let org = caller.org().await?;
    let slug = Slug::parse(flow_slug).map_err(|_| missing())?;
    let (organization, found) = tokio::try_join!(own_organization(directory, org, org_slug), async {
        Ok(flows.find_flow_by_slug(org, &slug).await?)
    })
    .map_err(|err| if matches!(err, ApiError::NotFound(_)) { missing() } else { err })?;
    detail(caller, directory, flows, organization, found, missing).await
}

/// The flow with this id, if the user may see it (Flowdock's `GET /flows/find?id=`); as [`get`] otherwise.
pub async fn find(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    raw_id: &str,
) -> Result<FlowDetail, ApiError> {
    let missing = || ApiError::not_found(format!("Flow with ID '{raw_id}' does not exist"));
    let org = caller.org().await?;
    let id = FlowId::parse(raw_id).map_err(|_| missing())?;
    let (organization, found) = tokio::try_join!(directory.get_organization(org), flows.get_flow(org, &id))?;
    let organization = keys_organization(organization)?;
    detail(caller, directory, flows, organization, found, missing).await
}

async fn detail(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    organization: Organization,
    found: Option<Flow>,
    missing: impl Fn() -> ApiError,
) -> Result<FlowDetail, ApiError> {
    let principal = caller.permit().await?;
    let key = principal.key()?;
    let flow = found.ok_or_else(&missing)?;
    let roster = flows.flow_members(organization.id, &flow.id).await?;
    let membership = roster.iter().find(|m| m.user_id == key.user_id).cloned();
    if !visible(&flow, membership.as_ref(), key.role) {
        return Err(missing());
    }
    let mut members = with_members(directory, flows, organization.id, std::slice::from_ref(&flow)).await?;
    let membership = membership.unwrap_or_else(|| Membership::none(&flow, key.user_id));
    let flow = ListedFlow { flow, membership, members: members.pop().unwrap_or_default() };
    Ok(FlowDetail { organization, user: key.user_id, flow })
}

/// What `PUT /flows/{organization}/{flow}` may change; each is optional.
#[derive(Default)]
pub struct FlowChanges {
    /// A new name; the id and `parameterized_name` stay.
    pub name: Option<Text<MAX_FLOW_NAME>>,
    /// `true` joins the user (when the access mode lets them) and opens the flow; `false` closes it for them.
    pub open: Option<bool>,
    /// Archives the flow: it leaves every list and nobody may join it (admins and the creator only).
    pub disabled: Option<bool>,
    /// Who may join (admins and the creator only).
    pub access_mode: Option<AccessMode>,
}

/// How many times a change is redone when another one was written between its read and its write.
pub(crate) const REVISION_ATTEMPTS: usize = 5;

/// Changes a flow the user may see. Changing `disabled` or `access_mode` takes an organization admin or the flow's
/// creator, renaming takes a member (or an admin), and joining (`open: true`) takes an organization-mode flow
/// (others are joined by invitation or by their join URL); anything else is a 403 saying so. The write is
/// optimistic: it goes over the revision it read, and is redone on what another change left.
pub async fn update(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    org_slug: &str,
    flow_slug: &str,
    changes: FlowChanges,
) -> Result<FlowDetail, ApiError> {
    for _ in 0..REVISION_ATTEMPTS {
        let before = get(caller, directory, flows, org_slug, flow_slug).await?;
        let principal = caller.permit().await?;
        let key = principal.key()?;
        let (flow, membership) = (&before.flow.flow, &before.flow.membership);
        let is_member = membership.joined && !membership.disabled;
        let may_manage = key.role == Role::Admin || flow.created_by == key.user_id;
        if (changes.disabled.is_some() || changes.access_mode.is_some()) && !may_manage {
            return Err(ApiError::Forbidden(
                "Only an organization admin or the flow's creator may change disabled or access_mode".into(),
            ));
        }
        if changes.name.is_some() && !is_member && key.role != Role::Admin {
            return Err(ApiError::Forbidden("Join the flow before renaming it".into()));
        }
        let mut changed = flow.clone();
        if let Some(name) = &changes.name {
            changed.name = name.as_str().to_owned();
        }
        if let Some(disabled) = changes.disabled {
            changed.disabled = disabled;
        }
        if let Some(mode) = changes.access_mode {
            changed.access_mode = mode;
        }
        let mut memberships = Vec::new();
        match changes.open {
            Some(true) if !is_member => {
                let joinable =
                    !changed.disabled && (changed.access_mode == AccessMode::Organization || key.role == Role::Admin);
                if !joinable {
                    return Err(ApiError::Forbidden(
                        "This flow is joined by invitation or with its join URL, not by opening it".into(),
                    ));
                }
                memberships.push(Membership { joined: true, open: true, ..membership.clone() });
            }
            Some(open) if is_member && open != membership.open => {
                memberships.push(Membership { open, ..membership.clone() });
            }
            _ => {}
        }
        let mut memberships = keyed(directory, memberships).await?;
        let Some(changed) = write_next(flows, flow, changed, &memberships).await? else { continue };
        let membership = memberships.pop().unwrap_or_else(|| membership.clone());
        let mut members = before.flow.members;
        if membership.joined && !members.iter().any(|u| u.id == membership.user_id) {
            if let Some(me) = directory.get_user(changed.org_id, membership.user_id).await? {
                members.push(me);
            }
        }
        let flow = ListedFlow { flow: changed, membership, members };
        return Ok(FlowDetail { organization: before.organization, user: before.user, flow });
    }
    Err(kept_changing())
}

/// What adding a member did.
pub enum Added {
    /// The user was made a member.
    Added(User),
    /// The user was one already.
    Already(User),
}

/// Adds a user of the organization to a flow the caller is a member of (or, for an admin, any flow they see).
/// Re-adding a user blocked from the flow takes an admin or the flow's creator.
pub async fn add_member(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    org_slug: &str,
    flow_slug: &str,
    user: UserId,
) -> Result<(FlowDetail, Added), ApiError> {
    for _ in 0..REVISION_ATTEMPTS {
        let before = get(caller, directory, flows, org_slug, flow_slug).await?;
        let principal = caller.permit().await?;
        let key = principal.key()?;
        let flow = &before.flow.flow;
        let me = &before.flow.membership;
        let is_member = me.joined && !me.disabled;
        if key.role != Role::Admin && !is_member {
            return Err(ApiError::Forbidden("Only the flow's members may add members".into()));
        }
        let added = directory
            .get_user(flow.org_id, user)
            .await?
            .ok_or_else(|| ApiError::field("id", format!("no user {user} in your organization")))?;
        if !added.is_active() {
            return Err(ApiError::conflict(format!(
                "User {user} is deactivated; reactivate them before adding them to a flow"
            )));
        }
        let roster = flows.flow_members(flow.org_id, &flow.id).await?;
        let current = roster.iter().find(|m| m.user_id == user);
        match current {
            Some(m) if m.joined && !m.disabled => return Ok((before, Added::Already(added))),
            Some(m) if m.disabled && key.role != Role::Admin && flow.created_by != key.user_id => {
                return Err(ApiError::Forbidden(
                    "The user is blocked from this flow; only an organization admin or the flow's creator may add them back".into(),
                ))
            }
            _ => {}
        }
        let membership = Membership::joined(flow, user).of(&added);
        if write_next(flows, flow, flow.clone(), &[membership]).await?.is_some() {
            return Ok((before, Added::Added(added)));
        }
    }
    Err(kept_changing())
}

/// Blocks a user from a flow (`disabled: true`: they leave it, it is a 404 to them, the others see them disabled)
/// or lets them back (`false`); an organization admin's or the flow's creator's change. Blocking someone who is
/// not a member keeps them from joining.
pub async fn set_member_blocked(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    org_slug: &str,
    flow_slug: &str,
    user: UserId,
    blocked: bool,
) -> Result<User, ApiError> {
    for _ in 0..REVISION_ATTEMPTS {
        let before = get(caller, directory, flows, org_slug, flow_slug).await?;
        let principal = caller.permit().await?;
        let key = principal.key()?;
        let flow = &before.flow.flow;
        if key.role != Role::Admin && flow.created_by != key.user_id {
            return Err(ApiError::Forbidden(
                "Only an organization admin or the flow's creator may block or unblock its members".into(),
            ));
        }
        let mut shown = directory
            .get_user(flow.org_id, user)
            .await?
            .ok_or_else(|| ApiError::not_found(format!("User {user} does not exist")))?;
        let roster = flows.flow_members(flow.org_id, &flow.id).await?;
        let membership = match roster.into_iter().find(|m| m.user_id == user) {
            Some(m) => Membership { disabled: blocked, ..m },
            None => Membership { disabled: blocked, ..Membership::none(flow, user) },
        }
        .of(&shown);
        if write_next(flows, flow, flow.clone(), &[membership]).await?.is_some() {
            shown.disabled |= blocked;
            return Ok(shown);
        }
    }
    Err(kept_changing())
}

/// Whether a flow has a join URL now: only in the `link` and `organization` modes, and not after its deletion.
pub fn has_join_url(flow: &Flow) -> bool {
    flow.access_mode != AccessMode::Invitation && !flow.join_token.is_empty()
}

/// The flow whose join URL is asked for, if it has one.
pub async fn join_url(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    org_slug: &str,
    flow_slug: &str,
) -> Result<FlowDetail, ApiError> {
    let detail = get(caller, directory, flows, org_slug, flow_slug).await?;
    if !has_join_url(&detail.flow.flow) {
        return Err(ApiError::not_found("This flow has no join URL"));
    }
    Ok(detail)
}

/// Gives the flow a new join token (`renew`), so that the old URL stops working, or deletes it (the flow has no
/// join URL until a new one is made); an organization admin's or the flow's creator's change. An invitation-only
/// flow has no join URL to make: a 409 until its access mode changes.
pub async fn change_join_url(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    org_slug: &str,
    flow_slug: &str,
    renew: bool,
) -> Result<FlowDetail, ApiError> {
    for _ in 0..REVISION_ATTEMPTS {
        let mut detail = get(caller, directory, flows, org_slug, flow_slug).await?;
        let principal = caller.permit().await?;
        let key = principal.key()?;
        let flow = &detail.flow.flow;
        if key.role != Role::Admin && flow.created_by != key.user_id {
            return Err(ApiError::Forbidden(
                "Only an organization admin or the flow's creator may change its join URL".into(),
            ));
        }
        if renew && flow.access_mode == AccessMode::Invitation {
            return Err(ApiError::conflict(
                "An invitation-only flow has no join URL; change its access_mode to link or organization first",
            ));
        }
        if !renew && !has_join_url(flow) {
            return Err(ApiError::not_found("This flow has no join URL"));
        }
        let token = if renew { random_token(20) } else { String::new() };
        if let Some(changed) = write_next(flows, flow, Flow { join_token: token, ..flow.clone() }, &[]).await? {
            detail.flow.flow = changed;
            return Ok(detail);
        }
    }
    Err(kept_changing())
}

/// Joins the key's user to the flow an invitation (`<token>-<parameterized_name>`, the end of its join URL) names
/// in the user's own organization. A wrong or revoked token, a flow without a join URL, a disabled flow or another
/// organization's flow are all the same 404; a user blocked from the flow is refused (403).
pub async fn join(
    caller: &Caller,
    directory: &dyn Directory,
    flows: &dyn FlowStore,
    invitation: &str,
) -> Result<FlowDetail, ApiError> {
    let missing = || ApiError::not_found("No flow has this invitation");
    let (token, slug) = invitation.split_once('-').ok_or_else(missing)?;
    let slug = Slug::parse(slug).map_err(|_| missing())?;
    let org = caller.org().await?;
    for _ in 0..REVISION_ATTEMPTS {
        let (organization, found) =
            tokio::try_join!(directory.get_organization(org), flows.find_flow_by_slug(org, &slug))?;
        let organization = keys_organization(organization)?;
        let principal = caller.permit().await?;
        let key = principal.key()?;
        let flow = found.ok_or_else(missing)?;
        let genuine = has_join_url(&flow) && bool::from(flow.join_token.as_bytes().ct_eq(token.as_bytes()));
        if !genuine || flow.disabled {
            return Err(missing());
        }
        let roster = flows.flow_members(org, &flow.id).await?;
        let current = roster.iter().find(|m| m.user_id == key.user_id);
        if current.is_some_and(|m| m.disabled) {
            return Err(ApiError::Forbidden("You are blocked from this flow".into()));
        }
        let membership = Membership::joined(&flow, key.user_id);
        let needed = current.is_none_or(|m| !m.joined);
        let membership = if needed { keyed(directory, vec![membership]).await?.remove(0) } else { membership };
        if needed && write_next(flows, &flow, flow.clone(), std::slice::from_ref(&membership)).await?.is_none() {
            continue;
        }
        let mut members = with_members(directory, flows, org, std::slice::from_ref(&flow)).await?;
        let flow = ListedFlow { flow, membership, members: members.pop().unwrap_or_default() };
        return Ok(FlowDetail { organization, user: key.user_id, flow });
    }
    Err(kept_changing())
}

/// `memberships` keyed by their members' external ids, as they are now: the store refuses a membership keyed
/// without one of a person who has one (it would be missing from the person index Frigade reads).
async fn keyed(directory: &dyn Directory, memberships: Vec<Membership>) -> Result<Vec<Membership>, ApiError> {
    let mut keyed = Vec::with_capacity(memberships.len());
    for m in memberships {
        keyed.push(match &m.external_id {
            Some(_) => m,
            None => match directory.get_user(m.org_id, m.user_id).await? {
                Some(person) => m.of(&person),
                None => m,
            },
        });
    }
    Ok(keyed)
}

/// Writes `changed` as the revision after `read`'s, with `memberships`, in one write: the flow as written, or
/// `None` when another change came first (read again and redo).
pub(crate) async fn write_next(
    flows: &dyn FlowStore,
    read: &Flow,
    changed: Flow,
    memberships: &[Membership],
) -> Result<Option<Flow>, ApiError> {
    let changed = Flow { revision: read.revision + 1, ..changed };
    match flows.update_flow(&changed, read.revision, &read.slug, memberships).await {
        Ok(()) => Ok(Some(changed)),
        Err(StoreError::Conflict(Conflict::Revision)) => Ok(None),
        Err(StoreError::Conflict(Conflict::FlowSlug)) => Err(slug_taken(&changed.slug)),
        Err(other) => Err(other.into()),
    }
}

/// The 409 of a slug another flow of the organization has.
pub(crate) fn slug_taken(slug: &Slug) -> ApiError {
    ApiError::conflict(format!("A flow with the slug '{}' already exists in your organization", slug.as_str()))
}

/// The 409 of a change redone [`REVISION_ATTEMPTS`] times because others kept changing the flow meanwhile.
pub(crate) fn kept_changing() -> ApiError {
    ApiError::conflict("The flow kept changing while this change was made; try again")
}

/// The organization of the caller's key, read beside something else: a key of an organization that is gone is the
/// store's inconsistency, not the caller's mistake.
fn keys_organization(found: Option<Organization>) -> Result<Organization, ApiError> {
    found.ok_or_else(|| ApiError::internal("the key's organization is missing"))
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
    let base = input.slug.clone().unwrap_or_else(|| Slug::from_name(input.name.as_str(), "flow"));
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
            flow_type: DEFAULT_FLOW_TYPE.to_owned(),
            steps: Vec::new(),
            sequential: false,
            completion: Default::default(),
            version: 1,
            revision: 0,
            created_by: creator,
            created_at: act.now(),
        },
        members,
    };
    input.content.apply(&mut created.flow);
    // A name whose slug is taken gets the next free number ("my-flow-2"), as Flowdock does; past a few, a random
    // suffix, so that a popular name costs a bounded number of tries. Each try is one conditional write, so two
    // creates racing for one slug both succeed, with different slugs. A reserved word (`assign`) is as good as taken.
    let reserved = RESERVED_FLOW_SLUGS.contains(&base.as_str());
    for attempt in 1..=SLUG_ATTEMPTS {
        created.flow.slug = match attempt {
            1 if !reserved => base.clone(),
            n if n < SLUG_ATTEMPTS => base.with_suffix(&(n + u32::from(reserved)).to_string()),
            _ => base.with_suffix(&random_token(3)),
        };
        let done = act.completion(&created);
        let mut creator = Membership::of_creator(&created.flow);
        if let Some(person) = created.members.iter().find(|u| u.id == creator.user_id) {
            creator = creator.of(person);
        }
        match flows.create_flow(&created.flow, &creator, done.as_ref()).await {
            Ok(()) => return Ok(created),
            Err(StoreError::Conflict(Conflict::FlowSlug)) if input.slug.is_some() => return Err(slug_taken(&base)),
            Err(StoreError::Conflict(Conflict::FlowSlug)) => continue,
            Err(other) => return Err(other.into()),
        }
    }
    Err(ApiError::conflict(format!("Too many flows are named '{}' in this organization", base.as_str())))
}

/// How many slugs a create tries: the name's own, then numbered ones, then one with a random suffix.
const SLUG_ATTEMPTS: u32 = 10;
