//! Flood-proofing. An attacker may know a key's public identifier, send any secret from any
//! number of addresses, and open as many connections as it likes; the key's owner must still be
//! answered, and the service must not run out of time, memory or sockets.
//!
//! - A secret already proven valid for an identifier is recognised by its SHA-256 and skips the
//!   queue (the store still decides); anything else may cost argon2id.
//! - argon2id work is admitted per client address: at most [`IN_FLIGHT_PER_CLIENT`] checks at
//!   once from one address (an IPv6 /64 counts as one), none from an address with
//!   [`ALLOWED_FAILURES`] failures in the last [`WINDOW`] (429). An address with a recent
//!   failure is a suspect: suspects go one at a time through a gate before the argon2id slots,
//!   and at most [`SUSPECTS_WAITING_MAX`] of them wait; at most [`WAITING_MAX`] checks wait in
//!   all (503 beyond, at once, instead of a queue without bound). An address with a clean record
//!   (the key's owner) thus waits behind at most one suspect's check.
//! - Failures counted per identifier never refuse anyone: past [`ALLOWED_FAILURES`], checks of
//!   unproven secrets for that identifier go one at a time through a lane of their own, which
//!   slows an attack spread over many addresses without locking the owner out.
//! - A valid answer is reused for [`FRESH_FOR`] for exactly the same question, but never after
//!   the store has changed (see [`Guard::store_changed`]), and only for a permission and a
//!   company the key really has: caller-supplied text never becomes a cache entry.
//!
//! Every map here has a size bound.

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use sesame_core::verify::{Verification, VerifyCode};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Failures allowed per client address (and per identifier, before its lane) within [`WINDOW`].
pub const ALLOWED_FAILURES: u32 = 5;
pub const WINDOW: Duration = Duration::from_secs(60);
/// argon2id checks one client address may have running or waiting at once.
pub const IN_FLIGHT_PER_CLIENT: u32 = 2;
/// argon2id checks from suspect addresses waiting at once; beyond, 503 at once.
pub const SUSPECTS_WAITING_MAX: usize = 16;
/// argon2id checks waiting in all; beyond, 503 at once.
pub const WAITING_MAX: usize = 64;
/// Bounds the memory made-up identifiers and addresses can make us use.
const MAX_TRACKED: usize = 50_000;
/// Valid answers kept at most.
const MAX_ANSWERS: usize = 20_000;
/// Lanes for identifiers under attack (striped by hash: a fixed number, whatever the attack).
const LANES: usize = 64;

/// How long a valid answer is reused, unless the store changes first.
pub const FRESH_FOR: Duration = Duration::from_millis(250);

/// Identifier, SHA-256 of the secret, permission and company asked for.
pub type AnswerKey = (String, [u8; 32], Option<String>, Option<String>);

/// A valid answer kept for reuse: when it was given, the store's epoch it was read in, and the
/// answer itself, shared with the requests it answers.
type KeptAnswer = (Instant, u64, Arc<Verification>);

/// A client address as the guard counts it: IPv4 as is, IPv6 by its /64 (one household or
/// server holds a whole /64), an IPv4-mapped IPv6 address as its IPv4 address.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientId(IpAddr);

impl ClientId {
    pub fn of(address: IpAddr) -> ClientId {
        match address {
            IpAddr::V4(v4) => ClientId(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientId(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1_u128 << 64) - 1);
                    ClientId(IpAddr::V6(prefix.into()))
                }
            },
        }
    }
}

#[derive(Debug, Default)]
struct ClientState {
    failures: u32,
    since: Option<Instant>,
    in_flight: u32,
}

impl ClientState {
    fn recent_failures(&self) -> u32 {
        match self.since {
            Some(since) if since.elapsed() < WINDOW => self.failures,
            _ => 0,
        }
    }
}

/// Why argon2id work was not admitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// This address failed too often lately, or has too many checks running.
    Throttled,
    /// The service has as much argon2id work waiting as it will take.
    Busy,
}

pub struct Guard {
    clients: Mutex<HashMap<ClientId, ClientState>>,
    identifier_failures: Mutex<HashMap<String, (u32, Instant)>>,
    known_good: Mutex<HashMap<String, [u8; 32]>>,
    argon2_slots: tokio::sync::Semaphore,
    /// One suspect at a time before the slots.
    suspect_gate: tokio::sync::Semaphore,
    waiting: AtomicUsize,
    suspects_waiting: AtomicUsize,
    lanes: Vec<tokio::sync::Mutex<()>>,
    answers: Mutex<HashMap<AnswerKey, KeptAnswer>>,
    /// Bumped whenever a store connection sees another connection's commit.
    epoch: AtomicU64,
    /// Checks that need argon2id, by identifier and secret: the first runs it, the others
    /// wait for its outcome (see [`Guard::flight`]).
    flights: Mutex<HashMap<FlightKey, Arc<FlightOutcome>>>,
}

/// An identifier and the SHA-256 of the secret presented with it.
type FlightKey = (String, [u8; 32]);

/// What the first check of a flight answered; `None` if it ended without an answer.
type FlightOutcome = tokio::sync::Mutex<Option<VerifyCode>>;

/// A check's place in the flight of its identifier and secret.
pub enum Flight<'g> {
    /// The first: runs the check and says what it found ([`Lead::found`]).
    Lead(Lead<'g>),
    /// Another: waits for the first's outcome ([`Flight::outcome`]).
    Follow(Arc<FlightOutcome>),
}

impl Flight<'_> {
    /// The outcome of the flight this check follows, once its first check is done.
    pub async fn outcome(follow: Arc<FlightOutcome>) -> Option<VerifyCode> {
        *follow.lock().await
    }
}

/// Held by the first check of a flight; dropping it lets the others go on.
pub struct Lead<'g> {
    guard: &'g Guard,
    key: Option<FlightKey>,
    outcome: Option<tokio::sync::OwnedMutexGuard<Option<VerifyCode>>>,
}

impl Lead<'_> {
    pub fn found(&mut self, code: VerifyCode) {
        if let Some(outcome) = self.outcome.as_mut() {
            **outcome = Some(code);
        }
    }
}

impl Drop for Lead<'_> {
    fn drop(&mut self) {
        if let (Some(key), Ok(mut flights)) = (self.key.take(), self.guard.flights.lock()) {
            flights.remove(&key);
        }
        self.outcome.take();
    }
}

impl Guard {
    /// `argon2_slots` checks run at once; the other cores keep serving proven keys.
    pub fn new(argon2_slots: usize) -> Guard {
        Guard {
            clients: Mutex::new(HashMap::new()),
            identifier_failures: Mutex::new(HashMap::new()),
            known_good: Mutex::new(HashMap::new()),
            argon2_slots: tokio::sync::Semaphore::new(argon2_slots.max(1)),
            suspect_gate: tokio::sync::Semaphore::new(1),
            waiting: AtomicUsize::new(0),
            suspects_waiting: AtomicUsize::new(0),
            lanes: (0..LANES).map(|_| tokio::sync::Mutex::new(())).collect(),
            answers: Mutex::new(HashMap::new()),
            epoch: AtomicU64::new(0),
            flights: Mutex::new(HashMap::new()),
        }
    }

    /// Single flight: concurrent checks of one identifier with one secret share one argon2id.
    /// The first leads; the others wait for its outcome and are answered from it (a wrong
    /// secret) or from the proof it left in the stores (a right one), so a client opening many
    /// connections at once is answered, not throttled. Another secret for the same identifier
    /// flies alone: nobody can make the owner wait on an attacker's check.
    pub fn flight(&self, identifier: &str, digest: &[u8; 32]) -> Flight<'_> {
        let alone = || {
            Flight::Lead(Lead {
                guard: self,
                key: None,
                outcome: None,
            })
        };
        let Ok(mut flights) = self.flights.lock() else {
            return alone();
        };
        let key = (identifier.to_owned(), *digest);
        if let Some(follow) = flights.get(&key) {
            return Flight::Follow(Arc::clone(follow));
        }
        if flights.len() >= MAX_TRACKED {
            return alone();
        }
        let outcome = Arc::new(tokio::sync::Mutex::new(None));
        // Locked before anyone can see it: followers wait until the lead is dropped.
        let Ok(held) = Arc::clone(&outcome).try_lock_owned() else {
            return alone();
        };
        flights.insert(key.clone(), outcome);
        Flight::Lead(Lead {
            guard: self,
            key: Some(key),
            outcome: Some(held),
        })
    }
}

/// Whether a valid answer may be kept for its question: the question holds nothing but the
/// key's own values (a permission it has, a company it is restricted to; a company it is not
/// restricted to is allowed, but the text is the caller's and is not kept).
pub fn keepable(question: &AnswerKey, answer: &Verification) -> bool {
    let Some(key) = &answer.key else {
        return false;
    };
    let (_, _, permission, company) = question;
    let permission_is_the_keys = permission
        .as_ref()
        .is_none_or(|wanted| key.permissions.iter().any(|p| p == wanted));
    let company_is_the_keys = company.as_ref().is_none_or(|wanted| {
        key.companies
            .iter()
            .any(|c| &c.id == wanted || &c.name == wanted)
    });
    permission_is_the_keys && company_is_the_keys
}

/// Argon2id work admitted for one client: holds its place until dropped.
pub struct Admission<'a> {
    guard: &'a Guard,
    client: ClientId,
    suspect: bool,
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.guard.waiting.fetch_sub(1, Ordering::AcqRel);
        if self.suspect {
            self.guard.suspects_waiting.fetch_sub(1, Ordering::AcqRel);
        }
        if let Ok(mut clients) = self.guard.clients.lock()
            && let Some(state) = clients.get_mut(&self.client)
        {
            state.in_flight = state.in_flight.saturating_sub(1);
        }
    }
}

/// A turn at argon2id: held until the check is done.
pub struct Turn<'a> {
    _gate: Option<tokio::sync::SemaphorePermit<'a>>,
    _lane: Option<tokio::sync::MutexGuard<'a, ()>>,
    _slot: Option<tokio::sync::SemaphorePermit<'a>>,
}

pub fn digest(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

impl Guard {
    /// The current epoch: answers remembered in an older one are not reused.
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// Called with what a store connection says of other connections' commits.
    pub fn store_changed(&self, changed: bool) {
        if changed {
            self.epoch.fetch_add(1, Ordering::AcqRel);
        }
    }

    /// A valid answer given less than [`FRESH_FOR`] ago for exactly this question, with no
    /// change to the store since.
    pub fn fresh_answer(&self, question: &AnswerKey) -> Option<Arc<Verification>> {
        let epoch = self.epoch();
        let answers = self.answers.lock().ok()?;
        answers
            .get(question)
            .filter(|(at, seen_in, _)| at.elapsed() < FRESH_FOR && *seen_in == epoch)
            .map(|(_, _, answer)| Arc::clone(answer))
    }

    /// Keeps a valid answer, read in `epoch`, when the question holds nothing but the key's
    /// own values: a permission it has, a company it is restricted to (a company it is not
    /// restricted to is allowed, but the text is the caller's and is not kept). Says whether it
    /// was kept (see [`keepable`]).
    pub fn remember_answer(
        &self,
        question: &AnswerKey,
        epoch: u64,
        answer: &Arc<Verification>,
    ) -> bool {
        if !keepable(question, answer) {
            return false;
        }
        if let Ok(mut answers) = self.answers.lock() {
            if answers.len() >= MAX_ANSWERS {
                let current = self.epoch();
                answers
                    .retain(|_, (at, seen_in, _)| at.elapsed() < FRESH_FOR && *seen_in == current);
                if answers.len() >= MAX_ANSWERS {
                    answers.clear();
                }
            }
            answers.insert(
                question.clone(),
                (Instant::now(), epoch, Arc::clone(answer)),
            );
        }
        true
    }

    /// Forgets `digest` as the secret seen valid for this identifier: when it turned out
    /// wrong, or when the store could no longer answer it without argon2id (the key was
    /// regenerated). Another secret's failure leaves it alone: someone who knows only the
    /// identifier cannot push its owner off the fast path.
    pub fn forget_good(&self, identifier: &str, digest: &[u8; 32]) {
        if let Ok(mut known) = self.known_good.lock()
            && known
                .get(identifier)
                .is_some_and(|good| bool::from(good.ct_eq(digest)))
        {
            known.remove(identifier);
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

    /// Admits one argon2id check for `client`, or says why not.
    pub fn admit(&self, client: ClientId) -> Result<Admission<'_>, Refusal> {
        let mut clients = self.clients.lock().map_err(|_| Refusal::Busy)?;
        if clients.len() >= MAX_TRACKED && !clients.contains_key(&client) {
            clients.retain(|_, state| state.in_flight > 0 || state.recent_failures() > 0);
            if clients.len() >= MAX_TRACKED {
                return Err(Refusal::Busy);
            }
        }
        let state = clients.entry(client).or_default();
        let failures = state.recent_failures();
        if failures >= ALLOWED_FAILURES || state.in_flight >= IN_FLIGHT_PER_CLIENT {
            return Err(Refusal::Throttled);
        }
        let suspect = failures > 0;
        if suspect {
            let suspects = self.suspects_waiting.fetch_add(1, Ordering::AcqRel);
            if suspects >= SUSPECTS_WAITING_MAX {
                self.suspects_waiting.fetch_sub(1, Ordering::AcqRel);
                return Err(Refusal::Busy);
            }
        }
        let waiting = self.waiting.fetch_add(1, Ordering::AcqRel);
        if waiting >= WAITING_MAX {
            self.waiting.fetch_sub(1, Ordering::AcqRel);
            if suspect {
                self.suspects_waiting.fetch_sub(1, Ordering::AcqRel);
            }
            return Err(Refusal::Busy);
        }
        state.in_flight += 1;
        Ok(Admission {
            guard: self,
            client,
            suspect,
        })
    }

    /// Waits for an argon2id slot: a suspect first through the gate, then anyone checking an
    /// identifier under attack through that identifier's lane.
    /// Whether the check is a suspect's was decided when it was admitted.
    pub async fn argon2_turn(&self, identifier: &str, admission: &Admission<'_>) -> Turn<'_> {
        // The semaphores are never closed, so acquiring only fails if they were.
        let gate = match admission.suspect {
            true => self.suspect_gate.acquire().await.ok(),
            false => None,
        };
        let lane = match self.under_attack(identifier) {
            true => Some(self.lanes[lane_of(identifier)].lock().await),
            false => None,
        };
        let slot = self.argon2_slots.acquire().await.ok();
        Turn {
            _gate: gate,
            _lane: lane,
            _slot: slot,
        }
    }

    fn under_attack(&self, identifier: &str) -> bool {
        self.identifier_failures.lock().is_ok_and(|failures| {
            failures.get(identifier).is_some_and(|(count, since)| {
                *count >= ALLOWED_FAILURES && since.elapsed() < WINDOW
            })
        })
    }

    /// Remembers the outcome of a check that reached the store.
    pub fn record(
        &self,
        client: ClientId,
        identifier: &str,
        digest: [u8; 32],
        secret_was_right: bool,
    ) {
        if secret_was_right {
            if let Ok(mut known) = self.known_good.lock() {
                if known.len() >= MAX_TRACKED {
                    known.clear();
                }
                known.insert(identifier.to_owned(), digest);
            }
            return;
        }
        self.forget_good(identifier, &digest);
        if let Ok(mut clients) = self.clients.lock() {
            let state = clients.entry(client).or_default();
            match state.since {
                Some(since) if since.elapsed() < WINDOW => state.failures += 1,
                _ => {
                    state.failures = 1;
                    state.since = Some(Instant::now());
                }
            }
        }
        if let Ok(mut failures) = self.identifier_failures.lock() {
            if failures.len() >= MAX_TRACKED {
                failures.retain(|_, (_, since)| since.elapsed() < WINDOW);
                if failures.len() >= MAX_TRACKED {
                    failures.clear();
                }
            }
            let entry = failures
                .entry(identifier.to_owned())
                .or_insert((0, Instant::now()));
            if entry.1.elapsed() >= WINDOW {
                *entry = (0, Instant::now());
            }
            entry.0 = entry.0.saturating_add(1);
        }
    }
}

fn lane_of(identifier: &str) -> usize {
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    identifier.hash(&mut hasher);
    (hasher.finish() % LANES as u64) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_addresses_count_by_their_64_prefix() {
        let a: IpAddr = "2001:db8:1:2::1"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        let b: IpAddr = "2001:db8:1:2:ffff::9"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        let c: IpAddr = "2001:db8:1:3::1"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        assert_eq!(ClientId::of(a), ClientId::of(b));
        assert_ne!(ClientId::of(a), ClientId::of(c));
        let mapped: IpAddr = "::ffff:127.0.0.2"
            .parse()
            .unwrap_or(IpAddr::V4([0; 4].into()));
        assert_eq!(ClientId::of(mapped), ClientId::of([127, 0, 0, 2].into()));
    }

    #[test]
    fn an_address_is_throttled_alone_and_work_waiting_is_bounded() {
        let guard = Guard::new(1);
        let attacker = ClientId::of([127, 0, 0, 2].into());
        let owner = ClientId::of([127, 0, 0, 1].into());
        for _ in 0..ALLOWED_FAILURES {
            guard.record(attacker, "paie_x", [0; 32], false);
        }
        assert_eq!(guard.admit(attacker).err(), Some(Refusal::Throttled));
        assert!(guard.admit(owner).is_ok());
        // In flight per client, then the whole queue.
        let first = guard.admit(owner);
        let second = guard.admit(owner);
        assert!(first.is_ok() && second.is_ok());
        assert_eq!(guard.admit(owner).err(), Some(Refusal::Throttled));
        drop((first, second));
        // Suspects (an address with a failure) wait in a bounded number; a clean address still
        // gets in, up to the bound for everyone.
        let mut held = Vec::new();
        for n in 0..SUSPECTS_WAITING_MAX {
            let client = ClientId::of([10, 0, (n / 250) as u8, (n % 250) as u8].into());
            guard.record(client, "paie_y", [0; 32], false);
            held.push(guard.admit(client));
        }
        assert!(held.iter().all(Result::is_ok));
        let another_suspect = ClientId::of([10, 1, 0, 1].into());
        guard.record(another_suspect, "paie_y", [0; 32], false);
        assert_eq!(guard.admit(another_suspect).err(), Some(Refusal::Busy));
        assert!(guard.admit(owner).is_ok());
        for n in 0..WAITING_MAX {
            let client = ClientId::of([10, 2, (n / 250) as u8, (n % 250) as u8].into());
            held.push(guard.admit(client));
        }
        assert_eq!(guard.admit(owner).err(), Some(Refusal::Busy));
        drop(held);
        assert!(guard.admit(owner).is_ok());
    }

    #[test]
    fn caller_text_is_never_cached() {
        use sesame_core::verify::{VerifiedKey, VerifyCode};
        let guard = Guard::new(1);
        let answer = Arc::new(Verification {
            code: VerifyCode::Valid,
            key: Some(VerifiedKey {
                id: "k".into(),
                name: "n".into(),
                identifier: "paie_x".into(),
                service_id: "s".into(),
                service_name: "S".into(),
                permissions: vec!["factures:lecture".into()],
                companies: vec![],
                expires_at: None,
                secret_generation: 0,
            }),
        });
        let question =
            |company: &str| ("paie_x".to_owned(), [0; 32], None, Some(company.to_owned()));
        assert!(!guard.remember_answer(&question("made-up"), guard.epoch(), &answer));
        assert!(guard.fresh_answer(&question("made-up")).is_none());
        let plain = ("paie_x".to_owned(), [0; 32], None, None);
        assert!(guard.remember_answer(&plain, guard.epoch(), &answer));
        assert!(guard.fresh_answer(&plain).is_some());
        guard.store_changed(true);
        assert!(guard.fresh_answer(&plain).is_none());
    }
}
