//! The accept loop: serves a router over TCP with a header-read timeout and a connection cap.
//!
//! `axum::serve` has neither, so a client that opens connections and sends half a request holds
//! them (and their memory) for as long as it likes. Here every connection needs a permit from a
//! fixed pool before it is accepted, and hyper drops one that hasn't sent a whole request head in
//! time (the same timer closes keep-alive connections that sit idle between requests).

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use axum::http::{HeaderMap, HeaderName, Request};
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, watch};
use tower::Service as _;

use crate::config::Config;

/// How connections are taken: limits, and where the caller's address comes from.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The longest a connection may take to send a request's line and headers, and the longest
    /// an idle keep-alive connection stays open.
    pub header_read_timeout: Duration,
    /// Connections open at once; further ones wait in the listen queue until one closes.
    pub max_connections: u32,
    /// A header set by a trusted reverse proxy carrying the caller's address (its last
    /// comma-separated entry, the one the proxy itself added). `None`: the peer address.
    pub client_ip_header: Option<HeaderName>,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            header_read_timeout: Duration::from_secs(10),
            max_connections: 1024,
            client_ip_header: None,
        }
    }
}

impl ServeOptions {
    pub fn from_config(config: &Config) -> ServeOptions {
        ServeOptions {
            header_read_timeout: config.header_read_timeout,
            max_connections: config.max_connections,
            client_ip_header: config.client_ip_header.clone(),
        }
    }
}

/// Serves `router` on `listener` until `shutdown` resolves, then stops accepting, lets the open
/// connections finish their requests, and returns once they are closed. Requests carry
/// [`ConnectInfo<SocketAddr>`], so the per-address login limits apply.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    options: ServeOptions,
    shutdown: impl Future<Output = ()> + Send,
) {
    let max = options.max_connections.max(1);
    let permits = Arc::new(Semaphore::new(max as usize));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut http1 = hyper::server::conn::http1::Builder::new();
    http1
        .timer(TokioTimer::new())
        .header_read_timeout(options.header_read_timeout);
    let client_ip_header = Arc::new(options.client_ip_header);
    let mut shutdown = pin!(shutdown);
    loop {
        // The permit comes first: at the cap, connections stay unaccepted in the kernel's queue.
        let permit = tokio::select! {
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    accept_failed(e).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let connection = Connection {
            stream,
            peer,
            router: router.clone(),
            client_ip_header: client_ip_header.clone(),
            _permit: permit,
        };
        tokio::spawn(connection.run(http1.clone(), stop_rx.clone()));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every open connection holds a permit: having them all back means every one has closed.
    let _ = permits.acquire_many(max).await;
}

/// One accepted connection and the permit it holds until it closes.
struct Connection {
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    client_ip_header: Arc<Option<HeaderName>>,
    _permit: OwnedSemaphorePermit,
}

impl Connection {
    async fn run(
        self,
        http1: hyper::server::conn::http1::Builder,
        mut stop: watch::Receiver<bool>,
    ) {
        let Connection {
            stream,
            peer,
            router,
            client_ip_header,
            _permit,
        } = self;
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            let client = (*client_ip_header)
                .as_ref()
                .and_then(|name| forwarded_ip(req.headers(), name))
                .map_or(peer, |ip| SocketAddr::new(ip, peer.port()));
            req.extensions_mut().insert(ConnectInfo(client));
            router.clone().call(req)
        });
        let mut conn = pin!(http1.serve_connection(TokioIo::new(stream), service));
        let result = tokio::select! {
            result = conn.as_mut() => result,
            () = stopped(&mut stop) => {
                // Finishes the request in flight, if any, then closes.
                conn.as_mut().graceful_shutdown();
                conn.await
            }
        };
        if let Err(e) = result {
            tracing::debug!(error = %e, %peer, "connection ended with an error");
        }
    }
}

/// Resolves once the server stops (or is gone); holds no borrow of the channel afterwards.
async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|stop| *stop).await;
}

/// The caller's address from a proxy's header: the last entry, the one our proxy added (earlier
/// entries come from the client and prove nothing).
fn forwarded_ip(headers: &HeaderMap, name: &HeaderName) -> Option<IpAddr> {
    let last = headers.get_all(name).iter().next_back()?;
    let entry = last.to_str().ok()?.rsplit(',').next()?.trim();
    entry
        .parse::<IpAddr>()
        .ok()
        .or_else(|| entry.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

/// A failed accept: the peer gave up (carry on), or the process is out of descriptors or memory
/// (wait a moment rather than spin).
async fn accept_failed(e: std::io::Error) {
    use std::io::ErrorKind;
    if matches!(
        e.kind(),
        ErrorKind::ConnectionAborted | ErrorKind::ConnectionReset | ErrorKind::ConnectionRefused
    ) {
        return;
    }
    tracing::warn!(error = %e, "accepting a connection failed");
    tokio::time::sleep(Duration::from_secs(1)).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_proxy_s_own_entry_counts() {
        let name = HeaderName::from_static("x-forwarded-for");
        let mut headers = HeaderMap::new();
        assert_eq!(forwarded_ip(&headers, &name), None);
        headers.append(
            &name,
            "6.6.6.6, 203.0.113.7"
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(forwarded_ip(&headers, &name), "203.0.113.7".parse().ok());
        headers.append(
            &name,
            "[2001:db8::1]:4711"
                .parse()
                .unwrap_or_else(|_| unreachable!()),
        );
        assert_eq!(forwarded_ip(&headers, &name), "2001:db8::1".parse().ok());
        headers.append(&name, "unknown".parse().unwrap_or_else(|_| unreachable!()));
        assert_eq!(forwarded_ip(&headers, &name), None);
    }
}
