//! Flowdock's flows as seed 001 lists them: `GET /flows` shows the flows the key's user is a member of, with
//! `Flowdock-User` naming that user, and each flow's users when asked.

use flows_testkit::{Backend, TestServer};
use serde_json::{json, Value};

crate::on_both_backends!(
    the_list_shows_the_flows_the_user_is_a_member_of,
    users_are_listed_with_each_flow_only_when_asked,
    a_users_parameter_that_is_no_boolean_is_a_400,
);

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
