//! What verification reads and writes: a key's deciding values by its public identifier, its
//! grants, the counters of uses and refused attempts, a stronger hash for a proven secret, and
//! the marker that says another process changed the store.

use chrono::{DateTime, Utc};

use crate::clock::to_millis;
use crate::error::Result;
use crate::store::companies::CompanyRef;
use crate::store::db::{Engine, Read, Write};
use crate::values;

/// A key as verification reads it, by its public identifier.
#[derive(Debug, Clone)]
pub(crate) struct KeyRow {
    pub id: String,
    pub name: String,
    pub service_id: String,
    pub service_name: String,
    pub status: String,
    pub expires_at: Option<i64>,
    pub secret_hash: Option<String>,
    pub previous_secret_hash: Option<String>,
    pub previous_secret_valid_until: Option<i64>,
    pub revision: i64,
    pub deleted: bool,
    pub regenerated_at: Option<i64>,
    /// The key's seal, the event it is bound to and the trail's last event about the key,
    /// read with the row in one statement.
    pub seal: Option<Vec<u8>>,
    pub seal_seq: Option<i64>,
    pub last_event: Option<i64>,
    pub previous_generation: Option<i64>,
}

pub(crate) fn key_by_identifier<'c>(
    read: impl Into<Read<'c>>,
    identifier: &str,
) -> Result<Option<KeyRow>> {
    read.into().db().query_opt(
        "SELECT k.id, k.status, k.expires_at, k.secret_hash, k.previous_secret_hash,
             k.previous_secret_valid_until, k.revision, k.deleted_at IS NOT NULL,
             k.name, s.id, s.name, k.regenerated_at, rs.seal, rs.seq,
             (SELECT e.seq FROM audit_events e
              WHERE e.target_id = k.id AND e.target_kind = 'key' ORDER BY e.seq DESC LIMIT 1),
             k.previous_generation
         FROM keys k JOIN services s ON s.id = k.service_id
         LEFT JOIN row_seals rs ON rs.kind = 'key' AND rs.id = k.id
         WHERE k.identifier = ?1",
        values![identifier],
        |row| {
            Ok(KeyRow {
                id: row.get(0)?,
                status: row.get(1)?,
                expires_at: row.get(2)?,
                secret_hash: row.get(3)?,
                previous_secret_hash: row.get(4)?,
                previous_secret_valid_until: row.get(5)?,
                revision: row.get(6)?,
                deleted: row.get(7)?,
                name: row.get(8)?,
                service_id: row.get(9)?,
                service_name: row.get(10)?,
                regenerated_at: row.get(11)?,
                seal: row.get(12)?,
                seal_seq: row.get(13)?,
                last_event: row.get(14)?,
                previous_generation: row.get(15)?,
            })
        },
    )
}

/// What a token's check reads of its key, by id.
pub(crate) struct KeyState {
    pub status: String,
    pub expires_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub regenerated_at: Option<i64>,
    pub previous_secret_valid_until: Option<i64>,
    pub previous_generation: Option<i64>,
}

pub(crate) fn key_state<'c>(read: impl Into<Read<'c>>, id: &str) -> Result<Option<KeyState>> {
    read.into().db().query_opt(
        "SELECT status, expires_at, deleted_at, regenerated_at, previous_secret_valid_until,
             previous_generation
         FROM keys WHERE id = ?1",
        values![id],
        |row| {
            Ok(KeyState {
                status: row.get(0)?,
                expires_at: row.get(1)?,
                deleted_at: row.get(2)?,
                regenerated_at: row.get(3)?,
                previous_secret_valid_until: row.get(4)?,
                previous_generation: row.get(5)?,
            })
        },
    )
}

/// A key that still exists by its public identifier: its id, its name and its service's name.
pub(crate) fn named_key<'c>(
    read: impl Into<Read<'c>>,
    identifier: &str,
) -> Result<Option<(String, String, String)>> {
    read.into().db().query_opt(
        "SELECT k.id, k.name, s.name FROM keys k JOIN services s ON s.id = k.service_id
         WHERE k.identifier = ?1 AND k.deleted_at IS NULL",
        values![identifier],
        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
    )
}

/// A key's permissions and companies.
pub(crate) fn grants<'c>(
    read: impl Into<Read<'c>>,
    id: &str,
) -> Result<(Vec<String>, Vec<CompanyRef>)> {
    let db = read.into().db();
    let permissions = db.query(
        "SELECT permission FROM key_permissions WHERE key_id = ?1 ORDER BY permission",
        values![id],
        |row| row.get(0),
    )?;
    let companies = db.query(
        "SELECT c.id, c.name FROM key_companies kc JOIN companies c ON c.id = kc.company_id
         WHERE kc.key_id = ?1 ORDER BY c.name_key",
        values![id],
        |row| {
            Ok(CompanyRef {
                id: row.get(0)?,
                name: row.get(1)?,
            })
        },
    )?;
    Ok((permissions, companies))
}

/// Adds counted uses (how many, and the last) and refused attempts to the keys' counters.
/// Each is an increment of the stored value, so counts from several processes add up.
pub(crate) fn add_counts<'c>(
    write: impl Into<Write<'c>>,
    uses: &[(&str, u64, DateTime<Utc>)],
    failures: &[(&str, u64)],
) -> Result<()> {
    let db = write.into().db();
    for (key_id, count, at) in uses {
        db.execute(
            "UPDATE keys SET use_count = use_count + ?2, usage_unknown = FALSE,
                 last_used_at = CASE WHEN coalesce(last_used_at, 0) > ?3 THEN last_used_at
                                     ELSE ?3 END
             WHERE id = ?1",
            values![*key_id, *count, to_millis(*at)],
        )?;
    }
    for (key_id, count) in failures {
        db.execute(
            "UPDATE keys SET failed_attempts = failed_attempts + ?2 WHERE id = ?1",
            values![*key_id, *count],
        )?;
    }
    Ok(())
}

/// Replaces a proven secret's hash by a stronger one, unless the key got a new secret meanwhile.
pub(crate) fn rehash<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    stronger: &str,
    was: &str,
) -> Result<()> {
    write.into().db().execute(
        "UPDATE keys SET secret_hash = ?1 WHERE id = ?2 AND secret_hash = ?3",
        values![stronger, id, was],
    )?;
    Ok(())
}

/// A number that changes whenever another connection commits a change of state: SQLite's
/// `data_version`; on PostgreSQL the last audit event's number (every change of state writes
/// one in its transaction).
pub(crate) fn change_marker<'c>(read: impl Into<Read<'c>>) -> Result<i64> {
    let db = read.into().db();
    match db.engine() {
        Engine::Sqlite => db.query_one("PRAGMA data_version", &[], |row| row.get(0)),
        Engine::Postgres => db.query_one(
            "SELECT coalesce(max(seq), 0) FROM audit_events",
            &[],
            |row| row.get(0),
        ),
    }
}

/// The client code of every company that has one, by company id.
pub(crate) fn client_codes<'c>(read: impl Into<Read<'c>>) -> Result<Vec<(String, String)>> {
    read.into().db().query(
        "SELECT id, client_code FROM companies WHERE client_code IS NOT NULL",
        &[],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// The seal stored for a row.
pub(crate) fn seal_of<'c>(
    read: impl Into<Read<'c>>,
    kind: &str,
    id: &str,
) -> Result<Option<Vec<u8>>> {
    read.into().db().query_opt(
        "SELECT seal FROM row_seals WHERE kind = ?1 AND id = ?2",
        values![kind, id],
        |row| row.get(0),
    )
}
