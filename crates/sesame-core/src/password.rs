//! argon2id hashing of key secrets and operator passwords, stored as PHC strings.

use std::sync::{Mutex, OnceLock};

use argon2::password_hash::{PasswordHash, PasswordHasher, SaltString};
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

    /// Whether a stored hash was made with another cost than this one (or another algorithm):
    /// a weaker one is strengthened, and a costlier one (an imported hash) brought back to the
    /// installation's cost, so every check costs the same time whatever the key.
    pub fn needs_rehash(self, phc: &str) -> bool {
        let Ok(parsed) = PasswordHash::new(phc) else {
            return true;
        };
        let Ok(params) = Params::try_from(&parsed) else {
            return true;
        };
        parsed.algorithm.as_str() != "argon2id"
            || params.m_cost() != self.memory_kib
            || params.t_cost() != self.passes
            || params.p_cost() != self.lanes
    }

    /// argon2id's work, in KiB-passes: what one check costs in time.
    fn work(self) -> u64 {
        u64::from(self.memory_kib) * u64::from(self.passes)
    }
}

pub use crate::vocab::HashProblem;

/// OWASP's argon2id configurations of equal strength (memory KiB, passes), one lane each. A hash
/// at least as strong as one of them is accepted.
pub const OWASP_ARGON2ID: [(u32, u32); 5] = [
    (47_104, 1),
    (19_456, 2),
    (12_288, 3),
    (9_216, 4),
    (7_168, 5),
];

/// How far an imported hash's work (memory × passes) may exceed the installation's: a quarter,
/// which admits OWASP's configurations around the default (47 104 × 1 is 1.21 times 19 456 × 2)
/// and keeps every check's time within that of the others until the first successful check
/// rehashes it at the installation's cost.
const IMPORTED_WORK_MAX_RATIO: (u64, u64) = (5, 4);
/// Memory may be up to 2.5 times the installation's (for OWASP's one-pass configuration).
const IMPORTED_MEMORY_MAX_RATIO: (u32, u32) = (5, 2);
const IMPORTED_LANES_MAX: u32 = 16;

/// Checks a hash from an import before it is trusted to guard a key: argon2id version 1.3,
/// at least as strong as one of OWASP's configurations, no costlier than a band around
/// `installation` (the cost this installation hashes with), and with a salt and output of at
/// least 16 bytes.
pub fn check_imported_hash(phc: &str, installation: HashingCost) -> Result<(), HashProblem> {
    let parsed = PasswordHash::new(phc.trim()).map_err(|_| HashProblem::NotPhc)?;
    let algorithm = parsed.algorithm.as_str();
    if algorithm != "argon2id" {
        return Err(HashProblem::Algorithm(algorithm.to_owned()));
    }
    if parsed.version != Some(0x13) {
        return Err(HashProblem::Version);
    }
    let params = Params::try_from(&parsed).map_err(|_| HashProblem::NotPhc)?;
    let (memory_kib, passes) = (params.m_cost(), params.t_cost());
    let max_work = installation.work() * IMPORTED_WORK_MAX_RATIO.0 / IMPORTED_WORK_MAX_RATIO.1;
    let max_memory_kib = installation
        .memory_kib
        .saturating_mul(IMPORTED_MEMORY_MAX_RATIO.0)
        / IMPORTED_MEMORY_MAX_RATIO.1;
    let work = u64::from(memory_kib) * u64::from(passes);
    if work > max_work || memory_kib > max_memory_kib || params.p_cost() > IMPORTED_LANES_MAX {
        return Err(HashProblem::TooCostly {
            max_memory_kib,
            max_work,
        });
    }
    if !OWASP_ARGON2ID
        .iter()
        .any(|&(memory, time)| memory_kib >= memory && passes >= time)
    {
        return Err(HashProblem::TooWeak { memory_kib, passes });
    }
    let salt_bytes = parsed
        .salt
        .map(|salt| salt.as_str().len() * 3 / 4)
        .unwrap_or(0);
    let output_bytes = parsed.hash.map(|hash| hash.len()).unwrap_or(0);
    if salt_bytes < 16 || output_bytes < 16 {
        return Err(HashProblem::TooShort);
    }
    Ok(())
}

/// Checks a secret against a stored PHC string, with the parameters written in that string.
/// A string that does not parse never matches. argon2id's working memory comes from
/// [`with_blocks`], so a long-running service reuses it instead of asking the allocator for
/// 19 MiB at every check (which fragments the heap until memory grows with every check).
pub fn matches(secret: &[u8], phc: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return false;
    }
    let (Some(expected), Some(salt)) = (parsed.hash, parsed.salt) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let version = match parsed.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(version)) => version,
        Some(Err(_)) => return false,
    };
    let mut salt_bytes = [0_u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else {
        return false;
    };
    let mut computed = zeroize::Zeroizing::new(vec![0_u8; expected.len()]);
    let hasher = Argon2::new(Algorithm::Argon2id, version, params.clone());
    let hashed = with_blocks(params.block_count(), |blocks| {
        hasher.hash_password_into_with_memory(secret, salt, &mut computed, blocks)
    });
    hashed.is_ok()
        && bool::from(subtle::ConstantTimeEq::ct_eq(
            computed.as_slice(),
            expected.as_bytes(),
        ))
}

/// Runs `work` with at least `count` argon2 memory blocks, taken from a small pool (one per core
/// at most) and wiped before they go back: the memory holds values derived from the secret.
fn with_blocks<T>(count: usize, work: impl FnOnce(&mut [argon2::Block]) -> T) -> T {
    static POOL: Mutex<Vec<Vec<argon2::Block>>> = Mutex::new(Vec::new());
    let taken = POOL.lock().ok().and_then(|mut pool| {
        let index = pool.iter().position(|blocks| blocks.len() >= count)?;
        Some(pool.swap_remove(index))
    });
    let mut blocks = taken.unwrap_or_else(|| vec![argon2::Block::default(); count]);
    let value = work(&mut blocks[..count]);
    blocks[..count]
        .iter_mut()
        .for_each(|block| *block = argon2::Block::default());
    let room = std::thread::available_parallelism().map_or(2, |n| n.get());
    if let Ok(mut pool) = POOL.lock()
        && pool.len() < room
    {
        pool.push(blocks);
    }
    value
}

/// Spends the same argon2id work as a real check against nothing, at the cost the installation
/// hashes with, so that "no such key or operator" takes as long as "wrong secret" and the two
/// cannot be told apart by timing.
pub fn spend_equal_time(secret: &[u8], cost: HashingCost) {
    if let Some(dummy) = dummy_hash(cost) {
        let _ = matches(secret, &dummy);
    }
}

/// The hash an absent key or operator is checked against: made once per cost, at that cost.
fn dummy_hash(cost: HashingCost) -> Option<String> {
    static DUMMIES: OnceLock<Mutex<Vec<(HashingCost, String)>>> = OnceLock::new();
    let dummies = DUMMIES.get_or_init(|| Mutex::new(Vec::new()));
    let mut dummies = dummies.lock().ok()?;
    if let Some((_, dummy)) = dummies.iter().find(|(made_with, _)| *made_with == cost) {
        return Some(dummy.clone());
    }
    let dummy = cost.hash(b"sesame-dummy").ok()?;
    dummies.push((cost, dummy.clone()));
    Some(dummy)
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

    /// An unknown identifier costs what a wrong secret costs at the installation's own cost,
    /// not the default's (issue 13).
    #[test]
    fn the_dummy_hash_is_made_at_the_cost_in_use() {
        let costlier = HashingCost {
            memory_kib: 24_576,
            passes: 3,
            lanes: 1,
        };
        let dummy = dummy_hash(costlier).unwrap_or_default();
        assert!(
            dummy.starts_with("$argon2id$v=19$m=24576,t=3,p=1$"),
            "{dummy}"
        );
        assert!(!costlier.needs_rehash(&dummy));
        let default = dummy_hash(HashingCost::default()).unwrap_or_default();
        assert!(
            default.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{default}"
        );
    }

    #[test]
    fn imported_hashes_are_checked() -> Result<()> {
        let good = HashingCost::default().hash(b"x")?;
        assert_eq!(check_imported_hash(&good, HashingCost::default()), Ok(()));
        let wide = HashingCost {
            memory_kib: 47_104,
            passes: 1,
            lanes: 1,
        }
        .hash(b"x")?;
        assert_eq!(check_imported_hash(&wide, HashingCost::default()), Ok(()));
        let weak = HashingCost {
            memory_kib: 4_096,
            passes: 3,
            lanes: 1,
        }
        .hash(b"x")?;
        assert_eq!(
            check_imported_hash(&weak, HashingCost::default()),
            Err(HashProblem::TooWeak {
                memory_kib: 4_096,
                passes: 3
            })
        );
        let argon2i = "$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
        assert_eq!(
            check_imported_hash(argon2i, HashingCost::default()),
            Err(HashProblem::Algorithm("argon2i".into()))
        );
        assert_eq!(
            check_imported_hash(
                "$2b$12$R9h/cIPz0gi.URNNX3kh2OPST9/PgBkqquzi.Ss7KIUgO2t0jWMUW",
                HashingCost::default()
            ),
            Err(HashProblem::NotPhc)
        );
        let costly = "$argon2id$v=19$m=4194304,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
        let band = Err(HashProblem::TooCostly {
            max_memory_kib: 48_640,
            max_work: 48_640,
        });
        assert_eq!(check_imported_hash(costly, HashingCost::default()), band);
        // Twice the installation's passes: a check would take twice as long as any other.
        let double = "$argon2id$v=19$m=19456,t=4,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
        assert_eq!(check_imported_hash(double, HashingCost::default()), band);
        // An installation hashing at a higher cost accepts it.
        let stronger = HashingCost {
            memory_kib: 19_456,
            passes: 4,
            lanes: 1,
        };
        assert_eq!(check_imported_hash(double, stronger), Ok(()));
        let old = "$argon2id$v=16$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
        assert_eq!(
            check_imported_hash(old, HashingCost::default()),
            Err(HashProblem::Version)
        );
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
        let costlier = HashingCost {
            memory_kib: 47_104,
            passes: 1,
            lanes: 1,
        }
        .hash(b"x")?;
        assert!(HashingCost::default().needs_rehash(&costlier));
        assert!(
            HashingCost::default().needs_rehash("$argon2i$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA")
        );
        Ok(())
    }
}
