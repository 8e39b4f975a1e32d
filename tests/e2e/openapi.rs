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
        for method in item.as_object().expect("a path item").keys() {
            operations.insert((method.clone(), path.clone()));
        }
    }

    // THEN they name the same method and path pairs
    assert_eq!(operations, routes);
}

#[test]
fn every_operation_is_named_by_its_function() {
    let document = flows_shared::openapi::document();
    let ids: BTreeSet<String> = document["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("a path item").values())
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
