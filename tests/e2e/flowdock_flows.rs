//! Flowdock's flows as seed 001 lists them: `GET /flows` shows the flows the key's user is a member of, with
//! `Flowdock-User` naming that user, and each flow's users when asked.

use flows_testkit::{Backend, TestServer};
use serde_json::{json, Value};

crate::on_both_backends!(
    the_list_shows_the_flows_the_user_is_a_member_of,
    users_are_listed_with_each_flow_only_when_asked,
    a_users_parameter_that_is_no_boolean_is_a_400,
    a_flow_is_got_by_its_names_and_found_by_its_id_always_with_its_users,
    a_flow_the_user_may_not_see_is_a_404_and_one_open_to_the_organization_is_seen_unjoined,
    all_adds_the_organization_mode_flows_the_user_has_not_joined,
    unknown_names_and_ids_are_404s_and_find_needs_an_id,
);

/// A member of Acme (not an admin) with a key of their own: (their id, their key).
async fn member(server: &TestServer, org: &flows_testkit::Org) -> (Value, String) {
    let member = json!({"email": "pat@acme.example.com", "name": "Pat Person"});
    let member = server.post("/v1/users", &org.secret, member).await;
    let id = member.body["id"].clone();
    let key = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": id})).await;
    (id, key.body["key"].as_str().unwrap().to_owned())
}

fn ids(reply: &Value) -> Vec<String> {
    let mut ids: Vec<String> = reply.as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

async fn the_list_shows_the_flows_the_user_is_a_member_of(backend: Backend) {
    // GIVEN the owner's two flows, and a member's key with a flow of the member's own
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let member = json!({"email": "pat@acme.example.com", "name": "Pat Person"});
    let member = server.post("/v1/users", &org.secret, member).await;
    let member_id = member.body["id"].clone();
    let key = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": member_id})).await;
    let member_key = key.body["key"].as_str().unwrap().to_owned();
    let mut owners = Vec::new();
    for name in ["My flow", "Another flow"] {
        let flow = server.post("/flows/acme", &org.secret, json!({"name": name})).await;
        assert_eq!(flow.status, 201, "{:?}", flow.body);
        owners.push(flow.body["id"].as_str().unwrap().to_owned());
    }
    let theirs = server.post("/flows/acme", &member_key, json!({"name": "Pat's flow"})).await;
    assert_eq!(theirs.status, 201, "{:?}", theirs.body);

    // WHEN each lists their flows
    let listed = server.get("/flows", &org.secret).await;
    let listed_by_member = server.get("/flows", &member_key).await;

    // THEN each sees their own, joined and open, as the seed's objects, with Flowdock-User naming them
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    owners.sort();
    assert_eq!(ids(&listed.body), owners);
    assert_eq!(listed.header("flowdock-user"), Some(org.body["owner"]["id"].to_string().as_str()));
    let first = &listed.body[0];
    for field in ["id", "name", "parameterized_name", "url", "web_url", "access_mode"] {
        assert!(first[field].is_string(), "{field}: {first}");
    }
    for field in ["id", "name", "parameterized_name", "user_limit", "user_count", "active", "url"] {
        assert!(!first["organization"][field].is_null(), "organization.{field}: {first}");
    }
    assert_eq!((first["joined"].as_bool(), first["open"].as_bool()), (Some(true), Some(true)));
    assert_eq!(first["unread_mentions"], 0);
    assert_eq!(ids(&listed_by_member.body), vec![theirs.body["id"].as_str().unwrap().to_owned()]);
    assert_eq!(listed_by_member.header("flowdock-user"), Some(member_id.to_string().as_str()));
}

async fn users_are_listed_with_each_flow_only_when_asked(backend: Backend) {
    // GIVEN a flow
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    assert_eq!(server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await.status, 201);

    // WHEN the list is asked for with users=1, users=true, users=0 and without
    let with = server.get("/flows?users=1", &org.secret).await;
    let with_true = server.get("/flows?users=true", &org.secret).await;
    let without = server.get("/flows?users=0", &org.secret).await;
    let plain = server.get("/flows", &org.secret).await;

    // THEN the users (the creator) come only when asked
    assert_eq!(with.body[0]["users"].as_array().unwrap().len(), 1, "{:?}", with.body);
    assert_eq!(with.body[0]["users"][0]["email"], "owner@acme.example.com");
    assert_eq!(with_true.body[0]["users"], with.body[0]["users"]);
    assert!(without.body[0].get("users").is_none(), "{:?}", without.body);
    assert!(plain.body[0].get("users").is_none(), "{:?}", plain.body);
}

async fn a_users_parameter_that_is_no_boolean_is_a_400(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN the list is asked for with users=yes
    let reply = server.get("/flows?users=yes", &org.secret).await;

    // THEN it is a 400 naming the parameter
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    assert!(reply.body["errors"]["users"].is_array(), "{:?}", reply.body);
}

async fn a_flow_is_got_by_its_names_and_found_by_its_id_always_with_its_users(backend: Backend) {
    // GIVEN a flow
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let created = server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await;
    let id = created.body["id"].as_str().unwrap().to_owned();

    // WHEN it is got by its names and found by its id
    let got = server.get("/flows/acme/my-flow", &org.secret).await;
    let found = server.get(&format!("/flows/find?id={id}"), &org.secret).await;

    // THEN both are the flow, with its users, joined, and Flowdock-User
    for reply in [&got, &found] {
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        assert_eq!(reply.body["id"], id.as_str());
        assert_eq!(reply.body["parameterized_name"], "my-flow");
        assert_eq!(reply.body["users"][0]["email"], "owner@acme.example.com");
        assert_eq!(reply.body["joined"], true);
        assert_eq!(reply.header("flowdock-user"), Some(org.body["owner"]["id"].to_string().as_str()));
    }
}

async fn a_flow_the_user_may_not_see_is_a_404_and_one_open_to_the_organization_is_seen_unjoined(backend: Backend) {
    // GIVEN the owner's invitation-only flow and organization-mode flow, and a member in neither
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (_, member_key) = member(&server, &org).await;
    let closed = server.post("/flows/acme", &org.secret, json!({"name": "Closed"})).await;
    let open = json!({"name": "Open", "access_mode": "organization"});
    assert_eq!(server.post("/flows/acme", &org.secret, open).await.status, 201);
    let mine = server.post("/flows/acme", &member_key, json!({"name": "Mine"})).await;

    // WHEN the member asks for each, and the owner (an admin) for the member's invitation-only flow
    let closed_by_slug = server.get("/flows/acme/closed", &member_key).await;
    let closed_by_id =
        server.get(&format!("/flows/find?id={}", closed.body["id"].as_str().unwrap()), &member_key).await;
    let open_to_all = server.get("/flows/acme/open", &member_key).await;
    let by_admin = server.get(&format!("/flows/find?id={}", mine.body["id"].as_str().unwrap()), &org.secret).await;

    // THEN the closed one is a 404 both ways, the open one is seen but not joined, and the admin sees everything
    assert_eq!(closed_by_slug.status, 404, "{:?}", closed_by_slug.body);
    assert_eq!(closed_by_id.status, 404, "{:?}", closed_by_id.body);
    assert_eq!(open_to_all.status, 200, "{:?}", open_to_all.body);
    assert_eq!((open_to_all.body["joined"].as_bool(), open_to_all.body["open"].as_bool()), (Some(false), Some(false)));
    assert!(open_to_all.body["join_url"].is_string());
    assert_eq!(by_admin.status, 200, "{:?}", by_admin.body);
    assert_eq!(by_admin.body["joined"], false);
}

async fn all_adds_the_organization_mode_flows_the_user_has_not_joined(backend: Backend) {
    // GIVEN the owner's invitation-only and organization-mode flows, and a member's own flow
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (_, member_key) = member(&server, &org).await;
    server.post("/flows/acme", &org.secret, json!({"name": "Closed"})).await;
    let open = server.post("/flows/acme", &org.secret, json!({"name": "Open", "access_mode": "organization"})).await;
    let mine = server.post("/flows/acme", &member_key, json!({"name": "Mine"})).await;

    // WHEN the member lists their flows and all flows
    let listed = server.get("/flows", &member_key).await;
    let all = server.get("/flows/all", &member_key).await;

    // THEN the list is their own flow; all adds the organization-mode one, not joined, and never the closed one
    let mine_id = mine.body["id"].as_str().unwrap().to_owned();
    let open_id = open.body["id"].as_str().unwrap().to_owned();
    assert_eq!(ids(&listed.body), vec![mine_id.clone()]);
    assert_eq!(all.status, 200, "{:?}", all.body);
    let mut expected = vec![mine_id.clone(), open_id.clone()];
    expected.sort();
    assert_eq!(ids(&all.body), expected);
    let open_listed = all.body.as_array().unwrap().iter().find(|f| f["id"] == open_id.as_str()).unwrap();
    assert_eq!((open_listed["joined"].as_bool(), open_listed["open"].as_bool()), (Some(false), Some(false)));
    assert!(open_listed["join_url"].is_string());
}

async fn unknown_names_and_ids_are_404s_and_find_needs_an_id(backend: Backend) {
    // GIVEN an organization with a flow, and another organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    server.organization("Other", "standard").await;
    server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await;

    // WHEN unknown names, another organization's name, a malformed id and no id are asked for
    let statuses = [
        server.get("/flows/acme/nothing", &org.secret).await.status,
        server.get("/flows/other/my-flow", &org.secret).await.status,
        server.get("/flows/acme/Not%20A%20Slug", &org.secret).await.status,
        server.get("/flows/find?id=nope", &org.secret).await.status,
    ];
    let no_id = server.get("/flows/find", &org.secret).await;

    // THEN each is a 404, and no id is a 400 naming it
    assert!(statuses.iter().all(|s| *s == 404), "{statuses:?}");
    assert_eq!(no_id.status, 400, "{:?}", no_id.body);
    assert!(no_id.body["errors"]["id"].is_array(), "{:?}", no_id.body);
}
