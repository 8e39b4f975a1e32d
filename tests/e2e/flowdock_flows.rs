//! Flowdock's flows as seed 001 lists them: `GET /flows` shows the flows the key's user is a member of, with
//! `Flowdock-User` naming that user, and each flow's users when asked.

use flows_testkit::{Backend, TestServer};
use serde_json::{json, Value};

crate::on_both_backends!(
    the_list_shows_the_flows_the_user_is_a_member_of,
    users_are_listed_with_each_flow_only_when_asked,
    a_users_parameter_that_is_no_boolean_is_a_400,
    a_flow_is_got_by_its_names_and_found_by_its_id_always_with_its_users,
    a_flow_the_user_may_not_see_is_a_404_and_one_open_to_the_organization_is_seen_unjoined,
    all_adds_the_organization_mode_flows_the_user_has_not_joined,
    unknown_names_and_ids_are_404s_and_find_needs_an_id,
    renaming_keeps_the_id_and_the_parameterized_name,
    only_admins_and_the_creator_change_disabled_or_access_mode,
    opening_an_organization_mode_flow_joins_it,
    a_disabled_flow_leaves_the_lists_and_is_a_404_to_members,
    bad_changes_are_400s_naming_each_field_and_change_nothing,
    a_rename_and_a_disabling_at_once_are_both_kept,
    members_add_members_and_a_blocked_one_leaves_only_that_flow,
    a_user_the_organization_does_not_have_is_no_member_to_add,
    someone_who_is_not_a_member_cannot_add_members,
    a_join_url_exists_only_in_the_link_and_organization_modes,
    a_user_joins_by_invitation_until_it_is_renewed_or_deleted,
    only_admins_and_the_creator_change_a_join_url,
    another_organizations_user_cannot_join_by_invitation,
    our_flows_and_users_have_the_seeds_fields_shapes_and_types,
);

/// Seed 001's examples, transcribed by hand (the seed's JSON has trailing and missing commas, and shows its times
/// in microseconds though it says milliseconds: here they are milliseconds).
fn seed_example(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/fixtures/flowdock").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Every field of `seed` is in `ours` with the same JSON type, recursively (objects by field; an array's first
/// element against any of the seed's, so that a field the seed shows both set and `null`, a user's `status`, may be
/// either); our objects may carry more (the flow's content).
fn assert_same_shape(seed: &Value, ours: &Value, at: &str) {
    let problems = shape_problems(seed, ours, at);
    assert!(problems.is_empty(), "{problems:#?}");
}

fn shape_problems(seed: &Value, ours: &Value, at: &str) -> Vec<String> {
    match (seed, ours) {
        (Value::Object(seed), Value::Object(ours)) => seed
            .iter()
            .flat_map(|(field, value)| match ours.get(field) {
                Some(theirs) => shape_problems(value, theirs, &format!("{at}.{field}")),
                None => vec![format!("{at}.{field} is missing")],
            })
            .collect(),
        (Value::Array(seed), Value::Array(ours)) => match ours.first() {
            None => Vec::new(),
            Some(first) => {
                let tries: Vec<Vec<String>> =
                    seed.iter().map(|s| shape_problems(s, first, &format!("{at}[0]"))).collect();
                if tries.iter().any(Vec::is_empty) {
                    Vec::new()
                } else {
                    tries.into_iter().next().unwrap_or_default()
                }
            }
        },
        (Value::Number(a), Value::Number(b)) if a.is_u64() != b.is_u64() => {
            vec![format!("{at}: the seed has {a}, we answer {b}")]
        }
        (a, b) if std::mem::discriminant(a) != std::mem::discriminant(b) => {
            vec![format!("{at}: the seed has {a}, we answer {b}")]
        }
        _ => Vec::new(),
    }
}

/// The invitation at the end of a join URL: `<token>-<parameterized_name>`.
fn invitation(join_url: &Value) -> String {
    join_url.as_str().unwrap().rsplit('/').next().unwrap().to_owned()
}

/// A member of Acme (not an admin) with a key of their own: (their id, their key).
async fn member(server: &TestServer, org: &flows_testkit::Org) -> (Value, String) {
    let member = json!({"email": "pat@acme.example.com", "name": "Pat Person"});
    let member = server.post("/v1/users", &org.secret, member).await;
    let id = member.body["id"].clone();
    let key = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": id})).await;
    (id, key.body["key"].as_str().unwrap().to_owned())
}

fn ids(reply: &Value) -> Vec<String> {
    let mut ids: Vec<String> = reply.as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

async fn the_list_shows_the_flows_the_user_is_a_member_of(backend: Backend) {
    // GIVEN the owner's two flows, and a member's key with a flow of the member's own
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let member = json!({"email": "pat@acme.example.com", "name": "Pat Person"});
    let member = server.post("/v1/users", &org.secret, member).await;
    let member_id = member.body["id"].clone();
    let key = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": member_id})).await;
    let member_key = key.body["key"].as_str().unwrap().to_owned();
    let mut owners = Vec::new();
    for name in ["My flow", "Another flow"] {
        let flow = server.post("/flows/acme", &org.secret, json!({"name": name})).await;
        assert_eq!(flow.status, 201, "{:?}", flow.body);
        owners.push(flow.body["id"].as_str().unwrap().to_owned());
    }
    let theirs = server.post("/flows/acme", &member_key, json!({"name": "Pat's flow"})).await;
    assert_eq!(theirs.status, 201, "{:?}", theirs.body);

    // WHEN each lists their flows
    let listed = server.get("/flows", &org.secret).await;
    let listed_by_member = server.get("/flows", &member_key).await;

    // THEN each sees their own, joined and open, as the seed's objects, with Flowdock-User naming them
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    owners.sort();
    assert_eq!(ids(&listed.body), owners);
    assert_eq!(listed.header("flowdock-user"), Some(org.body["owner"]["id"].to_string().as_str()));
    let first = &listed.body[0];
    for field in ["id", "name", "parameterized_name", "url", "web_url", "access_mode"] {
        assert!(first[field].is_string(), "{field}: {first}");
    }
    for field in ["id", "name", "parameterized_name", "user_limit", "user_count", "active", "url"] {
        assert!(!first["organization"][field].is_null(), "organization.{field}: {first}");
    }
    assert_eq!((first["joined"].as_bool(), first["open"].as_bool()), (Some(true), Some(true)));
    assert_eq!(first["unread_mentions"], 0);
    assert_eq!(ids(&listed_by_member.body), vec![theirs.body["id"].as_str().unwrap().to_owned()]);
    assert_eq!(listed_by_member.header("flowdock-user"), Some(member_id.to_string().as_str()));
}

async fn users_are_listed_with_each_flow_only_when_asked(backend: Backend) {
    // GIVEN a flow
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    assert_eq!(server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await.status, 201);

    // WHEN the list is asked for with users=1, users=true, users=0 and without
    let with = server.get("/flows?users=1", &org.secret).await;
    let with_true = server.get("/flows?users=true", &org.secret).await;
    let without = server.get("/flows?users=0", &org.secret).await;
    let plain = server.get("/flows", &org.secret).await;

    // THEN the users (the creator) come only when asked
    assert_eq!(with.body[0]["users"].as_array().unwrap().len(), 1, "{:?}", with.body);
    assert_eq!(with.body[0]["users"][0]["email"], "owner@acme.example.com");
    assert_eq!(with_true.body[0]["users"], with.body[0]["users"]);
    assert!(without.body[0].get("users").is_none(), "{:?}", without.body);
    assert!(plain.body[0].get("users").is_none(), "{:?}", plain.body);
}

async fn a_users_parameter_that_is_no_boolean_is_a_400(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN the list is asked for with users=yes
    let reply = server.get("/flows?users=yes", &org.secret).await;

    // THEN it is a 400 naming the parameter
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    assert!(reply.body["errors"]["users"].is_array(), "{:?}", reply.body);
}

async fn a_flow_is_got_by_its_names_and_found_by_its_id_always_with_its_users(backend: Backend) {
    // GIVEN a flow
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let created = server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await;
    let id = created.body["id"].as_str().unwrap().to_owned();

    // WHEN it is got by its names and found by its id
    let got = server.get("/flows/acme/my-flow", &org.secret).await;
    let found = server.get(&format!("/flows/find?id={id}"), &org.secret).await;

    // THEN both are the flow, with its users, joined, and Flowdock-User
    for reply in [&got, &found] {
        assert_eq!(reply.status, 200, "{:?}", reply.body);
        assert_eq!(reply.body["id"], id.as_str());
        assert_eq!(reply.body["parameterized_name"], "my-flow");
        assert_eq!(reply.body["users"][0]["email"], "owner@acme.example.com");
        assert_eq!(reply.body["joined"], true);
        assert_eq!(reply.header("flowdock-user"), Some(org.body["owner"]["id"].to_string().as_str()));
    }
}

async fn a_flow_the_user_may_not_see_is_a_404_and_one_open_to_the_organization_is_seen_unjoined(backend: Backend) {
    // GIVEN the owner's invitation-only flow and organization-mode flow, and a member in neither
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (_, member_key) = member(&server, &org).await;
    let closed = server.post("/flows/acme", &org.secret, json!({"name": "Closed"})).await;
    let open = json!({"name": "Open", "access_mode": "organization"});
    assert_eq!(server.post("/flows/acme", &org.secret, open).await.status, 201);
    let mine = server.post("/flows/acme", &member_key, json!({"name": "Mine"})).await;

    // WHEN the member asks for each, and the owner (an admin) for the member's invitation-only flow
    let closed_by_slug = server.get("/flows/acme/closed", &member_key).await;
    let closed_by_id =
        server.get(&format!("/flows/find?id={}", closed.body["id"].as_str().unwrap()), &member_key).await;
    let open_to_all = server.get("/flows/acme/open", &member_key).await;
    let by_admin = server.get(&format!("/flows/find?id={}", mine.body["id"].as_str().unwrap()), &org.secret).await;

    // THEN the closed one is a 404 both ways, the open one is seen but not joined, and the admin sees everything
    assert_eq!(closed_by_slug.status, 404, "{:?}", closed_by_slug.body);
    assert_eq!(closed_by_id.status, 404, "{:?}", closed_by_id.body);
    assert_eq!(open_to_all.status, 200, "{:?}", open_to_all.body);
    assert_eq!((open_to_all.body["joined"].as_bool(), open_to_all.body["open"].as_bool()), (Some(false), Some(false)));
    assert!(open_to_all.body["join_url"].is_string());
    assert_eq!(by_admin.status, 200, "{:?}", by_admin.body);
    assert_eq!(by_admin.body["joined"], false);
}

async fn all_adds_the_organization_mode_flows_the_user_has_not_joined(backend: Backend) {
    // GIVEN the owner's invitation-only and organization-mode flows, and a member's own flow
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (_, member_key) = member(&server, &org).await;
    server.post("/flows/acme", &org.secret, json!({"name": "Closed"})).await;
    let open = server.post("/flows/acme", &org.secret, json!({"name": "Open", "access_mode": "organization"})).await;
    let mine = server.post("/flows/acme", &member_key, json!({"name": "Mine"})).await;

    // WHEN the member lists their flows and all flows
    let listed = server.get("/flows", &member_key).await;
    let all = server.get("/flows/all", &member_key).await;

    // THEN the list is their own flow; all adds the organization-mode one, not joined, and never the closed one
    let mine_id = mine.body["id"].as_str().unwrap().to_owned();
    let open_id = open.body["id"].as_str().unwrap().to_owned();
    assert_eq!(ids(&listed.body), vec![mine_id.clone()]);
    assert_eq!(all.status, 200, "{:?}", all.body);
    let mut expected = vec![mine_id.clone(), open_id.clone()];
    expected.sort();
    assert_eq!(ids(&all.body), expected);
    let open_listed = all.body.as_array().unwrap().iter().find(|f| f["id"] == open_id.as_str()).unwrap();
    assert_eq!((open_listed["joined"].as_bool(), open_listed["open"].as_bool()), (Some(false), Some(false)));
    assert!(open_listed["join_url"].is_string());
}

async fn unknown_names_and_ids_are_404s_and_find_needs_an_id(backend: Backend) {
    // GIVEN an organization with a flow, and another organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    server.organization("Other", "standard").await;
    server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await;

    // WHEN unknown names, another organization's name, a malformed id and no id are asked for
    let statuses = [
        server.get("/flows/acme/nothing", &org.secret).await.status,
        server.get("/flows/other/my-flow", &org.secret).await.status,
        server.get("/flows/acme/Not%20A%20Slug", &org.secret).await.status,
        server.get("/flows/find?id=nope", &org.secret).await.status,
    ];
    let no_id = server.get("/flows/find", &org.secret).await;

    // THEN each is a 404, and no id is a 400 naming it
    assert!(statuses.iter().all(|s| *s == 404), "{statuses:?}");
    assert_eq!(no_id.status, 400, "{:?}", no_id.body);
    assert!(no_id.body["errors"]["id"].is_array(), "{:?}", no_id.body);
}

async fn renaming_keeps_the_id_and_the_parameterized_name(backend: Backend) {
    // GIVEN a flow
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let created = server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await;

    // WHEN it is renamed
    let body = json!({"name": "Our flow"});
    let renamed = server.send("PUT", "/flows/acme/my-flow", Some(&org.secret), Some(&body), &[]).await;

    // THEN the name changed, its id and parameterized_name did not, and it is read so
    assert_eq!(renamed.status, 200, "{:?}", renamed.body);
    assert_eq!(renamed.body["name"], "Our flow");
    assert_eq!(renamed.body["id"], created.body["id"]);
    assert_eq!(renamed.body["parameterized_name"], "my-flow");
    assert!(renamed.header("flowdock-user").is_some());
    assert_eq!(server.get("/flows/acme/my-flow", &org.secret).await.body["name"], "Our flow");
}

async fn only_admins_and_the_creator_change_disabled_or_access_mode(backend: Backend) {
    // GIVEN an organization-mode flow of the owner that a member has joined, and the member's own flow
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (_, member_key) = member(&server, &org).await;
    server.post("/flows/acme", &org.secret, json!({"name": "Open", "access_mode": "organization"})).await;
    let put = |key: String, path: &'static str, body: Value| {
        let server = &server;
        async move { server.send("PUT", path, Some(&key), Some(&body), &[]).await }
    };
    assert_eq!(put(member_key.clone(), "/flows/acme/open", json!({"open": true})).await.status, 200);
    server.post("/flows/acme", &member_key, json!({"name": "Mine"})).await;

    // WHEN the member changes the owner's flow's access mode, and their own flow's
    let refused = put(member_key.clone(), "/flows/acme/open", json!({"access_mode": "link"})).await;
    let own = put(member_key.clone(), "/flows/acme/mine", json!({"access_mode": "link"})).await;
    let by_owner = put(org.secret.clone(), "/flows/acme/open", json!({"access_mode": "link"})).await;

    // THEN the first is a 403 saying who may, the creator's and the admin's changes are made
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    assert_eq!(
        refused.body["message"],
        "Only an organization admin or the flow's creator may change disabled or access_mode"
    );
    assert_eq!(own.status, 200, "{:?}", own.body);
    assert_eq!(own.body["access_mode"], "link");
    assert!(own.body["join_url"].is_string());
    assert_eq!(by_owner.status, 200, "{:?}", by_owner.body);
    assert_eq!(by_owner.body["access_mode"], "link");
}

async fn opening_an_organization_mode_flow_joins_it(backend: Backend) {
    // GIVEN an organization-mode flow, and a member who has not joined it
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (member_id, member_key) = member(&server, &org).await;
    server.post("/flows/acme", &org.secret, json!({"name": "Open", "access_mode": "organization"})).await;
    assert!(ids(&server.get("/flows", &member_key).await.body).is_empty());

    // WHEN the member opens it, then closes it
    let body = json!({"open": true});
    let joined = server.send("PUT", "/flows/acme/open", Some(&member_key), Some(&body), &[]).await;
    let listed = server.get("/flows?users=1", &member_key).await;
    let body = json!({"open": false});
    let closed = server.send("PUT", "/flows/acme/open", Some(&member_key), Some(&body), &[]).await;

    // THEN the member joined it (listed, among its users), and closing keeps them a member
    assert_eq!(joined.status, 200, "{:?}", joined.body);
    assert_eq!((joined.body["joined"].as_bool(), joined.body["open"].as_bool()), (Some(true), Some(true)));
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    let users: Vec<&Value> = listed.body[0]["users"].as_array().unwrap().iter().map(|u| &u["id"]).collect();
    assert!(users.contains(&&member_id), "{users:?}");
    assert_eq!((closed.body["joined"].as_bool(), closed.body["open"].as_bool()), (Some(true), Some(false)));
    assert_eq!(server.get("/flows", &member_key).await.body[0]["open"], false);
}

async fn a_disabled_flow_leaves_the_lists_and_is_a_404_to_members(backend: Backend) {
    // GIVEN an organization-mode flow a member has joined
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (_, member_key) = member(&server, &org).await;
    server.post("/flows/acme", &org.secret, json!({"name": "Open", "access_mode": "organization"})).await;
    let body = json!({"open": true});
    server.send("PUT", "/flows/acme/open", Some(&member_key), Some(&body), &[]).await;

    // WHEN its creator disables it
    let body = json!({"disabled": true});
    let disabled = server.send("PUT", "/flows/acme/open", Some(&org.secret), Some(&body), &[]).await;

    // THEN it leaves both lists of the member and is a 404 to them, while the admin still sees it
    assert_eq!(disabled.status, 200, "{:?}", disabled.body);
    assert_eq!(disabled.body["disabled"], true);
    assert!(ids(&server.get("/flows", &member_key).await.body).is_empty());
    assert!(ids(&server.get("/flows/all", &member_key).await.body).is_empty());
    assert!(ids(&server.get("/flows", &org.secret).await.body).is_empty());
    assert_eq!(server.get("/flows/acme/open", &member_key).await.status, 404);
    let body = json!({"open": true});
    let rejoin = server.send("PUT", "/flows/acme/open", Some(&member_key), Some(&body), &[]).await;
    assert_eq!(rejoin.status, 404, "{:?}", rejoin.body);
    assert_eq!(server.get("/flows/acme/open", &org.secret).await.status, 200);
}

async fn bad_changes_are_400s_naming_each_field_and_change_nothing(backend: Backend) {
    // GIVEN a flow
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await;

    // WHEN it is sent a name over 100 characters, an unknown access mode and a non-boolean open
    let body = json!({"name": "x".repeat(101), "access_mode": "anyone", "open": "yes"});
    let reply = server.send("PUT", "/flows/acme/my-flow", Some(&org.secret), Some(&body), &[]).await;

    // THEN it is a 400 naming each, and the flow is as it was
    assert_eq!(reply.status, 400, "{:?}", reply.body);
    for field in ["name", "access_mode", "open"] {
        assert!(reply.body["errors"][field].is_array(), "{field}: {:?}", reply.body);
    }
    let flow = server.get("/flows/acme/my-flow", &org.secret).await;
    assert_eq!((flow.body["name"].as_str(), flow.body["access_mode"].as_str()), (Some("My flow"), Some("invitation")));
}

async fn a_rename_and_a_disabling_at_once_are_both_kept(backend: Backend) {
    // GIVEN a flow (on DynamoDB, the single-threaded moto, where a conditional write is atomic as on DynamoDB)
    let store = flows_testkit::backends::serial_store(backend).await;
    let server = std::sync::Arc::new(TestServer::start_on(store).await);
    let org = server.organization("Acme", "standard").await;
    server.post("/flows/acme", &org.secret, json!({"name": "My flow"})).await;

    // WHEN a rename and a disabling are sent at once, a few times over
    for round in 0..4 {
        let name = format!("Name {round}");
        let disabled = round % 2 == 0;
        let (rename, disable) = (json!({"name": name}), json!({"disabled": disabled}));
        let (a, b) = tokio::join!(
            server.send("PUT", "/flows/acme/my-flow", Some(&org.secret), Some(&rename), &[]),
            server.send("PUT", "/flows/acme/my-flow", Some(&org.secret), Some(&disable), &[]),
        );

        // THEN both answer 200, and the flow holds both changes: neither write lost the other
        assert_eq!((a.status.as_u16(), b.status.as_u16()), (200, 200), "{:?} {:?}", a.body, b.body);
        let flow = server.get("/flows/acme/my-flow", &org.secret).await;
        assert_eq!(
            (flow.body["name"].as_str(), flow.body["disabled"].as_bool()),
            (Some(name.as_str()), Some(disabled))
        );
    }
}

/// A person of Acme with a key of their own: (their id, their key).
async fn person(server: &TestServer, org: &flows_testkit::Org, email: &str) -> (u64, String) {
    let person = server.post("/v1/users", &org.secret, json!({"email": email, "name": "Someone"})).await;
    let id = person.body["id"].as_u64().unwrap();
    let key = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": id})).await;
    (id, key.body["key"].as_str().unwrap().to_owned())
}

async fn members_add_members_and_a_blocked_one_leaves_only_that_flow(backend: Backend) {
    // GIVEN the owner's invitation-only flow "Team", and two people with a flow of their own each
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    server.post("/flows/acme", &org.secret, json!({"name": "Team"})).await;
    let (pat, pat_key) = person(&server, &org, "pat@acme.example.com").await;
    let (sam, sam_key) = person(&server, &org, "sam@acme.example.com").await;
    server.post("/flows/acme", &pat_key, json!({"name": "Pat's"})).await;
    let users = "/flows/acme/team/users";
    assert_eq!(server.get(users, &pat_key).await.status, 404);

    // WHEN the owner adds Pat (twice), and Pat adds Sam
    let added = server.post(users, &org.secret, json!({"id": pat})).await;
    let again = server.post(users, &org.secret, json!({"id": pat})).await;
    let by_member = server.post(users, &pat_key, json!({"id": sam})).await;

    // THEN Pat was added once, Pat as a member may add Sam, and Pat sees the flow's three users
    assert_eq!(added.status, 201, "{:?}", added.body);
    assert_eq!(added.body["id"], pat);
    assert_eq!(again.status, 200, "{:?}", again.body);
    assert_eq!(by_member.status, 201, "{:?}", by_member.body);
    let listed = server.get(users, &pat_key).await;
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(listed.body.as_array().unwrap().len(), 3);
    assert_eq!(listed.header("flowdock-user"), Some(pat.to_string().as_str()));

    // WHEN Pat tries to block Sam, and the owner blocks Pat
    let block = json!({"disabled": true});
    let by_pat = server.send("PUT", &format!("{users}/{sam}"), Some(&pat_key), Some(&block), &[]).await;
    let by_owner = server.send("PUT", &format!("{users}/{pat}"), Some(&org.secret), Some(&block), &[]).await;

    // THEN only the owner may; Pat left the flow (a 404 to Pat, not in Pat's list) but keeps Pat's own flow, and
    // the others see Pat disabled
    assert_eq!(by_pat.status, 403, "{:?}", by_pat.body);
    assert_eq!(by_owner.status, 200, "{:?}", by_owner.body);
    assert_eq!(by_owner.body["disabled"], true);
    assert_eq!(server.get("/flows/acme/team", &pat_key).await.status, 404);
    let pats: Vec<String> = server
        .get("/flows", &pat_key)
        .await
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["parameterized_name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(pats, vec!["pat-s".to_owned()]);
    let seen = server.get(users, &sam_key).await;
    let pat_seen = seen.body.as_array().unwrap().iter().find(|u| u["id"] == pat).unwrap().clone();
    assert_eq!(pat_seen["disabled"], true);

    // WHEN Sam (a member) adds Pat back, then the owner lets Pat back
    let readd = server.post(users, &sam_key, json!({"id": pat})).await;
    let unblock = json!({"disabled": false});
    let back = server.send("PUT", &format!("{users}/{pat}"), Some(&org.secret), Some(&unblock), &[]).await;

    // THEN only the owner's change lets Pat back in
    assert_eq!(readd.status, 403, "{:?}", readd.body);
    assert_eq!(back.status, 200, "{:?}", back.body);
    assert_eq!(server.get("/flows/acme/team", &pat_key).await.status, 200);
}

async fn a_user_the_organization_does_not_have_is_no_member_to_add(backend: Backend) {
    // GIVEN a flow, and another organization's person
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let other = server.organization("Other", "standard").await;
    server.post("/flows/acme", &org.secret, json!({"name": "Team"})).await;
    let stranger = other.body["owner"]["id"].as_u64().unwrap();

    // WHEN they and an unknown id are added
    let foreign = server.post("/flows/acme/team/users", &org.secret, json!({"id": stranger})).await;
    let unknown = server.post("/flows/acme/team/users", &org.secret, json!({"id": 999_999})).await;

    // THEN both are a 400 naming id, and the flow's users are as they were
    for reply in [&foreign, &unknown] {
        assert_eq!(reply.status, 400, "{:?}", reply.body);
        assert!(reply.body["errors"]["id"].is_array(), "{:?}", reply.body);
    }
    assert_eq!(server.get("/flows/acme/team/users", &org.secret).await.body.as_array().unwrap().len(), 1);
}

async fn someone_who_is_not_a_member_cannot_add_members(backend: Backend) {
    // GIVEN an organization-mode flow (visible to everyone in the organization) and a person not in it
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    server.post("/flows/acme", &org.secret, json!({"name": "Open", "access_mode": "organization"})).await;
    let (pat, pat_key) = person(&server, &org, "pat@acme.example.com").await;

    // WHEN that person adds themselves through the members route
    let reply = server.post("/flows/acme/open/users", &pat_key, json!({"id": pat})).await;

    // THEN it is a 403: a member adds members (joining an organization-mode flow is `open: true`)
    assert_eq!(reply.status, 403, "{:?}", reply.body);
    assert_eq!(reply.body["message"], "Only the flow's members may add members");
}

async fn a_join_url_exists_only_in_the_link_and_organization_modes(backend: Backend) {
    // GIVEN an invitation-only flow and a link flow
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    server.post("/flows/acme", &org.secret, json!({"name": "Closed"})).await;
    let link = server.post("/flows/acme", &org.secret, json!({"name": "Linked", "access_mode": "link"})).await;

    // WHEN their join URLs are asked for, and one made for the invitation-only flow
    let closed = server.get("/flows/acme/closed/join_url", &org.secret).await;
    let made = server.send("POST", "/flows/acme/closed/join_url", Some(&org.secret), None, &[]).await;
    let linked = server.get("/flows/acme/linked/join_url", &org.secret).await;

    // THEN only the link flow has one (the flow's own), and none is made for an invitation-only flow
    assert_eq!(closed.status, 404, "{:?}", closed.body);
    assert_eq!(made.status, 409, "{:?}", made.body);
    assert_eq!(linked.status, 200, "{:?}", linked.body);
    assert_eq!(linked.body["join_url"], link.body["join_url"]);
    assert!(invitation(&linked.body["join_url"]).ends_with("-linked"));
    assert!(link.body["join_url"].as_str().unwrap().contains("/invitations/"));
}

async fn a_user_joins_by_invitation_until_it_is_renewed_or_deleted(backend: Backend) {
    // GIVEN a link flow, and two people of the organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let link = server.post("/flows/acme", &org.secret, json!({"name": "Linked", "access_mode": "link"})).await;
    let first = invitation(&link.body["join_url"]);
    let (_, pat_key) = person(&server, &org, "pat@acme.example.com").await;
    let (_, sam_key) = person(&server, &org, "sam@acme.example.com").await;
    assert_eq!(server.get("/flows/acme/linked", &pat_key).await.status, 404);

    // WHEN Pat joins by the invitation
    let joined = server.send("POST", &format!("/invitations/{first}"), Some(&pat_key), None, &[]).await;

    // THEN Pat is a member: the flow is Pat's to see and in Pat's list
    assert_eq!(joined.status, 200, "{:?}", joined.body);
    assert_eq!(joined.body["joined"], true);
    assert_eq!(server.get("/flows/acme/linked", &pat_key).await.status, 200);
    assert_eq!(server.get("/flows", &pat_key).await.body.as_array().unwrap().len(), 1);

    // WHEN the owner makes a new join URL, and Sam tries the old one, then the new one
    let renewed = server.send("POST", "/flows/acme/linked/join_url", Some(&org.secret), None, &[]).await;
    assert_eq!(renewed.status, 201, "{:?}", renewed.body);
    let second = invitation(&renewed.body["join_url"]);
    let old = server.send("POST", &format!("/invitations/{first}"), Some(&sam_key), None, &[]).await;
    let new = server.send("POST", &format!("/invitations/{second}"), Some(&sam_key), None, &[]).await;

    // THEN the old one stopped working and the new one works
    assert_ne!(first, second);
    assert_eq!(old.status, 404, "{:?}", old.body);
    assert_eq!(new.status, 200, "{:?}", new.body);

    // WHEN the owner deletes the join URL
    let deleted = server.send("DELETE", "/flows/acme/linked/join_url", Some(&org.secret), None, &[]).await;

    // THEN it is gone: no join URL on the flow, and its invitation is a 404
    assert_eq!(deleted.status, 204, "{:?}", deleted.body);
    assert_eq!(server.get("/flows/acme/linked/join_url", &org.secret).await.status, 404);
    assert!(server.get("/flows/acme/linked", &org.secret).await.body.get("join_url").is_none());
    let (_, kim_key) = person(&server, &org, "kim@acme.example.com").await;
    let late = server.send("POST", &format!("/invitations/{second}"), Some(&kim_key), None, &[]).await;
    assert_eq!(late.status, 404, "{:?}", late.body);
}

async fn only_admins_and_the_creator_change_a_join_url(backend: Backend) {
    // GIVEN an organization-mode flow of the owner that a member has joined
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    server.post("/flows/acme", &org.secret, json!({"name": "Open", "access_mode": "organization"})).await;
    let (_, pat_key) = person(&server, &org, "pat@acme.example.com").await;
    let body = json!({"open": true});
    assert_eq!(server.send("PUT", "/flows/acme/open", Some(&pat_key), Some(&body), &[]).await.status, 200);

    // WHEN the member renews and deletes the join URL
    let renew = server.send("POST", "/flows/acme/open/join_url", Some(&pat_key), None, &[]).await;
    let delete = server.send("DELETE", "/flows/acme/open/join_url", Some(&pat_key), None, &[]).await;

    // THEN both are a 403, and the join URL is as it was
    for reply in [&renew, &delete] {
        assert_eq!(reply.status, 403, "{:?}", reply.body);
        assert_eq!(reply.body["message"], "Only an organization admin or the flow's creator may change its join URL");
    }
    assert_eq!(server.get("/flows/acme/open/join_url", &pat_key).await.status, 200);
}

async fn another_organizations_user_cannot_join_by_invitation(backend: Backend) {
    // GIVEN Acme's link flow, and another organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let other = server.organization("Other", "standard").await;
    let link = server.post("/flows/acme", &org.secret, json!({"name": "Linked", "access_mode": "link"})).await;
    let acme = invitation(&link.body["join_url"]);

    // WHEN the other organization's owner uses the invitation
    let reply = server.send("POST", &format!("/invitations/{acme}"), Some(&other.secret), None, &[]).await;

    // THEN it is a 404 (the invitation is for Acme's people), and Acme's flow has its one member still
    assert_eq!(reply.status, 404, "{:?}", reply.body);
    assert_eq!(server.get("/flows/acme/linked/users", &org.secret).await.body.as_array().unwrap().len(), 1);
}

async fn our_flows_and_users_have_the_seeds_fields_shapes_and_types(backend: Backend) {
    // GIVEN a link flow with two users
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    server.post("/flows/acme", &org.secret, json!({"name": "My flow", "access_mode": "link"})).await;
    let (pat, _) = person(&server, &org, "pat@acme.example.com").await;
    assert_eq!(server.post("/flows/acme/my-flow/users", &org.secret, json!({"id": pat})).await.status, 201);

    // WHEN the flow is listed, got and found
    let listed = server.get("/flows", &org.secret).await;
    let got = server.get("/flows/acme/my-flow", &org.secret).await;
    let found = server.get(&format!("/flows/find?id={}", got.body["id"].as_str().unwrap()), &org.secret).await;

    // THEN each has every field of the seed's examples, with the same shapes and types, and times in milliseconds
    assert_same_shape(&seed_example("list-flows.json"), &listed.body, "GET /flows");
    assert_same_shape(&seed_example("get-flow.json"), &got.body, "GET /flows/acme/my-flow");
    assert_same_shape(&seed_example("get-flow.json"), &found.body, "GET /flows/find");
    assert_eq!(got.body["users"].as_array().unwrap().len(), 2);
    let now_ms =
        u64::try_from(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis()).unwrap();
    for user in got.body["users"].as_array().unwrap() {
        let at = user["last_activity"].as_u64().unwrap();
        assert!(at <= now_ms && now_ms - at < 600_000, "last_activity {at} is milliseconds since the epoch");
    }
}
