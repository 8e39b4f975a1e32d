//! Flowdock's create flow (seed 001) and the organization's users.

use flows_testkit::{Backend, TestServer};
use serde_json::json;

crate::on_both_backends!(
    create_flow_answers_as_flowdock_does,
    create_flow_refuses_bad_input_and_duplicates,
    users_are_unique_by_email_in_any_case,
);

async fn create_flow_answers_as_flowdock_does(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    let reply = server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await;

    assert_eq!(reply.status, 201, "{:?}", reply.body);
    let flow = &reply.body;
    let id = flow["id"].as_str().unwrap();
    assert_eq!(id.len(), 16);
    assert_eq!(flow["name"], "My flow");
    assert_eq!(flow["parameterized_name"], "my-flow");
    assert_eq!(flow["organization"]["parameterized_name"], "acme");
    assert_eq!(flow["unread_mentions"], 0);
    assert_eq!(flow["open"], true);
    assert_eq!(flow["access_mode"], "invitation");
    assert!(flow.get("join_url").is_none(), "invitation flows have no join URL");
    assert_eq!(flow["url"], format!("{}/flows/acme/my-flow", server.base));
    assert_eq!(flow["web_url"], format!("{}/app/acme/my-flow", server.base));
    let users = flow["users"].as_array().unwrap();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["nick"], "Joe");
    assert_eq!(users[0]["email"], "owner@acme.example.com");
    assert_eq!(flow["steps"], json!([]));
    assert_eq!(flow["version"], 1);

    let linked = server.post("/flows/acme", &org.secret, json!({"name": "Open door", "access_mode": "link"})).await;
    assert_eq!(linked.status, 201);
    let join = linked.body["join_url"].as_str().unwrap();
    assert!(join.starts_with(&format!("{}/invitations/", server.base)) && join.ends_with("-open-door"), "{join}");
}

async fn create_flow_refuses_bad_input_and_duplicates(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    let long = server.post("/flows/acme", &org.secret, json!({"name": "x".repeat(101)})).await;
    assert_eq!(long.status, 400);
    assert_eq!(long.body["errors"]["name"][0], "must be at most 100 characters");

    let bad = server
        .post(
            "/flows/acme",
            &org.secret,
            json!({"name": "Ok", "flowType": "MOVIE", "access_mode": "public", "steps": [{"id": "a b", "title": ""}, {"id": "x", "title": "X", "estimatedMinutes": -5}, 7]}),
        )
        .await;
    assert_eq!(bad.status, 400, "{:?}", bad.body);
    for field in ["flowType", "access_mode", "steps[0].id", "steps[0].title", "steps[1].estimatedMinutes", "steps[2]"] {
        assert!(bad.body["errors"].get(field).is_some(), "{field}: {:?}", bad.body);
    }
    let dup_steps = server
        .post(
            "/flows/acme",
            &org.secret,
            json!({"name": "Ok", "steps": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]}),
        )
        .await;
    assert_eq!(dup_steps.status, 400);

    let first = server.post("/flows/acme", &org.secret, json!({"name": "Same"})).await;
    assert_eq!(first.status, 201);
    let second = server.post("/flows/acme", &org.secret, json!({"name": "same"})).await;
    assert_eq!(second.status, 409, "{:?}", second.body);
    assert_eq!(second.body["error"], "conflict");

    let unknown = server.post("/flows/nobody", &org.secret, json!({"name": "X"})).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body, json!({"error": "not_found", "message": "Organization 'nobody' does not exist"}));
}

async fn users_are_unique_by_email_in_any_case(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    let created = server
        .post(
            "/v1/users",
            &org.secret,
            json!({"email": "Stevie@Example.com", "name": "Stevie Johnson", "externalId": "d34daa11"}),
        )
        .await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["nick"], "Stevie");
    assert_eq!(created.body["email"], "Stevie@Example.com");
    assert_eq!(created.body["externalId"], "d34daa11");
    assert_eq!(created.body["status"], serde_json::Value::Null);
    assert_eq!(created.body["disabled"], false);

    let dup =
        server.post("/v1/users", &org.secret, json!({"email": "stevie@example.COM", "name": "Another Stevie"})).await;
    assert_eq!(dup.status, 409, "{:?}", dup.body);
    let dup_ext = server
        .post("/v1/users", &org.secret, json!({"email": "s2@example.com", "name": "S2", "externalId": "d34daa11"}))
        .await;
    assert_eq!(dup_ext.status, 409, "{:?}", dup_ext.body);

    let bad = server.post("/v1/users", &org.secret, json!({"email": "nope", "name": "n".repeat(101), "nick": 5})).await;
    assert_eq!(bad.status, 400);
    for field in ["email", "name", "nick"] {
        assert!(bad.body["errors"].get(field).is_some(), "{field}: {:?}", bad.body);
    }

    let listed = server.get("/v1/users", &org.secret).await;
    let emails: Vec<&str> = listed.body.as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap()).collect();
    assert_eq!(emails, ["owner@acme.example.com", "Stevie@Example.com"]);

    // The organization counts its people
    let flow = server.post("/flows/acme", &org.secret, json!({"name": "Count"})).await;
    assert_eq!(flow.body["organization"]["user_count"], 2);
}
