//! Checking a presented key: format, existence, secret, status, permission and company, in
//! that order, answering one of the spec's codes.
//!
//! A repeated check of a secret already proven good does not pay argon2id again: the SHA-256 of
//! the proven secret is remembered with the key's revision, which every change of state or
//! rights bumps, in this process or any other.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::Sesame;
use crate::clock::{from_millis, to_millis};
use crate::company::CompanyRef;
use crate::error::Result;
use crate::key::{KeyStatus, effective_status, stored_status};
use crate::key_format::{self, PresentedKey};
use crate::password;
use crate::secret::ExposeSecret;
use crate::store::db::{Connection, Write};
use crate::store::file_changes::FileChanges;
use crate::store::usage::{self, KeyRow};
use crate::validate;

pub use crate::vocab::VerifyCode;

/// What a valid key may do, for the service that checked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedKey {
    pub id: String,
    pub name: String,
    pub identifier: String,
    pub service_id: String,
    pub service_name: String,
    pub permissions: Vec<String>,
    pub companies: Vec<CompanyRef>,
    pub expires_at: Option<DateTime<Utc>>,
    /// When the secret was last regenerated (milliseconds; 0 for the first one): written in the
    /// tokens issued for this secret, so a token outlives a regeneration only as long as the
    /// old secret itself.
    pub secret_generation: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    pub code: VerifyCode,
    /// Present only when the code is [`VerifyCode::Valid`].
    pub key: Option<VerifiedKey>,
}

impl Verification {
    /// A refusal, which names no key.
    pub fn refused(code: VerifyCode) -> Verification {
        Verification { code, key: None }
    }

    pub fn is_valid(&self) -> bool {
        self.code == VerifyCode::Valid
    }
}

/// Remembers, per key, the digest of the secret last proven with argon2id and the revision it
/// was proven at.
#[derive(Debug, Default)]
pub(crate) struct VerifiedSecrets {
    /// Per key, the SHA-256 of the stored secret hash a secret was proven against, and the
    /// SHA-256 of that secret: a change of the key's status, permissions or expiry keeps it
    /// (only a new secret hash does not), so a revoked key is answered REVOKED without running
    /// argon2id again.
    /// Shared by the stores of one verifier's pool (see [`Sesame::share_proven_secrets`]): a
    /// secret proven on one store spares argon2id on all of them.
    entries: Arc<RwLock<ProvenSecrets>>,
    /// Permissions and companies per key, valid for the revision they were read at.
    grants: HashMap<String, (i64, Grants)>,
    /// Per key, the deciding values last proven against the key's seal.
    seals: HashMap<String, ProvenKey>,
    argon2_checks: u64,
}

#[derive(Debug, Clone)]
struct Grants {
    permissions: Vec<String>,
    companies: Vec<CompanyRef>,
}

/// Per key id, the SHA-256 of the stored secret hash and of the secret proven against it.
type ProvenSecrets = HashMap<String, ([u8; 32], [u8; 32])>;

const VERIFIED_SECRETS_MAX: usize = 200_000;

impl VerifiedSecrets {
    fn knows(&self, key_id: &str, secret_hash: &str, digest: &[u8; 32]) -> bool {
        let stored: [u8; 32] = Sha256::digest(secret_hash.as_bytes()).into();
        self.entries.read().is_ok_and(|entries| {
            entries
                .get(key_id)
                .is_some_and(|(known_hash, known_digest)| {
                    *known_hash == stored && bool::from(known_digest.ct_eq(digest))
                })
        })
    }

    fn remember(&mut self, key_id: &str, secret_hash: &str, digest: [u8; 32]) {
        let stored: [u8; 32] = Sha256::digest(secret_hash.as_bytes()).into();
        if let Ok(mut entries) = self.entries.write() {
            if entries.len() >= VERIFIED_SECRETS_MAX {
                entries.clear();
                self.grants.clear();
            }
            entries.insert(key_id.to_owned(), (stored, digest));
        }
    }

    pub(crate) fn forget(&mut self, key_id: &str) {
        if let Ok(mut entries) = self.entries.write() {
            entries.remove(key_id);
        }
        self.grants.remove(key_id);
        self.seals.remove(key_id);
    }

    fn remember_seal(&mut self, key_id: &str, proven: ProvenKey) {
        if self.seals.len() >= VERIFIED_SECRETS_MAX {
            self.seals.clear();
        }
        self.seals.insert(key_id.to_owned(), proven);
    }
}

/// Uses and failures waiting to be written in one transaction.
#[derive(Debug, Default)]
pub(crate) struct PendingUsage {
    uses: HashMap<String, (u64, DateTime<Utc>)>,
    failures: HashMap<String, u64>,
}

impl PendingUsage {
    fn used(&mut self, key_id: &str, at: DateTime<Utc>) {
        self.used_times(key_id, 1, at);
    }

    fn used_times(&mut self, key_id: &str, count: u64, at: DateTime<Utc>) {
        // Looked up by reference first: a key used again (the usual case) costs no allocation.
        match self.uses.get_mut(key_id) {
            Some(entry) => {
                entry.0 += count;
                entry.1 = entry.1.max(at);
            }
            None => {
                self.uses.insert(key_id.to_owned(), (count, at));
            }
        }
    }

    fn failed(&mut self, key_id: &str) {
        *self.failures.entry(key_id.to_owned()).or_insert(0) += 1;
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.uses.is_empty() && self.failures.is_empty()
    }

    /// Adds counts that could not be written back to those counted since.
    fn merge(&mut self, earlier: PendingUsage) {
        for (key_id, (count, at)) in earlier.uses {
            let entry = self.uses.entry(key_id).or_insert((0, at));
            entry.0 += count;
            entry.1 = entry.1.max(at);
        }
        for (key_id, count) in earlier.failures {
            *self.failures.entry(key_id).or_insert(0) += count;
        }
    }
}

/// Writes counted uses and failures in one transaction.
fn write_usage(write: Write<'_>, pending: &PendingUsage) -> Result<()> {
    let uses: Vec<(&str, u64, DateTime<Utc>)> = pending
        .uses
        .iter()
        .map(|(key_id, (count, at))| (key_id.as_str(), *count, *at))
        .collect();
    let failures: Vec<(&str, u64)> = pending
        .failures
        .iter()
        .map(|(key_id, count)| (key_id.as_str(), *count))
        .collect();
    usage::add_counts(write, &uses, &failures)
}

/// Whether a presented secret is the key's.
enum SecretMatch {
    No,
    /// `generation`: the secret's (see [`VerifiedKey::secret_generation`]).
    Yes {
        rehash: Option<String>,
        generation: i64,
    },
    /// Only argon2id could tell (see [`Sesame::verify_if_known`]).
    NeedsArgon2,
}

/// The generation given to the previous secret of a key regenerated before generations were
/// kept for previous secrets: never a current generation.
pub(crate) const PREVIOUS_UNKNOWN: i64 = -1;

/// Whether a check may run argon2id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Argon2 {
    Allowed,
    Forbidden,
}

/// What one check found (see [`Sesame::verify`]).
enum Once {
    Answer(Verification),
    /// The key's row moved while it was being proven: check again from the start.
    Moved,
    NeedsArgon2,
}

/// A key row's deciding values as last proven against its seal.
#[derive(Debug, PartialEq, Eq)]
struct ProvenKey {
    service_id: String,
    status: String,
    secret_hash: Option<String>,
    previous_secret_hash: Option<String>,
    previous_secret_valid_until: Option<i64>,
    previous_generation: Option<i64>,
    expires_at: Option<i64>,
    regenerated_at: Option<i64>,
    revision: i64,
    permissions: Vec<String>,
    companies: Vec<String>,
    /// The event the proven seal was bound to: a row holding these values under an older seal
    /// (put back from an older copy) is not the row proven.
    seal_seq: Option<i64>,
}

impl ProvenKey {
    /// Whether `row` and `key` still hold exactly these values (no allocation: the warm path).
    fn still(&self, row: &KeyRow, grants: &Grants) -> bool {
        self.revision == row.revision
            && self.seal_seq == row.seal_seq
            && row
                .last_event
                .is_none_or(|last| row.seal_seq.is_some_and(|seq| last <= seq))
            && self.status == row.status
            && self.service_id == row.service_id
            && self.secret_hash == row.secret_hash
            && self.previous_secret_hash == row.previous_secret_hash
            && self.previous_secret_valid_until == row.previous_secret_valid_until
            && self.previous_generation == row.previous_generation
            && self.expires_at == row.expires_at
            && self.regenerated_at == row.regenerated_at
            && self.permissions == grants.permissions
            && self.companies.len() == grants.companies.len()
            && grants
                .companies
                .iter()
                .all(|c| self.companies.contains(&c.id))
    }
}

impl Sesame {
    /// Checks a bearer string `identifier.secret`. A malformed string is refused without
    /// reading the store.
    pub fn verify_bearer(
        &mut self,
        bearer: &str,
        permission: Option<&str>,
        company: Option<&str>,
    ) -> Result<Verification> {
        match key_format::parse_bearer(bearer) {
            Ok(presented) => self.verify(&presented, permission, company),
            Err(_) => Ok(Verification::refused(VerifyCode::Malformed)),
        }
    }

    /// Checks the two-part form (client id and client secret).
    pub fn verify_parts(
        &mut self,
        identifier: &str,
        secret: &str,
        permission: Option<&str>,
        company: Option<&str>,
    ) -> Result<Verification> {
        match key_format::parse_parts(identifier, secret) {
            Ok(presented) => self.verify(&presented, permission, company),
            Err(_) => Ok(Verification::refused(VerifyCode::Malformed)),
        }
    }

    /// Checks a well-formed key against the store. Uses are counted in memory and written by
    /// [`Sesame::flush_usage`] (also called when the `Sesame` is dropped).
    pub fn verify(
        &mut self,
        presented: &PresentedKey,
        permission: Option<&str>,
        company: Option<&str>,
    ) -> Result<Verification> {
        let answer = self.verify_with(presented, permission, company, Argon2::Allowed)?;
        Ok(answer.unwrap_or_else(|| Verification::refused(VerifyCode::Tampered)))
    }

    /// Like [`Sesame::verify`], but only for a secret this connection already proved against
    /// the key's current (or, in its grace period, previous) hash: `None` when an answer would
    /// need argon2id (an unknown identifier, a secret not proven, a key regenerated since). A
    /// front end answers such requests without queueing them and sends the others through its
    /// admission; a secret once good thus never buys argon2id time outside the queue.
    pub fn verify_if_known(
        &mut self,
        presented: &PresentedKey,
        permission: Option<&str>,
        company: Option<&str>,
    ) -> Result<Option<Verification>> {
        self.verify_with(presented, permission, company, Argon2::Forbidden)
    }

    fn verify_with(
        &mut self,
        presented: &PresentedKey,
        permission: Option<&str>,
        company: Option<&str>,
        argon2: Argon2,
    ) -> Result<Option<Verification>> {
        // The row, its grants and its seal are separate reads: a commit between them is not
        // tampering. A row that moved meanwhile is checked again from the start (its proven
        // secret spares argon2id); only a row that holds still is named tampered.
        const TRIES: u32 = 3;
        for attempt in 1..=TRIES {
            match self.verify_once(presented, permission, company, attempt == TRIES, argon2)? {
                Once::Answer(answer) => return Ok(Some(answer)),
                Once::NeedsArgon2 => return Ok(None),
                Once::Moved => {}
            }
        }
        Ok(Some(Verification::refused(VerifyCode::Tampered)))
    }

    /// One check (see [`Sesame::verify`]). On the `last` try, a row that does not match its
    /// seal is tampered.
    fn verify_once(
        &mut self,
        presented: &PresentedKey,
        permission: Option<&str>,
        company: Option<&str>,
        last: bool,
        argon2: Argon2,
    ) -> Result<Once> {
        let now = self.now();
        let secret = presented.secret.expose_secret().as_bytes();
        let row = usage::key_by_identifier(self.reads(), &presented.identifier)?;
        let Some(row) = row.filter(|row| !row.deleted) else {
            if argon2 == Argon2::Forbidden {
                return Ok(Once::NeedsArgon2);
            }
            self.verified_secrets.argon2_checks += 1;
            password::spend_equal_time(secret, self.cost);
            return Ok(Once::Answer(Verification::refused(VerifyCode::NotFound)));
        };
        let (rehash, secret_generation) = match self.secret_matches(&row, secret, now, argon2)? {
            SecretMatch::NeedsArgon2 => return Ok(Once::NeedsArgon2),
            SecretMatch::No => {
                self.pending_usage.failed(&row.id);
                return Ok(Once::Answer(Verification::refused(
                    VerifyCode::InvalidSecret,
                )));
            }
            SecretMatch::Yes { rehash, generation } => (rehash, generation),
        };
        let expires_at = row.expires_at.map(from_millis);
        let refused = match effective_status(stored_status(&row.status), expires_at, now) {
            KeyStatus::Active => None,
            KeyStatus::Inactive => Some(VerifyCode::Inactive),
            KeyStatus::Revoked => Some(VerifyCode::Revoked),
            KeyStatus::Expired => Some(VerifyCode::Expired),
        };
        if let Some(code) = refused {
            self.pending_usage.failed(&row.id);
            return Ok(Once::Answer(Verification::refused(code)));
        }
        let stored_hash = rehash.as_ref().and(row.secret_hash.clone());
        let mut key = match self.sealed_key(row, &presented.identifier, expires_at, last)? {
            Sealed::Proven(key) => key,
            Sealed::Tampered => {
                return Ok(Once::Answer(Verification::refused(VerifyCode::Tampered)));
            }
            Sealed::Moved => return Ok(Once::Moved),
        };
        // Tokens name the secret that obtained them: one obtained with the previous secret
        // during its grace period ends with that secret.
        key.secret_generation = secret_generation;
        // Only a row proven against its seal is rewritten (the trigger reseals it), and only if
        // nobody regenerated the key meanwhile.
        // Through `write` like every other write (one `BEGIN IMMEDIATE` transaction); no audit
        // event: see ARCHITECTURE.md. A store busy or read-only just then does not refuse a
        // valid key: the hash stays as it was and the next check rehashes.
        if let (Some(stronger), Some(stored_hash)) = (rehash, stored_hash) {
            let written = self.write(|transaction, _| {
                usage::rehash(transaction, &key.id, &stronger, &stored_hash)
            });
            if written.is_ok() {
                let digest: [u8; 32] = Sha256::digest(secret).into();
                self.verified_secrets.remember(&key.id, &stronger, digest);
            }
        }
        let wanted_permission = permission.map(str::trim).filter(|p| !p.is_empty());
        if wanted_permission.is_some_and(|wanted| !key.permissions.iter().any(|p| p == wanted)) {
            return Ok(Once::Answer(Verification::refused(
                VerifyCode::InsufficientPermission,
            )));
        }
        if let Some(required) = company.map(str::trim).filter(|c| !c.is_empty()) {
            // Companies are unique by id and by normalised name, so the key's own list answers.
            let wanted = validate::name_key(required);
            let matched = key
                .companies
                .iter()
                .find(|c| c.id == required || validate::name_key(&c.name) == wanted);
            if !key.companies.is_empty() && matched.is_none() {
                return Ok(Once::Answer(Verification::refused(
                    VerifyCode::CompanyForbidden,
                )));
            }
            // A company named by the caller decides only under the name Sésame sealed: two
            // companies' names swapped in the store do not open one's keys to the other.
            if let Some(company) = matched.filter(|company| company.id != required)
                && !self.proven_or_reported(
                    crate::seal::SealedKind::Company,
                    &company.id,
                    &company.name,
                    "verification",
                )?
            {
                return Ok(Once::Answer(Verification::refused(VerifyCode::Tampered)));
            }
        }
        self.pending_usage.used(&key.id, now);
        Ok(Once::Answer(Verification {
            code: VerifyCode::Valid,
            key: Some(key),
        }))
    }

    /// The current secret (through the cache, else argon2id), then the previous one while its
    /// grace period runs.
    /// A current secret whose hash is not at the installation's cost comes with the hash to
    /// store instead, written once the row is proven against its seal.
    fn secret_matches(
        &mut self,
        row: &KeyRow,
        secret: &[u8],
        now: DateTime<Utc>,
        argon2: Argon2,
    ) -> Result<SecretMatch> {
        let digest: [u8; 32] = Sha256::digest(secret).into();
        let Some(current_hash) = &row.secret_hash else {
            return Ok(SecretMatch::No);
        };
        let current = row.regenerated_at.unwrap_or(0);
        if self.verified_secrets.knows(&row.id, current_hash, &digest) {
            return Ok(SecretMatch::Yes {
                rehash: None,
                generation: current,
            });
        }
        if argon2 == Argon2::Forbidden {
            return Ok(SecretMatch::NeedsArgon2);
        }
        self.verified_secrets.argon2_checks += 1;
        if password::matches(secret, current_hash) {
            // A secret whose hash must be rewritten is remembered once the rewrite is written,
            // so that a rewrite that could not be written is tried again at the next check.
            let rehash = match self.cost.needs_rehash(current_hash) {
                true => Some(self.cost.hash(secret)?),
                false => {
                    self.verified_secrets
                        .remember(&row.id, current_hash, digest);
                    None
                }
            };
            return Ok(SecretMatch::Yes {
                rehash,
                generation: current,
            });
        }
        let grace_running = row
            .previous_secret_valid_until
            .is_some_and(|until| until > to_millis(now));
        if let (true, Some(previous_hash)) = (grace_running, &row.previous_secret_hash) {
            self.verified_secrets.argon2_checks += 1;
            if password::matches(secret, previous_hash) {
                return Ok(SecretMatch::Yes {
                    rehash: None,
                    generation: row.previous_generation.unwrap_or(PREVIOUS_UNKNOWN),
                });
            }
        }
        Ok(SecretMatch::No)
    }

    /// The key about to be answered valid, if its row matches its seal (see `seal.rs`); a row
    /// changed outside Sésame is reported to the audit trail once and refused. A row holding
    /// the very values last proven costs a comparison; any other is checked against its seal.
    fn sealed_key(
        &mut self,
        row: KeyRow,
        identifier: &str,
        expires_at: Option<DateTime<Utc>>,
        last: bool,
    ) -> Result<Sealed> {
        let cached_grants = self.verified_key_grants(&row)?;
        if self
            .verified_secrets
            .seals
            .get(&row.id)
            .is_some_and(|proven| proven.still(&row, &cached_grants))
        {
            return Ok(Sealed::Proven(VerifiedKey {
                secret_generation: row.regenerated_at.unwrap_or(0),
                id: row.id,
                name: row.name,
                identifier: identifier.to_owned(),
                service_id: row.service_id,
                service_name: row.service_name,
                permissions: cached_grants.permissions,
                companies: cached_grants.companies,
                expires_at,
            }));
        }
        let key = VerifiedKey {
            secret_generation: row.regenerated_at.unwrap_or(0),
            id: row.id.clone(),
            name: row.name.clone(),
            identifier: identifier.to_owned(),
            service_id: row.service_id.clone(),
            service_name: row.service_name.clone(),
            permissions: cached_grants.permissions,
            companies: cached_grants.companies,
            expires_at,
        };
        let mut company_ids: Vec<String> = key.companies.iter().map(|c| c.id.clone()).collect();
        company_ids.sort();
        let canonical = crate::seal::key_canonical(&crate::seal::KeyDecidingValues {
            id: &row.id,
            service_id: &row.service_id,
            identifier,
            status: &row.status,
            secret_hash: row.secret_hash.as_deref(),
            previous_secret_hash: row.previous_secret_hash.as_deref(),
            previous_secret_valid_until: row.previous_secret_valid_until,
            previous_generation: row.previous_generation,
            expires_at: row.expires_at,
            deleted_at: None,
            regenerated_at: row.regenerated_at,
            revision: row.revision,
            permissions: &key.permissions,
            company_ids: &company_ids,
        });
        if crate::seal::proven(
            &self.state_key,
            &canonical,
            row.seal.as_deref(),
            row.seal_seq,
            row.last_event,
        ) {
            let proven = ProvenKey {
                service_id: row.service_id,
                status: row.status,
                secret_hash: row.secret_hash,
                previous_secret_hash: row.previous_secret_hash,
                previous_secret_valid_until: row.previous_secret_valid_until,
                previous_generation: row.previous_generation,
                expires_at: row.expires_at,
                regenerated_at: row.regenerated_at,
                revision: row.revision,
                permissions: key.permissions.clone(),
                companies: company_ids,
                seal_seq: row.seal_seq,
            };
            self.verified_secrets.remember_seal(&key.id, proven);
            return Ok(Sealed::Proven(key));
        }
        // Read again: a row that moved since was changed by a commit between the reads.
        let again = usage::key_by_identifier(self.reads(), identifier)?;
        let moved = again.is_none_or(|again| {
            again.revision != row.revision
                || again.seal_seq != row.seal_seq
                || again.status != row.status
                || again.secret_hash != row.secret_hash
                || again.previous_secret_hash != row.previous_secret_hash
        });
        if moved && !last {
            self.verified_secrets.grants.remove(&row.id);
            return Ok(Sealed::Moved);
        }
        self.report_tampering(
            crate::seal::SealedKind::Key,
            &row.id,
            &row.name,
            "verification",
        )?;
        Ok(Sealed::Tampered)
    }

    /// The key's permissions and companies: from the cache when read at this revision, else
    /// from the store.
    fn verified_key_grants(&mut self, row: &KeyRow) -> Result<Grants> {
        let cached = self
            .verified_secrets
            .grants
            .get(&row.id)
            .filter(|(revision, _)| *revision == row.revision)
            .map(|(_, grants)| grants.clone());
        match cached {
            Some(grants) => Ok(grants),
            None => {
                let grants = self.read_grants(&row.id)?;
                self.verified_secrets
                    .grants
                    .insert(row.id.clone(), (row.revision, grants.clone()));
                Ok(grants)
            }
        }
    }

    fn read_grants(&self, id: &str) -> Result<Grants> {
        let (permissions, companies) = usage::grants(self.reads(), id)?;
        Ok(Grants {
            permissions,
            companies,
        })
    }

    /// Writes the uses and failures counted since the last flush, in one transaction. Use
    /// counters are statistics, not changes of state, so they write no audit event.
    /// Counts a use of a key whose answer a front end reused from its own short-lived cache
    /// (the verification service keeps answers a quarter of a second).
    pub fn record_use(&mut self, key_id: &str) {
        let now = self.now();
        self.pending_usage.used(key_id, now);
    }

    /// Counts `count` uses of a key, the last at `last`: those a front end answered from its
    /// memory while the store could not be reached, written once it can.
    pub fn record_uses(&mut self, key_id: &str, count: u64, last: DateTime<Utc>) {
        self.pending_usage.used_times(key_id, count, last);
    }

    pub fn flush_usage(&mut self) -> Result<()> {
        if self.pending_usage.is_empty() {
            return Ok(());
        }
        let pending = std::mem::take(&mut self.pending_usage);
        let written = self.write(|transaction, _| write_usage(transaction, &pending));
        match written {
            Ok(()) => Ok(()),
            // A busy or unwritable store: nothing counted is lost, the next flush writes it.
            Err(error) => {
                self.pending_usage.merge(pending);
                Err(crate::located(error, &self.path, &self.name))
            }
        }
    }

    /// Whether another connection (in this process or any other) has committed since the last
    /// call: SQLite's `data_version`, read without touching any table; on PostgreSQL the last
    /// audit event where verification reads (every change of state writes one in its
    /// transaction), one index look-up. An announcement (LISTEN/NOTIFY) arrives some time after
    /// its commit, so it cannot say that nothing changed: only the store can. A front end that
    /// keeps answers for a moment drops them when this says so, so a change is obeyed at the
    /// next request that arrives after its command returned.
    ///
    /// On SQLite, the kernel says first whether the store's files were written at all since
    /// the last look (see [`store::file_changes`]): when not, nothing changed and the store
    /// is not asked.
    pub fn store_changed(&mut self) -> Result<bool> {
        if let Connection::Sqlite(_) = self.connection {
            match &mut self.file_changes {
                Some(Some(files)) => {
                    let written = files.maybe_written();
                    if !written && self.seen_data_version.is_some() {
                        return Ok(false);
                    }
                }
                Some(None) => {}
                // Listening starts before the version is read: no commit falls between.
                None => self.file_changes = Some(FileChanges::watch(&self.path)),
            }
        }
        let version = usage::change_marker(self.reads())?;
        let changed = self.seen_data_version != Some(version);
        self.seen_data_version = Some(version);
        Ok(changed)
    }

    /// Makes this store know every secret `other` proved, and the reverse: the stores of one
    /// verifier's pool share what argon2id proved (the map is read far more than written).
    pub fn share_proven_secrets(&mut self, other: &Sesame) {
        self.verified_secrets.entries = Arc::clone(&other.verified_secrets.entries);
    }

    /// How many argon2id checks verification has run, to show that the cache spares them.
    pub fn argon2_checks(&self) -> u64 {
        self.verified_secrets.argon2_checks
    }
}

/// What proving a key's row against its seal found.
enum Sealed {
    Proven(VerifiedKey),
    /// The row does not match its seal and held still: changed outside Sésame.
    Tampered,
    /// The row changed while it was read: a commit, not tampering; check again.
    Moved,
}

/// A key checked by hand, by an auditor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HandCheck {
    pub code: VerifyCode,
    /// The key the identifier names, when it exists (whatever the answer).
    pub key_name: Option<String>,
    pub service_name: Option<String>,
}

impl Sesame {
    /// Checks a pasted key exactly as the verification service would (the same rules and
    /// answer) for an operator with the audit right. It is not a use of the key: its counters
    /// and last use are left as they were. The check is audited (`key.checked`) with its answer
    /// and the key's public identifier, never the secret.
    pub fn check_key_by_hand(
        &mut self,
        session: &crate::Session,
        bearer: &crate::secret::SecretString,
        permission: Option<&str>,
        company: Option<&str>,
    ) -> Result<HandCheck> {
        use crate::vocab::{AuditAction, Right, RowKind};
        self.require(session, Right::Audit, AuditAction::KeyChecked)?;
        let counted = std::mem::take(&mut self.pending_usage);
        let answer = self.verify_bearer(bearer.expose_secret(), permission, company);
        self.pending_usage = counted;
        let answer = answer?;
        let identifier = key_format::parse_bearer(bearer.expose_secret())
            .ok()
            .map(|presented| presented.identifier);
        let named = match &identifier {
            Some(identifier) => usage::named_key(&self.connection, identifier)?,
            None => None,
        };
        let details = serde_json::json!({
            "code": answer.code.code(),
            "identifier": identifier,
            "service": named.as_ref().map(|(_, _, service)| service),
            "permission": permission,
            "company": company,
        });
        self.act(
            session,
            Some(Right::Audit),
            AuditAction::KeyChecked,
            |transaction, now, actor| {
                let target = named.as_ref().map(|(id, name, _)| crate::audit::Target {
                    kind: RowKind::Key,
                    id,
                    name,
                });
                crate::audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::KeyChecked,
                    target,
                    details,
                )
            },
        )?;
        Ok(HandCheck {
            code: answer.code,
            key_name: named.as_ref().map(|(_, name, _)| name.clone()),
            service_name: named.map(|(_, _, service)| service),
        })
    }
}
