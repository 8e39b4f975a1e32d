//! The vendors' own client libraries, unchanged, against the local server on both backends: a client written for
//! the vendor's API works here with only its base URL and key changed. The scripts live in `tests/clients/`
//! (their packages pinned by its `package-lock.json`, installed by `make test`); node must be there, or the test
//! fails saying how to get it.

use std::path::Path;
use std::process::Command;

use flows_testkit::{Backend, TestServer};
use serde_json::json;

crate::on_both_backends!(
    flowdocks_own_client_drives_every_flow_route,
    frigades_own_sdk_walks_a_flow_and_moves_the_assignment,
    frigades_own_sdk_takes_a_user_token_as_its_key,
    superoffices_own_client_drives_the_workflow_agent,
);

/// Runs one client script with `node --test` and the given environment; fails with its output unless it passes.
fn run_node(script: &str, env: &[(&str, String)]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    assert!(
        dir.join("node_modules").is_dir(),
        "the client libraries are not installed: run `make client-deps` (npm ci in tests/clients)"
    );
    let output = Command::new("node")
        .arg("--test")
        .arg(script)
        .current_dir(&dir)
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .env("NO_PROXY", "127.0.0.1")
        .output()
        .unwrap_or_else(|e| panic!("node could not run ({e}): install Node.js 18 or later"));
    assert!(
        output.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn flowdocks_own_client_drives_every_flow_route(backend: Backend) {
    // GIVEN an organization with its owner's key, and a member with a key of their own
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let member = server.post("/v1/users", &org.secret, json!({"email": "pat@acme.example.com", "name": "Pat"})).await;
    let member_id = member.body["id"].as_u64().expect("an id");
    let key = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": member_id})).await;
    let member_key = key.body["key"].as_str().expect("a key").to_owned();

    // WHEN Flowdock's client, given only the base URL and the keys, creates, lists, gets, finds, changes, joins,
    // blocks and archives flows and their join URLs
    let env = [
        ("FLOWS_URL", server.base.clone()),
        ("FLOWS_ORG", org.slug.clone()),
        ("FLOWS_OWNER_KEY", org.secret.clone()),
        ("FLOWS_MEMBER_KEY", member_key),
        ("FLOWS_MEMBER_ID", member_id.to_string()),
    ];

    // THEN every call answers as Flowdock's API would (the script's assertions)
    tokio::task::spawn_blocking(move || run_node("flowdock.test.mjs", &env)).await.expect("the node run");
}

async fn frigades_own_sdk_walks_a_flow_and_moves_the_assignment(backend: Backend) {
    // GIVEN an organization-wide three-step flow assigned to a person Frigade knows by an external id
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let flow = json!({"name": "Onboarding tour", "flowSlug": "onboarding_tour", "access_mode": "organization",
        "steps": [{"id": "s1", "title": "One"}, {"id": "s2", "title": "Two"}, {"id": "s3", "title": "Three"}]});
    let flow = server.post(&format!("/flows/{}", org.slug), &org.secret, flow).await;
    assert_eq!(flow.status, 201, "{:?}", flow.body);
    let person = json!({"email": "sam@acme.example.com", "name": "Sam", "externalId": "crm-sam"});
    assert_eq!(server.post("/v1/users", &org.secret, person).await.status, 201);
    let assign = json!({"flowId": flow.body["id"], "userEmail": "sam@acme.example.com"});
    let assigned = server.post("/v1/flows/assign", &org.secret, assign).await;
    let assignment = assigned.body["assignmentId"].as_str().expect("an assignment").to_owned();

    // WHEN Frigade's SDK, given only the server's origin and the public key, loads, starts, completes, skips,
    // resets and restarts flows, identifies, groups and tracks (the script's assertions)
    let env = [
        ("FLOWS_URL", server.base.clone()),
        ("FLOWS_PUBLIC_KEY", org.public.clone()),
        ("FLOWS_USER", "crm-sam".to_owned()),
    ];
    tokio::task::spawn_blocking(move || run_node("frigade.test.mjs", &env)).await.expect("the node run");

    // THEN the person's assignment followed their progress, and the sessions were kept
    let read = server.get(&format!("/v1/assignments/{assignment}"), &org.secret).await;
    assert_eq!(read.body["status"], "completed", "{:?}", read.body);
    let sam = server.get("/v1/users?externalId=crm-sam", &org.secret).await.body["items"][0]["id"].clone();
    let profile = server.get(&format!("/v1/users/{sam}/events"), &org.secret).await;
    assert_eq!(profile.body["properties"]["plan"], "pro", "{:?}", profile.body);
    assert_eq!(profile.body["events"][0]["event"], "clicked");
    assert!(profile.body["groups"].as_array().unwrap().iter().any(|g| g["groupId"] == "team-2"));
}

async fn frigades_own_sdk_takes_a_user_token_as_its_key(backend: Backend) {
    // GIVEN a two-step flow assigned to a person, in an organization that wants user tokens for progress on
    // assigned flows, and its user-token secret (which its server keeps)
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let flow = json!({"name": "Safety", "flowSlug": "safety", "access_mode": "organization",
        "steps": [{"id": "s1", "title": "One"}, {"id": "s2", "title": "Two"}]});
    let flow = server.post(&format!("/flows/{}", org.slug), &org.secret, flow).await;
    let person = json!({"email": "sam@acme.example.com", "name": "Sam", "externalId": "emp-sam"});
    assert_eq!(server.post("/v1/users", &org.secret, person).await.status, 201);
    let assign = json!({"flowId": flow.body["id"], "userEmail": "sam@acme.example.com"});
    let assigned = server.post("/v1/flows/assign", &org.secret, assign).await;
    let assignment = assigned.body["assignmentId"].as_str().expect("an assignment").to_owned();
    let made = server.post("/v1/settings/user-tokens/rotate-secret", &org.secret, json!(null)).await;
    let secret = made.body["secret"].as_str().expect("a secret").to_owned();
    let body = json!({"required": "assignedProgress"});
    let set = server.send("PUT", "/v1/settings/user-tokens", Some(&org.secret), Some(&body), &[]).await;
    assert_eq!(set.status, 200, "{:?}", set.body);

    // WHEN Frigade's SDK tries with the public key, then with a token the script mints as the README says
    let env = [
        ("FLOWS_URL", server.base.clone()),
        ("FLOWS_PUBLIC_KEY", org.public.clone()),
        ("FLOWS_ORG_ID", org.id.0.to_string()),
        ("FLOWS_USER_TOKEN_SECRET", secret),
        ("FLOWS_USER", "emp-sam".to_owned()),
    ];
    tokio::task::spawn_blocking(move || run_node("frigade.tokens.test.mjs", &env)).await.expect("the node run");

    // THEN only the token's progress moved the assignment
    let read = server.get(&format!("/v1/assignments/{assignment}"), &org.secret).await;
    assert_eq!(read.body["status"], "completed", "{:?}", read.body);
}

async fn superoffices_own_client_drives_the_workflow_agent(backend: Backend) {
    // GIVEN an organization and a person of it
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let person = server.post("/v1/users", &org.secret, json!({"email": "sam@acme.example.com", "name": "Sam"})).await;
    let person = person.body["id"].as_u64().expect("an id");

    // WHEN SuperOffice's client, given only the server's origin and the key, builds email flows from the defaults,
    // saves, reads, copies, starts and deletes them, and their triggers, goals, actions, steps and options, enrols
    // the person, runs, sends an event and removes the participant (the script's assertions)
    let env =
        [("FLOWS_URL", server.base.clone()), ("FLOWS_KEY", org.secret.clone()), ("FLOWS_PERSON", person.to_string())];
    tokio::task::spawn_blocking(move || run_node("superoffice.test.mjs", &env)).await.expect("the node run");

    // THEN what it saved is there for any other client
    let path = |id: u64| format!("/v1/Agents/Workflow/GetEmailFlow?emailFlowId={id}");
    let first = server.post(&path(1), &org.secret, json!(null)).await.body;
    assert_eq!(first["Name"], "My first flow", "{first:?}");
    let welcome = server.post(&path(2), &org.secret, json!(null)).await.body;
    assert_eq!(welcome["Name"], "Welcome flow", "{welcome:?}");
    assert_eq!(welcome["Status"], "Running");
}

/// The browser the Chromium test drives: `FLOWS_CHROMIUM`, else Debian's `chromium`.
fn chromium() -> String {
    let path = std::env::var("FLOWS_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(
        Path::new(&path).exists(),
        "no Chromium at {path}: install it (`apt-get install chromium`, as .ci/run does) or set FLOWS_CHROMIUM"
    );
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn frigades_sdk_works_in_headless_chromium_from_another_origin() {
    // GIVEN an organization-wide three-step flow, and Chromium
    let browser = chromium();
    let server = TestServer::start(Backend::Memory).await;
    let org = server.organization("Acme", "standard").await;
    let flow = json!({"name": "Onboarding tour", "flowSlug": "onboarding_tour", "access_mode": "organization",
        "steps": [{"id": "s1", "title": "One"}, {"id": "s2", "title": "Two"}, {"id": "s3", "title": "Three"}]});
    assert_eq!(server.post(&format!("/flows/{}", org.slug), &org.secret, flow).await.status, 201);

    // WHEN a page served from another origin runs the SDK, and the organization's allowed origins change
    let env = [
        ("FLOWS_URL", server.base.clone()),
        ("FLOWS_PUBLIC_KEY", org.public.clone()),
        ("FLOWS_SECRET_KEY", org.secret.clone()),
        ("FLOWS_USER", "browser-user".to_owned()),
        ("FLOWS_CHROMIUM", browser),
    ];

    // THEN the browser lets the page use the API, then keeps answers from it, then lets it again (the script's
    // assertions); and the step the page completed is the server's
    tokio::task::spawn_blocking(move || run_node("frigade.browser.test.mjs", &env)).await.expect("the node run");
    let states = server.get("/v1/public/flowStates?userId=browser-user", &org.secret).await;
    let steps = &states.body["eligibleFlows"][0]["data"]["steps"];
    assert_eq!(steps[0]["$state"]["completed"], true, "{:?}", states.body);
}
