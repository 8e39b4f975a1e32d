//! Flows: Flowdock's identity and access with Frigade's content (type and ordered steps).

use std::collections::HashSet;

use crate::caller::Act;
use crate::error::ApiError;
use crate::model::{random_token, AccessMode, Flow, FlowId, Organization, Slug, Step, Text, User};
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
