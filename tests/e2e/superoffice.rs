//! SuperOffice's workflow agent (seed 002): each method as the seed shows it, under its path and under `/api` (its
//! client's), with the bodies its client sends.

use flows_testkit::{Backend, TestServer};
use serde_json::Value;

crate::on_both_backends!(the_default_email_flow_is_the_seeds_field_for_field_under_both_paths,);

/// The seed's default email flow (`tests/e2e/fixtures/superoffice/default_email_flow.json`).
fn seed_default_flow() -> Value {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/fixtures/superoffice/default_email_flow.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("the fixture")).expect("JSON")
}

async fn the_default_email_flow_is_the_seeds_field_for_field_under_both_paths(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN the default email flow is asked for as the seed writes it (no body), and as the client sends it (under
    // /api, with the body `null` and its content type), and without a key
    let seed_way =
        server.send("POST", "/v1/Agents/Workflow/CreateDefaultEmailFlow", Some(&org.secret), None, &[]).await;
    let client_way = server
        .send_raw(
            "POST",
            "/api/v1/Agents/Workflow/CreateDefaultEmailFlow",
            Some(&org.secret),
            Some("application/json"),
            b"null".to_vec(),
        )
        .await;
    let anonymous = server.send("POST", "/api/v1/Agents/Workflow/CreateDefaultEmailFlow", None, None, &[]).await;

    // THEN both answer the seed's object, member for member, in PascalCase
    assert_eq!(seed_way.status, 200, "{:?}", seed_way.body);
    assert_eq!(seed_way.body, seed_default_flow());
    assert_eq!(client_way.status, 200, "{:?}", client_way.body);
    assert_eq!(client_way.body, seed_way.body);
    // AND without a key it is the project's 401
    assert_eq!(anonymous.status, 401);
    assert_eq!(anonymous.body["error"], "unauthorized");
}
