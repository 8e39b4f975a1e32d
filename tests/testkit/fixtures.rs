//! Fixtures: organizations set up through the public API, and the records the sample events in `events/` refer to.

use flows_shared::auth::hash_key;
use flows_shared::model::workflow::EmailFlowRecord;
use flows_shared::model::{
    AccessMode, ApiKey, Assignment, AssignmentId, AssignmentStatus, Delivery, DeliveryId, DeliveryStatus, Email, Event,
    EventType, Flow, FlowId, KeyId, KeyKind, Membership, OrgId, Organization, Priority, Slug, Step, Tier, Timestamp,
    User, UserId, Webhook, WebhookId,
};
use flows_shared::store::ports::*;
use flows_shared::store::seed::Seed;
use http::StatusCode;
use serde_json::json;

use crate::backends::counted_dynamo_store;

use crate::server::{TestServer, ADMIN_TOKEN};

impl TestServer {
    /// `n` users `person{i}@company.com` of `org`, written straight through the store: no request, so no rate
    /// window counts them.
    pub async fn add_people(&self, org: OrgId, n: usize) -> Vec<String> {
        let store = &self.state.store;
        let mut emails = Vec::with_capacity(n);
        for i in 0..n {
            let id = UserId(store.next_id(flows_shared::store::Counter::User).await.expect("an id"));
            let email = format!("person{i}@company.com");
            let user = User {
                id,
                org_id: org,
                email: Some(Email::parse(&email).expect("an email")),
                name: format!("Person {i}"),
                nick: format!("p{i}"),
                external_id: None,
                role: flows_shared::model::Role::Member,
                disabled: false,
                created_at: Timestamp::now(),
                deactivated_at: None,
                revision: 0,
                person_indexed: true,
            };
            store.create_user(&user, None).await.expect("a user");
            emails.push(email);
        }
        emails
    }

    /// A one-step flow of `org`, written straight through the store.
    pub async fn add_flow(&self, org: OrgId, slug: &str) -> FlowId {
        let flow = Flow {
            id: FlowId::generate(),
            org_id: org,
            name: slug.to_owned(),
            slug: Slug::parse(slug).expect("a slug"),
            access_mode: AccessMode::Invitation,
            join_token: "t".into(),
            disabled: false,
            flow_type: "CHECKLIST".into(),
            steps: vec![Step { id: "one".into(), title: "One".into(), subtitle: None, estimated_minutes: 10 }],
            sequential: false,
            completion: Default::default(),
            version: 1,
            revision: 0,
            created_by: UserId(1),
            created_at: Timestamp::now(),
        };
        self.state.store.create_flow(&flow, &Membership::of_creator(&flow), None).await.expect("a flow");
        flow.id
    }

    /// A failed delivery attempt in `webhook`'s log, written straight through the store (deliveries come from the
    /// consumer, not from a request); returns its id.
    pub async fn add_delivery(&self, org: OrgId, webhook: &str) -> String {
        let delivery = flows_shared::model::Delivery {
            id: flows_shared::model::DeliveryId::new(Timestamp::now().unix_millis()),
            org_id: org,
            webhook_id: flows_shared::model::WebhookId::parse(webhook).expect("a webhook id"),
            event: flows_shared::model::Event::new(org, EventType::FlowAssigned, Timestamp::now(), json!({})),
            attempt: 1,
            status: flows_shared::model::DeliveryStatus::Failed,
            response_code: Some(500),
            duration_ms: 1,
            error: None,
            at: Timestamp::now(),
        };
        self.state.store.record_delivery(&delivery).await.expect("a delivery");
        delivery.id.to_string()
    }

    /// Creates an organization through the admin route.
    pub async fn organization(&self, name: &str, tier: &str) -> Org {
        let reply = self
            .send(
                "POST",
                "/admin/organizations",
                Some(ADMIN_TOKEN),
                Some(&json!({"name": name, "tier": tier, "owner": {"email": format!("owner@{}.example.com", name.to_lowercase().replace(|c: char| !c.is_ascii_alphanumeric(), "")), "name": "Joe Smith", "nick": "Joe"}})),
                &[],
            )
            .await;
        assert_eq!(reply.status, StatusCode::CREATED, "{:?}", reply.body);
        Org {
            id: OrgId(reply.body["organization"]["id"].as_u64().expect("an id")),
            slug: reply.body["organization"]["parameterized_name"].as_str().expect("slug").to_owned(),
            secret: reply.body["secretKey"].as_str().expect("secret key").to_owned(),
            public: reply.body["publicKey"].as_str().expect("public key").to_owned(),
            body: reply.body,
        }
    }

    /// An organization with a user (`employee@company.com`) and a five-step, two-hour flow, ready to assign.
    pub async fn ready_to_assign(&self, name: &str) -> (Org, String) {
        let org = self.organization(name, "standard").await;
        let user =
            self.post("/v1/users", &org.secret, json!({"email": "employee@company.com", "name": "Eve Employee"})).await;
        assert_eq!(user.status, StatusCode::CREATED, "{:?}", user.body);
        let flow = self
            .post(
                &format!("/flows/{}", org.slug),
                &org.secret,
                json!({
                    "name": "Customer Onboarding",
                    "flowType": "CHECKLIST",
                    "steps": [
                        {"id": "welcome", "title": "Welcome", "estimatedMinutes": 15},
                        {"id": "accounts", "title": "Accounts", "estimatedMinutes": 30},
                        {"id": "tools", "title": "Tools", "estimatedMinutes": 30},
                        {"id": "team", "title": "Team", "estimatedMinutes": 30},
                        {"id": "quiz", "title": "Quiz", "estimatedMinutes": 15}
                    ]
                }),
            )
            .await;
        assert_eq!(flow.status, StatusCode::CREATED, "{:?}", flow.body);
        let flow_id = flow.body["id"].as_str().expect("flow id").to_owned();
        (org, flow_id)
    }
}

/// An organization created for a test, with the keys shown at its creation.
pub struct Org {
    pub id: OrgId,
    pub slug: String,
    pub secret: String,
    pub public: String,
    pub body: serde_json::Value,
}

/// Waits, if needed, until the current minute has at least 10 seconds left, so that a test counting requests in
/// one rate-limit window does not see the window turn under it.
pub async fn avoid_minute_boundary() {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970").as_secs();
    let left = 60 - now % 60;
    if left < 10 {
        tokio::time::sleep(std::time::Duration::from_secs(left + 1)).await;
    }
}

/// Waits, when the current minute (a rate window) has fewer than `needed` seconds left, for the next one to begin.
pub async fn start_of_a_window(needed: u64) {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("after 1970");
    let left = std::time::Duration::from_secs(60) - std::time::Duration::from_secs(now.as_secs() % 60);
    if left.as_secs() < needed {
        tokio::time::sleep(left + std::time::Duration::from_millis(100)).await;
    }
}

/// The bearer key of the sample events in `events/http/` (also in [`event_seed`]).
pub const EVENT_KEY: &str = "sk_1_00000000000000f1_e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0_6b35de9c4d70279f9a862614e2ecfb66";
/// The other key of the sample records (signed like [`EVENT_KEY`], under the development key secret).
pub const EVENT_SPARE_KEY: &str =
    "sk_1_00000000000000f2_e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1e1_0f1ae89870d75bd04bed0def8d8026c5";
/// The admin token of the sample admin event.
pub const EVENT_ADMIN_TOKEN: &str = "events-admin-token";
/// The flow the sample events assign.
pub const EVENT_FLOW: &str = "deadbeefdeadbeef";

/// The records the sample events refer to, with fixed ids: organization `acme` (1) with its owner (1),
/// `employee@company.com` (2), `stevie@company.com` (3) and `extra_users` more (`user00001@company.com`, …);
/// keys `key_00000000000000f1` ([`EVENT_KEY`]) and `key_00000000000000f2`; a five-step, two-hour flow
/// [`EVENT_FLOW`]; Stevie's open assignment `asgn_0123456789abcdef01234567`; webhook endpoints
/// `wh_00000000000000a1` and `wh_00000000000000a2`.
pub fn event_seed(extra_users: usize) -> Seed {
    let now = Timestamp::now();
    let org = Organization {
        id: OrgId(1),
        name: "Acme".into(),
        slug: Slug::parse("acme").expect("a slug"),
        tier: Tier::Standard,
        user_count: 0,
        created_at: now,
        allowed_origins: Vec::new(),
        // As organizations made before the count was kept: counted on the first change of an admin.
        admin_count: None,
        user_token_secret: None,
        user_tokens: Default::default(),
    };
    let person = |id: u64, email: &str, name: &str| User {
        id: UserId(id),
        org_id: org.id,
        email: Some(Email::parse(email).expect("an email")),
        name: name.into(),
        nick: name.split(' ').next().unwrap_or(name).into(),
        external_id: None,
        role: flows_shared::model::Role::Member,
        disabled: false,
        created_at: now,
        deactivated_at: None,
        revision: 0,
        person_indexed: true,
    };
    let key = |id: &str, plain: &str| ApiKey {
        id: KeyId::parse(id).expect("a key id"),
        org_id: org.id,
        user_id: UserId(1),
        role: flows_shared::model::Role::Admin,
        kind: KeyKind::Secret,
        tier: Tier::Standard,
        prefix: plain[..11].into(),
        last4: None,
        name: None,
        hash: hash_key(plain),
        created_at: now,
        revoked_at: None,
    };
    let mut users = vec![
        person(1, "owner@acme.example.com", "Joe Smith"),
        person(2, "employee@company.com", "Eve Employee"),
        person(3, "stevie@company.com", "Stevie Johnson"),
    ];
    users.extend((1..=extra_users).map(|i| person(3 + i as u64, &bench_user(i), "Bench User")));
    let flow = Flow {
        id: FlowId::parse(EVENT_FLOW).expect("a flow id"),
        org_id: org.id,
        name: "Customer Onboarding".into(),
        slug: Slug::parse("customer-onboarding").expect("a slug"),
        access_mode: AccessMode::Organization,
        join_token: "eedd2bf0643f75c14be9099272429351c7132a71".into(),
        disabled: false,
        flow_type: "CHECKLIST".into(),
        steps: (1..=5)
            .map(|i| Step {
                id: format!("step-{i}"),
                title: format!("Step {i}"),
                subtitle: None,
                estimated_minutes: 24,
            })
            .collect(),
        sequential: false,
        completion: Default::default(),
        version: 1,
        revision: 0,
        created_by: UserId(1),
        created_at: now,
    };
    let stevie = users[2].clone();
    Seed {
        organizations: vec![org.clone()],
        api_keys: vec![key("key_00000000000000f1", EVENT_KEY), key("key_00000000000000f2", EVENT_SPARE_KEY)],
        assignments: vec![Assignment {
            id: AssignmentId::parse("asgn_0123456789abcdef01234567").expect("an id"),
            org_id: org.id,
            flow_id: flow.id.clone(),
            user_id: stevie.id,
            user_email: stevie.email.clone().expect("an email"),
            user_external_id: None,
            due_date: None,
            priority: Some(Priority::Low),
            notes: None,
            status: AssignmentStatus::Assigned,
            assigned_at: now,
            assigned_by: UserId(1),
            started_at: None,
            completed_at: None,
            late: false,
            cancelled_at: None,
        }],
        flows: vec![flow],
        users,
        deliveries: vec![Delivery {
            id: DeliveryId::parse("dlv_179552160000000000d01").expect("a delivery id"),
            org_id: org.id,
            webhook_id: WebhookId::parse("wh_00000000000000a1").expect("a webhook id"),
            event: Event::new(
                org.id,
                EventType::FlowAssigned,
                now,
                serde_json::json!({"assignmentId": "asgn_0123456789abcdef01234567"}),
            ),
            attempt: 1,
            status: DeliveryStatus::Failed,
            response_code: Some(503),
            duration_ms: 12,
            error: None,
            at: now,
        }],
        webhooks: ["wh_00000000000000a1", "wh_00000000000000a2"]
            .into_iter()
            .map(|id| Webhook {
                id: WebhookId::parse(id).expect("a webhook id"),
                org_id: org.id,
                url: "https://93.184.216.34/hooks/flows".into(),
                events: EventType::ALL.to_vec(),
                enabled: true,
                secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
                previous_secret: None,
                previous_secret_expires_at: None,
                disabled_reason: None,
                created_at: now,
                updated_at: now,
            })
            .collect(),
        email_flows: vec![event_email_flow(org.id, 1, "Welcome", now), event_email_flow(org.id, 2, "Spare", now)],
    }
}

/// An email flow of the sample records: [`crate::superoffice::email_flow_body`] saved as flow `id`. Flow 1's objects
/// have the ids the sample events name: WaitForAction step 1000001 (actions 1000002, 1000003), Split step 1000004
/// (option 1000005, its SendSMS step 1000006), triggers 1000007 and 1000008, goals 1000009 and 1000010.
fn event_email_flow(org: OrgId, id: u64, name: &str, now: Timestamp) -> EmailFlowRecord {
    let mut record = EmailFlowRecord::new(org, id, now);
    let flow = serde_json::from_value(crate::superoffice::email_flow_body(name)).expect("an email flow");
    record.take(flow).expect("a valid email flow");
    record
}

/// The email of the `i`th extra user of [`event_seed`].
pub fn bench_user(i: usize) -> String {
    format!("user{i:05}@company.com")
}

/// What one request cost on DynamoDB (moto, counted by the SDK interceptor): its calls in the order they were
/// sent, and the longest chain of calls that waited on each other.
#[derive(Debug, Clone)]
pub struct Cost {
    pub calls: Vec<String>,
    pub sequential: usize,
}

impl Cost {
    /// The calls up to and including the first `TransactWriteItems` (the commit), and what they cost in sequence.
    pub fn until_commit(calls: &[crate::backends::Call]) -> Cost {
        let end = calls.iter().position(|c| c.operation == "TransactWriteItems").map_or(calls.len(), |i| i + 1);
        Cost {
            calls: calls[..end].iter().map(|c| c.operation.clone()).collect(),
            sequential: crate::backends::sequential_round_trips(&calls[..end]),
        }
    }
}

/// The DynamoDB cost of the requests whose round trips the tests hold and the bench prints.
#[derive(Debug)]
pub struct RoundTrips {
    /// An assign, up to and including its commit.
    pub assign: Cost,
    /// What the assign sends after the commit: the hand-off of its event.
    pub assign_after_commit: Vec<String>,
    pub get_assignment: Cost,
    pub list_webhooks: Cost,
    /// A webhook endpoint's creation, up to and including its commit.
    pub webhook_create: Cost,
    /// An assign with an `Idempotency-Key`, up to and including its commit.
    pub idempotent_assign: Cost,
    /// A Frigade action that starts an assigned flow (state, assignment and event in one commit).
    pub flow_state_action: Cost,
    /// A Frigade read of a user's flow states.
    pub flow_state_read: Cost,
}

/// Measures [`RoundTrips`] on a fresh table, with a key of the current (signed) form.
pub async fn round_trips() -> RoundTrips {
    let (store, log) = counted_dynamo_store().await;
    let server = TestServer::start_on(store).await;
    let (org, flow_id) = server.ready_to_assign("Acme").await;
    server.post("/v1/users", &org.secret, json!({"email": "second@company.com", "name": "Second Person"})).await;
    let measure = async |method: &str, path: &str, body: Option<serde_json::Value>, headers: &[(&str, &str)]| {
        log.take();
        let reply = server.send(method, path, Some(&org.secret), body.as_ref(), headers).await;
        assert!(reply.status.is_success(), "{method} {path}: {:?}", reply.body);
        (reply, log.take_calls())
    };
    let assign = json!({"flowId": flow_id, "userEmail": "employee@company.com", "dueDate": "2030-01-01T00:00:00Z"});
    let (reply, calls) = measure("POST", "/v1/flows/assign", Some(assign), &[]).await;
    let assign = Cost::until_commit(&calls);
    let assign_after_commit = calls[assign.calls.len()..].iter().map(|c| c.operation.clone()).collect();
    let id = reply.body["assignmentId"].as_str().expect("an id").to_owned();
    let (_, calls) = measure("GET", &format!("/v1/assignments/{id}"), None, &[]).await;
    let get_assignment = Cost::until_commit(&calls);
    let (_, calls) = measure("GET", "/v1/webhooks", None, &[]).await;
    let list_webhooks = Cost::until_commit(&calls);
    let hook = json!({"url": "http://127.0.0.1:9/hooks"});
    let (_, calls) = measure("POST", "/v1/webhooks", Some(hook), &[]).await;
    let webhook_create = Cost::until_commit(&calls);
    let again = json!({"flowId": flow_id, "userEmail": "second@company.com"});
    let (_, calls) = measure("POST", "/v1/flows/assign", Some(again), &[("Idempotency-Key", "bench-1")]).await;
    let idempotent_assign = Cost::until_commit(&calls);
    // A person Frigade knows as crm-1, assigned the flow, now open to the organization.
    let person = json!({"email": "frigade@company.com", "name": "Fri", "externalId": "crm-1"});
    server.post("/v1/users", &org.secret, person).await;
    server
        .send(
            "PUT",
            &format!("/v1/flows/{flow_id}"),
            Some(&org.secret),
            Some(&json!({"access_mode": "organization"})),
            &[],
        )
        .await;
    server.post("/v1/flows/assign", &org.secret, json!({"flowId": flow_id, "userEmail": "frigade@company.com"})).await;
    let action = json!({"userId": "crm-1", "flowSlug": flow_id, "stepId": "welcome", "actionType": "STARTED_STEP"});
    let (reply, calls) = measure("POST", "/v1/public/flowStates", Some(action), &[]).await;
    assert_eq!(reply.body["eligibleFlows"][0]["$state"]["started"], true, "{:?}", reply.body);
    let flow_state_action = Cost::until_commit(&calls);
    let (_, calls) = measure("GET", "/v1/public/flowStates?userId=crm-1", None, &[]).await;
    let flow_state_read = Cost::until_commit(&calls);
    RoundTrips {
        assign,
        assign_after_commit,
        get_assignment,
        list_webhooks,
        webhook_create,
        idempotent_assign,
        flow_state_action,
        flow_state_read,
    }
}

/// An in-memory state holding `seed`, with `config`, an in-memory queue and no DNS.
pub async fn seeded_state(
    config: flows_shared::config::Config,
    seed: &Seed,
) -> std::sync::Arc<flows_shared::state::AppState> {
    let store = std::sync::Arc::new(flows_shared::store::memory::MemoryStore::new());
    seed.load(store.as_ref()).await.expect("a consistent seed");
    flows_shared::state::AppState::new(
        config,
        store,
        flows_shared::app::memory_queue(),
        std::sync::Arc::new(crate::server::StaticResolver::default()),
    )
}
