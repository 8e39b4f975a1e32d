//! Every partition and sort key of the table, and the shards, in one place: no key is spelled anywhere else.
//! The table in [`super`]'s docs lists them with what reads each.

use crate::model::{AssignmentId, DeliveryId, Event, FlowId, KeyId, OrgId, Slug, Timestamp, UserId, WebhookId};
use crate::store::{Counted, Counter};

/// The sort key of single-item partitions.
pub const META: &str = "META";

/// Shards of the outbox: spread writes, few enough that the sweep queries them all.
pub const OUTBOX_SHARDS: u32 = 4;
/// Shards of the due-date index: enough to spread writes, few enough to query them all each minute.
pub const DUE_SHARDS: u32 = 8;

/// A stable hash of `text` into `shards` buckets.
fn shard_of(text: &str, shards: u32) -> u32 {
    text.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % shards
}

// Counters.

pub const COUNTER_PK: &str = "COUNTER";

/// A counter's partition and sort key: the deployment's in one partition, an organization's in its own.
pub fn counter_key(counter: Counter) -> (String, &'static str) {
    match counter {
        Counter::Organization => (COUNTER_PK.into(), "ORG"),
        Counter::User => (COUNTER_PK.into(), "USER"),
        Counter::EmailFlow(org) => (org_pk(org), "COUNTER#EMAILFLOW"),
        Counter::WorkflowInstance(org) => (org_pk(org), "COUNTER#WFINSTANCE"),
    }
}

// SuperOffice's email flows, in their organization's partition.

pub const EMAIL_FLOW_PREFIX: &str = "EMAILFLOW#";

pub fn email_flow_sk(id: u64) -> String {
    format!("{EMAIL_FLOW_PREFIX}{id:012}")
}

/// A person's enrolment in an email flow; a flow's participants share a prefix.
pub fn participant_sk(flow: u64, person: UserId) -> String {
    format!("{}{:020}", participants_prefix(flow), person.0)
}

pub fn participants_prefix(flow: u64) -> String {
    format!("WFP#{flow:012}#")
}

/// The participants' due index: GSI3 again, in partitions of its own (`WFDUE#<shard>`, apart from the assignments'
/// `DUE#<shard>`), sorted by due time.
pub fn participant_due_pk_of(org: OrgId, flow: u64, person: UserId) -> String {
    participant_due_pk(shard_of(&format!("{org}#{flow}#{person}"), DUE_SHARDS))
}

pub fn participant_due_pk(shard: u32) -> String {
    format!("WFDUE#{shard}")
}

pub fn participant_due_sk(due: Timestamp, org: OrgId, flow: u64, person: UserId) -> String {
    format!("{due}#{org}#{flow:012}#{:020}", person.0)
}

// Organizations and their directory.

pub fn org_pk(org: OrgId) -> String {
    format!("ORG#{org}")
}

pub fn org_slug_pk(slug: &Slug) -> String {
    format!("ORGSLUG#{}", slug.as_str())
}

/// Users sort by id (20 digits) so that a Query lists them in order.
pub fn user_sk(user: UserId) -> String {
    format!("USER#{:020}", user.0)
}

pub const USER_PREFIX: &str = "USER#";

pub fn email_sk(email_key: &str) -> String {
    format!("EMAIL#{email_key}")
}

/// By the external id's SHA-256: an external id is the caller's text (up to 255 characters, up to 4 bytes each),
/// and a sort key may hold 1,024 bytes.
pub fn external_id_sk(external_id: &str) -> String {
    format!("EXTID#{}", external_id_hash(external_id))
}

fn external_id_hash(external_id: &str) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(external_id.as_bytes()))
}

/// GSI5's partition of everything Frigade reads about one person, by the organization and their external id (set
/// once, never changed): their flow states (`STATE#<flow>`), memberships (`FLOW#<flow>`) and assignments
/// (`ASGN#…`), so that a flow-state request reads them in the round trip that finds the person.
pub fn person_index_pk(org: OrgId, external_id: &str) -> String {
    format!("ORG#{org}#EXT#{}", external_id_hash(external_id))
}

// API keys.

/// The keys of one person that are not revoked, as a map of key id to hash: what a change of the person's role or
/// their deactivation rewrites, and what holds them to [`crate::store::MAX_KEYS_PER_PERSON`].
pub fn user_keys_sk(user: UserId) -> String {
    format!("USERKEYS#{:020}", user.0)
}

pub fn key_hash_pk(hash: &str) -> String {
    format!("APIKEY#{hash}")
}

pub fn key_listed_sk(id: &KeyId) -> String {
    format!("APIKEY#{id}")
}

pub const KEY_LISTED_PREFIX: &str = "APIKEY#";

// Flows and their members.

pub fn flow_sk(flow: &FlowId) -> String {
    format!("{FLOW_PREFIX}{flow}")
}

/// Every flow of an organization, in its partition (a slug's item, `FLOWSLUG#`, does not start so).
pub const FLOW_PREFIX: &str = "FLOW#";

pub fn flow_slug_sk(slug: &Slug) -> String {
    format!("FLOWSLUG#{}", slug.as_str())
}

/// A flow's members: the flow's partition, one item per user.
pub fn flow_members_pk(org: OrgId, flow: &FlowId) -> String {
    format!("ORG#{org}#FLOW#{flow}")
}

pub fn member_sk(user: UserId) -> String {
    format!("{MEMBER_PREFIX}{user}")
}

pub const MEMBER_PREFIX: &str = "USER#";

/// GSI1's partition of everything about one user: the flows they are a member of, their assignments.
pub fn user_index_pk(org: OrgId, user: UserId) -> String {
    format!("ORG#{org}#USER#{user}")
}

/// GSI1's sort key of a membership: the flow.
pub fn member_index_sk(flow: &FlowId) -> String {
    format!("{MEMBER_INDEX_PREFIX}{flow}")
}

pub const MEMBER_INDEX_PREFIX: &str = "FLOW#";

// Assignments.

pub fn assignment_sk(id: &AssignmentId) -> String {
    format!("ASGN#{id}")
}

/// GSI1 (by user) and GSI2 (by flow) sort assignments by when they were made, then by id.
pub fn assignment_index_sk(assigned_at: Timestamp, id: &AssignmentId) -> String {
    format!("{ASSIGNMENT_INDEX_PREFIX}{assigned_at}#{id}")
}

/// GSI4's partition of an organization's assignments (the list without a flow or a person).
pub fn org_assignments_pk(org: OrgId) -> String {
    format!("ORG#{org}#ASGN")
}

/// The end of an index range of assignments made at or before `at` (`~` sorts after every id).
pub fn assignment_index_until(at: Timestamp) -> String {
    format!("{ASSIGNMENT_INDEX_PREFIX}{at}#~")
}

/// The start of an index range of assignments made at or after `at`.
pub fn assignment_index_from(at: Timestamp) -> String {
    format!("{ASSIGNMENT_INDEX_PREFIX}{at}")
}

/// The end of every index range of assignments.
pub const ASSIGNMENT_INDEX_END: &str = "ASGN#~";

/// GSI2's partition of a flow's assignments (reports).
pub fn flow_index_pk(org: OrgId, flow: &FlowId) -> String {
    format!("ORG#{org}#FLOW#{flow}")
}

/// The open-assignment lock: one per (flow, person) while an assignment is open.
pub fn open_assignment_sk(flow: &FlowId, email_key: &str) -> String {
    format!("OPEN#{flow}#{email_key}")
}

/// The due index's shard of an assignment (GSI3's partition): spreads writes over [`DUE_SHARDS`] partitions.
pub fn due_pk_of(id: &AssignmentId) -> String {
    due_pk(shard_of(id.as_str(), DUE_SHARDS))
}

pub fn due_pk(shard: u32) -> String {
    format!("DUE#{shard}")
}

/// GSI3's sort key: due time first, so that a range read finds what is due.
pub fn due_sk(due: Timestamp, org: OrgId, id: &AssignmentId) -> String {
    format!("{due}#{org}#{id}")
}

/// The end of the due range at `now`: `#~` sorts after every `#<org>#<id>`, so what is due this very second is
/// included.
pub fn due_until(now: Timestamp) -> String {
    format!("{now}#~")
}

// Flow states.

/// A user's flow states: the user's own partition.
pub fn states_pk(org: OrgId, user: UserId) -> String {
    format!("ORG#{org}#USER#{user}")
}

pub fn state_sk(flow: &FlowId) -> String {
    format!("{STATE_PREFIX}{flow}")
}

pub const STATE_PREFIX: &str = "STATE#";

/// The sort key of a user's profile (Frigade's sessions), in the user's partition.
pub const PROFILE_SK: &str = "PROFILE";

/// GSI1's sort keys of a user's assignments start so (a membership's with [`MEMBER_INDEX_PREFIX`]).
pub const ASSIGNMENT_INDEX_PREFIX: &str = "ASGN#";

// Webhooks, the outbox and deliveries.

pub fn webhook_sk(id: &WebhookId) -> String {
    format!("WEBHOOK#{id}")
}

pub const WEBHOOK_PREFIX: &str = "WEBHOOK#";

/// The count of an organization's webhook endpoints, kept in the transactions that create and delete them.
pub const WEBHOOK_COUNT_SK: &str = "COUNT#WEBHOOKS";

pub fn outbox_pk_of(event_id: &str) -> String {
    outbox_pk(shard_of(event_id, OUTBOX_SHARDS))
}

pub fn outbox_pk(shard: u32) -> String {
    format!("OUTBOX#{shard}")
}

/// Outbox items sort by time, so that the sweep reads the oldest.
pub fn outbox_sk(event: &Event) -> String {
    format!("{}#{}", event.timestamp, event.id)
}

/// The upper bound of outbox sort keys written before `before`.
pub fn outbox_before(before: Timestamp) -> String {
    before.to_rfc3339()
}

pub fn attempt_pk(webhook: &WebhookId, counted: &str) -> String {
    format!("ATTEMPT#{webhook}#{counted}")
}

pub fn deliveries_pk(org: OrgId, webhook: &WebhookId) -> String {
    format!("ORG#{org}#WEBHOOK#{webhook}")
}

pub fn delivery_sk(id: &DeliveryId) -> String {
    format!("DELIVERY#{id}")
}

pub const DELIVERY_PREFIX: &str = "DELIVERY#";

// Rate windows and idempotency records.

/// A rate window's record: whose requests it counts, and the window's number. Hashes are cut to 32 hex digits;
/// an end user's id, the caller's text, is hashed so that the key has a bounded size.
pub fn rate_pk(counted: &Counted<'_>, window: i64) -> String {
    let cut = |hash: &str| hash[..hash.len().min(32)].to_owned();
    match counted {
        Counted::Organization(org) => format!("RATE#{org}#{window}"),
        Counted::PublicKey { key_hash, end_user } => {
            use sha2::{Digest, Sha256};
            let user = hex::encode(&Sha256::digest(end_user.as_bytes())[..16]);
            format!("RATE#PK#{}#{user}#{window}", cut(key_hash))
        }
        Counted::PublicKeyTotal { key_hash } => format!("RATE#PKT#{}#{window}", cut(key_hash)),
        Counted::NewPeople { key_hash } => format!("RATE#PKN#{}#{window}", cut(key_hash)),
        Counted::Admin { token_hash } => format!("RATE#ADMIN#{}#{window}", cut(token_hash)),
    }
}

pub fn idempotency_pk(key: &str) -> String {
    format!("IDEM#{key}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shards_are_stable_and_in_range() {
        let id = AssignmentId::generate();
        assert_eq!(due_pk_of(&id), due_pk_of(&id));
        for i in 0..100 {
            let shard = shard_of(&format!("evt_{i}"), OUTBOX_SHARDS);
            assert!(shard < OUTBOX_SHARDS);
        }
    }

    #[test]
    fn keys_built_from_a_callers_text_stay_within_dynamodbs_limit() {
        let longest = "𝔘".repeat(255);
        assert!(external_id_sk(&longest).len() < 1024);
        assert_eq!(external_id_sk("a"), external_id_sk("a"));
        assert_ne!(external_id_sk("a"), external_id_sk("b"));
    }

    #[test]
    fn users_and_due_items_sort_as_their_readers_expect() {
        assert!(user_sk(UserId(9)) < user_sk(UserId(10)));
        let now = Timestamp::parse_iso8601("2030-01-01T00:00:00Z").unwrap();
        let id = AssignmentId::generate();
        assert!(due_sk(now, OrgId(999), &id) < due_until(now));
        assert!(due_until(now) < due_sk(now.plus_seconds(1), OrgId(1), &id));
    }

    #[test]
    fn rate_windows_separate_organizations_keys_users_and_windows() {
        let a = rate_pk(&Counted::Organization(1), 7);
        assert_ne!(a, rate_pk(&Counted::Organization(2), 7));
        assert_ne!(a, rate_pk(&Counted::Organization(1), 8));
        let u1 = rate_pk(&Counted::PublicKey { key_hash: "abc", end_user: "u1" }, 7);
        let u2 = rate_pk(&Counted::PublicKey { key_hash: "abc", end_user: "u2" }, 7);
        assert_ne!(u1, u2);
        // An end user id cannot make one window look like another's.
        let tricky = rate_pk(&Counted::PublicKey { key_hash: "abc", end_user: "u1#1" }, 7);
        assert_ne!(tricky, u1);
        assert_ne!(
            rate_pk(&Counted::NewPeople { key_hash: "abc" }, 7),
            rate_pk(&Counted::PublicKeyTotal { key_hash: "abc" }, 7)
        );
    }
}
