//! Each route of [`crate::routes`] bound to its handler. A Lambda binary names its own endpoint (a static), so
//! that it links only its own handler; the local server and the tests find endpoints by function name.

pub use crate::handler::Endpoint;
use crate::handlers::fallback;
use crate::handlers::flowdock::{flows, organizations};
use crate::handlers::frigade::{content, preflight, sessions, states};
use crate::handlers::momoflow::assignments;
use crate::handlers::platform::{admin, api_keys, settings, users, webhooks};
use crate::handlers::superoffice::{participants, parts, workflow};
use crate::routes::{self, Route};

macro_rules! endpoints {
    ($($name:ident => $handler:path;)*) => {
        $(
            pub static $name: Endpoint = Endpoint {
                route: &routes::$name,
                handler: |ctx, request| Box::pin($handler(ctx, request)),
            };
        )*
        /// Every endpoint, the fallback included.
        pub static ALL: &[&Endpoint] = &[$(&$name),*];
    };
}

endpoints! {
    ADMIN_CREATE_ORGANIZATION => admin::create_organization;
    USERS_CREATE => users::create;
    USERS_LIST => users::list;
    USERS_GET => users::get;
    USERS_UPDATE => users::update;
    USERS_DEACTIVATE => users::deactivate;
    USERS_EVENTS => users::events;
    API_KEYS_CREATE => api_keys::create;
    API_KEYS_LIST => api_keys::list;
    API_KEYS_REVOKE => api_keys::revoke;
    ORGANIZATIONS_GET => organizations::get;
    FLOWS_LIST => flows::list;
    FLOWS_LIST_ALL => flows::list_all;
    FLOWS_FIND => flows::find;
    FLOWS_GET => flows::get;
    FLOWS_UPDATE => flows::update;
    FLOWS_USERS_LIST => flows::members;
    FLOWS_USERS_ADD => flows::add_member;
    FLOWS_USERS_UPDATE => flows::update_member;
    FLOWS_JOIN_URL_GET => flows::join_url;
    FLOWS_JOIN_URL_RENEW => flows::renew_join_url;
    INVITATIONS_ACCEPT => flows::join;
    FLOWS_JOIN_URL_DELETE => flows::delete_join_url;
    FLOWS_CREATE => flows::create;
    FLOWS_ASSIGN => assignments::assign;
    ASSIGNMENTS_GET => assignments::get;
    ASSIGNMENTS_LIST => assignments::list;
    ASSIGNMENTS_CANCEL => assignments::cancel;
    FLOWS_REPORT => assignments::report;
    FLOW_CONTENT_GET => content::get;
    FLOW_CONTENT_UPDATE => content::update;
    PUBLIC_FLOWS_LIST => content::list_public;
    PUBLIC_FLOW_STATES_GET => states::get;
    PUBLIC_FLOW_STATES_UPDATE => states::post;
    PUBLIC_SESSIONS => sessions::post;
    PUBLIC_PREFLIGHT => preflight::handle;
    CORS_GET => settings::get;
    CORS_UPDATE => settings::update;
    USER_TOKENS_GET => settings::user_tokens_get;
    USER_TOKENS_UPDATE => settings::user_tokens_update;
    USER_TOKENS_ROTATE_SECRET => settings::user_tokens_rotate_secret;
    USER_FLOW_STATES_RESET => states::reset;
    WEBHOOKS_CREATE => webhooks::create;
    WEBHOOKS_LIST => webhooks::list;
    WEBHOOKS_GET => webhooks::get;
    WEBHOOKS_UPDATE => webhooks::update;
    WEBHOOKS_DELETE => webhooks::delete;
    WEBHOOKS_ROTATE_SECRET => webhooks::rotate_secret;
    WEBHOOKS_DELIVERIES => webhooks::deliveries;
    WEBHOOKS_REPLAY => webhooks::replay;
    WORKFLOW_CREATE_DEFAULT_EMAIL_FLOW => workflow::create_default_email_flow;
    WORKFLOW_SAVE_EMAIL_FLOW => workflow::save_email_flow;
    WORKFLOW_GET_EMAIL_FLOW => workflow::get_email_flow;
    WORKFLOW_DELETE_EMAIL_FLOW => workflow::delete_email_flow;
    WORKFLOW_COPY_EMAIL_FLOW => workflow::copy_email_flow;
    WORKFLOW_SET_STATUS_ON_WORKFLOW => workflow::set_status_on_workflow;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_TRIGGER => parts::create_default_workflow_trigger;
    WORKFLOW_SAVE_WORKFLOW_TRIGGER => parts::save_workflow_trigger;
    WORKFLOW_GET_WORKFLOW_TRIGGER => parts::get_workflow_trigger;
    WORKFLOW_DELETE_WORKFLOW_TRIGGER => parts::delete_workflow_trigger;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_GOAL => parts::create_default_workflow_goal;
    WORKFLOW_SAVE_WORKFLOW_GOAL => parts::save_workflow_goal;
    WORKFLOW_GET_WORKFLOW_GOAL => parts::get_workflow_goal;
    WORKFLOW_DELETE_WORKFLOW_GOAL => parts::delete_workflow_goal;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_WAIT_FOR_ACTION => parts::create_default_workflow_wait_for_action;
    WORKFLOW_SAVE_WORKFLOW_WAIT_FOR_ACTION => parts::save_workflow_wait_for_action;
    WORKFLOW_GET_WORKFLOW_WAIT_FOR_ACTION => parts::get_workflow_wait_for_action;
    WORKFLOW_DELETE_WORKFLOW_WAIT_FOR_ACTION => parts::delete_workflow_wait_for_action;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_FROM_TYPE => parts::create_default_workflow_step_from_type;
    WORKFLOW_GET_WORKFLOW_STEP => parts::get_workflow_step;
    WORKFLOW_ADD_AFTER_WORKFLOW_STEP => parts::add_after_workflow_step;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_OPTION_FROM_TYPE => parts::create_default_workflow_step_option_from_type;
    WORKFLOW_GET_WORKFLOW_STEP_OPTION => parts::get_workflow_step_option;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_FILTER => workflow::create_default_workflow_filter;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_EVENT => workflow::create_default_workflow_event;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_EVENT_RESULT => workflow::create_default_workflow_event_result;
    WORKFLOW_TRY_ADD_PERSONS_TO_EMAIL_FLOW => participants::try_add_persons_to_email_flow;
    WORKFLOW_REMOVE_PARTICIPANTS_FROM_EMAIL_FLOW => participants::remove_participants_from_email_flow;
    WORKFLOW_SEND_EVENT => participants::send_event;
    WORKFLOW_RUN => participants::run;
    EMAIL_FLOW_PARTICIPANTS => participants::participants;
    WORKFLOW_UNSUPPORTED => workflow::unsupported;
    OPENAPI => crate::openapi::serve;
    FALLBACK => fallback::handle;
}

/// The endpoint of the function `name`.
pub fn by_function(name: &str) -> Option<&'static Endpoint> {
    ALL.iter().copied().find(|e| e.route.function == name)
}

/// The endpoint serving `route`.
pub fn for_route(route: &Route) -> &'static Endpoint {
    by_function(route.function).unwrap_or(&FALLBACK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_route_has_exactly_one_endpoint() {
        let mut bound: Vec<&str> = ALL.iter().map(|e| e.route.function).collect();
        let mut routes: Vec<&str> = routes::all().map(|r| r.function).collect();
        bound.sort_unstable();
        routes.sort_unstable();
        assert_eq!(bound, routes);
    }
}
