//! `POST /v1/public/sessions`: Frigade's `identify`, `group` and `track` (202, no body; the SDK ignores the answer).

use http::StatusCode;
use lambda_http::Request;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::handler::Ctx;
use crate::handlers::body;
use crate::http::{Fields, Input, Need, Response};
use crate::model::{Session, Text};
use crate::services::sessions::{self, SessionRequest};
use crate::services::users::MAX_EXTERNAL_ID;

/// The most bytes a properties object takes, as JSON (a user's or a group's; an event's takes half).
pub const MAX_PROPERTIES_BYTES: usize = 4096;
/// The most events one session carries, of each kind.
pub const MAX_SESSION_EVENTS: usize = 20;
pub const MAX_EVENT_NAME: usize = 100;

/// A field holding a JSON object of at most `max_bytes`; `{}` when absent.
fn properties(f: &mut Fields<'_>, field: &str, max_bytes: usize) -> Option<Map<String, Value>> {
    match f.any(field, Need::Optional, max_bytes) {
        None => Some(Map::new()),
        Some(Value::Object(map)) => Some(map),
        Some(_) => {
            f.add(field, "must be an object");
            None
        }
    }
}

fn read_event(f: &mut Fields<'_>) -> Option<(String, Map<String, Value>)> {
    let event = f.string::<Text<MAX_EVENT_NAME>>("event", Need::Required);
    let props = properties(f, "properties", MAX_PROPERTIES_BYTES / 2);
    Some((event?.into_string(), props?))
}

impl Input for SessionRequest {
    /// A vendor's route: what its official client sends beyond the document is ignored.
    const STRICT: bool = false;

    fn read(f: &mut Fields<'_>) -> Option<Self> {
        let user_id = f.string::<Text<MAX_EXTERNAL_ID>>("userId", Need::Required);
        let group_id = f.string::<Text<MAX_EXTERNAL_ID>>("groupId", Need::Optional);
        let user_properties = properties(f, "userProperties", MAX_PROPERTIES_BYTES);
        let group_properties = properties(f, "groupProperties", MAX_PROPERTIES_BYTES);
        let user_events = f.array("userEvents", Need::Optional, MAX_SESSION_EVENTS, read_event);
        let group_events = f.array("groupEvents", Need::Optional, MAX_SESSION_EVENTS, read_event);
        let group_news = group_properties.as_ref().is_some_and(|p| !p.is_empty())
            || group_events.as_ref().is_some_and(|e| !e.is_empty());
        if group_news && group_id.is_none() {
            f.add("groupId", "is required with groupProperties or groupEvents");
            return None;
        }
        Some(Self {
            user_id: user_id?,
            session: Session {
                group_id: group_id.map(Text::into_string),
                user_properties: user_properties?,
                group_properties: group_properties?,
                user_events: user_events.unwrap_or_default(),
                group_events: group_events.unwrap_or_default(),
            },
        })
    }
}

#[tracing::instrument(skip_all)]
pub async fn post(ctx: Ctx, request: Request) -> Result<Response, ApiError> {
    let input: SessionRequest = body(&request)?;
    sessions::record(&ctx.caller, &ctx.state.store, input).await?;
    let mut accepted = crate::http::no_content();
    *accepted.status_mut() = StatusCode::ACCEPTED;
    Ok(accepted)
}
