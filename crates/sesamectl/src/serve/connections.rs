//! Accepting connections within bounds: a cap on open connections below the process's file
//! limit, a smaller cap per client address (so one address cannot hold every socket), a fair
//! share at the cap (a new address takes the place of the busiest address's quietest
//! connection, so a few addresses reopening connections cannot keep others out), a time
//! limit for a request's headers (a client trickling them is cut off), and one for a connection
//! with nothing moving (an idle keep-alive is closed). HTTP/1.1 through hyper; the requests go
//! to the axum router with the client's address attached.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
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
use tokio::sync::{Notify, watch};
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

/// Connections asked to close to make room for a newcomer, and not closed yet, at most: each
/// holds a descriptor beyond the cap until it is gone (an idle one goes at once; one answering a
/// request finishes it, for at most five seconds).
const CLOSING_AT_MOST: usize = 64;

/// Open connections, in all and per client.
struct Open {
    total: usize,
    clients: HashMap<ClientId, Vec<Arc<Held>>>,
    /// Connections evicted for a newcomer, no longer counted in `total`, still open.
    closing: usize,
}

/// What the admission knows of one open connection.
struct Held {
    /// Microseconds since the service started when bytes last moved on it: after a read, before
    /// a write, so that a client's later connection is always seen as more recent.
    last_moved: AtomicU64,
    /// Requests it is answering now.
    busy: AtomicUsize,
    evicted: AtomicBool,
    /// Told when the connection must close to make room for another client.
    close: Notify,
}

impl Held {
    fn idle(&self) -> bool {
        self.busy.load(Ordering::Relaxed) == 0
    }
}

impl Open {
    /// Gives back the place `held` of `client` holds (closed, or evicted for a newcomer).
    fn release(&mut self, client: ClientId, held: &Arc<Held>) {
        self.total = self.total.saturating_sub(1);
        if let Some(places) = self.clients.get_mut(&client) {
            places.retain(|other| !Arc::ptr_eq(other, held));
            if places.is_empty() {
                self.clients.remove(&client);
            }
        }
    }
}

/// One admitted connection; its place is given back when dropped.
struct Place {
    open: Arc<Mutex<Open>>,
    client: ClientId,
    held: Arc<Held>,
}

impl Drop for Place {
    fn drop(&mut self) {
        let Ok(mut open) = self.open.lock() else {
            return;
        };
        if self.held.evicted.load(Ordering::Relaxed) {
            open.closing = open.closing.saturating_sub(1);
        } else {
            open.release(self.client, &self.held);
        }
    }
}

/// A place for a connection from `client`, or `None` when it must be closed at once.
///
/// Below the total cap, a client gets up to its own cap. At the total cap, a client holding
/// less than a fair share (the cap divided among the clients connected, itself included) takes
/// the place of a connection of the client holding the most, idle ones first, the one quiet
/// longest first: a few addresses reopening connections cannot keep a new one out.
fn admit(open: &Arc<Mutex<Open>>, limits: &Limits, client: ClientId, now_us: u64) -> Option<Place> {
    let mut counts = open.lock().ok()?;
    let of_client = counts.clients.get(&client).map_or(0, Vec::len);
    if of_client >= limits.max_per_client {
        return None;
    }
    if counts.total >= limits.max_connections {
        if counts.closing >= CLOSING_AT_MOST {
            return None;
        }
        let newcomer = usize::from(of_client == 0);
        let fair_share = limits.max_connections / (counts.clients.len() + newcomer).max(1);
        if of_client >= fair_share {
            return None;
        }
        let (owner, victim) = evictable(&counts.clients, of_client + 1)?;
        victim.evicted.store(true, Ordering::Relaxed);
        victim.close.notify_one();
        counts.release(owner, &victim);
        counts.closing += 1;
    }
    let held = Arc::new(Held {
        last_moved: AtomicU64::new(now_us),
        busy: AtomicUsize::new(0),
        evicted: AtomicBool::new(false),
        close: Notify::new(),
    });
    counts.total += 1;
    counts
        .clients
        .entry(client)
        .or_default()
        .push(Arc::clone(&held));
    Some(Place {
        open: Arc::clone(open),
        client,
        held,
    })
}

/// The connection to close for a newcomer, and its client: one of the client holding the most
/// (and more than `more_than`), idle before busy, quiet longest first.
fn evictable(
    clients: &HashMap<ClientId, Vec<Arc<Held>>>,
    more_than: usize,
) -> Option<(ClientId, Arc<Held>)> {
    let (owner, heaviest) = clients.iter().max_by_key(|(_, held)| held.len())?;
    if heaviest.len() <= more_than {
        return None;
    }
    heaviest
        .iter()
        .min_by_key(|held| (!held.idle(), held.last_moved.load(Ordering::Relaxed)))
        .map(|victim| (*owner, Arc::clone(victim)))
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
        clients: HashMap::new(),
        closing: 0,
    }));
    let epoch = Instant::now();
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
        let Some(place) = admit(&open, &limits, ClientId::of(peer.ip()), micros_since(epoch))
        else {
            // Over a cap: closed at once, before reading anything.
            drop(stream);
            continue;
        };
        let router = router.clone();
        let stopping = stopping.clone();
        tokio::spawn(async move {
            let held = Arc::clone(&place.held);
            connection(stream, peer, router, limits, epoch, held, stopping).await;
            drop(place);
        });
    }
    let _ = stop.send(true);
    let deadline = Instant::now() + Duration::from_secs(5);
    while Instant::now() < deadline && open.lock().is_ok_and(|open| open.total + open.closing > 0) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn micros_since(epoch: Instant) -> u64 {
    u64::try_from(epoch.elapsed().as_micros()).unwrap_or(u64::MAX)
}

/// Counts a request as being answered on its connection while it lives.
struct Busy(Arc<Held>);

impl Busy {
    fn new(held: &Arc<Held>) -> Busy {
        held.busy.fetch_add(1, Ordering::Relaxed);
        Busy(Arc::clone(held))
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

async fn connection(
    stream: TcpStream,
    peer: SocketAddr,
    router: Router,
    limits: Limits,
    epoch: Instant,
    held: Arc<Held>,
    mut stopping: watch::Receiver<bool>,
) {
    let _ = stream.set_nodelay(true);
    let stream = Watched {
        inner: stream,
        epoch,
        held: Arc::clone(&held),
    };
    let requests = Arc::clone(&held);
    let service = router
        .map_request(move |mut request: axum::http::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            request
        })
        .map_future(move |answer| {
            let busy = Busy::new(&requests);
            async move {
                let answer = answer.await;
                drop(busy);
                answer
            }
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
            () = held.close.notified(), if closing.is_none() => {
                // Room for another client: an idle connection goes at once, a request being
                // answered is finished first.
                if held.idle() {
                    return;
                }
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
                let idle_since = held.last_moved.load(Ordering::Relaxed);
                let idle_for = Duration::from_micros(micros_since(epoch).saturating_sub(idle_since));
                if idle_for > limits.idle_timeout {
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
    epoch: Instant,
    held: Arc<Held>,
}

impl Watched {
    fn moved_at(&self, micros: u64) {
        self.held.last_moved.store(micros, Ordering::Relaxed);
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
            self.moved_at(micros_since(self.epoch));
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
        let before = micros_since(self.epoch);
        let polled = Pin::new(&mut self.inner).poll_write(context, data);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            self.moved_at(before);
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
