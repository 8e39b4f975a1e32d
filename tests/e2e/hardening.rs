//! No input that crashes, leaks or wedges: one test per defect a review and probes of `make run` found, on both
//! backends where the defect was in shared code, and on DynamoDB with faults injected at the SDK's boundary where
//! moto never shows them (a throttled or conflicting transaction, a lost response).

use flows_testkit::faults::{cancelled_transaction, faulty_dynamo_store, DynamoFaults, Rule, ALL_UNPROCESSED};
use flows_testkit::{Backend, TestServer};
use serde_json::json;

crate::on_both_backends!(
    a_due_date_past_the_year_9999_through_its_offset_is_a_400,
    a_due_date_before_1970_in_utc_is_a_400_and_nothing_is_written,
    a_replayed_answer_never_shows_a_secret,
    another_key_of_the_organization_gets_its_own_idempotency_record,
    a_huge_array_of_bad_events_is_answered_with_a_small_400,
    a_415_is_not_kept_for_its_idempotency_key,
    the_same_body_with_other_spacing_and_key_order_is_replayed,
    the_admin_routes_allow_their_limit_a_minute,
    head_on_a_get_route_is_the_get_without_its_body,
    successful_answers_carry_the_rate_limit_headers,
    texts_of_four_byte_characters_at_their_limits_are_stored,
    a_whole_number_written_with_a_zero_fraction_is_taken,
    an_endpoint_on_a_port_other_than_443_or_8443_is_refused_outside_local_mode,
);

async fn a_due_date_past_the_year_9999_through_its_offset_is_a_400(backend: Backend) {
    // GIVEN a flow and a person
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;

    // WHEN a due date at the end of 9999, one hour west of UTC (so past 9999 in UTC), is sent
    let body = json!({"flowId": flow, "userEmail": "employee@company.com", "dueDate": "9999-12-31T23:59:59-01:00"});
    let reply = server.post("/v1/flows/assign", &org.secret, body).await;

    // THEN it is a 400 naming the field (it used to panic, and abort the process)
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    assert_eq!(reply.body["errors"]["dueDate"][0], "must be between 1970-01-01 and 9999-12-31 in UTC");
    assert_eq!(server.get("/openapi.json", &org.secret).await.status, 200, "the server still answers");
}

async fn a_due_date_before_1970_in_utc_is_a_400_and_nothing_is_written(backend: Backend) {
    // GIVEN a flow and a person
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;

    // WHEN a due date before year 1 in UTC is sent (it used to be stored as -0001-12-31T23:00:00Z)
    let body = json!({"flowId": flow, "userEmail": "employee@company.com", "dueDate": "0000-01-01T00:00:00+01:00"});
    let reply = server.post("/v1/flows/assign", &org.secret, body).await;

    // THEN it is a 400, and the flow can still be assigned once
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    let ok = server
        .post("/v1/flows/assign", &org.secret, json!({"flowId": flow, "userEmail": "employee@company.com"}))
        .await;
    assert_eq!(ok.status, 200);
}

async fn a_replayed_answer_never_shows_a_secret(backend: Backend) {
    // GIVEN an endpoint and a key created with Idempotency-Keys, their secrets shown once
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let send = |path: &'static str, body: serde_json::Value, key: &'static str| {
        let (server, secret) = (&server, org.secret.clone());
        async move { server.send("POST", path, Some(&secret), Some(&body), &[("Idempotency-Key", key)]).await }
    };
    let hook = send("/v1/webhooks", json!({"url": "http://127.0.0.1:9/hooks"}), "hook-1").await;
    let key = send("/v1/api-keys", json!({"kind": "secret"}), "key-1").await;
    assert!(hook.body["secret"].as_str().unwrap().starts_with("whsec_"));
    assert!(key.body["key"].as_str().unwrap().starts_with("sk_"));

    // WHEN the same requests come again
    let hook_again = send("/v1/webhooks", json!({"url": "http://127.0.0.1:9/hooks"}), "hook-1").await;
    let key_again = send("/v1/api-keys", json!({"kind": "secret"}), "key-1").await;

    // THEN the answers are the first ones, without their secrets (never stored)
    assert_eq!(hook_again.header("idempotent-replayed"), Some("true"));
    assert_eq!(hook_again.body["id"], hook.body["id"]);
    assert_eq!(hook_again.body["secret"], serde_json::Value::Null);
    assert_eq!(key_again.body["id"], key.body["id"]);
    assert_eq!(key_again.body["key"], serde_json::Value::Null);
}

async fn another_key_of_the_organization_gets_its_own_idempotency_record(backend: Backend) {
    // GIVEN two secret keys of one organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let second = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret"})).await;
    let second = second.body["key"].as_str().unwrap().to_owned();

    // WHEN each sends the same request with the same Idempotency-Key
    let body = json!({"url": "http://127.0.0.1:9/hooks"});
    let first = server.send("POST", "/v1/webhooks", Some(&org.secret), Some(&body), &[("Idempotency-Key", "k")]).await;
    let other = server.send("POST", "/v1/webhooks", Some(&second), Some(&body), &[("Idempotency-Key", "k")]).await;

    // THEN each made its own endpoint, its secret shown to it
    assert_eq!((first.status.as_u16(), other.status.as_u16()), (201, 201));
    assert_ne!(first.body["id"], other.body["id"]);
    assert!(other.body["secret"].as_str().is_some());
    assert!(other.header("idempotent-replayed").is_none());
}

async fn a_huge_array_of_bad_events_is_answered_with_a_small_400(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN an endpoint is created with about a megabyte of bad event names
    let events: Vec<String> = (0..100_000).map(|i| format!("x{i}")).collect();
    let body = json!({"url": "http://127.0.0.1:9/hooks", "events": events}).to_string();
    assert!(body.len() < 1024 * 1024);
    let reply =
        server.send_raw("POST", "/v1/webhooks", Some(&org.secret), Some("application/json"), body.into_bytes()).await;

    // THEN the 400 is small and names the field (it used to be about 10 MB)
    assert_eq!(reply.status, 400);
    assert!(reply.body.to_string().len() < 2_000, "{} bytes", reply.body.to_string().len());
    assert_eq!(reply.body["errors"]["events"][0], "must have at most 16 items");
}

async fn a_415_is_not_kept_for_its_idempotency_key(backend: Backend) {
    // GIVEN a request refused for its content type, with an Idempotency-Key
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let body = json!({"flowId": flow, "userEmail": "employee@company.com"}).to_string();
    let wrong = server
        .send_raw("POST", "/v1/flows/assign", Some(&org.secret), Some("text/plain"), body.clone().into_bytes())
        .await;
    assert_eq!(wrong.status, 415);

    // WHEN it is sent again, right, with the same key
    let right = server
        .send(
            "POST",
            "/v1/flows/assign",
            Some(&org.secret),
            Some(&serde_json::from_str(&body).unwrap()),
            &[("Idempotency-Key", "k")],
        )
        .await;
    let first = server
        .send("POST", "/v1/flows/assign", Some(&org.secret), Some(&serde_json::from_str(&body).unwrap()), &[])
        .await;

    // THEN it runs (it used to replay the 415 for a day)
    assert_eq!(right.status, 200, "{:?}", right.body);
    assert_eq!(first.status, 409, "the assignment was made once");
}

async fn the_same_body_with_other_spacing_and_key_order_is_replayed(backend: Backend) {
    // GIVEN an assign made with an Idempotency-Key
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let compact = format!("{{\"flowId\":\"{flow}\",\"userEmail\":\"employee@company.com\"}}");
    let spaced = format!("{{ \"userEmail\" : \"employee@company.com\",\n  \"flowId\" : \"{flow}\" }}");
    let send = |body: String| {
        let (server, secret) = (&server, org.secret.clone());
        async move {
            let request = flows_testkit::http_client()
                .post(format!("{}/v1/flows/assign", server.base))
                .bearer_auth(secret)
                .header("content-type", "application/json")
                .header("idempotency-key", "same")
                .body(body);
            request.send().await.unwrap()
        }
    };
    let first = send(compact).await;
    assert_eq!(first.status(), 200);
    let first: serde_json::Value = first.json().await.unwrap();

    // WHEN the same JSON comes written otherwise
    let again = send(spaced).await;

    // THEN it is the same request: the first answer again
    assert_eq!(again.status(), 200);
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    let again: serde_json::Value = again.json().await.unwrap();
    assert_eq!(again, first);
}

async fn the_admin_routes_allow_their_limit_a_minute(backend: Backend) {
    // GIVEN the admin routes limited to 3 requests a minute
    flows_testkit::avoid_minute_boundary().await;
    let server = TestServer::start_with(backend, |c| c.rate_limit_admin = 3).await;

    // WHEN four organizations are bootstrapped in one minute
    let mut statuses = Vec::new();
    for i in 0..4 {
        let body = json!({"name": format!("Org {i}"), "owner": {"email": format!("o{i}@example.com"), "name": "O"}});
        let reply =
            server.send("POST", "/admin/organizations", Some(flows_testkit::ADMIN_TOKEN), Some(&body), &[]).await;
        statuses.push(reply.status.as_u16());
    }

    // THEN the fourth is refused
    assert_eq!(statuses, [201, 201, 201, 429]);
}

async fn head_on_a_get_route_is_the_get_without_its_body(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a GET route is asked with HEAD
    let head = flows_testkit::http_client()
        .head(format!("{}/v1/users", server.base))
        .bearer_auth(&org.secret)
        .send()
        .await
        .unwrap();

    // THEN it answers as the GET would, without a body (it used to be a 405)
    assert_eq!(head.status(), 200);
    assert_eq!(head.headers()["content-type"], "application/json; charset=utf-8");
    assert!(head.headers().contains_key("x-request-id"));
    assert!(head.bytes().await.unwrap().is_empty());
}

async fn successful_answers_carry_the_rate_limit_headers(backend: Backend) {
    // GIVEN the standard tier's 100 requests a minute
    flows_testkit::avoid_minute_boundary().await;
    let server = TestServer::start_with(backend, |c| c.rate_limit_standard = 100).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN two requests are made
    let first = server.get("/v1/users", &org.secret).await;
    let second = server.get("/v1/users", &org.secret).await;

    // THEN each says the policy and what is left, in the IETF draft's structured form
    assert_eq!(first.header("ratelimit-policy"), Some("\"minute\";q=100;w=60"));
    let remaining = |reply: &flows_testkit::Reply| {
        let value = reply.header("ratelimit").unwrap().to_owned();
        assert!(value.starts_with("\"minute\";r="), "{value}");
        let r: u32 = value.split(";r=").nth(1).unwrap().split(';').next().unwrap().parse().unwrap();
        let t: u32 = value.split(";t=").nth(1).unwrap().parse().unwrap();
        assert!((1..=60).contains(&t), "{value}");
        r
    };
    assert_eq!(remaining(&first), 99);
    assert_eq!(remaining(&second), 98);
}

async fn texts_of_four_byte_characters_at_their_limits_are_stored(backend: Backend) {
    // GIVEN an organization and a flow
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let four = |n: usize| "𝔘".repeat(n);

    // WHEN a person, a flow and an assignment are made with every text at its limit, of four-byte characters
    let person = json!({"email": "u@example.com", "name": four(100), "nick": four(50), "externalId": four(255)});
    let user = server.post("/v1/users", &org.secret, person).await;
    let steps: Vec<_> = (0..100).map(|i| json!({"id": format!("s{i}"), "title": four(200)})).collect();
    let created =
        server.post(&format!("/flows/{}", org.slug), &org.secret, json!({"name": four(100), "steps": steps})).await;
    let assigned = server
        .post(
            "/v1/flows/assign",
            &org.secret,
            json!({"flowId": flow, "userEmail": "u@example.com", "notes": four(2000)}),
        )
        .await;

    // THEN all are stored (an external id like this used to be a 500 on DynamoDB: its key was over 1,024 bytes)
    assert_eq!(user.status, 201, "{:?}", user.body);
    assert_eq!(user.body["externalId"], four(255));
    assert_eq!(created.status, 201, "{:?}", created.body);
    assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    let id = assigned.body["assignmentId"].as_str().unwrap();
    assert_eq!(server.get(&format!("/v1/assignments/{id}"), &org.secret).await.body["notes"], four(2000));
    let again = server
        .post("/v1/users", &org.secret, json!({"email": "v@example.com", "name": "V", "externalId": four(255)}))
        .await;
    assert_eq!(again.status, 409, "the external id is still unique: {:?}", again.body);
}

async fn a_whole_number_written_with_a_zero_fraction_is_taken(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a step's minutes are written 30.0
    let body = json!({"name": "Floats", "steps": [{"id": "a", "title": "A", "estimatedMinutes": 30.0}]});
    let reply = server.post(&format!("/flows/{}", org.slug), &org.secret, body).await;

    // THEN it is the whole number 30 (JSON Schema agrees)
    assert_eq!(reply.status, 201, "{:?}", reply.body);
    assert_eq!(reply.body["steps"][0]["estimatedMinutes"], 30);
}

async fn an_endpoint_on_a_port_other_than_443_or_8443_is_refused_outside_local_mode(backend: Backend) {
    // GIVEN a server outside local mode, whose resolver finds a public address
    let resolver = flows_testkit::StaticResolver::with(&[("hooks.example.com", "93.184.216.34")]);
    let server = TestServer::start_custom(
        flows_testkit::store(backend).await,
        |c| c.local_mode = false,
        std::sync::Arc::new(resolver),
    )
    .await;
    let org = server.organization("Acme", "standard").await;

    // WHEN endpoints on a database's port and on 8443 are created
    let redis = server.post("/v1/webhooks", &org.secret, json!({"url": "https://hooks.example.com:6379/x"})).await;
    let alt = server.post("/v1/webhooks", &org.secret, json!({"url": "https://hooks.example.com:8443/x"})).await;

    // THEN only the HTTPS ports are taken
    assert_eq!(redis.status, 400);
    assert_eq!(redis.body["errors"]["url"][0], "must use port 443 or 8443");
    assert_eq!(alt.status, 201, "{:?}", alt.body);
}

/// The DynamoDB-only defects: faults moto never shows, injected at the SDK's boundary.
mod dynamodb_faults {
    use super::*;

    async fn server_on(faults: &DynamoFaults, retries: bool) -> TestServer {
        TestServer::start_on(faulty_dynamo_store(faults, retries).await).await
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_throttled_transaction_is_a_503() {
        // GIVEN a flow and a person, and DynamoDB throttling the assign's transaction (a cancellation reason
        // `ThrottlingError`, which the old prefix match took for an internal failure: a 500)
        let faults = DynamoFaults::default();
        let server = server_on(&faults, true).await;
        let (org, flow) = server.ready_to_assign("Acme").await;
        let n = faults.sent("TransactWriteItems").len() + 1;
        faults.inject(Rule {
            operation: "TransactWriteItems",
            nth: n,
            status: 400,
            body: cancelled_transaction(&["None", "ThrottlingError", "None"]),
            neutralize: true,
        });

        // WHEN the flow is assigned
        let reply = server
            .post("/v1/flows/assign", &org.secret, json!({"flowId": flow, "userEmail": "employee@company.com"}))
            .await;

        // THEN it is a 503 the caller may retry, and the retry works
        assert_eq!(reply.status, 503, "{:?}", reply.body);
        assert_eq!(reply.body["error"], "service_unavailable");
        let retry = server
            .post("/v1/flows/assign", &org.secret, json!({"flowId": flow, "userEmail": "employee@company.com"}))
            .await;
        assert_eq!(retry.status, 200, "{:?}", retry.body);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_busy_store_reading_what_is_inside_an_email_flow_is_a_503_not_a_404() {
        // GIVEN an email flow with a trigger, and DynamoDB throttling the next read (the flow's, which goes out first,
        // beside the key's); a read of a trigger used to answer any failure of its flow's read as a missing trigger
        let faults = DynamoFaults::default();
        let server = server_on(&faults, false).await;
        let org = server.organization("Acme", "standard").await;
        let ids = server.email_flow(&org.secret, "Welcome").await;
        let n = faults.sent("GetItem").len();
        let throttled =
            r#"{"__type":"com.amazonaws.dynamodb.v20120810#ThrottlingException","message":"Rate exceeded"}"#;
        faults.inject(Rule { operation: "GetItem", nth: n + 1, status: 400, body: throttled.into(), neutralize: true });

        // WHEN the trigger is read
        let path = format!("/v1/Agents/Workflow/GetWorkflowTrigger?workflowTriggerId={}", ids.trigger);
        let reply = server.post(&path, &org.secret, json!(null)).await;

        // THEN it is a 503 the caller may retry (the throttled read was the flow's), and the retry finds the trigger
        assert!(faults.sent("GetItem")[n].contains("EMAILFLOW#"), "{:?}", faults.sent("GetItem"));
        assert_eq!(reply.status, 503, "{:?}", reply.body);
        let retry = server.post(&path, &org.secret, json!(null)).await;
        assert_eq!(retry.status, 200, "{:?}", retry.body);
        assert_eq!(retry.body["WorkflowTriggerId"], ids.trigger);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_transaction_cancelled_by_a_conflict_is_tried_again() {
        // GIVEN DynamoDB cancelling a person's creation once because another transaction held the organization
        let faults = DynamoFaults::default();
        let server = server_on(&faults, true).await;
        let org = server.organization("Acme", "standard").await;
        let n = faults.sent("TransactWriteItems").len() + 1;
        faults.inject(Rule {
            operation: "TransactWriteItems",
            nth: n,
            status: 400,
            body: cancelled_transaction(&["None", "None", "TransactionConflict"]),
            neutralize: true,
        });

        // WHEN the person is added
        let reply = server.post("/v1/users", &org.secret, json!({"email": "p@example.com", "name": "P"})).await;

        // THEN the transaction went again and the person is there
        assert_eq!(reply.status, 201, "{:?}", reply.body);
        assert_eq!(faults.sent("TransactWriteItems").len(), n + 1);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_transaction_sent_again_by_the_sdk_carries_the_same_client_request_token() {
        // GIVEN the answer to an organization's committed transaction lost (a server error the SDK retries)
        let faults = DynamoFaults::default();
        let server = server_on(&faults, true).await;
        faults.inject(Rule {
            operation: "TransactWriteItems",
            nth: 1,
            status: 500,
            body: json!({"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError", "message": "lost"})
                .to_string(),
            neutralize: false,
        });

        // WHEN the organization is bootstrapped
        let body = json!({"name": "Acme", "owner": {"email": "o@example.com", "name": "O"}});
        server.send("POST", "/admin/organizations", Some(flows_testkit::ADMIN_TOKEN), Some(&body), &[]).await;

        // THEN the SDK's second attempt carried the first's ClientRequestToken, so DynamoDB takes it for the first
        // (without one, a retry after a lost answer conflicted with itself: a 409 for the organization just made).
        // moto does not keep tokens, so what it answers the second attempt says nothing here.
        let sent = faults.sent("TransactWriteItems");
        let token = |body: &str| serde_json::from_str::<serde_json::Value>(body).unwrap()["ClientRequestToken"].clone();
        assert_eq!(sent.len(), 2, "{sent:?}");
        assert!(token(&sent[0]).as_str().is_some_and(|t| !t.is_empty()), "{}", sent[0]);
        assert_eq!(token(&sent[0]), token(&sent[1]));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_answer_lost_after_its_commit_is_replayed_not_written_again() {
        // GIVEN a flow and a person, and the assign's committed transaction answered with an error (the process
        // died, or the network lost the answer, after the commit)
        let faults = DynamoFaults::default();
        let server = server_on(&faults, false).await;
        let (org, flow) = server.ready_to_assign("Acme").await;
        let n = faults.sent("TransactWriteItems").len() + 1;
        faults.inject(Rule {
            operation: "TransactWriteItems",
            nth: n,
            status: 400,
            body: json!({"__type": "com.amazonaws.dynamodb.v20120810#LostAnswer", "message": "lost"}).to_string(),
            neutralize: false,
        });
        let body = json!({"flowId": flow, "userEmail": "employee@company.com"});
        let lost =
            server.send("POST", "/v1/flows/assign", Some(&org.secret), Some(&body), &[("Idempotency-Key", "k")]).await;
        assert!(lost.status.is_server_error(), "{:?}", lost.body);

        // WHEN the client retries with the same key
        let retry =
            server.send("POST", "/v1/flows/assign", Some(&org.secret), Some(&body), &[("Idempotency-Key", "k")]).await;

        // THEN it gets the committed answer, whose record was written with the assignment
        assert_eq!(retry.status, 200, "{:?}", retry.body);
        assert_eq!(retry.header("idempotent-replayed"), Some("true"));
        let id = retry.body["assignmentId"].as_str().unwrap();
        assert_eq!(server.get(&format!("/v1/assignments/{id}"), &org.secret).await.status, 200);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn keys_and_idempotency_records_are_read_strongly_consistent() {
        // GIVEN a request with an Idempotency-Key sent twice, so that the second reads the record
        let faults = DynamoFaults::default();
        let server = server_on(&faults, true).await;
        let org = server.organization("Acme", "standard").await;
        let body = json!({"url": "http://127.0.0.1:9/hooks"});
        for _ in 0..2 {
            server.send("POST", "/v1/webhooks", Some(&org.secret), Some(&body), &[("Idempotency-Key", "k")]).await;
        }

        // THEN every read of a key and of an idempotency record asked for the latest write (a revoked key used to
        // pass for a moment)
        let reads: Vec<serde_json::Value> =
            faults.sent("GetItem").iter().map(|b| serde_json::from_str(b).unwrap()).collect();
        let of = |prefix: &str| {
            reads.iter().filter(|r| r["Key"]["PK"]["S"].as_str().unwrap().starts_with(prefix)).collect::<Vec<_>>()
        };
        assert!(!of("APIKEY#").is_empty() && !of("IDEM#").is_empty(), "{reads:?}");
        for read in of("APIKEY#").into_iter().chain(of("IDEM#")) {
            assert_eq!(read["ConsistentRead"], true, "{read}");
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn batch_reads_give_up_with_a_503_after_backing_off() {
        // GIVEN a flow and a person, and DynamoDB leaving every key of every batch read unprocessed
        let faults = DynamoFaults::default();
        let server = server_on(&faults, true).await;
        let (org, flow) = server.ready_to_assign("Acme").await;
        let first = faults.sent("BatchGetItem").len() + 1;
        for nth in first..first + 5 {
            faults.inject(Rule {
                operation: "BatchGetItem",
                nth,
                status: 200,
                body: ALL_UNPROCESSED.to_owned(),
                neutralize: false,
            });
        }

        // WHEN the flow is assigned
        let started = std::time::Instant::now();
        let reply = server
            .post("/v1/flows/assign", &org.secret, json!({"flowId": flow, "userEmail": "employee@company.com"}))
            .await;

        // THEN the read was asked five times, backing off, then given up with a 503 the caller may retry (it used
        // to loop without a pause)
        assert_eq!(reply.status, 503, "{:?}", reply.body);
        assert_eq!(faults.sent("BatchGetItem").len(), first + 4);
        assert!(started.elapsed() < std::time::Duration::from_secs(5));
    }
}
