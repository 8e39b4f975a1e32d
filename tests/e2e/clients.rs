//! The vendors' own client libraries, unchanged, against the local server on both backends: a client written for
//! the vendor's API works here with only its base URL and key changed. The scripts live in `tests/clients/`
//! (their packages pinned by its `package-lock.json`, installed by `make test`); node must be there, or the test
//! fails saying how to get it.

use std::path::Path;
use std::process::Command;

use flows_testkit::{Backend, TestServer};
use serde_json::json;

crate::on_both_backends!(flowdocks_own_client_drives_every_flow_route,);

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
