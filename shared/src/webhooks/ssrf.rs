//! The SSRF guard: outside local mode a webhook URL must be https and every address its host resolves to must be
//! public: not loopback, private, shared (100.64.0.0/10), link-local (169.254.0.0/16 included), unique-local
//! (fc00::/7), multicast or unspecified, nor an IPv4-mapped IPv6 form of one. It is checked when an endpoint is
//! saved and again at delivery, on the very addresses the connection may use (the resolver below is the HTTP
//! client's), so a DNS answer that changes in between cannot slip through. Local mode also allows loopback
//! and http, so that a developer can receive webhooks on their own machine.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;

use async_trait::async_trait;

pub const MAX_URL_LEN: usize = 2048;

/// Host names to addresses. Injectable: tests here have no DNS.
#[async_trait]
pub trait Resolver: Send + Sync {
    async fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>>;
}

/// The operating system's resolver.
pub struct SystemResolver;

#[async_trait]
impl Resolver for SystemResolver {
    async fn resolve(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        Ok(tokio::net::lookup_host((host, port)).await?.collect())
    }
}

fn v4_forbidden(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_multicast()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || a == 0
        || (a == 100 && (64..=127).contains(&b))
        // IETF protocol assignments (192.0.0.0/24) and benchmarking (198.18.0.0/15).
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19))
        || a >= 240
}

fn v6_forbidden(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return v4_forbidden(v4);
    }
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // Deprecated site-local (fec0::/10) and local-use NAT64 (64:ff9b:1::/48).
        || (first & 0xffc0) == 0xfec0
        || ip.segments()[..3] == [0x64, 0xff9b, 1]
        // IPv4-compatible (deprecated) and NAT64 forms of an IPv4 address: judged by that address.
        || (ip.segments()[..6] == [0; 6] && v4_forbidden(Ipv4Addr::from(ip.to_bits() as u32)))
        || (ip.segments()[..6] == [0x64, 0xff9b, 0, 0, 0, 0] && v4_forbidden(Ipv4Addr::from(ip.to_bits() as u32)))
}

/// Whether deliveries may never go to `ip` (outside local mode).
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => v4_forbidden(v4),
        IpAddr::V6(v6) => v6_forbidden(v6),
    }
}

/// Whether `ip` may receive deliveries: any public address; in local mode loopback too.
pub fn allowed(ip: IpAddr, local_mode: bool) -> bool {
    !is_forbidden(ip)
        || (local_mode && ip.is_loopback())
        || (local_mode && matches!(ip, IpAddr::V6(v6) if v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())))
}

/// The ports deliveries may go to outside local mode: HTTPS's, and its common alternative.
pub const ALLOWED_PORTS: &[u16] = &[443, 8443];

/// Checks a webhook URL's shape: absolute, https (http too in local mode), a host, no credentials, at most
/// [`MAX_URL_LEN`] characters, and outside local mode a port of [`ALLOWED_PORTS`].
pub fn check_url(raw: &str, local_mode: bool) -> Result<url::Url, String> {
    if raw.len() > MAX_URL_LEN {
        return Err(format!("must be at most {MAX_URL_LEN} characters"));
    }
    let url = url::Url::parse(raw).map_err(|_| "must be an absolute URL".to_owned())?;
    match url.scheme() {
        "https" => {}
        "http" if local_mode => {}
        _ if local_mode => return Err("must be an http or https URL".into()),
        _ => return Err("must be an https URL".into()),
    }
    if url.host().is_none() {
        return Err("must name a host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not carry credentials".into());
    }
    if !local_mode && !url.port_or_known_default().is_some_and(|port| ALLOWED_PORTS.contains(&port)) {
        return Err("must use port 443 or 8443".into());
    }
    Ok(url)
}

/// Resolves the URL's host and checks every address; returns the addresses a delivery may connect to.
pub async fn check_destination(
    url: &url::Url,
    resolver: &dyn Resolver,
    local_mode: bool,
) -> Result<Vec<SocketAddr>, String> {
    let port = url.port_or_known_default().unwrap_or(443);
    let addrs = match url.host() {
        Some(url::Host::Ipv4(ip)) => vec![SocketAddr::new(IpAddr::V4(ip), port)],
        Some(url::Host::Ipv6(ip)) => vec![SocketAddr::new(IpAddr::V6(ip), port)],
        Some(url::Host::Domain(host)) => {
            resolver.resolve(host, port).await.map_err(|_| format!("host '{host}' does not resolve"))?
        }
        None => return Err("must name a host".into()),
    };
    if addrs.is_empty() {
        return Err("host does not resolve".into());
    }
    if let Some(bad) = addrs.iter().find(|a| !allowed(a.ip(), local_mode)) {
        return Err(format!("resolves to {}, which is not a public address", bad.ip()));
    }
    Ok(addrs)
}

/// The HTTP client's resolver: every name is resolved through the injectable resolver and checked, so a
/// delivery connects only to addresses the guard allowed.
pub struct GuardedResolver {
    pub inner: Arc<dyn Resolver>,
    pub local_mode: bool,
}

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let inner = self.inner.clone();
        let local_mode = self.local_mode;
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let addrs = inner.resolve(&host, 0).await?;
            let allowed: Vec<SocketAddr> = addrs.into_iter().filter(|a| allowed(a.ip(), local_mode)).collect();
            if allowed.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(allowed.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_special_addresses_are_forbidden() {
        for bad in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "100.64.0.1",
            "100.127.255.255",
            "169.254.169.254",
            "224.0.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fd12::1",
            "fe80::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "::ffff:169.254.169.254",
            "64:ff9b::a9fe:a9fe",
            "192.0.0.8",
            "198.18.0.1",
            "198.19.255.255",
            "64:ff9b:1::1",
            "fec0::1",
            "feff::1",
        ] {
            assert!(is_forbidden(bad.parse().unwrap()), "{bad} should be forbidden");
        }
        for good in [
            "93.184.216.34",
            "8.8.8.8",
            "100.63.255.255",
            "100.128.0.1",
            "172.32.0.1",
            "2606:4700::1111",
            "::ffff:8.8.8.8",
            "192.0.1.1",
            "198.20.0.1",
            "64:ff9b:2::1",
        ] {
            assert!(!is_forbidden(good.parse().unwrap()), "{good} should be allowed");
        }
    }

    #[test]
    fn local_mode_allows_loopback_only() {
        assert!(allowed("127.0.0.1".parse().unwrap(), true));
        assert!(allowed("::1".parse().unwrap(), true));
        assert!(!allowed("127.0.0.1".parse().unwrap(), false));
        assert!(!allowed("10.0.0.1".parse().unwrap(), true));
    }

    #[test]
    fn urls_must_be_https_with_a_host_and_no_credentials() {
        assert!(check_url("https://hooks.example.com/x", false).is_ok());
        assert!(check_url("http://hooks.example.com/x", false).is_err());
        assert!(check_url("http://127.0.0.1:9000/x", true).is_ok());
        assert!(check_url("ftp://example.com", true).is_err());
        assert!(check_url("https://user:pw@example.com", false).is_err());
        assert!(check_url("not a url", false).is_err());
        assert!(check_url(&format!("https://example.com/{}", "a".repeat(MAX_URL_LEN)), false).is_err());
        assert!(check_url("https://example.com:8443/x", false).is_ok());
        assert!(check_url("https://example.com:22/x", false).is_err());
        assert!(check_url("https://example.com:6379/x", false).is_err());
        assert!(check_url("http://127.0.0.1:6379/x", true).is_ok(), "local mode takes any port");
    }
}
