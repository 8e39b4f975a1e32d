//! The state every request shares, built once per process (outside the Lambda handler) by the composition root
//! ([`crate::app`]): configuration, and the ports (store, queue, resolver). The store and the queue are held as
//! [`AnyStore`] and [`AnyQueue`] (DynamoDB and SQS by their types, so that a function links only the calls it makes;
//! anything else behind `dyn`); everything below the composition root reaches them through the port traits.

use std::sync::Arc;

use crate::auth::KeySigner;
use crate::config::Config;
use crate::queue::any::AnyQueue;
use crate::store::any::AnyStore;
use crate::webhooks::ssrf::Resolver;

pub struct AppState {
    pub config: Config,
    pub store: AnyStore,
    pub queue: AnyQueue,
    /// Resolves webhook hosts for the SSRF guard; injectable because tests here have no DNS.
    pub resolver: Arc<dyn Resolver>,
    /// Signs new API keys and checks presented ones, with the deployment's key secret.
    pub signer: KeySigner,
}

impl AppState {
    pub fn new(
        config: Config,
        store: impl Into<AnyStore>,
        queue: impl Into<AnyQueue>,
        resolver: Arc<dyn Resolver>,
    ) -> Arc<Self> {
        let (store, queue) = (store.into(), queue.into());
        let signer = KeySigner::with_secrets(config.key_secrets().map(|s| s.as_bytes().to_vec()));
        Arc::new(Self { config, store, queue, resolver, signer })
    }

    /// The publisher of events, on this state's ports.
    pub fn publisher(&self) -> crate::webhooks::publish::Publisher<'_> {
        crate::webhooks::publish::Publisher { hooks: &self.store, outbox: &self.store, queue: &self.queue }
    }
}
