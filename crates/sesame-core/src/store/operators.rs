//! The `operators` and `sign_in_failures` tables: the app's local accounts with their password
//! hashes and rights, and the failed sign-ins counted per name for the throttle.

use chrono::{DateTime, Utc};

use crate::clock::{from_millis, to_millis};
use crate::error::Result;
use crate::store::db::{Read, Row, Write};
use crate::values;
use crate::vocab::Rights;

/// An operator as the settings screen and `sesamectl operator list` show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    pub id: String,
    pub name: String,
    pub rights: Rights,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
}

/// What sign-in needs of an operator: who it is, its password hash, whether it is disabled.
#[derive(Debug, Clone)]
pub(crate) struct Credentials {
    pub id: String,
    pub name: String,
    pub password_hash: String,
    pub disabled_at: Option<i64>,
}

/// What authorization reads of an operator, each time it acts.
#[derive(Debug, Clone)]
pub(crate) struct Standing {
    pub name: String,
    pub rights: Rights,
    pub disabled: bool,
}

const COLUMNS: &str = "o.id, o.name, o.right_configuration, o.right_audit, o.disabled_at,
                       o.created_at, creator.name";

fn operator(row: &Row<'_>) -> Result<Operator> {
    Ok(Operator {
        id: row.get(0)?,
        name: row.get(1)?,
        rights: Rights {
            configuration: row.get(2)?,
            audit: row.get(3)?,
        },
        disabled_at: row.get::<Option<i64>>(4)?.map(from_millis),
        created_at: from_millis(row.get(5)?),
        created_by: row.get(6)?,
    })
}

pub(crate) fn load<'c>(read: impl Into<Read<'c>>, id: &str) -> Result<Option<Operator>> {
    read.into().db().query_opt(
        &format!(
            "SELECT {COLUMNS} FROM operators o
             LEFT JOIN operators creator ON creator.id = o.created_by WHERE o.id = ?1"
        ),
        values![id],
        operator,
    )
}

/// Every operator, by name.
pub(crate) fn list<'c>(read: impl Into<Read<'c>>) -> Result<Vec<Operator>> {
    read.into().db().query(
        &format!(
            "SELECT {COLUMNS} FROM operators o
             LEFT JOIN operators creator ON creator.id = o.created_by ORDER BY o.name_key"
        ),
        &[],
        operator,
    )
}

/// Every operator's id and name, by name.
pub(crate) fn names<'c>(read: impl Into<Read<'c>>) -> Result<Vec<(String, String)>> {
    read.into().db().query(
        "SELECT id, name FROM operators ORDER BY name_key",
        &[],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

pub(crate) fn count<'c>(read: impl Into<Read<'c>>) -> Result<u64> {
    read.into()
        .db()
        .query_one("SELECT COUNT(*) FROM operators", &[], |row| row.get(0))
}

/// The id of the operator with this id or name comparison key.
pub(crate) fn find_id<'c>(
    read: impl Into<Read<'c>>,
    id: &str,
    name_key: &str,
) -> Result<Option<String>> {
    read.into().db().query_opt(
        "SELECT id FROM operators WHERE id = ?1 OR name_key = ?2",
        values![id, name_key],
        |row| row.get(0),
    )
}

/// Whether an operator other than `except` has this name comparison key.
pub(crate) fn name_key_taken<'c>(
    read: impl Into<Read<'c>>,
    name_key: &str,
    except: &str,
) -> Result<bool> {
    read.into().db().query_one(
        "SELECT EXISTS (SELECT 1 FROM operators WHERE name_key = ?1 AND id <> ?2)",
        values![name_key, except],
        |row| row.get(0),
    )
}

/// How many operators other than `except` hold the configuration right and are not disabled.
pub(crate) fn other_administrators<'c>(read: impl Into<Read<'c>>, except: &str) -> Result<u64> {
    read.into().db().query_one(
        "SELECT COUNT(*) FROM operators
         WHERE right_configuration = TRUE AND disabled_at IS NULL AND id <> ?1",
        values![except],
        |row| row.get(0),
    )
}

pub(crate) fn credentials<'c>(
    read: impl Into<Read<'c>>,
    name_key: &str,
) -> Result<Option<Credentials>> {
    read.into().db().query_opt(
        "SELECT id, name, password_hash, disabled_at FROM operators WHERE name_key = ?1",
        values![name_key],
        |row| {
            Ok(Credentials {
                id: row.get(0)?,
                name: row.get(1)?,
                password_hash: row.get(2)?,
                disabled_at: row.get(3)?,
            })
        },
    )
}

pub(crate) fn password_hash<'c>(read: impl Into<Read<'c>>, id: &str) -> Result<Option<String>> {
    read.into().db().query_opt(
        "SELECT password_hash FROM operators WHERE id = ?1",
        values![id],
        |row| row.get(0),
    )
}

pub(crate) fn standing<'c>(read: impl Into<Read<'c>>, id: &str) -> Result<Option<Standing>> {
    read.into().db().query_opt(
        "SELECT name, right_configuration, right_audit, disabled_at FROM operators WHERE id = ?1",
        values![id],
        |row| {
            Ok(Standing {
                name: row.get(0)?,
                rights: Rights {
                    configuration: row.get(1)?,
                    audit: row.get(2)?,
                },
                disabled: row.get::<Option<i64>>(3)?.is_some(),
            })
        },
    )
}

#[allow(clippy::too_many_arguments)] // One value per column of a new account.
pub(crate) fn insert<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    name: &str,
    name_key: &str,
    password_hash: &str,
    rights: Rights,
    created_at: DateTime<Utc>,
    created_by: Option<&str>,
) -> Result<()> {
    write.into().db().execute(
        "INSERT INTO operators (id, name, name_key, password_hash, right_configuration,
             right_audit, created_at, created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        values![
            id,
            name,
            name_key,
            password_hash,
            rights.configuration,
            rights.audit,
            to_millis(created_at),
            created_by
        ],
    )?;
    Ok(())
}

pub(crate) fn update<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    name: &str,
    name_key: &str,
    rights: Rights,
) -> Result<()> {
    write.into().db().execute(
        "UPDATE operators SET name = ?2, name_key = ?3, right_configuration = ?4, right_audit = ?5
         WHERE id = ?1",
        values![id, name, name_key, rights.configuration, rights.audit],
    )?;
    Ok(())
}

pub(crate) fn set_disabled<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    disabled_at: Option<DateTime<Utc>>,
) -> Result<()> {
    write.into().db().execute(
        "UPDATE operators SET disabled_at = ?2 WHERE id = ?1",
        values![id, disabled_at.map(to_millis)],
    )?;
    Ok(())
}

pub(crate) fn set_password_hash<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    hash: &str,
) -> Result<()> {
    write.into().db().execute(
        "UPDATE operators SET password_hash = ?2 WHERE id = ?1",
        values![id, hash],
    )?;
    Ok(())
}

/// The failed sign-ins counted for a name, and when the last one was.
pub(crate) fn failures<'c>(
    read: impl Into<Read<'c>>,
    name_key: &str,
) -> Result<Option<(u32, i64)>> {
    read.into().db().query_opt(
        "SELECT failures, last_failure_at FROM sign_in_failures WHERE name_key = ?1",
        values![name_key],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

pub(crate) fn put_failures<'c>(
    write: impl Into<Write<'c>>,
    name_key: &str,
    failures: u32,
    at: DateTime<Utc>,
) -> Result<()> {
    write.into().db().execute(
        "INSERT INTO sign_in_failures (name_key, failures, last_failure_at)
         VALUES (?1, ?2, ?3)
         ON CONFLICT (name_key) DO UPDATE
         SET failures = excluded.failures, last_failure_at = excluded.last_failure_at",
        values![name_key, failures, to_millis(at)],
    )?;
    Ok(())
}

pub(crate) fn clear_failures<'c>(write: impl Into<Write<'c>>, name_key: &str) -> Result<()> {
    write.into().db().execute(
        "DELETE FROM sign_in_failures WHERE name_key = ?1",
        values![name_key],
    )?;
    Ok(())
}
