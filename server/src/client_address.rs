//! Who is on the other end: the client's address, for the per-address
//! sign-in limits and the sign-in record.
//!
//! Behind a reverse proxy every connection comes from the proxy, and the
//! client's address is in `X-Forwarded-For`. That header is whatever the
//! sender wrote, so it is believed only from proxies the operator named
//! (`KILN_TRUSTED_PROXIES`): read from its right end, each address a
//! trusted proxy added is skipped, and the first one that is not a trusted
//! proxy is the client. A client that writes its own `X-Forwarded-For`
//! only adds entries to the left of the ones the proxies append, so it
//! cannot choose the address Kiln counts it under.

use app::access::ClientAddress;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};
use std::str::FromStr;

/// The proxies whose `X-Forwarded-For` Kiln believes: addresses and
/// ranges (`10.0.0.5`, `10.0.0.0/8`, `::1`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

/// A `KILN_TRUSTED_PROXIES` entry that is neither an address nor a range.
#[derive(Debug, thiserror::Error)]
#[error("“{entry}” is not an IP address or a range like 10.0.0.0/8")]
pub struct InvalidProxy {
    /// The entry as written.
    pub entry: String,
}

impl FromStr for TrustedProxies {
    type Err = InvalidProxy;

    /// Parses a comma-separated list; an empty one trusts no proxy.
    fn from_str(text: &str) -> Result<Self, InvalidProxy> {
        text.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(|entry| {
                IpNet::from_str(entry)
                    .or_else(|_| IpAddr::from_str(entry).map(IpNet::from))
                    .map_err(|_| InvalidProxy {
                        entry: entry.to_owned(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }
}

impl TrustedProxies {
    fn trusts(&self, address: IpAddr) -> bool {
        self.0.iter().any(|range| range.contains(&address))
    }

    /// The client's address for a connection from `peer` carrying the
    /// `X-Forwarded-For` values `forwarded_for` (in the order they came).
    pub fn client_of<'a>(
        &self,
        peer: IpAddr,
        forwarded_for: impl Iterator<Item = &'a str>,
    ) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let entries: Vec<&str> = forwarded_for
            .flat_map(|value| value.split(','))
            .map(str::trim)
            .collect();
        let mut client = peer;
        for entry in entries.iter().rev() {
            // An entry that is not an address was not written by a proxy
            // of ours: the last address a trusted proxy vouched for stands.
            let Ok(address) = IpAddr::from_str(entry) else {
                return client;
            };
            client = address;
            if !self.trusts(address) {
                return address;
            }
        }
        client
    }
}

/// Puts the client's [`ClientAddress`] into the request's extensions, for
/// the guard and the server functions.
pub async fn find_client_address(
    State(proxies): State<TrustedProxies>,
    mut request: Request,
    next: Next,
) -> Response {
    let peer = request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| address.ip());
    if let Some(peer) = peer {
        let forwarded = request
            .headers()
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok());
        let client = proxies.client_of(peer, forwarded);
        request.extensions_mut().insert(ClientAddress(client));
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("an address")
    }

    #[test]
    fn without_trusted_proxies_the_connection_s_address_is_the_client_whatever_the_header_says() {
        let proxies = TrustedProxies::default();
        assert_eq!(
            proxies.client_of(ip("203.0.113.9"), ["198.51.100.1"].into_iter()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn behind_a_trusted_proxy_the_address_it_appended_is_the_client() {
        let proxies: TrustedProxies = "10.0.0.0/8, ::1".parse().expect("valid");
        assert_eq!(
            proxies.client_of(ip("10.0.0.5"), ["203.0.113.9"].into_iter()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_client_that_writes_its_own_forwarded_for_cannot_choose_its_address() {
        let proxies: TrustedProxies = "10.0.0.5".parse().expect("valid");
        // The client wrote 1.2.3.4; the proxy appended the real address.
        assert_eq!(
            proxies.client_of(ip("10.0.0.5"), ["1.2.3.4, 203.0.113.9"].into_iter()),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_chain_of_trusted_proxies_is_walked_to_the_first_untrusted_address() {
        let proxies: TrustedProxies = "10.0.0.0/8".parse().expect("valid");
        assert_eq!(
            proxies.client_of(
                ip("10.0.0.5"),
                ["203.0.113.9, 10.1.1.1", "10.2.2.2"].into_iter()
            ),
            ip("203.0.113.9")
        );
    }

    #[test]
    fn a_garbled_entry_leaves_the_last_address_a_trusted_proxy_vouched_for() {
        let proxies: TrustedProxies = "10.0.0.0/8".parse().expect("valid");
        assert_eq!(
            proxies.client_of(ip("10.0.0.5"), ["<script>, 10.1.1.1"].into_iter()),
            ip("10.1.1.1")
        );
    }

    #[test]
    fn an_entry_that_is_no_address_is_refused_with_its_text() {
        let refused = "10.0.0.0/8, proxy.example".parse::<TrustedProxies>();
        assert_eq!(
            refused.map_err(|error| error.to_string()),
            Err("“proxy.example” is not an IP address or a range like 10.0.0.0/8".to_owned())
        );
    }
}
