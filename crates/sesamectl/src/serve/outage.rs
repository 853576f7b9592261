//! When the database is away. A verifier remembers, for a configurable window (60 s unless
//! `--outage-window` says otherwise; 0 remembers nothing), the keys it proved valid, question by
//! question (identifier, SHA-256 of the secret, permission, company). While the store cannot be
//! reached, such a question gets its remembered answer; every other one gets HTTP 503 with the
//! code `database_unavailable`: a key that could not be checked is never called valid.
//!
//! Nothing remembered outlives a change: every change the store announces names its key or
//! service (see `sesame_core::store::watch`), and what was remembered of it is forgotten at
//! once; when the watcher starts listening again after a time deaf, everything is forgotten.
//! A key whose expiry passes during the outage is not answered from memory either.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sesame_core::store::watch::Change;
use sesame_core::verify::Verification;

use super::guard::AnswerKey;

/// Questions remembered at most (each a few hundred bytes).
const MAX_REMEMBERED: usize = 20_000;

pub struct Outage {
    window: Duration,
    proven: Mutex<HashMap<AnswerKey, (Instant, Verification)>>,
}

impl Outage {
    pub fn new(window: Duration) -> Outage {
        Outage {
            window,
            proven: Mutex::new(HashMap::new()),
        }
    }

    /// Keeps a valid answer just given by the store (the guard decides which questions may be
    /// kept: only a permission or a company the key really has).
    pub fn remember(&self, question: AnswerKey, answer: &Verification) {
        if self.window.is_zero() || answer.key.is_none() {
            return;
        }
        let Ok(mut proven) = self.proven.lock() else {
            return;
        };
        if proven.len() >= MAX_REMEMBERED {
            let window = self.window;
            proven.retain(|_, (at, _)| at.elapsed() < window);
            if proven.len() >= MAX_REMEMBERED {
                return;
            }
        }
        proven.insert(question, (Instant::now(), answer.clone()));
    }

    /// The answer proven for this very question within the window, if its key has not expired
    /// since.
    pub fn recall(&self, question: &AnswerKey) -> Option<Verification> {
        let proven = self.proven.lock().ok()?;
        let (at, answer) = proven.get(question)?;
        let key = answer.key.as_ref()?;
        let now = chrono::Utc::now();
        let still_in_date = key.expires_at.is_none_or(|expires| expires > now);
        (at.elapsed() < self.window && still_in_date).then(|| answer.clone())
    }

    /// Forgets what a change may have made wrong.
    pub fn forget(&self, change: &Change) {
        let Ok(mut proven) = self.proven.lock() else {
            return;
        };
        match change {
            Change::Row { kind, id } if kind == "key" => {
                proven.retain(|_, (_, answer)| answer.key.as_ref().is_some_and(|k| &k.id != id));
            }
            Change::Row { kind, id } if kind == "service" => {
                proven.retain(|_, (_, answer)| {
                    answer.key.as_ref().is_some_and(|k| &k.service_id != id)
                });
            }
            // A company, an operator, a setting: no key's answer depends on them alone (a key's
            // companies change through the key itself).
            Change::Row { .. } | Change::Untargeted => {}
            Change::Unknown => proven.clear(),
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
        outage.remember(question("a"), &valid("a", "paie", None));
        outage.remember(question("b"), &valid("b", "paie", None));
        outage.remember(question("c"), &valid("c", "compta", None));
        let yesterday = chrono::Utc::now() - chrono::Duration::days(1);
        outage.remember(question("d"), &valid("d", "compta", Some(yesterday)));
        assert!(outage.recall(&question("a")).is_some());
        assert!(outage.recall(&question("d")).is_none(), "expired meanwhile");
        assert!(outage.recall(&question("z")).is_none(), "never proven");
        outage.forget(&Change::Row {
            kind: "key".into(),
            id: "a".into(),
        });
        assert!(outage.recall(&question("a")).is_none());
        assert!(outage.recall(&question("b")).is_some());
        outage.forget(&Change::Row {
            kind: "company".into(),
            id: "x".into(),
        });
        assert!(outage.recall(&question("b")).is_some());
        outage.forget(&Change::Row {
            kind: "service".into(),
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
        refusing.remember(question("a"), &valid("a", "paie", None));
        assert!(refusing.recall(&question("a")).is_none());
        outage.remember(question("e"), &valid("e", "paie", None));
        outage.forget(&Change::Unknown);
        assert!(outage.recall(&question("e")).is_none());
    }
}
