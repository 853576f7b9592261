//! The `signing_keys` table: the public half of every installation's token-signing key, as
//! registered on this store, with who holds it and when it was retired.

use crate::error::Result;
use crate::store::db::{Read, Row, Write};
use crate::values;

/// A registered public signing key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisteredKey {
    /// The key id written in tokens' headers and the JWKS.
    pub kid: String,
    /// The Ed25519 public key, base64url without padding (a JWK's `x`).
    pub public_key: String,
    pub fingerprint: String,
    /// The machine and key home that holds the private half (`host:path`).
    pub holder: String,
    pub registered_at: i64,
    pub retired_at: Option<i64>,
}

const COLUMNS: &str = "kid, public_key, fingerprint, holder, registered_at, retired_at";

fn registered(row: &Row<'_>) -> Result<RegisteredKey> {
    Ok(RegisteredKey {
        kid: row.get(0)?,
        public_key: row.get(1)?,
        fingerprint: row.get(2)?,
        holder: row.get(3)?,
        registered_at: row.get(4)?,
        retired_at: row.get(5)?,
    })
}

/// Every registered key, the oldest first; retired ones too when `with_retired`.
pub(crate) fn list<'c>(
    read: impl Into<Read<'c>>,
    with_retired: bool,
) -> Result<Vec<RegisteredKey>> {
    let filter = match with_retired {
        true => "",
        false => "WHERE retired_at IS NULL",
    };
    read.into().db().query(
        &format!("SELECT {COLUMNS} FROM signing_keys {filter} ORDER BY registered_at, kid"),
        &[],
        registered,
    )
}

/// The key registered under `kid`, retired or not.
pub(crate) fn by_kid<'c>(read: impl Into<Read<'c>>, kid: &str) -> Result<Option<RegisteredKey>> {
    read.into().db().query_opt(
        &format!("SELECT {COLUMNS} FROM signing_keys WHERE kid = ?1"),
        values![kid],
        registered,
    )
}

/// The key `holder` has in use, if it registered one.
pub(crate) fn held_by<'c>(
    read: impl Into<Read<'c>>,
    holder: &str,
) -> Result<Option<RegisteredKey>> {
    read.into().db().query_opt(
        &format!(
            "SELECT {COLUMNS} FROM signing_keys WHERE holder = ?1 AND retired_at IS NULL
             ORDER BY registered_at DESC LIMIT 1"
        ),
        values![holder],
        registered,
    )
}

/// Registers a new key.
pub(crate) fn insert<'c>(write: impl Into<Write<'c>>, key: &RegisteredKey) -> Result<()> {
    write.into().db().execute(
        &format!("INSERT INTO signing_keys ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
        values![
            key.kid.as_str(),
            key.public_key.as_str(),
            key.fingerprint.as_str(),
            key.holder.as_str(),
            key.registered_at,
            key.retired_at
        ],
    )?;
    Ok(())
}

/// Retires a key; says whether it was in use.
pub(crate) fn retire<'c>(write: impl Into<Write<'c>>, kid: &str, at: i64) -> Result<bool> {
    let changed = write.into().db().execute(
        "UPDATE signing_keys SET retired_at = ?2 WHERE kid = ?1 AND retired_at IS NULL",
        values![kid, at],
    )?;
    Ok(changed > 0)
}
