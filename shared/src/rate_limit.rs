//! Rate limits (seed 000): requests per minute by the organization's tier, counted in the store so that the limit
//! holds across every Lambda instance. Secret keys count per organization (more keys buy no more requests);
//! public keys count per (key, end user), so that one browser cannot starve the others; the admin token counts
//! per token.
//!
//! Counting and deciding are apart: the count is one unconditional increment that runs in parallel with the key's
//! lookup (the limit depends on the tier the key record carries), and the decision compares the count with the
//! limit. A request is counted whatever becomes of it (a 404, a validation error), and requests refused for the
//! limit are counted too, which changes nothing: the window ends at the same time.

use crate::error::ApiError;
use crate::model::Timestamp;
pub use crate::store::Counted;

pub const WINDOW_SECONDS: i64 = 60;

/// The window `now` falls in: its number and the unix second it ends.
pub fn window(now: Timestamp) -> (i64, i64) {
    let number = now.unix().div_euclid(WINDOW_SECONDS);
    (number, (number + 1) * WINDOW_SECONDS)
}

/// When a window's record may be forgotten.
pub fn expires_at(now: Timestamp) -> i64 {
    window(now).1 + WINDOW_SECONDS
}

/// What a client may still do in the current window: the `RateLimit` headers' numbers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub remaining: u32,
    /// Seconds until the window ends.
    pub reset: u64,
}

/// The decision for the `count`th request of a window with `limit`: its quota, or a 429 with the real wait.
pub fn decide(count: u64, limit: u32, now: Timestamp) -> Result<Quota, ApiError> {
    let reset = u64::try_from(window(now).1 - now.unix()).unwrap_or(1).max(1);
    if count > u64::from(limit) {
        return Err(ApiError::RateLimited { retry_after: reset });
    }
    let remaining = u32::try_from(u64::from(limit) - count).unwrap_or(0);
    Ok(Quota { limit, remaining, reset })
}

/// Waits, in tests, until the current window has at least 5 seconds left.
#[cfg(test)]
pub(crate) async fn tests_avoid_window_end() {
    let left = window(Timestamp::now()).1 - Timestamp::now().unix();
    if left < 5 {
        tokio::time::sleep(std::time::Duration::from_secs(u64::try_from(left).unwrap_or(0) + 1)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hundred_and_first_request_of_a_window_is_refused_with_the_real_wait() {
        let now = Timestamp::parse_iso8601("2030-01-01T00:00:43Z").unwrap();
        assert_eq!(decide(100, 100, now).unwrap(), Quota { limit: 100, remaining: 0, reset: 17 });
        assert!(matches!(decide(101, 100, now), Err(ApiError::RateLimited { retry_after: 17 })));
        assert_eq!(decide(1, 100, now).unwrap().remaining, 99);
    }
}
