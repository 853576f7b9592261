//! Flood-proofing. A secret already proven valid for an identifier is recognised by its SHA-256
//! and goes straight to the store's cache; anything else may cost argon2id, so it waits for the
//! one argon2id slot (the other cores keep serving valid keys), and an identifier with too many
//! recent failures is refused before any work.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sesame_core::verify::Verification;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Failures allowed per identifier within [`WINDOW`] before it is throttled.
const ALLOWED_FAILURES: u32 = 5;
const WINDOW: Duration = Duration::from_secs(60);
/// Bounds the memory an attacker can make us use with made-up identifiers.
const MAX_TRACKED: usize = 100_000;

pub struct Guard {
    failures: Mutex<HashMap<String, (u32, Instant)>>,
    known_good: Mutex<HashMap<String, [u8; 32]>>,
    pub argon2_slot: tokio::sync::Semaphore,
    /// Valid answers kept for [`FRESH_FOR`], so a key checked thousands of times a second costs
    /// one store read per period; a change made elsewhere is still obeyed well within a second.
    answers: Mutex<HashMap<AnswerKey, (Instant, Verification)>>,
}

/// How long a valid answer is reused.
pub const FRESH_FOR: Duration = Duration::from_millis(250);

/// Identifier, SHA-256 of the secret, permission and company asked for.
pub type AnswerKey = (String, [u8; 32], Option<String>, Option<String>);

impl Default for Guard {
    fn default() -> Self {
        Guard {
            failures: Mutex::new(HashMap::new()),
            known_good: Mutex::new(HashMap::new()),
            argon2_slot: tokio::sync::Semaphore::new(1),
            answers: Mutex::new(HashMap::new()),
        }
    }
}

pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

impl Guard {
    /// A valid answer given less than [`FRESH_FOR`] ago for exactly this question.
    pub fn fresh_answer(&self, question: &AnswerKey) -> Option<Verification> {
        let answers = self.answers.lock().ok()?;
        answers
            .get(question)
            .filter(|(at, _)| at.elapsed() < FRESH_FOR)
            .map(|(_, answer)| answer.clone())
    }

    pub fn remember_answer(&self, question: AnswerKey, answer: &Verification) {
        if let Ok(mut answers) = self.answers.lock() {
            if answers.len() >= MAX_TRACKED {
                answers.retain(|_, (at, _)| at.elapsed() < FRESH_FOR);
            }
            answers.insert(question, (Instant::now(), answer.clone()));
        }
    }

    /// Whether this secret was already seen valid for this identifier (the store still checks
    /// the key's state; this only spares the queue).
    pub fn known_good(&self, identifier: &str, digest: &[u8; 32]) -> bool {
        self.known_good.lock().is_ok_and(|known| {
            known
                .get(identifier)
                .is_some_and(|good| bool::from(good.ct_eq(digest)))
        })
    }

    pub fn throttled(&self, identifier: &str) -> bool {
        self.failures.lock().is_ok_and(|failures| {
            failures.get(identifier).is_some_and(|(count, since)| {
                *count >= ALLOWED_FAILURES && since.elapsed() < WINDOW
            })
        })
    }

    /// Remembers the outcome of a check that reached the store.
    pub fn record(&self, identifier: &str, digest: [u8; 32], secret_was_right: bool) {
        if secret_was_right {
            if let Ok(mut known) = self.known_good.lock() {
                if known.len() >= MAX_TRACKED {
                    known.clear();
                }
                known.insert(identifier.to_owned(), digest);
            }
            return;
        }
        if let Ok(mut failures) = self.failures.lock() {
            if failures.len() >= MAX_TRACKED {
                failures.retain(|_, (_, since)| since.elapsed() < WINDOW);
            }
            let entry = failures
                .entry(identifier.to_owned())
                .or_insert((0, Instant::now()));
            if entry.1.elapsed() >= WINDOW {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
    }
}
