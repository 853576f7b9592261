//! The audit trail as people read it: pages of events with filters, whether the chain is intact,
//! and each event worded as a sentence from the catalogue. Writing events is `crate::audit`'s.

use chrono::{DateTime, Utc};

use crate::Sesame;
use crate::audit::{AuditEvent, ChainBreak, ChainReport, GENESIS_HASH, link_problem};
use crate::clock::to_millis;
use crate::error::Result;
use crate::messages::{self, Arg};
use crate::store::{self, db::Read};
use crate::vocab::{AuditAction, Lang, Right, Session};

impl Sesame {
    /// Checks the whole stored chain. Needs no right: it reveals nothing but counts.
    pub fn check_audit_chain(&self) -> Result<ChainReport> {
        let mut report = chain_report(&self.connection)?;
        if report.first_broken.is_none() {
            report.first_broken = self.head_problem()?;
        }
        Ok(report)
    }

    /// Whether the trail ends at its sealed head, and still holds the last head this
    /// installation anchored (kept outside the store).
    fn head_problem(&self) -> Result<Option<(i64, ChainBreak)>> {
        if let Some(problem) = crate::seal::head_problem(&self.connection, &self.state_key)? {
            return Ok(Some(problem));
        }
        let high_water = self.high_water.as_deref().and_then(crate::seal::high_water);
        crate::seal::rolled_back(&self.connection, high_water)
    }

    /// Events after `after_seq`, oldest first, for readers with the audit right.
    pub fn audit_events(
        &mut self,
        session: &Session,
        after_seq: i64,
        limit: u32,
    ) -> Result<Vec<AuditEvent>> {
        self.require(session, Right::Audit, AuditAction::AuditRead)?;
        store::audit::after(&self.connection, after_seq, limit)
    }

    /// Events about one target (a key, a service…), oldest first.
    pub fn audit_events_for(
        &mut self,
        session: &Session,
        target_id: &str,
    ) -> Result<Vec<AuditEvent>> {
        self.require(session, Right::Audit, AuditAction::AuditRead)?;
        store::audit::about(&self.connection, target_id)
    }
}

/// Walks the whole stored chain, one event at a time, and says where it first breaks.
pub(crate) fn chain_report<'c>(read: impl Into<Read<'c>>) -> Result<ChainReport> {
    let mut events = 0;
    let mut previous = (0, GENESIS_HASH.to_owned());
    let mut first_broken = None;
    store::audit::each(read, 0, i64::MAX, |event| {
        events += 1;
        if let Some(problem) = link_problem(&event, previous.0, &previous.1) {
            first_broken = Some((event.seq, problem));
            return Ok(false);
        }
        previous = (event.seq, event.hash);
        Ok(true)
    })?;
    Ok(ChainReport {
        events,
        first_broken,
    })
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
        let (first, last) = self.seq_bounds(filter.from, filter.to)?;
        let given = |value: &Option<String>| {
            value
                .as_deref()
                .map(str::trim)
                .filter(|text| !text.is_empty())
                .map(str::to_owned)
        };
        let operator_id = match given(&filter.operator) {
            Some(operator) => Some(
                crate::operator::find_operator_id(&self.connection, &operator)?
                    .ok_or(crate::error::Error::OperatorNotFound(operator))?,
            ),
            None => None,
        };
        let criteria = store::audit::PageCriteria {
            before: filter
                .before_seq
                .unwrap_or(i64::MAX)
                .min(last.saturating_add(1)),
            first,
            operator_id,
            action: given(&filter.action),
            target: given(&filter.target),
            limit: filter.limit.clamp(1, 500),
        };
        store::audit::page(&self.connection, &criteria)
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
            Some(from) => store::audit::first_at_or_after(&self.connection, to_millis(from))?
                .unwrap_or(i64::MAX),
            None => 0,
        };
        let last = match to {
            Some(to) => {
                store::audit::last_at_or_before(&self.connection, to_millis(to))?.unwrap_or(0)
            }
            None => i64::MAX - 1,
        };
        Ok((first, last))
    }

    /// Checks the chain from where the last check stopped (or from the start when that point
    /// was changed), and remembers the new end. Needs no right: it reveals only counts.
    pub fn audit_chain_status(&mut self) -> Result<ChainStatus> {
        let checkpoint = store::audit::checkpoint(&self.connection)?;
        // The checkpoint holds only if its event is still there, unchanged.
        let start = match checkpoint {
            Some((seq, hash)) => match store::audit::at_seq(&self.connection, seq)? {
                Some(event) if event.hash == hash && event.compute_hash() == hash => {
                    Some((seq, hash))
                }
                _ => None,
            },
            None => None,
        };
        let (after, previous_hash) = start.unwrap_or((0, GENESIS_HASH.to_owned()));
        let (mut last_seq, mut last_hash) = (after, previous_hash);
        let mut first_broken = None;
        store::audit::each(
            &self.connection,
            after.saturating_add(1),
            i64::MAX,
            |event| {
                if let Some(problem) = link_problem(&event, last_seq, &last_hash) {
                    first_broken = Some((event.seq, problem));
                    return Ok(false);
                }
                last_seq = event.seq;
                last_hash = event.hash;
                Ok(true)
            },
        )?;
        if last_seq > after {
            self.write(|transaction, _| {
                store::audit::put_checkpoint(transaction, last_seq, &last_hash)
            })?;
        }
        if first_broken.is_none() {
            first_broken = self.head_problem()?;
        }
        let events = store::audit::max_seq(&self.connection)?;
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
        if let Some(text) = plain_value(name, value, lang) {
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

/// The catalogue message naming what an action asks for (« Révoquer une clé »), as a refused
/// access says it.
pub fn asked_message(action: AuditAction) -> String {
    format!("audit-asked-{}", action.code().replace('.', "_"))
}

/// The `action` a refused access asked for, in words; an action this version does not know
/// keeps its code.
fn asked_words(code: &str, lang: Lang) -> String {
    match AuditAction::from_code(code) {
        Some(action) => messages::word(lang, &asked_message(action)),
        None => code.to_owned(),
    }
}

fn field_label(name: &str, lang: Lang) -> String {
    let id = format!("audit-field-{name}");
    match messages::has(&id) {
        true => messages::word(lang, &id),
        false => name.to_owned(),
    }
}

/// A detail as a sentence's argument: text, a number, or a date in the interface's language.
fn plain_value(name: &str, value: &serde_json::Value, lang: Lang) -> Option<Arg> {
    match value {
        serde_json::Value::String(text) if name == "action" => {
            Some(Arg::Text(asked_words(text, lang)))
        }
        serde_json::Value::String(text) => Some(Arg::Text(date_or_text(name, text, lang))),
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
        serde_json::Value::String(text) if name == "action" => Some(asked_words(text, lang)),
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
        // As the key list shows it (« Active »), not the word a sentence uses (« active »).
        "status" => "status_",
        "part" => "audit-part-",
        "grace" => "audit-grace-",
        "reason" => "audit-reason-",
        "change" => "bulk-change-",
        "end" => "offboard-end-",
        "kind" => "audit-kind-",
        "during" => "audit-during-",
        "from" => "audit-from-",
        _ => "",
    };
    // Older events wrote some codes with a space or a dash (« store check », « sign-in »).
    let id = format!("{family}{}", text.replace([' ', '-'], "_"));
    if !family.is_empty() && messages::has(&id) {
        return messages::word(lang, &id);
    }
    date_or_text(name, text, lang)
}

/// A date in the interface's language — an expiry as its last valid day, the way the key list,
/// its dialog and the calendar say it — or the text as it is.
fn date_or_text(name: &str, text: &str, lang: Lang) -> String {
    match DateTime::parse_from_rfc3339(text) {
        Ok(at) if name == "expires_at" => messages::last_valid_day(lang, at.with_timezone(&Utc)),
        Ok(at) => messages::date_time(lang, at.with_timezone(&Utc)),
        Err(_) => text.to_owned(),
    }
}
