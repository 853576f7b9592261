//! The audit trail: append-only, hash-chained events written in the same transaction as the
//! change they record.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};

use crate::Sesame;
use crate::clock::{from_millis, to_millis};
use crate::error::Result;
use crate::operator::{Right, Session};

/// The hash the first event links to.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Who did something: a signed-in operator, or nobody (the command line's `init`, the system).
#[derive(Debug, Clone)]
pub(crate) struct Actor {
    pub id: String,
    pub name: String,
}

/// What an event is about.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target<'a> {
    pub kind: &'static str,
    pub id: &'a str,
    pub name: &'a str,
}

/// One recorded event, as stored and as exported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: DateTime<Utc>,
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

impl AuditEvent {
    /// SHA-256 over a canonical encoding: every field in a fixed order, each preceded by its
    /// length, so no two different events encode the same way.
    pub fn compute_hash(&self) -> String {
        let mut hasher = Sha256::new();
        let mut field = |bytes: &[u8]| {
            hasher.update((bytes.len() as u64).to_be_bytes());
            hasher.update(bytes);
        };
        field(self.seq.to_string().as_bytes());
        field(to_millis(self.at).to_string().as_bytes());
        for optional in [
            &self.operator_id,
            &self.operator_name,
            &Some(self.action.clone()),
            &self.target_kind,
            &self.target_id,
            &self.target_name,
        ] {
            match optional {
                Some(text) => {
                    field(b"1");
                    field(text.as_bytes());
                }
                None => field(b"0"),
            }
        }
        field(self.details.as_bytes());
        field(self.prev_hash.as_bytes());
        hex::encode(hasher.finalize())
    }
}

/// Appends one event. Call it inside the transaction that makes the change.
pub(crate) fn record(
    connection: &Connection,
    at: DateTime<Utc>,
    actor: Option<&Actor>,
    action: &str,
    target: Option<Target<'_>>,
    details: serde_json::Value,
) -> Result<()> {
    let last: Option<(i64, String)> = connection
        .prepare_cached("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")?
        .query_row([], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?;
    let (seq, prev_hash) = match last {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS_HASH.to_owned()),
    };
    let mut event = AuditEvent {
        seq,
        // The stored precision is the millisecond; hash exactly what is stored.
        at: from_millis(to_millis(at)),
        operator_id: actor.map(|a| a.id.clone()),
        operator_name: actor.map(|a| a.name.clone()),
        action: action.to_owned(),
        target_kind: target.map(|t| t.kind.to_owned()),
        target_id: target.map(|t| t.id.to_owned()),
        target_name: target.map(|t| t.name.to_owned()),
        details: details.to_string(),
        prev_hash,
        hash: String::new(),
    };
    event.hash = event.compute_hash();
    connection
        .prepare_cached(
            "INSERT INTO audit_events (seq, at, operator_id, operator_name, action, target_kind,
                 target_id, target_name, details, prev_hash, hash)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            event.seq,
            to_millis(event.at),
            event.operator_id,
            event.operator_name,
            event.action,
            event.target_kind,
            event.target_id,
            event.target_name,
            event.details,
            event.prev_hash,
            event.hash,
        ])?;
    Ok(())
}

/// What a walk along the chain found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainReport {
    pub events: u64,
    /// The first event that does not fit, and why.
    pub first_broken: Option<(i64, ChainBreak)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainBreak {
    /// The event's content does not match its hash: it was changed.
    BadHash,
    /// The event does not point at the one before it: something was removed, inserted or moved.
    BrokenLink,
    /// The sequence numbers skip or repeat.
    BadSequence,
}

/// What is wrong with `event` coming after the event `previous_seq` whose hash is
/// `previous_hash`, if anything.
fn link_problem(event: &AuditEvent, previous_seq: i64, previous_hash: &str) -> Option<ChainBreak> {
    if event.seq != previous_seq + 1 {
        Some(ChainBreak::BadSequence)
    } else if event.prev_hash != previous_hash {
        Some(ChainBreak::BrokenLink)
    } else if event.compute_hash() != event.hash {
        Some(ChainBreak::BadHash)
    } else {
        None
    }
}

/// Walks events in order and checks each hash and each link.
pub fn check_chain<I: IntoIterator<Item = AuditEvent>>(events: I) -> ChainReport {
    let mut count = 0;
    let mut previous_hash = GENESIS_HASH.to_owned();
    let mut previous_seq = 0;
    for event in events {
        count += 1;
        if let Some(problem) = link_problem(&event, previous_seq, &previous_hash) {
            return ChainReport {
                events: count,
                first_broken: Some((event.seq, problem)),
            };
        }
        previous_seq = event.seq;
        previous_hash = event.hash;
    }
    ChainReport {
        events: count,
        first_broken: None,
    }
}

pub(crate) fn event_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<AuditEvent> {
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

pub(crate) const EVENT_COLUMNS: &str =
    "seq, at, operator_id, operator_name, action, target_kind, target_id,
                             target_name, details, prev_hash, hash";

impl Sesame {
    /// Checks the whole stored chain. Needs no right: it reveals nothing but counts.
    pub fn check_audit_chain(&self) -> Result<ChainReport> {
        let mut statement = self.connection.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events ORDER BY seq"
        ))?;
        let rows = statement.query_map([], event_from_row)?;
        let mut failure = None;
        let report = check_chain(rows.map_while(|row| match row {
            Ok(event) => Some(event),
            Err(error) => {
                failure = Some(error);
                None
            }
        }));
        match failure {
            Some(error) => Err(error.into()),
            None => Ok(report),
        }
    }

    /// Events after `after_seq`, oldest first, for readers with the audit right.
    pub fn audit_events(
        &mut self,
        session: &Session,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<AuditEvent>> {
        self.require(session, Right::Audit, "audit.read")?;
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq > ?1 ORDER BY seq LIMIT ?2"
        ))?;
        let events = statement
            .query_map(params![after_seq, limit], event_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(events)
    }

    /// Events about one target (a key, a service…), oldest first.
    pub fn audit_events_for(
        &mut self,
        session: &Session,
        target_id: &str,
    ) -> Result<Vec<AuditEvent>> {
        self.require(session, Right::Audit, "audit.read")?;
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE target_id = ?1 ORDER BY seq"
        ))?;
        let events = statement
            .query_map([target_id], event_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(events)
    }
}

/// The audit screen's filters; empty ones are ignored. Pages go backwards from `before_seq`.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// An operator's id or name.
    pub operator: Option<String>,
    /// An action (`key.revoked`) or a family of them (`key.`).
    pub action: Option<String>,
    /// A target's id, or text its name contains (a service, a key).
    pub target: Option<String>,
    pub before_seq: Option<i64>,
    pub limit: u32,
}

/// How far the chain is known to be intact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainStatus {
    pub events: i64,
    pub checked_to: i64,
    pub first_broken: Option<(i64, ChainBreak)>,
}

impl Sesame {
    /// One page of events, newest first, for readers with the audit right. Date bounds become
    /// sequence bounds through the index on `at`, so a page costs the same at any size.
    pub fn audit_page(
        &mut self,
        session: &Session,
        filter: &AuditFilter,
    ) -> Result<Vec<AuditEvent>> {
        self.require(session, Right::Audit, "audit.read")?;
        use rusqlite::types::Value;
        let (first, last) = self.seq_bounds(filter.from, filter.to)?;
        let before = filter
            .before_seq
            .unwrap_or(i64::MAX)
            .min(last.saturating_add(1));
        let mut conditions = vec!["seq < ?".to_owned(), "seq >= ?".to_owned()];
        let mut values = vec![Value::Integer(before), Value::Integer(first)];
        if let Some(operator) = filter.operator.as_deref().filter(|o| !o.trim().is_empty()) {
            let id = crate::operator::find_operator_id(&self.connection, operator)?
                .ok_or_else(|| crate::error::Error::OperatorNotFound(operator.trim().to_owned()))?;
            conditions.push("operator_id = ?".into());
            values.push(Value::Text(id));
        }
        if let Some(action) = filter
            .action
            .as_deref()
            .map(str::trim)
            .filter(|a| !a.is_empty())
        {
            // `key.` is a family of actions, indexed in event order like a single action.
            if action.ends_with('.') {
                conditions.push("family = ?".into());
                values.push(Value::Text(action.to_owned()));
            } else {
                conditions.push("action = ?".into());
                values.push(Value::Text(action.to_owned()));
            }
        }
        if let Some(target) = filter
            .target
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            // Each side on its own index; an OR would scan the whole trail.
            conditions.push(
                "seq IN (SELECT seq FROM audit_events WHERE target_id = ?
                         UNION ALL
                         SELECT seq FROM audit_events WHERE target_name = ? COLLATE NOCASE)"
                    .into(),
            );
            values.push(Value::Text(target.to_owned()));
            values.push(Value::Text(target.to_owned()));
        }
        values.push(Value::Integer(i64::from(filter.limit.clamp(1, 500))));
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE {} ORDER BY seq DESC LIMIT ?",
            conditions.join(" AND ")
        ))?;
        let events = statement
            .query_map(rusqlite::params_from_iter(values), event_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(events)
    }

    /// The sequence numbers of the first event at or after `from` and the last at or before
    /// `to`, found on the index of instants (events are appended in time order); the whole trail
    /// without bounds.
    pub(crate) fn seq_bounds(
        &self,
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
    ) -> Result<(i64, i64)> {
        let first = match from {
            Some(from) => self.connection.query_row(
                "SELECT coalesce((SELECT seq FROM audit_events WHERE at >= ?1
                                   ORDER BY at, seq LIMIT 1), 9223372036854775807)",
                [to_millis(from)],
                |row| row.get(0),
            )?,
            None => 0,
        };
        let last = match to {
            Some(to) => self.connection.query_row(
                "SELECT coalesce((SELECT seq FROM audit_events WHERE at <= ?1
                                   ORDER BY at DESC, seq DESC LIMIT 1), 0)",
                [to_millis(to)],
                |row| row.get(0),
            )?,
            None => i64::MAX - 1,
        };
        Ok((first, last))
    }

    /// Checks the chain from where the last check stopped (or from the start when that point
    /// was changed), and remembers the new end. Needs no right: it reveals only counts.
    pub fn audit_chain_status(&mut self) -> Result<ChainStatus> {
        let checkpoint: Option<(i64, String)> = self
            .connection
            .query_row(
                "SELECT seq, hash FROM audit_checkpoint WHERE id = 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        // The checkpoint holds only if its event is still there, unchanged.
        let start = match checkpoint {
            Some((seq, hash)) => {
                let event = self
                    .connection
                    .query_row(
                        &format!("SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq = ?1"),
                        [seq],
                        event_from_row,
                    )
                    .optional()?;
                match event {
                    Some(event) if event.hash == hash && event.compute_hash() == hash => {
                        Some((seq, hash))
                    }
                    _ => None,
                }
            }
            None => None,
        };
        let (after, previous_hash) = start.unwrap_or((0, GENESIS_HASH.to_owned()));
        let mut statement = self.connection.prepare(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events WHERE seq > ?1 ORDER BY seq"
        ))?;
        let mut rows = statement.query([after])?;
        let (mut last_seq, mut last_hash) = (after, previous_hash);
        let mut first_broken = None;
        while let Some(row) = rows.next()? {
            let event = event_from_row(row)?;
            if let Some(problem) = link_problem(&event, last_seq, &last_hash) {
                first_broken = Some((event.seq, problem));
                break;
            }
            last_seq = event.seq;
            last_hash = event.hash;
        }
        drop(rows);
        drop(statement);
        if last_seq > after {
            self.connection.execute(
                "INSERT INTO audit_checkpoint (id, seq, hash) VALUES (1, ?1, ?2)
                 ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                params![last_seq, last_hash],
            )?;
        }
        let events: i64 = self.connection.query_row(
            "SELECT coalesce(max(seq), 0) FROM audit_events",
            [],
            |row| row.get(0),
        )?;
        Ok(ChainStatus {
            events,
            checked_to: last_seq,
            first_broken,
        })
    }
}

impl Sesame {
    /// Records that a Copy button copied a part of a key (`identifier`, `secret`, `token`) —
    /// which part, never the value.
    pub fn record_copy(&mut self, session: &Session, identifier: &str, part: &str) -> Result<()> {
        let key = crate::key::find_by_identifier(&self.connection, identifier)?;
        self.act(session, None, "key.copied", |transaction, now, actor| {
            let target = key.as_ref().map(|(id, name)| Target {
                kind: "key",
                id,
                name,
            });
            record(
                transaction,
                now,
                Some(actor),
                "key.copied",
                target,
                serde_json::json!({"part": part, "identifier": identifier}),
            )
        })
    }
}
