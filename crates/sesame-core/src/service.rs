//! The catalogue of services that applications connect to, each with its key prefix and the
//! permissions it offers.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use crate::Sesame;
use crate::audit::{self, Target};
use crate::clock::{from_millis, to_millis};
use crate::error::{Error, Field, Result};
use crate::operator::{Right, Session};
use crate::validate;
use crate::vocab::{AuditAction, RowKind};

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

/// The bounds of a service's maximum key lifetime, in days (ten years at most).
pub const MAX_LIFETIME_DAYS: (u32, u32) = (1, 3650);

fn check_lifetime_days(days: Option<u32>) -> Result<Option<u32>> {
    match days {
        Some(days) if !(MAX_LIFETIME_DAYS.0..=MAX_LIFETIME_DAYS.1).contains(&days) => {
            Err(Error::OutOfRange {
                min: MAX_LIFETIME_DAYS.0,
                max: MAX_LIFETIME_DAYS.1,
            })
        }
        other => Ok(other),
    }
}

/// Whether a key of `service` may expire at `expires_at` (the instant after its last valid
/// day): within the service's maximum lifetime from `now`, and not never.
pub(crate) fn check_key_lifetime(
    service: &Service,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    check_lifetime(&service.name, service.max_lifetime_days, expires_at, now)
}

/// [`check_key_lifetime`] from the service's name and limit.
pub(crate) fn check_lifetime(
    service: &str,
    max_lifetime_days: Option<u32>,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    let Some(days) = max_lifetime_days else {
        return Ok(());
    };
    let last_day =
        now.with_timezone(&chrono::Local).date_naive() + chrono::Duration::days(i64::from(days));
    let latest = validate::expiry_date(&last_day.format("%Y-%m-%d").to_string())?;
    match expires_at {
        None => Err(Error::ExpiryRequired {
            service: service.to_owned(),
            days,
        }),
        Some(at) if at > latest => Err(Error::ExpiryBeyondLifetime {
            service: service.to_owned(),
            days,
            last_day: last_day.format("%d/%m/%Y").to_string(),
        }),
        Some(_) => Ok(()),
    }
}

/// What a new service is made of; empty strings mean "none", an empty prefix means "derive it
/// from the name".
#[derive(Debug, Clone, Default)]
pub struct ServiceDraft {
    pub name: String,
    pub description: String,
    pub website: String,
    pub category: String,
    pub prefix: String,
    pub permissions: Vec<String>,
    pub max_lifetime_days: Option<u32>,
}

/// Changes to a service; `None` leaves a field as it is. The prefix never changes: keys already
/// issued carry it.
#[derive(Debug, Clone, Default)]
pub struct ServiceEdit {
    pub name: Option<String>,
    pub description: Option<String>,
    pub website: Option<String>,
    pub category: Option<String>,
    pub permissions: Option<Vec<String>>,
    /// `Some(None)` removes the limit.
    pub max_lifetime_days: Option<Option<u32>>,
}

/// Catalogue filters; empty means no filter.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    pub category: String,
    pub text: String,
}

const SERVICE_COLUMNS: &str = "s.id, s.name, s.description, s.website, s.category, s.key_prefix,
    s.listed, s.created_at, o.name,
    (SELECT COUNT(*) FROM keys k WHERE k.service_id = s.id AND k.deleted_at IS NULL
        AND k.status = 'active' AND (k.expires_at IS NULL OR k.expires_at > ?1)),
    s.max_lifetime_days";

fn service_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Service> {
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

pub(crate) fn permissions_of(connection: &Connection, service_id: &str) -> Result<Vec<String>> {
    let mut statement = connection.prepare_cached(
        "SELECT permission FROM service_permissions WHERE service_id = ?1 ORDER BY permission",
    )?;
    let permissions = statement
        .query_map([service_id], |row| row.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(permissions)
}

/// Finds a service by id or name.
pub(crate) fn find(
    connection: &Connection,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<Service> {
    let trimmed = reference.trim();
    let mut service = connection
        .prepare_cached(&format!(
            "SELECT {SERVICE_COLUMNS} FROM services s JOIN operators o ON o.id = s.created_by
             WHERE s.id = ?2 OR s.name_key = ?3"
        ))?
        .query_row(
            params![to_millis(now), trimmed, validate::name_key(trimmed)],
            service_from_row,
        )
        .optional()?
        .ok_or_else(|| Error::ServiceNotFound(trimmed.to_owned()))?;
    service.permissions = permissions_of(connection, &service.id)?;
    Ok(service)
}

fn name_taken(connection: &Connection, name: &str, except_id: &str) -> Result<bool> {
    Ok(connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM services WHERE name_key = ?1 AND id <> ?2)",
        params![validate::name_key(name), except_id],
        |row| row.get(0),
    )?)
}

fn prefix_taken(connection: &Connection, prefix: &str) -> Result<bool> {
    Ok(connection.query_row(
        "SELECT EXISTS (SELECT 1 FROM services WHERE key_prefix = ?1)",
        [prefix],
        |row| row.get(0),
    )?)
}

/// The derived prefix, with a number added when another service has it already.
fn free_prefix(connection: &Connection, name: &str) -> Result<String> {
    let base = validate::prefix_from_name(name);
    if !prefix_taken(connection, &base)? {
        return Ok(base);
    }
    for number in 2..1000 {
        let candidate = format!("{}{number}", &base[..base.len().min(12)]);
        if !prefix_taken(connection, &candidate)? {
            return Ok(candidate);
        }
    }
    Err(Error::PrefixTaken(base))
}

fn insert_permissions(
    connection: &Connection,
    service_id: &str,
    permissions: &[String],
) -> Result<()> {
    let mut statement = connection.prepare_cached(
        "INSERT INTO service_permissions (service_id, permission) VALUES (?1, ?2)",
    )?;
    for permission in permissions {
        statement.execute(params![service_id, permission])?;
    }
    Ok(())
}

struct CheckedFields {
    description: String,
    website: Option<String>,
    category: String,
}

fn check_fields(description: &str, website: &str, category: &str) -> Result<CheckedFields> {
    Ok(CheckedFields {
        description: validate::free_text(
            Field::Description,
            description,
            validate::DESCRIPTION_MAX,
        )?,
        website: validate::website(website)?,
        category: validate::free_text(Field::Category, category, validate::CATEGORY_MAX)?
            .replace(['\n', '\t'], " "),
    })
}

impl Sesame {
    /// Adds a service to the catalogue, awaiting approval for listing.
    pub fn create_service(&mut self, session: &Session, draft: &ServiceDraft) -> Result<Service> {
        let name = validate::name(Field::ServiceName, &draft.name, validate::NAME_MAX)?;
        let fields = check_fields(&draft.description, &draft.website, &draft.category)?;
        let chosen_prefix = match draft.prefix.trim() {
            "" => None,
            given => Some(validate::prefix(given)?),
        };
        let permissions = validate::permissions(&draft.permissions)?;
        let max_lifetime_days = check_lifetime_days(draft.max_lifetime_days)?;
        let id = crate::new_id();
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::ServiceCreated,
            |transaction, now, actor| {
                if name_taken(transaction, &name, "")? {
                    return Err(Error::ServiceNameTaken(name.clone()));
                }
                let prefix = match &chosen_prefix {
                    Some(prefix) if prefix_taken(transaction, prefix)? => {
                        return Err(Error::PrefixTaken(prefix.clone()));
                    }
                    Some(prefix) => prefix.clone(),
                    None => free_prefix(transaction, &name)?,
                };
                transaction.execute(
                    "INSERT INTO services (id, name, name_key, description, website, category,
                     key_prefix, listed, created_at, created_by, updated_at, max_lifetime_days)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?9, ?8, ?10)",
                    params![
                        id,
                        name,
                        validate::name_key(&name),
                        fields.description,
                        fields.website,
                        fields.category,
                        prefix,
                        to_millis(now),
                        actor.id,
                        max_lifetime_days
                    ],
                )?;
                insert_permissions(transaction, &id, &permissions)?;
                let target = Target {
                    kind: RowKind::Service,
                    id: &id,
                    name: &name,
                };
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::ServiceCreated,
                    Some(target),
                    json!({
                        "description": fields.description,
                        "website": fields.website,
                        "category": fields.category,
                        "prefix": prefix,
                        "permissions": permissions,
                        "max_lifetime_days": max_lifetime_days,
                    }),
                )?;
                find(transaction, &id, now)
            },
        )
    }

    /// Changes a service's name, description, website, category or permissions. Its keys are
    /// untouched; a permission still granted to a key cannot be removed.
    pub fn edit_service(
        &mut self,
        session: &Session,
        reference: &str,
        edit: &ServiceEdit,
    ) -> Result<Service> {
        let name = match &edit.name {
            Some(name) => Some(validate::name(
                Field::ServiceName,
                name,
                validate::NAME_MAX,
            )?),
            None => None,
        };
        let permissions = match &edit.permissions {
            Some(list) => Some(validate::permissions(list)?),
            None => None,
        };
        let max_lifetime_days = match edit.max_lifetime_days {
            Some(days) => Some(check_lifetime_days(days)?),
            None => None,
        };
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::ServiceEdited,
            |transaction, now, actor| {
                let before = find(transaction, reference, now)?;
                let fields = check_fields(
                    edit.description.as_deref().unwrap_or(&before.description),
                    edit.website
                        .as_deref()
                        .unwrap_or(before.website.as_deref().unwrap_or("")),
                    edit.category.as_deref().unwrap_or(&before.category),
                )?;
                let name = name.clone().unwrap_or_else(|| before.name.clone());
                if name_taken(transaction, &name, &before.id)? {
                    return Err(Error::ServiceNameTaken(name));
                }
                let permissions = permissions
                    .clone()
                    .unwrap_or_else(|| before.permissions.clone());
                for removed in before
                    .permissions
                    .iter()
                    .filter(|p| !permissions.contains(p))
                {
                    let holders: u64 = transaction.query_row(
                        "SELECT COUNT(*) FROM key_permissions kp JOIN keys k ON k.id = kp.key_id
                     WHERE k.service_id = ?1 AND kp.permission = ?2 AND k.deleted_at IS NULL",
                        params![before.id, removed],
                        |row| row.get(0),
                    )?;
                    if holders > 0 {
                        return Err(Error::PermissionInUse(removed.clone(), holders));
                    }
                }
                transaction.execute(
                    "UPDATE services SET name = ?2, name_key = ?3, description = ?4, website = ?5,
                     category = ?6, updated_at = ?7, max_lifetime_days = ?8
                 WHERE id = ?1",
                    params![
                        before.id,
                        name,
                        validate::name_key(&name),
                        fields.description,
                        fields.website,
                        fields.category,
                        to_millis(now),
                        max_lifetime_days.unwrap_or(before.max_lifetime_days)
                    ],
                )?;
                transaction.execute(
                    "DELETE FROM service_permissions WHERE service_id = ?1",
                    [&before.id],
                )?;
                insert_permissions(transaction, &before.id, &permissions)?;
                let target = Target {
                    kind: RowKind::Service,
                    id: &before.id,
                    name: &name,
                };
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::ServiceEdited,
                    Some(target),
                    json!({
                        "before": {"name": before.name, "description": before.description,
                                   "website": before.website, "category": before.category,
                                   "permissions": before.permissions,
                                   "max_lifetime_days": before.max_lifetime_days},
                        "after": {"name": name, "description": fields.description,
                                  "website": fields.website, "category": fields.category,
                                  "permissions": permissions,
                                  "max_lifetime_days":
                                      max_lifetime_days.unwrap_or(before.max_lifetime_days)},
                    }),
                )?;
                find(transaction, &before.id, now)
            },
        )
    }

    /// Lists a service in the catalogue.
    pub fn approve_service(&mut self, session: &Session, reference: &str) -> Result<Service> {
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::ServiceApproved,
            |transaction, now, actor| {
                let service = find(transaction, reference, now)?;
                if service.listed {
                    return Ok(service);
                }
                transaction.execute(
                "UPDATE services SET listed = 1, approved_at = ?2, approved_by = ?3 WHERE id = ?1",
                params![service.id, to_millis(now), actor.id],
            )?;
                let target = Target {
                    kind: RowKind::Service,
                    id: &service.id,
                    name: &service.name,
                };
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::ServiceApproved,
                    Some(target),
                    json!({}),
                )?;
                find(transaction, &service.id, now)
            },
        )
    }

    pub fn service(&self, session: &Session, reference: &str) -> Result<Service> {
        self.authorize_read(session)?;
        find(&self.connection, reference, self.now())
    }

    /// The catalogue, by name, filtered by category and by text in the name or description.
    pub fn services(&self, session: &Session, filter: &ServiceFilter) -> Result<Vec<Service>> {
        self.authorize_read(session)?;
        let text = validate::name_key(filter.text.trim());
        let category = filter.category.trim();
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {SERVICE_COLUMNS} FROM services s JOIN operators o ON o.id = s.created_by
             WHERE (?2 = '' OR s.category = ?2)
               AND (?3 = '' OR instr(s.name_key, ?3) > 0 OR instr(lower(s.description), ?3) > 0)
             ORDER BY s.name_key"
        ))?;
        let mut services = statement
            .query_map(
                params![to_millis(self.now()), category, text],
                service_from_row,
            )?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for service in &mut services {
            service.permissions = permissions_of(&self.connection, &service.id)?;
        }
        Ok(services)
    }

    /// The categories in use, for the catalogue's filter.
    pub fn service_categories(&self, session: &Session) -> Result<Vec<String>> {
        self.authorize_read(session)?;
        let mut statement = self.connection.prepare_cached(
            "SELECT DISTINCT category FROM services WHERE category <> '' ORDER BY lower(category)",
        )?;
        let categories = statement
            .query_map([], |row| row.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(categories)
    }
}
