//! What every route shares: unknown routes and methods, request ids, the error format.

use flows_testkit::{Backend, TestServer};
use serde_json::json;

crate::on_both_backends!(unknown_routes_and_methods_answer_in_the_project_format, every_response_carries_a_request_id,);

async fn unknown_routes_and_methods_answer_in_the_project_format(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    let unknown = server.get("/v2/anything", &org.secret).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["error"], "not_found");

    let wrong_method = server.send("PUT", "/v1/flows/assign", Some(&org.secret), Some(&json!({})), &[]).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.body["error"], "method_not_allowed");
    assert_eq!(wrong_method.header("allow"), Some("POST"));

    let users = server.send("PATCH", "/v1/users", None, None, &[]).await;
    assert_eq!(users.status, 405);
    assert_eq!(users.header("allow"), Some("POST, GET"));
}

async fn every_response_carries_a_request_id(backend: Backend) {
    let server = TestServer::start(backend).await;
    let fresh = server.send("GET", "/v1/users", None, None, &[]).await;
    assert_eq!(fresh.status, 401);
    let id = fresh.header("x-request-id").unwrap();
    assert!(id.starts_with("req_") && id.len() > 10, "{id}");

    let echoed = server.send("GET", "/nowhere", None, None, &[("X-Request-ID", "abc-123")]).await;
    assert_eq!(echoed.header("x-request-id"), Some("abc-123"));
}
