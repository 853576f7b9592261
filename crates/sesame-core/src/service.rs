//! The catalogue of services that applications connect to, each with its key prefix and the
//! permissions it offers.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::Sesame;
use crate::audit::{self, Target};
use crate::error::{Error, Field, Result};
use crate::operator::{Right, Session};
use crate::store::db::Read;
use crate::store::services::{self, ServiceFields};
use crate::validate;
use crate::vocab::{AuditAction, RowKind};

pub use crate::store::services::Service;

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
            last_day,
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

pub(crate) fn permissions_of<'c>(
    read: impl Into<Read<'c>>,
    service_id: &str,
) -> Result<Vec<String>> {
    services::permissions_of(read, service_id)
}

/// Finds a service by id or name.
pub(crate) fn find<'c>(
    read: impl Into<Read<'c>>,
    reference: &str,
    now: DateTime<Utc>,
) -> Result<Service> {
    let trimmed = reference.trim();
    services::find(read, trimmed, &validate::name_key(trimmed), now)?
        .ok_or_else(|| Error::ServiceNotFound(trimmed.to_owned()))
}

/// The derived prefix, with a number added when another service has it already.
fn free_prefix(read: Read<'_>, name: &str) -> Result<String> {
    let base = validate::prefix_from_name(name);
    if !services::prefix_taken(read, &base)? {
        return Ok(base);
    }
    for number in 2..1000 {
        let candidate = format!("{}{number}", &base[..base.len().min(12)]);
        if !services::prefix_taken(read, &candidate)? {
            return Ok(candidate);
        }
    }
    Err(Error::PrefixTaken(base))
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
            |write, now, actor| {
                let name_key = validate::name_key(&name);
                if services::name_taken(write, &name_key, "")? {
                    return Err(Error::ServiceNameTaken(name.clone()));
                }
                let prefix = match &chosen_prefix {
                    Some(prefix) if services::prefix_taken(write, prefix)? => {
                        return Err(Error::PrefixTaken(prefix.clone()));
                    }
                    Some(prefix) => prefix.clone(),
                    None => free_prefix(write.read(), &name)?,
                };
                let written = ServiceFields {
                    name: &name,
                    name_key: &name_key,
                    description: &fields.description,
                    website: fields.website.as_deref(),
                    category: &fields.category,
                    max_lifetime_days,
                };
                services::insert(write, &id, &written, &prefix, &permissions, now, &actor.id)?;
                let target = Target {
                    kind: RowKind::Service,
                    id: &id,
                    name: &name,
                };
                audit::record(
                    write,
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
                find(write, &id, now)
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
                let name_key = validate::name_key(&name);
                if services::name_taken(transaction, &name_key, &before.id)? {
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
                    let holders = services::permission_holders(transaction, &before.id, removed)?;
                    if holders > 0 {
                        return Err(Error::PermissionInUse(removed.clone(), holders));
                    }
                }
                let written = ServiceFields {
                    name: &name,
                    name_key: &name_key,
                    description: &fields.description,
                    website: fields.website.as_deref(),
                    category: &fields.category,
                    max_lifetime_days: max_lifetime_days.unwrap_or(before.max_lifetime_days),
                };
                services::update(transaction, &before.id, &written, &permissions, now)?;
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
                services::approve(transaction, &service.id, now, &actor.id)?;
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
        let text = validate::search_key(filter.text.trim());
        let category = filter.category.trim();
        services::list(&self.connection, category, &text, self.now())
    }

    /// The categories in use, for the catalogue's filter.
    pub fn service_categories(&self, session: &Session) -> Result<Vec<String>> {
        self.authorize_read(session)?;
        services::categories(&self.connection)
    }
}
