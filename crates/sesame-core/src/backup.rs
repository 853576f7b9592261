//! Backups (SQLite's online backup, taken while the app and the service keep running) and
//! restoring one: the file is checked (a Sésame store, integrity, schema version, audit chain)
//! before anything is replaced, the previous store is kept aside, and a store open in another
//! program is never replaced under its feet.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, OptionalExtension};
use serde_json::json;

use crate::Sesame;
use crate::audit;
use crate::error::{Error, Result};
use crate::operator::{Right, Session};
use crate::store::files::{check_schema, folder_of, keep_aside, open_lock, reserve_aside, summary};
use crate::store::{APPLICATION_ID, configure, latest_version, migrate};
use crate::vocab::AuditAction;

pub use crate::store::files::{StoreSummary, check_destination, lock_path};

impl Sesame {
    /// Copies the store to `destination` with SQLite's online backup, in one step so the copy
    /// is one consistent moment even while other programs write. The copy is made owner-only
    /// under a temporary name beside the destination, then renamed into place (replacing only a
    /// regular file, and only with `overwrite`); the `store.backed_up` event, naming the
    /// destination, is written once the backup is complete. Needs the configuration right.
    pub fn backup_to(
        &mut self,
        session: &Session,
        destination: &Path,
        overwrite: bool,
    ) -> Result<StoreSummary> {
        self.require(session, Right::Configuration, AuditAction::StoreBackedUp)?;
        check_destination(destination, overwrite)?;
        let failed = |why: String| Error::BackupWrite(destination.to_owned(), why);
        let temporary = tempfile::Builder::new()
            .prefix(".sesame-backup-")
            .tempfile_in(folder_of(destination))
            .map_err(|error| failed(error.to_string()))?;
        let summary = match self.connection.sqlite() {
            // SQLite's online backup: a consistent copy while others keep working.
            Some(source) => {
                let mut copy = Connection::open(temporary.path())
                    .map_err(|error| failed(error.to_string()))?;
                rusqlite::backup::Backup::new(source, &mut copy)?.step(-1)?;
                copy.pragma_update(None, "journal_mode", "DELETE")?;
                summary(&copy)?
            }
            // A PostgreSQL store backs up into the same portable file: an SQLite store that
            // holds every row, copied in one transaction of the copy.
            None => {
                let copy = crate::store::open(temporary.path())?;
                let source = self.connection.db();
                source.snapshot(|| {
                    crate::copy::copy_between(
                        source,
                        crate::store::db::Db::Sqlite(&copy),
                        &destination.display().to_string(),
                        None,
                    )
                })?;
                copy.pragma_update(None, "journal_mode", "DELETE")?;
                summary(&copy)?
            }
        };
        temporary
            .as_file()
            .sync_all()
            .map_err(|error| failed(error.to_string()))?;
        match overwrite {
            true => temporary.persist(destination).map(drop),
            false => temporary.persist_noclobber(destination).map(drop),
        }
        .map_err(|error| failed(error.error.to_string()))?;
        let written = std::fs::canonicalize(destination)
            .unwrap_or_else(|_| destination.to_owned())
            .display()
            .to_string();
        self.record_done(
            session,
            Right::Configuration,
            AuditAction::StoreBackedUp,
            json!({"file": written, "keys": summary.keys, "events": summary.events}),
        )?;
        Ok(summary)
    }
}

/// Checks that `backup` is a whole Sésame store this version can use, without changing it.
pub fn check_backup(backup: &Path) -> Result<StoreSummary> {
    let invalid = |why: String| Error::BackupInvalid(why);
    let connection = Connection::open_with_flags(
        backup,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|error| invalid(error.to_string()))?;
    let application_id: i64 = connection
        .query_row("PRAGMA application_id", [], |row| row.get(0))
        .map_err(|_| invalid("not an SQLite database".into()))?;
    if application_id != APPLICATION_ID {
        return Err(invalid("not a Sésame store".into()));
    }
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if version > latest_version() {
        return Err(Error::StoreTooNew {
            found: version,
            supported: latest_version(),
        });
    }
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |row| row.get(0))
        .map_err(|error| invalid(error.to_string()))?;
    if integrity != "ok" {
        return Err(invalid(format!("integrity check: {integrity}")));
    }
    let chain =
        crate::journal::chain_report(&connection).map_err(|error| invalid(error.to_string()))?;
    if let Some((seq, why)) = chain.first_broken {
        return Err(invalid(format!(
            "audit trail broken at event {seq} ({why:?})"
        )));
    }
    check_schema(&connection, version).map_err(invalid)?;
    let dangling: Option<String> = connection
        .query_row(
            "SELECT \"table\" FROM pragma_foreign_key_check LIMIT 1",
            [],
            |row| row.get(0),
        )
        .optional()
        .map_err(|error| invalid(error.to_string()))?;
    if let Some(table) = dangling {
        return Err(invalid(format!(
            "rows of « {table} » refer to rows that are missing"
        )));
    }
    summary(&connection)
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub summary: StoreSummary,
    /// Where the store as it was before lies now.
    pub previous: Option<PathBuf>,
}

/// Replaces the store at `store` with `backup`, all or nothing. The backup is checked (a whole
/// Sésame store, exactly this version's schema, its audit chain), copied beside the store under
/// a temporary owner-only name, brought to the latest schema, given its `store.restored` event,
/// and checked again; only then, while no other program has the store open, is the current
/// store copied aside under a name never used before and the new one renamed into place. If any
/// step fails, the store is left as it was. `operator` names who asked (rights are checked by
/// the caller, on the store being replaced).
pub fn restore(
    store: &Path,
    backup: &Path,
    operator: &str,
    namespace: &crate::KeyringNamespace,
) -> Result<Restored> {
    check_backup(backup)?;
    let failed = |why: String| Error::RestoreFailed {
        store: store.to_owned(),
        why,
    };
    let folder = folder_of(store);
    let name = store
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let incoming = tempfile::Builder::new()
        .prefix(&format!(".{name}.restauration-"))
        .tempfile_in(folder)
        .map_err(|error| failed(error.to_string()))?;
    // The name the current store will be kept under is taken now, so the restore's event can
    // say where it is; it stays empty (and is removed) unless the restore goes through.
    let aside = match store.exists() {
        true => Some(reserve_aside(store).map_err(|error| failed(error.to_string()))?),
        false => None,
    };
    let aside_path = aside.as_ref().map(|file| file.path().to_owned());
    let target = Incoming {
        path: incoming.path(),
        store,
        namespace,
    };
    prepare_incoming(&target, backup, operator, aside_path.as_deref()).map_err(
        |error| match error {
            Error::RestoreFailed { .. } | Error::BackupInvalid(_) | Error::StateKeyMissing => error,
            other => failed(other.to_string()),
        },
    )?;
    check_backup(incoming.path()).map_err(|error| failed(error.to_string()))?;

    let lock = open_lock(store)
        .map_err(|error| Error::StoreUnavailable(store.to_owned(), error.to_string()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Err(Error::StoreInUse),
        Err(std::fs::TryLockError::Error(error)) => {
            return Err(Error::StoreUnavailable(store.to_owned(), error.to_string()));
        }
    }
    let previous = match aside {
        Some(aside) => Some(keep_aside(store, aside).map_err(|error| failed(error.to_string()))?),
        None => None,
    };
    // The current store's journal is folded into it and removed, so no stale journal can meet
    // the new file; the copy aside already holds everything.
    if store.exists() {
        let current = Connection::open(store).map_err(|error| failed(error.to_string()))?;
        current
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .map_err(|error| failed(error.to_string()))?;
        current
            .pragma_update(None, "journal_mode", "DELETE")
            .map_err(|error| failed(error.to_string()))?;
    }
    for journal in ["-wal", "-shm"] {
        let mut path = store.as_os_str().to_owned();
        path.push(journal);
        let _ = std::fs::remove_file(PathBuf::from(path));
    }
    incoming
        .persist(store)
        .map_err(|error| failed(error.error.to_string()))?;
    let connection = Connection::open(store)?;
    configure(&connection)?;
    let summary = summary(&connection)?;
    // A restore puts the trail back on purpose: the head kept outside the store follows it.
    let head = crate::store::settings::get(&connection, crate::seal::AUDIT_HEAD)?;
    if let (Some(head), Some(file)) = (
        head,
        crate::seal::high_water_of(&connection, store, &store.display().to_string())?,
    ) {
        crate::seal::note_high_water(&file, &head);
    }
    drop(connection);
    drop(lock);
    Ok(Restored { summary, previous })
}

/// The store being prepared for a restore.
struct Incoming<'a> {
    path: &'a Path,
    store: &'a Path,
    namespace: &'a crate::KeyringNamespace,
}

/// Copies `backup` into `incoming`, migrates it, checks its seals, and writes the restore's
/// event in it.
fn prepare_incoming(
    incoming: &Incoming<'_>,
    backup: &Path,
    operator: &str,
    previous: Option<&Path>,
) -> Result<()> {
    let (incoming, store, namespace) = (incoming.path, incoming.store, incoming.namespace);
    let source = Connection::open_with_flags(
        backup,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    let mut connection = Connection::open(incoming)?;
    rusqlite::backup::Backup::new(&source, &mut connection)?.step(-1)?;
    drop(source);
    configure(&connection)?;
    let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    migrate(&connection, store)?;
    let (key, sealed_now) = check_seals(&connection, namespace, store, version)?;
    let details = json!({
        "sealed_now": sealed_now,
        "from": std::fs::canonicalize(backup)
            .unwrap_or_else(|_| backup.to_owned())
            .display()
            .to_string(),
        "by": operator,
        "previous_kept_at": previous.map(|path| path.display().to_string()),
    });
    // The restored trail was found to end where its head says (or, from a version before
    // heads, is anchored now, in the restore's own event).
    crate::seal::sealing_transaction(
        crate::store::db::Db::Sqlite(&connection),
        &key,
        true,
        |write| {
            audit::record(
                write,
                chrono::Utc::now(),
                None,
                AuditAction::StoreRestored,
                None,
                details,
            )
        },
    )?;
    connection.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
    connection.pragma_update(None, "journal_mode", "DELETE")?;
    drop(connection);
    std::fs::File::open(incoming)
        .and_then(|file| file.sync_all())
        .map_err(|error| Error::StoreUnavailable(incoming.to_owned(), error.to_string()))
}

/// The restored rows must match their seals, with the state key of the backup's installation;
/// a backup made before stores were sealed is sealed now (says how many rows). A row changed
/// in the file is named and refused.
fn check_seals(
    connection: &Connection,
    namespace: &crate::KeyringNamespace,
    store: &Path,
    version: i64,
) -> Result<(crate::seal::StateKey, Option<usize>)> {
    use crate::seal;
    let installation: String = connection.query_row(
        "SELECT value FROM settings WHERE name = 'installation_id'",
        [],
        |row| row.get(0),
    )?;
    let sealed_before: bool =
        connection.query_row("SELECT EXISTS (SELECT 1 FROM row_seals)", [], |row| {
            row.get(0)
        })?;
    let key = match seal::read(namespace, &installation, store)? {
        seal::Found::Existing(key) => key,
        seal::Found::Missing | seal::Found::KeyringSilent(_) if sealed_before => {
            return Err(Error::StateKeyMissing);
        }
        seal::Found::Missing | seal::Found::KeyringSilent(_) => {
            seal::create(namespace, &installation, store)?
        }
    };
    let db = crate::store::db::Db::Sqlite(connection);
    seal::install(db, &key)?;
    // From the version that made seals, every store has some (its identity is sealed when it
    // is first opened): one without any had them removed, and is never sealed as it is.
    if !sealed_before && version >= SEALS_SINCE {
        return Err(Error::BackupInvalid(
            "none of its rows is sealed, though it was written by a version that seals them: \
             its seals were removed outside Sésame"
                .into(),
        ));
    }
    if !sealed_before {
        let sealed = seal::sealing_transaction(db, &key, false, |write| {
            let sealed = seal::seal_unsealed(write, &key)?;
            seal::bind_unbound(write, &key, false)?;
            Ok(sealed)
        })?;
        return Ok((key, Some(sealed)));
    }
    // Seals made before they were bound to the trail are bound once, each proven first.
    if version < BOUND_SINCE {
        seal::sealing_transaction(db, &key, false, |write| {
            seal::bind_unbound(write, &key, false)
        })?;
    }
    let (_, tampered) = seal::tampered_rows(connection, &key)?;
    if let Some(row) = tampered.first() {
        return Err(Error::BackupInvalid(format!(
            "the {} « {} » was changed outside Sésame (its seal does not match){}",
            row.kind.code(),
            row.name,
            match tampered.len() {
                1 => String::new(),
                more => format!(", and {} other row(s)", more - 1),
            }
        )));
    }
    // From the version that anchors the trail, the trail must end where its sealed head says.
    if version >= HEAD_SINCE
        && let Some((seq, _)) = seal::head_problem(connection, &key)?
    {
        return Err(Error::BackupInvalid(format!(
            "its audit trail does not end where its sealed head says (event {seq}): events \
             were cut, added or re-hashed outside Sésame"
        )));
    }
    Ok((key, None))
}

/// The schema version that made row seals (migration 6), and the one from which the audit
/// trail's end is anchored (migration 11).
const SEALS_SINCE: i64 = 6;
const HEAD_SINCE: i64 = 11;
/// The schema version from which seals are bound to the trail (migration 13).
const BOUND_SINCE: i64 = 13;
