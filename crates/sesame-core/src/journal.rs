//! The audit trail as people read it: pages of events with filters, whether the chain is intact,
//! and each event worded as a sentence from the catalogue. Writing events is `crate::audit`'s.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};

use crate::Sesame;
use crate::audit::{
    AuditEvent, ChainBreak, ChainReport, EVENT_COLUMNS, GENESIS_HASH, check_chain, event_from_row,
    link_problem,
};
use crate::clock::to_millis;
use crate::error::Result;
use crate::messages::{self, Arg};
use crate::vocab::{AuditAction, Lang, Right, Session};

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
        self.require(session, Right::Audit, AuditAction::AuditRead)?;
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
        self.require(session, Right::Audit, AuditAction::AuditRead)?;
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
        self.require(session, Right::Audit, AuditAction::AuditRead)?;
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

/// An audit event as people read it: a sentence and its details as labelled fields, in the
/// interface's language, dates and numbers included. The raw form (action code, JSON details)
/// stays in the store, the signed exports and `--json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WordedEvent {
    pub sentence: String,
    pub fields: Vec<(String, String)>,
}

/// Details that the sentence already says, or that only a program needs.
const SAID_IN_SENTENCE: &[&str] = &["service", "identifier", "jti", "kty", "crv"];

/// Words an event from the catalogue: the sentence is `audit-<action>` (dots become `_`), given
/// the actor, the target and every detail that is a plain value; each detail becomes a field
/// labelled `audit-field-<name>`. An action this version does not know keeps its code.
pub fn word_event(event: &AuditEvent, lang: Lang) -> WordedEvent {
    let details: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(&event.details).unwrap_or_default();
    let actor = event
        .operator_name
        .clone()
        .unwrap_or_else(|| messages::word(lang, "audit-nobody"));
    let mut args = vec![
        ("actor", Arg::Text(actor)),
        (
            "target",
            Arg::Text(event.target_name.clone().unwrap_or_default()),
        ),
    ];
    for (name, value) in &details {
        if let Some(text) = plain_value(value, lang) {
            args.push((name.as_str(), text));
        }
    }
    // Events written before a detail was recorded (the service of a copy, say) still read
    // whole: a missing value shows as a dash, never as a placeholder.
    for name in [
        "service", "reason", "count", "rows", "keys", "events", "imported",
    ] {
        if !args.iter().any(|(given, _)| *given == name) {
            args.push((name, Arg::Text("—".to_owned())));
        }
    }
    let sentence = match AuditAction::from_code(&event.action) {
        Some(action) => messages::text(lang, &action_message(action), &args),
        None => messages::text(
            lang,
            "audit-unknown",
            &[("action", Arg::Text(event.action.clone()))],
        ),
    };
    let mut fields = Vec::new();
    for (name, value) in &details {
        if SAID_IN_SENTENCE.contains(&name.as_str()) {
            continue;
        }
        match (name.as_str(), value) {
            ("before" | "after", _) => {}
            (_, value) => {
                if let Some(shown) = shown_value(name, value, lang) {
                    fields.push((field_label(name, lang), shown));
                }
            }
        }
    }
    // An edit: each field that changed, « before → after ».
    if let (Some(serde_json::Value::Object(before)), Some(serde_json::Value::Object(after))) =
        (details.get("before"), details.get("after"))
    {
        for (name, old) in before {
            let new = after.get(name).unwrap_or(&serde_json::Value::Null);
            if old != new {
                let old = shown_value(name, old, lang).unwrap_or_else(|| "—".to_owned());
                let new = shown_value(name, new, lang).unwrap_or_else(|| "—".to_owned());
                fields.push((field_label(name, lang), format!("{old} → {new}")));
            }
        }
    } else if let (Some(before), Some(after)) = (details.get("before"), details.get("after")) {
        // A setting: two plain values.
        let old = shown_value("before", before, lang).unwrap_or_else(|| "—".to_owned());
        let new = shown_value("after", after, lang).unwrap_or_else(|| "—".to_owned());
        fields.push((field_label("change", lang), format!("{old} → {new}")));
    }
    WordedEvent { sentence, fields }
}

/// The catalogue message of an action's sentence.
pub fn action_message(action: AuditAction) -> String {
    format!("audit-{}", action.code().replace('.', "_"))
}

fn field_label(name: &str, lang: Lang) -> String {
    let id = format!("audit-field-{name}");
    match messages::has(&id) {
        true => messages::word(lang, &id),
        false => name.to_owned(),
    }
}

/// A detail as a sentence's argument: text, a number, or a date in the interface's language.
fn plain_value(value: &serde_json::Value, lang: Lang) -> Option<Arg> {
    match value {
        serde_json::Value::String(text) => Some(Arg::Text(date_or_text(text, lang))),
        serde_json::Value::Number(number) => number.as_f64().map(Arg::Number),
        _ => None,
    }
}

/// A detail as a field's value; `None` for an empty one.
fn shown_value(name: &str, value: &serde_json::Value, lang: Lang) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::Bool(yes) => Some(messages::word(
            lang,
            if *yes { "audit-yes" } else { "audit-no" },
        )),
        serde_json::Value::Number(number) => Some(number.to_string()),
        serde_json::Value::String(text) if text.is_empty() => None,
        serde_json::Value::String(text) => Some(coded_word(name, text, lang)),
        serde_json::Value::Array(items) if items.is_empty() => None,
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|item| shown_value(name, item, lang))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        serde_json::Value::Object(_) => Some(value.to_string()),
    }
}

/// A code that has words (a right, a status, a copied part, a grace period…), or a date, or the
/// text as it is.
fn coded_word(name: &str, text: &str, lang: Lang) -> String {
    let family = match name {
        "rights" | "right" => "right-",
        "status" => "status-",
        "part" => "audit-part-",
        "grace" => "audit-grace-",
        "reason" => "audit-reason-",
        "change" => "bulk-change-",
        "end" => "offboard-end-",
        _ => "",
    };
    let id = format!("{family}{text}");
    if !family.is_empty() && messages::has(&id) {
        return messages::word(lang, &id);
    }
    date_or_text(text, lang)
}

fn date_or_text(text: &str, lang: Lang) -> String {
    match DateTime::parse_from_rfc3339(text) {
        Ok(at) => messages::date_time(lang, at.with_timezone(&Utc)),
        Err(_) => text.to_owned(),
    }
}
