//! `sesamectl serve`: the local verification service. An axum server on tokio in front of a
//! small pool of stores (SQLite connections are not shared between threads); argon2id and
//! SQLite run on the blocking pool. Uses are counted in memory and written every second and at
//! shutdown; every check reads the key's row, so a change made elsewhere is obeyed at once.

mod api;
mod connections;
mod guard;
mod host;
mod outage;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;
use sesame_core::pool::Pool;
use sesame_core::{InstallationKey, Sesame};

use crate::Outcome;
use crate::context::Context;
use crate::error::{CliError, Result};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on. Loopback by default; any other address must be named
    /// here, and the service says so when it starts.
    #[arg(long, default_value = "127.0.0.1:8417")]
    listen: SocketAddr,
    /// A name clients use to reach the service (repeatable). Requests whose `Host` is neither
    /// the address listened on nor such a name are refused, so a web page cannot reach the
    /// service through DNS rebinding. `localhost` is accepted on a loopback address.
    #[arg(long = "allow-host", value_name = "NAME")]
    allowed_hosts: Vec<String>,
    /// Connections open at once, in all (kept below the process's open-file limit).
    #[arg(long, default_value_t = 1024)]
    max_connections: usize,
    /// Connections open at once from one client address (an IPv6 /64 counts as one).
    #[arg(long, default_value_t = 64)]
    max_connections_per_client: usize,
    /// Seconds a client has to send a request's headers.
    #[arg(long, default_value_t = 10)]
    header_timeout: u64,
    /// Seconds a connection may stay open with nothing moving.
    #[arg(long, default_value_t = 30)]
    idle_timeout: u64,
    /// While the database cannot be reached, answer a key this service proved valid within
    /// this many seconds (at most 3600), and refuse every other with HTTP 503
    /// (`database_unavailable`); 0 refuses every key while the database is away.
    #[arg(long, default_value_t = 60, value_parser = clap::value_parser!(u64).range(0..=3600))]
    outage_window: u64,
    /// Read keys from this PostgreSQL database, a hot standby of the store (same forms as
    /// `--db`), while uses and failures are still written to the store itself. Changes are
    /// followed on the standby (every 50 ms), so none is obeyed before it can be read there.
    #[arg(long, value_name = "URL")]
    read_db: Option<String>,
}

/// How often a verifier reading a standby asks it for new changes.
const STANDBY_POLL: Duration = Duration::from_millis(50);

/// What every request shares.
pub struct Service {
    stores: Pool,
    /// The stores are PostgreSQL connections: their client blocks on a runtime of its own, so
    /// their work always runs on a thread that may block, never on an async worker.
    remote: bool,
    signing: InstallationKey,
    token_lifetime: Duration,
    guard: guard::Guard,
    /// Keys proven valid lately, answered while the database is away.
    outage: Arc<outage::Outage>,
    /// Threads of their own for checks that may run argon2id (as many as the guard's slots):
    /// argon2id's 19 MiB working memory is then reused by the same few threads instead of being
    /// kept by the allocator of every thread of the blocking pool.
    argon2_threads: std::sync::Mutex<std::sync::mpsc::Sender<Job>>,
}

type Job = Box<dyn FnOnce() + Send>;

/// Starts `count` threads that run the jobs sent to them.
fn argon2_threads(count: usize) -> std::sync::mpsc::Sender<Job> {
    let (sender, receiver) = std::sync::mpsc::channel::<Job>();
    let receiver = Arc::new(std::sync::Mutex::new(receiver));
    for _ in 0..count.max(1) {
        let receiver = Arc::clone(&receiver);
        std::thread::spawn(move || {
            loop {
                let job = match receiver.lock() {
                    Ok(receiver) => receiver.recv(),
                    Err(_) => return,
                };
                match job {
                    Ok(job) => job(),
                    Err(_) => return,
                }
            }
        });
    }
    sender
}

impl Service {
    /// The next store in turn, for work that prefers none.
    fn next_home(&self) -> usize {
        self.stores.next_start()
    }

    /// The store a key's checks go to first: each store remembers the secrets it proved, so a
    /// key checked on the same store again (after a change, say) pays no argon2id.
    pub fn home_of(identifier: &str) -> usize {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        identifier.hash(&mut hasher);
        hasher.finish() as usize
    }

    /// Runs `work` on one of the stores, on the blocking pool (argon2id, or anything slow).
    async fn with_store<T: Send + 'static>(
        self: &Arc<Self>,
        work: impl FnOnce(&mut Sesame, &Service) -> sesame_core::Result<T> + Send + 'static,
    ) -> std::result::Result<T, api::ApiError> {
        self.with_store_at(self.next_home(), work).await
    }

    /// [`Service::with_store`], starting from the store `home`.
    async fn with_store_at<T: Send + 'static>(
        self: &Arc<Self>,
        home: usize,
        work: impl FnOnce(&mut Sesame, &Service) -> sesame_core::Result<T> + Send + 'static,
    ) -> std::result::Result<T, api::ApiError> {
        let service = Arc::clone(self);
        tokio::task::spawn_blocking(move || service.on_store(home, work))
            .await
            .map_err(|error| api::ApiError::internal(&error.to_string()))?
    }

    /// Runs `work` on one of the stores, starting from `home`, on an argon2id thread (see
    /// [`Service::argon2_threads`]).
    async fn with_store_for_argon2_at<T: Send + 'static>(
        self: &Arc<Self>,
        home: usize,
        work: impl FnOnce(&mut Sesame, &Service) -> sesame_core::Result<T> + Send + 'static,
    ) -> std::result::Result<T, api::ApiError> {
        let service = Arc::clone(self);
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move || {
            let _ = answer.send(service.on_store(home, work));
        });
        self.argon2_threads
            .lock()
            .map_err(|_| api::ApiError::internal("argon2id threads lock poisoned"))?
            .send(job)
            .map_err(|_| api::ApiError::internal("argon2id threads stopped"))?;
        answered
            .await
            .map_err(|_| api::ApiError::internal("argon2id thread ended"))?
    }

    /// Runs quick `work` (the cached path: one indexed row read and a SHA-256, some
    /// microseconds) on a free store, starting from the store `home`, right here, where a hop to
    /// the blocking pool would cost more than the work; when every store is busy, on the
    /// blocking pool. An async worker never waits on a store's mutex: it would stall every
    /// other connection it serves.
    async fn quickly_at<T: Send + 'static>(
        self: &Arc<Self>,
        home: usize,
        work: impl FnOnce(&mut Sesame, &Service) -> sesame_core::Result<T> + Send + 'static,
    ) -> std::result::Result<T, api::ApiError> {
        if self.remote {
            return self.with_store_at(home, work).await;
        }
        // The guard is dropped before any await: the future stays `Send`.
        let work = match self.stores.try_get_from(home) {
            Some(mut store) => return work(&mut store, self).map_err(api::ApiError::from),
            None => work,
        };
        self.with_store_at(home, work).await
    }

    /// Runs `work` on one of the stores, the first free from `start`, else waiting for that
    /// one: only on threads that may block (the blocking pool, the argon2id threads).
    fn on_store<T>(
        &self,
        start: usize,
        work: impl FnOnce(&mut Sesame, &Service) -> sesame_core::Result<T>,
    ) -> std::result::Result<T, api::ApiError> {
        let mut store = self.stores.get_from(start)?;
        // A PostgreSQL connection lost while the server was away is made again here.
        store.ensure_connected()?;
        work(&mut store, self).map_err(api::ApiError::from)
    }

    /// Writes the uses every store counted. A store too busy to write now keeps its counts for
    /// the next flush; the problem is logged, not lost.
    fn flush_all(&self) {
        self.stores.each(|store| {
            if let Err(error) = store.ensure_connected().and_then(|()| store.flush_usage()) {
                eprintln!("uses kept for the next write: {}", error.code());
            }
        });
    }
}

pub fn run(context: &Context, args: &ServeArgs) -> Result<Outcome> {
    use sesame_core::store::location::StoreLocation;
    use sesame_core::store::watch::ChangeWatch;
    let location = context.location()?;
    let replica = match (&args.read_db, &location) {
        (None, _) => None,
        (Some(text), StoreLocation::Postgres(_)) => match StoreLocation::parse(text)? {
            StoreLocation::Postgres(replica) => Some(replica),
            StoreLocation::Sqlite(_) => return Err(read_db_refused()),
        },
        (Some(_), StoreLocation::Sqlite(_)) => return Err(read_db_refused()),
    };
    // On PostgreSQL, every verifier hears of every change (LISTEN/NOTIFY; reading a standby,
    // the changes the standby has replayed) to forget what it remembers for an outage. Whether
    // a fresh answer may be reused is asked of the store itself at each request
    // (`Sesame::store_changed`): an announcement may arrive after the next request.
    let watch = match (&location, &replica) {
        (StoreLocation::Postgres(pg), Some(replica)) => {
            Some(ChangeWatch::poll(replica, pg, STANDBY_POLL))
        }
        (StoreLocation::Postgres(pg), None) => Some(ChangeWatch::start(pg)),
        (StoreLocation::Sqlite(_), _) => None,
    };
    // Reading a standby: the store itself whenever the standby lags too far behind it.
    let watched = |sesame: Sesame| -> Result<Sesame> {
        Ok(match (&replica, &watch) {
            (Some(replica), Some(watch)) => {
                let mut sesame = sesame.with_read_replica(replica)?;
                sesame.follow_replica_lag(Arc::clone(watch));
                sesame
            }
            _ => sesame,
        })
    };
    let outage = Arc::new(outage::Outage::new(Duration::from_secs(args.outage_window)));
    if let Some(watch) = &watch {
        let forgetting = Arc::clone(&outage);
        watch.on_change(move |change| forgetting.forget(change));
    }
    let opened = context.open()?;
    let workers = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .max(2);
    // Siblings of the first store: the keyring is asked once.
    let mut siblings = Vec::new();
    for _ in 1..workers * 2 {
        siblings.push(opened.sibling()?);
    }
    let mut first = watched(opened)?;
    let signing = context.installation_key(&mut first)?;
    let token_lifetime = first.token_lifetime()?;
    let mut stores = Vec::with_capacity(workers * 2);
    for sibling in siblings {
        let mut store = watched(sibling)?;
        store.share_proven_secrets(&first);
        stores.push(store);
    }
    stores.insert(0, first);
    let stores = Pool::of(stores);
    let service = Arc::new(Service {
        stores,
        remote: watch.is_some(),
        signing,
        token_lifetime,
        guard: guard::Guard::new(argon2_slots(workers)),
        outage: Arc::clone(&outage),
        argon2_threads: std::sync::Mutex::new(argon2_threads(argon2_slots(workers))),
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|error| CliError::Serve(error.to_string()))?;
    let listen = args.listen;
    let output = context.output;
    // The last reference to the stores is dropped here, after the runtime: a PostgreSQL client
    // closes its connection by blocking, which an async worker must never do.
    let keep = Arc::clone(&service);
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|error| CliError::Serve(format!("{listen}: {error}")))?;
        let bound = listener
            .local_addr()
            .map_err(|error| CliError::Serve(error.to_string()))?;
        if !bound.ip().is_loopback() {
            eprintln!(
                "{}",
                output.say("cli-warning_the_service_listens_beyond_this")
            );
        }
        eprintln!(
            "{} http://{bound} (openapi : http://{bound}/openapi.json)",
            output.say("cli-verification_service_listening_on")
        );
        let limits = connections::Limits {
            max_connections: connections::connection_cap(args.max_connections),
            max_per_client: args.max_connections_per_client.max(1),
            header_timeout: Duration::from_secs(args.header_timeout.max(1)),
            idle_timeout: Duration::from_secs(args.idle_timeout.max(1)),
        };
        let hosts = Arc::new(host::AllowedHosts::new(bound, &args.allowed_hosts));
        let flusher = Arc::clone(&service);
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            loop {
                tick.tick().await;
                let service = Arc::clone(&flusher);
                let _ = tokio::task::spawn_blocking(move || service.flush_all()).await;
            }
        });
        let router = api::router(Arc::clone(&service))
            .layer(axum::middleware::from_fn_with_state(hosts, host::check));
        connections::serve(listener, router, limits, shutdown_signal()).await;
        // Nothing counted is lost on a clean stop (on a thread that may block: a PostgreSQL
        // client must not block an async worker).
        let flushing = Arc::clone(&service);
        let _ = tokio::task::spawn_blocking(move || flushing.flush_all()).await;
        Ok::<_, CliError>(())
    })?;
    drop(runtime);
    drop(keep);
    Ok(Outcome::Done)
}

/// `--read-db` names a PostgreSQL standby of a PostgreSQL store, nothing else.
fn read_db_refused() -> CliError {
    sesame_core::Error::DatabaseLocationInvalid(
        "--read-db takes a PostgreSQL standby of a PostgreSQL store".into(),
    )
    .into()
}

/// argon2id checks run at once: half the cores, so the others keep answering proven keys.
fn argon2_slots(cores: usize) -> usize {
    (cores / 2).max(1)
}

/// Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A service over one store in a temporary folder, its keys in a file beside it.
    fn service(folder: &std::path::Path) -> Arc<Service> {
        let namespace = sesame_core::KeyringNamespace::named("sesame-serve-unit-test");
        let path = folder.join("sesame.db");
        let mut store = Sesame::open_with_keyring(&path, &namespace).expect("store");
        let signing = store.installation_key(&namespace).expect("signing key");
        Arc::new(Service {
            remote: false,
            stores: Pool::of(vec![store]),
            signing,
            token_lifetime: Duration::from_secs(60),
            guard: guard::Guard::new(1),
            outage: Arc::new(outage::Outage::new(Duration::from_secs(60))),
            argon2_threads: std::sync::Mutex::new(argon2_threads(1)),
        })
    }

    /// The quick path on a store held elsewhere waits off the async worker: on a runtime with a
    /// single thread, another task keeps running meanwhile (issue 13).
    #[tokio::test(flavor = "current_thread")]
    async fn a_busy_store_never_blocks_the_async_worker() {
        let folder = tempfile::tempdir().expect("folder");
        let service = service(folder.path());
        let (locked, is_locked) = std::sync::mpsc::channel();
        let holder = {
            let service = Arc::clone(&service);
            std::thread::spawn(move || {
                let _store = service.stores.get().expect("lock");
                let _ = locked.send(());
                std::thread::sleep(Duration::from_millis(400));
            })
        };
        is_locked.recv().expect("held");
        let ticks = Arc::new(AtomicUsize::new(0));
        let ticker = {
            let ticks = Arc::clone(&ticks);
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    ticks.fetch_add(1, Ordering::Relaxed);
                }
            })
        };
        let answer = service.quickly_at(0, |_, _| Ok(42)).await.ok();
        ticker.abort();
        holder.join().expect("holder");
        assert_eq!(answer, Some(42));
        let ticks = ticks.load(Ordering::Relaxed);
        assert!(
            ticks >= 10,
            "the runtime stalled while the store was busy ({ticks} ticks)"
        );
    }
}
