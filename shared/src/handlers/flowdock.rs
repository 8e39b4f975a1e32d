//! Flowdock's flows (seed 001). `POST /flows/{organization}` creates a flow; besides Flowdock's `name` it takes
//! Frigade's content, `flowType` and ordered `steps`, so that a flow has something to assign.

use std::collections::HashSet;

use http::StatusCode;
use lambda_http::Request;

use crate::dispatch::Ctx;
use crate::error::ApiError;
use crate::http::{json, json_object, store_error, Fields, Response};
use crate::model::{random_token, AccessMode, BoundedText, Flow, FlowId, Organization, Slug, Step, FLOW_TYPES};
use crate::store::{Conflict, StoreError};

use super::{path_param, views};

pub const MAX_FLOW_NAME: usize = 100;
pub const MAX_STEPS: usize = 100;
pub const MAX_STEP_ID: usize = 100;
pub const MAX_STEP_TITLE: usize = 200;
pub const MAX_STEP_MINUTES: u64 = 10_000;

/// The caller's organization, if `slug` names it; another organization's slug is answered exactly like one that
/// does not exist.
pub async fn own_organization(ctx: &Ctx, slug: &str) -> Result<Organization, ApiError> {
    let missing = || ApiError::not_found(format!("Organization '{slug}' does not exist"));
    let org = ctx.state.store.get_organization(ctx.org()?).await.map_err(store_error)?.ok_or_else(missing)?;
    if org.slug.as_str() == slug {
        Ok(org)
    } else {
        Err(missing())
    }
}

fn step_id(raw: &str) -> Result<String, String> {
    let ok = !raw.is_empty()
        && raw.len() <= MAX_STEP_ID
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err(format!("must be 1 to {MAX_STEP_ID} letters, digits, '-' or '_'"))
    }
}

fn flow_type(raw: &str) -> Result<String, String> {
    if FLOW_TYPES.contains(&raw) {
        Ok(raw.to_owned())
    } else {
        Err(format!("must be one of {}", FLOW_TYPES.join(", ")))
    }
}

#[tracing::instrument(skip_all)]
pub async fn create_flow(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let org_slug = path_param(&request, "organization")?;
    let org = own_organization(&ctx, &org_slug).await?;
    let body = json_object(&request)?;
    let mut fields = Fields::new(&body);
    let name = fields.string("name", true, |s| BoundedText::parse(s, MAX_FLOW_NAME));
    let access_mode = fields.string("access_mode", false, AccessMode::parse);
    let flow_type = fields.string("flowType", false, flow_type);
    let steps = fields
        .array("steps", MAX_STEPS, |step| {
            let id = step.string("id", true, step_id);
            let title = step.string("title", true, |s| BoundedText::parse(s, MAX_STEP_TITLE));
            let minutes = step.integer("estimatedMinutes", false, 0..=MAX_STEP_MINUTES).unwrap_or(0);
            Some(Step { id: id?, title: title?.into_string(), estimated_minutes: u32::try_from(minutes).unwrap_or(0) })
        })
        .unwrap_or_default();
    let mut seen = HashSet::new();
    if let Some(dup) = steps.iter().find(|s| !seen.insert(s.id.as_str())) {
        fields.add("steps", format!("step ids must be unique; '{}' appears twice", dup.id));
    }
    fields.finish()?;
    let name = name.ok_or_else(|| ApiError::internal("validated name missing"))?;

    let store = ctx.state.store.as_ref();
    let creator = store.get_user(org.id, ctx.user()?).await.map_err(store_error)?;
    let flow = Flow {
        id: FlowId::generate(),
        org_id: org.id,
        slug: Slug::from_name(name.as_str(), "flow"),
        name: name.into_string(),
        access_mode: access_mode.unwrap_or(AccessMode::Invitation),
        join_token: random_token(20),
        disabled: false,
        flow_type: flow_type.unwrap_or_else(|| "CHECKLIST".to_owned()),
        steps,
        version: 1,
        created_by: ctx.user()?,
        created_at: ctx.now,
    };
    store.create_flow(&flow).await.map_err(|err| match err {
        StoreError::Conflict(Conflict::FlowSlug) => {
            ApiError::conflict(format!("A flow named '{}' already exists in this organization", flow.slug.as_str()))
        }
        other => store_error(other),
    })?;
    let users: Vec<_> = creator.into_iter().collect();
    Ok(json(StatusCode::CREATED, &views::flow(&ctx.state.config, &org, &flow, &users, true)))
}
