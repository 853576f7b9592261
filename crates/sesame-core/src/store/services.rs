//! The `services` and `service_permissions` tables: the catalogue, each service with its key
//! prefix, the permissions it offers and how many of its keys are active now.

use chrono::{DateTime, Utc};

use crate::clock::{from_millis, to_millis};
use crate::error::Result;
use crate::store::db::{Engine, Read, Row, Write};
use crate::values;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    pub id: String,
    pub name: String,
    pub description: String,
    pub website: Option<String>,
    pub category: String,
    pub key_prefix: String,
    pub permissions: Vec<String>,
    /// Listed in the catalogue; `false` means awaiting approval (the service works all the same).
    pub listed: bool,
    pub created_at: DateTime<Utc>,
    pub creator_name: String,
    /// Keys that are active and not expired.
    pub active_keys: u64,
    /// The longest a key of this service may live, in days; `None` for no limit.
    pub max_lifetime_days: Option<u32>,
}

/// A service's fields as written (the prefix is written once, at creation).
#[derive(Debug)]
pub(crate) struct ServiceFields<'a> {
    pub name: &'a str,
    pub name_key: &'a str,
    pub description: &'a str,
    pub website: Option<&'a str>,
    pub category: &'a str,
    pub max_lifetime_days: Option<u32>,
}

/// The columns of a service, with its active keys counted: on SQLite from an index; on
/// PostgreSQL from the counts its triggers keep (see `keys::counted_total`), plus the active
/// keys with an expiry still ahead. `?1` is now.
fn columns(engine: Engine) -> String {
    let active_keys = match engine {
        Engine::Sqlite => "(SELECT COUNT(*) FROM keys k WHERE k.service_id = s.id
                AND k.deleted_at IS NULL AND k.status = 'active'
                AND (k.expires_at IS NULL OR k.expires_at > ?1))"
            .to_owned(),
        Engine::Postgres => format!(
            "(SELECT CAST(coalesce(sum(c.n), 0) AS BIGINT) FROM {KEPT_COUNTS} c
                WHERE c.company_id = '' AND c.service_id = s.id AND c.status = 'active'
                  AND NOT c.expiring)
             + (SELECT COUNT(*) FROM keys k WHERE k.deleted_at IS NULL
                AND k.expires_at IS NOT NULL AND k.service_id = s.id AND k.status = 'active'
                AND k.expires_at > ?1)",
            KEPT_COUNTS = crate::store::keys::KEPT_COUNTS
        ),
    };
    format!(
        "s.id, s.name, s.description, s.website, s.category, s.key_prefix,
         s.listed, s.created_at, o.name, {active_keys}, s.max_lifetime_days"
    )
}

fn service(row: &Row<'_>) -> Result<Service> {
    Ok(Service {
        id: row.get(0)?,
        name: row.get(1)?,
        description: row.get(2)?,
        website: row.get(3)?,
        category: row.get(4)?,
        key_prefix: row.get(5)?,
        permissions: Vec::new(),
        listed: row.get(6)?,
        created_at: from_millis(row.get(7)?),
        creator_name: row.get(8)?,
        active_keys: row.get(9)?,
        max_lifetime_days: row.get(10)?,
    })
}

pub(crate) fn permissions_of<'c>(
    read: impl Into<Read<'c>>,
    service_id: &str,
) -> Result<Vec<String>> {
    read.into().db().query(
        "SELECT permission FROM service_permissions WHERE service_id = ?1 ORDER BY permission",
        values![service_id],
        |row| row.get(0),
    )
}

/// The service whose id or name's comparison key this is, with its permissions; its active
/// keys are counted at `now`.
pub(crate) fn find<'c>(
    read: impl Into<Read<'c>>,
    id: &str,
    name_key: &str,
    now: DateTime<Utc>,
) -> Result<Option<Service>> {
    let read = read.into();
    let found = read.db().query_opt(
        &format!(
            "SELECT {columns} FROM services s JOIN operators o ON o.id = s.created_by
             WHERE s.id = ?2 OR s.name_key = ?3",
            columns = columns(read.db().engine())
        ),
        values![to_millis(now), id, name_key],
        service,
    )?;
    found
        .map(|mut service| {
            service.permissions = permissions_of(read, &service.id)?;
            Ok(service)
        })
        .transpose()
}

/// The catalogue by name: of one category (or all, for ""), with `text` (already a comparison
/// key) in the name or the description (or any, for "").
pub(crate) fn list<'c>(
    read: impl Into<Read<'c>>,
    category: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Vec<Service>> {
    let read = read.into();
    let mut services = read.db().query(
        &format!(
            "SELECT {columns} FROM services s JOIN operators o ON o.id = s.created_by
             WHERE (?2 = '' OR s.category = ?2)
               AND (?3 = '' OR instr(sesame_unaccent(s.name_key), ?3) > 0
                    OR instr(sesame_unaccent(lower(s.description)), ?3) > 0)
             ORDER BY s.name_key",
            columns = columns(read.db().engine())
        ),
        values![to_millis(now), category, text],
        service,
    )?;
    for service in &mut services {
        service.permissions = permissions_of(read, &service.id)?;
    }
    Ok(services)
}

/// The categories in use, in alphabetical order.
pub(crate) fn categories<'c>(read: impl Into<Read<'c>>) -> Result<Vec<String>> {
    read.into().db().query(
        "SELECT category FROM services WHERE category <> ''
         GROUP BY category ORDER BY lower(category)",
        &[],
        |row| row.get(0),
    )
}

pub(crate) fn name_taken<'c>(
    read: impl Into<Read<'c>>,
    name_key: &str,
    except_id: &str,
) -> Result<bool> {
    read.into().db().query_one(
        "SELECT EXISTS (SELECT 1 FROM services WHERE name_key = ?1 AND id <> ?2)",
        values![name_key, except_id],
        |row| row.get(0),
    )
}

pub(crate) fn prefix_taken<'c>(read: impl Into<Read<'c>>, prefix: &str) -> Result<bool> {
    read.into().db().query_one(
        "SELECT EXISTS (SELECT 1 FROM services WHERE key_prefix = ?1)",
        values![prefix],
        |row| row.get(0),
    )
}

/// How many keys that still exist hold `permission` of the service.
pub(crate) fn permission_holders<'c>(
    read: impl Into<Read<'c>>,
    service_id: &str,
    permission: &str,
) -> Result<u64> {
    read.into().db().query_one(
        "SELECT COUNT(*) FROM key_permissions kp JOIN keys k ON k.id = kp.key_id
         WHERE k.service_id = ?1 AND kp.permission = ?2 AND k.deleted_at IS NULL",
        values![service_id, permission],
        |row| row.get(0),
    )
}

/// A new service, awaiting approval, with its permissions.
pub(crate) fn insert<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    fields: &ServiceFields<'_>,
    prefix: &str,
    permissions: &[String],
    created_at: DateTime<Utc>,
    created_by: &str,
) -> Result<()> {
    let write = write.into();
    write.db().execute(
        "INSERT INTO services (id, name, name_key, description, website, category, key_prefix,
             listed, created_at, created_by, updated_at, max_lifetime_days)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, FALSE, ?8, ?9, ?8, ?10)",
        values![
            id,
            fields.name,
            fields.name_key,
            fields.description,
            fields.website,
            fields.category,
            prefix,
            to_millis(created_at),
            created_by,
            fields.max_lifetime_days
        ],
    )?;
    write_permissions(write, id, permissions)
}

/// A service's new fields and permissions.
pub(crate) fn update<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    fields: &ServiceFields<'_>,
    permissions: &[String],
    updated_at: DateTime<Utc>,
) -> Result<()> {
    let write = write.into();
    write.db().execute(
        "UPDATE services SET name = ?2, name_key = ?3, description = ?4, website = ?5,
             category = ?6, updated_at = ?7, max_lifetime_days = ?8
         WHERE id = ?1",
        values![
            id,
            fields.name,
            fields.name_key,
            fields.description,
            fields.website,
            fields.category,
            to_millis(updated_at),
            fields.max_lifetime_days
        ],
    )?;
    write.db().execute(
        "DELETE FROM service_permissions WHERE service_id = ?1",
        values![id],
    )?;
    write_permissions(write, id, permissions)
}

fn write_permissions(write: Write<'_>, service_id: &str, permissions: &[String]) -> Result<()> {
    for permission in permissions {
        write.db().execute(
            "INSERT INTO service_permissions (service_id, permission) VALUES (?1, ?2)",
            values![service_id, permission],
        )?;
    }
    Ok(())
}

/// Lists a service in the catalogue.
pub(crate) fn approve<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    at: DateTime<Utc>,
    by: &str,
) -> Result<()> {
    write.into().db().execute(
        "UPDATE services SET listed = TRUE, approved_at = ?2, approved_by = ?3 WHERE id = ?1",
        values![id, to_millis(at), by],
    )?;
    Ok(())
}
