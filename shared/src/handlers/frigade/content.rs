//! `GET /v1/flows/{flowId}` and `PUT /v1/flows/{flowId}`: a flow's content, by slug or id (secret key);
//! `GET /v1/public/flows`: the flows of the key's organization with their content. The content readers here are
//! also Flowdock's create's.

use http::StatusCode;
use lambda_http::Request;
use utoipa::openapi::schema::ObjectBuilder;

use super::views;
use crate::error::ApiError;
use crate::handler::Ctx;
use crate::handlers::{body, path_param};
use crate::http::values::flow_slug_schema;
use crate::http::{json, Fields, Input, Need, Response};
use crate::model::{parse_flow_slug, MultiLine, Step, Text, FLOW_TYPES, RESERVED_FLOW_SLUGS};
use crate::services::content::{self, ContentChanges, FlowEdit};
use crate::services::flows::{repeated_step, MAX_STEPS, MAX_STEP_ID, MAX_STEP_MINUTES, MAX_STEP_TITLE};

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

fn step_id_schema() -> ObjectBuilder {
    ObjectBuilder::new().pattern(Some(format!("^[A-Za-z0-9_-]{{1,{MAX_STEP_ID}}}$")))
}

fn flow_type(raw: &str) -> Result<String, String> {
    if FLOW_TYPES.contains(&raw) {
        Ok(raw.to_owned())
    } else {
        Err(format!("must be one of {}", FLOW_TYPES.join(", ")))
    }
}

fn read_step(f: &mut Fields<'_>) -> Option<Step> {
    let id = f.string_with("id", Need::Required, step_id_schema(), step_id);
    let title = f.string::<Text<MAX_STEP_TITLE>>("title", Need::Required);
    let subtitle = f.string::<MultiLine<MAX_STEP_TITLE>>("subtitle", Need::Optional);
    let minutes = f.integer("estimatedMinutes", Need::Optional, 0..=MAX_STEP_MINUTES).unwrap_or(0);
    Some(Step {
        id: id?,
        title: title?.into_string(),
        subtitle: subtitle.map(Text::into_string),
        estimated_minutes: u32::try_from(minutes).ok()?,
    })
}

/// Frigade's content members of a body: `flowType`, `steps` (ids unique), `sequential`, `completionRule`.
pub(crate) fn read_content(f: &mut Fields<'_>) -> Option<ContentChanges> {
    let flow_type = f.string_with(
        "flowType",
        Need::Optional,
        ObjectBuilder::new().enum_values(Some(FLOW_TYPES.iter().copied())),
        flow_type,
    );
    let steps = f.array("steps", Need::Optional, MAX_STEPS, read_step);
    if let Some(repeated) = steps.as_deref().and_then(repeated_step) {
        f.add("steps", format!("step ids must be unique; '{repeated}' appears twice"));
        return None;
    }
    let sequential = f.boolean("sequential", Need::Optional);
    let completion = f.string("completionRule", Need::Optional);
    Some(ContentChanges { flow_type, steps, sequential, completion })
}

impl Input for FlowEdit {
    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let name = f.string("name", Need::Optional);
        let slug = f.string_with("flowSlug", Need::Optional, flow_slug_schema(), parse_flow_slug);
        let disabled = f.boolean("disabled", Need::Optional);
        let access_mode = f.string("access_mode", Need::Optional);
        let content = read_content(f);
        Some(Self { name, slug, disabled, access_mode, content: content? })
    }
}

/// The flow a path names; MomoFlow's own paths beside it (`/v1/flows/assign`) are not flows but paths of another
/// method (a gateway that routed one here answers as the route table does).
fn flow_ref(request: &Request) -> Result<String, ApiError> {
    let raw = path_param(request, "flowId")?;
    if RESERVED_FLOW_SLUGS.contains(&raw.as_str()) {
        return Err(ApiError::MethodNotAllowed { method: request.method().to_string(), allow: vec!["POST".into()] });
    }
    Ok(raw)
}

#[tracing::instrument(skip_all)]
pub async fn get(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let raw = flow_ref(&request)?;
    let flow = content::get(&ctx.caller, &ctx.state.store, &raw).await?;
    Ok(json(StatusCode::OK, &views::FrigadeFlow::from(&flow)))
}

#[tracing::instrument(skip_all)]
pub async fn update(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let raw = flow_ref(&request)?;
    let edit: FlowEdit = body(&request)?;
    let flow = content::update(&ctx.caller, &ctx.state.store, &raw, edit).await?;
    Ok(json(StatusCode::OK, &views::FrigadeFlow::from(&flow)))
}

#[tracing::instrument(skip_all)]
pub async fn list_public(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let user = super::states::user_query(&request, Need::Optional)?;
    let flows = crate::services::progress::flows(&ctx.caller, &ctx.state.store, user.as_deref()).await?;
    Ok(json(StatusCode::OK, &views::FrigadeFlowList { data: flows.iter().map(views::FrigadeFlow::from).collect() }))
}
