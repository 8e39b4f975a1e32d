//! A seed: organizations, users, API keys (as stored: hash and prefix, never the key), flows, assignments,
//! webhook endpoints and their deliveries, SuperOffice's email flows, in the entities' own serde form, read from a JSON file
//! (`FLOWS_SEED_FILE`). For demos, fixtures and the benchmark, which runs each Lambda binary as its own process.
//! It is loaded through the store's own writes, so it obeys the store's rules on either backend.

use serde::{Deserialize, Serialize};

use super::{Counter, Store};
use crate::model::workflow::EmailFlowRecord;
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
    /// SuperOffice's email flows, with everything inside them.
    #[serde(default)]
    pub email_flows: Vec<EmailFlowRecord>,
}

impl Seed {
    pub fn from_json(text: &str) -> Result<Self, String> {
        serde_json::from_str(text).map_err(|e| format!("seed file is not valid: {e}"))
    }

    /// Writes the seed into `store`. Each organization is created with its first seeded user as its owner and
    /// its seeded keys; the counters then continue after the largest seeded ids.
    pub async fn load<S: Store + ?Sized>(&self, store: &S) -> Result<(), String> {
        let fail = |what: String| move |e: super::StoreError| format!("seed: {what}: {e}");
        for org in &self.organizations {
            let mut people = self.users.iter().filter(|u| u.org_id == org.id);
            let owner = people.next().ok_or_else(|| format!("seed: organization {} has no user", org.id))?;
            let keys: Vec<ApiKey> = self.api_keys.iter().filter(|k| k.org_id == org.id).cloned().collect();
            let mut created = org.clone();
            created.user_count = 1;
            store
                .create_organization(&created, owner, &keys, None)
                .await
                .map_err(fail(format!("organization {}", org.id)))?;
            for user in people {
                store.create_user(user, None).await.map_err(fail(format!("user {}", user.id)))?;
            }
        }
        if let Some(key) = self.api_keys.iter().find(|k| !self.organizations.iter().any(|o| o.id == k.org_id)) {
            return Err(format!("seed: key {} of unknown organization {}", key.id, key.org_id));
        }
        if let Some(user) = self.users.iter().find(|u| !self.organizations.iter().any(|o| o.id == u.org_id)) {
            return Err(format!("seed: user {} of unknown organization {}", user.id, user.org_id));
        }
        // Keyed by their people's external ids, as the services key them.
        let person = |org, id| self.users.iter().find(|u| u.org_id == org && u.id == id);
        for flow in &self.flows {
            let mut creator = crate::model::Membership::of_creator(flow);
            if let Some(p) = person(flow.org_id, flow.created_by) {
                creator = creator.of(p);
            }
            store.create_flow(flow, &creator, None).await.map_err(fail(format!("flow {}", flow.id)))?;
        }
        let assignments: Vec<_> = self
            .assignments
            .iter()
            .map(|a| crate::model::Assignment {
                user_external_id: a
                    .user_external_id
                    .clone()
                    .or_else(|| person(a.org_id, a.user_id).and_then(|p| p.external_id.clone())),
                ..a.clone()
            })
            .collect();
        store.import_assignments(&assignments).await.map_err(fail("assignments".into()))?;
        for hook in &self.webhooks {
            store.create_webhook(hook, u32::MAX, None).await.map_err(fail(format!("webhook {}", hook.id)))?;
        }
        for delivery in &self.deliveries {
            store.record_delivery(delivery).await.map_err(fail(format!("delivery {}", delivery.id)))?;
        }
        for flow in &self.email_flows {
            store.create_email_flow(flow).await.map_err(fail(format!("email flow {}", flow.id)))?;
            store.raise_counter(Counter::EmailFlow(flow.org_id), flow.id).await.map_err(fail("counters".into()))?;
        }
        let max_org = self.organizations.iter().map(|o| o.id.0).max().unwrap_or(0);
        let max_user = self.users.iter().map(|u| u.id.0).max().unwrap_or(0);
        store.raise_counter(Counter::Organization, max_org).await.map_err(fail("counters".into()))?;
        store.raise_counter(Counter::User, max_user).await.map_err(fail("counters".into()))?;
        Ok(())
    }
}
