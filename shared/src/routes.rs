//! The route table: the single source of every endpoint's method, path, access rule and Lambda function name.
//! The local server and the fallback route with it, [`crate::endpoints`] binds each route to its handler, and a
//! test holds it against `template.yaml`.

use std::sync::OnceLock;

use http::Method;

use crate::model::Role;

/// Who may call a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// `Authorization: Bearer <FLOWS_ADMIN_TOKEN>`; absent configuration hides the route.
    Admin,
    /// A secret key of the organization.
    Secret,
    /// A secret or public key (the `/v1/public/*` routes).
    Public,
    /// Nobody is asked for anything (the fallback, which only answers 404 or 405).
    Open,
}

/// Where a request names something.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Path,
    Query,
    Body,
}

/// The object of the caller's organization a route names (by id or slug), and where: another organization's is
/// answered 404, exactly like one that does not exist. The isolation matrix reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Object {
    pub place: Place,
    /// The path parameter, query parameter or body member that names it.
    pub name: &'static str,
}

/// A route's facts; its handler is bound in [`crate::endpoints`], so that a function's binary links only its own
/// handler, and its OpenAPI operation in [`crate::openapi`].
#[derive(Debug)]
pub struct Route {
    /// The Lambda function (and binary) that serves the route.
    pub function: &'static str,
    pub method: Method,
    /// API Gateway's path syntax: `/flows/{organization}`. The fallback's path is `$default`.
    pub path: &'static str,
    pub access: Access,
    /// The object the route names, if it names one (not a list or a create).
    pub object: Option<Object>,
    /// Where a public-key request names its end user, whose requests a public key's rate limit counts apart
    /// (Frigade's `userId`): the route only names the field, the pipeline does the rest.
    pub end_user: Option<Object>,
    /// The least role the key's user needs (keys act as a user); a member on an admin's route is answered 403.
    pub role: Role,
    /// Other paths the same route answers on (SuperOffice's client inserts `/api` in every path): the router and
    /// the template serve each; the OpenAPI document describes the route once, with a server per path prefix.
    pub aliases: &'static [&'static str],
}

macro_rules! routes {
    ($($name:ident = $function:literal, $method:ident, $path:literal, $access:ident
        $(, object = $place:ident($object:literal))? $(, user = $uplace:ident($user:literal))?
        $(, role = $role:ident)? $(, alias = $api:ident)?;)*) => {
        $(
            pub static $name: Route = Route {
                function: $function,
                method: Method::$method,
                path: $path,
                access: Access::$access,
                object: routes!(@object $($place($object))?),
                end_user: routes!(@object $($uplace($user))?),
                role: routes!(@role $($role)?),
                aliases: routes!(@aliases $path $($api)?),
            };
        )*
        /// Every route the system serves, besides the fallback.
        pub static ROUTES: &[&Route] = &[$(&$name),*];
    };
    (@object) => { None };
    (@aliases $path:literal) => { &[] };
    // SuperOffice's routes: the seed's path, and the client's with `/api` in front.
    (@aliases $path:literal api) => { &[concat!("/api", $path)] };
    (@role) => { Role::Member };
    (@role $role:ident) => { Role::$role };
    (@object $place:ident($object:literal)) => { Some(Object { place: Place::$place, name: $object }) };
}

routes! {
    ADMIN_CREATE_ORGANIZATION = "admin-create-organization", POST, "/admin/organizations", Admin;
    USERS_CREATE = "users-create", POST, "/v1/users", Secret, role = Admin;
    USERS_LIST = "users-list", GET, "/v1/users", Secret;
    USERS_GET = "users-get", GET, "/v1/users/{id}", Secret, object = Path("id");
    USERS_UPDATE = "users-update", PATCH, "/v1/users/{id}", Secret, object = Path("id"), role = Admin;
    USERS_DEACTIVATE = "users-deactivate", DELETE, "/v1/users/{id}", Secret, object = Path("id"), role = Admin;
    USERS_EVENTS = "users-events", GET, "/v1/users/{id}/events", Secret, object = Path("id"), role = Admin;
    API_KEYS_CREATE = "api-keys-create", POST, "/v1/api-keys", Secret;
    API_KEYS_LIST = "api-keys-list", GET, "/v1/api-keys", Secret;
    API_KEYS_REVOKE = "api-keys-revoke", DELETE, "/v1/api-keys/{keyId}", Secret, object = Path("keyId");
    ORGANIZATIONS_GET = "organizations-get", GET, "/organizations/{organization}", Secret,
        object = Path("organization");
    FLOWS_LIST = "flows-list", GET, "/flows", Secret;
    FLOWS_LIST_ALL = "flows-list-all", GET, "/flows/all", Secret;
    FLOWS_FIND = "flows-find", GET, "/flows/find", Secret, object = Query("id");
    FLOWS_GET = "flows-get", GET, "/flows/{organization}/{flow}", Secret, object = Path("flow");
    FLOWS_UPDATE = "flows-update", PUT, "/flows/{organization}/{flow}", Secret, object = Path("flow");
    FLOWS_USERS_LIST = "flows-users-list", GET, "/flows/{organization}/{flow}/users", Secret, object = Path("flow");
    FLOWS_USERS_ADD = "flows-users-add", POST, "/flows/{organization}/{flow}/users", Secret, object = Path("flow");
    FLOWS_USERS_UPDATE = "flows-users-update", PUT, "/flows/{organization}/{flow}/users/{id}", Secret,
        object = Path("flow");
    FLOWS_JOIN_URL_GET = "flows-join-url-get", GET, "/flows/{organization}/{flow}/join_url", Secret,
        object = Path("flow");
    INVITATIONS_ACCEPT = "invitations-accept", POST, "/invitations/{invitation}", Secret, object = Path("invitation");
    FLOWS_JOIN_URL_RENEW = "flows-join-url-renew", POST, "/flows/{organization}/{flow}/join_url", Secret,
        object = Path("flow");
    FLOWS_JOIN_URL_DELETE = "flows-join-url-delete", DELETE, "/flows/{organization}/{flow}/join_url", Secret,
        object = Path("flow");
    FLOWS_CREATE = "flows-create", POST, "/flows/{organization}", Secret, object = Path("organization");
    FLOWS_ASSIGN = "flows-assign", POST, "/v1/flows/assign", Secret, object = Body("flowId"), role = Admin;
    ASSIGNMENTS_GET =
        "assignments-get", GET, "/v1/assignments/{assignmentId}", Secret, object = Path("assignmentId");
    ASSIGNMENTS_LIST = "assignments-list", GET, "/v1/assignments", Secret;
    ASSIGNMENTS_CANCEL = "assignments-cancel", DELETE, "/v1/assignments/{assignmentId}", Secret,
        object = Path("assignmentId"), role = Admin;
    FLOWS_REPORT = "flows-report", POST, "/v1/flows/report", Secret, object = Body("flowId"), role = Admin;
    FLOW_CONTENT_GET = "flow-content-get", GET, "/v1/flows/{flowId}", Secret, object = Path("flowId");
    FLOW_CONTENT_UPDATE = "flow-content-update", PUT, "/v1/flows/{flowId}", Secret, object = Path("flowId");
    PUBLIC_FLOWS_LIST = "public-flows-list", GET, "/v1/public/flows", Public, user = Query("userId");
    PUBLIC_FLOW_STATES_GET = "public-flow-states-get", GET, "/v1/public/flowStates", Public, user = Query("userId");
    PUBLIC_FLOW_STATES_UPDATE = "public-flow-states-update", POST, "/v1/public/flowStates", Public,
        object = Body("flowSlug"), user = Body("userId");
    PUBLIC_SESSIONS = "public-sessions", POST, "/v1/public/sessions", Public, user = Body("userId");
    PUBLIC_PREFLIGHT = "public-preflight", OPTIONS, "/v1/public/{proxy+}", Open;
    CORS_GET = "cors-get", GET, "/v1/settings/cors", Secret, role = Admin;
    CORS_UPDATE = "cors-update", PUT, "/v1/settings/cors", Secret, role = Admin;
    USER_TOKENS_GET = "user-tokens-get", GET, "/v1/settings/user-tokens", Secret, role = Admin;
    USER_TOKENS_UPDATE = "user-tokens-update", PUT, "/v1/settings/user-tokens", Secret, role = Admin;
    USER_TOKENS_ROTATE_SECRET = "user-tokens-rotate-secret", POST, "/v1/settings/user-tokens/rotate-secret", Secret,
        role = Admin;
    USER_FLOW_STATES_RESET = "user-flow-states-reset", DELETE, "/v1/userFlowStates/{flowSlug}/{userId}", Secret,
        object = Path("flowSlug"), role = Admin;
    WEBHOOKS_CREATE = "webhooks-create", POST, "/v1/webhooks", Secret, role = Admin;
    WEBHOOKS_LIST = "webhooks-list", GET, "/v1/webhooks", Secret, role = Admin;
    WEBHOOKS_GET = "webhooks-get", GET, "/v1/webhooks/{webhookId}", Secret, object = Path("webhookId"), role = Admin;
    WEBHOOKS_UPDATE = "webhooks-update", PATCH, "/v1/webhooks/{webhookId}", Secret, object = Path("webhookId"),
        role = Admin;
    WEBHOOKS_DELETE = "webhooks-delete", DELETE, "/v1/webhooks/{webhookId}", Secret, object = Path("webhookId"),
        role = Admin;
    WEBHOOKS_ROTATE_SECRET = "webhooks-rotate-secret", POST, "/v1/webhooks/{webhookId}/rotate-secret", Secret,
        object = Path("webhookId"), role = Admin;
    WEBHOOKS_DELIVERIES = "webhooks-deliveries", GET, "/v1/webhooks/{webhookId}/deliveries", Secret,
        object = Path("webhookId"), role = Admin;
    WEBHOOKS_REPLAY = "webhooks-replay", POST, "/v1/webhooks/{webhookId}/deliveries/{deliveryId}/replay", Secret,
        object = Path("webhookId"), role = Admin;
    WORKFLOW_CREATE_DEFAULT_EMAIL_FLOW = "workflow-create-default-email-flow", POST,
        "/v1/Agents/Workflow/CreateDefaultEmailFlow", Secret, alias = api;
    WORKFLOW_SAVE_EMAIL_FLOW = "workflow-save-email-flow", POST,
        "/v1/Agents/Workflow/SaveEmailFlow", Secret, object = Body("EmailFlowId"), role = Admin, alias = api;
    WORKFLOW_GET_EMAIL_FLOW = "workflow-get-email-flow", POST,
        "/v1/Agents/Workflow/GetEmailFlow", Secret, object = Query("emailFlowId"), alias = api;
    WORKFLOW_COPY_EMAIL_FLOW = "workflow-copy-email-flow", POST,
        "/v1/Agents/Workflow/CopyEmailFlow", Secret, object = Body("emailFlowId"), role = Admin, alias = api;
    WORKFLOW_DELETE_EMAIL_FLOW = "workflow-delete-email-flow", POST,
        "/v1/Agents/Workflow/DeleteEmailFlow", Secret, object = Query("EmailFlowId"), role = Admin, alias = api;
    WORKFLOW_SET_STATUS_ON_WORKFLOW = "workflow-set-status-on-workflow", POST,
        "/v1/Agents/Workflow/SetStatusOnWorkflow", Secret, object = Body("emailFlowId"), role = Admin, alias = api;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_TRIGGER = "workflow-create-default-workflow-trigger", POST,
        "/v1/Agents/Workflow/CreateDefaultWorkflowTrigger", Secret, alias = api;
    WORKFLOW_SAVE_WORKFLOW_TRIGGER = "workflow-save-workflow-trigger", POST,
        "/v1/Agents/Workflow/SaveWorkflowTrigger", Secret, object = Body("WorkflowId"), role = Admin, alias = api;
    WORKFLOW_GET_WORKFLOW_TRIGGER = "workflow-get-workflow-trigger", POST,
        "/v1/Agents/Workflow/GetWorkflowTrigger", Secret, object = Query("workflowTriggerId"), alias = api;
    WORKFLOW_DELETE_WORKFLOW_TRIGGER = "workflow-delete-workflow-trigger", POST,
        "/v1/Agents/Workflow/DeleteWorkflowTrigger", Secret, object = Query("WorkflowTriggerId"), role = Admin, alias = api;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_GOAL = "workflow-create-default-workflow-goal", POST,
        "/v1/Agents/Workflow/CreateDefaultWorkflowGoal", Secret, alias = api;
    WORKFLOW_SAVE_WORKFLOW_GOAL = "workflow-save-workflow-goal", POST,
        "/v1/Agents/Workflow/SaveWorkflowGoal", Secret, object = Body("WorkflowId"), role = Admin, alias = api;
    WORKFLOW_GET_WORKFLOW_GOAL = "workflow-get-workflow-goal", POST,
        "/v1/Agents/Workflow/GetWorkflowGoal", Secret, object = Query("workflowGoalId"), alias = api;
    WORKFLOW_DELETE_WORKFLOW_GOAL = "workflow-delete-workflow-goal", POST,
        "/v1/Agents/Workflow/DeleteWorkflowGoal", Secret, object = Query("WorkflowGoalId"), role = Admin, alias = api;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_WAIT_FOR_ACTION = "workflow-create-default-workflow-wait-for-action", POST,
        "/v1/Agents/Workflow/CreateDefaultWorkflowWaitForAction", Secret, alias = api;
    WORKFLOW_SAVE_WORKFLOW_WAIT_FOR_ACTION = "workflow-save-workflow-wait-for-action", POST,
        "/v1/Agents/Workflow/SaveWorkflowWaitForAction", Secret, object = Body("WorkflowStepId"), role = Admin, alias = api;
    WORKFLOW_GET_WORKFLOW_WAIT_FOR_ACTION = "workflow-get-workflow-wait-for-action", POST,
        "/v1/Agents/Workflow/GetWorkflowWaitForAction", Secret, object = Query("workflowWaitForActionId"), alias = api;
    WORKFLOW_DELETE_WORKFLOW_WAIT_FOR_ACTION = "workflow-delete-workflow-wait-for-action", POST,
        "/v1/Agents/Workflow/DeleteWorkflowWaitForAction", Secret, object = Query("WorkflowWaitForActionId"), role = Admin, alias = api;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_FROM_TYPE = "workflow-create-default-workflow-step-from-type", POST,
        "/v1/Agents/Workflow/CreateDefaultWorkflowStepFromType", Secret, alias = api;
    WORKFLOW_GET_WORKFLOW_STEP = "workflow-get-workflow-step", POST,
        "/v1/Agents/Workflow/GetWorkflowStep", Secret, object = Body("workflowStepId"), alias = api;
    WORKFLOW_ADD_AFTER_WORKFLOW_STEP = "workflow-add-after-workflow-step", POST,
        "/v1/Agents/Workflow/AddAfterWorkflowStep", Secret, object = Body("workflowStepId"), role = Admin, alias = api;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_OPTION_FROM_TYPE = "workflow-create-default-workflow-step-option-from-type", POST,
        "/v1/Agents/Workflow/CreateDefaultWorkflowStepOptionFromType", Secret, alias = api;
    WORKFLOW_GET_WORKFLOW_STEP_OPTION = "workflow-get-workflow-step-option", POST,
        "/v1/Agents/Workflow/GetWorkflowStepOption", Secret, object = Body("workflowStepOptionId"), alias = api;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_FILTER = "workflow-create-default-workflow-filter", POST,
        "/v1/Agents/Workflow/CreateDefaultWorkflowFilter", Secret, alias = api;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_EVENT = "workflow-create-default-workflow-event", POST,
        "/v1/Agents/Workflow/CreateDefaultWorkflowEvent", Secret, alias = api;
    WORKFLOW_CREATE_DEFAULT_WORKFLOW_EVENT_RESULT = "workflow-create-default-workflow-event-result", POST,
        "/v1/Agents/Workflow/CreateDefaultWorkflowEventResult", Secret, alias = api;
    WORKFLOW_TRY_ADD_PERSONS_TO_EMAIL_FLOW = "workflow-try-add-persons-to-email-flow", POST,
        "/v1/Agents/Workflow/TryAddPersonsToEmailFlow", Secret, object = Body("emailFlowId"), role = Admin, alias = api;
    WORKFLOW_REMOVE_PARTICIPANTS_FROM_EMAIL_FLOW = "workflow-remove-participants-from-email-flow", POST,
        "/v1/Agents/Workflow/RemoveParticipantsFromEmailFlow", Secret, object = Body("emailFlowId"), role = Admin, alias = api;
    WORKFLOW_SEND_EVENT = "workflow-send-event", POST,
        "/v1/Agents/Workflow/SendEvent", Secret, role = Admin, alias = api;
    WORKFLOW_RUN = "workflow-run", POST,
        "/v1/Agents/Workflow/Run", Secret, role = Admin, alias = api;
    EMAIL_FLOW_PARTICIPANTS = "email-flow-participants", GET, "/v1/emailflows/{emailFlowId}/participants", Secret,
        object = Path("emailFlowId");
    WORKFLOW_UNSUPPORTED = "workflow-unsupported", POST,
        "/v1/Agents/Workflow/{method}", Secret, alias = api;
    OPENAPI = "openapi", GET, "/openapi.json", Open;
}

impl Route {
    /// The paths OpenAPI lists the route under: its own, or for a greedy path (`/v1/public/{proxy+}`, the
    /// preflights) the paths of the other routes under its prefix, each of which it serves.
    pub fn doc_paths(&self) -> Vec<String> {
        let Some(prefix) = self.path.strip_suffix("+}").and_then(|p| p.rsplit_once('{')).map(|(head, _)| head) else {
            return vec![self.path.to_owned()];
        };
        let under: std::collections::BTreeSet<&str> = ROUTES
            .iter()
            .filter(|r| !std::ptr::eq(**r, self) && r.path.starts_with(prefix) && !r.path.ends_with("+}"))
            .map(|r| r.path)
            .collect();
        under.into_iter().map(str::to_owned).collect()
    }

    /// Flowdock's routes (`/flows…`): their successful answers carry `Flowdock-User`, the id of the user the key acts
    /// as.
    pub fn is_flowdock(&self) -> bool {
        self.path == "/flows" || self.path.starts_with("/flows/")
    }
}

/// What SuperOffice's client puts in front of every path.
pub const API_PREFIX: &str = "/api";

/// Answers every request no route matches: 405 with `Allow` for a known path, else 404. API Gateway's
/// `$default` route sends such requests to this function, and so does an `ANY` route on each of its aliases: the
/// [`RESERVED_PATHS`], whose other methods would otherwise reach a route with a parameter in their place.
pub static FALLBACK: Route = Route {
    function: "not-found",
    method: Method::GET,
    path: "$default",
    access: Access::Open,
    object: None,
    end_user: None,
    role: Role::Member,
    aliases: RESERVED_PATHS,
};

/// MomoFlow's paths beside `/v1/flows/{flowId}`: only their own methods reach a function there; any other is a 405
/// naming those (`GET /v1/flows/assign` is not the flow `assign`, whose slug is reserved). The template routes
/// `ANY` on each to the fallback, which API Gateway prefers to the parameter's route as it matches the exact path.
pub const RESERVED_PATHS: &[&str] = &["/v1/flows/assign", "/v1/flows/report"];

/// Every route, the fallback included.
pub fn all() -> impl Iterator<Item = &'static Route> {
    ROUTES.iter().copied().chain(std::iter::once(&FALLBACK))
}

/// What the table says about a method and path.
pub enum Lookup {
    Found(&'static Route, Vec<(String, String)>),
    MethodNotAllowed(Vec<String>),
    NotFound,
}

/// A route's path as the router writes it: API Gateway's greedy `{name+}` is matchit's `{*name}`.
fn matchit_path(path: &str) -> String {
    match path.strip_suffix("+}").and_then(|p| p.rsplit_once('{')) {
        Some((head, name)) => format!("{head}{{*{name}}}"),
        None => path.to_owned(),
    }
}

/// One router per method, as API Gateway's HTTP API matches method and path together (static segments before
/// parameters). A path that some other method's router matches answers 405 with those methods in `Allow`.
struct Routers {
    by_method: Vec<(Method, matchit::Router<&'static Route>)>,
}

impl Routers {
    fn new(routes: &[&'static Route]) -> Self {
        let mut by_method: Vec<(Method, matchit::Router<&'static Route>)> = Vec::new();
        for &route in routes {
            let router = match by_method.iter_mut().find(|(m, _)| *m == route.method) {
                Some((_, router)) => router,
                None => {
                    by_method.push((route.method.clone(), matchit::Router::new()));
                    &mut by_method.last_mut().expect("just pushed").1
                }
            };
            for path in std::iter::once(route.path).chain(route.aliases.iter().copied()) {
                router.insert(matchit_path(path), route).expect("no two routes share a method and a path");
            }
        }
        Routers { by_method }
    }

    fn lookup(&self, method: &Method, path: &str) -> Lookup {
        // HEAD is served by the GET route of the path, as GET without a body.
        let wanted = if method == Method::HEAD { &Method::GET } else { method };
        // On a reserved path only a route of that very path answers; a parameter's route does not.
        let reserved = RESERVED_PATHS.contains(&path);
        if let Some((_, router)) = self.by_method.iter().find(|(m, _)| m == wanted) {
            if let Some(matched) = router.at(path).ok().filter(|m| !reserved || !m.value.path.contains('{')) {
                let params = matched.params.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
                return Lookup::Found(matched.value, params);
            }
        }
        // `Allow` names the methods of the most specific pattern the path matches: `/flows/all` is `GET /flows/all`'s
        // (POST reaches `/flows/{organization}` there, where `all` is a reserved slug no organization has).
        let matches: Vec<(&Method, usize)> = self
            .by_method
            .iter()
            .filter_map(|(m, router)| Some((m, router.at(path).ok()?.value.path.matches('{').count())))
            .collect();
        let fewest = matches.iter().map(|(_, params)| *params).min();
        let mut allow: Vec<String> = Vec::new();
        for (m, _) in matches.iter().filter(|(_, params)| Some(*params) == fewest) {
            allow.push(m.to_string());
            if *m == Method::GET {
                allow.push(Method::HEAD.to_string());
            }
        }
        if allow.is_empty() {
            Lookup::NotFound
        } else {
            Lookup::MethodNotAllowed(allow)
        }
    }
}

/// What the route table says about `method` and `path`.
pub fn lookup(method: &Method, path: &str) -> Lookup {
    static ROUTERS: OnceLock<Routers> = OnceLock::new();
    ROUTERS.get_or_init(|| Routers::new(ROUTES)).lookup(method, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn function_names_are_unique() {
        let mut names: Vec<&str> = all().map(|r| r.function).collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count);
    }

    #[test]
    fn method_and_path_match_together_with_static_segments_first() {
        // GIVEN a static GET path beside a parameter POST path, as API Gateway's HTTP API routes them
        let routers = Routers::new(&[&FLOWS_CREATE, &FLOWS_LIST_ALL]);

        // THEN each method finds its own route, and a path some route has answers 405 for other methods, naming the
        // methods of its most specific pattern
        let Lookup::Found(route, params) = routers.lookup(&Method::GET, "/flows/all") else { panic!("no GET") };
        assert_eq!((route.function, params.len()), ("flows-list-all", 0));
        let Lookup::Found(route, params) = routers.lookup(&Method::POST, "/flows/all") else { panic!("no POST") };
        assert_eq!(route.function, "flows-create");
        assert_eq!(params, vec![("organization".to_owned(), "all".to_owned())]);
        let Lookup::MethodNotAllowed(allow) = routers.lookup(&Method::GET, "/flows/acme") else { panic!("no 405") };
        assert_eq!(allow, ["POST"]);
        let Lookup::MethodNotAllowed(allow) = routers.lookup(&Method::PUT, "/flows/all") else { panic!("no 405") };
        assert_eq!(allow, ["GET", "HEAD"]);
        let Lookup::Found(route, _) = routers.lookup(&Method::HEAD, "/flows/all") else { panic!("no HEAD") };
        assert_eq!(route.function, "flows-list-all");
        assert!(matches!(routers.lookup(&Method::DELETE, "/flows/all/x"), Lookup::NotFound));
    }

    #[test]
    fn lookup_finds_routes_params_and_allowed_methods() {
        let Lookup::Found(route, params) = lookup(&Method::POST, "/flows/acme") else { panic!("no match") };
        assert_eq!(route.function, "flows-create");
        assert_eq!(params, vec![("organization".to_owned(), "acme".to_owned())]);
        let Lookup::MethodNotAllowed(allow) = lookup(&Method::PUT, "/v1/users") else { panic!("expected 405") };
        assert_eq!(allow, vec!["POST", "GET", "HEAD"]);
        assert!(matches!(lookup(&Method::GET, "/nope"), Lookup::NotFound));
    }

    #[test]
    fn momoflows_paths_answer_their_own_method_only() {
        // GIVEN MomoFlow's paths beside /v1/flows/{flowId}
        for path in RESERVED_PATHS {
            // THEN another method is a 405 naming POST, not a flow named after the path's last word
            for method in [Method::GET, Method::PUT, Method::HEAD, Method::DELETE] {
                let Lookup::MethodNotAllowed(allow) = lookup(&method, path) else { panic!("{method} {path}") };
                assert_eq!(allow, ["POST"], "{method} {path}");
            }
            let Lookup::Found(route, _) = lookup(&Method::POST, path) else { panic!("POST {path}") };
            assert_eq!(route.path, *path);
        }
        // AND a flow's own path still reaches its routes
        let Lookup::Found(route, params) = lookup(&Method::GET, "/v1/flows/assignments") else { panic!("GET") };
        assert_eq!((route.function, params[0].1.as_str()), ("flow-content-get", "assignments"));
    }
}
