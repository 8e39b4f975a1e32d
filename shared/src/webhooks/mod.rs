//! Webhooks: publishing events to the queue (with the outbox behind it), delivering them (Standard Webhooks
//! signing, the SSRF guard, retries), and the consumer that runs deliveries.

pub mod consumer;
pub mod deliver;
pub mod publish;
pub mod signing;
pub mod ssrf;
