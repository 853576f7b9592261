//! The store's files as files: the lock every open store holds and a restore takes, where a
//! copy may be written, the shape a store file must have (exactly this version's schema), and
//! the names a replaced store is kept under. What a backup or a restore means for the audit
//! trail and the seals is `crate::backup`'s.

use std::fs::File;
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::error::{Error, Result};

/// The lock file beside a store: every open store holds it shared, a restore exclusively.
pub fn lock_path(store: &Path) -> PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_os_string();
    name.push(".lock");
    store.with_file_name(name)
}

/// Opens (creating owner-only) the lock file.
pub(crate) fn open_lock(store: &Path) -> std::io::Result<File> {
    let mut options = File::options();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(super::private::FILE_MODE);
    }
    options.open(lock_path(store))
}

/// Takes the shared lock of an open store. A folder where the lock file cannot be made is
/// read-only, and nothing can be restored there either, so it goes without.
pub(crate) fn share_lock(store: &Path) -> Result<Option<File>> {
    let Ok(file) = open_lock(store) else {
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

pub(crate) fn summary(connection: &Connection) -> Result<StoreSummary> {
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

/// The folder a file goes into (`.` for a bare name).
pub(crate) fn folder_of(path: &Path) -> &Path {
    path.parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Refuses to replace anything but a regular file (a device, a FIFO, a folder, a link that
/// leads nowhere), and an existing file unless `overwrite`.
pub fn check_destination(destination: &Path, overwrite: bool) -> Result<()> {
    let Ok(found) = std::fs::symlink_metadata(destination) else {
        return Ok(());
    };
    let leads_to_a_file = std::fs::metadata(destination).is_ok_and(|target| target.is_file());
    if !leads_to_a_file {
        return Err(Error::FileNotRegular(destination.to_owned()));
    }
    if !overwrite {
        return Err(Error::BackupWrite(
            destination.to_owned(),
            "the file already exists".into(),
        ));
    }
    let _ = found;
    Ok(())
}

/// The schema objects (tables, columns through their SQL, indexes, triggers, views) of a store:
/// what `sqlite_schema` holds, SQLite's own objects aside.
fn schema_of(connection: &Connection) -> rusqlite::Result<Vec<(String, String, String, String)>> {
    connection
        .prepare(
            "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema
             WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name",
        )?
        .query_map([], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })?
        .collect()
}

/// The file's schema must be exactly the one this version's migrations make at its version:
/// nothing extra (a planted trigger), nothing missing (a dropped index or the audit table's
/// guard), nothing changed (a dropped column, a table swapped for a view).
pub(crate) fn check_schema(
    connection: &Connection,
    version: i64,
) -> std::result::Result<(), String> {
    let expected = {
        let reference = Connection::open_in_memory().map_err(|error| error.to_string())?;
        for migration in super::MIGRATIONS
            .iter()
            .take(usize::try_from(version).unwrap_or(0))
        {
            reference
                .execute_batch(migration)
                .map_err(|error| error.to_string())?;
        }
        schema_of(&reference).map_err(|error| error.to_string())?
    };
    let found = schema_of(connection).map_err(|error| error.to_string())?;
    if let Some(extra) = found.iter().find(|object| !expected.contains(object)) {
        let known = expected
            .iter()
            .any(|object| object.0 == extra.0 && object.1 == extra.1);
        return Err(match known {
            true => format!(
                "the {} « {} » differs from this version's",
                extra.0, extra.1
            ),
            false => format!(
                "the {} « {} » is not part of a Sésame store",
                extra.0, extra.1
            ),
        });
    }
    if let Some(missing) = expected.iter().find(|object| !found.contains(object)) {
        return Err(format!("the {} « {} » is missing", missing.0, missing.1));
    }
    Ok(())
}

/// Takes `<store>.avant-restauration-<date>-<random>`, owner-only, a name never used before.
pub(crate) fn reserve_aside(store: &Path) -> std::io::Result<tempfile::NamedTempFile> {
    let name = store
        .file_name()
        .unwrap_or_default()
        .to_string_lossy()
        .into_owned();
    let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
    tempfile::Builder::new()
        .prefix(&format!("{name}.avant-restauration-{stamp}-"))
        .rand_bytes(6)
        .tempfile_in(folder_of(store))
}

/// Copies the current store into the name reserved for it, and keeps it.
pub(crate) fn keep_aside(store: &Path, aside: tempfile::NamedTempFile) -> std::io::Result<PathBuf> {
    {
        let current = Connection::open(store).map_err(std::io::Error::other)?;
        let mut copy = Connection::open(aside.path()).map_err(std::io::Error::other)?;
        rusqlite::backup::Backup::new(&current, &mut copy)
            .and_then(|backup| backup.step(-1).map(drop))
            .map_err(std::io::Error::other)?;
        copy.pragma_update(None, "journal_mode", "DELETE")
            .map_err(std::io::Error::other)?;
    }
    aside.as_file().sync_all()?;
    let (_, path) = aside.keep().map_err(|error| error.error)?;
    Ok(path)
}
