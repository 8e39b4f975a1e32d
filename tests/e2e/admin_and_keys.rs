//! `/admin/organizations` and `/v1/api-keys`: bootstrap, key kinds, revocation, and isolation between
//! organizations.

use flows_testkit::{Backend, Org, TestServer, ADMIN_TOKEN};
use serde_json::json;

crate::on_both_backends!(
    admin_bootstrap_returns_organization_owner_and_keys,
    an_organization_name_taken_in_any_case_is_a_409,
    an_organization_named_like_a_fixed_flowdock_path_gets_a_suffixed_slug,
    bad_bootstrap_input_is_a_400_naming_each_field,
    admin_routes_refuse_a_missing_or_wrong_token_with_a_401,
    admin_routes_vanish_without_an_admin_token_configured,
    a_created_key_starts_with_its_prefix_and_works_at_once,
    listed_keys_never_show_a_key_again,
    a_revoked_key_is_refused_at_once,
    revoking_an_unknown_key_is_a_404,
    an_unknown_key_kind_is_a_400,
    public_keys_only_reach_public_routes,
    another_organizations_assignment_is_a_404,
    creating_a_flow_in_another_organization_is_a_404_as_if_it_did_not_exist,
    assigning_another_organizations_flow_is_a_404,
    users_list_only_the_organizations_own_people,
    api_keys_list_only_the_organizations_own_keys,
    revoking_another_organizations_key_is_a_404,
);

async fn admin_bootstrap_returns_organization_owner_and_keys(backend: Backend) {
    // GIVEN a server
    let server = TestServer::start(backend).await;

    // WHEN an enterprise organization is bootstrapped with its owner
    let org = server.organization("Acme Corp", "enterprise").await;

    // THEN it answers with the organization, its owner and a secret and a public key
    let o = &org.body["organization"];
    assert_eq!(o["name"], "Acme Corp");
    assert_eq!(o["parameterized_name"], "acme-corp");
    assert_eq!(o["user_count"], 1);
    assert_eq!(o["user_limit"], 0);
    assert_eq!(o["active"], true);
    assert_eq!(o["url"], format!("{}/organizations/acme-corp", server.base));
    assert!(o["id"].is_u64());
    let owner = &org.body["owner"];
    assert_eq!(owner["email"], "owner@acmecorp.example.com");
    assert_eq!(owner["nick"], "Joe");
    assert_eq!(owner["name"], "Joe Smith");
    assert!(owner["id"].is_u64());
    assert!(org.secret.starts_with("sk_"));
    assert!(org.public.starts_with("pk_"));
}

async fn an_organization_name_taken_in_any_case_is_a_409(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    server.organization("Acme Corp", "enterprise").await;

    // WHEN another is bootstrapped with the same name in another case
    let again = server
        .send(
            "POST",
            "/admin/organizations",
            Some(ADMIN_TOKEN),
            Some(&json!({"name": "acme corp", "owner": {"email": "x@y.com", "name": "X"}})),
            &[],
        )
        .await;

    // THEN it is a conflict
    assert_eq!(again.status, 409, "{:?}", again.body);
}

async fn an_organization_named_like_a_fixed_flowdock_path_gets_a_suffixed_slug(backend: Backend) {
    // GIVEN a server
    let server = TestServer::start(backend).await;

    // WHEN organizations named "All" and "Find" are bootstrapped
    let all = server.organization("All", "standard").await;
    let find = server.organization("Find", "standard").await;

    // THEN their slugs leave `/flows/all` and `/flows/find` to Flowdock's fixed routes
    assert_eq!(all.slug, "all-2");
    assert_eq!(find.slug, "find-2");
}

async fn bad_bootstrap_input_is_a_400_naming_each_field(backend: Backend) {
    // GIVEN a server
    let server = TestServer::start(backend).await;

    // WHEN an organization is bootstrapped with every field wrong
    let bad = server
        .send(
            "POST",
            "/admin/organizations",
            Some(ADMIN_TOKEN),
            Some(&json!({"name": "", "tier": "gold", "owner": {"email": "nope"}})),
            &[],
        )
        .await;

    // THEN it is a 400 naming each field
    assert_eq!(bad.status, 400);
    for field in ["name", "tier", "owner.email", "owner.name"] {
        assert!(bad.body["errors"].get(field).is_some(), "{field}: {:?}", bad.body);
    }
}

fn bootstrap_body() -> serde_json::Value {
    json!({"name": "Acme", "owner": {"email": "joe@example.com", "name": "Joe Smith"}})
}

async fn admin_routes_refuse_a_missing_or_wrong_token_with_a_401(backend: Backend) {
    // GIVEN a server with an admin token
    let server = TestServer::start(backend).await;

    for token in [None, Some("wrong-token")] {
        // WHEN an organization is bootstrapped without the token, or with another
        let reply = server.send("POST", "/admin/organizations", token, Some(&bootstrap_body()), &[]).await;

        // THEN it is a 401
        assert_eq!(reply.status, 401);
        assert_eq!(reply.body["error"], "unauthorized");
    }
}

async fn admin_routes_vanish_without_an_admin_token_configured(backend: Backend) {
    // GIVEN a server with no admin token configured
    let hidden = TestServer::start_with(backend, |c| c.admin_token = None).await;

    // WHEN an organization is bootstrapped with the usual token
    let reply = hidden.send("POST", "/admin/organizations", Some(ADMIN_TOKEN), Some(&bootstrap_body()), &[]).await;

    // THEN the route is not there
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body["error"], "not_found");
}

/// Creates a secret key for `org`; returns the key and its id.
async fn create_secret_key(server: &TestServer, org: &Org) -> (String, String) {
    let created = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret"})).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    (created.body["key"].as_str().unwrap().to_owned(), created.body["id"].as_str().unwrap().to_owned())
}

async fn a_created_key_starts_with_its_prefix_and_works_at_once(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a secret key is created
    let created = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret"})).await;

    // THEN it is shown, starting with its prefix
    assert_eq!(created.status, 201, "{:?}", created.body);
    let key = created.body["key"].as_str().unwrap().to_owned();
    assert!(key.starts_with(created.body["prefix"].as_str().unwrap()));

    // AND it works at once
    assert_eq!(server.get("/v1/users", &key).await.status, 200);
}

async fn listed_keys_never_show_a_key_again(backend: Backend) {
    // GIVEN an organization with a key created besides the owner's two
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (key, _) = create_secret_key(&server, &org).await;

    // WHEN the keys are listed
    let listed = server.get("/v1/api-keys", &org.secret).await;

    // THEN all three are listed, and no key itself is shown
    assert_eq!(listed.status, 200);
    let keys = listed.body["items"].as_array().unwrap();
    assert_eq!(keys.len(), 3, "owner's two and the new one: {keys:?}");
    assert!(!listed.body.to_string().contains(&key), "a key is never shown again");
    assert!(!listed.body.to_string().contains(&org.secret));
}

async fn a_revoked_key_is_refused_at_once(backend: Backend) {
    // GIVEN an organization with a key created besides the owner's two
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (key, id) = create_secret_key(&server, &org).await;

    // WHEN the key is revoked
    let revoked = server.send("DELETE", &format!("/v1/api-keys/{id}"), Some(&org.secret), None, &[]).await;

    // THEN the revocation is dated
    assert_eq!(revoked.status, 200, "{:?}", revoked.body);
    assert!(revoked.body["revokedAt"].is_string());

    // AND the key is refused at once, as any unknown key
    let after = server.get("/v1/users", &key).await;
    assert_eq!(after.status, 401);
    assert_eq!(after.body, json!({"error": "unauthorized", "message": "Invalid or missing API key"}));
}

async fn revoking_an_unknown_key_is_a_404(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    for unknown in ["key_0000000000000000", "whatever"] {
        // WHEN a key id that does not exist is revoked
        let missing = server.send("DELETE", &format!("/v1/api-keys/{unknown}"), Some(&org.secret), None, &[]).await;

        // THEN it is a 404
        assert_eq!(missing.status, 404);
    }
}

async fn an_unknown_key_kind_is_a_400(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a key of a kind that does not exist is created
    let bad_kind = server.post("/v1/api-keys", &org.secret, json!({"kind": "root"})).await;

    // THEN it is a 400 naming the kinds
    assert_eq!(bad_kind.status, 400);
    assert_eq!(bad_kind.body["errors"]["kind"][0], "must be one of secret, public");
}

async fn public_keys_only_reach_public_routes(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    for (method, path) in [("GET", "/v1/users"), ("GET", "/v1/api-keys"), ("POST", "/v1/flows/assign")] {
        // WHEN a route that is not public is sent its public key
        let reply = server.send(method, path, Some(&org.public), Some(&json!({})), &[]).await;

        // THEN it is a 403
        assert_eq!(reply.status, 403, "{method} {path}: {:?}", reply.body);
        assert_eq!(reply.body["error"], "forbidden");
    }
}

/// Two organizations, Alpha ready to assign with its flow assigned, and Beta; returns Alpha, its flow, the
/// assignment's id and Beta.
async fn two_organizations_one_with_an_assignment(server: &TestServer) -> (Org, String, String, Org) {
    let (a, flow_id) = server.ready_to_assign("Alpha").await;
    let b = server.organization("Beta", "standard").await;
    let assigned = server
        .post("/v1/flows/assign", &a.secret, json!({"flowId": flow_id, "userEmail": "employee@company.com"}))
        .await;
    let assignment = assigned.body["assignmentId"].as_str().unwrap().to_owned();
    (a, flow_id, assignment, b)
}

async fn another_organizations_assignment_is_a_404(backend: Backend) {
    // GIVEN two organizations, one with a flow assigned
    let server = TestServer::start(backend).await;
    let (_, _, assignment, b) = two_organizations_one_with_an_assignment(&server).await;

    // WHEN the other organization's key reads the assignment
    let read = server.get(&format!("/v1/assignments/{assignment}"), &b.secret).await;

    // THEN it is not found: 404, never 403
    assert_eq!(read.status, 404);
}

async fn creating_a_flow_in_another_organization_is_a_404_as_if_it_did_not_exist(backend: Backend) {
    // GIVEN two organizations, one with a flow assigned
    let server = TestServer::start(backend).await;
    let (a, _, _, b) = two_organizations_one_with_an_assignment(&server).await;

    // WHEN the other organization's key creates a flow in the first
    let flow = server.post(&format!("/flows/{}", a.slug), &b.secret, json!({"name": "Intruder"})).await;

    // THEN the first organization does not exist for it: 404, never 403
    assert_eq!(flow.status, 404);
    assert_eq!(flow.body["message"], format!("Organization '{}' does not exist", a.slug));
}

async fn assigning_another_organizations_flow_is_a_404(backend: Backend) {
    // GIVEN two organizations, one with a flow assigned
    let server = TestServer::start(backend).await;
    let (_, flow_id, _, b) = two_organizations_one_with_an_assignment(&server).await;

    // WHEN the other organization's key assigns that flow
    let assign = server
        .post("/v1/flows/assign", &b.secret, json!({"flowId": flow_id, "userEmail": "employee@company.com"}))
        .await;

    // THEN it is not found: 404, never 403
    assert_eq!(assign.status, 404);
}

async fn users_list_only_the_organizations_own_people(backend: Backend) {
    // GIVEN two organizations, one with a flow assigned to one of its people
    let server = TestServer::start(backend).await;
    let (_, _, _, b) = two_organizations_one_with_an_assignment(&server).await;

    // WHEN the other organization lists its users
    let users = server.get("/v1/users", &b.secret).await;

    // THEN it finds only its own owner
    assert_eq!(users.body["items"].as_array().unwrap().len(), 1, "only Beta's owner: {:?}", users.body);
}

async fn api_keys_list_only_the_organizations_own_keys(backend: Backend) {
    // GIVEN two organizations, one with a flow assigned
    let server = TestServer::start(backend).await;
    let (a, _, _, b) = two_organizations_one_with_an_assignment(&server).await;
    let a_keys = server.get("/v1/api-keys", &a.secret).await;
    let a_id = a_keys.body["items"][0]["id"].as_str().unwrap();

    // WHEN the other organization lists its keys
    let keys = server.get("/v1/api-keys", &b.secret).await;

    // THEN the first organization's keys are not among them
    assert!(!keys.body.to_string().contains(a_id));
}

async fn revoking_another_organizations_key_is_a_404(backend: Backend) {
    // GIVEN two organizations, one with a flow assigned
    let server = TestServer::start(backend).await;
    let (a, _, _, b) = two_organizations_one_with_an_assignment(&server).await;
    let a_keys = server.get("/v1/api-keys", &a.secret).await;
    let a_id = a_keys.body["items"][0]["id"].as_str().unwrap();

    // WHEN the other organization's key revokes one of the first organization's keys
    let revoke = server.send("DELETE", &format!("/v1/api-keys/{a_id}"), Some(&b.secret), None, &[]).await;

    // THEN it is not found: 404, never 403
    assert_eq!(revoke.status, 404);
}
