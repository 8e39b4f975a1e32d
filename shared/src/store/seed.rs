//! A seed for the in-memory store, read from a JSON file (`FLOWS_SEED_FILE`): organizations, users, API keys (as
//! stored: hash and prefix, never the key), flows, assignments, webhook endpoints and their deliveries, in the entities' own serde form. For demos, fixtures and
//! the benchmark, which runs each Lambda binary as its own process with its own in-memory store.

use serde::{Deserialize, Serialize};

use crate::model::{ApiKey, Assignment, Delivery, Flow, Organization, User, Webhook};

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    #[serde(default)]
    pub organizations: Vec<Organization>,
    #[serde(default)]
    pub users: Vec<User>,
    #[serde(default)]
    pub api_keys: Vec<ApiKey>,
    #[serde(default)]
    pub flows: Vec<Flow>,
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    #[serde(default)]
    pub webhooks: Vec<Webhook>,
    #[serde(default)]
    pub deliveries: Vec<Delivery>,
}

impl Seed {
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("seed file is not valid: {e}"))
    }
}
