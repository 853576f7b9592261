//! When the database is away. A verifier remembers, for a configurable window (60 s unless
//! `--outage-window` says otherwise; 0 remembers nothing), the keys it proved valid, question by
//! question (identifier, SHA-256 of the secret, permission, company). While the store cannot be
//! reached, such a question gets its remembered answer; every other one gets HTTP 503 with the
//! code `database_unavailable`: a key that could not be checked is never called valid.
//!
//! Nothing remembered outlives a change: every change the store announces names its key or
//! service (see `sesame_core::store::watch`), and what was remembered of it is forgotten at
//! once; when the watcher starts listening again after a time deaf, everything is forgotten.
//! A store that answers while the watcher is deaf may have changed unheard: everything is
//! forgotten then too, and nothing is remembered until the watcher hears again. An answer read
//! before a change was heard is not remembered after it ([`Outage::mark`]); a refusal from the
//! store forgets what was remembered for that identifier. A key whose expiry passes during the
//! outage is not answered from memory either. Uses answered from memory are counted and
//! written once the store answers again ([`Outage::take_uses`]).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use sesame_core::store::watch::Change;
use sesame_core::verify::Verification;
use sesame_core::vocab::RowKind;

use super::guard::AnswerKey;

/// Questions remembered at most (each a few hundred bytes).
const MAX_REMEMBERED: usize = 20_000;

pub struct Outage {
    window: Duration,
    proven: Mutex<HashMap<AnswerKey, (Instant, Verification)>>,
    /// Moves at every change heard: an answer read before it is not remembered after it.
    heard: AtomicU64,
    /// The watcher lost its connection and has not heard again since.
    deaf: AtomicBool,
    /// Per key, the uses answered from memory and the last one's time.
    uses: Mutex<HashMap<String, (u64, DateTime<Utc>)>>,
    /// Whether `uses` holds any (so that each request need not take its lock).
    used: AtomicBool,
}

impl Outage {
    pub fn new(window: Duration) -> Outage {
        Outage {
            window,
            proven: Mutex::new(HashMap::new()),
            heard: AtomicU64::new(0),
            deaf: AtomicBool::new(false),
            uses: Mutex::new(HashMap::new()),
            used: AtomicBool::new(false),
        }
    }

    /// Taken before the store is read; [`Outage::remember`] keeps the answer only if no change
    /// was heard in between.
    pub fn mark(&self) -> u64 {
        self.heard.load(Ordering::SeqCst)
    }

    /// Keeps a valid answer just given by the store (the guard decides which questions may be
    /// kept: only a permission or a company the key really has), read after `mark`.
    pub fn remember(&self, question: AnswerKey, answer: &Verification, mark: u64) {
        if self.window.is_zero() || answer.key.is_none() || self.deaf.load(Ordering::SeqCst) {
            return;
        }
        let Ok(mut proven) = self.proven.lock() else {
            return;
        };
        // Checked under the lock `forget` takes: a change heard after the read is either seen
        // here or forgets this answer once it is in.
        if self.heard.load(Ordering::SeqCst) != mark {
            return;
        }
        if proven.len() >= MAX_REMEMBERED {
            let window = self.window;
            proven.retain(|_, (at, _)| at.elapsed() < window);
            if proven.len() >= MAX_REMEMBERED {
                return;
            }
        }
        proven.insert(question, (Instant::now(), answer.clone()));
    }

    /// The store refused this identifier (whatever the reason): nothing remembered of it
    /// answers for it any more.
    pub fn refused(&self, identifier: &str) {
        if let Ok(mut proven) = self.proven.lock() {
            proven.retain(|question, _| question.0 != identifier);
        }
    }

    /// The store answered. If the watcher is deaf meanwhile, a change may have been committed
    /// unheard: nothing remembered can be trusted.
    pub fn store_answered(&self) {
        if self.deaf.load(Ordering::SeqCst)
            && let Ok(mut proven) = self.proven.lock()
        {
            proven.clear();
        }
    }

    /// The answer proven for this very question within the window, if its key has not expired
    /// since; counted as a use, written once the store answers again.
    pub fn recall(&self, question: &AnswerKey) -> Option<Verification> {
        let answer = {
            let proven = self.proven.lock().ok()?;
            let (at, answer) = proven.get(question)?;
            let key = answer.key.as_ref()?;
            let now = Utc::now();
            let still_in_date = key.expires_at.is_none_or(|expires| expires > now);
            (at.elapsed() < self.window && still_in_date).then(|| answer.clone())?
        };
        if let (Some(key), Ok(mut uses)) = (answer.key.as_ref(), self.uses.lock()) {
            let now = Utc::now();
            let entry = uses.entry(key.id.clone()).or_insert((0, now));
            entry.0 += 1;
            entry.1 = now;
            self.used.store(true, Ordering::SeqCst);
        }
        Some(answer)
    }

    /// The uses answered from memory since the last call, to be written to the store.
    pub fn take_uses(&self) -> Vec<(String, u64, DateTime<Utc>)> {
        if !self.used.swap(false, Ordering::SeqCst) {
            return Vec::new();
        }
        let Ok(mut uses) = self.uses.lock() else {
            return Vec::new();
        };
        uses.drain()
            .map(|(id, (count, at))| (id, count, at))
            .collect()
    }

    /// Forgets what a change may have made wrong.
    pub fn forget(&self, change: &Change) {
        let Ok(mut proven) = self.proven.lock() else {
            return;
        };
        self.heard.fetch_add(1, Ordering::SeqCst);
        match change {
            Change::Row {
                kind: RowKind::Key,
                id,
            } => {
                proven.retain(|_, (_, answer)| answer.key.as_ref().is_some_and(|k| &k.id != id));
            }
            Change::Row {
                kind: RowKind::Service,
                id,
            } => {
                proven.retain(|_, (_, answer)| {
                    answer.key.as_ref().is_some_and(|k| &k.service_id != id)
                });
            }
            // A company, an operator, a setting: no key's answer depends on them alone (a key's
            // companies change through the key itself).
            Change::Row { .. } | Change::Untargeted => {}
            Change::Deaf => self.deaf.store(true, Ordering::SeqCst),
            Change::Unknown => {
                proven.clear();
                self.deaf.store(false, Ordering::SeqCst);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sesame_core::verify::VerifiedKey;
    use sesame_core::vocab::VerifyCode;

    fn valid(
        id: &str,
        service: &str,
        expires: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Verification {
        Verification {
            code: VerifyCode::Valid,
            key: Some(VerifiedKey {
                id: id.into(),
                name: id.into(),
                identifier: format!("paie_{id}"),
                service_id: service.into(),
                service_name: service.into(),
                permissions: Vec::new(),
                companies: Vec::new(),
                expires_at: expires,
                secret_generation: 0,
            }),
        }
    }

    fn question(id: &str) -> AnswerKey {
        (format!("paie_{id}"), [1; 32], None, None)
    }

    #[test]
    fn remembered_answers_end_with_the_window_a_change_or_their_expiry() {
        let outage = Outage::new(Duration::from_millis(200));
        outage.remember(question("a"), &valid("a", "paie", None), outage.mark());
        outage.remember(question("b"), &valid("b", "paie", None), outage.mark());
        outage.remember(question("c"), &valid("c", "compta", None), outage.mark());
        let yesterday = chrono::Utc::now() - chrono::Duration::days(1);
        outage.remember(
            question("d"),
            &valid("d", "compta", Some(yesterday)),
            outage.mark(),
        );
        assert!(outage.recall(&question("a")).is_some());
        assert!(outage.recall(&question("d")).is_none(), "expired meanwhile");
        assert!(outage.recall(&question("z")).is_none(), "never proven");
        outage.forget(&Change::Row {
            kind: RowKind::Key,
            id: "a".into(),
        });
        assert!(outage.recall(&question("a")).is_none());
        assert!(outage.recall(&question("b")).is_some());
        outage.forget(&Change::Row {
            kind: RowKind::Company,
            id: "x".into(),
        });
        assert!(outage.recall(&question("b")).is_some());
        outage.forget(&Change::Row {
            kind: RowKind::Service,
            id: "paie".into(),
        });
        assert!(outage.recall(&question("b")).is_none());
        assert!(outage.recall(&question("c")).is_some());
        std::thread::sleep(Duration::from_millis(250));
        assert!(
            outage.recall(&question("c")).is_none(),
            "the window is over"
        );
        let refusing = Outage::new(Duration::ZERO);
        refusing.remember(question("a"), &valid("a", "paie", None), refusing.mark());
        assert!(refusing.recall(&question("a")).is_none());
        outage.remember(question("e"), &valid("e", "paie", None), outage.mark());
        outage.forget(&Change::Unknown);
        assert!(outage.recall(&question("e")).is_none());
    }

    #[test]
    fn deafness_a_change_during_the_read_and_a_refusal_leave_nothing_to_recall() {
        let outage = Outage::new(Duration::from_secs(60));
        // A change heard between the read and the remembering: not remembered.
        let mark = outage.mark();
        outage.forget(&Change::Untargeted);
        outage.remember(question("a"), &valid("a", "paie", None), mark);
        assert!(outage.recall(&question("a")).is_none());
        // Deaf, then the store answers: everything remembered before is dropped, and nothing
        // is remembered until the watcher hears again.
        outage.remember(question("b"), &valid("b", "paie", None), outage.mark());
        outage.forget(&Change::Deaf);
        assert!(
            outage.recall(&question("b")).is_some(),
            "deaf with the store away"
        );
        outage.store_answered();
        assert!(outage.recall(&question("b")).is_none());
        outage.remember(question("c"), &valid("c", "paie", None), outage.mark());
        assert!(outage.recall(&question("c")).is_none());
        outage.forget(&Change::Unknown);
        outage.remember(question("c"), &valid("c", "paie", None), outage.mark());
        assert!(outage.recall(&question("c")).is_some());
        // The store refused the identifier since: forgotten.
        outage.refused("paie_c");
        assert!(outage.recall(&question("c")).is_none());
        // Uses answered from memory are counted for the store.
        outage.remember(question("d"), &valid("d", "paie", None), outage.mark());
        for _ in 0..3 {
            assert!(outage.recall(&question("d")).is_some());
        }
        let uses = outage.take_uses();
        assert_eq!(uses.len(), 3, "{uses:?}");
        assert!(uses.iter().any(|(id, count, _)| id == "d" && *count == 3));
        assert!(outage.take_uses().is_empty());
    }
}
