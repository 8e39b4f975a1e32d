//! Delivers one queued message: reads the endpoint (its latest URL, secret and state), counts the attempt,
//! POSTs the event signed per Standard Webhooks, records the attempt in the delivery log, and says what the
//! queue should do next: forget the message, show it again after the schedule's delay, or move it to the
//! dead-letter queue after the last attempt.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http::StatusCode;

use super::publish::DeliveryMessage;
use super::signing::signature_header;
use super::ssrf::{self, GuardedResolver, Resolver};
use crate::model::{Delivery, DeliveryId, DeliveryStatus, Timestamp};
use crate::store::{DeliveryStore, Store};

/// SQS's longest visibility timeout: no retry waits longer.
pub const MAX_DELAY: Duration = Duration::from_secs(12 * 60 * 60);
/// The longest error text kept in the delivery log.
const MAX_ERROR_LEN: usize = 300;

/// The delays before each retry (Standard Webhooks: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h). A message is
/// tried once plus once per delay.
#[derive(Clone, Debug, PartialEq)]
pub struct RetrySchedule(pub Vec<Duration>);

impl Default for RetrySchedule {
    fn default() -> Self {
        let m = 60;
        let h = 60 * m;
        Self([5, 5 * m, 30 * m, 2 * h, 5 * h, 10 * h, 10 * h].into_iter().map(Duration::from_secs).collect())
    }
}

impl RetrySchedule {
    /// Parses `5s,5m,30m,2h` (units ms, s, m, h).
    pub fn parse(raw: &str) -> Result<Self, String> {
        raw.split(',')
            .map(|part| {
                let part = part.trim();
                let split = part.find(|c: char| !c.is_ascii_digit()).unwrap_or(part.len());
                let (n, unit) = part.split_at(split);
                let n: u64 = n.parse().map_err(|_| format!("'{part}' is not a duration like 5s, 5m or 2h"))?;
                let d = match unit {
                    "ms" => Duration::from_millis(n),
                    "s" => Duration::from_secs(n),
                    "m" => Duration::from_secs(n * 60),
                    "h" => Duration::from_secs(n * 3600),
                    _ => return Err(format!("'{part}' is not a duration like 5s, 5m or 2h")),
                };
                if d > MAX_DELAY {
                    return Err(format!("'{part}' is longer than 12 hours"));
                }
                Ok(d)
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Self)
    }

    /// Tries in all: the first and one after each delay.
    pub fn attempts(&self) -> u32 {
        u32::try_from(self.0.len()).unwrap_or(u32::MAX - 1) + 1
    }

    /// The delay after failed attempt `attempt` (1-based), with ±10 % jitter; `None` after the last.
    pub fn delay_after(&self, attempt: u32) -> Option<Duration> {
        let base = *self.0.get(usize::try_from(attempt).ok()?.checked_sub(1)?)?;
        let mut byte = [0u8; 1];
        let _ = getrandom::fill(&mut byte);
        let factor = 0.9 + f64::from(byte[0]) / 255.0 * 0.2;
        Some(base.mul_f64(factor).min(MAX_DELAY))
    }
}

/// What the queue should do with a message after an attempt.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// Received with a 2xx: forget the message.
    Delivered,
    /// Nothing to do any more (the endpoint is gone or disabled): forget the message.
    Dropped(&'static str),
    /// Failed: show the message again after this delay.
    RetryAfter(Duration),
    /// Failed for the last time, or unreadable: move the message to the dead-letter queue.
    DeadLetter(String),
}

pub struct Deliverer {
    client: reqwest::Client,
    schedule: RetrySchedule,
    local_mode: bool,
}

impl Deliverer {
    /// An HTTP client that connects only to addresses the SSRF guard allowed, follows no redirect, uses no
    /// proxy, and gives up after `timeout`.
    pub fn new(
        resolver: Arc<dyn Resolver>,
        local_mode: bool,
        schedule: RetrySchedule,
        timeout: Duration,
    ) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver { inner: resolver, local_mode }))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("flows-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Self { client, schedule, local_mode })
    }

    pub fn schedule(&self) -> &RetrySchedule {
        &self.schedule
    }

    /// One attempt at the message `body`.
    pub async fn deliver(&self, store: &dyn Store, body: &str) -> Outcome {
        let message: DeliveryMessage = match serde_json::from_str(body) {
            Ok(m) => m,
            Err(err) => return Outcome::DeadLetter(format!("unreadable message: {err}")),
        };
        let event = &message.event;
        let hook = match store.get_webhook(event.org_id, &message.webhook_id).await {
            Ok(Some(hook)) => hook,
            Ok(None) => return Outcome::Dropped("the endpoint was deleted"),
            Err(err) => {
                tracing::warn!(error = %err, "could not read the endpoint; retrying");
                return self.retry_or_dead(1, None);
            }
        };
        if !hook.enabled {
            return Outcome::Dropped("the endpoint is disabled");
        }
        let now = Timestamp::now();
        let expires = now.unix() + crate::store::dynamo::DELIVERY_LOG_SECONDS;
        let counted = if message.replay == 0 { event.id.clone() } else { format!("{}#{}", event.id, message.replay) };
        let attempt = match store.count_attempt(&hook.id, &counted, expires).await {
            Ok(n) => n,
            Err(err) => {
                tracing::warn!(error = %err, "could not count the attempt; retrying");
                return self.retry_or_dead(1, None);
            }
        };
        let payload = event.payload().to_string();
        let started = Instant::now();
        let result = self.post(&hook.url, &event.id, now, &hook.signing_secrets(now), &payload).await;
        let duration_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        let (status, code, error, retry_after) = match &result {
            Ok((code, _)) if code.is_success() => (DeliveryStatus::Succeeded, Some(code.as_u16()), None, None),
            Ok((code, retry_after)) => (DeliveryStatus::Failed, Some(code.as_u16()), None, *retry_after),
            Err(err) => (DeliveryStatus::Failed, None, Some(truncate(err)), None),
        };
        let delivery = Delivery {
            id: DeliveryId::new(now.unix_millis() + i64::try_from(started.elapsed().as_millis() % 1000).unwrap_or(0)),
            org_id: hook.org_id,
            webhook_id: hook.id.clone(),
            event: event.clone(),
            attempt,
            status,
            response_code: code,
            duration_ms,
            error,
            at: now,
        };
        if let Err(err) = DeliveryStore::record_delivery(store, &delivery).await {
            tracing::warn!(error = %err, "could not record a delivery attempt");
        }
        tracing::info!(
            event = %event.id,
            webhook = %hook.id,
            attempt,
            status = ?status,
            code = ?code,
            duration_ms,
            "webhook attempt"
        );
        match result {
            Ok((code, _)) if code.is_success() => Outcome::Delivered,
            Ok((StatusCode::GONE, _)) => {
                let mut disabled = hook.clone();
                disabled.enabled = false;
                disabled.disabled_reason = Some("The endpoint answered 410 Gone".into());
                disabled.updated_at = now;
                if let Err(err) = store.update_webhook(&disabled).await {
                    tracing::warn!(error = %err, "could not disable an endpoint that answered 410");
                }
                Outcome::Dropped("the endpoint answered 410 Gone and is now disabled")
            }
            _ => self.retry_or_dead(attempt, retry_after),
        }
    }

    fn retry_or_dead(&self, attempt: u32, retry_after: Option<Duration>) -> Outcome {
        match self.schedule.delay_after(attempt) {
            Some(delay) => Outcome::RetryAfter(retry_after.map_or(delay, |r| r.max(delay)).min(MAX_DELAY)),
            None => Outcome::DeadLetter(format!("failed {attempt} attempts")),
        }
    }

    async fn post(
        &self,
        url: &str,
        id: &str,
        now: Timestamp,
        secrets: &[&str],
        payload: &str,
    ) -> Result<(StatusCode, Option<Duration>), String> {
        let parsed = ssrf::check_url(url, self.local_mode)?;
        // Hosts given as addresses never reach the resolver: check them here.
        if let Some(ip) = match parsed.host() {
            Some(url::Host::Ipv4(ip)) => Some(std::net::IpAddr::V4(ip)),
            Some(url::Host::Ipv6(ip)) => Some(std::net::IpAddr::V6(ip)),
            _ => None,
        } {
            if !ssrf::allowed(ip, self.local_mode) {
                return Err(format!("{ip} is not a public address"));
            }
        }
        let timestamp = now.unix();
        let response = self
            .client
            .post(parsed)
            .header("content-type", "application/json")
            .header("webhook-id", id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature_header(secrets, id, timestamp, payload.as_bytes()))
            .body(payload.to_owned())
            .send()
            .await
            .map_err(|e| describe(&e))?;
        let retry_after = response
            .headers()
            .get(http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        Ok((response.status(), retry_after))
    }
}

fn describe(err: &reqwest::Error) -> String {
    let kind = if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

fn truncate(text: &str) -> String {
    text.chars().take(MAX_ERROR_LEN).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_is_standard_webhooks() {
        let s = RetrySchedule::default();
        assert_eq!(s.attempts(), 8);
        let secs: Vec<u64> = s.0.iter().map(Duration::as_secs).collect();
        assert_eq!(secs, [5, 300, 1800, 7200, 18000, 36000, 36000]);
        let d = s.delay_after(1).unwrap();
        assert!(d >= Duration::from_millis(4500) && d <= Duration::from_millis(5500), "{d:?}");
        assert!(s.delay_after(8).is_none());
        assert!(s.delay_after(0).is_none());
    }

    #[test]
    fn schedules_parse_with_units_and_refuse_nonsense() {
        assert_eq!(
            RetrySchedule::parse("10ms, 2s,1m,1h").unwrap().0,
            [Duration::from_millis(10), Duration::from_secs(2), Duration::from_secs(60), Duration::from_secs(3600)]
        );
        for bad in ["", "5", "5x", "13h", "-1s"] {
            assert!(RetrySchedule::parse(bad).is_err(), "{bad}");
        }
    }
}
