//! Backups (SQLite's online backup, taken while the app and the service keep running) and
//! restoring one: the file is checked (a Sésame store, integrity, schema version, audit chain)
//! before anything is replaced, the previous store is kept aside, and a store open in another
//! program is never replaced under its feet.

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags, TransactionBehavior};
use serde_json::json;

use super::{APPLICATION_ID, configure, latest_version, migrate};
use crate::Sesame;
use crate::audit::{self, check_chain};
use crate::error::{Error, Result};
use crate::operator::{Right, Session};

/// The lock file beside a store: every open store holds it shared, a restore exclusively.
pub fn lock_path(store: &Path) -> PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    store.with_file_name(name)
}

/// Takes the shared lock of an open store. A folder where the lock file cannot be made is
/// read-only, and nothing can be restored there either, so it goes without.
pub(crate) fn share_lock(store: &Path) -> Result<Option<File>> {
    let Ok(file) = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(store))
    else {
        return Ok(None);
    };
    match file.try_lock_shared() {
        Ok(()) => Ok(Some(file)),
        Err(std::fs::TryLockError::WouldBlock) => Err(Error::StoreRestoring),
        Err(std::fs::TryLockError::Error(_)) => Ok(None),
    }
}

/// What a backup or a restore held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreSummary {
    pub keys: u64,
    pub events: u64,
    pub schema_version: i64,
}

fn summary(connection: &Connection) -> Result<StoreSummary> {
    Ok(StoreSummary {
        keys: connection.query_row(
            "SELECT COUNT(*) FROM keys WHERE deleted_at IS NULL",
            [],
            |row| row.get(0),
        )?,
        events: connection.query_row("SELECT COUNT(*) FROM audit_events", [], |row| row.get(0))?,
        schema_version: connection.query_row("PRAGMA user_version", [], |row| row.get(0))?,
    })
}

impl Sesame {
    /// Copies the store to `destination` (a new file) with SQLite's online backup, in one step so
    /// the copy is one consistent moment even while other programs write. Needs the
    /// configuration right; audited in the store (the backup holds everything before it).
    pub fn backup_to(&mut self, session: &Session, destination: &Path) -> Result<StoreSummary> {
        self.require(session, Right::Configuration, "store.backed_up")?;
        let mut copy = Connection::open(destination)
            .map_err(|error| Error::StoreUnavailable(destination.to_owned(), error.to_string()))?;
        {
            let backup = rusqlite::backup::Backup::new(&self.connection, &mut copy)?;
            backup.step(-1)?;
        }
        let summary = summary(&copy)?;
        drop(copy);
        let file_name = destination
            .file_name()
            .map(|name| name.to_string_lossy().into_owned());
        self.act(
            session,
            Some(Right::Configuration),
            "store.backed_up",
            |transaction, now, actor| {
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    "store.backed_up",
                    None,
                    json!({"file": file_name, "keys": summary.keys, "events": summary.events}),
                )
            },
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
    let mut statement = connection.prepare(&format!(
        "SELECT {} FROM audit_events ORDER BY seq",
        audit::EVENT_COLUMNS
    ))?;
    let events = statement
        .query_map([], audit::event_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|error| invalid(error.to_string()))?;
    let chain = check_chain(events);
    if let Some((seq, why)) = chain.first_broken {
        return Err(invalid(format!(
            "audit trail broken at event {seq} ({why:?})"
        )));
    }
    drop(statement);
    summary(&connection)
}

/// What a restore did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Restored {
    pub summary: StoreSummary,
    /// Where the store as it was before lies now.
    pub previous: Option<PathBuf>,
}

/// Replaces the store at `store` with `backup`, after checking the backup, keeping the current
/// store aside, and making sure no other program has the store open. `operator` names who asked
/// (rights are checked by the caller, on the store being replaced).
pub fn restore(store: &Path, backup: &Path, operator: &str) -> Result<Restored> {
    let checked = check_backup(backup)?;
    let lock = File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(lock_path(store))
        .map_err(|error| Error::StoreUnavailable(store.to_owned(), error.to_string()))?;
    match lock.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => return Err(Error::StoreInUse),
        Err(std::fs::TryLockError::Error(error)) => {
            return Err(Error::StoreUnavailable(store.to_owned(), error.to_string()));
        }
    }
    let previous = match store.exists() {
        true => {
            let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
            let mut name = store.file_name().unwrap_or_default().to_os_string();
            name.push(format!(".avant-restauration-{stamp}"));
            let aside = store.with_file_name(name);
            let current = Connection::open(store)?;
            let mut copy = Connection::open(&aside)
                .map_err(|error| Error::StoreUnavailable(aside.clone(), error.to_string()))?;
            rusqlite::backup::Backup::new(&current, &mut copy)?.step(-1)?;
            Some(aside)
        }
        false => None,
    };
    let mut connection = Connection::open(store)?;
    connection.restore(
        rusqlite::MAIN_DB,
        backup,
        None::<fn(rusqlite::backup::Progress)>,
    )?;
    configure(&connection)?;
    migrate(&connection, store)?;
    let transaction = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let details = json!({
        "from": backup.file_name().map(|name| name.to_string_lossy().into_owned()),
        "by": operator,
        "previous_kept_at": previous.as_ref().map(|path| path.display().to_string()),
    });
    audit::record(
        &transaction,
        chrono::Utc::now(),
        None,
        "store.restored",
        None,
        details,
    )?;
    transaction.commit()?;
    let summary = summary(&connection)?;
    drop(connection);
    drop(lock);
    Ok(Restored {
        summary: StoreSummary {
            schema_version: checked.schema_version.max(summary.schema_version),
            ..summary
        },
        previous,
    })
}
