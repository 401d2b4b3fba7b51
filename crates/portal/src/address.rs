//! The client a request comes from, as rate limits count it: the TCP peer, or behind trusted
//! reverse proxies (`portal.trusted_proxies`) the hop they vouch for in `X-Forwarded-For`.

use crate::state::State;
use actix_web::HttpRequest;
use anyhow::Context;
use std::net::IpAddr;

pub(crate) fn parse_trusted_proxies(entries: &[String]) -> anyhow::Result<Vec<ipnet::IpNet>> {
    entries
        .iter()
        .map(|entry| {
            let entry = entry.trim();
            entry
                .parse::<ipnet::IpNet>()
                .or_else(|_| entry.parse::<IpAddr>().map(ipnet::IpNet::from))
                .with_context(|| {
                    format!("portal.trusted_proxies: {entry:?} is not an IP address or CIDR range")
                })
        })
        .collect()
}

/// The client a request comes from. Behind trusted proxies each proxy appends the address it
/// got the request from to `X-Forwarded-For`; everything left of the last untrusted hop was
/// written by the client and proves nothing. So: the TCP peer unless it is a trusted proxy,
/// else the rightmost `X-Forwarded-For` hop that is not a trusted proxy.
pub fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: &[&str],
    trusted: &[ipnet::IpNet],
) -> String {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    let Some(peer) = peer else {
        return "unknown".to_owned();
    };
    if !is_trusted(&peer) {
        return peer.to_string();
    }
    let mut hops = forwarded_for
        .iter()
        .flat_map(|header| header.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .rev();
    let mut last_trusted = peer;
    for hop in hops.by_ref() {
        match hop.parse::<IpAddr>() {
            Ok(ip) if is_trusted(&ip) => last_trusted = ip,
            Ok(ip) => return ip.to_string(),
            // Not an address: written by the client (or a broken proxy); count it as the hop
            // we last trusted, which is where it came from.
            Err(_) => return last_trusted.to_string(),
        }
    }
    last_trusted.to_string()
}

impl State {
    /// The client address rate limits count (see [`client_address`]).
    pub(crate) fn client_address(&self, request: &HttpRequest) -> String {
        let forwarded: Vec<&str> = request
            .headers()
            .get_all("x-forwarded-for")
            .filter_map(|v| v.to_str().ok())
            .collect();
        client_address(
            request.peer_addr().map(|a| a.ip()),
            &forwarded,
            &self.trusted_proxies,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    #[test]
    fn a_client_cannot_choose_its_address_with_x_forwarded_for() {
        let proxies =
            parse_trusted_proxies(&["10.0.0.0/8".into(), "192.0.2.1".into()]).expect("proxies");
        // The attack: the client writes its own leftmost hop to get a fresh rate-limit bucket.
        // The proxy appends the real peer, which is what counts.
        assert_eq!(
            client_address(Some(ip("10.1.2.3")), &["1.2.3.4, 203.0.113.9"], &proxies),
            "203.0.113.9"
        );
        // Two trusted proxies in a row: still the rightmost untrusted hop.
        assert_eq!(
            client_address(
                Some(ip("192.0.2.1")),
                &["6.6.6.6, 203.0.113.9", "10.9.9.9"],
                &proxies
            ),
            "203.0.113.9"
        );
        // Straight from the internet (not a trusted proxy): the header is ignored.
        assert_eq!(
            client_address(Some(ip("198.51.100.7")), &["1.2.3.4"], &proxies),
            "198.51.100.7"
        );
        // No proxies configured (the default): always the TCP peer.
        assert_eq!(
            client_address(Some(ip("10.1.2.3")), &["1.2.3.4"], &[]),
            "10.1.2.3"
        );
        // Garbage in the header counts as the hop that brought it.
        assert_eq!(
            client_address(Some(ip("10.1.2.3")), &["nonsense"], &proxies),
            "10.1.2.3"
        );
        assert!(parse_trusted_proxies(&["not-an-ip".into()]).is_err());
    }
}
