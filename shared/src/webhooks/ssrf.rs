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

/// The IPv4 addresses an IPv6 address carries inside it, by every form that embeds one: IPv4-mapped
/// (`::ffff:a.b.c.d`), IPv4-translated (`::ffff:0:a.b.c.d`), IPv4-compatible (`::a.b.c.d`, deprecated), NAT64
/// (`64:ff9b::/96`), 6to4 (`2002:AABB:CCDD::/48`), Teredo (`2001:0::/32`: the server's address, and the client's
/// stored inverted) and ISATAP interface identifiers (`…:0:5efe:a.b.c.d`, `…:200:5efe:a.b.c.d`).
pub fn embedded_v4(ip: Ipv6Addr) -> Vec<Ipv4Addr> {
    let s = ip.segments();
    let bits = ip.to_bits();
    let low = Ipv4Addr::from(bits as u32);
    let mut found = Vec::new();
    if s[..5] == [0; 5] && (s[5] == 0xffff || s[5] == 0) {
        found.push(low);
    }
    if s[..4] == [0; 4] && s[4] == 0xffff && s[5] == 0 {
        found.push(low);
    }
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        found.push(low);
    }
    if s[0] == 0x2002 {
        found.push(Ipv4Addr::from((u32::from(s[1]) << 16) | u32::from(s[2])));
    }
    if s[0] == 0x2001 && s[1] == 0 {
        found.push(Ipv4Addr::from((u32::from(s[2]) << 16) | u32::from(s[3])));
        found.push(Ipv4Addr::from(!(bits as u32)));
    }
    if (s[4] & 0xfdff) == 0 && s[5] == 0x5efe {
        found.push(low);
    }
    found
}

fn v6_forbidden(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        // Deprecated site-local (fec0::/10), local-use NAT64 (64:ff9b:1::/48) and documentation (2001:db8::/32).
        || (first & 0xffc0) == 0xfec0
        || ip.segments()[..3] == [0x64, 0xff9b, 1]
        || ip.segments()[..2] == [0x2001, 0xdb8]
        // Every form that carries an IPv4 address is judged by that address too.
        || embedded_v4(ip).into_iter().any(v4_forbidden)
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
    fn every_ipv6_form_that_embeds_a_forbidden_ipv4_address_is_forbidden() {
        // GIVEN the metadata address and a private one, in each IPv6 form that carries an IPv4 address
        for bad in [
            "::ffff:0:169.254.169.254", // IPv4-translated
            "::ffff:0:a9fe:a9fe",
            "::169.254.169.254", // IPv4-compatible
            "2002:a9fe:a9fe::",  // 6to4
            "2002:0a00:0001::1",
            "2001:0:a9fe:a9fe::1",                  // Teredo: the server's address
            "2001:0:4136:e378:8000:63bf:5601:5601", // Teredo: the client's, inverted (169.254.169.254)
            "fe80::5efe:a9fe:a9fe",                 // ISATAP
            "2606:4700::200:5efe:a00:1",
            "2001:db8::1", // documentation
        ] {
            // THEN each is judged by the IPv4 address inside it
            assert!(is_forbidden(bad.parse().unwrap()), "{bad} should be forbidden");
        }
        // AND the same forms around public addresses stay allowed
        for good in
            ["::ffff:0:8.8.8.8", "2002:0808:0808::1", "2001:0:4136:e378:8000:63bf:f7f7:f7f7", "2606:4700::5efe:808:808"]
        {
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
