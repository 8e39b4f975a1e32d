//! Webhook endpoints: management, secrets shown once, rotation, bad input and the SSRF guard.

use std::sync::Arc;

use flows_shared::model::{OrgId, Timestamp, WebhookId};
use flows_shared::webhooks::signing::secret_key;
use flows_testkit::{store, Backend, StaticResolver, TestServer};
use serde_json::json;

crate::on_both_backends!(
    endpoints_are_created_listed_changed_rotated_and_deleted,
    bad_endpoints_are_refused_and_nothing_is_stored,
    outside_local_mode_only_public_https_destinations_are_accepted,
    endpoints_belong_to_their_organization_and_need_a_secret_key,
);

async fn endpoints_are_created_listed_changed_rotated_and_deleted(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN an endpoint is created without events
    let created = server.post("/v1/webhooks", &org.secret, json!({"url": "http://127.0.0.1:9/hooks"})).await;

    // THEN it gets all four, enabled, with a secret of the documented shape shown this once
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(created.body["events"], json!(["flow.assigned", "flow.started", "flow.completed", "flow.overdue"]));
    assert_eq!(created.body["enabled"], true);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret_key(&secret).map(|k| k.len()), Some(32), "{secret}");
    let id = created.body["id"].as_str().unwrap().to_owned();
    let listed = server.get("/v1/webhooks", &org.secret).await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert!(!listed.body.to_string().contains(&secret), "the secret is never shown again");
    let got = server.get(&format!("/v1/webhooks/{id}"), &org.secret).await;
    assert_eq!(got.status, 200);
    assert!(got.body.get("secret").is_none());

    // AND it can be changed
    let patched = server
        .send(
            "PATCH",
            &format!("/v1/webhooks/{id}"),
            Some(&org.secret),
            Some(&json!({"events": ["flow.overdue", "flow.overdue"], "enabled": false})),
            &[],
        )
        .await;
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    assert_eq!(patched.body["events"], json!(["flow.overdue"]));
    assert_eq!(patched.body["enabled"], false);
    assert_eq!(patched.body["url"], "http://127.0.0.1:9/hooks");

    // AND its secret rotated: a new one, the old one signing for 24 more hours
    let rotated = server.post(&format!("/v1/webhooks/{id}/rotate-secret"), &org.secret, json!({})).await;
    assert_eq!(rotated.status, 200, "{:?}", rotated.body);
    let new_secret = rotated.body["secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    assert!(secret_key(new_secret).is_some());
    assert!(rotated.body["previousSecretExpiresAt"].is_string());
    let org_id = OrgId(org.body["organization"]["id"].as_u64().unwrap());
    let stored = server.state.store.get_webhook(org_id, &WebhookId::parse(&id).unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.signing_secrets(Timestamp::now()), vec![new_secret, secret.as_str()]);

    // AND deleted
    let deleted = server.send("DELETE", &format!("/v1/webhooks/{id}"), Some(&org.secret), None, &[]).await;
    assert_eq!(deleted.status, 204);
    assert_eq!(server.get(&format!("/v1/webhooks/{id}"), &org.secret).await.status, 404);
    assert_eq!(server.send("DELETE", &format!("/v1/webhooks/{id}"), Some(&org.secret), None, &[]).await.status, 404);
}

async fn bad_endpoints_are_refused_and_nothing_is_stored(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let cases = [
        (json!({}), "url"),
        (json!({"url": "not a url"}), "url"),
        (json!({"url": "ftp://127.0.0.1/x"}), "url"),
        (json!({"url": format!("http://127.0.0.1/{}", "x".repeat(3000))}), "url"),
        (json!({"url": "http://10.0.0.8/x"}), "url"),
        (json!({"url": "http://127.0.0.1/x", "events": ["flow.deleted"]}), "events"),
        (json!({"url": "http://127.0.0.1/x", "events": []}), "events"),
        (json!({"url": "http://127.0.0.1/x", "events": "flow.assigned"}), "events"),
        (json!({"url": "http://127.0.0.1/x", "enabled": "yes"}), "enabled"),
    ];
    for (body, field) in cases {
        let reply = server.post("/v1/webhooks", &org.secret, body.clone()).await;
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
        assert!(reply.body["errors"].get(field).is_some(), "{body}: {:?}", reply.body);
    }
    let too_big = format!("{{\"url\":\"http://127.0.0.1/{}\"}}", "x".repeat(1024 * 1024));
    let reply =
        server.send_raw("POST", "/v1/webhooks", Some(&org.secret), Some("application/json"), too_big.into()).await;
    assert_eq!(reply.status, 413);
    assert_eq!(server.get("/v1/webhooks", &org.secret).await.body, json!([]));

    let created = server.post("/v1/webhooks", &org.secret, json!({"url": "http://127.0.0.1:9/x"})).await;
    let id = created.body["id"].as_str().unwrap();
    let bad_patch = server
        .send("PATCH", &format!("/v1/webhooks/{id}"), Some(&org.secret), Some(&json!({"url": "gopher://x"})), &[])
        .await;
    assert_eq!(bad_patch.status, 400);
    assert_eq!(server.get(&format!("/v1/webhooks/{id}"), &org.secret).await.body["url"], "http://127.0.0.1:9/x");
}

async fn outside_local_mode_only_public_https_destinations_are_accepted(backend: Backend) {
    let resolver = StaticResolver::with(&[
        ("hooks.example.com", "93.184.216.34"),
        ("internal.example.com", "10.0.0.5"),
        ("metadata.example.com", "169.254.169.254"),
        ("sneaky.example.com", "93.184.216.34"),
        ("sneaky.example.com", "127.0.0.1"),
        ("mapped.example.com", "::ffff:192.168.0.1"),
    ]);
    let server = TestServer::start_custom(store(backend).await, |c| c.local_mode = false, Arc::new(resolver)).await;
    let org = server.organization("Acme", "standard").await;
    for url in [
        "http://hooks.example.com/x",
        "https://internal.example.com/x",
        "https://metadata.example.com/latest/meta-data",
        "https://sneaky.example.com/x",
        "https://mapped.example.com/x",
        "https://127.0.0.1/x",
        "https://[::1]/x",
        "https://[::ffff:10.0.0.1]/x",
        "https://100.64.0.1/x",
        "https://[fd00::1]/x",
        "https://unknown.example.com/x",
    ] {
        let reply = server.post("/v1/webhooks", &org.secret, json!({ "url": url })).await;
        assert_eq!(reply.status, 400, "{url}: {:?}", reply.body);
        assert!(reply.body["errors"]["url"].is_array(), "{url}");
    }
    assert_eq!(server.get("/v1/webhooks", &org.secret).await.body, json!([]));
    let ok = server.post("/v1/webhooks", &org.secret, json!({"url": "https://hooks.example.com/flows"})).await;
    assert_eq!(ok.status, 201, "{:?}", ok.body);
}

async fn endpoints_belong_to_their_organization_and_need_a_secret_key(backend: Backend) {
    let server = TestServer::start(backend).await;
    let a = server.organization("Alpha", "standard").await;
    let b = server.organization("Beta", "standard").await;
    let created = server.post("/v1/webhooks", &a.secret, json!({"url": "http://127.0.0.1:9/x"})).await;
    let id = created.body["id"].as_str().unwrap();
    for (method, path) in [
        ("GET", format!("/v1/webhooks/{id}")),
        ("PATCH", format!("/v1/webhooks/{id}")),
        ("DELETE", format!("/v1/webhooks/{id}")),
        ("POST", format!("/v1/webhooks/{id}/rotate-secret")),
    ] {
        let reply = server.send(method, &path, Some(&b.secret), Some(&json!({})), &[]).await;
        assert_eq!(reply.status, 404, "{method} {path}");
    }
    assert_eq!(server.get("/v1/webhooks", &b.secret).await.body, json!([]));
    let public = server.post("/v1/webhooks", &a.public, json!({"url": "http://127.0.0.1:9/y"})).await;
    assert_eq!(public.status, 403);
}
