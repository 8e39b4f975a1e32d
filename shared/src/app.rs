//! The state every handler shares, built once per process (outside the Lambda handler): configuration, the
//! store and the queue, and the SDK clients behind them.

use std::sync::Arc;
use std::time::Duration;

use crate::aws::AwsSettings;
use crate::config::{Backend, Config};
use crate::queue::memory::MemoryQueue;
use crate::queue::sqs::{SqsQueue, MAX_RECEIVE_COUNT};
use crate::queue::Queue;
use crate::store::dynamo::DynamoStore;
use crate::store::memory::MemoryStore;
use crate::store::seed::Seed;
use crate::store::Store;
use crate::webhooks::ssrf::{Resolver, SystemResolver};

pub struct AppState {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub queue: Arc<dyn Queue>,
    /// Resolves webhook hosts for the SSRF guard; injectable because tests here have no DNS.
    pub resolver: Arc<dyn Resolver>,
}

/// The in-memory queue's visibility timeout, as the SQS queue's in `template.yaml`.
const MEMORY_VISIBILITY: Duration = Duration::from_secs(360);

impl AppState {
    /// A state on `store`, with an in-memory queue.
    pub fn new(config: Config, store: Arc<dyn Store>) -> Arc<Self> {
        Self::with_queue(config, store, Arc::new(MemoryQueue::new(MEMORY_VISIBILITY, MAX_RECEIVE_COUNT)))
    }

    pub fn with_queue(config: Config, store: Arc<dyn Store>, queue: Arc<dyn Queue>) -> Arc<Self> {
        Self::with_parts(config, store, queue, Arc::new(SystemResolver))
    }

    pub fn with_parts(
        config: Config,
        store: Arc<dyn Store>,
        queue: Arc<dyn Queue>,
        resolver: Arc<dyn Resolver>,
    ) -> Arc<Self> {
        Arc::new(Self { config, store, queue, resolver })
    }

    /// An in-memory state with `config`.
    pub fn in_memory(config: Config) -> Arc<Self> {
        Self::new(config, Arc::new(MemoryStore::new()))
    }

    /// Builds the state `config` describes: the in-memory store and queue (the store seeded from
    /// `FLOWS_SEED_FILE` when set), or DynamoDB and SQS with clients built from the standard AWS variables (see
    /// [`crate::aws`]).
    pub async fn from_config(config: Config) -> Result<Arc<Self>, Box<dyn std::error::Error + Send + Sync>> {
        match config.backend {
            Backend::Memory => match &config.seed_file {
                None => Ok(Self::in_memory(config)),
                Some(path) => {
                    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
                    let store = MemoryStore::from_seed(Seed::from_json(&text)?)?;
                    Ok(Self::new(config, Arc::new(store)))
                }
            },
            Backend::Dynamodb => {
                let aws = AwsSettings::from_env()?;
                let store = DynamoStore::new(aws.dynamodb(), config.table_name.clone());
                let queue = SqsQueue::connect(aws.sqs(), &config.queue, Some(&config.dead_letter_queue)).await?;
                Ok(Self::with_queue(config, Arc::new(store), Arc::new(queue)))
            }
        }
    }
}
