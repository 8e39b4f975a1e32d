//! Frigade's content of a flow: its type, ordered steps, `sequential` and completion rule, under a `version` that
//! every content change bumps. Read and changed by slug or id, with the secret key.

use crate::caller::Caller;
use crate::error::ApiError;
use crate::model::{AccessMode, Flow, FlowId, Role, Slug, Text};
use crate::services::flows::{kept_changing, visible, write_next, MAX_FLOW_NAME, REVISION_ATTEMPTS};
use crate::store::FlowStore;

pub use crate::model::ContentChanges;

/// What `PUT /v1/flows/{flowId}` may change.
#[derive(Default)]
pub struct FlowEdit {
    pub name: Option<Text<MAX_FLOW_NAME>>,
    /// A new `flowSlug` (`parameterized_name`), unique in the organization.
    pub slug: Option<Slug>,
    pub disabled: Option<bool>,
    pub access_mode: Option<AccessMode>,
    pub content: ContentChanges,
}

/// The organization's flow `raw` names: its slug first, then its id (both looked up at once).
pub async fn find(flows: &dyn FlowStore, org: crate::model::OrgId, raw: &str) -> Result<Option<Flow>, ApiError> {
    let by_slug = async {
        match Slug::parse(raw) {
            Ok(slug) => flows.find_flow_by_slug(org, &slug).await,
            Err(_) => Ok(None),
        }
    };
    let by_id = async {
        match FlowId::parse(raw) {
            Ok(id) => flows.get_flow(org, &id).await,
            Err(_) => Ok(None),
        }
    };
    let (slugged, identified) = tokio::try_join!(by_slug, by_id)?;
    Ok(slugged.or(identified))
}

/// The flow `raw` names, if the key's user may see it (Flowdock's rule); anything else is the same 404.
pub async fn get(caller: &Caller, flows: &dyn FlowStore, raw: &str) -> Result<Flow, ApiError> {
    let missing = || ApiError::not_found(format!("Flow '{raw}' does not exist"));
    let org = caller.org().await?;
    let found = find(flows, org, raw).await?.ok_or_else(missing)?;
    let principal = caller.permit().await?;
    let key = principal.key()?;
    // Admins see every flow; anyone else by their membership (a member blocked from an organization-mode flow
    // no longer sees it).
    if key.role != Role::Admin {
        let roster = flows.flow_members(org, &found.id).await?;
        let membership = roster.iter().find(|m| m.user_id == key.user_id);
        if !visible(&found, membership, key.role) {
            return Err(missing());
        }
    }
    Ok(found)
}

/// Changes a flow's name, slug, state or content; an organization admin's or the flow's creator's change. A
/// content change bumps the `version`; progress already made keeps the steps that still exist.
pub async fn update(caller: &Caller, flows: &dyn FlowStore, raw: &str, edit: FlowEdit) -> Result<Flow, ApiError> {
    for _ in 0..REVISION_ATTEMPTS {
        let read = get(caller, flows, raw).await?;
        let principal = caller.permit().await?;
        let key = principal.key()?;
        if key.role != Role::Admin && read.created_by != key.user_id {
            return Err(ApiError::Forbidden("Only an organization admin or the flow's creator may change it".into()));
        }
        let mut changed = read.clone();
        if let Some(name) = &edit.name {
            changed.name = name.as_str().to_owned();
        }
        if let Some(slug) = &edit.slug {
            changed.slug = slug.clone();
        }
        if let Some(disabled) = edit.disabled {
            changed.disabled = disabled;
        }
        if let Some(mode) = edit.access_mode {
            changed.access_mode = mode;
        }
        if edit.content.apply(&mut changed) {
            changed.version = read.version + 1;
        }
        if changed == read {
            return Ok(read);
        }
        if let Some(written) = write_next(flows, &read, changed, &[]).await? {
            return Ok(written);
        }
    }
    Err(kept_changing())
}
