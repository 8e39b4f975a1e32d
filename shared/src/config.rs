//! Configuration: every environment variable the system reads is named here, once. AWS settings come through
//! the SDK's own variables (`AWS_REGION`, `AWS_ENDPOINT_URL`, credentials), not through this module.

use std::fmt;
use std::time::Duration;

use crate::model::{RetrySchedule, Tier};

pub const FLOWS_BACKEND: &str = "FLOWS_BACKEND";
pub const TABLE_NAME: &str = "TABLE_NAME";
pub const QUEUE_URL: &str = "QUEUE_URL";
pub const DEAD_LETTER_QUEUE_URL: &str = "DEAD_LETTER_QUEUE_URL";
pub const FLOWS_WEBHOOK_RETRY_SCHEDULE: &str = "FLOWS_WEBHOOK_RETRY_SCHEDULE";
pub const FLOWS_WEBHOOK_TIMEOUT_MS: &str = "FLOWS_WEBHOOK_TIMEOUT_MS";
pub const FLOWS_SCHEDULE_INTERVAL_MS: &str = "FLOWS_SCHEDULE_INTERVAL_MS";
pub const FLOWS_OUTBOX_SWEEP_AFTER_MS: &str = "FLOWS_OUTBOX_SWEEP_AFTER_MS";
pub const FLOWS_ADMIN_TOKEN: &str = "FLOWS_ADMIN_TOKEN";
pub const FLOWS_API_BASE_URL: &str = "FLOWS_API_BASE_URL";
pub const FLOWS_WEB_BASE_URL: &str = "FLOWS_WEB_BASE_URL";
pub const FLOWS_RATE_LIMIT_STANDARD: &str = "FLOWS_RATE_LIMIT_STANDARD";
pub const FLOWS_RATE_LIMIT_ENTERPRISE: &str = "FLOWS_RATE_LIMIT_ENTERPRISE";
pub const FLOWS_RATE_LIMIT_ADMIN: &str = "FLOWS_RATE_LIMIT_ADMIN";
pub const FLOWS_RATE_LIMIT_PUBLIC_USER: &str = "FLOWS_RATE_LIMIT_PUBLIC_USER";
pub const FLOWS_RATE_LIMIT_PUBLIC_KEY_FACTOR: &str = "FLOWS_RATE_LIMIT_PUBLIC_KEY_FACTOR";
pub const FLOWS_PEOPLE_LIMIT_STANDARD: &str = "FLOWS_PEOPLE_LIMIT_STANDARD";
pub const FLOWS_PEOPLE_LIMIT_ENTERPRISE: &str = "FLOWS_PEOPLE_LIMIT_ENTERPRISE";
pub const FLOWS_KEY_SECRET: &str = "FLOWS_KEY_SECRET";
pub const FLOWS_CREATE_RESOURCES: &str = "FLOWS_CREATE_RESOURCES";
pub const FLOWS_LOG: &str = "FLOWS_LOG";
pub const FLOWS_SEED_FILE: &str = "FLOWS_SEED_FILE";
pub const PORT: &str = "PORT";

/// Every variable above, with what it does; a test holds `.env.example` and the README's configuration table to
/// the same list.
pub const VARIABLES: &[(&str, &str)] = &[
    (FLOWS_BACKEND, "memory (default) or dynamodb"),
    (TABLE_NAME, "DynamoDB table (dynamodb backend); default flows"),
    (QUEUE_URL, "SQS queue name or URL for webhook deliveries (dynamodb backend); default flows-webhooks"),
    (
        DEAD_LETTER_QUEUE_URL,
        "SQS queue (name or URL) that takes a delivery after its last attempt; default <QUEUE_URL>-dlq",
    ),
    (FLOWS_WEBHOOK_RETRY_SCHEDULE, "delays between delivery attempts; default 5s,5m,30m,2h,5h,10h,10h"),
    (FLOWS_WEBHOOK_TIMEOUT_MS, "how long one delivery may take; default 15000"),
    (FLOWS_SCHEDULE_INTERVAL_MS, "local server: how often the overdue check and outbox sweep run; default 5000"),
    (FLOWS_OUTBOX_SWEEP_AFTER_MS, "how old an outbox event must be before the schedule sends it again; default 60000"),
    (FLOWS_ADMIN_TOKEN, "bearer token for /admin/*; unset, every /admin/* route answers 404"),
    (FLOWS_API_BASE_URL, "base of the `url` fields of Flowdock objects"),
    (FLOWS_WEB_BASE_URL, "base of the `web_url` and `join_url` fields"),
    (FLOWS_RATE_LIMIT_STANDARD, "requests per minute for the standard tier; default 100"),
    (FLOWS_RATE_LIMIT_ENTERPRISE, "requests per minute for the enterprise tier; default 1000"),
    (FLOWS_RATE_LIMIT_PUBLIC_USER, "requests per minute of a public key for one end user (userId); default 120"),
    (
        FLOWS_RATE_LIMIT_PUBLIC_KEY_FACTOR,
        "a public key's requests per minute, all end users together, as a multiple of its tier's limit; default 10",
    ),
    (FLOWS_RATE_LIMIT_ADMIN, "requests per minute per admin token; default 30"),
    (FLOWS_PEOPLE_LIMIT_STANDARD, "the most people public keys may bring into a standard organization; default 100000"),
    (FLOWS_PEOPLE_LIMIT_ENTERPRISE, "the same for an enterprise organization; default 10000000"),
    (
        FLOWS_KEY_SECRET,
        "the secrets API keys are signed with (32+ characters each, comma-separated, the signing one first); required \
         on DynamoDB",
    ),
    (FLOWS_CREATE_RESOURCES, "1: create the table and queues when missing (local runs against moto)"),
    (FLOWS_SEED_FILE, "memory backend: a JSON file of organizations, users, keys and flows to start with"),
    (FLOWS_LOG, "log filter, e.g. info or flows_shared=debug; default info"),
    (PORT, "local server port; default 3000, 0 takes a free port"),
];

/// The key secret of the in-memory backend when none is configured: local runs only (the DynamoDB backend refuses
/// to start without its own).
pub const DEVELOPMENT_KEY_SECRET: &str = "flows-local-development-key-secret-never-deployed";
/// The shortest key secret a deployment may configure.
pub const MIN_KEY_SECRET_LEN: usize = 32;

/// Requests per minute of each tier, and of the admin token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub standard: u32,
    pub enterprise: u32,
    pub admin: u32,
    /// A public key's requests for one end user (Frigade's `userId`): enough for a browser tab's two calls per
    /// action and a refresh on every focus.
    pub public_per_user: u32,
    /// A public key's requests for all its end users together, as a multiple of its tier's limit: guest ids are
    /// free to invent, so one key cannot use the per-user buckets to go unbounded.
    pub public_key_factor: u32,
    /// The most people public keys may bring into an organization of each tier (Frigade's `userId`s become people):
    /// past it a new `userId` is a 403. A key may bring in at most its tier's request limit of new people a minute.
    pub people_standard: u64,
    pub people_enterprise: u64,
}

impl Limits {
    pub fn for_tier(&self, tier: Tier) -> u32 {
        match tier {
            Tier::Standard => self.standard,
            Tier::Enterprise => self.enterprise,
        }
    }

    /// The most people public keys may bring into an organization of `tier`.
    pub fn people_for_tier(&self, tier: Tier) -> u64 {
        match tier {
            Tier::Standard => self.people_standard,
            Tier::Enterprise => self.people_enterprise,
        }
    }

    /// A public key's ceiling over all its end users.
    pub fn public_key_ceiling(&self, tier: Tier) -> u32 {
        self.for_tier(tier).saturating_mul(self.public_key_factor)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Memory,
    Dynamodb,
}

#[derive(Clone)]
pub struct Config {
    pub backend: Backend,
    pub table_name: String,
    pub queue: String,
    pub dead_letter_queue: String,
    pub retry_schedule: RetrySchedule,
    pub webhook_timeout: Duration,
    pub schedule_interval: Duration,
    pub outbox_sweep_after: Duration,
    pub admin_token: Option<String>,
    pub api_base_url: String,
    pub web_base_url: String,
    pub rate_limit_standard: u32,
    pub rate_limit_enterprise: u32,
    pub rate_limit_admin: u32,
    pub rate_limit_public_user: u32,
    pub rate_limit_public_key_factor: u32,
    pub people_limit_standard: u64,
    pub people_limit_enterprise: u64,
    /// Signs API keys (see [`crate::auth`]). Never printed.
    pub key_secret: String,
    pub create_resources: bool,
    pub seed_file: Option<String>,
    pub port: u16,
    /// The local server (and tests): webhooks may go to loopback addresses over http. Never set in Lambda.
    pub local_mode: bool,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("backend", &self.backend)
            .field("table_name", &self.table_name)
            .field("queue", &self.queue)
            .field("dead_letter_queue", &self.dead_letter_queue)
            .field("retry_schedule", &self.retry_schedule)
            .field("admin_token", &self.admin_token.as_ref().map(|_| "<set>"))
            .field("api_base_url", &self.api_base_url)
            .field("web_base_url", &self.web_base_url)
            .field("rate_limit_standard", &self.rate_limit_standard)
            .field("rate_limit_enterprise", &self.rate_limit_enterprise)
            .field("rate_limit_admin", &self.rate_limit_admin)
            .field("rate_limit_public_user", &self.rate_limit_public_user)
            .field("rate_limit_public_key_factor", &self.rate_limit_public_key_factor)
            .field("people_limit_standard", &self.people_limit_standard)
            .field("people_limit_enterprise", &self.people_limit_enterprise)
            .field("key_secret", &"<set>")
            .finish()
    }
}

#[derive(Debug, thiserror::Error)]
#[error("configuration: {name} {problem}")]
pub struct ConfigError {
    pub name: &'static str,
    pub problem: String,
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so that tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let number = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(v) => v
                    .trim()
                    .parse::<u32>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or(ConfigError { name, problem: format!("must be a positive whole number, not {v:?}") }),
            }
        };
        let backend = match get(FLOWS_BACKEND).as_deref() {
            None | Some("memory") => Backend::Memory,
            Some("dynamodb") => Backend::Dynamodb,
            Some(other) => {
                return Err(ConfigError {
                    name: FLOWS_BACKEND,
                    problem: format!("must be memory or dynamodb, not {other:?}"),
                })
            }
        };
        let port = match get(PORT) {
            None => 3000,
            Some(v) => v
                .trim()
                .parse::<u16>()
                .map_err(|_| ConfigError { name: PORT, problem: format!("must be a port number, not {v:?}") })?,
        };
        let trim_slash = |s: String| s.trim_end_matches('/').to_owned();
        let millis = |name: &'static str, default: u64| -> Result<Duration, ConfigError> {
            match get(name) {
                None => Ok(Duration::from_millis(default)),
                Some(v) => {
                    v.trim().parse::<u64>().ok().filter(|n| *n > 0).map(Duration::from_millis).ok_or(ConfigError {
                        name,
                        problem: format!("must be a positive number of milliseconds, not {v:?}"),
                    })
                }
            }
        };
        let queue = get(QUEUE_URL).unwrap_or_else(|| "flows-webhooks".into());
        let retry_schedule = match get(FLOWS_WEBHOOK_RETRY_SCHEDULE) {
            None => RetrySchedule::default(),
            Some(v) => RetrySchedule::parse(&v)
                .map_err(|problem| ConfigError { name: FLOWS_WEBHOOK_RETRY_SCHEDULE, problem })?,
        };
        let key_secret = match (get(FLOWS_KEY_SECRET), backend) {
            (Some(secrets), _) if secrets.split(',').all(|s| s.trim().len() >= MIN_KEY_SECRET_LEN) => secrets,
            (Some(_), _) => {
                return Err(ConfigError {
                    name: FLOWS_KEY_SECRET,
                    problem: format!("must be secrets of at least {MIN_KEY_SECRET_LEN} characters, comma-separated"),
                })
            }
            (None, Backend::Memory) => DEVELOPMENT_KEY_SECRET.to_owned(),
            (None, Backend::Dynamodb) => {
                return Err(ConfigError {
                    name: FLOWS_KEY_SECRET,
                    problem: "must be set for the dynamodb backend (template.yaml generates one)".into(),
                })
            }
        };
        Ok(Self {
            backend,
            table_name: get(TABLE_NAME).unwrap_or_else(|| "flows".into()),
            dead_letter_queue: get(DEAD_LETTER_QUEUE_URL).unwrap_or_else(|| format!("{queue}-dlq")),
            queue,
            retry_schedule,
            webhook_timeout: millis(FLOWS_WEBHOOK_TIMEOUT_MS, 15_000)?,
            schedule_interval: millis(FLOWS_SCHEDULE_INTERVAL_MS, 5_000)?,
            outbox_sweep_after: millis(FLOWS_OUTBOX_SWEEP_AFTER_MS, 60_000)?,
            admin_token: get(FLOWS_ADMIN_TOKEN),
            api_base_url: trim_slash(get(FLOWS_API_BASE_URL).unwrap_or_else(|| format!("http://127.0.0.1:{port}"))),
            web_base_url: trim_slash(get(FLOWS_WEB_BASE_URL).unwrap_or_else(|| format!("http://127.0.0.1:{port}"))),
            rate_limit_standard: number(FLOWS_RATE_LIMIT_STANDARD, 100)?,
            rate_limit_enterprise: number(FLOWS_RATE_LIMIT_ENTERPRISE, 1000)?,
            rate_limit_admin: number(FLOWS_RATE_LIMIT_ADMIN, 30)?,
            rate_limit_public_user: number(FLOWS_RATE_LIMIT_PUBLIC_USER, 120)?,
            rate_limit_public_key_factor: number(FLOWS_RATE_LIMIT_PUBLIC_KEY_FACTOR, 10)?,
            people_limit_standard: u64::from(number(FLOWS_PEOPLE_LIMIT_STANDARD, 100_000)?),
            people_limit_enterprise: u64::from(number(FLOWS_PEOPLE_LIMIT_ENTERPRISE, 10_000_000)?),
            key_secret,
            create_resources: matches!(get(FLOWS_CREATE_RESOURCES).as_deref(), Some("1" | "true")),
            seed_file: get(FLOWS_SEED_FILE),
            port,
            local_mode: false,
        })
    }

    /// The key secrets, the signing one first (`FLOWS_KEY_SECRET` lists them comma-separated).
    pub fn key_secrets(&self) -> impl Iterator<Item = &str> {
        self.key_secret.split(',').map(str::trim).filter(|s| !s.is_empty())
    }

    /// The rate limits.
    pub fn limits(&self) -> Limits {
        Limits {
            standard: self.rate_limit_standard,
            enterprise: self.rate_limit_enterprise,
            admin: self.rate_limit_admin,
            public_per_user: self.rate_limit_public_user,
            public_key_factor: self.rate_limit_public_key_factor,
            people_standard: self.people_limit_standard,
            people_enterprise: self.people_limit_enterprise,
        }
    }

    /// A configuration for tests and embedded use: in-memory, defaults everywhere.
    pub fn for_tests() -> Self {
        Self::from_lookup(|_| None).expect("defaults are valid")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_local_and_in_memory() {
        let c = Config::for_tests();
        assert_eq!(c.backend, Backend::Memory);
        assert_eq!(c.rate_limit_standard, 100);
        assert_eq!(c.rate_limit_enterprise, 1000);
        assert_eq!(c.api_base_url, "http://127.0.0.1:3000");
        assert!(c.admin_token.is_none());
    }

    #[test]
    fn bad_values_are_refused_by_name() {
        let err = Config::from_lookup(|k| (k == FLOWS_RATE_LIMIT_STANDARD).then(|| "lots".into())).unwrap_err();
        assert_eq!(err.name, FLOWS_RATE_LIMIT_STANDARD);
        let err = Config::from_lookup(|k| (k == FLOWS_BACKEND).then(|| "postgres".into())).unwrap_err();
        assert_eq!(err.name, FLOWS_BACKEND);
    }

    #[test]
    fn the_admin_token_never_prints() {
        let c = Config::from_lookup(|k| (k == FLOWS_ADMIN_TOKEN).then(|| "s3cret".into())).unwrap();
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
