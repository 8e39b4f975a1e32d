//! Mixed load from the route table: clients that each walk every route in turn, with real objects of one
//! organization, until a number of requests or a time is reached. The load test (a bounded count, zero 5xx) and
//! `make bench` (requests a second, p99) share it. A route this file has no request for panics here, so a new route
//! joins the mix the day it lands.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use flows_shared::routes::{self, Route};
use serde_json::{json, Value};

use crate::superoffice::{agent, email_flow_body, ids_of, EmailFlowIds};
use crate::{Org, TestServer, ADMIN_TOKEN};

/// When the clients stop.
#[derive(Clone, Copy, Debug)]
pub enum Until {
    /// After this many requests in all.
    Requests(usize),
    /// When this much time has passed (a request under way finishes).
    Elapsed(Duration),
}

/// What the clients saw.
#[derive(Debug, Default)]
pub struct LoadReport {
    pub elapsed: Duration,
    /// Every request's time, sorted.
    pub latencies: Vec<Duration>,
    /// Answers by route (its function's name) and status.
    pub statuses: BTreeMap<&'static str, BTreeMap<u16, usize>>,
    /// Each 5xx answer: route, status and body.
    pub server_errors: Vec<String>,
    /// Each success of a Flowdock route without `Flowdock-User`.
    pub without_flowdock_user: Vec<String>,
}

impl LoadReport {
    pub fn requests(&self) -> usize {
        self.latencies.len()
    }

    pub fn per_second(&self) -> f64 {
        self.requests() as f64 / self.elapsed.as_secs_f64()
    }

    /// The `p`th quantile (0 to 1) of the request times.
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((self.latencies.len() as f64 - 1.0) * p).round() as usize;
        self.latencies[rank.min(self.latencies.len() - 1)]
    }

    /// The routes that never answered with a success.
    pub fn routes_without_a_success(&self) -> Vec<&'static str> {
        routes::ROUTES
            .iter()
            .filter(|r| !self.statuses.get(r.function).is_some_and(|s| s.keys().any(|code| crate::served(r, *code))))
            .map(|r| r.function)
            .collect()
    }
}

/// The organization's objects the requests name.
struct Objects {
    org: Org,
    flow: String,
    assignment: String,
    webhook: String,
    delivery: String,
    /// The emails of the people assigns name.
    people: Vec<String>,
    /// The id of one of them, whom the member routes add, block and unblock.
    someone: u64,
    /// The invitation of a flow's join URL (`<token>-<slug>`) that stays valid.
    invitation: String,
    /// SuperOffice: an email flow the load reads and never deletes from.
    so: EmailFlowIds,
}

/// A client's own state: the endpoint and the key it created last, which its delete and its revocation remove (so
/// the endpoint cap cycles, and the key the load runs with is never revoked).
#[derive(Default)]
struct ClientState {
    created_hook: Option<String>,
    /// The assignment this client's assign made last, which its cancel cancels (so assigns keep succeeding).
    assigned: Option<String>,
    created_key: Option<String>,
    /// The person this client's create made last, whom its deactivation deactivates.
    created_person: Option<u64>,
    /// SuperOffice: the email flow this client's save created last (its parts are this client's to add and
    /// delete), and the copy its copy made last (which its delete deletes).
    saved_flow: Option<EmailFlowIds>,
    copied_flow: Option<u64>,
}

/// What a client saw of one request: its route's function, status, time, and the 5xx or the success without
/// `Flowdock-User` it was, if either.
type Seen = (&'static str, u16, Duration, Option<String>, Option<String>);

/// One request: path, the key (or admin token) and body.
type Request = (String, String, Option<Value>);

/// How many end users (Frigade's `userId`) the public routes' requests spread over.
const VISITORS: usize = 50;

/// An id of the right form that names nothing.
const NOBODY: &str = "0000000000000000";

/// `n` is a number unique to this request (names and emails are made from it).
fn request(route: &'static Route, o: &Objects, n: usize, client: &mut ClientState) -> Request {
    let m = |path: String, body: Option<Value>| -> Request { (path, o.org.secret.clone(), body) };
    let r = route;
    if std::ptr::eq(r, &routes::ADMIN_CREATE_ORGANIZATION) {
        let owner = json!({"email": format!("owner{n}@load.example.com"), "name": "Owner"});
        let body = json!({"name": format!("Load {n}"), "owner": owner});
        (r.path.to_owned(), ADMIN_TOKEN.to_owned(), Some(body))
    } else if std::ptr::eq(r, &routes::USERS_CREATE) {
        m(r.path.to_owned(), Some(json!({"email": format!("person{n}@load.example.com"), "name": "Load Person"})))
    } else if std::ptr::eq(r, &routes::FLOWS_LIST) || std::ptr::eq(r, &routes::FLOWS_LIST_ALL) {
        m(format!("{}?users={}", r.path, n % 2), None)
    } else if std::ptr::eq(r, &routes::FLOWS_FIND) {
        m(format!("/flows/find?id={}", o.flow), None)
    } else if std::ptr::eq(r, &routes::FLOWS_GET) {
        m(format!("/flows/{}/customer-onboarding", o.org.slug), None)
    } else if std::ptr::eq(r, &routes::FLOWS_USERS_LIST) {
        m(format!("/flows/{}/customer-onboarding/users", o.org.slug), None)
    } else if std::ptr::eq(r, &routes::FLOWS_USERS_ADD) {
        m(format!("/flows/{}/customer-onboarding/users", o.org.slug), Some(json!({"id": o.someone})))
    } else if std::ptr::eq(r, &routes::FLOWS_USERS_UPDATE) {
        let path = format!("/flows/{}/customer-onboarding/users/{}", o.org.slug, o.someone);
        m(path, Some(json!({"disabled": n.is_multiple_of(2)})))
    } else if std::ptr::eq(r, &routes::FLOWS_JOIN_URL_GET)
        || std::ptr::eq(r, &routes::FLOWS_JOIN_URL_RENEW)
        || std::ptr::eq(r, &routes::FLOWS_JOIN_URL_DELETE)
    {
        m(format!("/flows/{}/open/join_url", o.org.slug), None)
    } else if std::ptr::eq(r, &routes::INVITATIONS_ACCEPT) {
        m(format!("/invitations/{}", o.invitation), None)
    } else if std::ptr::eq(r, &routes::FLOWS_UPDATE) {
        m(format!("/flows/{}/customer-onboarding", o.org.slug), Some(json!({"open": n.is_multiple_of(2)})))
    } else if [&routes::USERS_LIST, &routes::API_KEYS_LIST, &routes::WEBHOOKS_LIST, &routes::OPENAPI]
        .iter()
        .any(|x| std::ptr::eq(r, *x))
    {
        m(r.path.to_owned(), None)
    } else if std::ptr::eq(r, &routes::API_KEYS_CREATE) {
        m(r.path.to_owned(), Some(json!({"kind": "public"})))
    } else if std::ptr::eq(r, &routes::API_KEYS_REVOKE) {
        let key = client.created_key.take().unwrap_or_else(|| format!("key_{NOBODY}"));
        m(format!("/v1/api-keys/{key}"), None)
    } else if std::ptr::eq(r, &routes::FLOWS_CREATE) {
        m(format!("/flows/{}", o.org.slug), Some(json!({"name": format!("Load flow {n}")})))
    } else if std::ptr::eq(r, &routes::FLOWS_ASSIGN) {
        let email = &o.people[n % o.people.len()];
        m(r.path.to_owned(), Some(json!({"flowId": o.flow, "userEmail": email, "dueDate": "2030-01-01"})))
    } else if std::ptr::eq(r, &routes::ASSIGNMENTS_GET) {
        m(format!("/v1/assignments/{}", o.assignment), None)
    } else if std::ptr::eq(r, &routes::ASSIGNMENTS_LIST) {
        m(format!("/v1/assignments?flowId={}&limit={}", o.flow, 1 + n % 20), None)
    } else if std::ptr::eq(r, &routes::ASSIGNMENTS_CANCEL) {
        // The assignment an assign made last, when this client made one; else one that does not exist.
        let id = client.assigned.take().unwrap_or_else(|| format!("asgn_{NOBODY}{NOBODY}"));
        m(format!("/v1/assignments/{id}"), None)
    } else if std::ptr::eq(r, &routes::FLOWS_REPORT) {
        m(r.path.to_owned(), Some(json!({"flowId": o.flow, "detailed": n.is_multiple_of(2)})))
    } else if std::ptr::eq(r, &routes::FLOW_CONTENT_GET) {
        m(format!("/v1/flows/{}", o.flow), None)
    } else if std::ptr::eq(r, &routes::FLOW_CONTENT_UPDATE) {
        m(format!("/v1/flows/{}", o.flow), Some(json!({"sequential": n.is_multiple_of(2)})))
    } else if std::ptr::eq(r, &routes::PUBLIC_FLOWS_LIST) || std::ptr::eq(r, &routes::PUBLIC_FLOW_STATES_GET) {
        (format!("{}?userId=visitor-{}", r.path, n % VISITORS), o.org.public.clone(), None)
    } else if std::ptr::eq(r, &routes::PUBLIC_FLOW_STATES_UPDATE) {
        // The first step, which no sequential setting blocks.
        let action = ["STARTED_STEP", "COMPLETED_STEP", "NOT_STARTED_STEP", "STARTED_FLOW"][n % 4];
        let body = json!({"userId": format!("visitor-{}", n % VISITORS), "flowSlug": "open", "stepId": "welcome",
            "actionType": action});
        (r.path.to_owned(), o.org.public.clone(), Some(body))
    } else if std::ptr::eq(r, &routes::PUBLIC_SESSIONS) {
        let body = json!({"userId": format!("visitor-{}", n % VISITORS), "userEvents": [{"event": "clicked"}]});
        (r.path.to_owned(), o.org.public.clone(), Some(body))
    } else if std::ptr::eq(r, &routes::USERS_UPDATE) {
        m(format!("/v1/users/{}", o.someone), Some(json!({"nick": format!("n{}", n % 7)})))
    } else if std::ptr::eq(r, &routes::USERS_EVENTS) || std::ptr::eq(r, &routes::USERS_GET) {
        m(r.path.replace("{id}", &o.someone.to_string()), None)
    } else if std::ptr::eq(r, &routes::USERS_DEACTIVATE) {
        // The person this client added last, when it added one; else one that does not exist.
        m(format!("/v1/users/{}", client.created_person.take().unwrap_or(u64::from(u32::MAX))), None)
    } else if std::ptr::eq(r, &routes::ORGANIZATIONS_GET) {
        m(format!("/organizations/{}", o.org.slug), None)
    } else if std::ptr::eq(r, &routes::PUBLIC_PREFLIGHT) {
        ("/v1/public/flowStates".to_owned(), o.org.public.clone(), None)
    } else if std::ptr::eq(r, &routes::CORS_GET) {
        m(r.path.to_owned(), None)
    } else if std::ptr::eq(r, &routes::CORS_UPDATE) {
        m(r.path.to_owned(), Some(json!({"allowedOrigins": []})))
    } else if std::ptr::eq(r, &routes::USER_TOKENS_GET) || std::ptr::eq(r, &routes::USER_TOKENS_ROTATE_SECRET) {
        m(r.path.to_owned(), None)
    } else if std::ptr::eq(r, &routes::USER_TOKENS_UPDATE) {
        m(r.path.to_owned(), Some(json!({"required": "never"})))
    } else if std::ptr::eq(r, &routes::USER_FLOW_STATES_RESET) {
        m(format!("/v1/userFlowStates/open/visitor-{}", n % VISITORS), None)
    } else if let Some((path, body)) = workflow_request(r, o, n, client) {
        m(path, body)
    } else if std::ptr::eq(r, &routes::WEBHOOKS_CREATE) {
        m(r.path.to_owned(), Some(json!({"url": format!("http://127.0.0.1:9/load/{n}")})))
    } else if std::ptr::eq(r, &routes::WEBHOOKS_GET) {
        m(format!("/v1/webhooks/{}", o.webhook), None)
    } else if std::ptr::eq(r, &routes::WEBHOOKS_DELETE) {
        let hook = client.created_hook.take().unwrap_or_else(|| format!("wh_{NOBODY}"));
        m(format!("/v1/webhooks/{hook}"), None)
    } else if std::ptr::eq(r, &routes::WEBHOOKS_UPDATE) {
        m(format!("/v1/webhooks/{}", o.webhook), Some(json!({"enabled": true})))
    } else if std::ptr::eq(r, &routes::WEBHOOKS_ROTATE_SECRET) {
        m(format!("/v1/webhooks/{}/rotate-secret", o.webhook), None)
    } else if std::ptr::eq(r, &routes::WEBHOOKS_DELIVERIES) {
        m(format!("/v1/webhooks/{}/deliveries", o.webhook), None)
    } else if std::ptr::eq(r, &routes::WEBHOOKS_REPLAY) {
        m(format!("/v1/webhooks/{}/deliveries/{}/replay", o.webhook, o.delivery), None)
    } else {
        panic!("no load request for {} {}: add one to tests/testkit/load.rs", r.method, r.path)
    }
}

/// A request to one of SuperOffice's workflow methods, as its client sends them: under `/api`, `null` for no body.
fn workflow_request(
    r: &'static Route,
    o: &Objects,
    n: usize,
    client: &mut ClientState,
) -> Option<(String, Option<Value>)> {
    let main = &o.so;
    let mine = client.saved_flow.clone().unwrap_or_default();
    let api = |method: &str, body: Value| (format!("/api{}", agent(method)), Some(body));
    let q = |method: &str, name: &str, id: u64| (format!("/api{}?{name}={id}", agent(method)), Some(Value::Null));
    let defaults = [
        &routes::WORKFLOW_CREATE_DEFAULT_EMAIL_FLOW,
        &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_TRIGGER,
        &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_GOAL,
        &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_WAIT_FOR_ACTION,
        &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_FILTER,
        &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_EVENT,
        &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_EVENT_RESULT,
    ];
    Some(if defaults.iter().any(|d| std::ptr::eq(r, *d)) {
        (format!("/api{}", r.path), Some(Value::Null))
    } else if std::ptr::eq(r, &routes::WORKFLOW_SAVE_EMAIL_FLOW) {
        api("SaveEmailFlow", email_flow_body(&format!("Load {n}")))
    } else if std::ptr::eq(r, &routes::WORKFLOW_GET_EMAIL_FLOW) {
        q("GetEmailFlow", "emailFlowId", main.flow)
    } else if std::ptr::eq(r, &routes::WORKFLOW_DELETE_EMAIL_FLOW) {
        q("DeleteEmailFlow", "EmailFlowId", client.copied_flow.take().unwrap_or(u64::from(u32::MAX)))
    } else if std::ptr::eq(r, &routes::WORKFLOW_COPY_EMAIL_FLOW) {
        api("CopyEmailFlow", json!({"emailFlowId": main.flow, "newName": format!("Copy {n}")}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_SET_STATUS_ON_WORKFLOW) {
        api("SetStatusOnWorkflow", json!({"emailFlowId": main.flow, "status": "Stopped"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_SAVE_WORKFLOW_TRIGGER) {
        api("SaveWorkflowTrigger", json!({"workflowId": mine.flow, "triggerType": "SaleSold"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_GET_WORKFLOW_TRIGGER) {
        q("GetWorkflowTrigger", "workflowTriggerId", main.trigger)
    } else if std::ptr::eq(r, &routes::WORKFLOW_DELETE_WORKFLOW_TRIGGER) {
        q("DeleteWorkflowTrigger", "WorkflowTriggerId", mine.spare_trigger)
    } else if std::ptr::eq(r, &routes::WORKFLOW_SAVE_WORKFLOW_GOAL) {
        api("SaveWorkflowGoal", json!({"workflowId": mine.flow, "goalType": "HadChat"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_GET_WORKFLOW_GOAL) {
        q("GetWorkflowGoal", "workflowGoalId", main.goal)
    } else if std::ptr::eq(r, &routes::WORKFLOW_DELETE_WORKFLOW_GOAL) {
        q("DeleteWorkflowGoal", "WorkflowGoalId", mine.spare_goal)
    } else if std::ptr::eq(r, &routes::WORKFLOW_SAVE_WORKFLOW_WAIT_FOR_ACTION) {
        api("SaveWorkflowWaitForAction", json!({"workflowStepId": mine.wait_step, "actionType": "LinkClicked"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_GET_WORKFLOW_WAIT_FOR_ACTION) {
        q("GetWorkflowWaitForAction", "workflowWaitForActionId", main.action)
    } else if std::ptr::eq(r, &routes::WORKFLOW_DELETE_WORKFLOW_WAIT_FOR_ACTION) {
        q("DeleteWorkflowWaitForAction", "WorkflowWaitForActionId", mine.spare_action)
    } else if std::ptr::eq(r, &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_FROM_TYPE) {
        api("CreateDefaultWorkflowStepFromType", json!({"stepType": "WaitForTime"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_GET_WORKFLOW_STEP) {
        api("GetWorkflowStep", json!({"workflowStepId": main.split_step}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_ADD_AFTER_WORKFLOW_STEP) {
        api("AddAfterWorkflowStep", json!({"workflowStepId": mine.wait_step, "subStep": {"stepType": "RunScript"}}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_OPTION_FROM_TYPE) {
        api("CreateDefaultWorkflowStepOptionFromType", json!({"optionType": "FormData"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_GET_WORKFLOW_STEP_OPTION) {
        api("GetWorkflowStepOption", json!({"workflowStepOptionId": main.option}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_TRY_ADD_PERSONS_TO_EMAIL_FLOW) {
        api("TryAddPersonsToEmailFlow", json!({"emailFlowId": main.flow, "personIds": [o.someone]}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_REMOVE_PARTICIPANTS_FROM_EMAIL_FLOW) {
        api("RemoveParticipantsFromEmailFlow", json!({"emailFlowId": main.flow, "workflowInstanceIds": [n]}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_SEND_EVENT) {
        api(
            "SendEvent",
            json!({"workflowEvent": {"eventType": "PersonUpdated", "attributes": format!("personId={}", o.someone)}}),
        )
    } else if std::ptr::eq(r, &routes::WORKFLOW_RUN) {
        (format!("/api{}", agent("Run")), None)
    } else if std::ptr::eq(r, &routes::EMAIL_FLOW_PARTICIPANTS) {
        (format!("/v1/emailflows/{}/participants", main.flow), None)
    } else if std::ptr::eq(r, &routes::WORKFLOW_UNSUPPORTED) {
        (format!("/api{}", agent("GetWorkflowFencingInfo")), None)
    } else {
        return None;
    })
}

/// Sets up one organization with a flow, `people` people, an assignment, an endpoint with a delivery in its log.
async fn objects(server: &TestServer, people: usize) -> Objects {
    let (org, flow) = server.ready_to_assign("Load").await;
    let people = server.add_people(org.id, people).await;
    // Open to the whole organization: the flow the public routes' visitors act on.
    let open = json!({"name": "Open", "access_mode": "organization", "steps": [{"id": "welcome", "title": "Welcome"}]});
    let open = server.post(&format!("/flows/{}", org.slug), &org.secret, open).await;
    assert_eq!(open.status, 201, "{:?}", open.body);
    // A second one, whose join URL the load never changes, for the invitation route.
    let joinable = json!({"name": "Joinable", "access_mode": "link"});
    let joinable = server.post(&format!("/flows/{}", org.slug), &org.secret, joinable).await;
    let join_url = joinable.body["join_url"].as_str().expect("a join URL");
    let invitation = join_url.rsplit('/').next().expect("an invitation").to_owned();
    let assigned = server
        .post("/v1/flows/assign", &org.secret, json!({"flowId": flow, "userEmail": "employee@company.com"}))
        .await;
    assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    let hook = server.post("/v1/webhooks", &org.secret, json!({"url": "http://127.0.0.1:9/hooks"})).await;
    assert_eq!(hook.status, 201, "{:?}", hook.body);
    let webhook = hook.body["id"].as_str().expect("an id").to_owned();
    let delivery = server.add_delivery(org.id, &webhook).await;
    let users = server.get("/v1/users", &org.secret).await;
    let someone = users.body["items"].as_array().expect("users").iter().find(|u| u["email"] == people[0].as_str());
    let someone = someone.and_then(|u| u["id"].as_u64()).expect("the first person's id");
    let so = server.email_flow(&org.secret, "Load").await;
    Objects {
        so,
        someone,
        invitation,
        assignment: assigned.body["assignmentId"].as_str().expect("an id").to_owned(),
        org,
        flow,
        webhook,
        delivery,
        people,
    }
}

/// Runs `clients` clients against `server` until `until`; each walks the route table from its own starting point.
pub async fn mixed(server: Arc<TestServer>, clients: usize, until: Until) -> LoadReport {
    let objects = Arc::new(objects(&server, 200).await);
    let sent = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..clients {
        let (server, objects, sent) = (server.clone(), objects.clone(), sent.clone());
        tasks.spawn(async move {
            let mut state = ClientState::default();
            let mut seen: Vec<Seen> = Vec::new();
            for k in c.. {
                let n = sent.fetch_add(1, Ordering::SeqCst);
                let stop = match until {
                    Until::Requests(total) => n >= total,
                    Until::Elapsed(limit) => started.elapsed() >= limit,
                };
                if stop {
                    break;
                }
                let route = routes::ROUTES[k % routes::ROUTES.len()];
                let method = route.method.as_str();
                let (path, key, body) = request(route, &objects, n, &mut state);
                let at = Instant::now();
                let reply = server.send(method, &path, Some(&key), body.as_ref(), &[]).await;
                let took = at.elapsed();
                let status = reply.status.as_u16();
                let created = reply.body["id"].as_str().map(str::to_owned);
                if std::ptr::eq(route, &routes::WEBHOOKS_CREATE) && status == 201 {
                    state.created_hook = created;
                } else if std::ptr::eq(route, &routes::API_KEYS_CREATE) && status == 201 {
                    state.created_key = created;
                } else if std::ptr::eq(route, &routes::USERS_CREATE) && status == 201 {
                    state.created_person = reply.body["id"].as_u64();
                } else if std::ptr::eq(route, &routes::FLOWS_ASSIGN) && status == 200 {
                    state.assigned = reply.body["assignmentId"].as_str().map(str::to_owned);
                } else if std::ptr::eq(route, &routes::WORKFLOW_SAVE_EMAIL_FLOW) && status == 200 {
                    state.saved_flow = Some(ids_of(&reply.body));
                } else if std::ptr::eq(route, &routes::WORKFLOW_COPY_EMAIL_FLOW) && status == 200 {
                    state.copied_flow = reply.body.as_u64();
                }
                let error = (status >= 500 && !crate::served(route, status))
                    .then(|| format!("{method} {path}: {status} {}", reply.body));
                let unnamed =
                    route.is_flowdock() && reply.status.is_success() && reply.header("flowdock-user").is_none();
                seen.push((route.function, status, took, error, unnamed.then(|| format!("{method} {path}"))));
            }
            seen
        });
    }
    let mut report = LoadReport::default();
    while let Some(seen) = tasks.join_next().await {
        for (function, status, took, error, unnamed) in seen.expect("a client") {
            *report.statuses.entry(function).or_default().entry(status).or_default() += 1;
            report.latencies.push(took);
            report.server_errors.extend(error);
            report.without_flowdock_user.extend(unnamed);
        }
    }
    report.elapsed = started.elapsed();
    report.latencies.sort();
    report
}
