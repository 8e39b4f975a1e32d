//! Flowdock's create flow (seed 001) and the organization's users.

use flows_testkit::{Backend, Org, Reply, TestServer};
use serde_json::json;

crate::on_both_backends!(
    create_flow_answers_as_flowdock_does,
    a_flow_open_by_link_has_a_join_url,
    a_flow_name_over_100_characters_is_a_400,
    bad_flow_fields_are_a_400_naming_each_field,
    duplicate_step_ids_are_a_400,
    a_flow_name_taken_in_any_case_gets_the_next_numbered_slug,
    two_flows_created_at_once_with_one_name_both_succeed_with_different_slugs,
    creating_a_flow_in_an_unknown_organization_is_a_404_naming_it,
    a_created_user_answers_with_its_fields,
    users_are_unique_by_email_in_any_case,
    users_are_unique_by_external_id,
    bad_user_input_is_a_400_naming_each_field_and_writes_nothing,
    users_are_listed_owner_first_in_the_order_they_were_added,
    the_organization_counts_its_people,
);

async fn create_flow_answers_as_flowdock_does(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a flow is created with only a name
    let reply = server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await;

    // THEN it answers 201 with Flowdock's fields, for an invitation flow with no steps
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
}

async fn a_flow_open_by_link_has_a_join_url(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a flow is created with the link access mode
    let linked = server.post("/flows/acme", &org.secret, json!({"name": "Open door", "access_mode": "link"})).await;

    // THEN it has a join URL ending in its name
    assert_eq!(linked.status, 201);
    let join = linked.body["join_url"].as_str().unwrap();
    assert!(join.starts_with(&format!("{}/invitations/", server.base)) && join.ends_with("-open-door"), "{join}");
}

async fn a_flow_name_over_100_characters_is_a_400(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a flow is created with a name of 101 characters
    let long = server.post("/flows/acme", &org.secret, json!({"name": "x".repeat(101)})).await;

    // THEN it is a 400 giving the limit
    assert_eq!(long.status, 400);
    assert_eq!(long.body["errors"]["name"][0], "must be at most 100 characters");
}

async fn bad_flow_fields_are_a_400_naming_each_field(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a flow is created with a bad type, a bad access mode and bad steps
    let bad = server
        .post(
            "/flows/acme",
            &org.secret,
            json!({
                "name": "Ok",
                "flowType": "MOVIE",
                "access_mode": "public",
                "steps": [{"id": "a b", "title": ""}, {"id": "x", "title": "X", "estimatedMinutes": -5}, 7]
            }),
        )
        .await;

    // THEN it is a 400 naming each field, down to each step's
    assert_eq!(bad.status, 400, "{:?}", bad.body);
    for field in ["flowType", "access_mode", "steps[0].id", "steps[0].title", "steps[1].estimatedMinutes", "steps[2]"] {
        assert!(bad.body["errors"].get(field).is_some(), "{field}: {:?}", bad.body);
    }
}

async fn duplicate_step_ids_are_a_400(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a flow is created with two steps of one id
    let dup_steps = server
        .post(
            "/flows/acme",
            &org.secret,
            json!({"name": "Ok", "steps": [{"id": "a", "title": "A"}, {"id": "a", "title": "B"}]}),
        )
        .await;

    // THEN it is a 400
    assert_eq!(dup_steps.status, 400);
}

async fn a_flow_name_taken_in_any_case_gets_the_next_numbered_slug(backend: Backend) {
    // GIVEN an organization with a flow
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let first = server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await;
    assert_eq!(first.status, 201);

    // WHEN two more flows are created with its name, in another case
    let second = server.post("/flows/acme", &org.secret, json!({"name": "my FLOW"})).await;
    let third = server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await;

    // THEN each is created, with the next free slug and its own name
    assert_eq!(first.body["parameterized_name"], "my-flow");
    assert_eq!(second.status, 201, "{:?}", second.body);
    assert_eq!(second.body["parameterized_name"], "my-flow-2");
    assert_eq!(second.body["name"], "my FLOW");
    assert_eq!(third.body["parameterized_name"], "my-flow-3");
    assert_ne!(first.body["id"], second.body["id"]);
}

async fn two_flows_created_at_once_with_one_name_both_succeed_with_different_slugs(backend: Backend) {
    // GIVEN an organization (on DynamoDB, the single-threaded moto, where a conditional write is atomic as on
    // DynamoDB)
    let store = flows_testkit::backends::serial_store(backend).await;
    let server = std::sync::Arc::new(TestServer::start_on(store).await);
    let org = server.organization("Acme", "standard").await;

    // WHEN eight creates of one name race
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..8 {
        let (server, key) = (server.clone(), org.secret.clone());
        tasks.spawn(async move { server.post("/flows/acme", &key, json!({"name": "Race"})).await });
    }
    let mut slugs = std::collections::HashSet::new();
    while let Some(reply) = tasks.join_next().await {
        let reply = reply.unwrap();
        // THEN every one is created, each with a slug of its own
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        assert!(slugs.insert(reply.body["parameterized_name"].as_str().unwrap().to_owned()), "{slugs:?}");
    }
    assert!(slugs.contains("race"), "{slugs:?}");
}

async fn creating_a_flow_in_an_unknown_organization_is_a_404_naming_it(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a flow is created under a name no organization has
    let unknown = server.post("/flows/nobody", &org.secret, json!({"name": "X"})).await;

    // THEN it is a 404 naming it
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body, json!({"error": "not_found", "message": "Organization 'nobody' does not exist"}));
}

/// Adds Stevie (`Stevie@Example.com`, external id `d34daa11`) to `org`.
async fn add_stevie(server: &TestServer, org: &Org) -> Reply {
    server
        .post(
            "/v1/users",
            &org.secret,
            json!({"email": "Stevie@Example.com", "name": "Stevie Johnson", "externalId": "d34daa11"}),
        )
        .await
}

/// The emails of `org`'s users, as listed.
async fn listed_emails(server: &TestServer, org: &Org) -> Vec<String> {
    let listed = server.get("/v1/users", &org.secret).await;
    listed.body["items"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()).collect()
}

async fn a_created_user_answers_with_its_fields(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a user is added with an email in mixed case and an external id
    let created = add_stevie(&server, &org).await;

    // THEN it answers 201 with the email as given, its external id, a nick, and no status, enabled
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["nick"], "Stevie");
    assert_eq!(created.body["email"], "Stevie@Example.com");
    assert_eq!(created.body["externalId"], "d34daa11");
    assert_eq!(created.body["status"], serde_json::Value::Null);
    assert_eq!(created.body["disabled"], false);
}

async fn users_are_unique_by_email_in_any_case(backend: Backend) {
    // GIVEN an organization with a user
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    assert_eq!(add_stevie(&server, &org).await.status, 201);

    // WHEN another user is added with the same email in another case
    let dup =
        server.post("/v1/users", &org.secret, json!({"email": "stevie@example.COM", "name": "Another Stevie"})).await;

    // THEN it is a conflict
    assert_eq!(dup.status, 409, "{:?}", dup.body);

    // AND nothing was written
    assert_eq!(listed_emails(&server, &org).await, ["owner@acme.example.com", "Stevie@Example.com"]);
}

async fn users_are_unique_by_external_id(backend: Backend) {
    // GIVEN an organization with a user of an external id
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    assert_eq!(add_stevie(&server, &org).await.status, 201);

    // WHEN another user is added with the same external id
    let dup_ext = server
        .post("/v1/users", &org.secret, json!({"email": "s2@example.com", "name": "S2", "externalId": "d34daa11"}))
        .await;

    // THEN it is a conflict
    assert_eq!(dup_ext.status, 409, "{:?}", dup_ext.body);

    // AND nothing was written
    assert_eq!(listed_emails(&server, &org).await, ["owner@acme.example.com", "Stevie@Example.com"]);
}

async fn bad_user_input_is_a_400_naming_each_field_and_writes_nothing(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a user is added with every field wrong
    let bad = server.post("/v1/users", &org.secret, json!({"email": "nope", "name": "n".repeat(101), "nick": 5})).await;

    // THEN it is a 400 naming each field
    assert_eq!(bad.status, 400);
    for field in ["email", "name", "nick"] {
        assert!(bad.body["errors"].get(field).is_some(), "{field}: {:?}", bad.body);
    }

    // AND nothing was written
    assert_eq!(listed_emails(&server, &org).await, ["owner@acme.example.com"]);
}

async fn users_are_listed_owner_first_in_the_order_they_were_added(backend: Backend) {
    // GIVEN an organization with a user added
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    assert_eq!(add_stevie(&server, &org).await.status, 201);

    // WHEN its users are listed
    let emails = listed_emails(&server, &org).await;

    // THEN the owner comes first, then the user added
    assert_eq!(emails, ["owner@acme.example.com", "Stevie@Example.com"]);
}

async fn the_organization_counts_its_people(backend: Backend) {
    // GIVEN an organization with a user added besides its owner
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    assert_eq!(add_stevie(&server, &org).await.status, 201);

    // WHEN a flow is created
    let flow = server.post("/flows/acme", &org.secret, json!({"name": "Count"})).await;

    // THEN the flow's organization counts both
    assert_eq!(flow.body["organization"]["user_count"], 2);
}
