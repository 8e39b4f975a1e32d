//! The state every handler shares, built once per process (outside the Lambda handler): configuration, the
//! store, and the SDK clients behind it.

use std::sync::Arc;

use crate::aws::AwsSettings;
use crate::config::{Backend, Config};
use crate::store::dynamo::DynamoStore;
use crate::store::memory::MemoryStore;
use crate::store::seed::Seed;
use crate::store::Store;

pub struct AppState {
    pub config: Config,
    pub store: Arc<dyn Store>,
    /// The DynamoDB store when that is the backend, for what only local runs do with it (creating the table).
    dynamo: Option<DynamoStore>,
}

impl AppState {
    pub fn new(config: Config, store: Arc<dyn Store>) -> Arc<Self> {
        Arc::new(Self { config, store, dynamo: None })
    }

    /// Creates the table when missing (`FLOWS_CREATE_RESOURCES=1`, local runs against moto). Only the local
    /// server calls this, so the Lambda binaries do not carry the table-management code.
    pub async fn create_resources(&self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        if let Some(dynamo) = &self.dynamo {
            dynamo.create_table_if_missing().await?;
        }
        Ok(())
    }

    /// An in-memory state with `config`.
    pub fn in_memory(config: Config) -> Arc<Self> {
        Self::new(config, Arc::new(MemoryStore::new()))
    }

    /// Builds the state `config` describes: the in-memory store (seeded from `FLOWS_SEED_FILE` when set), or
    /// DynamoDB with a client built from the standard AWS variables (see [`crate::aws`]).
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
                let dynamo = DynamoStore::new(aws.dynamodb(), config.table_name.clone());
                Ok(Arc::new(Self { config, store: Arc::new(dynamo.clone()), dynamo: Some(dynamo) }))
            }
        }
    }
}
