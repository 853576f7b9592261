//! Keys: issuing, the lifecycle (deactivate, reactivate, regenerate, revoke, delete, edit) and
//! the filtered, paged key list.

use chrono::{DateTime, Duration, Utc};
use rusqlite::types::Value;
use rusqlite::{Connection, OptionalExtension, params, params_from_iter};
use serde_json::json;

use crate::Sesame;
use crate::audit::{self, Actor, Target};
use crate::clock::{from_millis, to_millis};
use crate::company::{self, CompanyRef};
use crate::error::{Error, Field, Result};
use crate::key_format;
use crate::operator;
use crate::secret::{ExposeSecret, SecretString};
use crate::service;
use crate::validate;
use crate::vocab::{AuditAction, CopyPart, Right, RowKind, Session};

pub use crate::vocab::{Grace, Health, KeyAction, KeySort, KeyStatus};

impl KeyAction {
    /// The lifecycle's rules, on the stored status. A revoked key is final: it can only be
    /// deleted from the lists. Deactivating an inactive key (or the reverse) is refused too, so
    /// that a mistaken double click says so instead of writing a second event.
    pub fn allowed_from(self, stored: KeyStatus) -> bool {
        match self {
            KeyAction::Deactivate => stored == KeyStatus::Active,
            KeyAction::Reactivate => stored == KeyStatus::Inactive,
            KeyAction::Regenerate | KeyAction::Revoke | KeyAction::Edit => {
                matches!(stored, KeyStatus::Active | KeyStatus::Inactive)
            }
            KeyAction::Delete => true,
        }
    }
}

/// When a key was last used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    Never,
    /// Imported from elsewhere: its earlier uses are not known.
    Unknown,
    At(DateTime<Utc>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub id: String,
    pub service_id: String,
    pub service_name: String,
    pub name: String,
    pub identifier: String,
    pub status: KeyStatus,
    /// Active, inactive or revoked, before expiry is taken into account.
    pub stored_status: KeyStatus,
    pub expires_at: Option<DateTime<Utc>>,
    pub permissions: Vec<String>,
    pub companies: Vec<CompanyRef>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub creator_name: String,
    pub last_use: Usage,
    pub use_count: u64,
    pub failed_attempts: u64,
    pub regenerated_at: Option<DateTime<Utc>>,
    /// While a regeneration's grace period runs, the previous secret works until then.
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub revoked_reason: Option<String>,
    /// Free tags, sorted.
    pub tags: Vec<String>,
    /// Who to call about the key (a name, an e-mail or a phone number); may be empty.
    pub contact: String,
}

/// A key just issued or regenerated, with its secret: the only time the secret exists in clear.
#[derive(Debug)]
pub struct IssuedKey {
    pub key: Key,
    pub secret: SecretString,
}

impl IssuedKey {
    /// The one-string form `identifier.secret`.
    pub fn bearer(&self) -> SecretString {
        key_format::bearer(&self.key.identifier, &self.secret)
    }
}

/// What a new key is made of. Service and companies are given by name or id.
#[derive(Debug, Clone, Default)]
pub struct NewKey {
    pub service: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub companies: Vec<String>,
    pub expires_at: Option<DateTime<Utc>>,
    pub note: String,
    pub tags: Vec<String>,
    pub contact: String,
}

/// Changes to a key; `None` leaves a field as it is. `expires_at: Some(None)` removes the expiry.
#[derive(Debug, Clone, Default)]
pub struct KeyEdit {
    pub name: Option<String>,
    pub note: Option<String>,
    pub permissions: Option<Vec<String>>,
    pub companies: Option<Vec<String>>,
    pub expires_at: Option<Option<DateTime<Utc>>>,
    pub tags: Option<Vec<String>>,
    pub contact: Option<String>,
}

impl Grace {
    pub fn duration(self) -> Duration {
        match self {
            Grace::Now => Duration::zero(),
            Grace::OneHour => Duration::hours(1),
            Grace::OneDay => Duration::hours(24),
            Grace::SevenDays => Duration::days(7),
        }
    }

    /// A grace period from a front end: an unknown one is refused, never taken for « now »
    /// (which would end the old secret at once).
    pub fn parse(code: &str) -> Result<Grace> {
        let code = match code.trim() {
            "0" => "now",
            "1d" => "24h",
            other => other,
        };
        Grace::from_code(code).ok_or_else(|| Error::GraceUnknown(code.chars().take(40).collect()))
    }
}

impl KeySort {
    fn order_by(self) -> &'static str {
        match self {
            KeySort::NewestFirst => "k.created_at DESC, k.id DESC",
            KeySort::OldestFirst => "k.created_at ASC, k.id ASC",
            KeySort::Name => "k.name_key ASC, k.id ASC",
            KeySort::LastUse => "k.last_used_at IS NULL, k.last_used_at DESC, k.id DESC",
            KeySort::Expiry => "k.expires_at IS NULL, k.expires_at ASC, k.id ASC",
        }
    }
}

/// The key list's criteria. Service, company and creator are given by name or id; empty or
/// `None` means "any".
#[derive(Debug, Clone)]
pub struct KeyFilter {
    pub service: Option<String>,
    /// One of the health view's checks.
    pub health: Option<Health>,
    pub company: Option<String>,
    pub status: Option<KeyStatus>,
    pub name_contains: String,
    pub creator: Option<String>,
    /// Keys with this tag.
    pub tag: Option<String>,
    pub sort: KeySort,
    pub offset: u64,
    pub limit: u32,
}

impl Default for KeyFilter {
    fn default() -> Self {
        KeyFilter {
            service: None,
            health: None,
            company: None,
            status: None,
            name_contains: String::new(),
            creator: None,
            tag: None,
            sort: KeySort::default(),
            offset: 0,
            limit: 50,
        }
    }
}

/// One page of the key list and how many keys match in all.
#[derive(Debug, Clone)]
pub struct KeyPage {
    pub keys: Vec<Key>,
    pub total: u64,
}

pub const PAGE_MAX: u32 = 500;

/// The health view's checks, each a filter on the key list (revoked keys aside, except for the
/// last, which is about them).
impl Health {
    /// The SQL condition on `k` and the instants it compares with.
    fn condition(self, now: DateTime<Utc>) -> (&'static str, Vec<DateTime<Utc>>) {
        match self {
            Health::Unused => (
                "k.status <> 'revoked' AND coalesce(k.last_used_at, k.created_at) <= ?",
                vec![now - Duration::days(90)],
            ),
            Health::NoExpiry => ("k.status <> 'revoked' AND k.expires_at IS NULL", vec![]),
            Health::NotRegenerated => (
                "k.status <> 'revoked' AND coalesce(k.regenerated_at, k.created_at) <= ?",
                vec![now - Duration::days(365)],
            ),
            Health::ExpiringSoon => (
                "k.status <> 'revoked' AND k.expires_at > ? AND k.expires_at <= ?",
                vec![now, now + Duration::days(30)],
            ),
            Health::RefusedAttempts => (
                "k.status IN ('inactive', 'revoked') AND k.failed_attempts > 0",
                vec![],
            ),
            // Live keys of a service with a maximum lifetime that would outlive it from now.
            Health::BeyondMaxLifetime => (
                "k.status <> 'revoked' AND EXISTS (SELECT 1 FROM services ls
                     WHERE ls.id = k.service_id AND ls.max_lifetime_days IS NOT NULL
                       AND (k.expires_at IS NULL
                            OR k.expires_at > ? + ls.max_lifetime_days * 86400000 + 86400000))",
                vec![now],
            ),
        }
    }
}

const KEY_COLUMNS: &str = "k.id, k.service_id, s.name, k.name, k.identifier, k.status,
    k.expires_at, k.note, k.created_at, coalesce(k.creator_label, creator.name), k.last_used_at,
    k.use_count,
    k.usage_unknown, k.failed_attempts, k.regenerated_at, k.previous_secret_valid_until,
    k.revoked_at, revoker.name, k.revoked_reason, k.contact";

const KEY_FROM: &str = "keys k
    JOIN services s ON s.id = k.service_id
    JOIN operators creator ON creator.id = k.created_by
    LEFT JOIN operators revoker ON revoker.id = k.revoked_by";

fn creator_label_exists(connection: &Connection, label: &str) -> Result<bool> {
    Ok(connection
        .prepare_cached(
            "SELECT 1 FROM keys WHERE creator_label = ? AND deleted_at IS NULL LIMIT 1",
        )?
        .query_row([label], |_| Ok(()))
        .optional()?
        .is_some())
}

pub(crate) fn stored_status(code: &str) -> KeyStatus {
    KeyStatus::from_code(code).unwrap_or(KeyStatus::Revoked)
}

/// The status people see: revoked stays revoked; otherwise a passed expiry makes it expired.
pub(crate) fn effective_status(
    stored: KeyStatus,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> KeyStatus {
    match stored {
        KeyStatus::Revoked => KeyStatus::Revoked,
        _ if expires_at.is_some_and(|at| at <= now) => KeyStatus::Expired,
        other => other,
    }
}

fn key_from_row(row: &rusqlite::Row<'_>, now: DateTime<Utc>) -> rusqlite::Result<Key> {
    let stored = stored_status(&row.get::<_, String>(5)?);
    let expires_at = row.get::<_, Option<i64>>(6)?.map(from_millis);
    let last_used_at = row.get::<_, Option<i64>>(10)?.map(from_millis);
    let usage_unknown: bool = row.get(12)?;
    let last_use = match (last_used_at, usage_unknown) {
        (Some(at), _) => Usage::At(at),
        (None, true) => Usage::Unknown,
        (None, false) => Usage::Never,
    };
    let grace_until = row
        .get::<_, Option<i64>>(15)?
        .map(from_millis)
        .filter(|at| *at > now);
    Ok(Key {
        id: row.get(0)?,
        service_id: row.get(1)?,
        service_name: row.get(2)?,
        name: row.get(3)?,
        identifier: row.get(4)?,
        status: effective_status(stored, expires_at, now),
        stored_status: stored,
        expires_at,
        permissions: Vec::new(),
        companies: Vec::new(),
        note: row.get(7)?,
        created_at: from_millis(row.get(8)?),
        creator_name: row.get(9)?,
        last_use,
        use_count: row.get(11)?,
        failed_attempts: row.get(13)?,
        regenerated_at: row.get::<_, Option<i64>>(14)?.map(from_millis),
        previous_secret_valid_until: grace_until,
        revoked_at: row.get::<_, Option<i64>>(16)?.map(from_millis),
        revoked_by: row.get(17)?,
        revoked_reason: row.get(18)?,
        tags: Vec::new(),
        contact: row.get(19)?,
    })
}

/// Fills in the permissions and companies of a batch of keys with two queries.
fn attach_grants(connection: &Connection, keys: &mut [Key]) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = keys.iter().map(|key| key.id.clone()).collect();
    let index: std::collections::HashMap<String, usize> = keys
        .iter()
        .enumerate()
        .map(|(position, key)| (key.id.clone(), position))
        .collect();
    let mut permissions: Vec<(String, String)> = Vec::new();
    let mut statement = connection.prepare_cached(&format!(
        "SELECT key_id, permission FROM key_permissions WHERE key_id IN ({})
         ORDER BY permission",
        crate::placeholders(ids.len())
    ))?;
    for row in statement.query_map(params_from_iter(&ids), |row| Ok((row.get(0)?, row.get(1)?)))? {
        permissions.push(row?);
    }
    let mut companies: Vec<(String, CompanyRef)> = Vec::new();
    let mut statement = connection.prepare_cached(&format!(
        "SELECT kc.key_id, c.id, c.name
         FROM key_companies kc JOIN companies c ON c.id = kc.company_id
         WHERE kc.key_id IN ({}) ORDER BY c.name_key",
        crate::placeholders(ids.len())
    ))?;
    for row in statement.query_map(params_from_iter(&ids), |row| {
        Ok((
            row.get(0)?,
            CompanyRef {
                id: row.get(1)?,
                name: row.get(2)?,
            },
        ))
    })? {
        companies.push(row?);
    }
    for (key_id, permission) in permissions {
        if let Some(&position) = index.get(&key_id) {
            keys[position].permissions.push(permission);
        }
    }
    for (key_id, company) in companies {
        if let Some(&position) = index.get(&key_id) {
            keys[position].companies.push(company);
        }
    }
    let mut statement = connection.prepare_cached(&format!(
        "SELECT key_id, tag FROM key_tags WHERE key_id IN ({}) ORDER BY tag",
        crate::placeholders(ids.len())
    ))?;
    for row in statement.query_map(params_from_iter(&ids), |row| {
        Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
    })? {
        let (key_id, tag) = row?;
        if let Some(&position) = index.get(&key_id) {
            keys[position].tags.push(tag);
        }
    }
    Ok(())
}

/// Loads one key that has not been deleted.
pub(crate) fn load(connection: &Connection, id: &str, now: DateTime<Utc>) -> Result<Key> {
    let mut key = connection
        .prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM {KEY_FROM} WHERE k.id = ?1 AND k.deleted_at IS NULL"
        ))?
        .query_row([id], |row| key_from_row(row, now))
        .optional()?
        .ok_or_else(|| Error::KeyNotFound(id.to_owned()))?;
    attach_grants(connection, std::slice::from_mut(&mut key))?;
    Ok(key)
}

/// Many keys by id, with their grants, a few hundred per query; ids of deleted keys are left out.
pub(crate) fn load_many(
    connection: &Connection,
    ids: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<Key>> {
    let mut keys = Vec::with_capacity(ids.len());
    for batch in ids.chunks(500) {
        let mut statement = connection.prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM {KEY_FROM}
             WHERE k.id IN ({}) AND k.deleted_at IS NULL ORDER BY s.name, k.name_key",
            crate::placeholders(batch.len())
        ))?;
        let mut loaded = statement
            .query_map(params_from_iter(batch), |row| key_from_row(row, now))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        attach_grants(connection, &mut loaded)?;
        keys.append(&mut loaded);
    }
    Ok(keys)
}

/// A key's id and name by its public identifier, deleted keys included (their history stays).
pub(crate) fn find_by_identifier(
    connection: &Connection,
    identifier: &str,
) -> Result<Option<(String, String)>> {
    Ok(connection
        .prepare_cached("SELECT id, name FROM keys WHERE identifier = ?1")?
        .query_row([identifier.trim()], |row| Ok((row.get(0)?, row.get(1)?)))
        .optional()?)
}

/// Finds a key by id, identifier or name (a name shared by keys of several services is
/// ambiguous).
pub(crate) fn resolve(connection: &Connection, reference: &str) -> Result<String> {
    let trimmed = reference.trim();
    let direct: Option<String> = connection
        .prepare_cached(
            "SELECT id FROM keys WHERE (id = ?1 OR identifier = ?1) AND deleted_at IS NULL",
        )?
        .query_row([trimmed], |row| row.get(0))
        .optional()?;
    if let Some(id) = direct {
        return Ok(id);
    }
    let mut statement = connection
        .prepare_cached("SELECT id FROM keys WHERE name_key = ?1 AND deleted_at IS NULL LIMIT 2")?;
    let ids: Vec<String> = statement
        .query_map([validate::name_key(trimmed)], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    match ids.as_slice() {
        [id] => Ok(id.clone()),
        [] => Err(Error::KeyNotFound(trimmed.to_owned())),
        _ => Err(Error::KeyAmbiguous(trimmed.to_owned())),
    }
}

fn check_permissions_offered(offered: &[String], wanted: &[String]) -> Result<()> {
    match wanted
        .iter()
        .find(|permission| !offered.contains(permission))
    {
        Some(missing) => Err(Error::PermissionNotOffered(missing.clone())),
        None => Ok(()),
    }
}

pub(crate) fn key_name_taken(
    connection: &Connection,
    service_id: &str,
    name: &str,
    except_id: &str,
) -> Result<bool> {
    Ok(connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM keys WHERE service_id = ?1 AND name_key = ?2
             AND deleted_at IS NULL AND id <> ?3)",
        params![service_id, validate::name_key(name), except_id],
        |row| row.get(0),
    )?)
}

/// A key about to be written: what `create_key` and the import both store, through
/// [`insert_key`].
pub(crate) struct KeyRecord<'a> {
    pub id: &'a str,
    pub service_id: &'a str,
    pub name: &'a str,
    pub identifier: &'a str,
    pub secret_hash: &'a str,
    pub expires_at: Option<DateTime<Utc>>,
    pub note: &'a str,
    pub created_at: DateTime<Utc>,
    pub created_by: &'a str,
    /// The creator an import named who is not an operator of this store.
    pub creator_label: Option<&'a str>,
    /// Imported: its earlier uses are not known.
    pub usage_unknown: bool,
    pub permissions: &'a [String],
    pub companies: &'a [CompanyRef],
    pub tags: &'a [String],
    pub contact: &'a str,
}

/// Writes a new, active key with its permissions and companies (its audit event is the
/// caller's, in the same transaction).
pub(crate) fn insert_key(connection: &Connection, key: &KeyRecord<'_>) -> Result<()> {
    connection
        .prepare_cached(
            "INSERT INTO keys (id, service_id, name, name_key, identifier, secret_hash, status,
                 expires_at, note, created_at, created_by, creator_label, usage_unknown, contact)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?
        .execute(params![
            key.id,
            key.service_id,
            key.name,
            validate::name_key(key.name),
            key.identifier,
            key.secret_hash,
            optional_millis(key.expires_at),
            key.note,
            to_millis(key.created_at),
            key.created_by,
            key.creator_label,
            key.usage_unknown,
            key.contact,
        ])?;
    insert_grants(connection, key.id, key.permissions, key.companies)?;
    write_tags(connection, key.id, key.tags)
}

/// A new stored status (active or inactive).
pub(crate) fn write_status(connection: &Connection, key_id: &str, status: KeyStatus) -> Result<()> {
    connection
        .prepare_cached("UPDATE keys SET status = ?2 WHERE id = ?1")?
        .execute(params![key_id, status.code()])?;
    Ok(())
}

/// Revocation is final: the reason is kept and a previous secret's grace ends with it.
pub(crate) fn write_revocation(
    connection: &Connection,
    key_id: &str,
    now: DateTime<Utc>,
    actor: &Actor,
    reason: &str,
) -> Result<()> {
    connection
        .prepare_cached(
            "UPDATE keys SET status = 'revoked', revoked_at = ?2, revoked_by = ?3,
                 revoked_reason = ?4, previous_secret_hash = NULL,
                 previous_secret_valid_until = NULL
             WHERE id = ?1",
        )?
        .execute(params![key_id, to_millis(now), actor.id, reason])?;
    Ok(())
}

/// A deleted key leaves every list and loses its hashes; its row stays for the audit trail.
pub(crate) fn write_deletion(
    connection: &Connection,
    key_id: &str,
    now: DateTime<Utc>,
    actor: &Actor,
) -> Result<()> {
    connection
        .prepare_cached(
            "UPDATE keys SET deleted_at = ?2, deleted_by = ?3, secret_hash = NULL,
                 previous_secret_hash = NULL, previous_secret_valid_until = NULL
             WHERE id = ?1",
        )?
        .execute(params![key_id, to_millis(now), actor.id])?;
    Ok(())
}

/// Every change of a key makes a new revision, which running verifiers compare with theirs.
pub(crate) fn bump_revision(connection: &Connection, key_id: &str) -> Result<()> {
    connection
        .prepare_cached("UPDATE keys SET revision = revision + 1 WHERE id = ?1")?
        .execute([key_id])?;
    Ok(())
}

/// Replaces a key's tags.
fn write_tags(connection: &Connection, key_id: &str, tags: &[String]) -> Result<()> {
    connection.execute("DELETE FROM key_tags WHERE key_id = ?1", [key_id])?;
    let mut insert =
        connection.prepare_cached("INSERT INTO key_tags (key_id, tag) VALUES (?1, ?2)")?;
    for tag in tags {
        insert.execute(params![key_id, tag])?;
    }
    Ok(())
}

/// Replaces a key's permissions and companies.
fn write_grants(
    connection: &Connection,
    key_id: &str,
    permissions: &[String],
    companies: &[CompanyRef],
) -> Result<()> {
    connection.execute("DELETE FROM key_permissions WHERE key_id = ?1", [key_id])?;
    connection.execute("DELETE FROM key_companies WHERE key_id = ?1", [key_id])?;
    insert_grants(connection, key_id, permissions, companies)
}

fn insert_grants(
    connection: &Connection,
    key_id: &str,
    permissions: &[String],
    companies: &[CompanyRef],
) -> Result<()> {
    let mut insert = connection
        .prepare_cached("INSERT INTO key_permissions (key_id, permission) VALUES (?1, ?2)")?;
    for permission in permissions {
        insert.execute(params![key_id, permission])?;
    }
    let mut insert = connection
        .prepare_cached("INSERT INTO key_companies (key_id, company_id) VALUES (?1, ?2)")?;
    for company in companies {
        insert.execute(params![key_id, company.id])?;
    }
    Ok(())
}

pub(crate) fn company_names(companies: &[CompanyRef]) -> Vec<&str> {
    companies
        .iter()
        .map(|company| company.name.as_str())
        .collect()
}

fn optional_millis(at: Option<DateTime<Utc>>) -> Option<i64> {
    at.map(to_millis)
}

pub(crate) fn audit_key(
    connection: &Connection,
    now: DateTime<Utc>,
    actor: &Actor,
    action: AuditAction,
    key: &Key,
    details: serde_json::Value,
) -> Result<()> {
    let target = Target {
        kind: RowKind::Key,
        id: &key.id,
        name: &key.name,
    };
    let mut details = details;
    if let Some(object) = details.as_object_mut() {
        object.insert("service".into(), json!(key.service_name));
        object.insert("identifier".into(), json!(key.identifier));
    }
    audit::record(connection, now, Some(actor), action, Some(target), details)
}

impl Sesame {
    /// Issues a key. The returned [`IssuedKey`] holds the secret; the store keeps only its
    /// argon2id hash.
    pub fn create_key(&mut self, session: &Session, new_key: &NewKey) -> Result<IssuedKey> {
        let name = validate::name(Field::KeyName, &new_key.name, validate::NAME_MAX)?;
        let note = validate::free_text(Field::Note, &new_key.note, validate::NOTE_MAX)?;
        let permissions = validate::permissions(&new_key.permissions)?;
        let tags = validate::tags(&new_key.tags)?;
        let contact = validate::contact(&new_key.contact)?;
        let expires_at = match new_key.expires_at {
            Some(at) => Some(validate::future_expiry(at, self.now())?),
            None => None,
        };
        // Everything that can be refused without the write lock is checked first, so that a
        // refusal costs no argon2id and the lock is never held while hashing.
        let prefix = {
            self.require(session, Right::Configuration, AuditAction::KeyCreated)?;
            let service = service::find(&self.connection, &new_key.service, self.now())?;
            check_permissions_offered(&service.permissions, &permissions)?;
            service::check_key_lifetime(&service, expires_at, self.now())?;
            company::find_all_offered(&self.connection, &new_key.companies, &[])?;
            if key_name_taken(&self.connection, &service.id, &name, "")? {
                return Err(Error::KeyNameTaken(name));
            }
            service.key_prefix
        };
        let identifier = key_format::new_identifier(&prefix)?;
        let secret = key_format::new_secret(&identifier)?;
        let secret_hash = self.cost.hash(secret.expose_secret().as_bytes())?;
        let id = crate::new_id();
        let key = self.act(
            session,
            Some(Right::Configuration),
            AuditAction::KeyCreated,
            |transaction, now, actor| {
                let service = service::find(transaction, &new_key.service, now)?;
                check_permissions_offered(&service.permissions, &permissions)?;
                service::check_key_lifetime(&service, expires_at, now)?;
                let companies = company::find_all_offered(transaction, &new_key.companies, &[])?;
                if key_name_taken(transaction, &service.id, &name, "")? {
                    return Err(Error::KeyNameTaken(name.clone()));
                }
                insert_key(
                    transaction,
                    &KeyRecord {
                        id: &id,
                        service_id: &service.id,
                        name: &name,
                        identifier: &identifier,
                        secret_hash: &secret_hash,
                        expires_at,
                        note: &note,
                        created_at: now,
                        created_by: &actor.id,
                        creator_label: None,
                        usage_unknown: false,
                        permissions: &permissions,
                        companies: &companies,
                        tags: &tags,
                        contact: &contact,
                    },
                )?;
                let key = load(transaction, &id, now)?;
                audit_key(
                    transaction,
                    now,
                    actor,
                    AuditAction::KeyCreated,
                    &key,
                    json!({
                        "permissions": permissions,
                        "companies": company_names(&companies),
                        "expires_at": expires_at.map(|at| at.to_rfc3339()),
                        "note": note,
                        "tags": tags,
                        "contact": contact,
                    }),
                )?;
                Ok(key)
            },
        )?;
        Ok(IssuedKey { key, secret })
    }

    /// One key, by id, identifier or name.
    pub fn key(&self, session: &Session, reference: &str) -> Result<Key> {
        self.authorize_read(session)?;
        let id = resolve(&self.connection, reference)?;
        load(&self.connection, &id, self.now())
    }

    /// The shared frame of every lifecycle change: rights, look-up, the transition rule, the
    /// change itself, a new revision, and the audit event, all in one transaction.
    fn change_key(
        &mut self,
        session: &Session,
        reference: &str,
        action: KeyAction,
        audit_action: AuditAction,
        change: impl FnOnce(&Connection, &Key, &Actor, DateTime<Utc>) -> Result<serde_json::Value>,
    ) -> Result<Key> {
        let key = self.act(
            session,
            Some(Right::Configuration),
            audit_action,
            |transaction, now, actor| {
                let id = resolve(transaction, reference)?;
                let before = load(transaction, &id, now)?;
                if !action.allowed_from(before.stored_status) {
                    return Err(Error::TransitionRefused {
                        key: before.name.clone(),
                        from: before.stored_status,
                        action,
                    });
                }
                let details = change(transaction, &before, actor, now)?;
                bump_revision(transaction, &id)?;
                audit_key(transaction, now, actor, audit_action, &before, details)?;
                if action == KeyAction::Delete {
                    return Ok(before);
                }
                load(transaction, &id, now)
            },
        )?;
        self.verified_secrets.forget(&key.id);
        Ok(key)
    }

    /// An inactive key is refused by verification but kept, and can be reactivated.
    pub fn deactivate_key(&mut self, session: &Session, reference: &str) -> Result<Key> {
        self.change_key(
            session,
            reference,
            KeyAction::Deactivate,
            AuditAction::KeyDeactivated,
            |c, key, _, _| {
                write_status(c, &key.id, KeyStatus::Inactive)?;
                Ok(json!({}))
            },
        )
    }

    pub fn reactivate_key(&mut self, session: &Session, reference: &str) -> Result<Key> {
        self.change_key(
            session,
            reference,
            KeyAction::Reactivate,
            AuditAction::KeyReactivated,
            |c, key, _, _| {
                write_status(c, &key.id, KeyStatus::Active)?;
                Ok(json!({}))
            },
        )
    }

    /// Revocation is final; the reason is kept with the key and in the audit trail.
    pub fn revoke_key(&mut self, session: &Session, reference: &str, reason: &str) -> Result<Key> {
        let reason = validate::required_text(Field::Reason, reason, validate::REASON_MAX)?;
        self.change_key(
            session,
            reference,
            KeyAction::Revoke,
            AuditAction::KeyRevoked,
            |c, key, actor, now| {
                write_revocation(c, &key.id, now, actor, &reason)?;
                Ok(json!({"reason": reason}))
            },
        )
    }

    /// Takes a key out of every list and makes it unusable; its audit history stays.
    pub fn delete_key(&mut self, session: &Session, reference: &str) -> Result<Key> {
        self.change_key(
            session,
            reference,
            KeyAction::Delete,
            AuditAction::KeyDeleted,
            |c, key, actor, now| {
                write_deletion(c, &key.id, now, actor)?;
                Ok(json!({"status": key.status.code()}))
            },
        )
    }

    /// Changes name, note, permissions, companies or expiry; the secret stays the same.
    pub fn edit_key(&mut self, session: &Session, reference: &str, edit: &KeyEdit) -> Result<Key> {
        let name = match &edit.name {
            Some(name) => Some(validate::name(Field::KeyName, name, validate::NAME_MAX)?),
            None => None,
        };
        let note = match &edit.note {
            Some(note) => Some(validate::free_text(Field::Note, note, validate::NOTE_MAX)?),
            None => None,
        };
        let permissions = match &edit.permissions {
            Some(list) => Some(validate::permissions(list)?),
            None => None,
        };
        let tags = match &edit.tags {
            Some(list) => Some(validate::tags(list)?),
            None => None,
        };
        let contact = match &edit.contact {
            Some(contact) => Some(validate::contact(contact)?),
            None => None,
        };
        let expires_at = match edit.expires_at {
            Some(Some(at)) => Some(Some(validate::future_expiry(at, self.now())?)),
            other => other,
        };
        self.change_key(
            session,
            reference,
            KeyAction::Edit,
            AuditAction::KeyEdited,
            |c, before, _, now| {
                let name = name.unwrap_or_else(|| before.name.clone());
                if key_name_taken(c, &before.service_id, &name, &before.id)? {
                    return Err(Error::KeyNameTaken(name));
                }
                let permissions = permissions.unwrap_or_else(|| before.permissions.clone());
                let offered = service::permissions_of(c, &before.service_id)?;
                check_permissions_offered(&offered, &permissions)?;
                let companies = match &edit.companies {
                    Some(list) => company::find_all_offered(c, list, &before.companies)?,
                    None => before.companies.clone(),
                };
                let note = note.unwrap_or_else(|| before.note.clone());
                let expires_at = expires_at.unwrap_or(before.expires_at);
                // An edited key of a service with a maximum lifetime must expire within it.
                let service = service::find(c, &before.service_id, now)?;
                service::check_key_lifetime(&service, expires_at, now)?;
                let tags = tags.unwrap_or_else(|| before.tags.clone());
                let contact = contact.unwrap_or_else(|| before.contact.clone());
                c.execute(
                    "UPDATE keys SET name = ?2, name_key = ?3, note = ?4, expires_at = ?5,
                         contact = ?6
                 WHERE id = ?1",
                    params![
                        before.id,
                        name,
                        validate::name_key(&name),
                        note,
                        optional_millis(expires_at),
                        contact
                    ],
                )?;
                write_grants(c, &before.id, &permissions, &companies)?;
                write_tags(c, &before.id, &tags)?;
                Ok(json!({
                    "before": {"name": before.name, "note": before.note,
                               "permissions": before.permissions,
                               "companies": company_names(&before.companies),
                               "expires_at": before.expires_at.map(|at| at.to_rfc3339()),
                               "tags": before.tags, "contact": before.contact},
                    "after": {"name": name, "note": note, "permissions": permissions,
                              "companies": company_names(&companies),
                              "expires_at": expires_at.map(|at| at.to_rfc3339()),
                              "tags": tags, "contact": contact},
                }))
            },
        )
    }

    /// Gives a key a new secret. The old one stops working at once, or at the end of `grace`.
    pub fn regenerate_key(
        &mut self,
        session: &Session,
        reference: &str,
        grace: Grace,
    ) -> Result<IssuedKey> {
        // Refuse early, before spending argon2id, when the rules already say no.
        self.require(session, Right::Configuration, AuditAction::KeyRegenerated)?;
        let current = self.key(session, reference)?;
        if !KeyAction::Regenerate.allowed_from(current.stored_status) {
            return Err(Error::TransitionRefused {
                key: current.name,
                from: current.stored_status,
                action: KeyAction::Regenerate,
            });
        }
        let secret = key_format::new_secret(&current.identifier)?;
        let secret_hash = self.cost.hash(secret.expose_secret().as_bytes())?;
        let regenerate = |c: &Connection, key: &Key, _: &Actor, now: DateTime<Utc>| {
            let grace_until = (grace != Grace::Now).then(|| now + grace.duration());
            c.execute(
                "UPDATE keys SET
                     previous_secret_hash = CASE WHEN ?3 IS NULL THEN NULL ELSE secret_hash END,
                     previous_secret_valid_until = ?3,
                     secret_hash = ?2, regenerated_at = ?4
                 WHERE id = ?1",
                params![
                    key.id,
                    secret_hash,
                    optional_millis(grace_until),
                    to_millis(now)
                ],
            )?;
            Ok(json!({
                "grace": grace.code(),
                "previous_secret_valid_until": grace_until.map(|at| at.to_rfc3339()),
            }))
        };
        let key = self.change_key(
            session,
            &current.id,
            KeyAction::Regenerate,
            AuditAction::KeyRegenerated,
            regenerate,
        )?;
        Ok(IssuedKey { key, secret })
    }

    /// The creators the key list's « Créée par » filter offers, as `(filter value, name)`:
    /// every operator (by id), then the names imports kept for keys made by people who are
    /// not operators (by the name itself), in alphabetical order.
    pub fn key_creators(&self, session: &Session) -> Result<Vec<(String, String)>> {
        let mut creators = self.operator_names(session)?;
        let mut labels = self
            .connection
            .prepare_cached(
                "SELECT DISTINCT creator_label FROM keys
                 WHERE creator_label IS NOT NULL AND deleted_at IS NULL",
            )?
            .query_map([], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        labels.sort_by_cached_key(|label| validate::name_key(label));
        creators.extend(labels.into_iter().map(|label| (label.clone(), label)));
        Ok(creators)
    }

    /// One page of the key list. Each filter has its index; the page is read with a
    /// `LIMIT`/`OFFSET` and the total with one `COUNT`.
    pub fn keys(&self, session: &Session, filter: &KeyFilter) -> Result<KeyPage> {
        self.authorize_read(session)?;
        let now = self.now();
        let connection = &self.connection;
        let Selection {
            condition,
            values,
            company_id,
        } = selection(connection, filter, now)?;

        // The total. Without a company it is counted on the narrow `keys_facets` index, which
        // covers every other filter; with one, from that company's rows of `key_companies`
        // rather than by testing every key.
        let (count_sql, count_values) = match &company_id {
            Some(company) => (
                format!(
                    "SELECT COUNT(*) FROM key_companies company_filter
                     JOIN keys k ON k.id = company_filter.key_id
                     WHERE company_filter.company_id = ? AND {condition}"
                ),
                std::iter::once(Value::Text(company.clone()))
                    .chain(values.iter().cloned())
                    .collect(),
            ),
            None => (
                format!("SELECT COUNT(*) FROM keys k INDEXED BY keys_facets WHERE {condition}"),
                values.clone(),
            ),
        };
        let total: u64 = connection
            .prepare_cached(&count_sql)?
            .query_row(params_from_iter(&count_values), |row| row.get(0))?;

        // The page is chosen on `keys` alone, where an index gives the order, and only its rows
        // are joined; joining first would let the planner sort every matching row.
        let mut page_condition = condition;
        let mut page_values = values;
        if let Some(company) = company_id {
            page_condition.push_str(
                " AND EXISTS (SELECT 1 FROM key_companies kc
                              WHERE kc.key_id = k.id AND kc.company_id = ?)",
            );
            page_values.push(Value::Text(company));
        }
        let limit = filter.limit.clamp(1, PAGE_MAX);
        page_values.push(Value::Integer(i64::from(limit)));
        page_values.push(Value::Integer(
            i64::try_from(filter.offset).unwrap_or(i64::MAX),
        ));
        let order = filter.sort.order_by();
        let mut statement = connection.prepare_cached(&format!(
            "SELECT {KEY_COLUMNS} FROM (SELECT * FROM keys k WHERE {page_condition}
                 ORDER BY {order} LIMIT ? OFFSET ?) AS k
             JOIN services s ON s.id = k.service_id
             JOIN operators creator ON creator.id = k.created_by
             LEFT JOIN operators revoker ON revoker.id = k.revoked_by
             ORDER BY {order}"
        ))?;
        let mut keys = statement
            .query_map(params_from_iter(&page_values), |row| key_from_row(row, now))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        attach_grants(connection, &mut keys)?;
        Ok(KeyPage { keys, total })
    }
}

/// The `WHERE` condition on `keys k` that a list filter makes, its values, and the company it
/// names (looked up apart, since the count and the page use it differently).
pub(crate) struct Selection {
    pub(crate) condition: String,
    pub(crate) values: Vec<Value>,
    pub(crate) company_id: Option<String>,
}

pub(crate) fn selection(
    connection: &Connection,
    filter: &KeyFilter,
    now: DateTime<Utc>,
) -> Result<Selection> {
    let mut conditions = vec!["k.deleted_at IS NULL".to_owned()];
    let mut values: Vec<Value> = Vec::new();
    if let Some(reference) = filter.service.as_deref().filter(|s| !s.trim().is_empty()) {
        let service = service::find(connection, reference, now)?;
        conditions.push("k.service_id = ?".into());
        values.push(Value::Text(service.id));
    }
    if let Some(reference) = filter.creator.as_deref().filter(|s| !s.trim().is_empty()) {
        // The creator the list shows: an operator for the keys they made, or a name an
        // import kept (the key's `created_by` is then whoever imported it).
        if let Some(operator) = operator::find_operator_id(connection, reference)? {
            conditions.push("k.created_by = ? AND k.creator_label IS NULL".into());
            values.push(Value::Text(operator));
        } else if creator_label_exists(connection, reference.trim())? {
            conditions.push("k.creator_label = ?".into());
            values.push(Value::Text(reference.trim().to_owned()));
        } else {
            return Err(Error::OperatorNotFound(reference.trim().to_owned()));
        }
    }
    let now_millis = Value::Integer(to_millis(now));
    match filter.status {
        None => {}
        Some(KeyStatus::Revoked) => conditions.push("k.status = 'revoked'".into()),
        Some(KeyStatus::Expired) => {
            conditions.push("k.status <> 'revoked' AND k.expires_at <= ?".into());
            values.push(now_millis);
        }
        Some(live) => {
            conditions.push("k.status = ? AND (k.expires_at IS NULL OR k.expires_at > ?)".into());
            values.push(Value::Text(live.code().into()));
            values.push(now_millis);
        }
    }
    if let Some(health) = filter.health {
        let (condition, instants) = health.condition(now);
        conditions.push(condition.into());
        values.extend(instants.into_iter().map(|at| Value::Integer(to_millis(at))));
    }
    if let Some(tag) = filter
        .tag
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
    {
        conditions.push(
            "EXISTS (SELECT 1 FROM key_tags kt WHERE kt.key_id = k.id AND kt.tag = ?)".into(),
        );
        values.push(Value::Text(tag.to_lowercase()));
    }
    let contains = validate::name_key(filter.name_contains.trim());
    if !contains.is_empty() {
        conditions.push("instr(k.name_key, ?) > 0".into());
        values.push(Value::Text(contains));
    }
    let company_id = match filter.company.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(reference) => Some(company::find(connection, reference)?.id),
        None => None,
    };
    Ok(Selection {
        condition: conditions.join(" AND "),
        values,
        company_id,
    })
}

impl Sesame {
    /// Records that a Copy button copied a part of a key — which part, never the value.
    pub fn record_copy(
        &mut self,
        session: &Session,
        identifier: &str,
        part: CopyPart,
    ) -> Result<()> {
        let key = find_by_identifier(&self.connection, identifier)?;
        let service: Option<String> = match &key {
            Some((id, _)) => self
                .connection
                .prepare_cached(
                    "SELECT s.name FROM keys k JOIN services s ON s.id = k.service_id
                     WHERE k.id = ?1",
                )?
                .query_row([id], |row| row.get(0))
                .optional()?,
            None => None,
        };
        self.act(
            session,
            None,
            AuditAction::KeyCopied,
            |transaction, now, actor| {
                let target = key.as_ref().map(|(id, name)| Target {
                    kind: RowKind::Key,
                    id,
                    name,
                });
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::KeyCopied,
                    target,
                    json!({"part": part.code(), "identifier": identifier, "service": service}),
                )
            },
        )
    }
}

impl Sesame {
    /// Every tag of the keys that still exist, sorted, for a tag field to offer as people type.
    pub fn key_tags(&self, session: &Session) -> Result<Vec<String>> {
        self.authorize_read(session)?;
        let mut statement = self.connection.prepare_cached(
            "SELECT DISTINCT kt.tag FROM key_tags kt JOIN keys k ON k.id = kt.key_id
             WHERE k.deleted_at IS NULL ORDER BY kt.tag",
        )?;
        let tags = statement
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(tags)
    }
}
