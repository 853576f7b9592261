//! Accepting connections within bounds: a cap on open connections below the process's file
//! limit, a smaller cap per client address (so one address cannot hold every socket), a time
//! limit for a request's headers (a client trickling them is cut off), and one for a connection
//! with nothing moving (an idle keep-alive is closed). HTTP/1.1 through hyper; the requests go
//! to the axum router with the client's address attached.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tower::ServiceExt;

use super::guard::ClientId;

/// The bounds, from the command line.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub max_connections: usize,
    pub max_per_client: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
}

/// File descriptors kept for the stores (each SQLite connection holds the file, its journal and
/// its shared memory), the listener and the standard streams.
const DESCRIPTORS_KEPT: u64 = 128;

/// At most `wanted`, and always below the process's open-file limit.
pub fn connection_cap(wanted: usize) -> usize {
    let limit = open_file_limit().unwrap_or(1024);
    let room = usize::try_from(limit.saturating_sub(DESCRIPTORS_KEPT)).unwrap_or(usize::MAX);
    wanted.min(room).max(1)
}

#[cfg(unix)]
fn open_file_limit() -> Option<u64> {
    nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        .ok()
        .map(|(soft, _)| soft)
}

#[cfg(not(unix))]
fn open_file_limit() -> Option<u64> {
    None
}

/// Open connections, in all and per client.
struct Open {
    total: usize,
    per_client: HashMap<ClientId, usize>,
}

/// One admitted connection; its place is given back when dropped.
struct Place {
    open: Arc<Mutex<Open>>,
    client: ClientId,
}

impl Drop for Place {
    fn drop(&mut self) {
        if let Ok(mut open) = self.open.lock() {
            open.total = open.total.saturating_sub(1);
            if let Some(count) = open.per_client.get_mut(&self.client) {
                *count = count.saturating_sub(1);
                if *count == 0 {
                    open.per_client.remove(&self.client);
                }
            }
        }
    }
}

fn admit(open: &Arc<Mutex<Open>>, limits: &Limits, client: ClientId) -> Option<Place> {
    let mut counts = open.lock().ok()?;
    let of_client = counts.per_client.get(&client).copied().unwrap_or(0);
    if counts.total >= limits.max_connections || of_client >= limits.max_per_client {
        return None;
    }
    counts.total += 1;
    counts.per_client.insert(client, of_client + 1);
    Some(Place {
        open: Arc::clone(open),
        client,
    })
}

/// Serves `router` on `listener` until `shutdown` resolves, then lets open requests finish for
/// a few seconds.
pub async fn serve(
    listener: TcpListener,
    router: Router,
    limits: Limits,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let open = Arc::new(Mutex::new(Open {
        total: 0,
        per_client: HashMap::new(),
    }));
    let (stop, stopping) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                // Out of descriptors or a connection reset before accept: wait a little rather
                // than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
        };
        let Some(place) = admit(&open, &limits, ClientId::of(peer.ip())) else {
            // Over a cap: closed at once, before reading anything.
            drop(stream);
            continue;
        };
        let router = router.clone();
        let stopping = stopping.clone();
        tokio::spawn(async move {
            connection(stream, peer, router, limits, stopping).await;
            drop(place);
        });
    }
    let _ = stop.send(true);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && open.lock().is_ok_and(|open| open.total > 0) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    mut stopping: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let started = Instant::now();
    let last_activity = Arc::new(AtomicU64::new(0));
    let stream = Watched {
        inner: stream,
        started,
        last_activity: Arc::clone(&last_activity),
    };
    let service = router.map_request(move |mut request: axum::http::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        request
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(64 * 1024);
    let connection =
        builder.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
    tokio::pin!(connection);
    let tick = (limits.idle_timeout / 4).max(Duration::from_millis(50));
    let mut closing: Option<Instant> = None;
    loop {
        tokio::select! {
            _ = connection.as_mut() => return,
            _ = stopping.changed(), if closing.is_none() => {
                connection.as_mut().graceful_shutdown();
                closing = Some(Instant::now());
            }
            () = tokio::time::sleep(tick) => {
                if let Some(since) = closing {
                    // A request that does not finish after the close was asked: cut off.
                    if since.elapsed() > Duration::from_secs(5) {
                        return;
                    }
                    continue;
                }
                let idle_since = Duration::from_millis(last_activity.load(Ordering::Relaxed));
                if started.elapsed().saturating_sub(idle_since) > limits.idle_timeout {
                    connection.as_mut().graceful_shutdown();
                    closing = Some(Instant::now());
                }
            }
        }
    }
}

/// A socket that notes when bytes last moved, for the idle limit.
struct Watched {
    inner: TcpStream,
    started: Instant,
    last_activity: Arc<AtomicU64>,
}

impl Watched {
    fn moved(&self) {
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_activity.store(now, Ordering::Relaxed);
    }
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        buffer: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buffer.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(context, buffer);
        if buffer.filled().len() > before {
            self.moved();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let polled = Pin::new(&mut self.inner).poll_write(context, data);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.moved();
        }
        polled
    }

    fn poll_flush(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(context)
    }

    fn poll_shutdown(
        mut self: Pin<&mut Self>,
        context: &mut Context<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(context)
    }
}
