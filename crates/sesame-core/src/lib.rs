//! Sésame's core: the domain (services, companies, keys, operators, audit trail), the SQLite
//! store, the key format and hashing, and the verification rules. It knows nothing of Tauri,
//! GTK or WebKit; the desktop app and `sesamectl` are thin shells over [`Sesame`].

pub mod audit;
pub mod audit_export;
pub mod authz;
pub mod backup;
pub mod bulk;
pub mod calendar;
pub mod clock;
pub mod company;
pub mod copy;
pub mod error;
pub mod import;
pub mod journal;
pub mod key;
pub mod key_format;
pub mod messages;
pub mod operator;
pub mod os_keyring;
pub mod password;
pub mod pool;
pub mod recovery;
pub mod report;
pub mod seal;
pub mod secret;
pub mod service;
pub mod settings;
pub mod signing_key;
pub mod store;
pub mod tokens;
pub mod usage;
pub mod validate;
pub mod verify;
pub mod vocab;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use store::db::{Connection, Write};

pub use clock::Clock;
pub use error::{Error, Field, Lang, Result};
pub use operator::{Operator, OperatorEdit};
pub use os_keyring::KeyringNamespace;
pub use password::HashingCost;
pub use signing_key::{InstallationKey, SigningKeyHome};
pub use vocab::{AuditAction, KeyAction, KeyStatus, Right, Rights, RowKind, Session};

/// One open store and everything that acts on it. Each front end holds one (the app behind a
/// mutex, the command line for one command, the verification service per worker).
#[derive(Debug)]
pub struct Sesame {
    connection: Connection,
    path: PathBuf,
    clock: Clock,
    cost: HashingCost,
    verified_secrets: verify::VerifiedSecrets,
    pending_usage: verify::PendingUsage,
    /// The key that seals the deciding rows (see [`seal`]).
    state_key: seal::StateKey,
    /// Rows found tampered with and already written to the audit trail by this instance or a
    /// sibling (see [`Sesame::sibling`]).
    tamper_reported: TamperReported,
    /// Files whose loose permissions were tightened when the store was opened.
    tightened: Vec<PathBuf>,
    /// The store's `data_version` when [`Sesame::store_changed`] last looked.
    seen_data_version: Option<i64>,
    /// Writes to an SQLite store's files heard from the kernel since the version was read
    /// (`None` until first asked; `Some(None)` where the kernel cannot tell).
    file_changes: Option<Option<store::file_changes::FileChanges>>,
    /// The store as people name it.
    name: String,
    /// Where this installation keeps the last head it anchored in this store (see
    /// `seal::high_water_path`).
    high_water: Option<PathBuf>,
    /// A head anchored but not yet noted in that file, and when the file was last written: it is
    /// written at most once a second (and when the store is closed), so a write does not pay a
    /// file's write each time; the file may lag a second behind, never run ahead.
    high_water_pending: Option<String>,
    high_water_noted: Option<std::time::Instant>,
    /// Held shared while the store is open, so a restore never replaces it under our feet.
    _store_lock: Option<std::fs::File>,
    /// A PostgreSQL store's place, to connect again after the server was away.
    reconnect: Option<Reconnect>,
    /// Where verification reads keys, when not the store itself: a PostgreSQL hot standby
    /// (see [`Sesame::with_read_replica`]), its place, and when connecting was last tried.
    reader: Option<Reader>,
}

/// Rows already reported tampered with, shared by the siblings of one store.
type TamperReported =
    std::sync::Arc<std::sync::Mutex<std::collections::HashSet<(seal::SealedKind, String)>>>;

/// A connection verification reads from, apart from the store's own.
#[derive(Debug)]
struct Reader {
    connection: Connection,
    reconnect: Reconnect,
    /// Says when the replica lags too far behind the store to be read.
    lag: Option<std::sync::Arc<store::watch::ChangeWatch>>,
}

impl Reader {
    fn lagging(&self) -> bool {
        self.lag
            .as_ref()
            .is_some_and(|watch| watch.standby_lagging())
    }
}

/// A PostgreSQL database to connect to again once its connection is lost, and when that was
/// last tried: at most twice a second, so a long-running service recovers by itself without
/// hammering a server that is away.
#[derive(Debug)]
struct Reconnect {
    location: store::pg::PgLocation,
    last_try: Option<std::time::Instant>,
}

impl Reconnect {
    fn to(location: &store::pg::PgLocation) -> Reconnect {
        Reconnect {
            location: location.clone(),
            last_try: None,
        }
    }

    /// Notes a try now, or says the database is still away when the last try was too recent.
    fn try_now(&mut self) -> Result<()> {
        const RETRY_AFTER: std::time::Duration = std::time::Duration::from_millis(500);
        if self.last_try.is_some_and(|at| at.elapsed() < RETRY_AFTER) {
            return Err(Error::DatabaseUnavailable {
                store: self.location.shown().to_owned(),
                why: "the connection was lost".into(),
            });
        }
        self.last_try = Some(std::time::Instant::now());
        Ok(())
    }
}

impl Sesame {
    /// Opens the store at `path`, creating and migrating it as needed, with the state key from
    /// this build's keyring namespace.
    pub fn open(path: &Path) -> Result<Sesame> {
        Sesame::open_with_keyring(path, &KeyringNamespace::for_this_build())
    }

    /// Opens the store at `path` with the state key kept under `namespace` (tests use their
    /// own). A store sealed before whose key cannot be found is refused
    /// ([`Error::StateKeyMissing`]); a store never sealed is sealed now (audited).
    pub fn open_with_keyring(path: &Path, namespace: &KeyringNamespace) -> Result<Sesame> {
        // The connection first: it makes the data folder the lock file lives in.
        let (connection, migrated) = store::open_migrating(path)?;
        let connection = Connection::Sqlite(connection);
        let store_lock = store::files::share_lock(path)?;
        let tightened = store::private::tighten_store(path);
        let state_key = seal::load(connection.db(), namespace, path, migrated)?;
        let name = path.display().to_string();
        let high_water = seal::high_water_of(connection.db(), path, &name)?;
        Ok(Sesame {
            high_water,
            high_water_pending: None,
            high_water_noted: None,
            state_key,
            tamper_reported: TamperReported::default(),
            tightened,
            _store_lock: store_lock,
            connection,
            reconnect: None,
            reader: None,
            name,
            path: path.to_owned(),
            clock: Clock::System,
            cost: HashingCost::default(),
            verified_secrets: verify::VerifiedSecrets::default(),
            pending_usage: verify::PendingUsage::default(),
            seen_data_version: None,
            file_changes: None,
        })
    }

    /// Opens the store at `location` (an SQLite file or a PostgreSQL database) with the state
    /// key from this build's keyring namespace.
    pub fn open_location(location: &store::location::StoreLocation) -> Result<Sesame> {
        Sesame::open_location_with_keyring(location, &KeyringNamespace::for_this_build())
    }

    /// [`Sesame::open_location`] with the state key kept under `namespace`. A PostgreSQL store
    /// is migrated under an advisory lock, and refused untouched when it belongs to another
    /// program or a newer Sésame; its key files (without a keyring) are kept in
    /// [`store::key_home`].
    pub fn open_location_with_keyring(
        location: &store::location::StoreLocation,
        namespace: &KeyringNamespace,
    ) -> Result<Sesame> {
        let pg = match location {
            store::location::StoreLocation::Sqlite(path) => {
                return Sesame::open_with_keyring(path, namespace);
            }
            store::location::StoreLocation::Postgres(pg) => pg,
        };
        let (client, migrated) = store::pg::open(pg)?;
        let connection = Connection::Postgres(Box::new(store::db::PgConnection::new(client)));
        let key_home = store::key_home(pg)?;
        if let Some(folder) = key_home.parent() {
            store::private::create_folder(folder)
                .map_err(|error| Error::StoreUnavailable(folder.to_owned(), error.to_string()))?;
        }
        let state_key = seal::load(connection.db(), namespace, &key_home, migrated)?;
        let high_water = seal::high_water_of(connection.db(), &key_home, pg.shown())?;
        Ok(Sesame {
            high_water,
            high_water_pending: None,
            high_water_noted: None,
            state_key,
            tamper_reported: TamperReported::default(),
            tightened: Vec::new(),
            _store_lock: None,
            connection,
            reconnect: Some(Reconnect::to(pg)),
            reader: None,
            name: pg.shown().to_owned(),
            path: key_home,
            clock: Clock::System,
            cost: HashingCost::default(),
            verified_secrets: verify::VerifiedSecrets::default(),
            pending_usage: verify::PendingUsage::default(),
            seen_data_version: None,
            file_changes: None,
        })
    }

    /// Another handle on this same store, with a connection of its own: what a pool of
    /// stores is made of, so that one person's long work (argon2id, an import, an export) holds
    /// its own handle and nobody else's. It shares what belongs to the store rather than to a
    /// connection — the state key (the keyring is not asked again), the clock, the hashing
    /// cost, the rows already reported tampered with — and starts with empty verification
    /// caches. Writes queue in the database (one write transaction at a time), never here.
    pub fn sibling(&self) -> Result<Sesame> {
        let (connection, reconnect, store_lock) = match &self.reconnect {
            Some(reconnect) => {
                let (client, _) = store::pg::open(&reconnect.location)?;
                let connection =
                    Connection::Postgres(Box::new(store::db::PgConnection::new(client)));
                (connection, Some(Reconnect::to(&reconnect.location)), None)
            }
            None => {
                let (connection, _) = store::open_migrating(&self.path)?;
                let lock = store::files::share_lock(&self.path)?;
                (Connection::Sqlite(connection), None, lock)
            }
        };
        seal::install(connection.db(), &self.state_key)?;
        Ok(Sesame {
            connection,
            path: self.path.clone(),
            clock: self.clock.clone(),
            cost: self.cost,
            verified_secrets: verify::VerifiedSecrets::default(),
            pending_usage: verify::PendingUsage::default(),
            state_key: self.state_key.clone(),
            tamper_reported: std::sync::Arc::clone(&self.tamper_reported),
            tightened: Vec::new(),
            seen_data_version: None,
            file_changes: None,
            name: self.name.clone(),
            high_water: self.high_water.clone(),
            high_water_pending: None,
            high_water_noted: None,
            _store_lock: store_lock,
            reconnect,
            reader: None,
        })
    }

    /// Reads keys for verification (and tokens, and the JWKS) from `replica`, a hot standby of
    /// this PostgreSQL store, while everything written (uses, failures, events) still goes to
    /// the store itself. Refused when `replica` is not a copy of this store.
    pub fn with_read_replica(mut self, replica: &store::pg::PgLocation) -> Result<Sesame> {
        let connection =
            Connection::Postgres(Box::new(store::db::PgConnection::new(replica.connect()?)));
        // Another database, or one that is not a Sésame store at all, is refused alike.
        let theirs = store::settings::get(&connection, "installation_id")
            .ok()
            .flatten();
        if theirs.is_none() || theirs != Some(self.installation_id()?) {
            return Err(Error::DatabaseLocationInvalid(format!(
                "{} is not a copy of the store {}",
                replica.shown(),
                self.name
            )));
        }
        // A standby is in recovery, following its primary; a copy restored as a database of
        // its own would keep revoked keys valid for ever.
        let standby: bool =
            connection
                .db()
                .query_one("SELECT pg_is_in_recovery()", &[], |row| row.get(0))?;
        if !standby {
            return Err(Error::DatabaseLocationInvalid(format!(
                "{} is not a standby of the store {} (it is not in recovery)",
                replica.shown(),
                self.name
            )));
        }
        self.reader = Some(Reader {
            connection,
            reconnect: Reconnect::to(replica),
            lag: None,
        });
        Ok(self)
    }

    /// Where verification reads: the read replica when there is one and it keeps up with the
    /// store (see [`Sesame::follow_replica_lag`]), else the store.
    pub(crate) fn reads(&self) -> &Connection {
        match &self.reader {
            Some(reader) if !reader.lagging() => &reader.connection,
            _ => &self.connection,
        }
    }

    /// Reads the store itself, not the read replica, whenever `watch` says the replica lags.
    pub fn follow_replica_lag(&mut self, watch: std::sync::Arc<store::watch::ChangeWatch>) {
        if let Some(reader) = &mut self.reader {
            reader.lag = Some(watch);
        }
    }

    /// Connects again to a PostgreSQL store whose connection was lost (the server restarted or
    /// was away), at most twice a second, so a long-running service recovers by itself; a
    /// connection that is up, or an SQLite store, is left as it is. Fails with
    /// [`Error::DatabaseUnavailable`] while the server is still away (with a read replica,
    /// only while the replica is away).
    pub fn ensure_connected(&mut self) -> Result<()> {
        if let Some(reader) = &mut self.reader
            && reader.connection.is_closed()
        {
            reader.reconnect.try_now()?;
            reader.connection = Connection::Postgres(Box::new(store::db::PgConnection::new(
                reader.reconnect.location.connect()?,
            )));
        }
        let Some(reconnect) = &mut self.reconnect else {
            return Ok(());
        };
        if !self.connection.is_closed() {
            return Ok(());
        }
        // Reading a standby, verification goes on while the store itself is away: only writes
        // wait (uses are kept for later).
        let reads_elsewhere = self.reader.is_some();
        let opened = reconnect
            .try_now()
            .and_then(|()| store::pg::open(&reconnect.location));
        let (client, _) = match opened {
            Ok(opened) => opened,
            Err(Error::DatabaseUnavailable { .. }) if reads_elsewhere => return Ok(()),
            Err(error) => return Err(error),
        };
        self.connection = Connection::Postgres(Box::new(store::db::PgConnection::new(client)));
        seal::install(self.connection.db(), &self.state_key)?;
        self.seen_data_version = None;
        Ok(())
    }

    /// Uses another clock (tests cross expiry dates and grace periods with a manual one).
    pub fn with_clock(mut self, clock: Clock) -> Sesame {
        self.clock = clock;
        self
    }

    /// Hashes new secrets and passwords at this cost (never below the default floor).
    pub fn with_hashing_cost(mut self, cost: HashingCost) -> Sesame {
        let floor = HashingCost::default();
        self.cost = HashingCost {
            memory_kib: cost.memory_kib.max(floor.memory_kib),
            passes: cost.passes.max(floor.passes),
            lanes: cost.lanes.max(floor.lanes),
        };
        self
    }

    /// Files of the store that others could read and that were made owner-only on opening:
    /// front ends tell the user.
    pub fn tightened_files(&self) -> &[PathBuf] {
        &self.tightened
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The store as people name it: the file's path, or `user@host:port/database`.
    pub fn store_name(&self) -> String {
        self.name.clone()
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Runs `change` in one write transaction, taken at once (SQLite's `BEGIN IMMEDIATE`,
    /// PostgreSQL's write lock) so concurrent writers queue instead of failing half-way; the
    /// change, its audit events and the seals of the rows it changed commit together or not at
    /// all.
    pub(crate) fn write<T>(
        &mut self,
        change: impl FnOnce(Write<'_>, DateTime<Utc>) -> Result<T>,
    ) -> Result<T> {
        let now = self.clock.now();
        let key = &self.state_key;
        let mut moved = None;
        let written = self
            .connection
            .db()
            .transaction(|write| {
                // The trail's end before the change (one look-up of the last event): its head
                // is proven and moved only when the change appended to it.
                let before = store::audit::last(write)?;
                let start = before.as_ref().map(|(seq, _)| *seq);
                seal::begin(write, start)?;
                let value = change(write, now)?;
                let appended = store::audit::last(write)? != before;
                let anchor =
                    appended && seal::head_problem_at(write.read(), key, before)?.is_none();
                moved = seal::before_commit(write, key, anchor, start)?;
                store::keys::fold_counts(write)?;
                Ok(value)
            })
            .map_err(|error| located(error, &self.path, &self.name));
        if let (Ok(_), Some(head)) = (&written, moved) {
            self.high_water_pending = Some(head);
            let due = self
                .high_water_noted
                .is_none_or(|at| at.elapsed() >= std::time::Duration::from_secs(1));
            if due {
                self.note_high_water();
            }
        }
        match written {
            // Every write proves the sealed rows it touches (see `seal`): one that does not
            // match was changed outside Sésame, and nothing was written.
            Err(Error::RowUnproven { kind, id }) => Err(self.refuse_unproven(&kind, &id)),
            written => written,
        }
    }
}

impl Sesame {
    /// Writes the head anchored last to the file kept outside the store (see
    /// `seal::high_water_path`), if one is waiting.
    pub(crate) fn note_high_water(&mut self) {
        if let (Some(head), Some(file)) = (self.high_water_pending.take(), &self.high_water) {
            seal::note_high_water(file, &head);
            self.high_water_noted = Some(std::time::Instant::now());
        }
    }
}

impl Drop for Sesame {
    /// Writes the last uses still waiting, so a clean shutdown loses none, and the last head
    /// anchored.
    fn drop(&mut self) {
        let _ = self.flush_usage();
        self.note_high_water();
    }
}

/// SQLite's errors do not know the file, nor PostgreSQL's the database: a store that turned
/// read-only, or a database that went away, is named.
pub(crate) fn located(error: Error, path: &Path, name: &str) -> Error {
    match error {
        Error::StoreReadOnly(unnamed) if unnamed.as_os_str().is_empty() => {
            Error::StoreReadOnly(path.to_owned())
        }
        Error::DatabaseUnavailable { store, why } if store.is_empty() => {
            Error::DatabaseUnavailable {
                store: name.to_owned(),
                why,
            }
        }
        other => other,
    }
}

/// A new random id for a row.
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}
