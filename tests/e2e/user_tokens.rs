//! Verified end users: an organization's server mints a user token for one signed-in user with the organization's
//! user-token secret; the page hands it to Frigade's SDK in place of the public key. The organization's setting then
//! refuses a plain public key's progress on assigned flows (or every public request).

use flows_shared::auth::user_token::mint;
use flows_shared::model::OrgId;
use flows_testkit::{Backend, Org, TestServer};
use serde_json::{json, Value};

crate::on_both_backends!(
    the_secret_is_shown_once_and_the_setting_needs_one,
    a_public_key_cannot_complete_an_assigned_flow_where_tokens_are_required,
    a_user_token_acts_only_for_its_user_until_it_expires,
    every_public_request_needs_a_token_where_the_organization_says_so,
    a_rotated_secrets_tokens_hold_a_day_and_a_second_rotation_ends_them,
    tokens_forged_under_an_organizations_id_use_up_no_one_elses_rate,
);

const USER: &str = "emp-sam";

async fn put(server: &TestServer, key: &str, path: &str, body: Value) -> flows_testkit::Reply {
    server.send("PUT", path, Some(key), Some(&body), &[]).await
}

/// A new user-token secret of `org`.
async fn rotate(server: &TestServer, org: &Org) -> String {
    let made = server.post("/v1/settings/user-tokens/rotate-secret", &org.secret, json!(null)).await;
    assert_eq!(made.status, 200, "{:?}", made.body);
    made.body["secret"].as_str().expect("the secret").to_owned()
}

fn token(org: &Org, secret: &str, user: &str, seconds: i64) -> String {
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    mint(secret, OrgId(org.id.0), user, now + seconds)
}

/// A three-step flow assigned to the person Frigade knows as [`USER`]; the assignment's id.
async fn assigned_flow(server: &TestServer, org: &Org) -> String {
    let flow = json!({"name": "Safety training", "flowSlug": "safety", "access_mode": "organization",
        "steps": [{"id": "s1", "title": "One"}, {"id": "s2", "title": "Two"}]});
    let flow = server.post(&format!("/flows/{}", org.slug), &org.secret, flow).await;
    assert_eq!(flow.status, 201, "{:?}", flow.body);
    let person = json!({"email": "sam@acme.example.com", "name": "Sam", "externalId": USER});
    assert_eq!(server.post("/v1/users", &org.secret, person).await.status, 201);
    let assign = json!({"flowId": flow.body["id"], "userEmail": "sam@acme.example.com"});
    let assigned = server.post("/v1/flows/assign", &org.secret, assign).await;
    assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    assigned.body["assignmentId"].as_str().expect("an assignment").to_owned()
}

fn complete(user: &str, step: &str) -> Value {
    json!({"userId": user, "flowSlug": "safety", "stepId": step, "actionType": "COMPLETED_STEP"})
}

async fn the_secret_is_shown_once_and_the_setting_needs_one(backend: Backend) {
    // GIVEN an organization with no user-token secret
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let before = server.get("/v1/settings/user-tokens", &org.secret).await;
    assert_eq!(before.status, 200, "{:?}", before.body);
    assert_eq!(before.body, json!({"organizationId": org.id.0, "required": "never", "secretCreatedAt": null}));

    // WHEN an admin asks for tokens before making a secret, then makes one, then asks again
    let early = put(&server, &org.secret, "/v1/settings/user-tokens", json!({"required": "always"})).await;
    let made = server.post("/v1/settings/user-tokens/rotate-secret", &org.secret, json!(null)).await;
    let set = put(&server, &org.secret, "/v1/settings/user-tokens", json!({"required": "assignedProgress"})).await;
    let bad = put(&server, &org.secret, "/v1/settings/user-tokens", json!({"required": "sometimes"})).await;
    let extra =
        put(&server, &org.secret, "/v1/settings/user-tokens", json!({"required": "never", "secret": "x"})).await;
    let after = server.get("/v1/settings/user-tokens", &org.secret).await;

    // THEN the first is a 409 saying what to do, the secret is shown once, and the setting holds
    assert_eq!(early.status, 409, "{:?}", early.body);
    assert!(early.body["message"].as_str().unwrap().contains("rotate-secret"), "{:?}", early.body);
    assert_eq!(made.status, 200, "{:?}", made.body);
    let secret = made.body["secret"].as_str().unwrap();
    assert!(secret.starts_with("uts_") && secret.len() == 68, "{secret}");
    assert_eq!(made.body["organizationId"], org.id.0);
    assert_eq!(set.status, 200, "{:?}", set.body);
    assert_eq!(set.body["required"], "assignedProgress");
    assert_eq!((bad.status.as_u16(), extra.status.as_u16()), (400, 400), "{:?} {:?}", bad.body, extra.body);
    assert!(bad.body["errors"]["required"].is_array(), "{:?}", bad.body);
    assert_eq!(after.body["required"], "assignedProgress");
    assert!(after.body["secretCreatedAt"].is_string(), "{:?}", after.body);
    assert!(after.body.get("secret").is_none(), "never shown again: {:?}", after.body);

    // AND a member's key may neither read nor change it
    let member = server.post("/v1/users", &org.secret, json!({"email": "m@acme.example.com", "name": "M"})).await;
    let key = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": member.body["id"]})).await;
    let member_key = key.body["key"].as_str().unwrap();
    assert_eq!(server.get("/v1/settings/user-tokens", member_key).await.status, 403);
    let rotated = server.post("/v1/settings/user-tokens/rotate-secret", member_key, json!(null)).await;
    assert_eq!(rotated.status, 403);
}

async fn a_public_key_cannot_complete_an_assigned_flow_where_tokens_are_required(backend: Backend) {
    // GIVEN an assigned flow, and an organization that wants user tokens for progress on assigned flows
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let assignment = assigned_flow(&server, &org).await;
    let secret = rotate(&server, &org).await;
    let set = put(&server, &org.secret, "/v1/settings/user-tokens", json!({"required": "assignedProgress"})).await;
    assert_eq!(set.status, 200, "{:?}", set.body);

    // WHEN the page's public key completes the employee's steps, as an attacker holding it did
    let first = server.post("/v1/public/flowStates", &org.public, complete(USER, "s1")).await;
    let second = server.post("/v1/public/flowStates", &org.public, complete(USER, "s2")).await;

    // THEN each is a 403 saying why, and nothing moved
    assert_eq!((first.status.as_u16(), second.status.as_u16()), (403, 403), "{:?}", first.body);
    assert!(first.body["message"].as_str().unwrap().contains("user token"), "{:?}", first.body);
    let read = server.get(&format!("/v1/assignments/{assignment}"), &org.secret).await;
    assert_eq!(read.body["status"], "assigned", "{:?}", read.body);
    let states = server.get(&format!("/v1/public/flowStates?userId={USER}"), &org.public).await;
    assert_eq!(states.status, 200, "reading stays open: {:?}", states.body);
    let safety = states.body["eligibleFlows"].as_array().unwrap().iter().find(|f| f["flowSlug"] == "safety").cloned();
    assert_eq!(safety.unwrap()["data"]["steps"][0]["$state"]["completed"], false);

    // AND a public key still takes progress on flows that are not assigned (another user), and the employee's own
    // token completes the assignment
    let visitor = server.post("/v1/public/flowStates", &org.public, complete("visitor-1", "s1")).await;
    assert_eq!(visitor.status, 200, "{:?}", visitor.body);
    let own = token(&org, &secret, USER, 600);
    for step in ["s1", "s2"] {
        let done = server.post("/v1/public/flowStates", &own, complete(USER, step)).await;
        assert_eq!(done.status, 200, "{:?}", done.body);
    }
    let read = server.get(&format!("/v1/assignments/{assignment}"), &org.secret).await;
    assert_eq!(read.body["status"], "completed", "{:?}", read.body);
}

async fn a_user_token_acts_only_for_its_user_until_it_expires(backend: Backend) {
    // GIVEN an organization with a secret, another organization, and tokens of several kinds
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let other = server.organization("Globex", "standard").await;
    assigned_flow(&server, &org).await;
    let secret = rotate(&server, &org).await;
    let good = token(&org, &secret, USER, 600);
    let expired = token(&org, &secret, USER, -1);
    let too_long = token(&org, &secret, USER, 31 * 24 * 3600);
    let forged = token(&org, "uts_guessed", USER, 600);
    let other_secret = rotate(&server, &other).await;
    let elsewhere = token(&org, &other_secret, USER, 600);

    // WHEN each is used
    let own = server.post("/v1/public/flowStates", &good, complete(USER, "s1")).await;
    let someone_else = server.post("/v1/public/flowStates", &good, complete("emp-pat", "s1")).await;
    let no_user = server.get("/v1/public/flows", &good).await;
    let listed = server.get(&format!("/v1/public/flows?userId={USER}"), &good).await;
    let late = server.post("/v1/public/flowStates", &expired, complete(USER, "s1")).await;
    let far = server.post("/v1/public/flowStates", &too_long, complete(USER, "s1")).await;
    let fake = server.post("/v1/public/flowStates", &forged, complete(USER, "s1")).await;
    let crossed = server.post("/v1/public/flowStates", &elsewhere, complete(USER, "s1")).await;
    let secret_route = server.get("/v1/assignments", &good).await;
    let session = server.post("/v1/public/sessions", &good, json!({"userId": USER, "userProperties": {"a": 1}})).await;

    // THEN it acts for its own user only, and says why it does not
    assert_eq!(own.status, 200, "{:?}", own.body);
    assert_eq!(listed.status, 200, "{:?}", listed.body);
    assert_eq!(session.status, 202, "{:?}", session.body);
    for (reply, says) in [
        (&someone_else, "not minted for this userId"),
        (&no_user, "must name it"),
        (&late, "expired"),
        (&far, "expired"),
        (&fake, "not minted for this userId"),
        (&crossed, "not minted for this userId"),
    ] {
        assert_eq!(reply.status, 401, "{:?}", reply.body);
        assert_eq!(reply.body["error"], "unauthorized");
        assert!(reply.body["message"].as_str().unwrap().contains(says), "{says}: {:?}", reply.body);
    }
    assert_eq!(secret_route.status, 403, "{:?}", secret_route.body);

    // AND the other user was not brought in by the refused request
    let found = server.get("/v1/users?externalId=emp-pat", &org.secret).await;
    assert_eq!(found.body["items"], json!([]), "{:?}", found.body);
}

async fn every_public_request_needs_a_token_where_the_organization_says_so(backend: Backend) {
    // GIVEN an organization that wants a user token for every public request
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    assigned_flow(&server, &org).await;
    let secret = rotate(&server, &org).await;
    let set = put(&server, &org.secret, "/v1/settings/user-tokens", json!({"required": "always"})).await;
    assert_eq!(set.status, 200, "{:?}", set.body);

    // WHEN the public key, a user token and the secret key read the user's flows
    let path = format!("/v1/public/flowStates?userId={USER}");
    let public = server.get(&path, &org.public).await;
    let session = server.post("/v1/public/sessions", &org.public, json!({"userId": "guest_1"})).await;
    let own = server.get(&path, &token(&org, &secret, USER, 60)).await;
    let server_side = server.get(&path, &org.secret).await;

    // THEN the public key is a 403 on each, the token and the secret key are answered
    assert_eq!((public.status.as_u16(), session.status.as_u16()), (403, 403), "{:?}", public.body);
    assert!(public.body["message"].as_str().unwrap().contains("user token"), "{:?}", public.body);
    assert_eq!(own.status, 200, "{:?}", own.body);
    assert_eq!(server_side.status, 200, "{:?}", server_side.body);

    // AND back to `never`, the public key is answered again
    put(&server, &org.secret, "/v1/settings/user-tokens", json!({"required": "never"})).await;
    assert_eq!(server.get(&path, &org.public).await.status, 200);
}

async fn a_rotated_secrets_tokens_hold_a_day_and_a_second_rotation_ends_them(backend: Backend) {
    // GIVEN a token minted with the organization's secret
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    assigned_flow(&server, &org).await;
    let first = rotate(&server, &org).await;
    let of_first = token(&org, &first, USER, 600);
    let path = format!("/v1/public/flowStates?userId={USER}");
    assert_eq!(server.get(&path, &of_first).await.status, 200);

    // WHEN the secret is rotated, the pages keep their tokens a while (a day), and it is rotated again
    let second = rotate(&server, &org).await;
    let during = server.get(&path, &of_first).await;
    let of_second = token(&org, &second, USER, 600);
    let third = rotate(&server, &org).await;

    // THEN the first secret's token held after one rotation and stops after the second; the second's still holds
    // (for its day), and the newest's does
    assert_ne!(first, second);
    assert_eq!(during.status, 200, "{:?}", during.body);
    let after = server.get(&path, &of_first).await;
    assert_eq!(after.status, 401, "{:?}", after.body);
    assert_eq!(server.get(&path, &of_second).await.status, 200);
    assert_eq!(server.get(&path, &token(&org, &third, USER, 600)).await.status, 200);
}

async fn tokens_forged_under_an_organizations_id_use_up_no_one_elses_rate(backend: Backend) {
    // GIVEN a public rate of 3 requests a minute per end user, and an employee's genuine token
    flows_testkit::avoid_minute_boundary().await;
    let server = TestServer::start_with(backend, |config| config.rate_limit_public_user = 3).await;
    let org = server.organization("Acme", "standard").await;
    assigned_flow(&server, &org).await;
    let secret = rotate(&server, &org).await;
    let path = format!("/v1/public/flowStates?userId={USER}");

    // WHEN an attacker sends ten tokens forged under the organization's id, for the employee
    for i in 0..10 {
        let forged = token(&org, &format!("uts_guess_{i}"), USER, 600);
        assert_eq!(server.get(&path, &forged).await.status, 401);
    }

    // THEN the employee's own token still has its whole window, and then its limit
    let own = token(&org, &secret, USER, 600);
    for _ in 0..3 {
        let read = server.get(&path, &own).await;
        assert_eq!(read.status, 200, "{:?}", read.body);
    }
    assert_eq!(server.get(&path, &own).await.status, 429);
}
