//! The one ordering of listed records: oldest first, ties broken by id, so that every store lists the same
//! records in the same order.

use super::{ApiKey, Event, Timestamp, Webhook};

/// A record with a creation time and an id.
pub trait Chronological {
    fn created(&self) -> Timestamp;
    fn id_str(&self) -> &str;
}

/// Sorts `items` oldest first (ties by id).
pub fn oldest_first<T: Chronological>(items: &mut [T]) {
    items.sort_by(|a, b| (a.created(), a.id_str()).cmp(&(b.created(), b.id_str())));
}

impl Chronological for ApiKey {
    fn created(&self) -> Timestamp {
        self.created_at
    }
    fn id_str(&self) -> &str {
        self.id.as_str()
    }
}

impl Chronological for Webhook {
    fn created(&self) -> Timestamp {
        self.created_at
    }
    fn id_str(&self) -> &str {
        self.id.as_str()
    }
}

impl Chronological for Event {
    fn created(&self) -> Timestamp {
        self.timestamp
    }
    fn id_str(&self) -> &str {
        &self.id
    }
}
