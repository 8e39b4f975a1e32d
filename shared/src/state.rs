//! The state every request shares, built once per process (outside the Lambda handler) by the composition root
//! ([`crate::app`]): configuration, and the ports (store, queue, resolver) behind traits. Nothing below the
//! composition root knows which implementations they are.

use std::sync::Arc;

use crate::auth::KeySigner;
use crate::config::Config;
use crate::queue::Queue;
use crate::store::Store;
use crate::webhooks::ssrf::Resolver;

pub struct AppState {
    pub config: Config,
    pub store: Arc<dyn Store>,
    pub queue: Arc<dyn Queue>,
    /// Resolves webhook hosts for the SSRF guard; injectable because tests here have no DNS.
    pub resolver: Arc<dyn Resolver>,
    /// Signs new API keys and checks presented ones, with the deployment's key secret.
    pub signer: KeySigner,
}

impl AppState {
    pub fn new(config: Config, store: Arc<dyn Store>, queue: Arc<dyn Queue>, resolver: Arc<dyn Resolver>) -> Arc<Self> {
        let signer = KeySigner::with_secrets(config.key_secrets().map(|s| s.as_bytes().to_vec()));
        Arc::new(Self { config, store, queue, resolver, signer })
    }

    /// The publisher of events, on this state's ports.
    pub fn publisher(&self) -> crate::webhooks::publish::Publisher<'_> {
        crate::webhooks::publish::Publisher {
            hooks: self.store.as_ref(),
            outbox: self.store.as_ref(),
            queue: self.queue.as_ref(),
        }
    }
}
