//! argon2id hashing of key secrets and operator passwords, stored as PHC strings.

use std::sync::OnceLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use rand::TryRngCore;
use rand::rngs::OsRng;

use crate::error::{Error, Result};

/// argon2id cost. The default is OWASP's floor (19 MiB, 2 passes, 1 lane); a store may ask for
/// more, and a hash made with less is redone at the next successful check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingCost {
    pub memory_kib: u32,
    pub passes: u32,
    pub lanes: u32,
}

impl Default for HashingCost {
    fn default() -> Self {
        HashingCost {
            memory_kib: 19_456,
            passes: 2,
            lanes: 1,
        }
    }
}

impl HashingCost {
    fn hasher(self) -> Result<Argon2<'static>> {
        let params = Params::new(self.memory_kib, self.passes, self.lanes, None)
            .map_err(|error| Error::Internal(format!("argon2 parameters: {error}")))?;
        Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
    }

    /// Hashes with a fresh 128-bit salt from the operating system.
    pub fn hash(self, secret: &[u8]) -> Result<String> {
        let mut salt = [0_u8; 16];
        OsRng
            .try_fill_bytes(&mut salt)
            .map_err(|error| Error::Internal(format!("random source: {error}")))?;
        let salt = SaltString::encode_b64(&salt)
            .map_err(|error| Error::Internal(format!("salt: {error}")))?;
        let hash = self
            .hasher()?
            .hash_password(secret, &salt)
            .map_err(|error| Error::Internal(format!("argon2: {error}")))?;
        Ok(hash.to_string())
    }

    /// Whether a stored hash was made with less than this cost (or another algorithm).
    pub fn needs_rehash(self, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return true;
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return true;
        };
        parsed.algorithm.as_str() != "argon2id"
            || params.m_cost() < self.memory_kib
            || params.t_cost() < self.passes
            || params.p_cost() < self.lanes
    }
}

/// Checks a secret against a stored PHC string, with the parameters written in that string.
/// A string that does not parse never matches.
pub fn matches(secret: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return false;
    }
    Argon2::default().verify_password(secret, &parsed).is_ok()
}

/// Spends the same argon2id work as a real check against nothing, so that "no such key or
/// operator" takes as long as "wrong secret" and the two cannot be told apart by timing.
pub fn spend_equal_time(secret: &[u8]) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    let dummy = DUMMY.get_or_init(|| HashingCost::default().hash(b"sesame-dummy").ok());
    if let Some(dummy) = dummy {
        let _ = matches(secret, dummy);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_argon2id_phc_with_the_floor_parameters() -> Result<()> {
        let phc = HashingCost::default().hash(b"correct horse")?;
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(matches(b"correct horse", &phc));
        assert!(!matches(b"correct horsf", &phc));
        assert!(!matches(b"correct horse", "not a phc string"));
        Ok(())
    }

    #[test]
    fn weaker_hashes_ask_for_a_rehash() -> Result<()> {
        let weak = HashingCost {
            memory_kib: 8,
            passes: 1,
            lanes: 1,
        }
        .hash(b"x")?;
        assert!(HashingCost::default().needs_rehash(&weak));
        let strong = HashingCost::default().hash(b"x")?;
        assert!(!HashingCost::default().needs_rehash(&strong));
        assert!(
            HashingCost::default().needs_rehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA")
        );
        Ok(())
    }
}
