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
//! Keys imported from another tool keep the identifier and secret their applications already
//! use. Such an *imported* key is `<prefix>_<1 to 64 of A-Z a-z 0-9 _ ->` with a secret of 16 to
//! 256 visible ASCII characters; it has no checksum, so it is read that way only when neither
//! part looks like a Sésame key (a Sésame identifier, or `ses_` anywhere in the secret). Any
//! single mistyped character in a Sésame key therefore still fails its own checks.
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
/// Bounds of an imported key's parts (see the module's documentation).
pub const IMPORTED_IDENTIFIER_REST_MAX: usize = 64;
pub use crate::vocab::{IMPORTED_SECRET_MAX, IMPORTED_SECRET_MIN};
/// Longest possible bearer string: a 16-character prefix, `_`, the rest of an imported
/// identifier, `.`, an imported secret (longer than a Sésame one).
pub const BEARER_MAX_LENGTH: usize =
    16 + 1 + IMPORTED_IDENTIFIER_REST_MAX + 1 + IMPORTED_SECRET_MAX;

pub const BEARER_PATTERN: &str = r"\b[a-z][a-z0-9]{1,15}_[0-9A-Za-z]{16}\.ses_[0-9A-Za-z]{49}\b";
pub const SECRET_PATTERN: &str = r"\bses_[0-9A-Za-z]{49}\b";

/// A key as an application presents it, split into its two parts. Its format and checksum have
/// been checked; whether it exists is for the store to say.
#[derive(Debug, Clone)]
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

/// Whether `identifier` has the form of a key made by Sésame.
pub fn is_sesame_identifier(identifier: &str) -> bool {
    identifier_shape_ok(identifier)
}

/// Whether `identifier` is `<prefix>_<rest>` as an imported key may have it. Sésame's own
/// identifiers have this form too.
pub fn imported_identifier_ok(identifier: &str) -> bool {
    let Some((prefix, rest)) = identifier.split_once('_') else {
        return false;
    };
    crate::validate::prefix(prefix).is_ok_and(|p| p == prefix)
        && (1..=IMPORTED_IDENTIFIER_REST_MAX).contains(&rest.len())
        && rest
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub use crate::vocab::ImportedSecretProblem;

/// Whether an imported plaintext secret will be accepted by [`parse_parts`] with `identifier`.
pub fn check_imported_secret(identifier: &str, secret: &str) -> Result<(), ImportedSecretProblem> {
    if is_sesame_identifier(identifier) || secret.contains(SECRET_TAG) {
        return parse_sesame_parts(identifier, secret)
            .map(drop)
            .map_err(|_| ImportedSecretProblem::NotSesame);
    }
    if !(IMPORTED_SECRET_MIN..=IMPORTED_SECRET_MAX).contains(&secret.len()) {
        return Err(ImportedSecretProblem::Length);
    }
    if !secret.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(ImportedSecretProblem::Characters);
    }
    Ok(())
}

/// The white space a key may carry around it: what a paste or a terminal adds (spaces, a tab, a
/// line end). Any other white space (a no-break or ideographic space…) is not ignored, so the
/// key is malformed: one identifier has exactly one spelling for the throttle and the store.
const SURROUNDING_WHITE_SPACE: [char; 4] = [' ', '\t', '\r', '\n'];

/// `text` without the white space a key may carry around it.
pub fn trim_surrounding(text: &str) -> &str {
    text.trim_matches(SURROUNDING_WHITE_SPACE.as_slice())
}

/// Reads the two-part form (client id and client secret): a Sésame key, checked with its
/// checksum, or an imported key when neither part looks like a Sésame one. Spaces, tabs and line
/// ends around each part are ignored; anything else that is not part of a key is refused.
pub fn parse_parts(identifier: &str, secret: &str) -> Result<PresentedKey, Malformed> {
    parse_exact_parts(trim_surrounding(identifier), trim_surrounding(secret))
}

fn parse_exact_parts(identifier: &str, secret: &str) -> Result<PresentedKey, Malformed> {
    if is_sesame_identifier(identifier) || secret.contains(SECRET_TAG) {
        return parse_sesame_parts(identifier, secret);
    }
    if !imported_identifier_ok(identifier) {
        return Err(Malformed::Shape);
    }
    check_imported_secret(identifier, secret).map_err(|_| Malformed::Shape)?;
    Ok(PresentedKey {
        identifier: identifier.to_owned(),
        secret: secret_from(secret.to_owned()),
    })
}

fn parse_sesame_parts(identifier: &str, secret: &str) -> Result<PresentedKey, Malformed> {
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

/// Reads the one-string form `identifier.secret`; spaces, tabs and line ends around it are
/// ignored, white space inside it (around the dot too) is refused.
pub fn parse_bearer(text: &str) -> Result<PresentedKey, Malformed> {
    let text = trim_surrounding(text);
    if text.len() > BEARER_MAX_LENGTH {
        return Err(Malformed::Shape);
    }
    let Some((identifier, secret)) = text.split_once('.') else {
        return Err(Malformed::Shape);
    };
    parse_exact_parts(identifier, secret)
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
            "paie_legacy-01.short",
            "paie_legacy-01.with space inside it",
            "paie_legacy-01.accentué-et-assez-long",
            "paie_AAAAAAAAAAAAAAAA.not-a-sesame-secret-at-all",
            "paie_legacy-01.prefix-ses_inside-the-secret",
        ] {
            assert_eq!(parse_bearer(text).err(), Some(Malformed::Shape), "{text}");
        }
    }

    #[test]
    fn white_space_is_ignored_around_a_key_only() -> Result<()> {
        let identifier = new_identifier("paie")?;
        let secret = new_secret(&identifier)?;
        let bearer = bearer(&identifier, &secret);
        let bearer = bearer.expose_secret();
        for around in [" ", "\t", "\r\n", "  \n"] {
            let padded = format!("{around}{bearer}{around}");
            assert!(parse_bearer(&padded).is_ok(), "{padded:?}");
            let id = format!("{around}{identifier}{around}");
            let parsed = parse_parts(&id, secret.expose_secret()).map_err(|m| format!("{m:?}"));
            assert_eq!(parsed.map(|p| p.identifier), Ok(identifier.clone()));
        }
        let (id, rest) = bearer.split_once('.').map_or(("", ""), |pair| pair);
        for space in [
            '\u{a0}', '\u{3000}', '\u{2003}', '\u{feff}', '\u{b}', '\u{c}',
        ] {
            let around = format!("{space}{bearer}");
            assert_eq!(
                parse_bearer(&around).err(),
                Some(Malformed::Shape),
                "{space:?}"
            );
            let id_around = format!("{identifier}{space}");
            assert!(
                parse_parts(&id_around, secret.expose_secret()).is_err(),
                "{space:?}"
            );
        }
        for inside in [format!("{id} .{rest}"), format!("{id}.\t{rest}")] {
            assert_eq!(
                parse_bearer(&inside).err(),
                Some(Malformed::Shape),
                "{inside:?}"
            );
        }
        Ok(())
    }

    #[test]
    fn imported_keys_parse_when_nothing_looks_like_sesame() {
        let parsed =
            parse_bearer("paie_legacy-01.Zx9!long-enough:secret").map_err(|m| format!("{m:?}"));
        assert_eq!(
            parsed.map(|p| p.identifier),
            Ok("paie_legacy-01".to_owned())
        );
        assert!(parse_parts("paie_legacy_02", "0123456789abcdef").is_ok());
        assert_eq!(
            check_imported_secret("paie_legacy", "short"),
            Err(ImportedSecretProblem::Length)
        );
        assert_eq!(
            check_imported_secret("paie_legacy", "sixteen chars ok"),
            Err(ImportedSecretProblem::Characters)
        );
        assert_eq!(
            check_imported_secret("paie_AAAAAAAAAAAAAAAA", "0123456789abcdef"),
            Err(ImportedSecretProblem::NotSesame)
        );
    }
}
