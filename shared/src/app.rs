//! The state every handler shares, built once per process (outside the Lambda handler): configuration, the
//! store, and the SDK clients behind it.

use std::sync::Arc;

use crate::config::{Backend, Config};
use crate::store::dynamo::DynamoStore;
use crate::store::memory::MemoryStore;
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

    /// Builds the state `config` describes: the in-memory store, or DynamoDB through the SDK's standard
    /// configuration (region, endpoint and credentials from the environment).
    pub async fn from_config(config: Config) -> Result<Arc<Self>, Box<dyn std::error::Error + Send + Sync>> {
        match config.backend {
            Backend::Memory => Ok(Self::in_memory(config)),
            Backend::Dynamodb => {
                let sdk = aws_config::load_from_env().await;
                let dynamo = DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), config.table_name.clone());
                Ok(Arc::new(Self { config, store: Arc::new(dynamo.clone()), dynamo: Some(dynamo) }))
            }
        }
    }
}
