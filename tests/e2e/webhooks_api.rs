//! Webhook endpoints: management, secrets shown once, rotation, bad input, the SSRF guard and isolation between
//! organizations.

use flows_shared::store::ports::*;
use std::sync::Arc;

use flows_shared::model::{OrgId, Timestamp, WebhookId};
use flows_shared::webhooks::signing::secret_key;
use flows_testkit::{store, Backend, Org, StaticResolver, TestServer};
use serde_json::json;

crate::on_both_backends!(
    a_created_endpoint_gets_every_event_enabled_and_a_secret_shown_once,
    an_endpoint_can_be_changed,
    rotating_a_secret_gives_a_new_one_and_the_old_one_signs_until_it_expires,
    a_deleted_endpoint_is_gone,
    bad_endpoints_are_a_400_naming_the_field_and_nothing_is_stored,
    an_endpoint_body_over_the_size_limit_is_a_413_and_nothing_is_stored,
    a_bad_change_is_a_400_and_leaves_the_endpoint_as_it_was,
    outside_local_mode_private_plain_http_and_unresolved_destinations_are_refused,
    outside_local_mode_a_public_https_destination_is_accepted,
    another_organizations_endpoint_is_a_404_on_every_route,
    another_organization_lists_none_of_the_endpoints,
    a_public_key_cannot_create_an_endpoint,
);

/// Creates an endpoint of `org` for `url` with the default events; returns its id and its secret.
async fn create_endpoint(server: &TestServer, org: &Org, url: &str) -> (String, String) {
    let created = server.post("/v1/webhooks", &org.secret, json!({ "url": url })).await;
    assert_eq!(created.status, 201, "{:?}", created.body);
    (created.body["id"].as_str().unwrap().to_owned(), created.body["secret"].as_str().unwrap().to_owned())
}

async fn a_created_endpoint_gets_every_event_enabled_and_a_secret_shown_once(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN an endpoint is created without events
    let created = server.post("/v1/webhooks", &org.secret, json!({"url": "http://127.0.0.1:9/hooks"})).await;

    // THEN it gets every type (SuperOffice's emailflow.step too, and those added later: it is stored as "every"),
    // enabled, with a secret of the documented shape
    assert_eq!(created.status, 201, "{:?}", created.body);
    let every =
        json!(["flow.assigned", "flow.started", "flow.completed", "flow.overdue", "flow.cancelled", "emailflow.step"]);
    assert_eq!(created.body["events"], every);
    let stored = server.state.store.list_webhooks(org.id).await.unwrap();
    assert!(stored[0].events.is_empty(), "{:?}", stored[0].events);
    assert_eq!(created.body["enabled"], true);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert_eq!(secret_key(&secret).map(|k| k.len()), Some(32), "{secret}");

    // AND the secret is shown this once: neither listed nor read again
    let id = created.body["id"].as_str().unwrap().to_owned();
    let listed = server.get("/v1/webhooks", &org.secret).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    assert!(!listed.body.to_string().contains(&secret), "the secret is never shown again");
    let got = server.get(&format!("/v1/webhooks/{id}"), &org.secret).await;
    assert_eq!(got.status, 200);
    assert!(got.body.get("secret").is_none());
}

async fn an_endpoint_can_be_changed(backend: Backend) {
    // GIVEN an endpoint
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (id, _) = create_endpoint(&server, &org, "http://127.0.0.1:9/hooks").await;

    // WHEN its events (one given twice) and its state are changed
    let patched = server
        .send(
            "PATCH",
            &format!("/v1/webhooks/{id}"),
            Some(&org.secret),
            Some(&json!({"events": ["flow.overdue", "flow.overdue"], "enabled": false})),
            &[],
        )
        .await;

    // THEN it answers with them changed, once each, and the rest as it was
    assert_eq!(patched.status, 200, "{:?}", patched.body);
    assert_eq!(patched.body["events"], json!(["flow.overdue"]));
    assert_eq!(patched.body["enabled"], false);
    assert_eq!(patched.body["url"], "http://127.0.0.1:9/hooks");
}

async fn rotating_a_secret_gives_a_new_one_and_the_old_one_signs_until_it_expires(backend: Backend) {
    // GIVEN an endpoint
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (id, secret) = create_endpoint(&server, &org, "http://127.0.0.1:9/hooks").await;

    // WHEN its secret is rotated
    let rotated = server.post(&format!("/v1/webhooks/{id}/rotate-secret"), &org.secret, json!({})).await;

    // THEN it answers with a new one, and when the old one expires
    assert_eq!(rotated.status, 200, "{:?}", rotated.body);
    let new_secret = rotated.body["secret"].as_str().unwrap();
    assert_ne!(new_secret, secret);
    assert!(secret_key(new_secret).is_some());
    assert!(rotated.body["previousSecretExpiresAt"].is_string());

    // AND until then both sign, the new one first
    let org_id = OrgId(org.body["organization"]["id"].as_u64().unwrap());
    let stored = server.state.store.get_webhook(org_id, &WebhookId::parse(&id).unwrap()).await.unwrap().unwrap();
    assert_eq!(stored.signing_secrets(Timestamp::now()), vec![new_secret, secret.as_str()]);
}

async fn a_deleted_endpoint_is_gone(backend: Backend) {
    // GIVEN an endpoint
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (id, _) = create_endpoint(&server, &org, "http://127.0.0.1:9/hooks").await;

    // WHEN it is deleted
    let deleted = server.send("DELETE", &format!("/v1/webhooks/{id}"), Some(&org.secret), None, &[]).await;

    // THEN it answers 204
    assert_eq!(deleted.status, 204);

    // AND it can be neither read nor deleted again
    assert_eq!(server.get(&format!("/v1/webhooks/{id}"), &org.secret).await.status, 404);
    assert_eq!(server.send("DELETE", &format!("/v1/webhooks/{id}"), Some(&org.secret), None, &[]).await.status, 404);
}

async fn bad_endpoints_are_a_400_naming_the_field_and_nothing_is_stored(backend: Backend) {
    // GIVEN an organization
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
        // WHEN an endpoint is created with one bad field
        let reply = server.post("/v1/webhooks", &org.secret, body.clone()).await;

        // THEN it is a 400 naming the field
        assert_eq!(reply.status, 400, "{body}: {:?}", reply.body);
        assert!(reply.body["errors"].get(field).is_some(), "{body}: {:?}", reply.body);
    }

    // AND nothing was stored
    assert_eq!(server.get("/v1/webhooks", &org.secret).await.body["items"], json!([]));
}

async fn an_endpoint_body_over_the_size_limit_is_a_413_and_nothing_is_stored(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN an endpoint is created with a URL of a megabyte
    let too_big = format!("{{\"url\":\"http://127.0.0.1/{}\"}}", "x".repeat(1024 * 1024));
    let reply =
        server.send_raw("POST", "/v1/webhooks", Some(&org.secret), Some("application/json"), too_big.into()).await;

    // THEN it is a 413
    assert_eq!(reply.status, 413);

    // AND nothing was stored
    assert_eq!(server.get("/v1/webhooks", &org.secret).await.body["items"], json!([]));
}

async fn a_bad_change_is_a_400_and_leaves_the_endpoint_as_it_was(backend: Backend) {
    // GIVEN an endpoint
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (id, _) = create_endpoint(&server, &org, "http://127.0.0.1:9/x").await;

    // WHEN its URL is changed to one of another scheme
    let bad_patch = server
        .send("PATCH", &format!("/v1/webhooks/{id}"), Some(&org.secret), Some(&json!({"url": "gopher://x"})), &[])
        .await;

    // THEN it is a 400
    assert_eq!(bad_patch.status, 400);

    // AND the endpoint keeps its URL
    assert_eq!(server.get(&format!("/v1/webhooks/{id}"), &org.secret).await.body["url"], "http://127.0.0.1:9/x");
}

/// A server outside local mode, whose resolver knows a public host, private ones, and one with both kinds of
/// address.
async fn outside_local_mode(backend: Backend) -> TestServer {
    let resolver = StaticResolver::with(&[
        ("hooks.example.com", "93.184.216.34"),
        ("internal.example.com", "10.0.0.5"),
        ("metadata.example.com", "169.254.169.254"),
        ("sneaky.example.com", "93.184.216.34"),
        ("sneaky.example.com", "127.0.0.1"),
        ("mapped.example.com", "::ffff:192.168.0.1"),
    ]);
    TestServer::start_custom(store(backend).await, |c| c.local_mode = false, Arc::new(resolver)).await
}

async fn outside_local_mode_private_plain_http_and_unresolved_destinations_are_refused(backend: Backend) {
    // GIVEN an organization on a server outside local mode
    let server = outside_local_mode(backend).await;
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
        // WHEN an endpoint is created for plain HTTP, a host that resolves (even partly) to an address that is
        // not public, such an address itself, or a host that does not resolve
        let reply = server.post("/v1/webhooks", &org.secret, json!({ "url": url })).await;

        // THEN it is a 400 on the URL
        assert_eq!(reply.status, 400, "{url}: {:?}", reply.body);
        assert!(reply.body["errors"]["url"].is_array(), "{url}");
    }

    // AND nothing was stored
    assert_eq!(server.get("/v1/webhooks", &org.secret).await.body["items"], json!([]));
}

async fn outside_local_mode_a_public_https_destination_is_accepted(backend: Backend) {
    // GIVEN an organization on a server outside local mode
    let server = outside_local_mode(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN an endpoint is created for HTTPS on a host that resolves to a public address
    let ok = server.post("/v1/webhooks", &org.secret, json!({"url": "https://hooks.example.com/flows"})).await;

    // THEN it is created
    assert_eq!(ok.status, 201, "{:?}", ok.body);
}

async fn another_organizations_endpoint_is_a_404_on_every_route(backend: Backend) {
    // GIVEN two organizations, one with an endpoint
    let server = TestServer::start(backend).await;
    let a = server.organization("Alpha", "standard").await;
    let b = server.organization("Beta", "standard").await;
    let (id, _) = create_endpoint(&server, &a, "http://127.0.0.1:9/x").await;

    for (method, path) in [
        ("GET", format!("/v1/webhooks/{id}")),
        ("PATCH", format!("/v1/webhooks/{id}")),
        ("DELETE", format!("/v1/webhooks/{id}")),
        ("POST", format!("/v1/webhooks/{id}/rotate-secret")),
    ] {
        // WHEN the other organization's key reads, changes, deletes or rotates the endpoint
        let reply = server.send(method, &path, Some(&b.secret), Some(&json!({})), &[]).await;

        // THEN it is not found
        assert_eq!(reply.status, 404, "{method} {path}");
    }
}

async fn another_organization_lists_none_of_the_endpoints(backend: Backend) {
    // GIVEN two organizations, one with an endpoint
    let server = TestServer::start(backend).await;
    let a = server.organization("Alpha", "standard").await;
    let b = server.organization("Beta", "standard").await;
    create_endpoint(&server, &a, "http://127.0.0.1:9/x").await;

    // WHEN the other organization lists its endpoints
    let listed = server.get("/v1/webhooks", &b.secret).await;

    // THEN there are none
    assert_eq!(listed.body, json!({"items": [], "nextCursor": null}));
}

async fn a_public_key_cannot_create_an_endpoint(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let a = server.organization("Alpha", "standard").await;

    // WHEN its public key creates an endpoint
    let public = server.post("/v1/webhooks", &a.public, json!({"url": "http://127.0.0.1:9/y"})).await;

    // THEN it is a 403
    assert_eq!(public.status, 403);
}
