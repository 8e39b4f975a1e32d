//! Rate limits (seed 000): requests per minute by the organization's tier, counted in the store so that the
//! limit holds across every Lambda instance. Secret keys count per organization (more keys buy no more
//! requests); public keys count per (key, end user), so that one browser cannot starve the others.

use crate::config::Config;
use crate::error::ApiError;
use crate::model::{ApiKey, KeyKind, Tier, Timestamp};
use crate::store::{RateDecision, RateLimitStore};

const WINDOW_SECONDS: i64 = 60;

pub fn limit_for(config: &Config, tier: Tier) -> u32 {
    match tier {
        Tier::Standard => config.rate_limit_standard,
        Tier::Enterprise => config.rate_limit_enterprise,
    }
}

/// The counter a request is counted in, for the window that `now` falls in.
pub fn bucket(key: &ApiKey, end_user: Option<&str>, now: Timestamp) -> String {
    let window = now.unix().div_euclid(WINDOW_SECONDS);
    match key.kind {
        KeyKind::Secret => format!("{}#{window}", key.org_id),
        KeyKind::Public => format!("{}#{}#{window}", key.id, end_user.unwrap_or("")),
    }
}

/// Counts the request; 429 with the real wait until the window ends when the limit is reached.
pub async fn enforce(
    store: &dyn RateLimitStore,
    config: &Config,
    key: &ApiKey,
    end_user: Option<&str>,
    now: Timestamp,
) -> Result<(), ApiError> {
    let window_end = (now.unix().div_euclid(WINDOW_SECONDS) + 1) * WINDOW_SECONDS;
    let decision = store
        .hit(&bucket(key, end_user, now), limit_for(config, key.tier), window_end + WINDOW_SECONDS)
        .await
        .map_err(crate::http::store_error)?;
    match decision {
        RateDecision::Allowed => Ok(()),
        RateDecision::Limited => {
            Err(ApiError::RateLimited { retry_after: u64::try_from(window_end - now.unix()).unwrap_or(1).max(1) })
        }
    }
}
