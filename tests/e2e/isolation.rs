//! The tenant-isolation matrix, from the route table: every route called as every kind of caller (no key, a
//! malformed key, a revoked key, a public key, another organization's secret and public keys, and, where the route
//! names an object, the owner's key with another organization's object), with the answers each must give by the
//! route's access kind. A route without a fixture here fails the test, so a new route cannot slip past.

use flows_shared::model::Role;
use flows_shared::routes::{self, Access, Route};
use flows_testkit::superoffice::{agent, EmailFlowIds};
use flows_testkit::{Backend, Org, Reply, TestServer};
use serde_json::{json, Value};

crate::on_both_backends!(every_route_keeps_each_organization_to_itself,);

/// One organization's objects, the ones routes name.
struct Side {
    org: Org,
    /// A secret key acting as a member (not an admin) of the organization, and that member's id.
    member_key: String,
    member_id: u64,
    /// The id of the user Frigade knows as [`FRIGADE_USER`].
    frigade_id: u64,
    /// The invitation of the flow's join URL (`<token>-<slug>`): the flow is made joinable by link for it.
    invitation: String,
    revoked_key: String,
    key_to_revoke: String,
    flow: String,
    email: String,
    assignment: String,
    webhook: String,
    delivery: String,
    /// SuperOffice: an email flow with one of everything, and one to save over and delete (their ids differ from
    /// the other organization's: ids are the organization's own integers).
    so: EmailFlowIds,
    spare_email_flow: u64,
    /// A person the matrix deactivates (`DELETE /v1/users/{id}`), whom nothing else uses.
    leaver_id: u64,
}

/// Everything the requests below refer to, for the owner and for another organization.
struct World {
    owner: Side,
    other: Side,
}

async fn side(server: &TestServer, name: &str, skip_email_flows: usize) -> Side {
    let (org, flow) = server.ready_to_assign(name).await;
    server.skip_email_flow_ids(&org.secret, skip_email_flows).await;
    let so = server.email_flow(&org.secret, "Welcome").await;
    let spare_email_flow = server.email_flow(&org.secret, "Spare").await.flow;
    let email = "employee@company.com".to_owned();
    let assigned = server.post("/v1/flows/assign", &org.secret, json!({"flowId": flow, "userEmail": email})).await;
    assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    let key = |reply: Reply| reply.body["id"].as_str().expect("an id").to_owned();
    let revoked = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret"})).await;
    let revoked_key = revoked.body["key"].as_str().expect("a key").to_owned();
    let revoked_id = key(revoked);
    let gone = server.send("DELETE", &format!("/v1/api-keys/{revoked_id}"), Some(&org.secret), None, &[]).await;
    assert_eq!(gone.status, 200);
    let key_to_revoke = key(server.post("/v1/api-keys", &org.secret, json!({"kind": "public"})).await);
    let member = json!({"email": "member@company.com", "name": "Mo Member", "role": "member"});
    let member = server.post("/v1/users", &org.secret, member).await;
    assert_eq!(member.status, 201, "{:?}", member.body);
    let member_id = member.body["id"].as_u64().expect("an id");
    let link = json!({"access_mode": "link"});
    let path = format!("/flows/{}/customer-onboarding", org.slug);
    let linked = server.send("PUT", &path, Some(&org.secret), Some(&link), &[]).await;
    assert_eq!(linked.status, 200, "{:?}", linked.body);
    let join_url = linked.body["join_url"].as_str().expect("a join URL");
    let invitation = join_url.rsplit('/').next().expect("an invitation").to_owned();
    let member_key = json!({"kind": "secret", "userId": member_id});
    let member_key = server.post("/v1/api-keys", &org.secret, member_key).await;
    assert_eq!(member_key.status, 201, "{:?}", member_key.body);
    let member_key = member_key.body["key"].as_str().expect("a key").to_owned();
    let hook = server.post("/v1/webhooks", &org.secret, json!({"url": "http://127.0.0.1:9/hooks"})).await;
    let webhook = key(hook);
    // A Frigade user, a member of the (now link-mode) flow, with a state in it.
    let frigade = json!({"email": "frigade@company.com", "name": "Fri Gade", "externalId": FRIGADE_USER});
    let frigade = server.post("/v1/users", &org.secret, frigade).await;
    assert_eq!(frigade.status, 201, "{:?}", frigade.body);
    let members = format!("/flows/{}/customer-onboarding/users", org.slug);
    let added = server.post(&members, &org.secret, json!({"id": frigade.body["id"]})).await;
    assert_eq!(added.status, 201, "{:?}", added.body);
    let started = json!({"userId": FRIGADE_USER, "flowSlug": flow, "stepId": "welcome", "actionType": "STARTED_STEP"});
    let started = server.post("/v1/public/flowStates", &org.public, started).await;
    assert_eq!(started.status, 200, "{:?}", started.body);
    let leaver = json!({"email": "leaver@company.com", "name": "Lee Leaver"});
    let leaver = server.post("/v1/users", &org.secret, leaver).await;
    assert_eq!(leaver.status, 201, "{:?}", leaver.body);
    // A delivery in the endpoint's log, written straight through the store.
    let delivery = server.add_delivery(org.id, &webhook).await;
    Side {
        assignment: assigned.body["assignmentId"].as_str().expect("an id").to_owned(),
        org,
        member_key,
        member_id,
        frigade_id: frigade.body["id"].as_u64().expect("an id"),
        invitation,
        revoked_key,
        key_to_revoke,
        flow,
        email,
        webhook,
        delivery,
        so,
        spare_email_flow,
        leaver_id: leaver.body["id"].as_u64().expect("an id"),
    }
}

/// The Frigade `userId` of a user each organization has (its flow-state routes name them).
const FRIGADE_USER: &str = "frigade-user-1";

/// A request to a route, naming `side`'s objects: method, path and body.
fn request(route: &Route, side: &Side) -> Option<(String, Option<Value>)> {
    let r = route;
    let (path, body) = if std::ptr::eq(r, &routes::ADMIN_CREATE_ORGANIZATION) {
        (r.path.to_owned(), Some(json!({"name": "Matrix", "owner": {"email": "m@example.com", "name": "M"}})))
    } else if std::ptr::eq(r, &routes::USERS_CREATE) {
        (r.path.to_owned(), Some(json!({"email": "new.person@example.com", "name": "New Person"})))
    } else if std::ptr::eq(r, &routes::USERS_LIST)
        || std::ptr::eq(r, &routes::API_KEYS_LIST)
        || std::ptr::eq(r, &routes::WEBHOOKS_LIST)
        || std::ptr::eq(r, &routes::FLOWS_LIST)
        || std::ptr::eq(r, &routes::FLOWS_LIST_ALL)
        || std::ptr::eq(r, &routes::OPENAPI)
    {
        (r.path.to_owned(), None)
    } else if std::ptr::eq(r, &routes::API_KEYS_CREATE) {
        (r.path.to_owned(), Some(json!({"kind": "secret"})))
    } else if std::ptr::eq(r, &routes::API_KEYS_REVOKE) {
        (format!("/v1/api-keys/{}", side.key_to_revoke), None)
    } else if std::ptr::eq(r, &routes::FLOWS_CREATE) {
        (format!("/flows/{}", side.org.slug), Some(json!({"name": "Another flow"})))
    } else if std::ptr::eq(r, &routes::FLOWS_FIND) {
        (format!("/flows/find?id={}", side.flow), None)
    } else if std::ptr::eq(r, &routes::FLOWS_GET) {
        // `ready_to_assign`'s flow, "Customer Onboarding".
        (format!("/flows/{}/customer-onboarding", side.org.slug), None)
    } else if std::ptr::eq(r, &routes::FLOWS_UPDATE) {
        (format!("/flows/{}/customer-onboarding", side.org.slug), Some(json!({"name": "Customer Onboarding 2"})))
    } else if std::ptr::eq(r, &routes::FLOWS_USERS_LIST) {
        (format!("/flows/{}/customer-onboarding/users", side.org.slug), None)
    } else if std::ptr::eq(r, &routes::FLOWS_USERS_ADD) {
        (format!("/flows/{}/customer-onboarding/users", side.org.slug), Some(json!({"id": side.member_id})))
    } else if std::ptr::eq(r, &routes::FLOWS_USERS_UPDATE) {
        let path = format!("/flows/{}/customer-onboarding/users/{}", side.org.slug, side.member_id);
        (path, Some(json!({"disabled": false})))
    } else if std::ptr::eq(r, &routes::FLOWS_JOIN_URL_GET)
        || std::ptr::eq(r, &routes::FLOWS_JOIN_URL_RENEW)
        || std::ptr::eq(r, &routes::FLOWS_JOIN_URL_DELETE)
    {
        (format!("/flows/{}/customer-onboarding/join_url", side.org.slug), None)
    } else if std::ptr::eq(r, &routes::INVITATIONS_ACCEPT) {
        (format!("/invitations/{}", side.invitation), None)
    } else if std::ptr::eq(r, &routes::FLOWS_ASSIGN) {
        (r.path.to_owned(), Some(json!({"flowId": side.flow, "userEmail": side.email})))
    } else if std::ptr::eq(r, &routes::ASSIGNMENTS_GET) {
        (format!("/v1/assignments/{}", side.assignment), None)
    } else if std::ptr::eq(r, &routes::ASSIGNMENTS_LIST) {
        (r.path.to_owned(), None)
    } else if std::ptr::eq(r, &routes::ASSIGNMENTS_CANCEL) {
        (format!("/v1/assignments/{}", side.assignment), None)
    } else if std::ptr::eq(r, &routes::FLOWS_REPORT) {
        (r.path.to_owned(), Some(json!({"flowId": side.flow, "detailed": true})))
    } else if std::ptr::eq(r, &routes::FLOW_CONTENT_GET) {
        (format!("/v1/flows/{}", side.flow), None)
    } else if std::ptr::eq(r, &routes::FLOW_CONTENT_UPDATE) {
        (format!("/v1/flows/{}", side.flow), Some(json!({"name": "Customer Onboarding 3"})))
    } else if std::ptr::eq(r, &routes::PUBLIC_FLOWS_LIST) || std::ptr::eq(r, &routes::PUBLIC_FLOW_STATES_GET) {
        (format!("{}?userId={FRIGADE_USER}", r.path), None)
    } else if std::ptr::eq(r, &routes::PUBLIC_FLOW_STATES_UPDATE) {
        // The flow by its id: both organizations have a `customer-onboarding`.
        let body = json!({"userId": FRIGADE_USER, "flowSlug": side.flow, "stepId": "welcome",
            "actionType": "STARTED_STEP"});
        (r.path.to_owned(), Some(body))
    } else if std::ptr::eq(r, &routes::PUBLIC_SESSIONS) {
        let body =
            json!({"userId": FRIGADE_USER, "userProperties": {"plan": "pro"}, "userEvents": [{"event": "clicked"}]});
        (r.path.to_owned(), Some(body))
    } else if std::ptr::eq(r, &routes::USERS_UPDATE) {
        (format!("/v1/users/{}", side.frigade_id), Some(json!({"nick": "Fri"})))
    } else if std::ptr::eq(r, &routes::USERS_GET) {
        (format!("/v1/users/{}", side.frigade_id), None)
    } else if std::ptr::eq(r, &routes::USERS_DEACTIVATE) {
        (format!("/v1/users/{}", side.leaver_id), None)
    } else if std::ptr::eq(r, &routes::ORGANIZATIONS_GET) {
        (format!("/organizations/{}", side.org.slug), None)
    } else if std::ptr::eq(r, &routes::USERS_EVENTS) {
        (format!("/v1/users/{}/events", side.frigade_id), None)
    } else if std::ptr::eq(r, &routes::PUBLIC_PREFLIGHT) {
        ("/v1/public/flowStates".to_owned(), None)
    } else if std::ptr::eq(r, &routes::CORS_GET) {
        (r.path.to_owned(), None)
    } else if std::ptr::eq(r, &routes::CORS_UPDATE) {
        (r.path.to_owned(), Some(json!({"allowedOrigins": []})))
    } else if std::ptr::eq(r, &routes::USER_TOKENS_GET) || std::ptr::eq(r, &routes::USER_TOKENS_ROTATE_SECRET) {
        (r.path.to_owned(), None)
    } else if std::ptr::eq(r, &routes::USER_TOKENS_UPDATE) {
        (r.path.to_owned(), Some(json!({"required": "never"})))
    } else if std::ptr::eq(r, &routes::USER_FLOW_STATES_RESET) {
        (format!("/v1/userFlowStates/{}/{FRIGADE_USER}", side.flow), None)
    } else if let Some(request) = workflow_request(r, side) {
        request
    } else if std::ptr::eq(r, &routes::WEBHOOKS_CREATE) {
        (r.path.to_owned(), Some(json!({"url": "http://127.0.0.1:9/more"})))
    } else if std::ptr::eq(r, &routes::WEBHOOKS_GET) || std::ptr::eq(r, &routes::WEBHOOKS_DELETE) {
        (format!("/v1/webhooks/{}", side.webhook), None)
    } else if std::ptr::eq(r, &routes::WEBHOOKS_UPDATE) {
        (format!("/v1/webhooks/{}", side.webhook), Some(json!({"enabled": true})))
    } else if std::ptr::eq(r, &routes::WEBHOOKS_ROTATE_SECRET) {
        (format!("/v1/webhooks/{}/rotate-secret", side.webhook), None)
    } else if std::ptr::eq(r, &routes::WEBHOOKS_DELIVERIES) {
        (format!("/v1/webhooks/{}/deliveries", side.webhook), None)
    } else if std::ptr::eq(r, &routes::WEBHOOKS_REPLAY) {
        (format!("/v1/webhooks/{}/deliveries/{}/replay", side.webhook, side.delivery), None)
    } else {
        return None;
    };
    Some((path, body))
}

/// A request to one of SuperOffice's workflow methods, naming `side`'s objects.
fn workflow_request(r: &Route, side: &Side) -> Option<(String, Option<Value>)> {
    let so = &side.so;
    let q = |method: &str, name: &str, id: u64| (format!("{}?{name}={id}", agent(method)), None);
    let b = |method: &str, body: Value| (agent(method), Some(body));
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
        (r.path.to_owned(), None)
    } else if std::ptr::eq(r, &routes::WORKFLOW_SAVE_EMAIL_FLOW) {
        b("SaveEmailFlow", json!({"EmailFlowId": side.spare_email_flow, "Name": "Renamed"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_GET_EMAIL_FLOW) {
        q("GetEmailFlow", "emailFlowId", so.flow)
    } else if std::ptr::eq(r, &routes::WORKFLOW_DELETE_EMAIL_FLOW) {
        q("DeleteEmailFlow", "EmailFlowId", side.spare_email_flow)
    } else if std::ptr::eq(r, &routes::WORKFLOW_COPY_EMAIL_FLOW) {
        b("CopyEmailFlow", json!({"emailFlowId": so.flow, "newName": "Copy"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_SET_STATUS_ON_WORKFLOW) {
        b("SetStatusOnWorkflow", json!({"emailFlowId": so.flow, "status": "Paused"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_SAVE_WORKFLOW_TRIGGER) {
        b("SaveWorkflowTrigger", json!({"WorkflowId": so.flow, "TriggerType": "SaleSold"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_GET_WORKFLOW_TRIGGER) {
        q("GetWorkflowTrigger", "workflowTriggerId", so.trigger)
    } else if std::ptr::eq(r, &routes::WORKFLOW_DELETE_WORKFLOW_TRIGGER) {
        q("DeleteWorkflowTrigger", "WorkflowTriggerId", so.spare_trigger)
    } else if std::ptr::eq(r, &routes::WORKFLOW_SAVE_WORKFLOW_GOAL) {
        b("SaveWorkflowGoal", json!({"WorkflowId": so.flow, "GoalType": "HadChat"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_GET_WORKFLOW_GOAL) {
        q("GetWorkflowGoal", "workflowGoalId", so.goal)
    } else if std::ptr::eq(r, &routes::WORKFLOW_DELETE_WORKFLOW_GOAL) {
        q("DeleteWorkflowGoal", "WorkflowGoalId", so.spare_goal)
    } else if std::ptr::eq(r, &routes::WORKFLOW_SAVE_WORKFLOW_WAIT_FOR_ACTION) {
        b("SaveWorkflowWaitForAction", json!({"WorkflowStepId": so.wait_step, "ActionType": "LinkClicked"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_GET_WORKFLOW_WAIT_FOR_ACTION) {
        q("GetWorkflowWaitForAction", "workflowWaitForActionId", so.action)
    } else if std::ptr::eq(r, &routes::WORKFLOW_DELETE_WORKFLOW_WAIT_FOR_ACTION) {
        q("DeleteWorkflowWaitForAction", "WorkflowWaitForActionId", so.spare_action)
    } else if std::ptr::eq(r, &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_FROM_TYPE) {
        b("CreateDefaultWorkflowStepFromType", json!({"stepType": "SendEmail"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_GET_WORKFLOW_STEP) {
        b("GetWorkflowStep", json!({"workflowStepId": so.split_step}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_ADD_AFTER_WORKFLOW_STEP) {
        b("AddAfterWorkflowStep", json!({"workflowStepId": so.wait_step, "subStep": {"StepType": "RunScript"}}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_CREATE_DEFAULT_WORKFLOW_STEP_OPTION_FROM_TYPE) {
        b("CreateDefaultWorkflowStepOptionFromType", json!({"optionType": "LinkClicked"}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_GET_WORKFLOW_STEP_OPTION) {
        b("GetWorkflowStepOption", json!({"workflowStepOptionId": so.option}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_TRY_ADD_PERSONS_TO_EMAIL_FLOW) {
        b("TryAddPersonsToEmailFlow", json!({"emailFlowId": so.flow, "personIds": [side.member_id]}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_REMOVE_PARTICIPANTS_FROM_EMAIL_FLOW) {
        b("RemoveParticipantsFromEmailFlow", json!({"emailFlowId": so.flow, "workflowInstanceIds": [1]}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_SEND_EVENT) {
        b("SendEvent", json!({"workflowEvent": {"eventType": "Run", "attributes": ""}}))
    } else if std::ptr::eq(r, &routes::WORKFLOW_RUN) {
        (agent("Run"), None)
    } else if std::ptr::eq(r, &routes::EMAIL_FLOW_PARTICIPANTS) {
        (format!("/v1/emailflows/{}/participants", so.flow), None)
    } else if std::ptr::eq(r, &routes::WORKFLOW_UNSUPPORTED) {
        (agent("UpdateFormSubmissions"), Some(json!({"maxCount": 10})))
    } else {
        return None;
    })
}

/// Who calls.
#[derive(Clone, Copy, Debug)]
enum Caller {
    NoKey,
    Malformed,
    Revoked,
    OwnersPublicKey,
    OthersSecretKey,
    OthersPublicKey,
    /// The owner's secret key, naming the other organization's object.
    OwnerWithOthersObject,
    /// As HTTP Basic's user name (Flowdock's client): the revoked key, another organization's secret key.
    RevokedAsBasic,
    OthersSecretKeyAsBasic,
    /// A secret key of the owner's organization acting as a member, not an admin.
    MembersKey,
}

const CALLERS: [Caller; 10] = [
    Caller::NoKey,
    Caller::Malformed,
    Caller::Revoked,
    Caller::OwnersPublicKey,
    Caller::OthersSecretKey,
    Caller::OthersPublicKey,
    Caller::OwnerWithOthersObject,
    Caller::RevokedAsBasic,
    Caller::OthersSecretKeyAsBasic,
    Caller::MembersKey,
];

/// `Authorization: Basic base64("<key>:undefined")`, as Flowdock's client sends a key.
fn basic(key: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{key}:undefined")))
}

/// Every id and email of `side`, none of which may reach another organization.
fn secrets_of(side: &Side) -> Vec<&str> {
    let token = side.invitation.split('-').next().unwrap_or_default();
    vec![&side.flow, &side.assignment, &side.webhook, &side.delivery, &side.key_to_revoke, &side.org.slug, token]
}

async fn every_route_keeps_each_organization_to_itself(backend: Backend) {
    // GIVEN two organizations with every kind of object, and the admin token kept from none of the calls below
    let server = TestServer::start(backend).await;
    let world =
        World { owner: side(&server, "Alpha Owners Ltd", 1).await, other: side(&server, "Zeta Others Inc", 10).await };
    let mut missing = Vec::new();

    for route in routes::ROUTES {
        let Some((path, body)) = request(route, &world.owner) else {
            missing.push(route.function);
            continue;
        };
        for (n, caller) in CALLERS.into_iter().enumerate() {
            // A person each caller adds is a new one (emails are unique in an organization).
            let body = body.clone().map(|mut body| {
                if let Some(email) = body.get("email").and_then(Value::as_str) {
                    body["email"] = json!(format!("caller{n}.{email}"));
                }
                body
            });
            // WHEN the route is called by this caller
            let (key, path, body) = match caller {
                Caller::NoKey => (None, path.clone(), body.clone()),
                Caller::Malformed => (Some("nonsense".to_owned()), path.clone(), body.clone()),
                Caller::Revoked => (Some(world.owner.revoked_key.clone()), path.clone(), body.clone()),
                Caller::OwnersPublicKey => (Some(world.owner.org.public.clone()), path.clone(), body.clone()),
                Caller::OthersSecretKey => (Some(world.other.org.secret.clone()), path.clone(), body.clone()),
                Caller::OthersPublicKey => (Some(world.other.org.public.clone()), path.clone(), body.clone()),
                Caller::OwnerWithOthersObject => {
                    if route.object.is_none() {
                        continue;
                    }
                    let (others_path, others_body) = request(route, &world.other).expect("the same fixture");
                    (Some(world.owner.org.secret.clone()), others_path, others_body)
                }
                Caller::RevokedAsBasic => (Some(basic(&world.owner.revoked_key)), path.clone(), body.clone()),
                Caller::OthersSecretKeyAsBasic => (Some(basic(&world.other.org.secret)), path.clone(), body.clone()),
                Caller::MembersKey => (Some(world.owner.member_key.clone()), path.clone(), body.clone()),
            };
            let reply = match key {
                Some(header) if header.starts_with("Basic ") => {
                    let auth = [("authorization", header.as_str())];
                    server.send(route.method.as_str(), &path, None, body.as_ref(), &auth).await
                }
                key => server.send(route.method.as_str(), &path, key.as_deref(), body.as_ref(), &[]).await,
            };

            // THEN it gets what its access kind says, and never another organization's data
            let status = reply.status.as_u16();
            let context = format!("{} {path} as {caller:?}: {status} {:?}", route.method, reply.body);
            match (route.access, caller) {
                (Access::Open, _) => assert!(flows_testkit::served(route, status), "{context}"),
                (Access::Admin, _) => assert_eq!(status, 401, "{context}"),
                (_, Caller::NoKey | Caller::Malformed | Caller::Revoked | Caller::RevokedAsBasic) => {
                    assert_eq!(status, 401, "{context}")
                }
                (Access::Secret, Caller::OwnersPublicKey | Caller::OthersPublicKey) => {
                    assert_eq!(status, 403, "{context}")
                }
                (_, Caller::OwnerWithOthersObject) => assert_eq!(status, 404, "{context}"),
                // A public route for the organization's own public key: its own data.
                (Access::Public, Caller::OwnersPublicKey) => assert!(flows_testkit::served(route, status), "{context}"),
                (_, Caller::MembersKey) if route.role == Role::Admin => assert_eq!(status, 403, "{context}"),
                // A member's route works for a member, except on an object that is not the member's (the owner's
                // assignment, the owner's key, a flow they are not in), which is answered as missing, or a change
                // that is the object's owner's to make (a flow's join URL), which is a 403.
                (_, Caller::MembersKey) if route.object.is_some() => {
                    assert!(flows_testkit::served(route, status) || status == 404 || status == 403, "{context}")
                }
                (_, Caller::MembersKey) => assert!(flows_testkit::served(route, status), "{context}"),
                (_, Caller::OthersSecretKey | Caller::OthersPublicKey | Caller::OthersSecretKeyAsBasic)
                    if route.object.is_some() =>
                {
                    assert_eq!(status, 404, "{context}")
                }
                (_, _) => {
                    // A list or a create by another organization works, on its own data only.
                    assert!(flows_testkit::served(route, status), "{context}");
                    let text = reply.body.to_string();
                    for secret in secrets_of(&world.owner) {
                        assert!(!text.contains(secret), "{context} shows the owner's {secret}");
                    }
                }
            }
            if route.access != Access::Open && status >= 400 {
                // An error may echo what the caller sent (the seed's "Flow with ID '…' does not exist"), nothing more.
                let (text, sent) = (reply.body.to_string(), format!("{path} {body:?}"));
                for secret in secrets_of(&world.owner).into_iter().chain(secrets_of(&world.other)) {
                    assert!(!text.contains(secret) || sent.contains(secret), "{context} shows {secret}");
                }
            }
        }
    }
    assert!(missing.is_empty(), "routes without a fixture in the isolation matrix: {missing:?}");
}
