//! Opening the SQLite store: one connection set-up for the app, the command line and the tests,
//! and the forward-only migrations embedded in the binary.

use std::path::{Path, PathBuf};

use rusqlite::config::DbConfig;
use rusqlite::functions::FunctionFlags;
use rusqlite::{Connection, ErrorCode, OpenFlags, TransactionBehavior};

use crate::error::{Error, Result};

pub mod audit;
pub mod companies;
pub mod db;
pub mod file_changes;
pub mod files;
pub mod keys;
pub mod location;
pub mod operators;
pub mod pg;
pub mod private;
pub mod services;
pub mod settings;
pub mod signing_keys;
pub mod usage;
pub mod watch;

/// Marks a file as a Sésame store (`PRAGMA application_id`, "SSME").
pub(crate) const APPLICATION_ID: i64 = 0x5353_4D45;

/// The migrations, in order; the store's `user_version` is how many have been applied.
/// They are only ever appended to: an applied migration is never edited.
pub const MIGRATIONS: &[&str] = &[
    include_str!("migrations/0001_initial.sql"),
    include_str!("migrations/0002_operators.sql"),
    include_str!("migrations/0003_audit_screen.sql"),
    include_str!("migrations/0004_import.sql"),
    include_str!("migrations/0005_creator_filter.sql"),
    include_str!("migrations/0006_row_seals.sql"),
    include_str!("migrations/0007_companies.sql"),
    include_str!("migrations/0008_max_lifetime.sql"),
    include_str!("migrations/0009_tags_contact.sql"),
    include_str!("migrations/0010_signing_keys.sql"),
    include_str!("migrations/0011_audit_head.sql"),
    include_str!("migrations/0012_company_seals.sql"),
    include_str!("migrations/0013_bound_seals.sql"),
    include_str!("migrations/0014_previous_generation.sql"),
];

/// The schema version this build writes.
pub fn latest_version() -> i64 {
    MIGRATIONS.len() as i64
}

/// The store's default place: `<data folder>/fr.sesame.admin/sesame.db`, the same folder the
/// desktop app uses.
pub fn default_path() -> Result<PathBuf> {
    let data =
        dirs::data_dir().ok_or_else(|| Error::Internal("no data folder for this user".into()))?;
    Ok(data.join("fr.sesame.admin").join("sesame.db"))
}

/// Where this installation keeps the key files of a PostgreSQL store when no keyring answers
/// (the state key, the signing key): `SESAME_KEY_DIR`, else the data folder. The returned path
/// names no file of its own; the key files are made beside it, named after the database.
pub fn key_home(location: &pg::PgLocation) -> Result<PathBuf> {
    use sha2::{Digest, Sha256};
    let folder = match std::env::var_os("SESAME_KEY_DIR").filter(|dir| !dir.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => default_path()?
            .parent()
            .map(Path::to_owned)
            .ok_or_else(|| Error::Internal("no data folder for this user".into()))?,
    };
    let digest = Sha256::digest(location.shown().as_bytes());
    Ok(folder.join(format!("postgres-{}.store", hex::encode(&digest[..8]))))
}

/// Opens (creating if needed) the store at `path`, sets the connection up and brings the schema
/// to the latest version. A file that is not SQLite, another program's database, a read-only
/// file or a store from a newer Sésame is refused without any change.
pub fn open(path: &Path) -> Result<Connection> {
    open_migrating(path).map(|(connection, _)| connection)
}

/// [`open`], also saying whether migrations were applied (their new rows need seals).
pub fn open_migrating(path: &Path) -> Result<(Connection, bool)> {
    let unavailable =
        |error: std::io::Error| Error::StoreUnavailable(path.to_owned(), error.to_string());
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        private::create_folder(parent).map_err(unavailable)?;
    }
    // Made owner-only before SQLite first writes it; SQLite gives its journal files the same
    // mode.
    private::create_file(path).map_err(unavailable)?;
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection =
        Connection::open_with_flags(path, flags).map_err(|error| open_error(path, error))?;
    configure(&connection).map_err(|error| open_error(path, error))?;
    if connection.is_readonly(rusqlite::MAIN_DB).unwrap_or(false) {
        return Err(Error::StoreReadOnly(path.to_owned()));
    }
    let migrated = migrate(&connection, path)?;
    Ok((connection, migrated))
}

fn open_error(path: &Path, error: rusqlite::Error) -> Error {
    match error.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => Error::StoreNotSqlite(path.to_owned()),
        Some(ErrorCode::ReadOnly) => Error::StoreReadOnly(path.to_owned()),
        Some(ErrorCode::CannotOpen | ErrorCode::PermissionDenied) => {
            Error::StoreUnavailable(path.to_owned(), error.to_string())
        }
        _ => Error::from(error),
    }
}

/// The connection settings, chosen on purpose:
/// - WAL, so the verification service reads while the app writes;
/// - `synchronous = FULL`, so a power cut never loses a committed change (a key the
///   administrator has already handed out must still exist after the reboot);
/// - foreign keys enforced;
/// - a 5 s busy timeout, so two writers queue instead of failing;
/// - query plans that do not depend on the values bound (no statement parsed again per use);
/// - `sesame_unaccent`, for searches that ignore accents as on PostgreSQL.
pub(crate) fn configure(connection: &Connection) -> rusqlite::Result<()> {
    connection.busy_timeout(std::time::Duration::from_secs(pg::BUSY_TIMEOUT_SECONDS))?;
    // Reading the journal mode is the first real read of the file: a file that is not SQLite
    // fails here, before anything is written.
    let mode: String = connection.query_row("PRAGMA journal_mode", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        connection.query_row("PRAGMA journal_mode = WAL", [], |row| {
            row.get::<_, String>(0)
        })?;
    }
    connection.pragma_update(None, "foreign_keys", true)?;
    connection.pragma_update(None, "synchronous", "FULL")?;
    connection.set_prepared_statement_cache_capacity(64);
    // Plans that do not depend on the values bound. Without this, SQLite (built with STAT4)
    // marks a statement whose parameter it compared with a partial index's condition as
    // expired at every new binding, and parses and plans it again each time: the key look-up
    // of every verification took 45 µs instead of 5 µs.
    connection.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    // Searches ignore accents, with the same table as PostgreSQL's function of that name.
    connection.create_scalar_function(
        "sesame_unaccent",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |context| {
            let text: Option<String> = context.get(0)?;
            Ok(text.map(|text| crate::validate::unaccent(&text)))
        },
    )?;
    Ok(())
}

/// Brings the schema to the latest version; says whether anything was applied.
pub(crate) fn migrate(connection: &Connection, path: &Path) -> Result<bool> {
    let found: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let application_id: i64 =
        connection.query_row("PRAGMA application_id", [], |row| row.get(0))?;
    let has_tables: bool = connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE type = 'table')",
        [],
        |row| row.get(0),
    )?;
    let foreign = application_id != APPLICATION_ID && (application_id != 0 || has_tables);
    if foreign {
        return Err(Error::StoreNotSqlite(path.to_owned()));
    }
    if found > latest_version() {
        return Err(Error::StoreTooNew {
            found,
            supported: latest_version(),
        });
    }
    if found == latest_version() {
        return Ok(false);
    }
    let transaction =
        rusqlite::Transaction::new_unchecked(connection, TransactionBehavior::Immediate)?;
    // Re-read inside the write lock: another process may have migrated meanwhile.
    let found: i64 = transaction.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    for migration in MIGRATIONS.iter().skip(usize::try_from(found).unwrap_or(0)) {
        transaction.execute_batch(migration)?;
    }
    transaction.pragma_update(None, "application_id", APPLICATION_ID)?;
    transaction.pragma_update(None, "user_version", latest_version())?;
    transaction.commit()?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_to_an_empty_store_and_are_idempotent() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
        let path = folder.path().join("store.db");
        drop(open(&path)?);
        let connection = open(&path)?;
        let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        assert_eq!(version, latest_version());
        let check: String = connection.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
        assert_eq!(check, "ok");
        let foreign_keys: String = connection
            .query_row("PRAGMA foreign_key_check", [], |row| row.get(0))
            .unwrap_or_default();
        assert_eq!(foreign_keys, "");
        Ok(())
    }

    /// A cached statement joining keys (partial indexes) is planned once, not at every new
    /// binding: verification's key look-up is such a statement.
    #[test]
    fn a_cached_statement_is_not_prepared_again_for_new_values() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
        let connection = open(&folder.path().join("store.db"))?;
        let sql = "SELECT k.id, s.name FROM keys k JOIN services s ON s.id = k.service_id
                   WHERE k.identifier = ?1";
        for identifier in ["paie_a", "paie_b", "paie_c"] {
            let mut statement = connection.prepare_cached(sql)?;
            let mut rows = statement.query([identifier])?;
            assert!(rows.next()?.is_none());
        }
        let statement = connection.prepare_cached(sql)?;
        assert_eq!(
            statement.get_status(rusqlite::StatementStatus::RePrepare),
            0
        );
        Ok(())
    }

    #[test]
    fn each_migration_is_valid_sql_on_its_own_step() -> Result<()> {
        let connection = Connection::open_in_memory()?;
        for (index, migration) in MIGRATIONS.iter().enumerate() {
            connection
                .execute_batch(migration)
                .map_err(|error| Error::Internal(format!("migration {}: {error}", index + 1)))?;
        }
        Ok(())
    }

    #[test]
    fn a_newer_store_is_refused_and_left_alone() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
        let path = folder.path().join("store.db");
        drop(open(&path)?);
        {
            let connection = Connection::open(&path)?;
            connection.pragma_update(None, "user_version", latest_version() + 1)?;
        }
        let refused = open(&path).err().map(|e| e.code());
        assert_eq!(refused, Some("store_too_new"));
        let connection = Connection::open(&path)?;
        let version: i64 = connection.query_row("PRAGMA user_version", [], |row| row.get(0))?;
        assert_eq!(version, latest_version() + 1);
        Ok(())
    }

    #[test]
    fn another_programs_database_is_refused() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|e| Error::Internal(e.to_string()))?;
        let path = folder.path().join("other.db");
        Connection::open(&path)?.execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")?;
        assert_eq!(
            open(&path).err().map(|e| e.code()),
            Some("store_not_sqlite")
        );
        let text = folder.path().join("text.db");
        std::fs::write(
            &text,
            "bonjour, ceci n'est pas une base de données".repeat(40),
        )
        .map_err(|e| Error::Internal(e.to_string()))?;
        assert_eq!(
            open(&text).err().map(|e| e.code()),
            Some("store_not_sqlite")
        );
        Ok(())
    }
}
