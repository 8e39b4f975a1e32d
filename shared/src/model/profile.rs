//! What browsers tell about a user through Frigade's sessions (`identify`, `group`, `track`): properties, groups
//! and events, kept as told. They stay properties: they never change the user's email or name, which MomoFlow and
//! Flowdock rely on and which a public key must not rewrite.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{OrgId, Timestamp, UserId};

/// The newest events a profile keeps.
pub const MAX_EVENTS: usize = 100;
/// The most groups a profile keeps (the least recently seen goes first).
pub const MAX_GROUPS: usize = 50;
/// The most property names a profile (or one of its groups) keeps; a session that would pass it is refused.
pub const MAX_PROPERTIES: usize = 100;
/// The most a profile's properties and groups take together, as JSON: a session that would pass it is refused (413).
pub const MAX_KEPT_BYTES: usize = 256 * 1024;
/// The most a whole profile takes as JSON, events included: the oldest events go first to stay under it, so that the
/// profile is always one DynamoDB item (400 KB) with room to spare.
pub const MAX_PROFILE_BYTES: usize = 320 * 1024;

/// Why a session was not recorded (nothing changed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionRefused {
    /// A bound on names or counts, as the person reads it.
    Bound(String),
    /// The properties and groups alone would pass [`MAX_KEPT_BYTES`].
    TooLarge,
}

/// A group the user was seen in, with the group's properties.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GroupSeen {
    pub group_id: String,
    #[serde(default)]
    pub properties: Map<String, Value>,
    pub first_seen_at: Timestamp,
    pub last_seen_at: Timestamp,
}

/// One tracked event.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrackedEvent {
    pub event: String,
    #[serde(default)]
    pub properties: Map<String, Value>,
    /// Set for a group's event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_id: Option<String>,
    pub at: Timestamp,
}

/// A user's profile as sessions built it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub org_id: OrgId,
    pub user_id: UserId,
    #[serde(default)]
    pub properties: Map<String, Value>,
    #[serde(default)]
    pub groups: Vec<GroupSeen>,
    /// Oldest first, the newest [`MAX_EVENTS`].
    #[serde(default)]
    pub events: Vec<TrackedEvent>,
    /// For optimistic locking, as flow states.
    pub revision: u64,
}

/// One session call's news.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Session {
    pub group_id: Option<String>,
    pub user_properties: Map<String, Value>,
    pub group_properties: Map<String, Value>,
    pub user_events: Vec<(String, Map<String, Value>)>,
    pub group_events: Vec<(String, Map<String, Value>)>,
}

/// Merges `news` into `into` (a `null` removes a property); `false` when the result would hold too many names.
fn merge(into: &mut Map<String, Value>, news: &Map<String, Value>) -> bool {
    for (name, value) in news {
        if value.is_null() {
            into.remove(name);
        } else {
            into.insert(name.clone(), value.clone());
        }
    }
    into.len() <= MAX_PROPERTIES
}

impl Profile {
    pub fn new(org_id: OrgId, user_id: UserId) -> Self {
        Self { org_id, user_id, properties: Map::new(), groups: Vec::new(), events: Vec::new(), revision: 0 }
    }

    /// Records a session at `at`; `Err` says which bound it would pass (and nothing changes). The oldest events are
    /// trimmed first to keep the whole within [`MAX_PROFILE_BYTES`].
    pub fn record(&mut self, session: &Session, at: Timestamp) -> Result<(), SessionRefused> {
        let mut next = self.clone();
        if !merge(&mut next.properties, &session.user_properties) {
            return Err(SessionRefused::Bound(format!("a user keeps at most {MAX_PROPERTIES} properties")));
        }
        if let Some(group) = &session.group_id {
            let index = match next.groups.iter().position(|g| &g.group_id == group) {
                Some(i) => i,
                None => {
                    next.groups.push(GroupSeen {
                        group_id: group.clone(),
                        properties: Map::new(),
                        first_seen_at: at,
                        last_seen_at: at,
                    });
                    next.groups.len() - 1
                }
            };
            let seen = &mut next.groups[index];
            seen.last_seen_at = at;
            if !merge(&mut seen.properties, &session.group_properties) {
                return Err(SessionRefused::Bound(format!("a group keeps at most {MAX_PROPERTIES} properties")));
            }
            if next.groups.len() > MAX_GROUPS {
                next.groups.sort_by_key(|g| std::cmp::Reverse(g.last_seen_at));
                next.groups.truncate(MAX_GROUPS);
            }
        }
        let user_events = session.user_events.iter().map(|(e, p)| (e, p, None));
        let group_events = session.group_events.iter().map(|(e, p)| (e, p, session.group_id.clone()));
        for (event, properties, group_id) in user_events.chain(group_events) {
            next.events.push(TrackedEvent { event: event.clone(), properties: properties.clone(), group_id, at });
        }
        if next.events.len() > MAX_EVENTS {
            let extra = next.events.len() - MAX_EVENTS;
            next.events.drain(..extra);
        }
        let kept = json_len(&next.properties) + next.groups.iter().map(json_len).sum::<usize>();
        if kept > MAX_KEPT_BYTES {
            return Err(SessionRefused::TooLarge);
        }
        // The oldest events go first until the whole fits; the events' sizes are measured once each.
        let mut total = json_len(&next);
        let mut drop = 0;
        while total > MAX_PROFILE_BYTES && drop < next.events.len() {
            total -= json_len(&next.events[drop]) + 1;
            drop += 1;
        }
        next.events.drain(..drop);
        *self = next;
        Ok(())
    }
}

/// The length of `value` as JSON.
fn json_len<T: Serialize>(value: &T) -> usize {
    serde_json::to_vec(value).map_or(0, |bytes| bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn props(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap()
    }

    #[test]
    fn sessions_merge_properties_keep_groups_and_bound_events() {
        let mut p = Profile::new(OrgId(1), UserId(2));
        let t = Timestamp::now();
        let first = Session {
            group_id: Some("team".into()),
            user_properties: props(json!({"plan": "pro", "seats": 3})),
            group_properties: props(json!({"size": 10})),
            user_events: vec![("clicked".into(), props(json!({"x": 1})))],
            group_events: vec![("upgraded".into(), Map::new())],
        };
        p.record(&first, t).unwrap();
        let second = Session { user_properties: props(json!({"seats": null, "name": "Ann"})), ..Default::default() };
        p.record(&second, t.plus_seconds(5)).unwrap();
        assert_eq!(Value::Object(p.properties.clone()), json!({"plan": "pro", "name": "Ann"}));
        assert_eq!(p.groups.len(), 1);
        assert_eq!(Value::Object(p.groups[0].properties.clone()), json!({"size": 10}));
        assert_eq!(p.events.len(), 2);
        assert_eq!(p.events[1].group_id.as_deref(), Some("team"));
        for i in 0..MAX_EVENTS {
            let one = Session { user_events: vec![(format!("e{i}"), Map::new())], ..Default::default() };
            p.record(&one, t).unwrap();
        }
        assert_eq!(p.events.len(), MAX_EVENTS);
        assert_eq!(p.events.last().unwrap().event, format!("e{}", MAX_EVENTS - 1));
    }

    #[test]
    fn a_profile_always_fits_one_item_trimming_its_oldest_events() {
        // GIVEN sessions as an attacker sends them: 4 KB properties, 50 groups of 4 KB, events of 2 KB, a hundred times
        let mut p = Profile::new(OrgId(1), UserId(2));
        let blob = "x".repeat(2000);
        let t = Timestamp::now();
        for i in 0..100 {
            let session = Session {
                group_id: Some(format!("group-{}", i % 50)),
                user_properties: props(json!({ format!("p{}", i % 40): blob, format!("q{}", i % 40): blob })),
                group_properties: props(json!({ "a": blob, "b": blob })),
                user_events: (0..5).map(|e| (format!("e{i}-{e}"), props(json!({ "x": blob })))).collect(),
                group_events: vec![],
            };
            match p.record(&session, t.plus_seconds(i)) {
                Ok(()) => {}
                Err(SessionRefused::TooLarge) => break,
                Err(other) => panic!("{other:?}"),
            }
            // THEN after every one the profile fits, with room to spare under DynamoDB's 400 KB
            assert!(json_len(&p) <= MAX_PROFILE_BYTES, "{} bytes after session {i}", json_len(&p));
        }
        // AND the newest events are the ones kept
        assert!(p.events.len() < MAX_EVENTS);
        assert!(p.events.windows(2).all(|w| w[0].at <= w[1].at));
    }

    #[test]
    fn properties_and_groups_past_256_kb_are_refused_whole() {
        let mut p = Profile::new(OrgId(1), UserId(2));
        let big: Map<String, Value> = (0..70).map(|i| (format!("p{i}"), json!("y".repeat(4000)))).collect();
        let before = p.clone();
        assert_eq!(
            p.record(&Session { user_properties: big, ..Default::default() }, Timestamp::now()),
            Err(SessionRefused::TooLarge)
        );
        assert_eq!(p, before);
    }

    #[test]
    fn a_session_past_a_bound_changes_nothing() {
        let mut p = Profile::new(OrgId(1), UserId(2));
        let many: Map<String, Value> = (0..=MAX_PROPERTIES).map(|i| (format!("p{i}"), json!(i))).collect();
        let before = p.clone();
        assert!(p.record(&Session { user_properties: many, ..Default::default() }, Timestamp::now()).is_err());
        assert_eq!(p, before);
    }
}
