//! The storage contract: every method of every store trait, held the same on the in-memory store and on DynamoDB
//! (moto). The last test reads the traits' source and fails when a method is named nowhere here: a new store
//! method comes with its contract test.

use flows_shared::store::ports::*;
use std::collections::HashSet;

use flows_shared::model::{
    AccessMode, ApiKey, Assignment, AssignmentId, AssignmentStatus, Delivery, DeliveryId, DeliveryStatus, Email, Event,
    EventType, Flow, FlowId, FlowState, KeyId, KeyKind, Membership, OrgId, Organization, Profile, Role, Slug, Step,
    Tier, Timestamp, User, UserId, UserTokenPolicy, UserTokenSecret, Webhook, WebhookId,
};
use flows_shared::store::{
    AssignmentQuery, Completion, Conflict, Counter, IdempotencyBegin, IdempotencyClaim, ProgressWrite, Setting, Store,
    StoreError, StoredResponse, UserWrite, WebhookPatch,
};
use flows_testkit::backends::{serial_store, store_with_unreadable_due_entry};
use flows_testkit::{store, Backend};

crate::on_both_backends!(
    counters_hand_out_each_number_once,
    a_raised_counter_continues_after_the_value_and_never_goes_down,
    an_organization_is_created_with_its_owner_and_keys,
    an_organization_whose_slug_is_taken_writes_nothing,
    users_are_unique_by_email_in_any_case,
    users_are_unique_by_external_id,
    a_user_of_a_missing_organization_is_refused,
    users_are_counted_and_listed_by_id,
    keys_are_found_by_hash_and_paged_by_id,
    a_person_holds_at_most_25_keys_and_their_keys_are_read_at_once,
    a_revoked_key_keeps_its_first_revocation_time,
    another_organization_cannot_revoke_a_key,
    flows_are_unique_by_slug_within_an_organization,
    a_flows_creator_is_its_first_member_seen_from_both_sides,
    a_flow_changes_only_over_the_revision_it_read_with_its_memberships,
    flows_are_found_by_slug_and_listed_by_id_within_their_organization,
    the_assign_context_reads_the_flow_the_person_and_the_open_assignment,
    racing_assignments_of_one_flow_to_one_person_leave_exactly_one,
    an_assignment_is_due_until_it_is_marked_overdue_exactly_once,
    an_unreadable_due_entry_is_reported_and_set_aside_once,
    only_assigned_or_started_assignments_wait_in_the_due_index,
    due_assignments_come_earliest_first_up_to_the_limit,
    imported_assignments_are_readable_and_lock_their_flow_and_person,
    rate_windows_count_every_request_apart,
    an_idempotency_key_is_claimed_once_then_in_flight_or_mismatched,
    a_claim_whose_request_died_lapses,
    a_completed_key_replays_until_it_expires,
    a_released_claim_can_be_taken_again_but_a_completed_one_stays,
    a_completion_commits_with_its_write_or_not_at_all,
    a_completion_whose_claim_was_taken_over_fails_the_write,
    webhooks_are_listed_oldest_first_patched_and_deleted,
    the_endpoint_cap_holds_and_a_deletion_frees_a_place,
    a_rotation_and_a_disabling_of_one_endpoint_both_stay,
    the_outbox_holds_events_oldest_first_until_removed,
    attempts_are_counted_per_endpoint_and_event,
    the_delivery_log_pages_newest_first,
    a_flows_slug_moves_only_to_a_free_one,
    users_without_an_email_are_found_by_external_id,
    a_users_progress_reads_their_states_memberships_and_assignments,
    a_state_is_written_over_the_revision_it_read_with_its_assignment_and_events,
    a_forgotten_state_is_gone_once,
    assignments_are_listed_newest_first_in_pages_by_flow_person_or_organization,
    a_flows_assignments_are_read_within_their_dates,
    an_assignment_changes_only_over_the_status_it_was_read_with,
    states_of_many_users_in_one_flow_are_read_at_once,
    an_organizations_settings_are_set_one_at_a_time,
    a_profile_is_written_over_the_revision_it_read,
    a_user_changes_over_what_was_read_and_moves_their_email,
    a_role_change_rewrites_the_persons_keys_and_the_last_admin_stays,
    a_person_who_takes_a_guests_external_id_absorbs_them,
    people_are_paged_by_id,
    a_guests_progress_is_copied_then_forgotten,
    a_persons_progress_is_found_by_their_external_id_once_keyed,
    an_email_flows_participants_are_paged_by_person,
    email_flows_are_numbered_per_organization_and_written_over_their_revision,
    participants_are_written_over_their_revision_and_found_when_due,
);

const ORG: OrgId = OrgId(1);

/// The one instant every fixture and test here is made at: no test compares two readings of the wall clock.
fn made_at() -> Timestamp {
    Timestamp::parse_iso8601("2026-11-01T09:00:00Z").unwrap()
}

fn organization(id: u64, slug: &str) -> Organization {
    Organization::new(OrgId(id), slug.to_owned(), Slug::parse(slug).unwrap(), Tier::Standard, made_at())
}

fn user(id: u64, org: OrgId, email: &str) -> User {
    User {
        id: UserId(id),
        org_id: org,
        email: Some(Email::parse(email).unwrap()),
        name: format!("User {id}"),
        nick: format!("u{id}"),
        external_id: None,
        role: flows_shared::model::Role::Member,
        disabled: false,
        created_at: made_at(),
        deactivated_at: None,
        revision: 0,
        person_indexed: true,
    }
}

fn key(org: OrgId, hash: &str, created_at: Timestamp) -> ApiKey {
    ApiKey {
        id: KeyId::generate(),
        org_id: org,
        user_id: UserId(1),
        role: flows_shared::model::Role::Admin,
        kind: KeyKind::Secret,
        tier: Tier::Standard,
        prefix: "sk_1_000000".into(),
        last4: None,
        name: None,
        hash: hash.to_owned(),
        created_at,
        revoked_at: None,
    }
}

fn flow(org: OrgId, slug: &str) -> Flow {
    Flow {
        id: FlowId::generate(),
        org_id: org,
        name: slug.to_owned(),
        slug: Slug::parse(slug).unwrap(),
        access_mode: AccessMode::Invitation,
        join_token: "t".into(),
        disabled: false,
        flow_type: "CHECKLIST".into(),
        steps: vec![Step { id: "a".into(), title: "A".into(), subtitle: None, estimated_minutes: 5 }],
        sequential: false,
        completion: Default::default(),
        version: 1,
        revision: 0,
        created_by: UserId(1),
        created_at: made_at(),
    }
}

fn assignment(flow: &FlowId, email: &str, due_date: Option<Timestamp>) -> Assignment {
    Assignment {
        id: AssignmentId::generate(),
        org_id: ORG,
        flow_id: flow.clone(),
        user_id: UserId(2),
        user_email: Email::parse(email).unwrap(),
        user_external_id: None,
        due_date,
        priority: None,
        notes: None,
        status: AssignmentStatus::Assigned,
        assigned_at: made_at(),
        assigned_by: UserId(1),
        started_at: None,
        completed_at: None,
        late: false,
        cancelled_at: None,
    }
}

fn assigned(a: &Assignment) -> Event {
    Event::about_assignment(a, EventType::FlowAssigned, a.assigned_at)
}

fn webhook(org: OrgId, created_at: Timestamp) -> Webhook {
    Webhook {
        id: WebhookId::generate(),
        org_id: org,
        url: "https://hooks.example.com/x".into(),
        events: EventType::ALL.to_vec(),
        enabled: true,
        secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw".into(),
        previous_secret: None,
        previous_secret_expires_at: None,
        disabled_reason: None,
        created_at,
        updated_at: created_at,
    }
}

fn claim<'a>(key: &'a str, fingerprint: &'a str, now: i64) -> IdempotencyClaim<'a> {
    IdempotencyClaim { key, fingerprint, now, locked_until: now + 60, expires_at: now + 3600 }
}

fn completion(key: &str, fingerprint: &str, now: i64) -> Completion {
    Completion {
        key: key.to_owned(),
        fingerprint: fingerprint.to_owned(),
        response: StoredResponse { status: 200, body: "{\"ok\":true}".into() },
        expires_at: now + 3600,
    }
}

/// A store holding organization 1 (`acme`) with its owner, user 1.
async fn with_org(backend: Backend) -> flows_shared::store::any::AnyStore {
    let store = store(backend).await;
    store
        .create_organization(&organization(1, "acme"), &user(1, ORG, "owner@acme.example.com"), &[], None)
        .await
        .unwrap();
    store
}

async fn counters_hand_out_each_number_once(backend: Backend) {
    // Requests at once: on the moto that answers one at a time, where an update is atomic as in DynamoDB.
    let store = serial_store(backend).await;
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.next_id(Counter::User).await.unwrap() })
        })
        .collect();
    let mut seen = HashSet::new();
    for task in tasks {
        assert!(seen.insert(task.await.unwrap()));
    }
    assert_eq!(seen, (1..=20).collect());
    assert_eq!(store.next_id(Counter::Organization).await.unwrap(), 1, "counters are apart");
}

async fn a_raised_counter_continues_after_the_value_and_never_goes_down(backend: Backend) {
    let store = store(backend).await;
    store.raise_counter(Counter::Organization, 41).await.unwrap();
    assert_eq!(store.next_id(Counter::Organization).await.unwrap(), 42);
    store.raise_counter(Counter::Organization, 10).await.unwrap();
    assert_eq!(store.next_id(Counter::Organization).await.unwrap(), 43);
}

async fn an_organization_is_created_with_its_owner_and_keys(backend: Backend) {
    // GIVEN an organization with its owner and a key
    let store = store(backend).await;
    let k = key(ORG, "hash-1", made_at());
    store
        .create_organization(
            &organization(1, "acme"),
            &user(1, ORG, "Owner@Acme.example.com"),
            std::slice::from_ref(&k),
            None,
        )
        .await
        .unwrap();

    // THEN all three are there
    assert_eq!(store.get_organization(ORG).await.unwrap().unwrap().slug.as_str(), "acme");
    assert_eq!(
        store.get_user(ORG, UserId(1)).await.unwrap().unwrap().email.unwrap().as_str(),
        "Owner@Acme.example.com"
    );
    assert_eq!(store.find_user_by_email(ORG, "owner@acme.example.com").await.unwrap().unwrap().id, UserId(1));
    assert_eq!(store.find_key_by_hash("hash-1").await.unwrap(), Some(k));
    assert!(store.get_organization(OrgId(2)).await.unwrap().is_none());
}

async fn an_organization_whose_slug_is_taken_writes_nothing(backend: Backend) {
    let store = with_org(backend).await;
    let k = key(OrgId(2), "hash-2", made_at());
    let err = store
        .create_organization(&organization(2, "acme"), &user(2, OrgId(2), "other@acme.example.com"), &[k], None)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Conflict(Conflict::OrganizationSlug)), "{err:?}");
    assert!(store.get_organization(OrgId(2)).await.unwrap().is_none());
    assert!(store.get_user(OrgId(2), UserId(2)).await.unwrap().is_none());
    assert!(store.find_key_by_hash("hash-2").await.unwrap().is_none());
}

async fn users_are_unique_by_email_in_any_case(backend: Backend) {
    let store = with_org(backend).await;
    store.create_user(&user(2, ORG, "eve@example.com"), None).await.unwrap();
    let err = store.create_user(&user(3, ORG, "EVE@Example.com"), None).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(Conflict::UserEmail)), "{err:?}");
    assert!(store.get_user(ORG, UserId(3)).await.unwrap().is_none());
}

async fn users_are_unique_by_external_id(backend: Backend) {
    let store = with_org(backend).await;
    let mut first = user(2, ORG, "a@example.com");
    first.external_id = Some("ext-1".into());
    store.create_user(&first, None).await.unwrap();
    let mut second = user(3, ORG, "b@example.com");
    second.external_id = Some("ext-1".into());
    let err = store.create_user(&second, None).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(Conflict::UserExternalId)), "{err:?}");
    assert!(store.find_user_by_email(ORG, "b@example.com").await.unwrap().is_none());
}

async fn a_user_of_a_missing_organization_is_refused(backend: Backend) {
    let store = store(backend).await;
    let err = store.create_user(&user(2, OrgId(9), "a@example.com"), None).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(Conflict::Missing)), "{err:?}");
}

async fn users_are_counted_and_listed_by_id(backend: Backend) {
    let store = with_org(backend).await;
    for id in [11, 3, 7] {
        store.create_user(&user(id, ORG, &format!("u{id}@example.com")), None).await.unwrap();
    }
    let ids: Vec<u64> = store.list_users(ORG).await.unwrap().iter().map(|u| u.id.0).collect();
    assert_eq!(ids, [1, 3, 7, 11]);
    assert_eq!(store.get_organization(ORG).await.unwrap().unwrap().user_count, 4);
    assert!(store.list_users(OrgId(2)).await.unwrap().is_empty());
}

async fn keys_are_found_by_hash_and_paged_by_id(backend: Backend) {
    // GIVEN three keys of the owner, one of another person, and one of another organization
    let store = with_org(backend).await;
    store.create_user(&user(2, ORG, "two@example.com"), None).await.unwrap();
    let now = made_at();
    let mut made = Vec::new();
    for (i, holder) in [1, 1, 2, 1].into_iter().enumerate() {
        let k = ApiKey { user_id: UserId(holder), ..key(ORG, &format!("hash-{i}"), now) };
        store.create_key(&k, None).await.unwrap();
        made.push(k);
    }
    store.create_key(&key(OrgId(2), "hash-other", now), None).await.unwrap();
    let mut by_id = made.clone();
    by_id.sort_by(|a, b| a.id.cmp(&b.id));

    // WHEN the organization's keys are read two at a time, and only the owner's
    let first = store.keys_page(ORG, None, None, 2).await.unwrap();
    let second = store.keys_page(ORG, None, Some(&first.items[1].id), 2).await.unwrap();
    let owners = store.keys_page(ORG, Some(UserId(1)), None, 10).await.unwrap();

    // THEN the pages follow the ids, the last says no more come, and only the organization's keys are there
    assert_eq!([first.items.clone(), second.items.clone()].concat(), by_id);
    assert!(first.more && !second.more);
    assert_eq!(owners.items.len(), 3);
    assert!(owners.items.iter().all(|k| k.user_id == UserId(1)) && !owners.more);
    // AND each is found by its hash and by its id, within its organization only
    assert_eq!(store.find_key_by_hash("hash-1").await.unwrap(), Some(made[1].clone()));
    assert!(store.find_key_by_hash("hash-z").await.unwrap().is_none());
    assert_eq!(store.get_key(ORG, &made[2].id).await.unwrap(), Some(made[2].clone()));
    assert_eq!(store.get_key(OrgId(2), &made[2].id).await.unwrap(), None);
}

async fn a_person_holds_at_most_25_keys_and_their_keys_are_read_at_once(backend: Backend) {
    // GIVEN a person with 25 keys
    let store = with_org(backend).await;
    let now = made_at();
    let mut made = Vec::new();
    for i in 0..flows_shared::store::MAX_KEYS_PER_PERSON {
        let k = key(ORG, &format!("hash-{i}"), now);
        store.create_key(&k, None).await.unwrap();
        made.push(k);
    }

    // WHEN a 26th is made, then one is revoked and another made
    let over = store.create_key(&key(ORG, "hash-over", now), None).await;
    store.revoke_key(ORG, &made[0].id, now).await.unwrap();
    store.create_key(&key(ORG, "hash-again", now), None).await.unwrap();

    // THEN the 26th is refused, and the person's keys not revoked are the 25 held
    assert!(matches!(over, Err(StoreError::Conflict(Conflict::Limit))), "{over:?}");
    let held = store.user_keys(ORG, UserId(1)).await.unwrap();
    assert_eq!(held.len(), 25);
    assert!(held.iter().all(|k| k.revoked_at.is_none() && k.hash != made[0].hash));
    assert!(held.iter().any(|k| k.hash == "hash-again"));
    assert!(store.user_keys(ORG, UserId(9)).await.unwrap().is_empty());
}

async fn a_revoked_key_keeps_its_first_revocation_time(backend: Backend) {
    let store = with_org(backend).await;
    let k = key(ORG, "hash-1", made_at());
    store.create_key(&k, None).await.unwrap();
    let first = made_at();
    let revoked = store.revoke_key(ORG, &k.id, first).await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(first));
    let again = store.revoke_key(ORG, &k.id, first.plus_seconds(60)).await.unwrap().unwrap();
    assert_eq!(again.revoked_at, Some(first));
    assert_eq!(store.find_key_by_hash("hash-1").await.unwrap().unwrap().revoked_at, Some(first));
    assert_eq!(store.get_key(ORG, &k.id).await.unwrap().unwrap().revoked_at, Some(first));
}

async fn another_organization_cannot_revoke_a_key(backend: Backend) {
    let store = with_org(backend).await;
    let k = key(ORG, "hash-1", made_at());
    store.create_key(&k, None).await.unwrap();
    assert!(store.revoke_key(OrgId(2), &k.id, made_at()).await.unwrap().is_none());
    assert!(store.revoke_key(ORG, &KeyId::generate(), made_at()).await.unwrap().is_none());
    assert!(store.find_key_by_hash("hash-1").await.unwrap().unwrap().revoked_at.is_none());
}

async fn flows_are_unique_by_slug_within_an_organization(backend: Backend) {
    let store = with_org(backend).await;
    let first = flow(ORG, "onboarding");
    store.create_flow(&first, &Membership::of_creator(&first), None).await.unwrap();
    let taken = flow(ORG, "onboarding");
    let err = store.create_flow(&taken, &Membership::of_creator(&taken), None).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(Conflict::FlowSlug)), "{err:?}");
    let elsewhere = flow(OrgId(2), "onboarding");
    store.create_flow(&elsewhere, &Membership::of_creator(&elsewhere), None).await.unwrap();
    assert_eq!(store.get_flow(ORG, &first.id).await.unwrap(), Some(first.clone()));
    assert!(store.get_flow(OrgId(2), &first.id).await.unwrap().is_none());
}

async fn flows_are_found_by_slug_and_listed_by_id_within_their_organization(backend: Backend) {
    // GIVEN two flows of the organization and one of another with the same slug
    let store = with_org(backend).await;
    let (first, second) = (flow(ORG, "first"), flow(ORG, "second"));
    let elsewhere = flow(OrgId(2), "first");
    for f in [&first, &second, &elsewhere] {
        store.create_flow(f, &Membership::of_creator(f), None).await.unwrap();
    }

    // WHEN they are looked up by slug and listed
    let found = store.find_flow_by_slug(ORG, &first.slug).await.unwrap();
    let theirs = store.find_flow_by_slug(OrgId(2), &first.slug).await.unwrap();
    let missing = store.find_flow_by_slug(ORG, &Slug::parse("nothing").unwrap()).await.unwrap();
    let listed = store.list_flows(ORG).await.unwrap();

    // THEN each organization finds its own, and the list holds the organization's flows only, by id
    assert_eq!(found, Some(first.clone()));
    assert_eq!(theirs, Some(elsewhere.clone()));
    assert_eq!(missing, None);
    let mut expected = vec![first, second];
    expected.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    assert_eq!(listed, expected);
    assert!(store.list_flows(OrgId(3)).await.unwrap().is_empty());
}

async fn a_flow_changes_only_over_the_revision_it_read_with_its_memberships(backend: Backend) {
    // GIVEN a flow at revision 0
    let store = with_org(backend).await;
    let f = flow(ORG, "onboarding");
    store.create_flow(&f, &Membership::of_creator(&f), None).await.unwrap();

    // WHEN it is renamed over revision 0 with a new member, then again over revision 0, and a missing flow changed
    let renamed = Flow { name: "Renamed".into(), revision: 1, ..f.clone() };
    let joined = Membership { user_id: UserId(2), ..Membership::of_creator(&f) };
    store.update_flow(&renamed, 0, &f.slug, std::slice::from_ref(&joined)).await.unwrap();
    let stale = store.update_flow(&Flow { name: "Stale".into(), revision: 1, ..f.clone() }, 0, &f.slug, &[]).await;
    let missing = store.update_flow(&Flow { revision: 1, ..flow(ORG, "missing") }, 0, &f.slug, &[]).await;

    // THEN the first is written with its membership, the stale one is a revision conflict, the missing one missing
    assert_eq!(store.get_flow(ORG, &f.id).await.unwrap(), Some(renamed));
    assert_eq!(store.flow_members(ORG, &f.id).await.unwrap().len(), 2);
    assert_eq!(store.member_flows(ORG, UserId(2)).await.unwrap()[0].1, joined);
    assert!(matches!(stale, Err(StoreError::Conflict(Conflict::Revision))), "{stale:?}");
    assert!(matches!(missing, Err(StoreError::Conflict(Conflict::Missing))), "{missing:?}");
}

async fn a_flows_creator_is_its_first_member_seen_from_both_sides(backend: Backend) {
    // GIVEN two flows made by user 1 and one by user 2, and a flow of another organization by its user 1
    let store = with_org(backend).await;
    let (first, second) = (flow(ORG, "first"), flow(ORG, "second"));
    let theirs = Flow { created_by: UserId(2), ..flow(ORG, "theirs") };
    let elsewhere = flow(OrgId(2), "elsewhere");
    for f in [&first, &second, &theirs, &elsewhere] {
        store.create_flow(f, &Membership::of_creator(f), None).await.unwrap();
    }

    // WHEN the memberships are read from the flow's side and from the user's
    let members = store.flow_members(ORG, &first.id).await.unwrap();
    let mine = store.member_flows(ORG, UserId(1)).await.unwrap();

    // THEN the creator is the one member, joined and open, and the user's flows are their own organization's two
    assert_eq!(members, vec![Membership::of_creator(&first)]);
    assert!(members[0].joined && members[0].open && !members[0].disabled);
    let mut expected = vec![first.clone(), second.clone()];
    expected.sort_by(|a, b| a.id.as_str().cmp(b.id.as_str()));
    assert_eq!(mine.iter().map(|(f, _)| f.clone()).collect::<Vec<_>>(), expected);
    assert!(mine.iter().all(|(f, m)| m == &Membership::of_creator(f)));
    assert_eq!(store.member_flows(ORG, UserId(2)).await.unwrap().len(), 1);
    assert!(store.member_flows(ORG, UserId(3)).await.unwrap().is_empty());
    assert!(store.flow_members(OrgId(2), &first.id).await.unwrap().is_empty());
}

async fn the_assign_context_reads_the_flow_the_person_and_the_open_assignment(backend: Backend) {
    let store = with_org(backend).await;
    let f = flow(ORG, "onboarding");
    store.create_flow(&f, &Membership::of_creator(&f), None).await.unwrap();
    store.create_user(&user(2, ORG, "Eve@Example.com"), None).await.unwrap();
    let empty = store.assign_context(ORG, &f.id, "eve@example.com").await.unwrap();
    assert_eq!(empty.flow.as_ref().map(|f| &f.id), Some(&f.id));
    assert_eq!(empty.user.as_ref().map(|u| u.id), Some(UserId(2)));
    assert!(empty.open.is_none());
    let a = assignment(&f.id, "Eve@Example.com", None);
    store.create_assignment(&a, &assigned(&a), None).await.unwrap();
    let open = store.assign_context(ORG, &f.id, "eve@example.com").await.unwrap();
    assert_eq!(open.open, Some(a.id.clone()));
    let elsewhere = store.assign_context(OrgId(2), &f.id, "eve@example.com").await.unwrap();
    assert!(elsewhere.flow.is_none() && elsewhere.user.is_none() && elsewhere.open.is_none());
}

async fn racing_assignments_of_one_flow_to_one_person_leave_exactly_one(backend: Backend) {
    // Transactions at once: on the moto that answers one at a time, where a condition holds as in DynamoDB (the
    // threaded one lets two conditional writes through now and then).
    let store = serial_store(backend).await;
    let flow = FlowId::generate();
    let tasks: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            let a = assignment(&flow, "eve@example.com", None);
            let event = assigned(&a);
            tokio::spawn(async move { (a.id.clone(), store.create_assignment(&a, &event, None).await) })
        })
        .collect();
    let mut winners = Vec::new();
    for task in tasks {
        let (id, result) = task.await.unwrap();
        match result {
            Ok(()) => winners.push(id),
            Err(StoreError::Conflict(Conflict::OpenAssignment(_))) => {}
            // DynamoDB may cancel a transaction that races another on the same item; the caller retries.
            Err(StoreError::Throttled) => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "{winners:?}");
    let ctx = store.assign_context(ORG, &flow, "eve@example.com").await.unwrap();
    assert_eq!(ctx.open.as_ref(), Some(&winners[0]));
    assert_eq!(store.get_assignment(ORG, &winners[0]).await.unwrap().unwrap().id, winners[0]);
    assert!(store.get_assignment(OrgId(2), &winners[0]).await.unwrap().is_none());
}

async fn an_assignment_is_due_until_it_is_marked_overdue_exactly_once(backend: Backend) {
    // GIVEN an assignment due a minute ago
    let store = store(backend).await;
    let now = made_at();
    let a = assignment(&FlowId::generate(), "eve@example.com", Some(now.plus_seconds(-60)));
    store.create_assignment(&a, &assigned(&a), None).await.unwrap();
    let due = store.due_assignments(now, 10).await.unwrap();
    let due_ids: Vec<AssignmentId> = due.assignments.iter().map(|a| a.id.clone()).collect();
    assert_eq!(due_ids, std::slice::from_ref(&a.id));

    // WHEN it is marked overdue twice
    let mut overdue = a.clone();
    overdue.status = AssignmentStatus::Overdue;
    let event = Event::about_assignment(&overdue, EventType::FlowOverdue, now);
    let first = store.mark_overdue(&a, &event).await.unwrap();
    let second = store.mark_overdue(&a, &event).await.unwrap();

    // THEN only the first took effect, it left the due index, and its status changed
    assert!(first);
    assert!(!second);
    assert!(store.due_assignments(now, 10).await.unwrap().assignments.is_empty());
    assert_eq!(store.get_assignment(ORG, &a.id).await.unwrap().unwrap().status, AssignmentStatus::Overdue);
}

async fn an_unreadable_due_entry_is_reported_and_set_aside_once(backend: Backend) {
    // GIVEN an entry in the due index that is no assignment, and a real assignment due after it
    let now = made_at();
    let damaged = AssignmentId::generate();
    let store = store_with_unreadable_due_entry(backend, OrgId(2), &damaged, now.plus_seconds(-120)).await;
    let a = assignment(&FlowId::generate(), "eve@example.com", Some(now.plus_seconds(-60)));
    store.create_assignment(&a, &assigned(&a), None).await.unwrap();

    // WHEN the due index is read
    let due = store.due_assignments(now, 10).await.unwrap();

    // THEN the entry comes apart from the assignments, naming its key and its problem
    assert_eq!(due.assignments.iter().map(|a| a.id.clone()).collect::<Vec<_>>(), std::slice::from_ref(&a.id));
    assert_eq!(due.unreadable.len(), 1, "{:?}", due.unreadable);
    assert!(due.unreadable[0].key.contains(damaged.as_str()), "{:?}", due.unreadable[0]);
    assert!(!due.unreadable[0].problem.is_empty());
    assert_eq!(due.items_read, 2);

    // WHEN it is set aside (twice: a second run may have read it too)
    store.set_aside_due(&due.unreadable[0]).await.unwrap();
    store.set_aside_due(&due.unreadable[0]).await.unwrap();

    // THEN it is read no more, and the assignment is still due
    let again = store.due_assignments(now, 10).await.unwrap();
    assert!(again.unreadable.is_empty(), "{:?}", again.unreadable);
    assert_eq!(again.assignments.len(), 1);
}

async fn only_assigned_or_started_assignments_wait_in_the_due_index(backend: Backend) {
    // GIVEN assignments past their due date in every status, written through both writes
    let store = store(backend).await;
    let now = made_at();
    let past = Some(now.plus_seconds(-60));
    let mut expected = HashSet::new();
    for (i, status) in
        [AssignmentStatus::Assigned, AssignmentStatus::Started, AssignmentStatus::Overdue, AssignmentStatus::Completed]
            .into_iter()
            .enumerate()
    {
        let mut created = assignment(&FlowId::generate(), &format!("c{i}@example.com"), past);
        created.status = status;
        let mut imported = assignment(&FlowId::generate(), &format!("i{i}@example.com"), past);
        imported.status = status;
        store.create_assignment(&created, &assigned(&created), None).await.unwrap();
        store.import_assignments(std::slice::from_ref(&imported)).await.unwrap();
        if created.due_at().is_some() {
            expected.insert(created.id.clone());
            expected.insert(imported.id.clone());
        }
    }
    // An assignment without a due date is never due.
    let undated = assignment(&FlowId::generate(), "u@example.com", None);
    store.create_assignment(&undated, &assigned(&undated), None).await.unwrap();

    // THEN the due index holds exactly the assigned and started ones
    let due: HashSet<AssignmentId> =
        store.due_assignments(now, 100).await.unwrap().assignments.into_iter().map(|a| a.id).collect();
    assert_eq!(due, expected);
    assert_eq!(due.len(), 4);
}

async fn due_assignments_come_earliest_first_up_to_the_limit(backend: Backend) {
    let store = store(backend).await;
    let now = made_at();
    let mut all = Vec::new();
    for i in 0..6 {
        let a = assignment(&FlowId::generate(), &format!("p{i}@example.com"), Some(now.plus_seconds(-100 + i * 10)));
        all.push(a.clone());
    }
    // Not yet due.
    all.push(assignment(&FlowId::generate(), "later@example.com", Some(now.plus_seconds(3600))));
    store.import_assignments(&all).await.unwrap();
    let due = store.due_assignments(now, 100).await.unwrap();
    let times: Vec<Timestamp> = due.assignments.iter().filter_map(|a| a.due_date).collect();
    assert_eq!(times.len(), 6);
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "{times:?}");
    assert!(due.items_read >= 6);
    assert!(store.due_assignments(now, 3).await.unwrap().assignments.len() <= 3);
}

async fn imported_assignments_are_readable_and_lock_their_flow_and_person(backend: Backend) {
    let store = store(backend).await;
    let f = FlowId::generate();
    let open = assignment(&f, "eve@example.com", None);
    let mut done = assignment(&FlowId::generate(), "eve@example.com", None);
    done.status = AssignmentStatus::Completed;
    store.import_assignments(&[open.clone(), done.clone()]).await.unwrap();
    assert_eq!(store.get_assignment(ORG, &open.id).await.unwrap(), Some(open.clone()));
    assert_eq!(store.get_assignment(ORG, &done.id).await.unwrap(), Some(done.clone()));
    assert_eq!(store.assign_context(ORG, &f, "eve@example.com").await.unwrap().open, Some(open.id));
    assert!(store.assign_context(ORG, &done.flow_id, "eve@example.com").await.unwrap().open.is_none());
}

async fn rate_windows_count_every_request_apart(backend: Backend) {
    let store = serial_store(backend).await;
    let expires = made_at().unix() + 120;
    use flows_shared::store::Counted;
    let window = made_at().unix() / 60;
    for n in 1..=4 {
        assert_eq!(store.count(&Counted::Organization(1), window, expires).await.unwrap(), n);
    }
    assert_eq!(store.count(&Counted::Organization(1), window + 1, expires).await.unwrap(), 1);
    assert_eq!(store.count(&Counted::Organization(2), window, expires).await.unwrap(), 1);
    let new_people = Counted::NewPeople { key_hash: "abc" };
    assert_eq!(store.count(&new_people, window, expires).await.unwrap(), 1);
    assert_eq!(store.count(&Counted::PublicKeyTotal { key_hash: "abc" }, window, expires).await.unwrap(), 1);
    let concurrent: Vec<_> = (0..10)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.count(&Counted::Organization(3), window, expires).await.unwrap() })
        })
        .collect();
    let mut counts = Vec::new();
    for task in concurrent {
        counts.push(task.await.unwrap());
    }
    counts.sort_unstable();
    assert_eq!(counts, (1..=10).collect::<Vec<u64>>());
}

async fn an_idempotency_key_is_claimed_once_then_in_flight_or_mismatched(backend: Backend) {
    let store = store(backend).await;
    let now = made_at().unix();
    assert_eq!(store.begin(&claim("k", "f1", now)).await.unwrap(), IdempotencyBegin::Started);
    assert_eq!(store.begin(&claim("k", "f1", now)).await.unwrap(), IdempotencyBegin::InFlight);
    assert_eq!(store.begin(&claim("k", "f2", now)).await.unwrap(), IdempotencyBegin::Mismatch);
    assert_eq!(store.begin(&claim("other", "f1", now)).await.unwrap(), IdempotencyBegin::Started);
}

async fn a_claim_whose_request_died_lapses(backend: Backend) {
    let store = store(backend).await;
    let now = made_at().unix();
    assert_eq!(store.begin(&claim("k", "f1", now)).await.unwrap(), IdempotencyBegin::Started);
    assert_eq!(store.begin(&claim("k", "f1", now + 61)).await.unwrap(), IdempotencyBegin::Started);
}

async fn a_completed_key_replays_until_it_expires(backend: Backend) {
    let store = store(backend).await;
    let now = made_at().unix();
    store.begin(&claim("k", "f1", now)).await.unwrap();
    let done = completion("k", "f1", now);
    store.complete(&done).await.unwrap();
    assert_eq!(store.begin(&claim("k", "f1", now + 120)).await.unwrap(), IdempotencyBegin::Replay(done.response));
    // A completed record does not lapse with the lock, only with its expiry, whatever TTL has not deleted yet.
    assert_eq!(store.begin(&claim("k", "f2", now + 120)).await.unwrap(), IdempotencyBegin::Mismatch);
    assert_eq!(store.begin(&claim("k", "f2", now + 3601)).await.unwrap(), IdempotencyBegin::Started);
}

async fn a_released_claim_can_be_taken_again_but_a_completed_one_stays(backend: Backend) {
    let store = store(backend).await;
    let now = made_at().unix();
    store.begin(&claim("k", "f1", now)).await.unwrap();
    store.release("k").await.unwrap();
    assert_eq!(store.begin(&claim("k", "f2", now)).await.unwrap(), IdempotencyBegin::Started);
    let done = completion("k", "f2", now);
    store.complete(&done).await.unwrap();
    store.release("k").await.unwrap();
    assert_eq!(store.begin(&claim("k", "f2", now)).await.unwrap(), IdempotencyBegin::Replay(done.response));
}

async fn a_completion_commits_with_its_write_or_not_at_all(backend: Backend) {
    // GIVEN a claimed key, and an assignment whose write carries the key's completion
    let store = store(backend).await;
    let now = made_at().unix();
    store.begin(&claim("k", "f1", now)).await.unwrap();
    let f = FlowId::generate();
    let a = assignment(&f, "eve@example.com", None);
    let done = completion("k", "f1", now);
    store.create_assignment(&a, &assigned(&a), Some(&done)).await.unwrap();

    // THEN the record replays the answer
    assert_eq!(store.begin(&claim("k", "f1", now)).await.unwrap(), IdempotencyBegin::Replay(done.response.clone()));

    // AND a write that fails (an open assignment exists) leaves its key claimed, not completed
    store.begin(&claim("k2", "f1", now)).await.unwrap();
    let again = assignment(&f, "eve@example.com", None);
    let err = store.create_assignment(&again, &assigned(&again), Some(&completion("k2", "f1", now))).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict(Conflict::OpenAssignment(_))), "{err:?}");
    assert_eq!(store.begin(&claim("k2", "f1", now)).await.unwrap(), IdempotencyBegin::InFlight);
}

async fn a_completion_whose_claim_was_taken_over_fails_the_write(backend: Backend) {
    // GIVEN a key whose claim another request took over with another body (after the first's lapsed)
    let store = store(backend).await;
    let now = made_at().unix();
    store.begin(&claim("k", "f1", now)).await.unwrap();
    store.begin(&claim("k", "f2", now + 61)).await.unwrap();

    // WHEN the first request's write arrives with its completion
    let a = assignment(&FlowId::generate(), "eve@example.com", None);
    let err = store.create_assignment(&a, &assigned(&a), Some(&completion("k", "f1", now))).await.unwrap_err();

    // THEN it fails whole: no assignment, and the second request's claim stands
    assert!(matches!(err, StoreError::Conflict(Conflict::IdempotencyRecord)), "{err:?}");
    assert!(store.get_assignment(ORG, &a.id).await.unwrap().is_none());
    assert_eq!(store.begin(&claim("k", "f2", now + 62)).await.unwrap(), IdempotencyBegin::InFlight);
}

async fn webhooks_are_listed_oldest_first_patched_and_deleted(backend: Backend) {
    let store = store(backend).await;
    let now = made_at();
    let newer = webhook(ORG, now);
    let older = webhook(ORG, now.plus_seconds(-5));
    store.create_webhook(&newer, 20, None).await.unwrap();
    store.create_webhook(&older, 20, None).await.unwrap();
    store.create_webhook(&webhook(OrgId(2), now), 20, None).await.unwrap();
    let listed: Vec<WebhookId> = store.list_webhooks(ORG).await.unwrap().into_iter().map(|h| h.id).collect();
    assert_eq!(listed, [older.id.clone(), newer.id.clone()]);

    let patch = WebhookPatch {
        url: Some("https://hooks.example.com/changed".into()),
        events: Some(vec![EventType::FlowOverdue]),
        enabled: Some(false),
        disabled_reason: Some(Some("because".into())),
        updated_at: Some(now.plus_seconds(1)),
        ..WebhookPatch::default()
    };
    let changed = store.patch_webhook(ORG, &newer.id, &patch).await.unwrap().unwrap();
    assert_eq!(
        (changed.url.as_str(), changed.events.as_slice(), changed.enabled, changed.disabled_reason.as_deref()),
        ("https://hooks.example.com/changed", &[EventType::FlowOverdue][..], false, Some("because"))
    );
    assert_eq!(changed.updated_at, now.plus_seconds(1));
    assert_eq!(changed.secret, newer.secret, "what the patch does not name stays");
    assert_eq!(store.get_webhook(ORG, &newer.id).await.unwrap(), Some(changed));
    let cleared = WebhookPatch { enabled: Some(true), disabled_reason: Some(None), ..WebhookPatch::default() };
    assert!(store.patch_webhook(ORG, &newer.id, &cleared).await.unwrap().unwrap().disabled_reason.is_none());
    assert!(store.get_webhook(OrgId(2), &newer.id).await.unwrap().is_none());
    assert!(store.patch_webhook(OrgId(2), &newer.id, &cleared).await.unwrap().is_none());

    assert!(store.delete_webhook(ORG, &newer.id).await.unwrap());
    assert!(!store.delete_webhook(ORG, &newer.id).await.unwrap());
    assert!(store.patch_webhook(ORG, &newer.id, &cleared).await.unwrap().is_none(), "no patch brings it back");
    assert!(store.get_webhook(ORG, &newer.id).await.unwrap().is_none());
    assert!(!store.delete_webhook(OrgId(2), &older.id).await.unwrap());
}

async fn the_endpoint_cap_holds_and_a_deletion_frees_a_place(backend: Backend) {
    // GIVEN an organization at its cap of two endpoints
    let store = store(backend).await;
    let (a, b) = (webhook(ORG, made_at()), webhook(ORG, made_at()));
    store.create_webhook(&a, 2, None).await.unwrap();
    store.create_webhook(&b, 2, None).await.unwrap();

    // WHEN a third is created
    let third = webhook(ORG, made_at());
    let err = store.create_webhook(&third, 2, None).await.unwrap_err();

    // THEN it is refused and not written; another organization is not affected; a deletion frees a place
    assert!(matches!(err, StoreError::Conflict(Conflict::Limit)), "{err:?}");
    assert!(store.get_webhook(ORG, &third.id).await.unwrap().is_none());
    store.create_webhook(&webhook(OrgId(2), made_at()), 2, None).await.unwrap();
    assert!(store.delete_webhook(ORG, &a.id).await.unwrap());
    store.create_webhook(&third, 2, None).await.unwrap();
    assert!(!store.delete_webhook(ORG, &a.id).await.unwrap(), "a second deletion frees nothing");
    assert!(store.create_webhook(&webhook(ORG, made_at()), 2, None).await.is_err());
}

async fn a_rotation_and_a_disabling_of_one_endpoint_both_stay(backend: Backend) {
    // GIVEN an endpoint, read by two writers before either writes
    let store = store(backend).await;
    let hook = webhook(ORG, made_at());
    store.create_webhook(&hook, 20, None).await.unwrap();
    let until = made_at().plus_seconds(3600);

    // WHEN one rotates its secret and the other disables it
    let rotate = WebhookPatch { rotate: Some(("whsec_new".into(), until)), ..WebhookPatch::default() };
    let disable =
        WebhookPatch { enabled: Some(false), disabled_reason: Some(Some("410".into())), ..WebhookPatch::default() };
    store.patch_webhook(ORG, &hook.id, &rotate).await.unwrap();
    store.patch_webhook(ORG, &hook.id, &disable).await.unwrap();

    // THEN both changes stay
    let now = store.get_webhook(ORG, &hook.id).await.unwrap().unwrap();
    assert_eq!(now.secret, "whsec_new");
    assert_eq!(now.previous_secret.as_deref(), Some(hook.secret.as_str()));
    assert_eq!(now.previous_secret_expires_at, Some(until));
    assert!(!now.enabled);
    assert_eq!(now.disabled_reason.as_deref(), Some("410"));
}

async fn the_outbox_holds_events_oldest_first_until_removed(backend: Backend) {
    // GIVEN three assignments whose events went into the outbox at different times
    let store = store(backend).await;
    let now = made_at();
    let mut events = Vec::new();
    for i in 0..3 {
        let a = assignment(&FlowId::generate(), &format!("p{i}@example.com"), None);
        let event = Event::about_assignment(&a, EventType::FlowAssigned, now.plus_seconds(-30 + i * 10));
        store.create_assignment(&a, &event, None).await.unwrap();
        events.push(event);
    }
    // THEN the outbox gives them oldest first, up to a limit and before a time
    let ids = |list: Vec<Event>| list.into_iter().map(|e| e.id).collect::<Vec<_>>();
    let all = ids(store.outbox_before(now.plus_seconds(1), 10).await.unwrap());
    assert_eq!(all, events.iter().map(|e| e.id.clone()).collect::<Vec<_>>());
    assert_eq!(ids(store.outbox_before(now.plus_seconds(1), 2).await.unwrap()), all[..2]);
    assert_eq!(ids(store.outbox_before(now.plus_seconds(-15), 10).await.unwrap()), all[..2]);

    // AND an event removed is gone
    store.remove_from_outbox(&events[0]).await.unwrap();
    assert_eq!(ids(store.outbox_before(now.plus_seconds(1), 10).await.unwrap()), all[1..]);
}

async fn attempts_are_counted_per_endpoint_and_event(backend: Backend) {
    let store = store(backend).await;
    let (a, b) = (WebhookId::generate(), WebhookId::generate());
    let expires = made_at().unix() + 3600;
    assert_eq!(store.count_attempt(&a, "evt_1", expires).await.unwrap(), 1);
    assert_eq!(store.count_attempt(&a, "evt_1", expires).await.unwrap(), 2);
    assert_eq!(store.count_attempt(&a, "evt_2", expires).await.unwrap(), 1);
    assert_eq!(store.count_attempt(&b, "evt_1", expires).await.unwrap(), 1);
}

async fn the_delivery_log_pages_newest_first(backend: Backend) {
    // GIVEN five attempts at one endpoint and one at another
    let store = store(backend).await;
    let hook = WebhookId::generate();
    let now = made_at();
    let a = assignment(&FlowId::generate(), "eve@example.com", None);
    let event = assigned(&a);
    let mut ids = Vec::new();
    for i in 0..5 {
        let d = Delivery {
            id: DeliveryId::new(now.unix_millis() + i),
            org_id: ORG,
            webhook_id: hook.clone(),
            event: event.clone(),
            attempt: u32::try_from(i + 1).unwrap(),
            status: DeliveryStatus::Failed,
            response_code: Some(503),
            duration_ms: 3,
            error: None,
            at: now,
        };
        store.record_delivery(&d).await.unwrap();
        ids.push(d.id);
    }
    ids.reverse();
    let mut other = store.list_deliveries(ORG, &hook, 1, None).await.unwrap().remove(0);
    other.webhook_id = WebhookId::generate();
    other.id = DeliveryId::new(now.unix_millis() + 100);
    store.record_delivery(&other).await.unwrap();

    // THEN pages come newest first, each after the last of the one before
    let page = |after: Option<DeliveryId>| {
        let store = store.clone();
        let hook = hook.clone();
        async move {
            store
                .list_deliveries(ORG, &hook, 2, after.as_ref())
                .await
                .unwrap()
                .into_iter()
                .map(|d| d.id)
                .collect::<Vec<_>>()
        }
    };
    let first = page(None).await;
    assert_eq!(first, ids[..2]);
    let second = page(first.last().cloned()).await;
    assert_eq!(second, ids[2..4]);
    let third = page(second.last().cloned()).await;
    assert_eq!(third, ids[4..]);
    assert_eq!(store.get_delivery(ORG, &hook, &ids[0]).await.unwrap().unwrap().attempt, 5);
    assert!(store.get_delivery(OrgId(2), &hook, &ids[0]).await.unwrap().is_none());
    assert!(store.list_deliveries(OrgId(2), &hook, 10, None).await.unwrap().is_empty());
}

/// Every method of every store trait is named in this file (so it has a contract test on both backends).
async fn a_flows_slug_moves_only_to_a_free_one(backend: Backend) {
    // GIVEN two flows
    let store = with_org(backend).await;
    let (a, b) = (flow(ORG, "alpha"), flow(ORG, "beta"));
    store.create_flow(&a, &Membership::of_creator(&a), None).await.unwrap();
    store.create_flow(&b, &Membership::of_creator(&b), None).await.unwrap();

    // WHEN the first takes the second's slug, then a free one
    let taken = store.update_flow(&Flow { slug: b.slug.clone(), revision: 1, ..a.clone() }, 0, &a.slug, &[]).await;
    let moved = Flow { slug: Slug::parse("alpha_2").unwrap(), revision: 1, ..a.clone() };
    store.update_flow(&moved, 0, &a.slug, &[]).await.unwrap();

    // THEN the taken slug is a conflict that changed nothing, and the free one moved: the old slug names nothing
    assert!(matches!(taken, Err(StoreError::Conflict(Conflict::FlowSlug))), "{taken:?}");
    assert_eq!(store.find_flow_by_slug(ORG, &b.slug).await.unwrap().unwrap().id, b.id);
    assert_eq!(store.find_flow_by_slug(ORG, &moved.slug).await.unwrap(), Some(moved.clone()));
    assert_eq!(store.find_flow_by_slug(ORG, &a.slug).await.unwrap(), None);
    // AND the old slug is free for another flow
    let alpha = flow(ORG, "alpha");
    store.create_flow(&alpha, &Membership::of_creator(&alpha), None).await.unwrap();
}

async fn users_without_an_email_are_found_by_external_id(backend: Backend) {
    // GIVEN a user known only by an external id, and one with both
    let store = with_org(backend).await;
    let guest = User { email: None, external_id: Some("guest_1f0e".into()), ..user(2, ORG, "x@example.com") };
    let known = User { external_id: Some("crm-7".into()), ..user(3, ORG, "known@example.com") };
    store.create_user(&guest, None).await.unwrap();
    store.create_user(&known, None).await.unwrap();

    // WHEN each is looked up by external id (and one that nobody has)
    // THEN each is found whole, the other organization's lookup finds nothing
    assert_eq!(store.find_user_by_external_id(ORG, "guest_1f0e").await.unwrap(), Some(guest.clone()));
    assert_eq!(store.find_user_by_external_id(ORG, "crm-7").await.unwrap(), Some(known));
    assert_eq!(store.find_user_by_external_id(ORG, "nobody").await.unwrap(), None);
    assert_eq!(store.find_user_by_external_id(OrgId(2), "crm-7").await.unwrap(), None);
    assert_eq!(store.get_user(ORG, guest.id).await.unwrap().unwrap().email, None);
    // AND a second user without an email is no email conflict
    let other = User { id: UserId(4), external_id: Some("guest_2".into()), ..guest };
    store.create_user(&other, None).await.unwrap();
}

fn state(f: &Flow, user: UserId, revision: u64) -> FlowState {
    FlowState { started: revision > 0, revision, ..FlowState::new(f, user) }
}

async fn a_users_progress_reads_their_states_memberships_and_assignments(backend: Backend) {
    // GIVEN a user with a state in one flow, a membership of it and an assignment of another
    let store = with_org(backend).await;
    let (f, g) = (flow(ORG, "one"), flow(ORG, "two"));
    store.create_flow(&f, &Membership::of_creator(&f), None).await.unwrap();
    store.create_flow(&g, &Membership::of_creator(&g), None).await.unwrap();
    let me = UserId(2);
    let joined = Membership { user_id: me, ..Membership::of_creator(&f) };
    store.update_flow(&Flow { revision: 1, ..f.clone() }, 0, &f.slug, std::slice::from_ref(&joined)).await.unwrap();
    let a = Assignment { user_id: me, ..assignment(&g.id, "me@example.com", None) };
    store.create_assignment(&a, &assigned(&a), None).await.unwrap();
    let s = state(&f, me, 1);
    store
        .write_progress(&ProgressWrite { external_id: None, state: &s, expected: 0, assignment: None, events: &[] })
        .await
        .unwrap();

    // WHEN their progress is read, and another user's
    let mine = store.user_progress(ORG, me).await.unwrap();
    let theirs = store.user_progress(ORG, UserId(3)).await.unwrap();

    // THEN each part is the user's own
    assert_eq!(mine.states, vec![s]);
    assert_eq!(mine.memberships, vec![joined]);
    assert_eq!(mine.assignments, vec![a]);
    assert!(theirs.states.is_empty() && theirs.memberships.is_empty() && theirs.assignments.is_empty());
}

async fn a_state_is_written_over_the_revision_it_read_with_its_assignment_and_events(backend: Backend) {
    // GIVEN a user's open assignment of a flow, and their first state in it
    let store = with_org(backend).await;
    let f = flow(ORG, "one");
    store.create_flow(&f, &Membership::of_creator(&f), None).await.unwrap();
    let me = UserId(2);
    let open = Assignment { user_id: me, ..assignment(&f.id, "me@example.com", Some(made_at().plus_seconds(3600))) };
    store.create_assignment(&open, &assigned(&open), None).await.unwrap();
    let first = state(&f, me, 1);
    store
        .write_progress(&ProgressWrite { external_id: None, state: &first, expected: 0, assignment: None, events: &[] })
        .await
        .unwrap();

    // WHEN a second write comes over revision 0 (stale), then one over revision 1 that completes the assignment
    let stale = store
        .write_progress(&ProgressWrite {
            external_id: None,
            state: &state(&f, me, 1),
            expected: 0,
            assignment: None,
            events: &[],
        })
        .await;
    let now = made_at();
    let done = open.progressed(true, true, now).unwrap().assignment;
    let event = Event::about_assignment(&done, EventType::FlowCompleted, now);
    let second = FlowState { completed: true, ..state(&f, me, 2) };
    let write = ProgressWrite {
        external_id: None,
        state: &second,
        expected: 1,
        assignment: Some((&done, open.status)),
        events: std::slice::from_ref(&event),
    };
    store.write_progress(&write).await.unwrap();
    // AND the same assignment change again, over the status it no longer has
    let again = ProgressWrite {
        external_id: None,
        state: &FlowState { revision: 3, ..second.clone() },
        expected: 2,
        assignment: Some((&done, open.status)),
        events: &[],
    };
    let moved_on = store.write_progress(&again).await;

    // THEN the stale writes are revision conflicts that changed nothing
    assert!(matches!(stale, Err(StoreError::Conflict(Conflict::Revision))), "{stale:?}");
    assert!(matches!(moved_on, Err(StoreError::Conflict(Conflict::Revision))), "{moved_on:?}");
    assert_eq!(store.user_progress(ORG, me).await.unwrap().states, vec![second]);
    // AND the assignment is completed, out of the due index, its lock released, its event in the outbox
    assert_eq!(store.get_assignment(ORG, &open.id).await.unwrap(), Some(done.clone()));
    let later = made_at().plus_seconds(7200);
    assert!(store.due_assignments(later, 10).await.unwrap().assignments.is_empty());
    assert!(store.assign_context(ORG, &f.id, "me@example.com").await.unwrap().open.is_none());
    let outbox = store.outbox_before(made_at().plus_seconds(1), 10).await.unwrap();
    assert!(outbox.iter().any(|e| e.id == event.id), "{outbox:?}");
}

async fn a_forgotten_state_is_gone_once(backend: Backend) {
    // GIVEN a user's state in a flow
    let store = with_org(backend).await;
    let f = flow(ORG, "one");
    let s = state(&f, UserId(2), 1);
    store
        .write_progress(&ProgressWrite { external_id: None, state: &s, expected: 0, assignment: None, events: &[] })
        .await
        .unwrap();

    // WHEN it is forgotten twice
    let first = store.delete_progress(ORG, UserId(2), &f.id).await.unwrap();
    let second = store.delete_progress(ORG, UserId(2), &f.id).await.unwrap();

    // THEN the first forgot it and the second found nothing; a new state starts from revision 0
    assert!(first && !second);
    assert!(store.user_progress(ORG, UserId(2)).await.unwrap().states.is_empty());
    store
        .write_progress(&ProgressWrite { external_id: None, state: &s, expected: 0, assignment: None, events: &[] })
        .await
        .unwrap();
}

/// Five assignments a second apart (the first the oldest): of two flows, to two people.
async fn five_assignments(store: &dyn Store) -> (FlowId, FlowId, Vec<Assignment>) {
    let (f, g) = (FlowId::generate(), FlowId::generate());
    let start = Timestamp::parse_iso8601("2030-01-01T00:00:00Z").unwrap();
    let mut made = Vec::new();
    for i in 0..5i64 {
        let flow = if i % 2 == 0 { &f } else { &g };
        let who = if i < 3 { 2 } else { 3 };
        let a = Assignment {
            user_id: UserId(who),
            assigned_at: start.plus_seconds(i),
            ..assignment(flow, &format!("p{i}@example.com"), None)
        };
        store.create_assignment(&a, &assigned(&a), None).await.unwrap();
        made.push(a);
    }
    (f, g, made)
}

async fn assignments_are_listed_newest_first_in_pages_by_flow_person_or_organization(backend: Backend) {
    // GIVEN five assignments, and one of another organization
    let store = with_org(backend).await;
    let (f, _, made) = five_assignments(&store).await;
    let elsewhere = Assignment { org_id: OrgId(2), ..assignment(&f, "x@example.com", None) };
    store.create_assignment(&elsewhere, &assigned(&elsewhere), None).await.unwrap();
    let ids = |page: &flows_shared::store::AssignmentPage| page.items.iter().map(|a| a.id.clone()).collect::<Vec<_>>();

    // WHEN the organization's are read two at a time
    let q = AssignmentQuery { limit: 2, ..Default::default() };
    let first = store.list_assignments(ORG, &q).await.unwrap();
    let second =
        store.list_assignments(ORG, &AssignmentQuery { after: first.next.clone(), ..q.clone() }).await.unwrap();
    let third =
        store.list_assignments(ORG, &AssignmentQuery { after: second.next.clone(), ..q.clone() }).await.unwrap();

    // THEN they come newest first, each once, and the last page says so
    assert_eq!(ids(&first), vec![made[4].id.clone(), made[3].id.clone()]);
    assert_eq!(ids(&second), vec![made[2].id.clone(), made[1].id.clone()]);
    assert_eq!((ids(&third), third.next), (vec![made[0].id.clone()], None));
    // AND a flow's, a person's, both, and a status select through their index
    let by_flow = store
        .list_assignments(ORG, &AssignmentQuery { flow: Some(f.clone()), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(ids(&by_flow), vec![made[4].id.clone(), made[2].id.clone(), made[0].id.clone()]);
    let by_person = store
        .list_assignments(ORG, &AssignmentQuery { user: Some(UserId(3)), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(ids(&by_person), vec![made[4].id.clone(), made[3].id.clone()]);
    let both = AssignmentQuery { flow: Some(f.clone()), user: Some(UserId(2)), limit: 1, ..Default::default() };
    let both_first = store.list_assignments(ORG, &both).await.unwrap();
    assert_eq!(ids(&both_first), vec![made[2].id.clone()]);
    let both_next = store.list_assignments(ORG, &AssignmentQuery { after: both_first.next, ..both }).await.unwrap();
    assert_eq!((ids(&both_next), both_next.next), (vec![made[0].id.clone()], None));
    let completed = AssignmentQuery { status: Some(AssignmentStatus::Completed), limit: 10, ..Default::default() };
    assert!(store.list_assignments(ORG, &completed).await.unwrap().items.is_empty());
}

async fn a_flows_assignments_are_read_within_their_dates(backend: Backend) {
    // GIVEN five assignments a second apart
    let store = with_org(backend).await;
    let (f, _, made) = five_assignments(&store).await;

    // WHEN the flow's are read whole, from the third's time, and up to the third's time
    let all = store.flow_assignments(ORG, &f, None, None).await.unwrap();
    let from = store.flow_assignments(ORG, &f, Some(made[2].assigned_at), None).await.unwrap();
    let to = store.flow_assignments(ORG, &f, None, Some(made[2].assigned_at)).await.unwrap();

    // THEN each holds the flow's within the dates, both ends included, oldest first
    let ids = |v: &[Assignment]| v.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&all), vec![made[0].id.clone(), made[2].id.clone(), made[4].id.clone()]);
    assert_eq!(ids(&from), vec![made[2].id.clone(), made[4].id.clone()]);
    assert_eq!(ids(&to), vec![made[0].id.clone(), made[2].id.clone()]);
    assert!(store.flow_assignments(OrgId(2), &f, None, None).await.unwrap().is_empty());
}

async fn an_assignment_changes_only_over_the_status_it_was_read_with(backend: Backend) {
    // GIVEN an open, due assignment
    let store = with_org(backend).await;
    let flow = FlowId::generate();
    let open = assignment(&flow, "me@example.com", Some(made_at().plus_seconds(60)));
    store.create_assignment(&open, &assigned(&open), None).await.unwrap();

    // WHEN it is cancelled over its status, then cancelled again over the status it no longer has
    let cancelled = open.cancelled(made_at()).unwrap();
    store.update_assignment(&cancelled, AssignmentStatus::Assigned, &[]).await.unwrap();
    let stale = store.update_assignment(&cancelled, AssignmentStatus::Assigned, &[]).await;

    // THEN the first holds: out of the due index, its flow and person free again; the second is a conflict
    assert!(matches!(stale, Err(StoreError::Conflict(Conflict::Revision))), "{stale:?}");
    assert_eq!(store.get_assignment(ORG, &open.id).await.unwrap(), Some(cancelled));
    assert!(store.due_assignments(made_at().plus_seconds(120), 10).await.unwrap().assignments.is_empty());
    assert!(store.assign_context(ORG, &flow, "me@example.com").await.unwrap().open.is_none());
    let again = assignment(&flow, "me@example.com", None);
    store.create_assignment(&again, &assigned(&again), None).await.unwrap();
}

async fn states_of_many_users_in_one_flow_are_read_at_once(backend: Backend) {
    // GIVEN two users with a state in a flow, one with a state in another
    let store = with_org(backend).await;
    let (f, g) = (flow(ORG, "one"), flow(ORG, "two"));
    for (fl, user) in [(&f, 2), (&f, 3), (&g, 4)] {
        let s = state(fl, UserId(user), 1);
        store
            .write_progress(&ProgressWrite { external_id: None, state: &s, expected: 0, assignment: None, events: &[] })
            .await
            .unwrap();
    }

    // WHEN the flow's states of three users are read
    let mut found = store.flow_states(ORG, &f.id, &[UserId(2), UserId(3), UserId(4)]).await.unwrap();
    found.sort_by_key(|s| s.user_id);

    // THEN the two who have one come back
    assert_eq!(found.iter().map(|s| s.user_id).collect::<Vec<_>>(), vec![UserId(2), UserId(3)]);
    assert!(store.flow_states(ORG, &f.id, &[]).await.unwrap().is_empty());
}

async fn an_organizations_settings_are_set_one_at_a_time(backend: Backend) {
    // GIVEN an organization
    let store = with_org(backend).await;

    // WHEN its origins are set, then set again, then its user-token secret and policy, and a missing organization's
    let origins = vec!["https://a.example".to_owned(), "https://b.example".to_owned()];
    let first = store.change_setting(ORG, &Setting::AllowedOrigins(origins.clone())).await.unwrap().unwrap();
    let second = store.change_setting(ORG, &Setting::AllowedOrigins(origins[1..].to_vec())).await.unwrap().unwrap();
    let at = Timestamp::parse_iso8601("2026-12-01").unwrap();
    let secret = UserTokenSecret { secret: "uts_2".into(), created_at: at, previous: Some("uts_1".into()) };
    store.change_setting(ORG, &Setting::UserTokenSecret(secret.clone())).await.unwrap().unwrap();
    let policy = Setting::UserTokens(UserTokenPolicy::AssignedProgress);
    let last = store.change_setting(ORG, &policy).await.unwrap().unwrap();
    let missing = store.change_setting(OrgId(9), &Setting::AllowedOrigins(origins.clone())).await.unwrap();

    // THEN each write replaces its setting alone, the organization reads it back, and nothing else changed
    assert_eq!(first.allowed_origins, origins);
    assert_eq!(second.allowed_origins, origins[1..].to_vec());
    let expected = Organization {
        allowed_origins: origins[1..].to_vec(),
        user_token_secret: Some(secret),
        user_tokens: UserTokenPolicy::AssignedProgress,
        ..organization(1, "acme")
    };
    assert_eq!(last, expected);
    assert_eq!(store.get_organization(ORG).await.unwrap().unwrap(), expected);
    assert!(missing.is_none());
    assert!(store.get_organization(OrgId(9)).await.unwrap().is_none());
}

async fn a_profile_is_written_over_the_revision_it_read(backend: Backend) {
    // GIVEN no profile for a user
    let store = with_org(backend).await;
    assert_eq!(store.get_profile(ORG, UserId(2)).await.unwrap(), None);

    // WHEN a first one is written, then one over revision 1, then a stale one over revision 1 again
    let mut p = Profile { revision: 1, ..Profile::new(ORG, UserId(2)) };
    p.properties.insert("plan".into(), serde_json::json!("pro"));
    store.write_profile(&p, 0).await.unwrap();
    let second = Profile { revision: 2, ..p.clone() };
    store.write_profile(&second, 1).await.unwrap();
    let stale = store.write_profile(&Profile { revision: 2, ..p.clone() }, 1).await;
    let first_again = store.write_profile(&p, 0).await;

    // THEN the second stands, the stale ones are conflicts; another user and organization have none
    assert!(matches!(stale, Err(StoreError::Conflict(Conflict::Revision))), "{stale:?}");
    assert!(matches!(first_again, Err(StoreError::Conflict(Conflict::Revision))), "{first_again:?}");
    assert_eq!(store.get_profile(ORG, UserId(2)).await.unwrap(), Some(second));
    assert_eq!(store.get_profile(ORG, UserId(3)).await.unwrap(), None);
    assert_eq!(store.get_profile(OrgId(2), UserId(2)).await.unwrap(), None);
}

async fn a_user_changes_over_what_was_read_and_moves_their_email(backend: Backend) {
    // GIVEN a person Frigade brought in (no email) and one with an email
    let store = with_org(backend).await;
    let guest = User { email: None, external_id: Some("crm-1".into()), ..user(2, ORG, "x@example.com") };
    let known = user(3, ORG, "known@example.com");
    store.create_user(&guest, None).await.unwrap();
    store.create_user(&known, None).await.unwrap();

    // WHEN the guest is given the other's email, then a free one, then a stale change comes over the first read
    let taken = User { email: Some(Email::parse("KNOWN@example.com").unwrap()), revision: 1, ..guest.clone() };
    let clash = store.write_user(&change(&taken, &guest)).await;
    let given = User { email: Some(Email::parse("ann@example.com").unwrap()), revision: 1, ..guest.clone() };
    store.write_user(&change(&given, &guest)).await.unwrap();
    let stale = store.write_user(&change(&User { nick: "x".into(), revision: 1, ..guest.clone() }, &guest)).await;
    // AND the email is changed again
    let moved = User { email: Some(Email::parse("ann2@example.com").unwrap()), revision: 2, ..given.clone() };
    store.write_user(&change(&moved, &given)).await.unwrap();

    // THEN the taken email is a conflict, the stale change a revision conflict, and the lookups follow the email
    assert!(matches!(clash, Err(StoreError::Conflict(Conflict::UserEmail))), "{clash:?}");
    assert!(matches!(stale, Err(StoreError::Conflict(Conflict::Revision))), "{stale:?}");
    assert_eq!(store.get_user(ORG, guest.id).await.unwrap(), Some(moved.clone()));
    assert_eq!(store.find_user_by_email(ORG, "ann2@example.com").await.unwrap(), Some(moved.clone()));
    assert_eq!(store.find_user_by_email(ORG, "ann@example.com").await.unwrap(), None);
    assert_eq!(store.find_user_by_external_id(ORG, "crm-1").await.unwrap(), Some(moved));
    assert_eq!(store.find_user_by_email(ORG, "known@example.com").await.unwrap().unwrap().id, known.id);
}

/// A change of a person that touches none of their keys and absorbs nobody.
fn change<'a>(user: &'a User, read: &'a User) -> UserWrite<'a> {
    UserWrite { user, read, keys: &[], absorbs: None }
}

fn admin(id: u64, org: OrgId, email: &str) -> User {
    User { role: Role::Admin, ..user(id, org, email) }
}

/// An organization whose owner (user 1) is its one admin.
async fn with_admin_owner(backend: Backend) -> flows_shared::store::any::AnyStore {
    let store = serial_store(backend).await;
    let owner = admin(1, ORG, "owner@acme.example.com");
    store.create_organization(&organization(1, "acme"), &owner, &[], None).await.unwrap();
    store
}

async fn a_role_change_rewrites_the_persons_keys_and_the_last_admin_stays(backend: Backend) {
    // GIVEN an organization whose one admin is its owner, a member with two keys
    let store = with_admin_owner(backend).await;
    let member = user(2, ORG, "two@example.com");
    store.create_user(&member, None).await.unwrap();
    let now = made_at();
    let keys: Vec<ApiKey> = (0..2)
        .map(|i| ApiKey { user_id: member.id, role: Role::Member, ..key(ORG, &format!("hash-m{i}"), now) })
        .collect();
    for k in &keys {
        store.create_key(k, None).await.unwrap();
    }
    let owner = store.get_user(ORG, UserId(1)).await.unwrap().unwrap();

    // WHEN the owner would be demoted, the member is made an admin (their keys with them), then the owner demoted
    let demoted_owner = User { role: Role::Member, revision: owner.revision + 1, ..owner.clone() };
    let alone = store.write_user(&change(&demoted_owner, &owner)).await;
    let promoted = User { role: Role::Admin, revision: 1, ..member.clone() };
    let rewritten: Vec<ApiKey> = keys.iter().map(|k| ApiKey { role: Role::Admin, ..k.clone() }).collect();
    store.write_user(&UserWrite { user: &promoted, read: &member, keys: &rewritten, absorbs: None }).await.unwrap();
    store.write_user(&change(&demoted_owner, &owner)).await.unwrap();
    // AND the new admin, now the last, would be deactivated
    let gone = User { disabled: true, deactivated_at: Some(now), revision: 2, ..promoted.clone() };
    let last = store.write_user(&change(&gone, &promoted)).await;

    // THEN the last admin stays, every time, and the promoted person's keys act as an admin at once
    assert!(matches!(alone, Err(StoreError::Conflict(Conflict::LastAdmin))), "{alone:?}");
    assert!(matches!(last, Err(StoreError::Conflict(Conflict::LastAdmin))), "{last:?}");
    assert_eq!(store.get_user(ORG, member.id).await.unwrap(), Some(promoted));
    for k in &keys {
        assert_eq!(store.find_key_by_hash(&k.hash).await.unwrap().unwrap().role, Role::Admin);
    }
    assert_eq!(store.user_keys(ORG, member.id).await.unwrap().len(), 2);
}

async fn a_person_who_takes_a_guests_external_id_absorbs_them(backend: Backend) {
    // GIVEN a guest Frigade brought in under "crm-7", and a person with an email
    let store = with_org(backend).await;
    let guest = User { email: None, external_id: Some("crm-7".into()), ..user(2, ORG, "x@example.com") };
    let person = user(3, ORG, "ann@example.com");
    store.create_user(&guest, None).await.unwrap();
    store.create_user(&person, None).await.unwrap();
    let before = store.get_organization(ORG).await.unwrap().unwrap().user_count;

    // WHEN the person takes the id without absorbing the guest, then absorbing them
    let linked = User { external_id: Some("crm-7".into()), revision: 1, ..person.clone() };
    let taken = store.write_user(&change(&linked, &person)).await;
    store.write_user(&UserWrite { user: &linked, read: &person, keys: &[], absorbs: Some(&guest) }).await.unwrap();

    // THEN the id was taken until the guest went with the write: the id names the person, the guest is gone
    assert!(matches!(taken, Err(StoreError::Conflict(Conflict::UserExternalId))), "{taken:?}");
    assert_eq!(store.find_user_by_external_id(ORG, "crm-7").await.unwrap(), Some(linked.clone()));
    assert_eq!(store.get_user(ORG, guest.id).await.unwrap(), None);
    assert_eq!(store.get_organization(ORG).await.unwrap().unwrap().user_count, before - 1);
}

async fn people_are_paged_by_id(backend: Backend) {
    let store = with_org(backend).await;
    for id in [2, 5, 9] {
        store.create_user(&user(id, ORG, &format!("u{id}@example.com")), None).await.unwrap();
    }
    let first = store.users_page(ORG, None, 2).await.unwrap();
    let second = store.users_page(ORG, Some(first.items[1].id), 2).await.unwrap();
    let ids = |page: &flows_shared::store::Listed<User>| page.items.iter().map(|u| u.id.0).collect::<Vec<_>>();
    assert_eq!((ids(&first), first.more), (vec![1, 2], true));
    assert_eq!((ids(&second), second.more), (vec![5, 9], false));
    assert!(store.users_page(ORG, Some(UserId(9)), 2).await.unwrap().items.is_empty());
}

async fn a_persons_progress_is_found_by_their_external_id_once_keyed(backend: Backend) {
    // GIVEN a person without an external id, with a membership, an assignment and a state
    let store = with_org(backend).await;
    let read = user(2, ORG, "pat@acme.example.com");
    store.create_user(&read, None).await.unwrap();
    let (f, g) = (flow(ORG, "one"), flow(ORG, "two"));
    store.create_flow(&f, &Membership::of_creator(&f), None).await.unwrap();
    store.create_flow(&g, &Membership::of_creator(&g), None).await.unwrap();
    let joined = Membership { user_id: read.id, ..Membership::of_creator(&f) };
    store.update_flow(&Flow { revision: 1, ..f.clone() }, 0, &f.slug, std::slice::from_ref(&joined)).await.unwrap();
    let a = assignment(&g.id, "pat@acme.example.com", None);
    store.create_assignment(&a, &assigned(&a), None).await.unwrap();
    let s = state(&f, read.id, 1);
    store
        .write_progress(&ProgressWrite { external_id: None, state: &s, expected: 0, assignment: None, events: &[] })
        .await
        .unwrap();
    assert_eq!(store.person_progress(ORG, "crm-2").await.unwrap(), Default::default());

    // WHEN they are given an external id
    let person = User { external_id: Some("crm-2".into()), person_indexed: false, revision: 1, ..read.clone() };
    store.write_user(&UserWrite { user: &person, read: &read, keys: &[], absorbs: None }).await.unwrap();

    // THEN writes that key their items without it are refused (they would miss the person index)
    let unkeyed =
        store.update_flow(&Flow { revision: 2, ..f.clone() }, 1, &f.slug, std::slice::from_ref(&joined)).await;
    assert!(matches!(unkeyed, Err(StoreError::Conflict(Conflict::Revision))), "{unkeyed:?}");
    let other = assignment(&f.id, "pat@acme.example.com", None);
    let unkeyed = store.create_assignment(&other, &assigned(&other), None).await;
    assert!(matches!(unkeyed, Err(StoreError::Conflict(Conflict::Revision))), "{unkeyed:?}");
    // AND once keyed, twice, the person index holds each of their items once, and the person says so
    store.index_person(&person).await.unwrap();
    store.index_person(&person).await.unwrap();
    let found = store.person_progress(ORG, "crm-2").await.unwrap();
    assert_eq!(found.states, vec![s]);
    assert_eq!(found.memberships, vec![Membership { external_id: Some("crm-2".into()), ..joined.clone() }]);
    assert_eq!(found.assignments, vec![Assignment { user_external_id: Some("crm-2".into()), ..a }]);
    let marked = store.find_user_by_external_id(ORG, "crm-2").await.unwrap().unwrap();
    assert!(marked.person_indexed, "{marked:?}");
    assert!(store.get_user(ORG, read.id).await.unwrap().unwrap().person_indexed);
    // AND a keyed write is taken
    let keyed = Membership { external_id: Some("crm-2".into()), ..joined };
    store.update_flow(&Flow { revision: 2, ..f.clone() }, 1, &f.slug, std::slice::from_ref(&keyed)).await.unwrap();
}

async fn a_guests_progress_is_copied_then_forgotten(backend: Backend) {
    // GIVEN a guest's states in two flows and their profile, and a person with a state in one of them
    let store = with_org(backend).await;
    let (a, b) = (flow(ORG, "a"), flow(ORG, "b"));
    let (guest, person) = (UserId(2), UserId(3));
    for state in [state(&a, guest, 1), FlowState { completed: true, ..state(&b, guest, 1) }, state(&a, person, 1)] {
        store
            .write_progress(&ProgressWrite {
                external_id: None,
                state: &state,
                expected: 0,
                assignment: None,
                events: &[],
            })
            .await
            .unwrap();
    }
    let mut profile = Profile { revision: 1, ..Profile::new(ORG, guest) };
    profile.properties.insert("plan".into(), serde_json::json!("pro"));
    store.write_profile(&profile, 0).await.unwrap();

    // WHEN the guest's progress is copied to the person, twice, and the guest's forgotten
    store.copy_progress(ORG, guest, person, None).await.unwrap();
    store.copy_progress(ORG, guest, person, None).await.unwrap();
    store.forget_progress(ORG, guest).await.unwrap();

    // THEN the person has the guest's state where they had none, keeps their own, and has the profile
    let mine = store.user_progress(ORG, person).await.unwrap().states;
    assert_eq!(mine.len(), 2);
    let in_b = mine.iter().find(|s| s.flow_id == b.id).unwrap();
    assert!(in_b.completed && in_b.user_id == person);
    assert!(!mine.iter().find(|s| s.flow_id == a.id).unwrap().completed);
    assert_eq!(store.get_profile(ORG, person).await.unwrap().unwrap().properties["plan"], "pro");
    // AND the guest has nothing left
    assert!(store.user_progress(ORG, guest).await.unwrap().states.is_empty());
    assert_eq!(store.get_profile(ORG, guest).await.unwrap(), None);
}

async fn an_email_flows_participants_are_paged_by_person(backend: Backend) {
    use flows_shared::model::workflow::participants::Participant;
    use flows_shared::model::workflow::EmailFlowRecord;
    let store = with_org(backend).await;
    let now = made_at();
    store.create_email_flow(&EmailFlowRecord::new(ORG, 1, now)).await.unwrap();
    for person in [4, 2, 7] {
        let p = Participant::enrolled(ORG, 1, person, UserId(person), None, now);
        store.write_participant(&p, 0, &[]).await.unwrap();
    }
    let first = store.participants_page(ORG, 1, None, 2).await.unwrap();
    let second = store.participants_page(ORG, 1, Some(first.items[1].person_id), 2).await.unwrap();
    let people =
        |page: &flows_shared::store::Listed<Participant>| page.items.iter().map(|p| p.person_id.0).collect::<Vec<_>>();
    assert_eq!((people(&first), first.more), (vec![2, 4], true));
    assert_eq!((people(&second), second.more), (vec![7], false));
    assert!(store.participants_page(OrgId(2), 1, None, 2).await.unwrap().items.is_empty());
}

async fn email_flows_are_numbered_per_organization_and_written_over_their_revision(backend: Backend) {
    use flows_shared::model::workflow::{EmailFlow, EmailFlowRecord, StepType, WorkflowStep};
    use flows_shared::store::Counter;
    // GIVEN no email flows, and each organization's counter
    let store = with_org(backend).await;
    let first = store.next_id(Counter::EmailFlow(ORG)).await.unwrap();
    let other_first = store.next_id(Counter::EmailFlow(OrgId(2))).await.unwrap();
    let now = made_at();
    let mut record = EmailFlowRecord::new(ORG, first, now);
    let mut flow = EmailFlow { name: "Welcome".into(), ..EmailFlow::default() };
    flow.steps.push(WorkflowStep::default_of(StepType::WaitForTime));
    record.take(flow).unwrap();

    // WHEN a flow is created, created again, changed over revision 1, then over revision 1 again (stale)
    store.create_email_flow(&record).await.unwrap();
    let twice = store.create_email_flow(&record).await;
    let changed = EmailFlowRecord {
        revision: 2,
        flow: EmailFlow { name: "Renamed".into(), ..record.flow.clone() },
        ..record.clone()
    };
    store.update_email_flow(&changed, 1).await.unwrap();
    let stale = store.update_email_flow(&record, 1).await;

    // THEN each organization counts from 1; the second create and the stale change are conflicts; the change stands
    assert_eq!((first, other_first), (1, 1));
    assert!(matches!(twice, Err(StoreError::Conflict(Conflict::Revision))), "{twice:?}");
    assert!(matches!(stale, Err(StoreError::Conflict(Conflict::Revision))), "{stale:?}");
    let mut read = store.get_email_flow(ORG, first).await.unwrap().expect("the flow");
    read.flow.settle().unwrap();
    assert_eq!(read, changed);
    assert_eq!(store.get_email_flow(OrgId(2), first).await.unwrap(), None);
    // AND a delete removes it once, and only in its organization
    assert!(!store.delete_email_flow(OrgId(2), first).await.unwrap());
    assert!(store.delete_email_flow(ORG, first).await.unwrap());
    assert!(!store.delete_email_flow(ORG, first).await.unwrap());
    assert_eq!(store.get_email_flow(ORG, first).await.unwrap(), None);
    let gone = store.update_email_flow(&changed, 2).await;
    assert!(matches!(gone, Err(StoreError::Conflict(Conflict::Revision))), "{gone:?}");
}

async fn participants_are_written_over_their_revision_and_found_when_due(backend: Backend) {
    use flows_shared::model::workflow::participants::{Participant, ParticipantStatus};
    use flows_shared::model::workflow::EmailFlowRecord;
    // GIVEN two email flows of the organization, one of another, and participants due at different times
    let store = with_org(backend).await;
    let now = made_at();
    for (org, id) in [(ORG, 1), (ORG, 2), (OrgId(2), 1)] {
        store.create_email_flow(&EmailFlowRecord::new(org, id, now)).await.unwrap();
    }
    let participant = |org: OrgId, flow: u64, person: u64, due: Option<Timestamp>| {
        Participant::enrolled(org, flow, person, UserId(person), due, now)
    };
    let early = participant(ORG, 1, 2, Some(now.plus_seconds(-60)));
    let later = participant(ORG, 1, 3, Some(now.plus_seconds(-10)));
    let future = participant(ORG, 2, 2, Some(now.plus_seconds(3600)));
    let waiting = participant(OrgId(2), 1, 2, None);
    let event = Event::new(ORG, EventType::EmailFlowStep, now, serde_json::json!({"step": 1}));

    // WHEN they are written (one with an event), one again as new, then one over a stale revision
    for p in [&later, &early, &future, &waiting] {
        store.write_participant(p, 0, &[]).await.unwrap();
    }
    let twice = store.write_participant(&early, 0, &[]).await;
    let mut ended = early.clone();
    ended.end(ParticipantStatus::Finished, now);
    ended.revision = 2;
    store.write_participant(&ended, 1, std::slice::from_ref(&event)).await.unwrap();
    let stale = store.write_participant(&early, 1, &[]).await;

    // THEN only the active ones due by now come, earliest first; the ended one left the due index
    assert!(matches!(twice, Err(StoreError::Conflict(Conflict::Revision))), "{twice:?}");
    assert!(matches!(stale, Err(StoreError::Conflict(Conflict::Revision))), "{stale:?}");
    assert_eq!(store.due_participants(now, 10).await.unwrap(), vec![later.clone()]);
    assert_eq!(store.due_participants(now.plus_seconds(7200), 10).await.unwrap(), vec![later.clone(), future.clone()]);
    assert_eq!(store.due_participants(now.plus_seconds(7200), 1).await.unwrap(), vec![later.clone()]);
    // AND each is read by flow and person, listed by flow within the organization, the event in the outbox
    assert_eq!(store.get_participant(ORG, 1, UserId(2)).await.unwrap(), Some(ended.clone()));
    assert_eq!(store.get_participant(OrgId(2), 1, UserId(3)).await.unwrap(), None);
    assert_eq!(store.flow_participants(ORG, 1).await.unwrap(), vec![ended, later]);
    assert_eq!(store.flow_participants(OrgId(2), 1).await.unwrap(), vec![waiting]);
    assert!(store.outbox_before(now.plus_seconds(1), 10).await.unwrap().iter().any(|e| e.id == event.id));
    // AND the organization's flows are listed by id, and only its own
    let listed: Vec<u64> = store.list_email_flows(ORG).await.unwrap().iter().map(|f| f.id).collect();
    assert_eq!(listed, [1, 2]);
    assert_eq!(store.list_email_flows(OrgId(2)).await.unwrap().len(), 1);
}

#[test]
fn every_store_method_has_a_contract_test() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let traits = std::fs::read_to_string(root.join("shared/src/store/mod.rs")).unwrap();
    let here = std::fs::read_to_string(root.join("tests/e2e/store_contract.rs")).unwrap();
    let methods: Vec<&str> = traits
        .lines()
        .filter_map(|l| l.trim().strip_prefix("async fn "))
        .filter_map(|rest| rest.split('(').next())
        .collect();
    assert!(methods.len() > 25, "{methods:?}");
    let untested: Vec<&&str> = methods.iter().filter(|m| !here.contains(&format!(".{m}("))).collect();
    assert!(untested.is_empty(), "store methods without a contract test: {untested:?}");
}
