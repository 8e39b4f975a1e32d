//! What every route shares: unknown routes and methods, request ids, the error format.

use flows_testkit::{Backend, TestServer};
use serde_json::json;

crate::on_both_backends!(
    an_unknown_route_is_a_404_in_the_project_format,
    a_wrong_method_is_a_405_in_the_project_format_naming_the_allowed_method,
    a_wrong_method_without_a_key_is_a_405_naming_every_allowed_method,
    every_response_carries_a_fresh_request_id,
    a_request_id_sent_is_echoed_back,
);

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

    // WHEN the assign route is sent a PUT with its key
    let wrong_method = server.send("PUT", "/v1/flows/assign", Some(&org.secret), Some(&json!({})), &[]).await;

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
