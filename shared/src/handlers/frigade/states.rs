//! `POST /v1/public/flowStates` (an action, or a refresh without one), `GET /v1/public/flowStates` (the same
//! answer, changing nothing) and `DELETE /v1/userFlowStates/{flowSlug}/{userId}` (secret key: forgets a user's
//! progress in a flow).

use http::StatusCode;
use lambda_http::{Request, RequestExt};

use super::views::FlowStatesView;
use crate::error::{ApiError, Problems};
use crate::handler::Ctx;
use crate::handlers::{body, path_param};
use crate::http::{json, Fields, Input, Need, Response};
use crate::model::{ActionType, Text};
use crate::services::flows::MAX_STEP_ID;
use crate::services::progress::{self, RequestedAction, StateRequest, MAX_DATA_BYTES, MAX_FLOW_REF};
use crate::services::users::MAX_EXTERNAL_ID;

/// What the SDK sends beside an action and we accept without keeping: `groupId`, `createdAt` (the client's
/// clock; the server's is authoritative) and `context`.
const MAX_CONTEXT_BYTES: usize = 8192;

impl Input for StateRequest {
    /// A vendor's route: what its official client sends beyond the document is ignored.
    const STRICT: bool = false;

    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let user_id = f.string::<Text<MAX_EXTERNAL_ID>>("userId", Need::Required);
        let _group = f.string::<Text<MAX_EXTERNAL_ID>>("groupId", Need::Optional);
        let flow = f.string::<Text<MAX_FLOW_REF>>("flowSlug", Need::Optional);
        let step_id = f.string::<Text<MAX_STEP_ID>>("stepId", Need::Optional);
        let data = f.any("data", Need::Optional, MAX_DATA_BYTES);
        let action_type = f.string::<ActionType>("actionType", Need::Optional);
        let _created_at = f.string::<Text<64>>("createdAt", Need::Optional);
        let _context = f.any("context", Need::Optional, MAX_CONTEXT_BYTES);
        let action = match (flow, action_type) {
            (Some(flow), Some(action_type)) => Some(RequestedAction {
                flow,
                action_type,
                step_id: step_id.map(Text::into_string),
                data: data.unwrap_or_else(|| serde_json::json!({})),
            }),
            (None, Some(_)) => {
                f.add("flowSlug", "is required with actionType");
                None
            }
            (Some(_), None) => {
                f.add("actionType", "is required with flowSlug");
                None
            }
            (None, None) => None,
        };
        Some(Self { user_id: user_id?, action })
    }
}

#[tracing::instrument(skip_all)]
pub async fn post(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let input: StateRequest = body(&request)?;
    let states = progress::act(&ctx.caller, &ctx.state.store, &ctx.state.publisher(), input).await?;
    Ok(json(StatusCode::OK, &FlowStatesView::from(&states)))
}

/// The `userId` of a query (and its `groupId`, checked and not kept): at most [`MAX_EXTERNAL_ID`] characters.
pub(crate) fn user_query(request: &Request, need: Need) -> Result<Option<String>, ApiError> {
    let query = request.query_string_parameters();
    let mut problems = Problems::new();
    let user = match query.first("userId") {
        None if need == Need::Required => {
            problems.check("userId", Err::<Text<MAX_EXTERNAL_ID>, _>("is required".to_owned()))
        }
        None => None,
        Some(raw) => problems.check("userId", Text::<MAX_EXTERNAL_ID>::parse(raw)),
    };
    if let Some(raw) = query.first("groupId") {
        problems.check("groupId", Text::<MAX_EXTERNAL_ID>::parse(raw));
    }
    problems.finish()?;
    Ok(user.map(Text::into_string))
}

#[tracing::instrument(skip_all)]
pub async fn get(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let user = user_query(&request, Need::Required)?.unwrap_or_default();
    let states = progress::read(&ctx.caller, &ctx.state.store, &user).await?;
    Ok(json(StatusCode::OK, &FlowStatesView::from(&states)))
}

#[tracing::instrument(skip_all)]
pub async fn reset(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let flow = path_param(&request, "flowSlug")?;
    let user = path_param(&request, "userId")?;
    progress::reset(&ctx.caller, &ctx.state.store, &flow, &user).await?;
    Ok(crate::http::response::no_content())
}
