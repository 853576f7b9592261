//! Copying a whole store into an empty one: a desktop's SQLite store moves to the firm's
//! PostgreSQL server (`sesamectl store copy --to postgres://…`), or into another SQLite file.
//! Every table is copied as it is — services, keys with their hashes, operators, companies,
//! settings (the installation's identity, so the rows' seals stay valid under the same state
//! key), usage, the seals and the whole audit chain — in one transaction on the target, which
//! must be empty; the chain is checked on arrival before that transaction commits.

use crate::Sesame;
use crate::audit::{self, ChainReport};
use crate::error::{Error, Result};
use crate::store::db::{self, Db, Engine, Value};
use crate::store::pg::{self, PgLocation};
use crate::values;
use crate::vocab::{AuditAction, Right, Session};

/// The tables, in an order their foreign keys accept (an operator's own creator is set once
/// every operator is there).
const TABLES: &[&str] = &[
    "operators",
    "services",
    "service_permissions",
    "companies",
    "keys",
    "key_permissions",
    "key_companies",
    "key_tags",
    "audit_events",
    "audit_checkpoint",
    "settings",
    "sign_in_failures",
    "signing_keys",
    "row_seals",
];

pub use crate::store::location::StoreLocation;

/// What a copy carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopySummary {
    pub rows: u64,
    pub keys: u64,
    pub events: u64,
}

impl Sesame {
    /// Copies this store into the empty store at `target` (configuration right: the copy holds
    /// every hash and the whole trail). Refused, with nothing written there, when the target is
    /// not empty or its audit chain does not arrive whole; the copy is audited here
    /// (`store.copied`, naming the target without any password).
    pub fn copy_store_to(
        &mut self,
        session: &Session,
        target: &StoreLocation,
    ) -> Result<CopySummary> {
        self.require(session, Right::Configuration, AuditAction::StoreCopied)?;
        self.flush_usage()?;
        // One moment of the source: the chain checked is the chain copied, and nothing written
        // meanwhile by others is half in the copy.
        let source = self.connection.db();
        let summary = source.snapshot(|| {
            let source_chain = self.check_audit_chain()?;
            if source_chain.first_broken.is_some() {
                return Err(Error::Internal(
                    "the audit trail is broken; nothing was copied".into(),
                ));
            }
            match target {
                StoreLocation::Postgres(location) => {
                    copy_to_postgres(source, location, source_chain.events)
                }
                StoreLocation::Sqlite(path) => copy_to_sqlite(source, path, source_chain.events),
            }
        })?;
        match target {
            StoreLocation::Postgres(location) => {
                // Without a keyring, this installation finds the copy's keys in its key folder.
                let home = crate::store::key_home(location)?;
                if let Some(folder) = home.parent() {
                    crate::store::private::create_folder(folder).map_err(|error| {
                        Error::BackupWrite(folder.to_owned(), error.to_string())
                    })?;
                }
                self.copy_key_files(&home)?;
            }
            StoreLocation::Sqlite(path) => self.copy_key_files(path)?,
        }
        let details = serde_json::json!({
            "destination": target.shown(),
            "rows": summary.rows,
            "keys": summary.keys,
            "events": summary.events,
        });
        self.record_done(
            session,
            Right::Configuration,
            AuditAction::StoreCopied,
            details,
        )?;
        Ok(summary)
    }
}

impl Sesame {
    /// A store whose keys are kept in files beside it (no keyring answered) passes them to a
    /// copy beside which they are needed: the state key, without which the copy's rows cannot
    /// be trusted, and the signing key, owner-only like every store file. With a keyring, the
    /// copy shares the installation's entries and needs nothing.
    fn copy_key_files(&self, target: &std::path::Path) -> Result<()> {
        let installation = self.installation_id()?;
        let pairs = [
            (
                crate::seal::key_file_path(&self.path, &installation),
                crate::seal::key_file_path(target, &installation),
            ),
            (
                crate::signing_key::key_file_path(&self.path),
                crate::signing_key::key_file_path(target),
            ),
        ];
        for (from, to) in pairs {
            if !from.exists() || to.exists() {
                continue;
            }
            let failed = |error: std::io::Error| Error::BackupWrite(to.clone(), error.to_string());
            crate::store::private::create_file(&to).map_err(failed)?;
            std::fs::copy(&from, &to).map_err(failed)?;
        }
        Ok(())
    }
}

/// A table's columns on `db` (every column but the generated ones).
fn columns(db: Db<'_>, table: &str) -> Result<Vec<String>> {
    let sql = match db.engine() {
        Engine::Sqlite => "SELECT name FROM pragma_table_xinfo(?1) WHERE hidden = 0 ORDER BY cid",
        Engine::Postgres => {
            "SELECT column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema() AND table_name = ?1
               AND is_generated = 'NEVER'
             ORDER BY ordinal_position"
        }
    };
    db.query(sql, values![table], |row| row.get(0))
}

/// Copies every table from `source` into the empty store `target` in one transaction of the
/// target, and checks there before committing that the audit chain arrived whole and as long
/// as `expected_events` (when given). `shown` names the target. The caller reads the source in
/// one snapshot ([`Db::snapshot`]), so that a write elsewhere meanwhile is not half copied.
pub(crate) fn copy_between(
    source: Db<'_>,
    target: Db<'_>,
    shown: &str,
    expected_events: Option<u64>,
) -> Result<CopySummary> {
    target.transaction(|write| {
        let target = write.db();
        for table in TABLES {
            // A new store holds its identity and nothing else.
            let allowed: i64 = if *table == "settings" { 1 } else { 0 };
            let count = target.query_one(&format!("SELECT count(*) FROM {table}"), &[], |row| {
                row.get::<i64>(0)
            })?;
            if count > allowed {
                return Err(Error::StoreNotEmpty(shown.to_owned()));
            }
        }
        target.execute("DELETE FROM settings", &[])?;
        let mut summary = CopySummary {
            rows: 0,
            keys: 0,
            events: 0,
        };
        for table in TABLES {
            let columns = columns(source, table)?;
            let rows: Vec<Vec<Value>> = source.query(
                &format!("SELECT {} FROM {table} ORDER BY 1", columns.join(", ")),
                &[],
                |row| {
                    (0..columns.len())
                        .map(|index| row.get::<Value>(index))
                        .collect()
                },
            )?;
            let insert = format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                columns.join(", "),
                db::placeholders(columns.len())
            );
            // An operator's creator is another operator: set once all are there.
            let creator = columns
                .iter()
                .position(|column| column == "created_by")
                .filter(|_| *table == "operators");
            for row in &rows {
                let mut cells = row.clone();
                if let Some(index) = creator {
                    cells[index] = Value::Null;
                }
                target.execute(&insert, &cells)?;
            }
            if let Some(index) = creator {
                for row in &rows {
                    target.execute(
                        "UPDATE operators SET created_by = ?1 WHERE id = ?2",
                        &[row[index].clone(), row[0].clone()],
                    )?;
                }
            }
            summary.rows += rows.len() as u64;
            match *table {
                "keys" => summary.keys = rows.len() as u64,
                "audit_events" => summary.events = rows.len() as u64,
                _ => {}
            }
        }
        let events = target.query(
            &format!(
                "SELECT {} FROM audit_events ORDER BY seq",
                audit::EVENT_COLUMNS
            ),
            &[],
            crate::store::audit::event,
        )?;
        arrived_whole(
            audit::check_chain(events),
            expected_events.unwrap_or(summary.events),
        )?;
        crate::store::keys::fold_counts(write)?;
        Ok(summary)
    })
}

fn copy_to_postgres(source: Db<'_>, location: &PgLocation, events: u64) -> Result<CopySummary> {
    let (client, _) = pg::open(location)?;
    let target = db::Connection::Postgres(Box::new(db::PgConnection::new(client)));
    copy_between(source, target.db(), location.shown(), Some(events))
}

fn copy_to_sqlite(source: Db<'_>, path: &std::path::Path, events: u64) -> Result<CopySummary> {
    let target = db::Connection::Sqlite(crate::store::open(path)?);
    copy_between(
        source,
        target.db(),
        &path.display().to_string(),
        Some(events),
    )
}

/// The chain as it arrived: whole, and as long as the source's.
fn arrived_whole(report: ChainReport, expected: u64) -> Result<()> {
    if report.first_broken.is_some() || report.events != expected {
        return Err(Error::Internal(
            "the audit chain did not arrive whole; nothing was written".into(),
        ));
    }
    Ok(())
}
