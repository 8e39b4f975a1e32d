//! The one TLS crypto provider of the process: rustls on ring, for the SDK clients ([`crate::aws`] names it) and
//! for reqwest (the webhook deliverer), which finds it installed. ring instead of aws-lc, the SDK's default: about
//! 300 KB less in every function zipped (aws-lc's code and tables), a faster build, and no entropy set-up on a
//! function's first handshake.

/// Installs ring as the process's rustls provider; a second call changes nothing.
pub fn install_provider() {
    // Err: a provider is installed already (this one: nothing else in the process installs another).
    let _already = rustls::crypto::ring::default_provider().install_default();
}
