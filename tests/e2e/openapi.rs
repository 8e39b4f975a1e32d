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
fn every_operation_has_an_id_of_its_own_named_by_its_function() {
    // GIVEN the document's operations
    let document = flows_shared::openapi::document();
    let ids: Vec<String> = document["paths"]
        .as_object()
        .expect("paths")
        .values()
        .flat_map(|item| item.as_object().expect("a path item").iter().filter(|(k, _)| is_method(k)).map(|(_, v)| v))
        .map(|op| op["operationId"].as_str().expect("an operationId").to_owned())
        .collect();

    // THEN no two share an id (a generated client names a method by it), and each route's function names its own
    let unique: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "operationIds used twice: {ids:?}");
    for route in flows_shared::routes::ROUTES {
        let named = ids.iter().filter(|id| *id == route.function || id.starts_with(&format!("{}-", route.function)));
        assert!(named.count() >= 1, "{} has no operation", route.function);
    }
}

#[test]
fn every_operation_is_tagged_with_its_api_and_the_document_has_a_server() {
    let document = flows_shared::openapi::document();
    let tags: BTreeSet<&str> =
        document["tags"].as_array().expect("tags").iter().filter_map(|t| t["name"].as_str()).collect();
    for (path, item) in document["paths"].as_object().expect("paths") {
        for (method, op) in item.as_object().expect("a path item").iter().filter(|(k, _)| is_method(k)) {
            let tag = op["tags"][0].as_str().unwrap_or_else(|| panic!("{method} {path} has no tag"));
            assert!(tags.contains(tag), "{method} {path}: {tag} is not a declared tag");
        }
    }
    assert_eq!(document["servers"][0]["url"], "/");
    let tag_of = |path: &str, method: &str| document["paths"][path][method]["tags"][0].as_str().map(str::to_owned);
    assert_eq!(tag_of("/v1/flows/assign", "post").as_deref(), Some("MomoFlow"));
    assert_eq!(tag_of("/flows", "get").as_deref(), Some("Flowdock"));
    assert_eq!(tag_of("/v1/public/flowStates", "post").as_deref(), Some("Frigade"));
    assert_eq!(tag_of("/v1/Agents/Workflow/SaveEmailFlow", "post").as_deref(), Some("SuperOffice"));
}

/// The project's virtualenv's Python (`make test` makes it; without it this test fails, saying how to make it).
pub(crate) fn venv_python() -> std::path::PathBuf {
    let python = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/python");
    assert!(python.exists(), "{} is missing: run `make venv` (make test does)", python.display());
    python
}

#[test]
fn a_standard_validator_accepts_the_document() {
    // GIVEN the document, as the server serves it
    let dir = std::env::temp_dir().join(format!("flows-openapi-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("openapi.json");
    std::fs::write(&file, generated()).unwrap();

    // WHEN openapi-spec-validator (pinned in requirements-dev.txt) reads it
    let out = std::process::Command::new(venv_python())
        .args(["-m", "openapi_spec_validator", "--schema", "3.1", "--validation-errors", "all"])
        .arg(&file)
        .output()
        .expect("the validator runs");

    // THEN it finds nothing wrong
    let said = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    assert!(
        out.status.success(),
        "openapi-spec-validator refused the document:\n{}",
        said.chars().take(4000).collect::<String>()
    );
    let _ = std::fs::remove_dir_all(&dir);
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

#[test]
fn every_operation_that_takes_a_body_has_an_example_its_reader_takes() {
    // GIVEN the operations and their request examples, each read by its operation's own reader
    let problems = flows_shared::openapi::example_problems();

    // THEN every operation with a body has one, and each is a request the server takes
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_superoffice_examples_are_the_seeds_own() {
    // GIVEN the seed's SaveEmailFlow and SaveWorkflowTrigger bodies, as its pages print them (trailing commas and all)
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/fixtures/superoffice");
    let seed = |name: &str| {
        let text = std::fs::read(fixtures.join(name)).expect("the fixture");
        flows_shared::http::superoffice::parse(&text).expect("the seed's JSON, as SuperOffice reads it")
    };
    let document = flows_shared::openapi::document();
    let example = |method: &str| {
        document["paths"][format!("/v1/Agents/Workflow/{method}")]["post"]["requestBody"]["content"]["application/json"]
            ["example"]
            .clone()
    };

    // THEN the document's examples are those bodies
    assert_eq!(example("SaveEmailFlow"), seed("save_email_flow_request.txt"));
    assert_eq!(example("SaveWorkflowTrigger"), seed("trigger_request.json"));
}
