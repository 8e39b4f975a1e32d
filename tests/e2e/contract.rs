//! A contract people can trust: what a newcomer and an attacker found, each held. Unknown members on our routes,
//! every bad field at once, MomoFlow's own paths, links that lead somewhere, decoded path parameters, one text rule,
//! numbered organization slugs, CORS wildcards, bounded profiles, HEAD and content types, and a local server that
//! does not wait forever.

use std::sync::Arc;
use std::time::Duration;

use flows_testkit::superoffice::agent;
use flows_testkit::{Backend, TestServer};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

crate::on_both_backends!(
    a_member_our_routes_do_not_know_is_a_400_naming_it_with_the_member_meant,
    every_bad_field_of_a_request_is_named_at_once,
    momoflows_paths_answer_like_paths_and_their_words_are_reserved_slugs,
    an_organizations_url_and_a_flows_web_url_lead_somewhere,
    path_parameters_are_decoded_as_api_gateway_decodes_them,
    invisible_and_direction_changing_text_is_refused_everywhere,
    organizations_named_without_ascii_letters_get_numbered_slugs,
    a_cors_wildcard_allows_one_label_of_the_host,
    a_profile_never_passes_what_one_item_holds,
    head_answers_carry_their_length_and_utf_16_is_not_read_as_json,
    assignments_made_in_one_second_list_alike_on_both_backends,
    a_public_key_brings_in_a_bounded_number_of_people,
);

async fn a_member_our_routes_do_not_know_is_a_400_naming_it_with_the_member_meant(backend: Backend) {
    // GIVEN an organization with a flow to assign
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;

    // WHEN an assign spells dueDate as due_date and sends a Priority, and a person's change names a member nobody has
    let assign =
        json!({"flowId": flow, "userEmail": "employee@company.com", "due_date": "2030-01-01", "Priority": "high"});
    let assigned = server.post("/v1/flows/assign", &org.secret, assign).await;
    let owner = org.body["owner"]["id"].as_u64().unwrap();
    let changed = server
        .send("PATCH", &format!("/v1/users/{owner}"), Some(&org.secret), Some(&json!({"colour": "red"})), &[])
        .await;

    // THEN each is a 400 naming the member, with the one meant when one is close, and nothing was made
    assert_eq!(assigned.status, 400, "{:?}", assigned.body);
    assert_eq!(assigned.body["errors"]["due_date"], json!(["is not a member of this request; did you mean dueDate?"]));
    assert_eq!(assigned.body["errors"]["Priority"], json!(["is not a member of this request; did you mean priority?"]));
    assert_eq!(server.get("/v1/assignments", &org.secret).await.body["items"], json!([]));
    assert_eq!(changed.status, 400);
    assert_eq!(changed.body["errors"]["colour"], json!(["is not a member of this request"]));
    // AND a vendor's route keeps taking what its client sends beyond its document (Frigade's context, createdAt)
    let open = json!({"access_mode": "organization"});
    let path = format!("/flows/{}/customer-onboarding", org.slug);
    assert_eq!(server.send("PUT", &path, Some(&org.secret), Some(&open), &[]).await.status, 200);
    let frigade = json!({"userId": "u-1", "flowSlug": flow, "stepId": "welcome", "actionType": "STARTED_STEP",
        "createdAt": "2030-01-01T00:00:00Z", "context": {"url": "https://app.example.com"}});
    assert_eq!(server.post("/v1/public/flowStates", &org.public, frigade).await.status, 200);
}

async fn every_bad_field_of_a_request_is_named_at_once(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN an endpoint has a bad URL and a bad event, and an email flow a bad Status and a bad NumIntervals
    let hook = server.post("/v1/webhooks", &org.secret, json!({"url": "ftp://x", "events": ["flow.done"]})).await;
    let flow = json!({"Name": "F", "Status": "Sleeping", "Steps": [{"StepType": "WaitForTime", "NumIntervals": "x"}]});
    let saved = server.post(&agent("SaveEmailFlow"), &org.secret, flow).await;

    // THEN one 400 names both of each, and nothing was stored
    assert_eq!(hook.status, 400, "{:?}", hook.body);
    assert!(hook.body["errors"]["url"].is_array() && hook.body["errors"]["events"].is_array(), "{:?}", hook.body);
    assert_eq!(server.get("/v1/webhooks", &org.secret).await.body["items"], json!([]));
    assert_eq!(saved.status, 400, "{:?}", saved.body);
    let errors = saved.body["errors"].as_object().unwrap();
    assert!(errors.keys().any(|k| k.eq_ignore_ascii_case("Status")), "{errors:?}");
    assert!(errors.keys().any(|k| k.to_ascii_lowercase().contains("numintervals")), "{errors:?}");
}

async fn momoflows_paths_answer_like_paths_and_their_words_are_reserved_slugs(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN MomoFlow's paths are asked with another method, and flows are named after them
    let get = server.get("/v1/flows/assign", &org.secret).await;
    let put = server.send("PUT", "/v1/flows/report", Some(&org.secret), Some(&json!({})), &[]).await;
    let assign = server.post(&format!("/flows/{}", org.slug), &org.secret, json!({"name": "Assign"})).await;
    let report = server.post(&format!("/flows/{}", org.slug), &org.secret, json!({"name": "Report"})).await;
    let chosen =
        server.post(&format!("/flows/{}", org.slug), &org.secret, json!({"name": "X", "flowSlug": "assign"})).await;

    // THEN the paths are 405s naming POST, and the flows get the next numbers; the reserved slug is a 400
    for reply in [&get, &put] {
        assert_eq!(reply.status, 405, "{:?}", reply.body);
        assert_eq!(reply.header("allow"), Some("POST"));
    }
    assert_eq!(assign.body["parameterized_name"], "assign-2", "{:?}", assign.body);
    assert_eq!(report.body["parameterized_name"], "report-2");
    assert_eq!(chosen.status, 400, "{:?}", chosen.body);
    assert!(chosen.body["errors"]["flowSlug"].is_array());
}

async fn an_organizations_url_and_a_flows_web_url_lead_somewhere(backend: Backend) {
    // GIVEN an organization, another, and a flow
    let server = TestServer::start(backend).await;
    let (org, _) = server.ready_to_assign("Acme").await;
    let other = server.organization("Beta", "standard").await;
    let flow = server.get(&format!("/flows/{}/customer-onboarding", org.slug), &org.secret).await;

    // WHEN the organization's url and the flow's web_url are followed
    let url = flow.body["organization"]["url"].as_str().unwrap().replace(&server.base, "");
    let read = server.get(&url, &org.secret).await;
    let theirs = server.get(&url, &other.secret).await;
    let web = flow.body["web_url"].as_str().unwrap().replace(&server.base, "");
    let page = server.get(&web, &org.secret).await;

    // THEN the organization is Flowdock's object for its own key, a 404 for another's; the flow's page says where
    assert_eq!(read.status, 200, "{url}: {:?}", read.body);
    assert_eq!(read.body["parameterized_name"], org.slug.as_str());
    assert_eq!(read.body["url"], flow.body["organization"]["url"]);
    assert_eq!(theirs.status, 404);
    assert_eq!(page.status, 404, "{web}");
    assert!(page.body["message"].as_str().unwrap().contains("dashboard"), "{:?}", page.body);
}

async fn path_parameters_are_decoded_as_api_gateway_decodes_them(backend: Backend) {
    // GIVEN people Frigade knows as "a b" and "😀", with progress in an organization-mode flow
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let open = json!({"access_mode": "organization"});
    let path = format!("/flows/{}/customer-onboarding", org.slug);
    assert_eq!(server.send("PUT", &path, Some(&org.secret), Some(&open), &[]).await.status, 200);
    for user in ["a b", "😀", "%2e%2e"] {
        let act = json!({"userId": user, "flowSlug": flow, "stepId": "welcome", "actionType": "STARTED_STEP"});
        assert_eq!(server.post("/v1/public/flowStates", &org.public, act).await.status, 200);
    }

    // WHEN their progress is forgotten through their percent-encoded ids
    let spaced = server.send("DELETE", &format!("/v1/userFlowStates/{flow}/a%20b"), Some(&org.secret), None, &[]).await;
    let emoji =
        server.send("DELETE", &format!("/v1/userFlowStates/{flow}/%F0%9F%98%80"), Some(&org.secret), None, &[]).await;
    let dots = server.send("DELETE", &format!("/v1/userFlowStates/{flow}/%2e%2e"), Some(&org.secret), None, &[]).await;

    // THEN the first two name their people; `%2e%2e` is `..`, not the person literally named "%2e%2e"
    assert_eq!(spaced.status, 204, "{:?}", spaced.body);
    assert_eq!(emoji.status, 204, "{:?}", emoji.body);
    assert_eq!(dots.status, 404, "{:?}", dots.body);
    let twice =
        server.send("DELETE", &format!("/v1/userFlowStates/{flow}/%252e%252e"), Some(&org.secret), None, &[]).await;
    assert_eq!(twice.status, 204, "decoded once: {:?}", twice.body);
}

async fn invisible_and_direction_changing_text_is_refused_everywhere(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN names of zero-width spaces or with a direction override are given to a flow, a person, an organization,
    // and a NUL to an email flow's name
    let flow = server.post(&format!("/flows/{}", org.slug), &org.secret, json!({"name": "\u{200b}\u{200b}"})).await;
    let person = server
        .post("/v1/users", &org.secret, json!({"email": "x@acme.example.com", "name": "abc\u{202e}gpj.exe"}))
        .await;
    let owner = json!({"email": "o@x.example.com", "name": "O"});
    let organization = server
        .send(
            "POST",
            "/admin/organizations",
            Some(flows_testkit::ADMIN_TOKEN),
            Some(&json!({"name": "\u{2066}x", "owner": owner})),
            &[],
        )
        .await;
    let email_flow = server.post(&agent("SaveEmailFlow"), &org.secret, json!({"Name": "a\u{0}b"})).await;

    // THEN each is a 400 on that field; joiners that scripts need stay
    assert_eq!(flow.status, 400, "{:?}", flow.body);
    assert!(flow.body["errors"]["name"].is_array());
    assert_eq!(person.status, 400);
    assert!(person.body["errors"]["name"].is_array());
    assert_eq!(organization.status, 400, "{:?}", organization.body);
    assert_eq!(email_flow.status, 400, "{:?}", email_flow.body);
    let joined =
        server.post(&format!("/flows/{}", org.slug), &org.secret, json!({"name": "👩\u{200d}💻 onboarding"})).await;
    assert_eq!(joined.status, 201, "{:?}", joined.body);
}

async fn organizations_named_without_ascii_letters_get_numbered_slugs(backend: Backend) {
    // GIVEN the admin token
    let server = TestServer::start(backend).await;
    let mut slugs = Vec::new();

    // WHEN organizations are named in scripts without an ASCII letter or digit
    for (i, name) in ["名前", "ＡＢＣ", "😀😀😀"].into_iter().enumerate() {
        let owner = json!({"email": format!("o{i}@x.example.com"), "name": "O"});
        let reply = server
            .send(
                "POST",
                "/admin/organizations",
                Some(flows_testkit::ADMIN_TOKEN),
                Some(&json!({"name": name, "owner": owner})),
                &[],
            )
            .await;
        assert_eq!(reply.status, 201, "{name}: {:?}", reply.body);
        slugs.push(reply.body["organization"]["parameterized_name"].as_str().unwrap().to_owned());
    }

    // THEN each exists, numbered
    assert_eq!(slugs, ["organization", "organization-2", "organization-3"]);
}

async fn a_cors_wildcard_allows_one_label_of_the_host(backend: Backend) {
    // GIVEN an organization that allows https://*.example.com
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let set = json!({"allowedOrigins": ["https://*.example.com"]});
    let saved = server.send("PUT", "/v1/settings/cors", Some(&org.secret), Some(&set), &[]).await;
    assert_eq!(saved.status, 200, "{:?}", saved.body);

    // WHEN pages of a subdomain, of the bare domain and of a deeper one read a public route
    let read = |origin: &'static str| {
        let (server, key) = (&server, org.public.clone());
        async move {
            let reply = server.send("GET", "/v1/public/flows", Some(&key), None, &[("origin", origin)]).await;
            reply.header("access-control-allow-origin").map(str::to_owned)
        }
    };

    // THEN only the one label is allowed, named as the page's own origin
    assert_eq!(read("https://app.example.com").await.as_deref(), Some("https://app.example.com"));
    assert_eq!(read("https://example.com").await, None);
    assert_eq!(read("https://a.b.example.com").await, None);
    // AND a wildcard over a whole top-level domain is a 400
    let wide = server
        .send("PUT", "/v1/settings/cors", Some(&org.secret), Some(&json!({"allowedOrigins": ["https://*.com"]})), &[])
        .await;
    assert_eq!(wide.status, 400);
}

async fn a_profile_never_passes_what_one_item_holds(backend: Backend) {
    // GIVEN a public key and a user it sends sessions for
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let blob = "x".repeat(3000);
    let small = "y".repeat(1900);

    // WHEN it sends sessions with large properties, 50 groups and large events, as an attacker did
    let mut refused = None;
    for i in 0..60 {
        let events: Vec<Value> =
            (0..4).map(|e| json!({"event": format!("e{i}-{e}"), "properties": {"x": small}})).collect();
        let session = json!({"userId": "big", "groupId": format!("g{}", i % 50),
            "userProperties": {format!("p{}", i % 30): blob}, "groupProperties": {"a": blob}, "userEvents": events});
        let reply = server.post("/v1/public/sessions", &org.public, session).await;
        assert!(reply.status == 202 || reply.status == 413, "{i}: {} {:?}", reply.status, reply.body);
        if reply.status == 413 {
            refused = Some(reply.body);
            break;
        }
    }

    // THEN the profile always reads back (so it always fit one item), the oldest events trimmed first
    let id = server.get("/v1/users?externalId=big", &org.secret).await.body["items"][0]["id"].clone();
    let profile = server.get(&format!("/v1/users/{id}/events"), &org.secret).await;
    assert_eq!(profile.status, 200, "{:?}", profile.body);
    assert!(serde_json::to_vec(&profile.body).unwrap().len() < 380 * 1024);
    assert!(profile.body["events"].as_array().unwrap().len() < 100);
    if let Some(body) = refused {
        assert_eq!(body["error"], "payload_too_large");
    }
}

async fn head_answers_carry_their_length_and_utf_16_is_not_read_as_json(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a list is asked with GET and HEAD, and a body comes as UTF-16
    let got = server.get("/v1/users", &org.secret).await;
    let head = server.send("HEAD", "/v1/users", Some(&org.secret), None, &[]).await;
    let body: Vec<u8> =
        "{\"email\": \"a@b.example.com\", \"name\": \"A\"}".encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16 =
        server.send_raw("POST", "/v1/users", Some(&org.secret), Some("application/json; charset=utf-16"), body).await;

    // THEN the HEAD says the GET's length without a body, and UTF-16 is a 415
    let length = serde_json::to_vec(&got.body).unwrap().len();
    assert_eq!(head.status, 200);
    assert_eq!(head.header("content-length").and_then(|l| l.parse::<usize>().ok()), Some(length));
    assert_eq!(utf16.status, 415, "{:?}", utf16.body);
    // AND a preflight names every method of its path
    let preflight =
        server.send("OPTIONS", "/v1/public/flowStates", None, None, &[("origin", "https://a.example")]).await;
    assert_eq!(preflight.header("allow"), Some("GET, POST, HEAD, OPTIONS"));
}

async fn assignments_made_in_one_second_list_alike_on_both_backends(backend: Backend) {
    // GIVEN six assignments made as fast as they go (several within one second)
    let server = TestServer::start(backend).await;
    let (org, _) = server.ready_to_assign("Acme").await;
    let mut made = Vec::new();
    for i in 0..6 {
        let flow = server.post(&format!("/flows/{}", org.slug), &org.secret, json!({"name": format!("F {i}")})).await;
        let body = json!({"flowId": flow.body["id"], "userEmail": "employee@company.com"});
        let assigned = server.post("/v1/flows/assign", &org.secret, body).await;
        assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    }

    // WHEN they are read two at a time
    let mut path = "/v1/assignments?limit=2".to_owned();
    for _ in 0..4 {
        let page = server.get(&path, &org.secret).await;
        made.extend(
            page.body["items"].as_array().unwrap().iter().map(|a| {
                (a["assignedAt"].as_str().unwrap().to_owned(), a["assignmentId"].as_str().unwrap().to_owned())
            }),
        );
        match page.body["nextCursor"].as_str() {
            Some(c) => path = format!("/v1/assignments?limit=2&cursor={c}"),
            None => break,
        }
    }

    // THEN they come newest first, ties by id from the highest, as the index's sort key orders them
    let mut expected = made.clone();
    expected.sort_by(|a, b| b.cmp(a));
    assert_eq!(made.len(), 6);
    assert_eq!(made, expected);
}

async fn a_public_key_brings_in_a_bounded_number_of_people(backend: Backend) {
    // GIVEN an organization whose public keys may bring in 5 new people a minute, and 8 people in all
    flows_testkit::avoid_minute_boundary().await;
    let server = TestServer::start_with(backend, |c| {
        c.rate_limit_standard = 5;
        c.rate_limit_public_key_factor = 100;
        c.rate_limit_public_user = 100;
        c.people_limit_standard = 8;
    })
    .await;
    let org = server.organization("Acme", "standard").await;
    let session = |user: String| json!({"userId": user, "userEvents": [{"event": "seen"}]});

    // WHEN one public key sends sessions for 6 new end users in a minute
    let mut statuses = Vec::new();
    for i in 0..6 {
        statuses
            .push(server.post("/v1/public/sessions", &org.public, session(format!("new-{i}"))).await.status.as_u16());
    }

    // THEN the sixth is a 429 that made nobody, and people already known go on
    assert_eq!(statuses, [202, 202, 202, 202, 202, 429], "{statuses:?}");
    assert_eq!(server.get("/v1/users?externalId=new-5", &org.secret).await.body["items"], json!([]));
    assert_eq!(server.post("/v1/public/sessions", &org.public, session("new-0".into())).await.status, 202);
    // AND a secret key's new people are its admins' business; past the organization's cap a public key gets a 403
    for i in 0..2 {
        let person = json!({"email": format!("p{i}@acme.example.com"), "name": "P"});
        assert_eq!(server.post("/v1/users", &org.secret, person).await.status, 201);
    }
    let other_key = server.post("/v1/api-keys", &org.secret, json!({"kind": "public"})).await.body["key"]
        .as_str()
        .unwrap()
        .to_owned();
    let capped = server.post("/v1/public/sessions", &other_key, session("late".into())).await;
    assert_eq!(capped.status, 403, "{:?}", capped.body);
    assert_eq!(server.get("/v1/users?externalId=late", &org.secret).await.body["items"], json!([]));
}

#[tokio::test]
async fn the_local_server_closes_on_slow_headers_and_answers_a_slow_body_with_a_408() {
    // GIVEN the local server with short read timeouts
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = flows_shared::app::with_store(
        flows_testkit::test_config(),
        Arc::new(flows_shared::store::memory::MemoryStore::new()),
    );
    let timeouts =
        flows_shared::local::ReadTimeouts { headers: Duration::from_millis(500), body: Duration::from_millis(800) };
    let served = tokio::spawn(flows_shared::local::serve_with(listener, state, timeouts));

    // WHEN one client sends half its headers, and another announces a body it never sends
    let mut half = tokio::net::TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET /v1/users HTTP/1.1\r\nHost: x\r\n").await.unwrap();
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(
        b"POST /v1/users HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    )
    .await
    .unwrap();

    // THEN the first connection is closed, and the second gets a 408 in the project's format, both in time
    let mut buf = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), half.read_to_end(&mut buf)).await;
    assert!(closed.is_ok(), "the half-sent headers' connection stayed open");
    let mut answer = vec![0u8; 4096];
    let read = tokio::time::timeout(Duration::from_secs(5), slow.read(&mut answer)).await.expect("an answer in time");
    let text = String::from_utf8_lossy(&answer[..read.unwrap()]).into_owned();
    assert!(text.starts_with("HTTP/1.1 408"), "{text}");
    assert!(text.contains("request_timeout"), "{text}");
    served.abort();
}
