//! The recovery code: the one way back into a store whose state key is truly lost (a new
//! machine, a reset keyring), held outside the store by the administrator.
//!
//! At `init` (or later, by an administrator) Sésame makes a code of 125 random bits, shown once,
//! and keeps in the store only the state key wrapped by it: the key XOR an argon2id output of
//! the code with a random salt (a pad used once), in the sealed setting `recovery_escrow`. The
//! code alone unwraps the very key that sealed the store, and that key must open the seals of
//! the store's identity and of the escrow itself: so `store reseal` puts the installation's own
//! key back and nothing is resealed, and whatever someone changed in the store meanwhile stays
//! named. Whoever can write the store but lacks the code cannot take it over: without the key
//! no row it adds is sealed, and without the code no key comes back.
//!
//! Tries are throttled like sign-in, counted in an owner-only file beside the state key's file
//! (not in the store, which whoever attacks it can write).

use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use rand::TryRngCore;
use rand::rngs::OsRng;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::seal::{SealedKind, StateKey};
use crate::secret::{ExposeSecret, SecretString, secret_from};

/// The setting that holds the wrapped state key.
pub(crate) const ESCROW: &str = "recovery_escrow";

/// Crockford's base 32: no I, L, O or U, so a code read aloud or copied by hand survives.
const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// 25 characters of 5 bits: 125 bits, shown as five groups of five.
const CODE_LENGTH: usize = 25;
/// argon2id's cost for the pad: the default for passwords, written in the escrow so that a
/// later version can change it.
const COST: (u32, u32, u32) = (19_456, 2, 1);

/// A new recovery code, `XXXXX-XXXXX-XXXXX-XXXXX-XXXXX`.
pub(crate) fn new_code() -> Result<SecretString> {
    let mut random = Zeroizing::new([0_u8; CODE_LENGTH]);
    OsRng
        .try_fill_bytes(random.as_mut())
        .map_err(|error| Error::Internal(format!("random source: {error}")))?;
    let mut code = String::with_capacity(CODE_LENGTH + 4);
    for (n, byte) in random.iter().enumerate() {
        if n > 0 && n % 5 == 0 {
            code.push('-');
        }
        code.push(char::from(ALPHABET[usize::from(byte & 31)]));
    }
    Ok(secret_from(code))
}

/// The code as typed, brought to its canonical form: capitals, no spaces or dashes, the letters
/// people confuse with digits read as those digits. `None` when it cannot be a code.
fn canonical(typed: &str) -> Option<Zeroizing<String>> {
    let mut code = Zeroizing::new(String::with_capacity(CODE_LENGTH));
    for character in typed.chars() {
        let character = match character.to_ascii_uppercase() {
            ' ' | '-' => continue,
            'O' => '0',
            'I' | 'L' => '1',
            other => other,
        };
        if !character.is_ascii() || !ALPHABET.contains(&(character as u8)) {
            return None;
        }
        code.push(character);
    }
    (code.len() == CODE_LENGTH).then_some(code)
}

fn pad(
    code: &str,
    salt: &[u8],
    (memory, passes, lanes): (u32, u32, u32),
) -> Result<Zeroizing<[u8; 32]>> {
    let params = Params::new(memory, passes, lanes, Some(32))
        .map_err(|error| Error::Internal(format!("argon2 parameters: {error}")))?;
    let mut out = Zeroizing::new([0_u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(code.as_bytes(), salt, out.as_mut())
        .map_err(|error| Error::Internal(format!("argon2: {error}")))?;
    Ok(out)
}

/// The escrow of `key` under `code`: `v1:<salt>:<memory>:<passes>:<lanes>:<wrapped key>`.
pub(crate) fn escrow(key: &StateKey, code: &SecretString) -> Result<String> {
    let code = canonical(code.expose_secret())
        .ok_or_else(|| Error::Internal("a recovery code made here is always canonical".into()))?;
    let mut salt = [0_u8; 16];
    OsRng
        .try_fill_bytes(&mut salt)
        .map_err(|error| Error::Internal(format!("random source: {error}")))?;
    let pad = pad(&code, &salt, COST)?;
    let wrapped: Vec<u8> = key
        .bytes()
        .iter()
        .zip(pad.iter())
        .map(|(key, pad)| key ^ pad)
        .collect();
    let (memory, passes, lanes) = COST;
    Ok(format!(
        "v1:{}:{memory}:{passes}:{lanes}:{}",
        hex::encode(salt),
        hex::encode(wrapped)
    ))
}

/// The key `escrow` holds under `typed`, if the code is well formed (whether it is the right
/// code only the seals can tell).
pub(crate) fn unwrap(escrow: &str, typed: &str) -> Result<Option<StateKey>> {
    let Some(code) = canonical(typed) else {
        return Ok(None);
    };
    let parts: Vec<&str> = escrow.split(':').collect();
    let [version, salt, memory, passes, lanes, wrapped] = parts.as_slice() else {
        return Ok(None);
    };
    let number = |text: &str| text.parse::<u32>().ok();
    let (Some(memory), Some(passes), Some(lanes)) = (number(memory), number(passes), number(lanes))
    else {
        return Ok(None);
    };
    // An escrow is part of the store, which an attacker may write: its cost is bounded like an
    // imported hash's, so it cannot make a try cost minutes.
    if *version != "v1" || memory > 4 * COST.0 || passes > 4 * COST.1 || lanes > 8 {
        return Ok(None);
    }
    let (Ok(salt), Ok(wrapped)) = (hex::decode(salt), hex::decode(wrapped)) else {
        return Ok(None);
    };
    if wrapped.len() != 32 || salt.len() < 16 {
        return Ok(None);
    }
    let pad = pad(&code, &salt, (memory, passes, lanes))?;
    let mut bytes = Zeroizing::new([0_u8; 32]);
    for (n, byte) in bytes.iter_mut().enumerate() {
        *byte = wrapped[n] ^ pad[n];
    }
    Ok(Some(StateKey::from_bytes(bytes)))
}

/// Whether `key` is the one that sealed this store: it opens the seals of the store's identity
/// and of the escrow.
pub(crate) fn sealed_this_store<'c>(
    read: impl Into<crate::store::db::Read<'c>>,
    key: &StateKey,
) -> Result<bool> {
    let read = read.into();
    for setting in ["installation_id", ESCROW] {
        let present = crate::store::settings::get(read, setting)?.is_some();
        if !present || !crate::seal::row_is_sealed(read, key, SealedKind::Setting, setting)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// The file counting failed tries, beside the state key's file.
pub fn tries_file(key_home: &Path, installation: &str) -> PathBuf {
    key_home.with_file_name(format!("sesame-recovery-{installation}.tries"))
}

/// Refuses a try while the failures before it say to wait (the sign-in throttle).
pub(crate) fn check_throttle(key_home: &Path, installation: &str) -> Result<()> {
    let Some((failures, last)) = read_tries(key_home, installation) else {
        return Ok(());
    };
    let wait = crate::operator::throttle_wait(failures);
    let elapsed = chrono::Utc::now().timestamp_millis().saturating_sub(last);
    let wait_millis = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
    if elapsed >= wait_millis {
        return Ok(());
    }
    let seconds = (wait_millis - elapsed + 999) / 1000;
    Err(Error::SignInThrottled(
        u64::try_from(seconds.max(1)).unwrap_or(1),
    ))
}

fn read_tries(key_home: &Path, installation: &str) -> Option<(u32, i64)> {
    let text = std::fs::read_to_string(tries_file(key_home, installation)).ok()?;
    let (failures, last) = text.trim().split_once(' ')?;
    Some((failures.parse().ok()?, last.parse().ok()?))
}

/// Counts a failed try (owner-only file, written whole).
pub(crate) fn count_failure(key_home: &Path, installation: &str) -> Result<()> {
    let failures = read_tries(key_home, installation).map_or(0, |(failures, _)| failures);
    let path = tries_file(key_home, installation);
    let text = format!(
        "{} {}",
        failures.saturating_add(1),
        chrono::Utc::now().timestamp_millis()
    );
    crate::store::private::write_file(&path, text.as_bytes())
        .map_err(|error| Error::StateKeyUnavailable(format!("{}: {error}", path.display())))
}

/// Forgets the failed tries once the key is back.
pub(crate) fn clear_failures(key_home: &Path, installation: &str) {
    let _ = std::fs::remove_file(tries_file(key_home, installation));
}

impl crate::Sesame {
    /// Makes a new recovery code for this store (an administrator's step: at `init`, or to
    /// replace a code that was lost or seen); the one before stops working. The code is
    /// returned once and kept nowhere: the store keeps only the state key wrapped by it.
    pub fn create_recovery_code(&mut self, session: &crate::Session) -> Result<SecretString> {
        use crate::vocab::{AuditAction, Right};
        self.require(
            session,
            Right::Configuration,
            AuditAction::RecoveryCodeCreated,
        )?;
        let code = new_code()?;
        let escrow = escrow(&self.state_key, &code)?;
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::RecoveryCodeCreated,
            |transaction, now, actor| {
                crate::store::settings::put(transaction, ESCROW, &escrow)?;
                crate::audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::RecoveryCodeCreated,
                    None,
                    serde_json::json!({}),
                )
            },
        )?;
        Ok(code)
    }

    /// Whether this store keeps a recovery code's escrow.
    pub fn has_recovery_code(&self) -> Result<bool> {
        Ok(crate::store::settings::get(&self.connection, ESCROW)?.is_some())
    }

    /// Brings back the state key of a store whose key is truly lost, with the recovery code
    /// shown when it was made, for an administrator (whose password is checked against the row
    /// as it is: no seal can be read without the key). Refused while the key is present;
    /// throttled like sign-in. Nothing is resealed: the key that comes back is the one that
    /// sealed the store, so rows changed outside Sésame stay named. Audited `store.resealed`.
    pub fn reseal_location(
        location: &crate::store::location::StoreLocation,
        namespace: &crate::KeyringNamespace,
        operator: &str,
        password: &SecretString,
        recovery_code: &SecretString,
    ) -> Result<crate::Sesame> {
        use crate::store::db::{Connection as Store, PgConnection};
        use crate::store::location::StoreLocation;
        let (connection, key_home) = match location {
            StoreLocation::Sqlite(path) => (Store::Sqlite(crate::store::open(path)?), path.clone()),
            StoreLocation::Postgres(pg) => (
                Store::Postgres(Box::new(PgConnection::new(crate::store::pg::open(pg)?.0))),
                crate::store::key_home(pg)?,
            ),
        };
        let db = connection.db();
        let installation = crate::store::settings::get(db, "installation_id")?
            .ok_or_else(|| Error::StoreCorrupt("the installation has no identity".into()))?;
        if let crate::seal::Found::Existing(_) =
            crate::seal::read(namespace, &installation, &key_home)?
        {
            return Err(Error::StateKeyPresent);
        }
        check_throttle(&key_home, &installation)?;
        let failed = |error: Error| -> Result<crate::Sesame> {
            count_failure(&key_home, &installation)?;
            Err(error)
        };
        let name_key = crate::validate::name_key(operator.trim());
        let found = crate::store::operators::credentials(db, &name_key)?;
        let secret = password.expose_secret().as_bytes();
        let Some(found) = found.filter(|found| found.disabled_at.is_none()) else {
            crate::password::spend_equal_time(secret, crate::HashingCost::default());
            return failed(Error::SignInFailed);
        };
        if !crate::password::matches(secret, &found.password_hash) {
            return failed(Error::SignInFailed);
        }
        let standing = crate::store::operators::standing(db, &found.id)?;
        if !standing.is_some_and(|standing| standing.rights.configuration) {
            return failed(Error::RightMissing(crate::Right::Configuration));
        }
        let Some(escrowed) = crate::store::settings::get(db, ESCROW)? else {
            return Err(Error::RecoveryCodeMissing);
        };
        let key = match unwrap(&escrowed, recovery_code.expose_secret())? {
            Some(key) if sealed_this_store(db, &key)? => key,
            _ => return failed(Error::RecoveryCodeWrong),
        };
        // The rights above were read from a row no seal vouched for: now one can.
        if !crate::seal::row_is_sealed(db, &key, SealedKind::Operator, &found.id)? {
            return failed(Error::StateTampered {
                kind: crate::vocab::RowKind::Operator,
                name: found.name,
            });
        }
        drop(connection);
        crate::seal::keep(namespace, &installation, &key_home, &key)?;
        clear_failures(&key_home, &installation);
        let mut sesame = crate::Sesame::open_location_with_keyring(location, namespace)?;
        let actor = crate::audit::Actor {
            id: found.id,
            name: found.name,
        };
        sesame.write(|transaction, now| {
            crate::audit::record(
                transaction,
                now,
                Some(&actor),
                crate::vocab::AuditAction::StoreResealed,
                None,
                serde_json::json!({"key": "recovered"}),
            )
        })?;
        Ok(sesame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_unwraps_its_key_and_only_its_key() -> Result<()> {
        let key = StateKey::from_bytes(Zeroizing::new([7_u8; 32]));
        let code = new_code()?;
        let shown = code.expose_secret().to_owned();
        assert_eq!(shown.len(), CODE_LENGTH + 4);
        assert_eq!(shown.matches('-').count(), 4);
        let escrow = escrow(&key, &code)?;
        assert!(!escrow.contains(&hex::encode([7_u8; 32])));
        // Typed again in lower case, with spaces and an O for a zero: the same code.
        let typed = shown.to_lowercase().replace('-', " ").replace('0', "o");
        let back = unwrap(&escrow, &typed)?.expect("well formed");
        assert_eq!(back.bytes(), key.bytes());
        let other = new_code()?;
        let wrong = unwrap(&escrow, other.expose_secret())?.expect("well formed");
        assert_ne!(wrong.bytes(), key.bytes());
        assert!(unwrap(&escrow, "trop court")?.is_none());
        Ok(())
    }

    #[test]
    fn an_escrow_asking_for_an_absurd_cost_is_refused() -> Result<()> {
        let code = new_code()?;
        let costly = format!("v1:{}:4000000:100:1:{}", "00".repeat(16), "00".repeat(32));
        assert!(unwrap(&costly, code.expose_secret())?.is_none());
        Ok(())
    }
}
