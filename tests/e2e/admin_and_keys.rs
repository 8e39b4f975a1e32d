//! `/admin/organizations` and `/v1/api-keys`: bootstrap, key kinds, revocation, and isolation between
//! organizations.

use flows_testkit::{Backend, TestServer, ADMIN_TOKEN};
use serde_json::json;

crate::on_both_backends!(
    admin_bootstrap_returns_organization_owner_and_keys,
    admin_routes_need_the_token_and_vanish_without_it,
    keys_are_shown_once_listed_by_prefix_and_revoked_at_once,
    public_keys_only_reach_public_routes,
    one_organization_cannot_see_another,
);

async fn admin_bootstrap_returns_organization_owner_and_keys(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme Corp", "enterprise").await;
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

    // The same name again is a conflict, and creates nothing
    let again = server
        .send(
            "POST",
            "/admin/organizations",
            Some(ADMIN_TOKEN),
            Some(&json!({"name": "acme corp", "owner": {"email": "x@y.com", "name": "X"}})),
            &[],
        )
        .await;
    assert_eq!(again.status, 409, "{:?}", again.body);

    // Bad input names each field
    let bad = server
        .send(
            "POST",
            "/admin/organizations",
            Some(ADMIN_TOKEN),
            Some(&json!({"name": "", "tier": "gold", "owner": {"email": "nope"}})),
            &[],
        )
        .await;
    assert_eq!(bad.status, 400);
    for field in ["name", "tier", "owner.email", "owner.name"] {
        assert!(bad.body["errors"].get(field).is_some(), "{field}: {:?}", bad.body);
    }
}

async fn admin_routes_need_the_token_and_vanish_without_it(backend: Backend) {
    let body = json!({"name": "Acme", "owner": {"email": "joe@example.com", "name": "Joe Smith"}});
    let server = TestServer::start(backend).await;
    for token in [None, Some("wrong-token")] {
        let reply = server.send("POST", "/admin/organizations", token, Some(&body), &[]).await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.body["error"], "unauthorized");
    }

    let hidden = TestServer::start_with(backend, |c| c.admin_token = None).await;
    let reply = hidden.send("POST", "/admin/organizations", Some(ADMIN_TOKEN), Some(&body), &[]).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body["error"], "not_found");
}

async fn keys_are_shown_once_listed_by_prefix_and_revoked_at_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    let created = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret"})).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    let key = created.body["key"].as_str().unwrap().to_owned();
    let id = created.body["id"].as_str().unwrap().to_owned();
    assert!(key.starts_with(created.body["prefix"].as_str().unwrap()));
    assert_eq!(server.get("/v1/users", &key).await.status, 200);

    let listed = server.get("/v1/api-keys", &org.secret).await;
    assert_eq!(listed.status, 200);
    let keys = listed.body.as_array().unwrap();
    assert_eq!(keys.len(), 3, "owner's two and the new one: {keys:?}");
    assert!(!listed.body.to_string().contains(&key), "a key is never shown again");
    assert!(!listed.body.to_string().contains(&org.secret));

    let revoked = server.send("DELETE", &format!("/v1/api-keys/{id}"), Some(&org.secret), None, &[]).await;
    assert_eq!(revoked.status, 200, "{:?}", revoked.body);
    assert!(revoked.body["revokedAt"].is_string());
    let after = server.get("/v1/users", &key).await;
    assert_eq!(after.status, 401);
    assert_eq!(after.body, json!({"error": "unauthorized", "message": "Invalid or missing API key"}));

    for unknown in ["key_0000000000000000", "whatever"] {
        let missing = server.send("DELETE", &format!("/v1/api-keys/{unknown}"), Some(&org.secret), None, &[]).await;
        assert_eq!(missing.status, 404);
    }
    let bad_kind = server.post("/v1/api-keys", &org.secret, json!({"kind": "root"})).await;
    assert_eq!(bad_kind.status, 400);
    assert_eq!(bad_kind.body["errors"]["kind"][0], "must be one of secret, public");
}

async fn public_keys_only_reach_public_routes(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    for (method, path) in [("GET", "/v1/users"), ("GET", "/v1/api-keys"), ("POST", "/v1/flows/assign")] {
        let reply = server.send(method, path, Some(&org.public), Some(&json!({})), &[]).await;
        assert_eq!(reply.status, 403, "{method} {path}: {:?}", reply.body);
        assert_eq!(reply.body["error"], "forbidden");
    }
}

async fn one_organization_cannot_see_another(backend: Backend) {
    // GIVEN two organizations, one with a flow assigned
    let server = TestServer::start(backend).await;
    let (a, flow_id) = server.ready_to_assign("Alpha").await;
    let b = server.organization("Beta", "standard").await;
    let assigned = server
        .post("/v1/flows/assign", &a.secret, json!({"flowId": flow_id, "userEmail": "employee@company.com"}))
        .await;
    let assignment = assigned.body["assignmentId"].as_str().unwrap();

    // THEN the other organization's key finds nothing of it: 404, never 403
    let read = server.get(&format!("/v1/assignments/{assignment}"), &b.secret).await;
    assert_eq!(read.status, 404);
    let flow = server.post(&format!("/flows/{}", a.slug), &b.secret, json!({"name": "Intruder"})).await;
    assert_eq!(flow.status, 404);
    assert_eq!(flow.body["message"], format!("Organization '{}' does not exist", a.slug));
    let assign = server
        .post("/v1/flows/assign", &b.secret, json!({"flowId": flow_id, "userEmail": "employee@company.com"}))
        .await;
    assert_eq!(assign.status, 404);
    let users = server.get("/v1/users", &b.secret).await;
    assert_eq!(users.body.as_array().unwrap().len(), 1, "only Beta's owner: {:?}", users.body);
    let keys = server.get("/v1/api-keys", &b.secret).await;
    let a_keys = server.get("/v1/api-keys", &a.secret).await;
    let a_id = a_keys.body[0]["id"].as_str().unwrap();
    assert!(!keys.body.to_string().contains(a_id));
    let revoke = server.send("DELETE", &format!("/v1/api-keys/{a_id}"), Some(&b.secret), None, &[]).await;
    assert_eq!(revoke.status, 404);
}
