//! Keys act as a user, and users carry a role: admins may do everything in their organization; members use the
//! member routes (the route table says which), read their own assignments and manage their own keys.

use flows_testkit::{Backend, Org, TestServer};
use serde_json::{json, Value};

crate::on_both_backends!(
    the_owner_is_an_admin_and_a_person_is_a_member_unless_told,
    a_key_made_for_a_member_acts_as_the_member,
    a_member_is_refused_the_admin_routes_with_a_403,
    a_key_for_a_user_the_organization_does_not_have_is_a_400,
    a_member_cannot_make_a_key_for_someone_else,
    a_member_sees_and_revokes_only_their_own_keys,
    a_member_reads_only_their_own_assignments,
    an_admin_made_by_an_admin_may_add_people,
);

/// Adds a person with `role` (none: the default) and makes a secret key acting as them; returns (their id, key).
async fn person_with_key(server: &TestServer, org: &Org, email: &str, role: Option<&str>) -> (Value, String) {
    let mut body = json!({"email": email, "name": "Pat Person"});
    if let Some(role) = role {
        body["role"] = json!(role);
    }
    let person = server.post("/v1/users", &org.secret, body).await;
    assert_eq!(person.status, 201, "{:?}", person.body);
    let key = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": person.body["id"]})).await;
    assert_eq!(key.status, 201, "{:?}", key.body);
    assert_eq!(key.body["userId"], person.body["id"]);
    (person.body["id"].clone(), key.body["key"].as_str().unwrap().to_owned())
}

async fn the_owner_is_an_admin_and_a_person_is_a_member_unless_told(backend: Backend) {
    // GIVEN an organization and a person added without a role
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (_, member) = person_with_key(&server, &org, "pat@acme.example.com", None).await;

    // WHEN the owner's key and the person's key each add someone
    let by_owner = server.post("/v1/users", &org.secret, json!({"email": "a@acme.example.com", "name": "A"})).await;
    let by_member = server.post("/v1/users", &member, json!({"email": "b@acme.example.com", "name": "B"})).await;

    // THEN the owner (an admin) may, the person (a member) may not
    assert_eq!(by_owner.status, 201, "{:?}", by_owner.body);
    assert_eq!(by_member.status, 403, "{:?}", by_member.body);
    assert_eq!(by_member.body["error"], "forbidden");
}

async fn a_key_made_for_a_member_acts_as_the_member(backend: Backend) {
    // GIVEN a member with a key of their own
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (id, member) = person_with_key(&server, &org, "pat@acme.example.com", Some("member")).await;

    // WHEN the member makes a key for themselves, without naming anyone
    let own = server.post("/v1/api-keys", &member, json!({"kind": "public"})).await;

    // THEN it acts as the member too
    assert_eq!(own.status, 201, "{:?}", own.body);
    assert_eq!(own.body["userId"], id);
}

async fn a_member_is_refused_the_admin_routes_with_a_403(backend: Backend) {
    // GIVEN a member's key, and a flow ready to assign
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let (_, member) = person_with_key(&server, &org, "pat@acme.example.com", Some("member")).await;

    // WHEN the member assigns a flow, lists webhooks and makes one
    let assigned =
        server.post("/v1/flows/assign", &member, json!({"flowId": flow, "userEmail": "employee@company.com"})).await;
    let listed = server.get("/v1/webhooks", &member).await;
    let hook = server.post("/v1/webhooks", &member, json!({"url": "http://127.0.0.1:9/hooks"})).await;

    // THEN each is a 403 saying why, and nothing was written
    for reply in [&assigned, &listed, &hook] {
        assert_eq!(reply.status, 403, "{:?}", reply.body);
        assert_eq!(reply.body["message"], "This route requires the key of an organization admin");
    }
    assert_eq!(server.get("/v1/webhooks", &org.secret).await.body["items"].as_array().unwrap().len(), 0);
}

async fn a_key_for_a_user_the_organization_does_not_have_is_a_400(backend: Backend) {
    // GIVEN two organizations
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let other = server.organization("Other", "standard").await;
    let (someone_else, _) = person_with_key(&server, &other, "pat@other.example.com", None).await;

    // WHEN the first's admin asks for keys acting as an unknown user and as the other organization's user
    let unknown = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": 999_999})).await;
    let foreign = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": someone_else})).await;

    // THEN both are a 400 naming userId, and no key was made
    for reply in [&unknown, &foreign] {
        assert_eq!(reply.status, 400, "{:?}", reply.body);
        assert!(reply.body["errors"]["userId"].is_array(), "{:?}", reply.body);
    }
    assert_eq!(server.get("/v1/api-keys", &org.secret).await.body["items"].as_array().unwrap().len(), 2);
}

async fn a_member_cannot_make_a_key_for_someone_else(backend: Backend) {
    // GIVEN a member
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (_, member) = person_with_key(&server, &org, "pat@acme.example.com", None).await;
    let owner = &org.body["owner"]["id"];

    // WHEN the member asks for a key acting as the owner
    let reply = server.post("/v1/api-keys", &member, json!({"kind": "secret", "userId": owner})).await;

    // THEN it is a 403
    assert_eq!(reply.status, 403, "{:?}", reply.body);
    assert_eq!(reply.body["message"], "Only an organization admin may make a key for another user");
}

async fn a_member_sees_and_revokes_only_their_own_keys(backend: Backend) {
    // GIVEN a member with a key, and the owner's two keys
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (id, member) = person_with_key(&server, &org, "pat@acme.example.com", None).await;
    let all = server.get("/v1/api-keys", &org.secret).await;
    let owners: Vec<String> = all.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|k| k["userId"] != id)
        .map(|k| k["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(owners.len(), 2);

    // WHEN the member lists keys and revokes one of the owner's
    let listed = server.get("/v1/api-keys", &member).await;
    let revoked = server.send("DELETE", &format!("/v1/api-keys/{}", owners[0]), Some(&member), None, &[]).await;

    // THEN the member sees only their own, and the owner's is answered as missing and still works
    assert_eq!(listed.status, 200);
    let seen: Vec<&Value> = listed.body["items"].as_array().unwrap().iter().map(|k| &k["userId"]).collect();
    assert_eq!(seen, vec![&id]);
    assert_eq!(revoked.status, 404, "{:?}", revoked.body);
    assert_eq!(server.get("/v1/users", &org.secret).await.status, 200);
}

async fn a_member_reads_only_their_own_assignments(backend: Backend) {
    // GIVEN a flow assigned to a member and to another person
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let (_, member) = person_with_key(&server, &org, "pat@acme.example.com", None).await;
    let assign = |email: &'static str| {
        let (server, key, flow) = (&server, org.secret.clone(), flow.clone());
        async move {
            let reply = server.post("/v1/flows/assign", &key, json!({"flowId": flow, "userEmail": email})).await;
            assert_eq!(reply.status, 200, "{:?}", reply.body);
            reply.body["assignmentId"].as_str().unwrap().to_owned()
        }
    };
    let theirs = assign("pat@acme.example.com").await;
    let others = assign("employee@company.com").await;

    // WHEN the member reads both
    let own = server.get(&format!("/v1/assignments/{theirs}"), &member).await;
    let not_own = server.get(&format!("/v1/assignments/{others}"), &member).await;

    // THEN their own is answered, the other as missing
    assert_eq!(own.status, 200, "{:?}", own.body);
    assert_eq!(own.body["userEmail"], "pat@acme.example.com");
    assert_eq!(not_own.status, 404, "{:?}", not_own.body);
    assert_eq!(server.get(&format!("/v1/assignments/{others}"), &org.secret).await.status, 200);
}

async fn an_admin_made_by_an_admin_may_add_people(backend: Backend) {
    // GIVEN a second admin, added by the owner
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (_, admin) = person_with_key(&server, &org, "ada@acme.example.com", Some("admin")).await;

    // WHEN the second admin adds a person
    let added = server.post("/v1/users", &admin, json!({"email": "c@acme.example.com", "name": "C"})).await;

    // THEN it works
    assert_eq!(added.status, 201, "{:?}", added.body);
}
