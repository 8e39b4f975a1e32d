//! The OpenAPI document: generated from the code, served, committed as `openapi.json` (so that a change to the API
//! shows in review as a diff; `make openapi` rewrites it), and held against the route table.

use std::collections::BTreeSet;

use flows_testkit::{Backend, TestServer};

fn committed_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("openapi.json")
}

fn generated() -> String {
    serde_json::to_string_pretty(&flows_shared::openapi::document()).expect("the document serializes") + "\n"
}

#[test]
fn the_committed_document_is_the_generated_one() {
    // GIVEN the document the code generates
    let generated = generated();
    if std::env::var_os("UPDATE_OPENAPI").is_some() {
        std::fs::write(committed_path(), &generated).expect("openapi.json is writable");
    }

    // THEN openapi.json is that document, byte for byte
    let committed = std::fs::read_to_string(committed_path()).unwrap_or_default();
    assert!(committed == generated, "openapi.json is out of date: run `make openapi` and commit it");
}

#[test]
fn every_route_has_an_operation_and_every_operation_a_route() {
    // GIVEN the route table and the document's operations
    let routes: BTreeSet<(String, String)> = flows_shared::routes::ROUTES
        .iter()
        .flat_map(|r| r.doc_paths().into_iter().map(|p| (r.method.as_str().to_ascii_lowercase(), p)))
        .collect();
    let document = flows_shared::openapi::document();
    let mut operations = BTreeSet::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("a path item").keys().filter(|k| is_method(k)) {
            operations.insert((method.clone(), path.clone()));
        }
    }

    // THEN they name the same method and path pairs
    assert_eq!(operations, routes);
}

/// Whether a path item's member is an operation (not `servers`, `parameters`, ...).
fn is_method(member: &str) -> bool {
    ["get", "put", "post", "delete", "options", "head", "patch", "trace"].contains(&member)
}

#[test]
fn an_aliased_route_is_described_once_with_a_server_per_prefix() {
    // GIVEN the document and the routes with aliases
    let document = flows_shared::openapi::document();
    for route in flows_shared::routes::ROUTES.iter().filter(|r| !r.aliases.is_empty()) {
        // THEN the route's own path is described, with both prefixes as its servers, and the alias is not a path
        let item = &document["paths"][route.path];
        let servers: Vec<&str> =
            item["servers"].as_array().expect("servers").iter().filter_map(|s| s["url"].as_str()).collect();
        assert_eq!(servers, ["/", flows_shared::routes::API_PREFIX], "{}", route.path);
        for alias in route.aliases {
            assert!(document["paths"].get(*alias).is_none(), "{alias} is described twice");
        }
    }
}

#[test]
fn every_operation_is_named_by_its_function() {
    let document = flows_shared::openapi::document();
    let ids: BTreeSet<String> = document["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("a path item").iter().filter(|(k, _)| is_method(k)).map(|(_, v)| v))
        .map(|op| op["operationId"].as_str().expect("an operationId").to_owned())
        .collect();
    let functions: BTreeSet<String> = flows_shared::routes::ROUTES.iter().map(|r| r.function.to_owned()).collect();
    assert_eq!(ids, functions);
}

crate::on_both_backends!(the_local_server_serves_the_document,);

async fn the_local_server_serves_the_document(backend: Backend) {
    // GIVEN the local server
    let server = TestServer::start(backend).await;

    // WHEN the document is asked for, without a key
    let reply = server.send("GET", "/openapi.json", None, None, &[]).await;

    // THEN it is the generated document
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body, flows_shared::openapi::document());
}

#[test]
fn every_reference_in_the_document_resolves() {
    // GIVEN the document
    let document = flows_shared::openapi::document();
    let text = document.to_string();

    // THEN every `#/components/...` it refers to is there (an answer's schema comes with its type, never from a
    // list kept by hand)
    let mut dangling = Vec::new();
    for reference in text.split("\"#/components/").skip(1).filter_map(|rest| rest.split('"').next()) {
        let mut at = &document["components"];
        for part in reference.split('/') {
            at = &at[part];
        }
        if at.is_null() {
            dangling.push(reference.to_owned());
        }
    }
    dangling.sort();
    dangling.dedup();
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
}
