//! Accepting connections and holding them to time limits.
//!
//! `axum::serve` gives hyper no timer, so hyper never enforces its
//! header-read timeout: a client that opens a connection and sends its
//! headers one byte a minute (or never finishes them) holds the
//! connection, and a socket, for as long as it likes, and a few thousand
//! such clients exhaust the server's file descriptors. This loop is
//! `axum::serve`'s, with the timer: a connection whose request headers
//! have not all arrived within `headers_within` is closed. (Slow bodies
//! are `requests::read_within_limits`' part, slow answers
//! `requests::answer_within`'s.)
//!
//! When `shutdown` completes, no new connection is accepted and the open
//! ones finish their requests, then close.

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::time::Duration;
use tokio::net::TcpListener;
use tower::ServiceExt;

/// Serves `router` on `listener` until `shutdown` completes, then waits for
/// the open connections to finish. Each request carries the peer's
/// address as `ConnectInfo<SocketAddr>`, as with axum's
/// `into_make_service_with_connect_info`.
pub async fn serve_connections(
    listener: TcpListener,
    router: Router,
    headers_within: Duration,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(headers_within);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, usually: wait a moment for
                    // some to close rather than spin on the error.
                    tracing::error!(%error, "accepting a connection failed");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        // Pages stream in several small writes; with Nagle's algorithm on,
        // the client's delayed acknowledgement held each streamed page back
        // about 40 ms (measured with scripts/bench-pages: p50 44 ms for the
        // home page against 8 ms for a page rendered whole). Send at once.
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "could not set TCP_NODELAY on a connection");
        }
        let service =
            router
                .clone()
                .map_request(move |mut request: axum::http::Request<Incoming>| {
                    request.extensions_mut().insert(ConnectInfo(peer));
                    request
                });
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // A client that went away, or was too slow with its headers.
            if let Err(error) = connection.await {
                tracing::debug!(%error, %peer, "a connection ended with an error");
            }
        });
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
