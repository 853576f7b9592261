//! Copying a whole store into an empty one: a desktop's SQLite store moves to the firm's
//! PostgreSQL server (`sesamectl store copy --to postgres://…`), or into another SQLite file.
//! Every table is copied as it is — services, keys with their hashes, operators, companies,
//! settings (the installation's identity, so the rows' seals stay valid under the same state
//! key), usage, the seals and the whole audit chain — in one transaction on the target, which
//! must be empty; the chain is checked on arrival before that transaction commits.

use std::path::PathBuf;

use postgres::types::ToSql;
use rusqlite::types::Value;

use crate::Sesame;
use crate::audit::{self, AuditEvent, ChainReport};
use crate::error::{Error, Result};
use crate::store::pg::{self, PgLocation};
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
    "row_seals",
];

/// Where a store is: an SQLite file or a PostgreSQL database.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    Sqlite(PathBuf),
    Postgres(Box<PgLocation>),
}

impl StoreLocation {
    /// Reads `--db`, `--to` or `SESAME_DB`: a `postgres://`/`postgresql://` URL or libpq's
    /// `key=value` form is a PostgreSQL database, anything else a file.
    pub fn parse(text: &str) -> Result<StoreLocation> {
        match pg::is_postgres(text) {
            true => {
                PgLocation::parse(text).map(|location| StoreLocation::Postgres(Box::new(location)))
            }
            false => Ok(StoreLocation::Sqlite(PathBuf::from(text.trim()))),
        }
    }

    /// The store named for people (a path, or `user@host:port/database`).
    pub fn shown(&self) -> String {
        match self {
            StoreLocation::Sqlite(path) => path.display().to_string(),
            StoreLocation::Postgres(location) => location.shown().to_owned(),
        }
    }
}

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
        let source_chain = self.check_audit_chain()?;
        let summary = match target {
            StoreLocation::Postgres(location) => copy_to_postgres(&self.connection, location)?,
            StoreLocation::Sqlite(path) => {
                let summary = copy_to_sqlite(&self.connection, path)?;
                self.copy_key_files(path)?;
                summary
            }
        };
        if summary.events != source_chain.events {
            return Err(Error::Internal("the copy's audit trail differs".into()));
        }
        let details = serde_json::json!({
            "destination": target.shown(),
            "rows": summary.rows,
            "keys": summary.keys,
            "events": summary.events,
        });
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::StoreCopied,
            |transaction, now, actor| {
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::StoreCopied,
                    None,
                    details,
                )
            },
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

/// One table's rows from SQLite, every column but the generated ones, in key order.
fn sqlite_rows(
    source: &rusqlite::Connection,
    table: &str,
) -> Result<(Vec<String>, Vec<Vec<Value>>)> {
    let columns: Vec<String> = source
        .prepare(&format!(
            "SELECT name FROM pragma_table_xinfo('{table}') WHERE hidden = 0 ORDER BY cid"
        ))?
        .query_map([], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    let mut statement = source.prepare(&format!(
        "SELECT {} FROM {table} ORDER BY 1",
        columns.join(", ")
    ))?;
    let rows = statement
        .query_map([], |row| {
            (0..columns.len())
                .map(|index| row.get::<_, Value>(index))
                .collect::<rusqlite::Result<Vec<_>>>()
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((columns, rows))
}

fn copy_to_postgres(source: &rusqlite::Connection, location: &PgLocation) -> Result<CopySummary> {
    let (mut client, _) = pg::open(location)?;
    let failed = |error: postgres::Error| location.unavailable(&error);
    let mut transaction = client.transaction().map_err(failed)?;
    if !postgres_is_empty(&mut transaction).map_err(failed)? {
        return Err(Error::StoreNotEmpty(location.shown().to_owned()));
    }
    transaction
        .batch_execute("DELETE FROM settings")
        .map_err(failed)?;
    let mut summary = CopySummary {
        rows: 0,
        keys: 0,
        events: 0,
    };
    for table in TABLES {
        let (columns, rows) = sqlite_rows(source, table)?;
        let types: Vec<String> = columns
            .iter()
            .map(|column| {
                transaction
                    .query_one(
                        "SELECT data_type::text FROM information_schema.columns
                         WHERE table_schema = current_schema() AND table_name = $1
                           AND column_name = $2",
                        &[table, column],
                    )
                    .map(|row| row.get::<_, String>(0))
            })
            .collect::<Result<_, _>>()
            .map_err(failed)?;
        let placeholders: Vec<String> = (1..=columns.len()).map(|n| format!("${n}")).collect();
        let insert = transaction
            .prepare(&format!(
                "INSERT INTO {table} ({}) VALUES ({})",
                columns.join(", "),
                placeholders.join(", ")
            ))
            .map_err(failed)?;
        let creator = columns.iter().position(|c| c == "created_by");
        for row in &rows {
            let mut cells: Vec<Box<dyn ToSql + Sync>> = Vec::with_capacity(row.len());
            for (index, (value, kind)) in row.iter().zip(&types).enumerate() {
                // An operator's creator is another operator: set once all are there.
                let value = match (*table == "operators", Some(index) == creator) {
                    (true, true) => &Value::Null,
                    _ => value,
                };
                cells.push(to_postgres(value, kind)?);
            }
            let parameters: Vec<&(dyn ToSql + Sync)> =
                cells.iter().map(|cell| &**cell as _).collect();
            transaction.execute(&insert, &parameters).map_err(failed)?;
        }
        if *table == "operators" {
            for row in &rows {
                if let (Some(Value::Text(id)), Some(index)) = (row.first(), creator)
                    && let Value::Text(created_by) = &row[index]
                {
                    transaction
                        .execute(
                            "UPDATE operators SET created_by = $1 WHERE id = $2",
                            &[created_by, id],
                        )
                        .map_err(failed)?;
                }
            }
        }
        summary.rows += rows.len() as u64;
        match *table {
            "keys" => summary.keys = rows.len() as u64,
            "audit_events" => summary.events = rows.len() as u64,
            _ => {}
        }
    }
    let events: Vec<AuditEvent> = transaction
        .query(
            &format!(
                "SELECT {} FROM audit_events ORDER BY seq",
                audit::EVENT_COLUMNS
            ),
            &[],
        )
        .map_err(failed)?
        .iter()
        .map(|row| AuditEvent {
            seq: row.get(0),
            at: crate::clock::from_millis(row.get(1)),
            operator_id: row.get(2),
            operator_name: row.get(3),
            action: row.get(4),
            target_kind: row.get(5),
            target_id: row.get(6),
            target_name: row.get(7),
            details: row.get(8),
            prev_hash: row.get(9),
            hash: row.get(10),
        })
        .collect();
    arrived_whole(audit::check_chain(events), summary.events)?;
    transaction.commit().map_err(failed)?;
    Ok(summary)
}

/// A PostgreSQL store with nothing in it but the identity its creation wrote.
fn postgres_is_empty(transaction: &mut postgres::Transaction<'_>) -> Result<bool, postgres::Error> {
    for table in TABLES {
        let allowed: i64 = if *table == "settings" { 1 } else { 0 };
        let count: i64 = transaction
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])?
            .get(0);
        if count > allowed {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A value of SQLite for a PostgreSQL column of type `kind`.
fn to_postgres(value: &Value, kind: &str) -> Result<Box<dyn ToSql + Sync>> {
    let wrong = || Error::Internal(format!("a {kind} column holds an unexpected value"));
    Ok(match (value, kind) {
        (Value::Null, "boolean") => Box::new(None::<bool>),
        (Value::Null, "bigint") => Box::new(None::<i64>),
        (Value::Null, "integer") => Box::new(None::<i32>),
        (Value::Null, "bytea") => Box::new(None::<Vec<u8>>),
        (Value::Null, _) => Box::new(None::<String>),
        (Value::Integer(number), "boolean") => Box::new(*number != 0),
        (Value::Integer(number), "bigint") => Box::new(*number),
        (Value::Integer(number), "integer") => {
            Box::new(i32::try_from(*number).map_err(|_| wrong())?)
        }
        (Value::Text(text), "text") => Box::new(text.clone()),
        (Value::Blob(bytes), "bytea") => Box::new(bytes.clone()),
        _ => return Err(wrong()),
    })
}

fn copy_to_sqlite(source: &rusqlite::Connection, path: &std::path::Path) -> Result<CopySummary> {
    let mut target = crate::store::open(path)?;
    let transaction = target.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
    for table in TABLES {
        let allowed: i64 = if *table == "settings" { 1 } else { 0 };
        let count: i64 =
            transaction.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })?;
        if count > allowed {
            return Err(Error::StoreNotEmpty(path.display().to_string()));
        }
    }
    transaction.execute_batch("PRAGMA defer_foreign_keys = ON; DELETE FROM settings;")?;
    let mut summary = CopySummary {
        rows: 0,
        keys: 0,
        events: 0,
    };
    for table in TABLES {
        let (columns, rows) = sqlite_rows(source, table)?;
        let placeholders = crate::placeholders(columns.len());
        let mut insert = transaction.prepare(&format!(
            "INSERT INTO {table} ({}) VALUES ({placeholders})",
            columns.join(", ")
        ))?;
        for row in &rows {
            insert.execute(rusqlite::params_from_iter(row.iter()))?;
        }
        summary.rows += rows.len() as u64;
        match *table {
            "keys" => summary.keys = rows.len() as u64,
            "audit_events" => summary.events = rows.len() as u64,
            _ => {}
        }
    }
    let events = transaction
        .prepare(&format!(
            "SELECT {} FROM audit_events ORDER BY seq",
            audit::EVENT_COLUMNS
        ))?
        .query_map([], audit::event_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    arrived_whole(audit::check_chain(events), summary.events)?;
    transaction.commit()?;
    Ok(summary)
}

/// The chain as it arrived: whole, and as long as what was sent.
fn arrived_whole(report: ChainReport, sent: u64) -> Result<()> {
    if report.first_broken.is_some() || report.events != sent {
        return Err(Error::Internal(
            "the audit chain did not arrive whole; nothing was written".into(),
        ));
    }
    Ok(())
}
