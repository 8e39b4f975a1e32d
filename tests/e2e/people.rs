//! People, managed: read one, page through them, change their role, deactivate and bring them back, link the
//! person from the HR system to the one Frigade brought in; keys with names and their last four characters.

use flows_shared::store::ports::*;
use flows_testkit::{Backend, Org, TestServer};
use serde_json::{json, Value};

crate::on_both_backends!(
    a_person_is_read_by_our_id_with_their_role_and_whether_they_are_active,
    people_are_listed_a_page_at_a_time_and_found_by_external_id,
    a_deactivated_person_stops_at_once_and_keeps_their_history,
    a_deactivated_person_is_brought_back_without_their_old_keys,
    the_last_active_admin_stays,
    a_role_change_takes_effect_on_the_persons_keys_at_once,
    keys_have_names_and_show_their_last_four_characters_and_a_person_holds_25,
    a_person_given_a_guests_external_id_takes_over_their_progress,
    our_numeric_ids_and_frigades_user_ids_never_shadow_each_other,
    a_person_given_an_external_id_later_finds_in_frigade_what_they_were_assigned_and_joined,
    people_keyed_before_the_person_index_are_read_by_their_id_and_keyed_on_the_way,
    an_assign_that_meets_a_new_external_id_is_written_again_keyed_by_it,
);

/// A person of `org` with a secret key acting as them; their id and the key.
async fn person_with_key(server: &TestServer, org: &Org, email: &str, role: &str) -> (u64, String) {
    let person =
        server.post("/v1/users", &org.secret, json!({"email": email, "name": "Pat Person", "role": role})).await;
    assert_eq!(person.status, 201, "{:?}", person.body);
    let id = person.body["id"].as_u64().unwrap();
    let key = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": id})).await;
    assert_eq!(key.status, 201, "{:?}", key.body);
    (id, key.body["key"].as_str().unwrap().to_owned())
}

async fn patch(server: &TestServer, key: &str, path: &str, body: Value) -> flows_testkit::Reply {
    server.send("PATCH", path, Some(key), Some(&body), &[]).await
}

async fn delete(server: &TestServer, key: &str, path: &str) -> flows_testkit::Reply {
    server.send("DELETE", path, Some(key), None, &[]).await
}

async fn a_person_is_read_by_our_id_with_their_role_and_whether_they_are_active(backend: Backend) {
    // GIVEN a member of an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (id, _) = person_with_key(&server, &org, "pat@acme.example.com", "member").await;

    // WHEN they are read by id, by an id that is not a number, and by an id nobody has
    let read = server.get(&format!("/v1/users/{id}"), &org.secret).await;
    let words = server.get("/v1/users/pat", &org.secret).await;
    let nobody = server.get("/v1/users/999999", &org.secret).await;

    // THEN the person answers with Flowdock's fields, their role and activity; the others are 404s
    assert_eq!(read.status, 200, "{:?}", read.body);
    assert_eq!(read.body["id"], id);
    assert_eq!(read.body["email"], "pat@acme.example.com");
    assert_eq!((read.body["role"].as_str(), read.body["active"].as_bool()), (Some("member"), Some(true)));
    assert_eq!(read.body["deactivatedAt"], Value::Null);
    assert_eq!((words.status.as_u16(), nobody.status.as_u16()), (404, 404));
    assert_eq!(nobody.body["error"], "not_found");
}

async fn people_are_listed_a_page_at_a_time_and_found_by_external_id(backend: Backend) {
    // GIVEN an organization of five people, one with an external id
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    for i in 0..3 {
        let person = json!({"email": format!("p{i}@acme.example.com"), "name": format!("P {i}")});
        assert_eq!(server.post("/v1/users", &org.secret, person).await.status, 201);
    }
    let linked = json!({"email": "crm@acme.example.com", "name": "Crm", "externalId": "crm 7"});
    assert_eq!(server.post("/v1/users", &org.secret, linked).await.status, 201);

    // WHEN they are read two at a time, following each page's cursor
    let mut seen = Vec::new();
    let mut path = "/v1/users?limit=2".to_owned();
    for _ in 0..5 {
        let page = server.get(&path, &org.secret).await;
        assert_eq!(page.status, 200, "{:?}", page.body);
        seen.extend(page.body["items"].as_array().unwrap().iter().map(|u| u["id"].as_u64().unwrap()));
        match page.body["nextCursor"].as_str() {
            Some(cursor) => path = format!("/v1/users?limit=2&cursor={cursor}"),
            None => break,
        }
    }

    // THEN every person comes once, by id, and the last page says so
    assert_eq!(seen.len(), 5, "{seen:?}");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "{seen:?}");
    // AND the external id finds its person, a bad limit or cursor is a 400 naming it
    let found = server.get("/v1/users?externalId=crm%207", &org.secret).await;
    assert_eq!(found.body["items"][0]["email"], "crm@acme.example.com", "{:?}", found.body);
    assert_eq!(found.body["nextCursor"], Value::Null);
    let bad = server.get("/v1/users?limit=0&cursor=nope", &org.secret).await;
    assert_eq!(bad.status, 400);
    assert!(bad.body["errors"]["limit"].is_array() && bad.body["errors"]["cursor"].is_array(), "{:?}", bad.body);
}

async fn a_deactivated_person_stops_at_once_and_keeps_their_history(backend: Backend) {
    // GIVEN a person with a key, a flow assigned to them, and a Frigade user id
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let (id, key) = person_with_key(&server, &org, "leaver@acme.example.com", "member").await;
    let linked = patch(&server, &org.secret, &format!("/v1/users/{id}"), json!({"externalId": "leaver-1"})).await;
    assert_eq!(linked.status, 200, "{:?}", linked.body);
    let assigned = server
        .post("/v1/flows/assign", &org.secret, json!({"flowId": flow, "userEmail": "leaver@acme.example.com"}))
        .await;
    assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    let assignment = assigned.body["assignmentId"].as_str().unwrap().to_owned();
    assert_eq!(server.get("/v1/users", &key).await.status, 200);

    // WHEN an admin deactivates them, twice
    let gone = delete(&server, &org.secret, &format!("/v1/users/{id}")).await;
    let again = delete(&server, &org.secret, &format!("/v1/users/{id}")).await;

    // THEN the answer is the deactivated person, the same again
    assert_eq!(gone.status, 200, "{:?}", gone.body);
    assert_eq!((gone.body["active"].as_bool(), gone.body["id"].as_u64()), (Some(false), Some(id)));
    assert!(gone.body["deactivatedAt"].is_string());
    assert_eq!(again.status, 200);
    assert_eq!(again.body["deactivatedAt"], gone.body["deactivatedAt"]);
    // AND their key stops at once, their open assignment is cancelled, their history stays
    assert_eq!(server.get("/v1/users", &key).await.status, 401);
    let read = server.get(&format!("/v1/assignments/{assignment}"), &org.secret).await;
    assert_eq!(read.body["status"], "cancelled", "{:?}", read.body);
    // AND they cannot be assigned, added to a flow, or make Frigade progress (which makes nobody)
    let reassigned = server
        .post("/v1/flows/assign", &org.secret, json!({"flowId": flow, "userEmail": "leaver@acme.example.com"}))
        .await;
    assert_eq!(reassigned.status, 409, "{:?}", reassigned.body);
    let members = format!("/flows/{}/customer-onboarding/users", org.slug);
    assert_eq!(server.post(&members, &org.secret, json!({"id": id})).await.status, 409);
    let progress = json!({"userId": "leaver-1", "flowSlug": flow, "stepId": "welcome", "actionType": "STARTED_STEP"});
    let refused = server.post("/v1/public/flowStates", &org.public, progress).await;
    assert_eq!(refused.status, 403, "{:?}", refused.body);
    let session = json!({"userId": "leaver-1", "userProperties": {"plan": "pro"}});
    assert_eq!(server.post("/v1/public/sessions", &org.public, session).await.status, 403);
    // AND a member's key may not deactivate anyone
    let (_, member) = person_with_key(&server, &org, "mo@acme.example.com", "member").await;
    assert_eq!(delete(&server, &member, "/v1/users/1").await.status, 403);
}

async fn a_deactivated_person_is_brought_back_without_their_old_keys(backend: Backend) {
    // GIVEN a deactivated person
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (id, key) = person_with_key(&server, &org, "back@acme.example.com", "member").await;
    assert_eq!(delete(&server, &org.secret, &format!("/v1/users/{id}")).await.status, 200);

    // WHEN an admin brings them back
    let back = patch(&server, &org.secret, &format!("/v1/users/{id}"), json!({"active": true})).await;

    // THEN they are active, their old key stays revoked, and a new key works
    assert_eq!(back.status, 200, "{:?}", back.body);
    assert_eq!((back.body["active"].as_bool(), back.body["deactivatedAt"].clone()), (Some(true), Value::Null));
    assert_eq!(server.get("/v1/users", &key).await.status, 401);
    let fresh = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "userId": id})).await;
    assert_eq!(server.get("/v1/users", fresh.body["key"].as_str().unwrap()).await.status, 200);
}

async fn the_last_active_admin_stays(backend: Backend) {
    // GIVEN an organization whose owner is its only admin
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let owner = org.body["owner"]["id"].as_u64().unwrap();

    // WHEN the owner would be demoted or deactivated
    let demoted = patch(&server, &org.secret, &format!("/v1/users/{owner}"), json!({"role": "member"})).await;
    let deactivated = delete(&server, &org.secret, &format!("/v1/users/{owner}")).await;

    // THEN both are 409s that change nothing
    for reply in [&demoted, &deactivated] {
        assert_eq!(reply.status, 409, "{:?}", reply.body);
        assert!(reply.body["message"].as_str().unwrap().contains("at least one active admin"), "{:?}", reply.body);
    }
    let read = server.get(&format!("/v1/users/{owner}"), &org.secret).await;
    assert_eq!((read.body["role"].as_str(), read.body["active"].as_bool()), (Some("admin"), Some(true)));
    // AND with a second admin the owner may step down
    let (_, second) = person_with_key(&server, &org, "second@acme.example.com", "admin").await;
    let stepped = patch(&server, &second, &format!("/v1/users/{owner}"), json!({"role": "member"})).await;
    assert_eq!(stepped.status, 200, "{:?}", stepped.body);
}

async fn a_role_change_takes_effect_on_the_persons_keys_at_once(backend: Backend) {
    // GIVEN a member with a key, refused an admin's route
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let (id, key) = person_with_key(&server, &org, "rising@acme.example.com", "member").await;
    assert_eq!(server.get("/v1/webhooks", &key).await.status, 403);

    // WHEN an admin makes them an admin, then a member again
    let promoted = patch(&server, &org.secret, &format!("/v1/users/{id}"), json!({"role": "admin"})).await;
    let as_admin = server.get("/v1/webhooks", &key).await;
    let demoted = patch(&server, &org.secret, &format!("/v1/users/{id}"), json!({"role": "member"})).await;
    let as_member = server.get("/v1/webhooks", &key).await;

    // THEN the same key acts with each role at once
    assert_eq!((promoted.status.as_u16(), promoted.body["role"].as_str()), (200, Some("admin")));
    assert_eq!(as_admin.status, 200, "{:?}", as_admin.body);
    assert_eq!(demoted.status, 200);
    assert_eq!(as_member.status, 403);
    // AND a role nobody has is a 400
    let bad = patch(&server, &org.secret, &format!("/v1/users/{id}"), json!({"role": "root"})).await;
    assert_eq!(bad.status, 400);
    assert!(bad.body["errors"]["role"].is_array(), "{:?}", bad.body);
}

async fn keys_have_names_and_show_their_last_four_characters_and_a_person_holds_25(backend: Backend) {
    // GIVEN an organization
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;

    // WHEN a named key is made
    let made = server.post("/v1/api-keys", &org.secret, json!({"kind": "secret", "name": "CI deploys"})).await;

    // THEN it shows its name and last four characters, in its answer and in the list
    assert_eq!(made.status, 201, "{:?}", made.body);
    let plain = made.body["key"].as_str().unwrap();
    let listed = server.get("/v1/api-keys?limit=100", &org.secret).await;
    let item = listed.body["items"].as_array().unwrap().iter().find(|k| k["id"] == made.body["id"]).unwrap().clone();
    assert_eq!(item["name"], "CI deploys");
    assert_eq!(item["last4"].as_str(), Some(&plain[plain.len() - 4..]));
    assert!(item["prefix"].as_str().is_some_and(|p| plain.starts_with(p)));
    // AND the owner holds at most 25 keys that are not revoked (the two bootstrap keys and this one count)
    for _ in 0..22 {
        assert_eq!(server.post("/v1/api-keys", &org.secret, json!({"kind": "public"})).await.status, 201);
    }
    let over = server.post("/v1/api-keys", &org.secret, json!({"kind": "public"})).await;
    assert_eq!(over.status, 409, "{:?}", over.body);
}

async fn a_person_given_a_guests_external_id_takes_over_their_progress(backend: Backend) {
    // GIVEN a guest Frigade brought in who started a flow, and the same person added from the HR system
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let open = json!({"access_mode": "organization"});
    let path = format!("/flows/{}/customer-onboarding", org.slug);
    assert_eq!(server.send("PUT", &path, Some(&org.secret), Some(&open), &[]).await.status, 200);
    let started = json!({"userId": "hr-42", "flowSlug": flow, "stepId": "welcome", "actionType": "COMPLETED_STEP"});
    assert_eq!(server.post("/v1/public/flowStates", &org.public, started).await.status, 200);
    let guest = server.get("/v1/users?externalId=hr-42", &org.secret).await.body["items"][0]["id"].as_u64().unwrap();
    let person = server.post("/v1/users", &org.secret, json!({"email": "ann@acme.example.com", "name": "Ann"})).await;
    let id = person.body["id"].as_u64().unwrap();

    // WHEN an admin gives the person the guest's external id, twice
    let linked = patch(&server, &org.secret, &format!("/v1/users/{id}"), json!({"externalId": "hr-42"})).await;
    let again = patch(&server, &org.secret, &format!("/v1/users/{id}"), json!({"externalId": "hr-42"})).await;

    // THEN the person has it, the guest is gone, and the guest's progress is the person's
    assert_eq!(linked.status, 200, "{:?}", linked.body);
    assert_eq!(linked.body["externalId"], "hr-42");
    assert_eq!(again.status, 200);
    assert_eq!(server.get(&format!("/v1/users/{guest}"), &org.secret).await.status, 404);
    let states = server.get("/v1/public/flowStates?userId=hr-42", &org.public).await;
    let steps = &states.body["eligibleFlows"][0]["data"]["steps"];
    assert_eq!(steps[0]["$state"]["completed"], true, "{:?}", states.body);
    let found = server.get("/v1/users?externalId=hr-42", &org.secret).await;
    assert_eq!(found.body["items"][0]["id"], id);
    // AND an external id is set once, and names one person only
    let changed = patch(&server, &org.secret, &format!("/v1/users/{id}"), json!({"externalId": "hr-43"})).await;
    assert_eq!(changed.status, 400, "{:?}", changed.body);
    let other = server.post("/v1/users", &org.secret, json!({"email": "bo@acme.example.com", "name": "Bo"})).await;
    let taken =
        patch(&server, &org.secret, &format!("/v1/users/{}", other.body["id"]), json!({"externalId": "hr-42"})).await;
    assert_eq!(taken.status, 409, "{:?}", taken.body);
}

async fn our_numeric_ids_and_frigades_user_ids_never_shadow_each_other(backend: Backend) {
    // GIVEN a person whose id is 2, and a public key that names the Frigade userId "2"
    let server = TestServer::start(backend).await;
    let org = server.organization("Acme", "standard").await;
    let person = server.post("/v1/users", &org.secret, json!({"email": "two@acme.example.com", "name": "Two"})).await;
    let id = person.body["id"].as_u64().unwrap();
    let session = json!({"userId": id.to_string(), "userProperties": {"plan": "guest"}});
    assert_eq!(server.post("/v1/public/sessions", &org.public, session).await.status, 202);

    // WHEN our routes read the person by our id
    let events = server.get(&format!("/v1/users/{id}/events"), &org.secret).await;
    let read = server.get(&format!("/v1/users/{id}"), &org.secret).await;

    // THEN they are the person, not the guest Frigade's "2" became
    assert_eq!(read.body["email"], "two@acme.example.com");
    assert_eq!(events.status, 200);
    assert_eq!(events.body["properties"], json!({}), "{:?}", events.body);
    let guest = server.get(&format!("/v1/users?externalId={id}"), &org.secret).await;
    let guest_id = guest.body["items"][0]["id"].as_u64().unwrap();
    assert_ne!(guest_id, id);
    let guest_events = server.get(&format!("/v1/users/{guest_id}/events"), &org.secret).await;
    assert_eq!(guest_events.body["properties"]["plan"], "guest");
}

async fn a_person_given_an_external_id_later_finds_in_frigade_what_they_were_assigned_and_joined(backend: Backend) {
    // GIVEN a person from the HR system, without an external id yet, assigned one invitation-only flow and made a
    // member of another
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let person = server.post("/v1/users", &org.secret, json!({"email": "ann@acme.example.com", "name": "Ann"})).await;
    let id = person.body["id"].as_u64().unwrap();
    let assign = json!({"flowId": flow, "userEmail": "ann@acme.example.com"});
    let assigned = server.post("/v1/flows/assign", &org.secret, assign).await;
    assert_eq!(assigned.status, 200, "{:?}", assigned.body);
    let assignment = assigned.body["assignmentId"].as_str().unwrap().to_owned();
    let team = server.post(&format!("/flows/{}", org.slug), &org.secret, json!({"name": "Team"})).await;
    assert_eq!(team.status, 201, "{:?}", team.body);
    let added = server.post(&format!("/flows/{}/team/users", org.slug), &org.secret, json!({"id": id})).await;
    assert_eq!(added.status, 201, "{:?}", added.body);
    let before = server.get("/v1/public/flowStates?userId=hr-7", &org.public).await;
    assert_eq!(before.body["eligibleFlows"].as_array().map(Vec::len), Some(0), "{:?}", before.body);

    // WHEN an admin gives them their external id, and they start the assigned flow through Frigade
    let linked = patch(&server, &org.secret, &format!("/v1/users/{id}"), json!({"externalId": "hr-7"})).await;
    assert_eq!(linked.status, 200, "{:?}", linked.body);
    let keyed = server.state.store.person_progress(org.id, "hr-7").await.unwrap();
    assert_eq!((keyed.memberships.len(), keyed.assignments.len()), (1, 1), "keyed as they were linked: {keyed:?}");
    let states = server.get("/v1/public/flowStates?userId=hr-7", &org.public).await;
    let start = json!({"userId": "hr-7", "flowSlug": flow, "stepId": "welcome", "actionType": "STARTED_STEP"});
    let started = server.post("/v1/public/flowStates", &org.public, start).await;

    // THEN Frigade shows both flows, and the start moved their assignment
    assert_eq!(states.status, 200, "{:?}", states.body);
    let mut slugs: Vec<&str> =
        states.body["eligibleFlows"].as_array().unwrap().iter().map(|f| f["flowSlug"].as_str().unwrap()).collect();
    slugs.sort_unstable();
    assert_eq!(slugs, ["customer-onboarding", "team"], "{:?}", states.body);
    assert_eq!(started.status, 200, "{:?}", started.body);
    let read = server.get(&format!("/v1/assignments/{assignment}"), &org.secret).await;
    assert_eq!(read.body["status"], "started", "{:?}", read.body);
}

async fn people_keyed_before_the_person_index_are_read_by_their_id_and_keyed_on_the_way(backend: Backend) {
    // GIVEN a person with an external id and an assignment, both written as they were before the person index
    // (the person not marked, the assignment without their external id)
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let person = json!({"email": "old@acme.example.com", "name": "Old Timer", "externalId": "hr-9"});
    assert_eq!(server.post("/v1/users", &org.secret, person).await.status, 201);
    let assign = json!({"flowId": flow, "userEmail": "old@acme.example.com"});
    let assigned = server.post("/v1/flows/assign", &org.secret, assign).await;
    let assignment = assigned.body["assignmentId"].as_str().unwrap().to_owned();
    let store = server.state.store.clone();
    let org_id = org.id;
    let read = store.find_user_by_external_id(org_id, "hr-9").await.unwrap().unwrap();
    let legacy = flows_shared::model::User { person_indexed: false, revision: read.revision + 1, ..read.clone() };
    let write = flows_shared::store::UserWrite { user: &legacy, read: &read, keys: &[], absorbs: None };
    store.write_user(&write).await.unwrap();
    let id = flows_shared::model::AssignmentId::parse(&assignment).unwrap();
    let stored = store.get_assignment(org_id, &id).await.unwrap().unwrap();
    assert_eq!(stored.user_external_id.as_deref(), Some("hr-9"));
    let untagged = flows_shared::model::Assignment { user_external_id: None, ..stored };
    store.import_assignments(&[untagged]).await.unwrap();

    // WHEN Frigade reads their states, twice
    let first = server.get("/v1/public/flowStates?userId=hr-9", &org.public).await;
    let second = server.get("/v1/public/flowStates?userId=hr-9", &org.public).await;

    // THEN both show the assigned flow, and the first keyed the person and their assignment for the next
    for states in [&first, &second] {
        assert_eq!(states.body["eligibleFlows"][0]["flowSlug"], "customer-onboarding", "{:?}", states.body);
    }
    let keyed = store.get_assignment(org_id, &id).await.unwrap().unwrap();
    assert_eq!(keyed.user_external_id.as_deref(), Some("hr-9"));
    assert!(store.find_user_by_external_id(org_id, "hr-9").await.unwrap().unwrap().person_indexed);
    let progress = store.person_progress(org_id, "hr-9").await.unwrap();
    assert_eq!(progress.assignments.len(), 1, "{progress:?}");
}

/// Assignments of `inner`, where the person `email_key` is given the external id `hr-1` between an assign's read and
/// its first write (as the users service would, from another request).
struct KeyedMeanwhile {
    inner: flows_shared::store::any::AnyStore,
    org: flows_shared::model::OrgId,
    email_key: String,
    done: std::sync::atomic::AtomicBool,
}

#[flows_shared::async_trait]
impl AssignmentStore for KeyedMeanwhile {
    async fn assign_context(
        &self,
        org: flows_shared::model::OrgId,
        flow: &flows_shared::model::FlowId,
        email_key: &str,
    ) -> flows_shared::store::StoreResult<flows_shared::store::AssignContext> {
        self.inner.assign_context(org, flow, email_key).await
    }

    async fn create_assignment(
        &self,
        assignment: &flows_shared::model::Assignment,
        event: &flows_shared::model::Event,
        done: Option<&flows_shared::store::Completion>,
    ) -> flows_shared::store::StoreResult<()> {
        if !self.done.swap(true, std::sync::atomic::Ordering::SeqCst) {
            let read = self.inner.find_user_by_email(self.org, &self.email_key).await?.expect("the person");
            let keyed = flows_shared::model::User {
                external_id: Some("hr-1".to_owned()),
                revision: read.revision + 1,
                ..read.clone()
            };
            let write = flows_shared::store::UserWrite { user: &keyed, read: &read, keys: &[], absorbs: None };
            self.inner.write_user(&write).await?;
        }
        self.inner.create_assignment(assignment, event, done).await
    }

    async fn get_assignment(
        &self,
        org: flows_shared::model::OrgId,
        id: &flows_shared::model::AssignmentId,
    ) -> flows_shared::store::StoreResult<Option<flows_shared::model::Assignment>> {
        self.inner.get_assignment(org, id).await
    }

    async fn list_assignments(
        &self,
        org: flows_shared::model::OrgId,
        query: &flows_shared::store::AssignmentQuery,
    ) -> flows_shared::store::StoreResult<flows_shared::store::AssignmentPage> {
        self.inner.list_assignments(org, query).await
    }

    async fn flow_assignments(
        &self,
        org: flows_shared::model::OrgId,
        flow: &flows_shared::model::FlowId,
        from: Option<flows_shared::model::Timestamp>,
        to: Option<flows_shared::model::Timestamp>,
    ) -> flows_shared::store::StoreResult<Vec<flows_shared::model::Assignment>> {
        self.inner.flow_assignments(org, flow, from, to).await
    }

    async fn update_assignment(
        &self,
        assignment: &flows_shared::model::Assignment,
        read: flows_shared::model::AssignmentStatus,
        events: &[flows_shared::model::Event],
    ) -> flows_shared::store::StoreResult<()> {
        self.inner.update_assignment(assignment, read, events).await
    }

    async fn import_assignments(
        &self,
        assignments: &[flows_shared::model::Assignment],
    ) -> flows_shared::store::StoreResult<()> {
        self.inner.import_assignments(assignments).await
    }

    async fn due_assignments(
        &self,
        now: flows_shared::model::Timestamp,
        limit: usize,
    ) -> flows_shared::store::StoreResult<flows_shared::store::DueAssignments> {
        self.inner.due_assignments(now, limit).await
    }

    async fn mark_overdue(
        &self,
        assignment: &flows_shared::model::Assignment,
        event: &flows_shared::model::Event,
    ) -> flows_shared::store::StoreResult<bool> {
        self.inner.mark_overdue(assignment, event).await
    }

    async fn set_aside_due(&self, item: &flows_shared::store::UnreadableDue) -> flows_shared::store::StoreResult<()> {
        self.inner.set_aside_due(item).await
    }
}

fn unanswered<T>(_: &T) -> flows_shared::http::Response {
    flows_shared::http::no_content()
}

async fn an_assign_that_meets_a_new_external_id_is_written_again_keyed_by_it(backend: Backend) {
    // GIVEN a person with no external id, whom an assign reads; they are given one before its write lands
    let server = TestServer::start(backend).await;
    let (org, flow) = server.ready_to_assign("Acme").await;
    let email = flows_shared::model::Email::parse("employee@company.com").unwrap();
    let meanwhile = KeyedMeanwhile {
        inner: server.state.store.clone(),
        org: org.id,
        email_key: email.key(),
        done: std::sync::atomic::AtomicBool::new(false),
    };
    let caller = flows_shared::caller::Caller::new(
        &flows_shared::routes::FLOWS_ASSIGN,
        flows_shared::caller::Credential::Key(server.state.signer.read(&org.secret).unwrap()),
        server.state.store.clone(),
        server.state.config.limits(),
        flows_shared::model::Timestamp::now(),
        None,
        None,
    );
    let input = flows_shared::services::assignments::NewAssignment {
        flow_id: flows_shared::model::Text::parse(&flow).unwrap(),
        user_email: email,
        due_date: None,
        priority: None,
        notes: None,
    };

    // WHEN the assign runs
    let act = flows_shared::caller::Act::new(&caller, &unanswered);
    let assigned =
        flows_shared::services::assignments::assign(&act, &meanwhile, &server.state.publisher(), input).await;

    // THEN it is made (not a 409), keyed by the external id the person has now, and Frigade's index finds it
    let assigned = assigned.map_err(|e| format!("{e:?}")).expect("the assign, read again and written");
    assert_eq!(assigned.assignment.user_external_id.as_deref(), Some("hr-1"));
    let progress = server.state.store.person_progress(org.id, "hr-1").await.unwrap();
    assert_eq!(progress.assignments.len(), 1, "{progress:?}");
}
