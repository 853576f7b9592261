//! The `audit_events` and `audit_checkpoint` tables: the hash-chained, append-only trail and the
//! point up to which it was last found intact. Computing hashes and reading the chain are
//! `crate::audit`'s and `crate::journal`'s.

use crate::clock::{from_millis, to_millis};
use crate::error::Result;
use crate::store::db::{Engine, Read, Row, Value, Write};
use crate::values;

/// One recorded event, as stored and as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: chrono::DateTime<chrono::Utc>,
    pub operator_id: Option<String>,
    pub operator_name: Option<String>,
    pub action: String,
    pub target_kind: Option<String>,
    pub target_id: Option<String>,
    pub target_name: Option<String>,
    /// Canonical JSON (keys sorted, no spaces); never holds a secret.
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

pub(crate) const COLUMNS: &str = "seq, at, operator_id, operator_name, action, target_kind,
    target_id, target_name, details, prev_hash, hash";

pub(crate) fn event(row: &Row<'_>) -> Result<AuditEvent> {
    Ok(AuditEvent {
        seq: row.get(0)?,
        at: from_millis(row.get(1)?),
        operator_id: row.get(2)?,
        operator_name: row.get(3)?,
        action: row.get(4)?,
        target_kind: row.get(5)?,
        target_id: row.get(6)?,
        target_name: row.get(7)?,
        details: row.get(8)?,
        prev_hash: row.get(9)?,
        hash: row.get(10)?,
    })
}

/// The last event's sequence number and hash, if any.
pub(crate) fn last<'c>(read: impl Into<Read<'c>>) -> Result<Option<(i64, String)>> {
    read.into().db().query_opt(
        "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
        &[],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

pub(crate) fn append<'c>(write: impl Into<Write<'c>>, event: &AuditEvent) -> Result<()> {
    write.into().db().execute(
        "INSERT INTO audit_events (seq, at, operator_id, operator_name, action, target_kind,
             target_id, target_name, details, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        values![
            event.seq,
            to_millis(event.at),
            event.operator_id.as_deref(),
            event.operator_name.as_deref(),
            event.action.as_str(),
            event.target_kind.as_deref(),
            event.target_id.as_deref(),
            event.target_name.as_deref(),
            event.details.as_str(),
            event.prev_hash.as_str(),
            event.hash.as_str(),
        ],
    )?;
    Ok(())
}

/// Walks the events from `first` to `last` (sequence numbers, inclusive) in order, one at a
/// time, until `visit` answers `false`; on both engines the walk reads one moment, and `visit`
/// may query the store.
pub(crate) fn each<'c>(
    read: impl Into<Read<'c>>,
    first: i64,
    last: i64,
    mut visit: impl FnMut(AuditEvent) -> Result<bool>,
) -> Result<()> {
    read.into().db().each(
        &format!("SELECT {COLUMNS} FROM audit_events WHERE seq BETWEEN ?1 AND ?2 ORDER BY seq"),
        values![first, last],
        |row| visit(event(row)?),
    )
}

/// Up to `limit` events after `after_seq`, oldest first.
pub(crate) fn after<'c>(
    read: impl Into<Read<'c>>,
    after_seq: i64,
    limit: u32,
) -> Result<Vec<AuditEvent>> {
    read.into().db().query(
        &format!("SELECT {COLUMNS} FROM audit_events WHERE seq > ?1 ORDER BY seq LIMIT ?2"),
        values![after_seq, limit],
        event,
    )
}

/// The events about one target, oldest first.
pub(crate) fn about<'c>(read: impl Into<Read<'c>>, target_id: &str) -> Result<Vec<AuditEvent>> {
    read.into().db().query(
        &format!("SELECT {COLUMNS} FROM audit_events WHERE target_id = ?1 ORDER BY seq"),
        values![target_id],
        event,
    )
}

pub(crate) fn at_seq<'c>(read: impl Into<Read<'c>>, seq: i64) -> Result<Option<AuditEvent>> {
    read.into().db().query_opt(
        &format!("SELECT {COLUMNS} FROM audit_events WHERE seq = ?1"),
        values![seq],
        event,
    )
}

/// The audit screen's criteria, names resolved.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageCriteria {
    /// Events before this sequence number…
    pub before: i64,
    /// …and at or after this one.
    pub first: i64,
    pub operator_id: Option<String>,
    /// An action (`key.revoked`) or a family of them (`key.`).
    pub action: Option<String>,
    /// A target's id, or its name in any case.
    pub target: Option<String>,
    pub limit: u32,
}

/// One page of events, newest first.
pub(crate) fn page<'c>(
    read: impl Into<Read<'c>>,
    criteria: &PageCriteria,
) -> Result<Vec<AuditEvent>> {
    let db = read.into().db();
    let mut conditions = vec!["seq < ?".to_owned(), "seq >= ?".to_owned()];
    let mut values = vec![
        Value::Integer(criteria.before),
        Value::Integer(criteria.first),
    ];
    if let Some(operator) = &criteria.operator_id {
        conditions.push("operator_id = ?".into());
        values.push(operator.into());
    }
    if let Some(action) = &criteria.action {
        // `key.` is a family of actions, indexed in event order like a single action.
        match action.ends_with('.') {
            true => conditions.push("family = ?".into()),
            false => conditions.push("action = ?".into()),
        }
        values.push(action.into());
    }
    if let Some(target) = &criteria.target {
        // Each side on its own index; an OR would scan the whole trail.
        let by_name = match db.engine() {
            Engine::Sqlite => "target_name = ? COLLATE NOCASE",
            Engine::Postgres => "lower(target_name) = lower(?)",
        };
        conditions.push(format!(
            "seq IN (SELECT seq FROM audit_events WHERE target_id = ?
                     UNION ALL
                     SELECT seq FROM audit_events WHERE {by_name})"
        ));
        values.push(target.into());
        values.push(target.into());
    }
    values.push(criteria.limit.into());
    db.query(
        &format!(
            "SELECT {COLUMNS} FROM audit_events WHERE {} ORDER BY seq DESC LIMIT ?",
            conditions.join(" AND ")
        ),
        &values,
        event,
    )
}

/// The first event at or after `at` (`None` if there is none).
pub(crate) fn first_at_or_after<'c>(read: impl Into<Read<'c>>, at: i64) -> Result<Option<i64>> {
    read.into().db().query_opt(
        "SELECT seq FROM audit_events WHERE at >= ?1 ORDER BY at, seq LIMIT 1",
        values![at],
        |row| row.get(0),
    )
}

/// The last event at or before `at` (`None` if there is none).
pub(crate) fn last_at_or_before<'c>(read: impl Into<Read<'c>>, at: i64) -> Result<Option<i64>> {
    read.into().db().query_opt(
        "SELECT seq FROM audit_events WHERE at <= ?1 ORDER BY at DESC, seq DESC LIMIT 1",
        values![at],
        |row| row.get(0),
    )
}

/// The last sequence number, 0 for an empty trail.
pub(crate) fn max_seq<'c>(read: impl Into<Read<'c>>) -> Result<i64> {
    read.into().db().query_one(
        "SELECT coalesce(max(seq), 0) FROM audit_events",
        &[],
        |row| row.get(0),
    )
}

/// Where the chain was last found intact: an event's sequence number and hash.
pub(crate) fn checkpoint<'c>(read: impl Into<Read<'c>>) -> Result<Option<(i64, String)>> {
    read.into().db().query_opt(
        "SELECT seq, hash FROM audit_checkpoint WHERE id = 1",
        &[],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

pub(crate) fn put_checkpoint<'c>(write: impl Into<Write<'c>>, seq: i64, hash: &str) -> Result<()> {
    write.into().db().execute(
        "INSERT INTO audit_checkpoint (id, seq, hash) VALUES (1, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
        values![seq, hash],
    )?;
    Ok(())
}
