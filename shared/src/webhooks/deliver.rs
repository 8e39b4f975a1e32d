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
use crate::model::{
    Delivery, DeliveryId, DeliveryStatus, RetrySchedule, Timestamp, DELIVERY_RETENTION_SECONDS, MAX_DELAY,
};
use crate::store::{DeliveryStore, WebhookPatch, WebhookStore};

/// The longest error text kept in the delivery log.
const MAX_ERROR_LEN: usize = 300;

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
        // Mozilla's roots, compiled in (webpki-root-certs): receivers may be any public host, and no
        // certificate file is read when the client is built. The list is frozen at build time: rebuild to take
        // Mozilla's changes.
        let roots = webpki_root_certs::TLS_SERVER_ROOT_CERTS
            .iter()
            .map(|der| reqwest::Certificate::from_der(der.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        crate::tls::install_provider();
        let client = reqwest::Client::builder()
            .tls_certs_only(roots)
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
    pub async fn deliver(&self, hooks: &dyn WebhookStore, log: &dyn DeliveryStore, body: &str) -> Outcome {
        let message: DeliveryMessage = match serde_json::from_str(body) {
            Ok(m) => m,
            Err(err) => return Outcome::DeadLetter(format!("unreadable message: {err}")),
        };
        let event = &message.event;
        let hook = match hooks.get_webhook(event.org_id, &message.webhook_id).await {
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
        let expires = now.unix() + DELIVERY_RETENTION_SECONDS;
        let counted = if message.replay == 0 { event.id.clone() } else { format!("{}#{}", event.id, message.replay) };
        let attempt = match log.count_attempt(&hook.id, &counted, expires).await {
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
        if let Err(err) = log.record_delivery(&delivery).await {
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
                // Only the endpoint's state changes: a rotation made meanwhile stays.
                let patch = WebhookPatch {
                    enabled: Some(false),
                    disabled_reason: Some(Some("The endpoint answered 410 Gone".into())),
                    updated_at: Some(now),
                    ..WebhookPatch::default()
                };
                if let Err(err) = hooks.patch_webhook(hook.org_id, &hook.id, &patch).await {
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

/// A delivery error as the log keeps it: a short category, never the connection's own text, so that the log says
/// nothing of the network beyond the receiver (no port-scan oracle).
fn describe(err: &reqwest::Error) -> String {
    if err.is_timeout() {
        "timed out"
    } else if err.is_connect() {
        "could not connect"
    } else if err.is_redirect() {
        "redirected (not followed)"
    } else if err.is_body() || err.is_decode() {
        "the answer could not be read"
    } else {
        "request failed"
    }
    .to_owned()
}

fn truncate(text: &str) -> String {
    text.chars().take(MAX_ERROR_LEN).collect()
}
