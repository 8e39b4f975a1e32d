//! The route table held against `template.yaml` (so the two never drift), and every sample event in `events/`
//! run through its Lambda handler (so the samples stay valid).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use flows_shared::dispatch::dispatch;
use flows_shared::endpoints;
use flows_shared::routes::{self, Route};
use flows_shared::store::dynamo::TABLE_GSIS;
use serde_norway::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn template() -> Value {
    let text = std::fs::read_to_string(root().join("template.yaml")).expect("template.yaml");
    serde_norway::from_str(&text).expect("template.yaml is YAML")
}

fn all_routes() -> impl Iterator<Item = &'static Route> {
    routes::all()
}

#[test]
fn the_template_serves_exactly_the_route_table() {
    // GIVEN the HTTP events of every function of the template
    let template = template();
    let resources = template["Resources"].as_mapping().expect("Resources");
    // (function name, from CodeUri; method; path) of every HttpApi event
    let mut served: BTreeSet<(String, String, String)> = BTreeSet::new();
    for (_, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let props = &resource["Properties"];
        let code = props["CodeUri"].as_str().expect("CodeUri");
        let function = code
            .strip_prefix("target/lambda/")
            .and_then(|c| c.strip_suffix('/'))
            .unwrap_or_else(|| panic!("CodeUri {code} is not target/lambda/<fn>/"));
        let Some(events) = props["Events"].as_mapping() else { continue };
        for (_, event) in events {
            if event["Type"].as_str() != Some("HttpApi") {
                continue;
            }
            let p = &event["Properties"];
            let method = p["Method"].as_str().unwrap_or("ANY").to_owned();
            let path = p["Path"].as_str().unwrap_or("$default").to_owned();
            assert!(served.insert((function.to_owned(), method, path)), "{function} has one event twice");
        }
    }

    // THEN they are the route table's, each GET with its HEAD (API Gateway routes method and path; HEAD is the GET
    // without a body), and each alias of a route as its own event of the same function
    let mut expected: BTreeSet<(String, String, String)> = BTreeSet::new();
    for r in all_routes() {
        let method = if r.path == "$default" { "ANY".to_owned() } else { r.method.to_string() };
        for path in std::iter::once(r.path).chain(r.aliases.iter().copied()) {
            expected.insert((r.function.to_owned(), method.clone(), path.to_owned()));
            if r.method == http::Method::GET && r.path != "$default" {
                expected.insert((r.function.to_owned(), "HEAD".to_owned(), path.to_owned()));
            }
        }
    }
    assert_eq!(served, expected);
}

#[test]
fn the_http_api_leaves_preflights_to_the_function_that_knows_the_routes() {
    // GIVEN the template's HTTP API
    let template = template();
    let api = &template["Resources"]["HttpApi"]["Properties"];

    // THEN it has no CORS configuration of its own (API Gateway would then answer every OPTIONS itself, and add
    // headers the organizations' allowed origins did not choose), and OPTIONS of the public paths reach a function
    assert!(api.get("CorsConfiguration").is_none(), "{api:?}");
    let preflight = &template["Resources"]["PublicPreflightFunction"]["Properties"]["Events"]["Api"]["Properties"];
    assert_eq!(preflight["Method"].as_str(), Some("OPTIONS"));
    assert_eq!(preflight["Path"].as_str(), Some("/v1/public/{proxy+}"));
}

/// The role a function runs with: `Role: !GetAtt <role>.Arn`.
fn role_of(function: &Value) -> Option<String> {
    let Value::Tagged(tagged) = &function["Properties"]["Role"] else { return None };
    let target = tagged.value.as_str()?;
    (tagged.tag == "GetAtt").then(|| target.strip_suffix(".Arn").map(str::to_owned)).flatten()
}

#[test]
fn functions_share_one_role_per_access_class() {
    // GIVEN the template's functions and roles
    let template = template();
    let resources = template["Resources"].as_mapping().expect("Resources");
    let roles: BTreeSet<String> = resources
        .iter()
        .filter(|(_, r)| r["Type"].as_str() == Some("AWS::IAM::Role"))
        .filter_map(|(name, _)| name.as_str().map(str::to_owned))
        .collect();

    // THEN every function runs with one of the template's roles and has no policies of its own (SAM would make
    // it a role of its own), and the roles are a handful of access classes, not one per function
    let mut used = BTreeSet::new();
    for (name, resource) in resources {
        if resource["Type"].as_str() != Some("AWS::Serverless::Function") {
            continue;
        }
        let role = role_of(resource).unwrap_or_else(|| panic!("{name:?} has no `Role: !GetAtt <role>.Arn`"));
        assert!(roles.contains(&role), "{name:?} runs with {role}, which the template does not define");
        assert!(resource["Properties"].get("Policies").is_none(), "{name:?} has policies of its own");
        used.insert(role);
    }
    assert_eq!(used, roles, "every role is some function's");
    assert!(roles.len() <= 8, "{} roles: share them by access class", roles.len());
}

#[test]
fn every_role_that_may_query_may_query_the_indexes() {
    // GIVEN the DynamoDB statements of every role of the template
    let template = template();
    for (name, resource) in template["Resources"].as_mapping().expect("Resources") {
        if resource["Type"].as_str() != Some("AWS::IAM::Role") {
            continue;
        }
        let policies = resource["Properties"]["Policies"].as_sequence().cloned().unwrap_or_default();
        for statement in policies.iter().flat_map(|p| p["PolicyDocument"]["Statement"].as_sequence().cloned().unwrap())
        {
            let actions: Vec<&str> = statement["Action"]
                .as_sequence()
                .map(|a| a.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            if !actions.contains(&"dynamodb:Query") {
                continue;
            }
            // THEN a Query on an index (GSI1 by user, GSI2 by flow, GSI3 due, GSI4 by organization) is allowed:
            // IAM names an index apart from its table, and a table-only grant denies it
            let resources = format!("{:?}", statement["Resource"]);
            assert!(resources.contains("/index/"), "{name:?} may Query the table but none of its indexes: {resources}");
        }
    }
}

#[test]
fn the_stack_stays_well_under_cloudformations_resource_limit() {
    // GIVEN the template as CloudFormation receives it after the SAM transform (aws-sam-translator, offline, as
    // `sam validate` runs it)
    let out = std::process::Command::new(crate::openapi::venv_python())
        .arg(root().join("scripts/template_resources.py"))
        .arg(root().join("template.yaml"))
        .env("AWS_DEFAULT_REGION", "us-east-1")
        .output()
        .expect("scripts/template_resources.py runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let counts: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON counts");

    // THEN it holds at most 400 resources (CloudFormation refuses a stack past 500: room for the routes to come),
    // a function for each of the template's, and the roles are shared
    let total = counts["total"].as_u64().unwrap();
    assert!(total <= 400, "{total} resources after the SAM transform (at most 400): {counts}");
    let functions = counts["by_type"]["AWS::Lambda::Function"].as_u64().unwrap();
    let template = template();
    let declared = template["Resources"].as_mapping().unwrap().values();
    let expected = declared.filter(|r| r["Type"].as_str() == Some("AWS::Serverless::Function")).count() as u64;
    assert_eq!(functions, expected, "{counts}");
    assert!(counts["by_type"]["AWS::IAM::Role"].as_u64().unwrap() <= 8, "{counts}");
}

#[test]
fn every_function_is_a_binary_of_the_functions_crate() {
    let manifest = std::fs::read_to_string(root().join("functions/Cargo.toml")).unwrap();
    for route in all_routes() {
        assert!(manifest.contains(&format!("name = \"{}\"", route.function)), "{} has no [[bin]]", route.function);
        assert!(root().join("functions").join(route.function).join("main.rs").exists());
    }
}

/// The template's table's properties.
fn table() -> Value {
    template()["Resources"]["Table"]["Properties"].clone()
}

#[test]
fn the_template_table_has_the_indexes_the_code_uses() {
    // GIVEN the template's table
    let table = table();

    // WHEN its global secondary indexes are read, each as its name, partition key and sort key
    let indexes: BTreeSet<(String, String, String)> = table["GlobalSecondaryIndexes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|i| {
            let keys = i["KeySchema"].as_sequence().unwrap();
            (
                i["IndexName"].as_str().unwrap().to_owned(),
                keys[0]["AttributeName"].as_str().unwrap().to_owned(),
                keys[1]["AttributeName"].as_str().unwrap().to_owned(),
            )
        })
        .collect();

    // THEN they are exactly the code's
    let expected: BTreeSet<(String, String, String)> =
        TABLE_GSIS.iter().map(|(n, p, s)| ((*n).to_owned(), (*p).to_owned(), (*s).to_owned())).collect();
    assert_eq!(indexes, expected);
}

#[test]
fn the_template_table_expires_items_by_the_attribute_the_code_sets() {
    // GIVEN the template's table
    let table = table();

    // WHEN its time to live is read
    let ttl = &table["TimeToLiveSpecification"]["AttributeName"];

    // THEN it is on `expires_at`
    assert_eq!(ttl.as_str(), Some("expires_at"));
}

#[test]
fn the_template_table_has_point_in_time_recovery() {
    // GIVEN the template's table
    let table = table();

    // WHEN its point-in-time recovery is read
    let recovery = &table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"];

    // THEN it is enabled
    assert_eq!(recovery.as_bool(), Some(true));
}

#[test]
fn there_is_one_sample_http_event_per_http_function_and_no_strays() {
    // GIVEN the sample HTTP events
    let dir = root().join("events/http");

    // WHEN their names are listed
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().trim_end_matches(".json").to_owned())
        .collect();
    files.sort();

    // THEN they are exactly the HTTP functions
    let mut functions: Vec<String> = all_routes().map(|r| r.function.to_owned()).collect();
    functions.sort();
    assert_eq!(files, functions, "one event per HTTP function, no strays");
}

#[tokio::test]
async fn every_http_event_runs_through_its_handler() {
    // GIVEN a state seeded for the sample events, with their admin token
    let mut config = flows_testkit::test_config();
    config.admin_token = Some(flows_testkit::EVENT_ADMIN_TOKEN.into());
    let state = flows_testkit::fixtures::seeded_state(config, &flows_testkit::event_seed(0)).await;
    let expected: BTreeMap<&str, u16> = BTreeMap::from([
        ("admin-create-organization", 201),
        ("users-create", 201),
        ("users-list", 200),
        ("users-get", 200),
        ("users-update", 200),
        ("users-deactivate", 200),
        ("organizations-get", 200),
        ("users-events", 200),
        ("api-keys-create", 201),
        ("api-keys-list", 200),
        ("api-keys-revoke", 200),
        ("flows-list", 200),
        ("flows-list-all", 200),
        ("flows-find", 200),
        ("flows-get", 200),
        ("flows-update", 200),
        ("flows-users-list", 200),
        ("flows-users-add", 201),
        ("flows-users-update", 200),
        ("flows-join-url-get", 200),
        ("flows-join-url-renew", 201),
        ("invitations-accept", 200),
        ("flows-join-url-delete", 204),
        ("flows-create", 201),
        ("flows-assign", 200),
        ("assignments-get", 200),
        ("assignments-list", 200),
        ("assignments-cancel", 200),
        ("flows-report", 200),
        ("flow-content-get", 200),
        ("flow-content-update", 200),
        ("public-flows-list", 200),
        ("public-flow-states-get", 200),
        ("public-flow-states-update", 200),
        ("public-sessions", 202),
        ("public-preflight", 204),
        ("cors-get", 200),
        ("cors-update", 200),
        ("user-tokens-get", 200),
        ("user-tokens-update", 200),
        ("user-tokens-rotate-secret", 200),
        ("user-flow-states-reset", 204),
        ("webhooks-create", 201),
        ("webhooks-list", 200),
        ("webhooks-get", 200),
        ("webhooks-update", 200),
        ("webhooks-delete", 204),
        ("webhooks-rotate-secret", 200),
        ("webhooks-deliveries", 200),
        ("webhooks-replay", 202),
        ("workflow-create-default-email-flow", 200),
        ("workflow-save-email-flow", 200),
        ("workflow-get-email-flow", 200),
        ("workflow-copy-email-flow", 200),
        ("workflow-delete-email-flow", 204),
        ("workflow-set-status-on-workflow", 200),
        ("workflow-create-default-workflow-trigger", 200),
        ("workflow-save-workflow-trigger", 200),
        ("workflow-get-workflow-trigger", 200),
        ("workflow-delete-workflow-trigger", 204),
        ("workflow-create-default-workflow-goal", 200),
        ("workflow-save-workflow-goal", 200),
        ("workflow-get-workflow-goal", 200),
        ("workflow-delete-workflow-goal", 204),
        ("workflow-create-default-workflow-wait-for-action", 200),
        ("workflow-save-workflow-wait-for-action", 200),
        ("workflow-get-workflow-wait-for-action", 200),
        ("workflow-delete-workflow-wait-for-action", 204),
        ("workflow-create-default-workflow-step-from-type", 200),
        ("workflow-get-workflow-step", 200),
        ("workflow-add-after-workflow-step", 200),
        ("workflow-create-default-workflow-step-option-from-type", 200),
        ("workflow-get-workflow-step-option", 200),
        ("workflow-create-default-workflow-filter", 200),
        ("workflow-create-default-workflow-event", 200),
        ("workflow-create-default-workflow-event-result", 200),
        ("workflow-try-add-persons-to-email-flow", 200),
        ("workflow-remove-participants-from-email-flow", 204),
        ("workflow-send-event", 200),
        ("workflow-run", 200),
        ("email-flow-participants", 200),
        ("workflow-unsupported", 501),
        ("openapi", 200),
        ("not-found", 404),
    ]);
    let dir = root().join("events/http");

    for route in all_routes() {
        // WHEN each function's sample event goes through its handler
        let text = std::fs::read_to_string(dir.join(format!("{}.json", route.function))).unwrap();
        let request = lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", route.function));
        let response = dispatch(state.clone(), endpoints::by_function(route.function).unwrap(), request).await;

        // THEN it answers its status, with the event's request id, and a JSON body unless it is a 204
        let body = String::from_utf8_lossy(response.body().as_ref()).into_owned();
        assert_eq!(response.status().as_u16(), expected[route.function], "{}: {body}", route.function);
        let request_id = format!("req_event_{}", route.function.replace('-', "_"));
        assert_eq!(response.headers()["x-request-id"], request_id.as_str());
        if response.status() == 204 || route.function == "public-sessions" {
            // 204, and the 202 of Frigade's sessions, have no body.
            assert!(body.is_empty(), "{}: {} with a body", route.function, response.status());
        } else {
            serde_json::from_str::<serde_json::Value>(&body).unwrap_or_else(|_| panic!("{}: not JSON", route.function));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sqs_batch_event_runs_through_the_consumer() {
    // GIVEN the seeded endpoint pointed at a receiver on 127.0.0.1
    let receiver = flows_testkit::receiver::Receiver::start(|_, _| 200).await;
    let mut seed = flows_testkit::event_seed(0);
    seed.webhooks[0].url = receiver.url.clone();
    receiver.trust(&seed.webhooks[0].secret);
    let state = flows_testkit::fixtures::seeded_state(flows_testkit::test_config(), &seed).await;
    let deliverer = Arc::new(flows_shared::app::deliverer(&state).unwrap());
    let text = std::fs::read_to_string(root().join("events/sqs/webhook-consumer.json")).unwrap();
    let batch: aws_lambda_events::event::sqs::SqsEvent = serde_json::from_str(&text).unwrap();

    // WHEN the batch goes through the consumer's handler
    let response = flows_shared::lambda::handle_sqs_batch(state, deliverer, batch).await;

    // THEN the delivery arrived signed, and the unreadable message was dead-lettered, not failed back
    assert!(response.batch_item_failures.is_empty(), "{:?}", response.batch_item_failures);
    let received = receiver.received();
    assert_eq!(received.len(), 1);
    assert!(received[0].verified);
    assert_eq!(received[0].id, "evt_00000000000000000000e001");
}

#[tokio::test]
async fn the_scheduled_event_runs_through_the_scheduler() {
    let text = std::fs::read_to_string(root().join("events/eventbridge/overdue-scheduler.json")).unwrap();
    let event: aws_lambda_events::event::eventbridge::EventBridgeEvent<serde_json::Value> =
        serde_json::from_str(&text).expect("an EventBridge scheduled event");
    assert_eq!(event.detail_type, "Scheduled Event");
    let mut seed = flows_testkit::event_seed(0);
    seed.assignments[0].due_date = Some(flows_shared::model::Timestamp::now().plus_seconds(-60));
    let state = flows_testkit::fixtures::seeded_state(flows_testkit::test_config(), &seed).await;
    let report = flows_shared::app::scheduled_run(&state, flows_shared::model::Timestamp::now()).await.unwrap();
    assert_eq!(report.overdue, 1);
}
