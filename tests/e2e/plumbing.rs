//! What every route shares: unknown routes and methods, request ids, the error format, keys as Bearer or as HTTP
//! Basic's user name, and bodies as Flowdock's client sends them (`{}` on GET and DELETE, empty on body-less POSTs).

use flows_testkit::{Backend, TestServer, ADMIN_TOKEN};
use serde_json::json;

crate::on_both_backends!(
    an_unknown_route_is_a_404_in_the_project_format,
    a_wrong_method_is_a_405_in_the_project_format_naming_the_allowed_method,
    a_wrong_method_without_a_key_is_a_405_naming_every_allowed_method,
    every_response_carries_a_fresh_request_id,
    a_request_id_sent_is_echoed_back,
    a_key_as_the_basic_user_name_is_taken_as_the_key,
    an_empty_json_body_is_no_body,
    a_json_body_on_a_get_or_a_delete_is_ignored,
    one_idempotency_key_on_body_less_posts_to_two_objects_is_two_requests,
);

/// `Authorization: Basic base64("<key>:undefined")`, as Flowdock's client sends a key.
fn basic(key: &str) -> String {
    use base64::Engine as _;
    format!("Basic {}", base64::engine::general_purpose::STANDARD.encode(format!("{key}:undefined")))
}

async fn a_key_as_the_basic_user_name_is_taken_as_the_key(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN its secret key, a wrong key and the admin token are sent as Basic user names, with any password
    let auth = basic(&org.secret);
    let listed = server.send("GET", "/v1/users", None, None, &[("authorization", &auth)]).await;
    let wrong = basic(&format!("{}x", org.secret));
    let refused = server.send("GET", "/v1/users", None, None, &[("authorization", &wrong)]).await;
    let admin = basic(ADMIN_TOKEN);
    let body = json!({"name": "Basic Co", "owner": {"email": "b@basic.example.com", "name": "B"}});
    let bootstrapped =
        server.send("POST", "/admin/organizations", None, Some(&body), &[("authorization", &admin)]).await;

    // THEN the key acts as itself, a wrong one is the usual 401, and the admin token works too
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(listed.body["items"][0]["email"], "owner@acme.example.com");
    assert_eq!(refused.status, 401);
    assert_eq!(refused.body["error"], "unauthorized");
    assert_eq!(bootstrapped.status, 201, "{:?}", bootstrapped.body);
}

async fn an_empty_json_body_is_no_body(backend: Backend) {
    // GIVEN an organization with a webhook endpoint
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let hook = server.post("/v1/webhooks", &org.secret, json!({"url": "http://127.0.0.1:9/hooks"})).await;
    let hook = hook.body["id"].as_str().unwrap().to_owned();

    // WHEN a body-less POST and a POST that needs fields are sent an empty JSON body
    let path = format!("/v1/webhooks/{hook}/rotate-secret");
    let rotated = server.send_raw("POST", &path, Some(&org.secret), Some("application/json"), Vec::new()).await;
    let created = server.send_raw("POST", "/v1/users", Some(&org.secret), Some("application/json"), Vec::new()).await;

    // THEN the first works, and the second names each field it misses, writing nothing
    assert_eq!(rotated.status, 200, "{:?}", rotated.body);
    assert!(rotated.body["secret"].as_str().unwrap().starts_with("whsec_"));
    assert_eq!(created.status, 400, "{:?}", created.body);
    assert_eq!(created.body["error"], "validation_error");
    assert!(created.body["errors"]["email"].is_array(), "{:?}", created.body);
    assert!(created.body["errors"]["name"].is_array(), "{:?}", created.body);
    assert_eq!(server.get("/v1/users", &org.secret).await.body["items"].as_array().unwrap().len(), 1);
}

async fn a_json_body_on_a_get_or_a_delete_is_ignored(backend: Backend) {
    // GIVEN an organization with a webhook endpoint
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let hook = server.post("/v1/webhooks", &org.secret, json!({"url": "http://127.0.0.1:9/hooks"})).await;
    let hook = hook.body["id"].as_str().unwrap().to_owned();

    // WHEN a GET and a DELETE carry `{}`, as Flowdock's client sends them
    let listed = server.send("GET", "/v1/users", Some(&org.secret), Some(&json!({})), &[]).await;
    let deleted =
        server.send("DELETE", &format!("/v1/webhooks/{hook}"), Some(&org.secret), Some(&json!({})), &[]).await;

    // THEN both answer as without it
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
}

async fn an_unknown_route_is_a_404_in_the_project_format(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a route that does not exist is asked for with its key
    let unknown = server.get("/v2/anything", &org.secret).await;

    // THEN it is a 404 in the project's error format
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["error"], "not_found");
}

async fn a_wrong_method_is_a_405_in_the_project_format_naming_the_allowed_method(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN the assign route is sent a PATCH with its key (no route of the path, literal or `{flowId}`, takes PATCH)
    let wrong_method = server.send("PATCH", "/v1/flows/assign", Some(&org.secret), Some(&json!({})), &[]).await;

    // THEN it is a 405 in the project's error format, allowing POST
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.body["error"], "method_not_allowed");
    assert_eq!(wrong_method.header("allow"), Some("POST"));
}

async fn a_wrong_method_without_a_key_is_a_405_naming_every_allowed_method(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    server.organization("Acme", "standard").await;

    // WHEN the users route is sent a PATCH without a key
    let users = server.send("PATCH", "/v1/users", None, None, &[]).await;

    // THEN it is a 405 allowing both its methods
    assert_eq!(users.status, 405);
    assert_eq!(users.header("allow"), Some("POST, GET, HEAD"));
}

async fn every_response_carries_a_fresh_request_id(backend: Backend) {
    // GIVEN a server
    let server = TestServer::start(backend).await;

    // WHEN a request is sent without a request id (nor a key)
    let fresh = server.send("GET", "/v1/users", None, None, &[]).await;

    // THEN even its 401 carries a request id of the project's making
    assert_eq!(fresh.status, 401);
    let id = fresh.header("x-request-id").unwrap();
    assert!(id.starts_with("req_") && id.len() > 10, "{id}");
}

async fn a_request_id_sent_is_echoed_back(backend: Backend) {
    // GIVEN a server
    let server = TestServer::start(backend).await;

    // WHEN a request to a route that does not exist is sent with a request id
    let echoed = server.send("GET", "/nowhere", None, None, &[("X-Request-ID", "abc-123")]).await;

    // THEN the answer carries that id
    assert_eq!(echoed.header("x-request-id"), Some("abc-123"));
}

async fn one_idempotency_key_on_body_less_posts_to_two_objects_is_two_requests(backend: Backend) {
    // GIVEN two webhook endpoints
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let mut hooks = Vec::new();
    for n in 0..2 {
        let hook = server.post("/v1/webhooks", &org.secret, json!({"url": format!("http://127.0.0.1:9/{n}")})).await;
        hooks.push(hook.body["id"].as_str().unwrap().to_owned());
    }

    // WHEN the first's secret is rotated with an Idempotency-Key and no body, then the second's with the same key
    let key = [("idempotency-key", "rotate-once")];
    let rotate = |hook: &String| format!("/v1/webhooks/{hook}/rotate-secret");
    let first = server.send("POST", &rotate(&hooks[0]), Some(&org.secret), None, &key).await;
    let second = server.send("POST", &rotate(&hooks[1]), Some(&org.secret), None, &key).await;
    let again = server.send("POST", &rotate(&hooks[0]), Some(&org.secret), None, &key).await;

    // THEN the second is another request (a 422, not the first's answer), and the first's retry is its replay
    assert_eq!(first.status, 200, "{:?}", first.body);
    assert_eq!(second.status, 422, "{:?}", second.body);
    assert_eq!(second.body["error"], "idempotency_key_reused");
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body["id"], hooks[0].as_str());
}
