//! The audit trail: append-only, hash-chained events written in the same transaction as the
//! change they record.

use crate::store::{self, db::Write};
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use crate::clock::{from_millis, to_millis};
use crate::error::Result;
use crate::vocab::{AuditAction, RowKind};

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
    pub kind: RowKind,
    pub id: &'a str,
    pub name: &'a str,
}

pub use crate::store::audit::AuditEvent;

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
pub(crate) fn record<'c>(
    db: impl Into<Write<'c>>,
    at: DateTime<Utc>,
    actor: Option<&Actor>,
    action: AuditAction,
    target: Option<Target<'_>>,
    details: serde_json::Value,
) -> Result<()> {
    let db = db.into();
    let last = store::audit::last(db)?;
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
        action: action.code().to_owned(),
        target_kind: target.map(|t| t.kind.code().to_owned()),
        target_id: target.map(|t| t.id.to_owned()),
        target_name: target.map(|t| t.name.to_owned()),
        details: details.to_string(),
        prev_hash,
        hash: String::new(),
    };
    event.hash = event.compute_hash();
    store::audit::append(db, &event)
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
    /// The trail does not end where its sealed head says: events were cut from its end, added
    /// or re-hashed outside Sésame, or the head itself was changed.
    HeadMismatch,
}

/// What is wrong with `event` coming after the event `previous_seq` whose hash is
/// `previous_hash`, if anything.
pub(crate) fn link_problem(
    event: &AuditEvent,
    previous_seq: i64,
    previous_hash: &str,
) -> Option<ChainBreak> {
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

pub(crate) use crate::store::audit::COLUMNS as EVENT_COLUMNS;
