//! The form of a key: a public identifier and a secret ending in a checksum.
//!
//! ```text
//! identifier   <prefix>_<16 base62>                      paie_4kXq9TzB0wLmR2vA
//! secret       ses_<43 base62 random><6 base62 checksum>
//! bearer       <identifier>.<secret>
//! ```
//!
//! The 43 random characters come from the operating system's CSPRNG, each uniform over the 62
//! letters and digits: 43 × log2(62) ≈ 256.03 bits. The checksum is the CRC-32 of
//! `<identifier>.ses_<random>`, written in base62 on 6 characters, so any single mistyped
//! character anywhere in the bearer string is caught before the store is read.
//!
//! Regular expressions for secret scanners (see `docs/key-format.md`):
//! bearer `\b[a-z][a-z0-9]{1,15}_[0-9A-Za-z]{16}\.ses_[0-9A-Za-z]{49}\b`,
//! secret alone `\bses_[0-9A-Za-z]{49}\b`.

use rand::TryRngCore;
use rand::distr::{Alphanumeric, Distribution};
use rand::rngs::OsRng;

use crate::error::{Error, Result};
use crate::secret::{ExposeSecret, SecretString, secret_from};

pub const SECRET_TAG: &str = "ses_";
pub const IDENTIFIER_RANDOM_LENGTH: usize = 16;
pub const SECRET_RANDOM_LENGTH: usize = 43;
pub const CHECKSUM_LENGTH: usize = 6;
pub const SECRET_LENGTH: usize = SECRET_TAG.len() + SECRET_RANDOM_LENGTH + CHECKSUM_LENGTH;
/// Longest possible bearer string: a 16-character prefix, `_`, 16, `.`, the secret.
pub const BEARER_MAX_LENGTH: usize = 16 + 1 + IDENTIFIER_RANDOM_LENGTH + 1 + SECRET_LENGTH;

pub const BEARER_PATTERN: &str = r"\b[a-z][a-z0-9]{1,15}_[0-9A-Za-z]{16}\.ses_[0-9A-Za-z]{49}\b";
pub const SECRET_PATTERN: &str = r"\bses_[0-9A-Za-z]{49}\b";

/// A key as an application presents it, split into its two parts. Its format and checksum have
/// been checked; whether it exists is for the store to say.
#[derive(Debug)]
pub struct PresentedKey {
    pub identifier: String,
    pub secret: SecretString,
}

/// Why a presented key was refused before any look-up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Malformed {
    Shape,
    Checksum,
}

fn random_base62(length: usize) -> Result<String> {
    let mut source = OsRng;
    // Probe the source once so a broken one is an error, not a panic inside `unwrap_err`.
    let mut probe = [0_u8; 1];
    source
        .try_fill_bytes(&mut probe)
        .map_err(|error| Error::Internal(format!("random source: {error}")))?;
    let mut rng = source.unwrap_err();
    Ok(Alphanumeric
        .sample_iter(&mut rng)
        .take(length)
        .map(char::from)
        .collect())
}

fn checksum(identifier: &str, secret_body: &str) -> String {
    let mut hasher = crc32fast::Hasher::new();
    hasher.update(identifier.as_bytes());
    hasher.update(b".");
    hasher.update(secret_body.as_bytes());
    let encoded = base62::encode(hasher.finalize());
    format!("{encoded:0>width$}", width = CHECKSUM_LENGTH)
}

/// A new public identifier for a service's prefix.
pub fn new_identifier(prefix: &str) -> Result<String> {
    Ok(format!(
        "{prefix}_{}",
        random_base62(IDENTIFIER_RANDOM_LENGTH)?
    ))
}

/// A new secret bound to `identifier` by its checksum.
pub fn new_secret(identifier: &str) -> Result<SecretString> {
    let mut body = String::with_capacity(SECRET_LENGTH);
    body.push_str(SECRET_TAG);
    body.push_str(&random_base62(SECRET_RANDOM_LENGTH)?);
    let sum = checksum(identifier, &body);
    body.push_str(&sum);
    Ok(secret_from(body))
}

/// The one-string form `identifier.secret`.
pub fn bearer(identifier: &str, secret: &SecretString) -> SecretString {
    secret_from(format!("{identifier}.{}", secret.expose_secret()))
}

fn is_base62(text: &str) -> bool {
    text.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn identifier_shape_ok(identifier: &str) -> bool {
    let Some((prefix, random)) = identifier.rsplit_once('_') else {
        return false;
    };
    crate::validate::prefix(prefix).is_ok_and(|p| p == prefix)
        && random.len() == IDENTIFIER_RANDOM_LENGTH
        && is_base62(random)
}

/// Reads the two-part form (client id and client secret).
pub fn parse_parts(identifier: &str, secret: &str) -> Result<PresentedKey, Malformed> {
    let identifier = identifier.trim();
    let secret = secret.trim();
    let Some(random_and_sum) = secret.strip_prefix(SECRET_TAG) else {
        return Err(Malformed::Shape);
    };
    if !identifier_shape_ok(identifier)
        || secret.len() != SECRET_LENGTH
        || !is_base62(random_and_sum)
    {
        return Err(Malformed::Shape);
    }
    let (body, sum) = secret.split_at(SECRET_LENGTH - CHECKSUM_LENGTH);
    if checksum(identifier, body) != sum {
        return Err(Malformed::Checksum);
    }
    Ok(PresentedKey {
        identifier: identifier.to_owned(),
        secret: secret_from(secret.to_owned()),
    })
}

/// Reads the one-string form `identifier.secret`; white space around it is ignored, inside it
/// is refused.
pub fn parse_bearer(text: &str) -> Result<PresentedKey, Malformed> {
    let text = text.trim();
    if text.len() > BEARER_MAX_LENGTH {
        return Err(Malformed::Shape);
    }
    let Some((identifier, secret)) = text.split_once('.') else {
        return Err(Malformed::Shape);
    };
    parse_parts(identifier, secret)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_keys_parse_back() -> Result<()> {
        let identifier = new_identifier("paie")?;
        let secret = new_secret(&identifier)?;
        assert!(identifier.starts_with("paie_"));
        assert_eq!(secret.expose_secret().len(), SECRET_LENGTH);
        let bearer = bearer(&identifier, &secret);
        let parsed =
            parse_bearer(bearer.expose_secret()).map_err(|m| Error::Internal(format!("{m:?}")))?;
        assert_eq!(parsed.identifier, identifier);
        assert_eq!(parsed.secret.expose_secret(), secret.expose_secret());
        Ok(())
    }

    #[test]
    fn bad_shapes_are_malformed() {
        for text in [
            "",
            "abc",
            "paie_x.ses_y",
            "paie_AAAAAAAAAAAAAAAA",
            "a b.c",
            "PAIE_AAAAAAAAAAAAAAAA.ses_x",
        ] {
            assert_eq!(parse_bearer(text).err(), Some(Malformed::Shape), "{text}");
        }
    }
}
