//! The `Host` a request names must be the service's own: the address it listens on, `localhost`
//! on a loopback address, or a name it was told (`--allow-host`). A web page that points a name
//! of its own at 127.0.0.1 (DNS rebinding) is refused, so a browser cannot be made to speak to
//! the service on a page's behalf. A request without `Host` (HTTP/1.0, which no browser sends)
//! is served.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

#[derive(Debug)]
pub struct AllowedHosts {
    listening: IpAddr,
    names: Vec<String>,
}

impl AllowedHosts {
    pub fn new(bound: SocketAddr, names: &[String]) -> AllowedHosts {
        let mut allowed: Vec<String> = names
            .iter()
            .map(|name| name.trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|name| !name.is_empty())
            .collect();
        if bound.ip().is_loopback() {
            allowed.push("localhost".into());
        }
        AllowedHosts {
            listening: bound.ip(),
            names: allowed,
        }
    }

    /// Whether `host` (a `Host` header's value, with or without a port) names this service.
    pub fn allows(&self, host: &str) -> bool {
        let name = host_name(host);
        if let Ok(address) = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            return address == self.listening
                || (self.listening.is_unspecified() && !address.is_unspecified())
                || (self.listening.is_loopback() && address.is_loopback());
        }
        let name = name.trim_end_matches('.').to_ascii_lowercase();
        self.names.contains(&name)
    }
}

/// The name part of `host[:port]`, `[v6]:port` or a bare IPv6 address.
fn host_name(host: &str) -> &str {
    let host = host.trim();
    if host.starts_with('[') {
        return host
            .split_once(']')
            .map_or(host, |(name, _)| &host[..=name.len()]);
    }
    match host.matches(':').count() {
        1 => host.split_once(':').map_or(host, |(name, _)| name),
        _ => host,
    }
}

pub async fn check(
    State(allowed): State<Arc<AllowedHosts>>,
    request: Request,
    next: Next,
) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|value| value.to_str());
    let refused = match host {
        None => false,
        Some(Ok(host)) => !allowed.allows(host),
        Some(Err(_)) => true,
    };
    if refused {
        return super::api::host_refused().into_response();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_services_own_names_pass() {
        let loopback = AllowedHosts::new(SocketAddr::from(([127, 0, 0, 1], 8417)), &[]);
        for good in [
            "127.0.0.1:8417",
            "127.0.0.1",
            "localhost:8417",
            "LOCALHOST",
            "[::1]:8417",
        ] {
            assert!(loopback.allows(good), "{good}");
        }
        for bad in [
            "evil.example:8417",
            "127.0.0.1.nip.io",
            "sesame.cabinet.fr",
            "[::]",
        ] {
            assert!(!loopback.allows(bad), "{bad}");
        }
        let named = AllowedHosts::new(
            SocketAddr::from(([192, 0, 2, 10], 8417)),
            &["Sesame.Cabinet.FR".into()],
        );
        assert!(named.allows("sesame.cabinet.fr:8417"));
        assert!(named.allows("192.0.2.10:8417"));
        assert!(!named.allows("localhost:8417"));
        assert!(!named.allows("192.0.2.11"));
        let everywhere = AllowedHosts::new(SocketAddr::from(([0, 0, 0, 0], 8417)), &[]);
        assert!(everywhere.allows("192.0.2.10:8417"));
        assert!(!everywhere.allows("rebound.example"));
    }
}
