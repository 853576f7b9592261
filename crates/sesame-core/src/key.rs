//! Keys: issuing, the lifecycle (deactivate, reactivate, regenerate, revoke, delete, edit) and
//! the filtered, paged key list.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use crate::Sesame;
use crate::audit::{self, Actor, Target};
use crate::company::{self, CompanyRef};
use crate::error::{Error, Field, Result};
use crate::key_format;
use crate::operator;
use crate::secret::{ExposeSecret, SecretString};
use crate::service;
use crate::store::db::{Read, Write};
use crate::store::keys::{self, Creator, Criteria, KeyRecord};
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

pub use crate::store::keys::{Key, Usage};
pub(crate) use crate::store::keys::{effective_status, stored_status};

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

/// One key that has not been deleted.
pub(crate) fn load<'c>(read: impl Into<Read<'c>>, id: &str, now: DateTime<Utc>) -> Result<Key> {
    keys::load(read, id, now)?.ok_or_else(|| Error::KeyNotFound(id.to_owned()))
}

/// Finds a key by id, identifier or name (a name shared by keys of several services is
/// ambiguous).
pub(crate) fn resolve<'c>(read: impl Into<Read<'c>>, reference: &str) -> Result<String> {
    let read = read.into();
    let trimmed = reference.trim();
    if let Some(id) = keys::find_live(read, trimmed)? {
        return Ok(id);
    }
    match keys::find_by_name(read, &validate::name_key(trimmed))?.as_slice() {
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

pub(crate) fn key_name_taken<'c>(
    read: impl Into<Read<'c>>,
    service_id: &str,
    name: &str,
    except_id: &str,
) -> Result<bool> {
    keys::name_taken(read, service_id, &validate::name_key(name), except_id)
}

pub(crate) fn company_names(companies: &[CompanyRef]) -> Vec<&str> {
    companies
        .iter()
        .map(|company| company.name.as_str())
        .collect()
}

pub(crate) fn audit_key<'c>(
    write: impl Into<Write<'c>>,
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
    audit::record(write, now, Some(actor), action, Some(target), details)
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
                keys::insert(
                    transaction,
                    &KeyRecord {
                        id: &id,
                        service_id: &service.id,
                        name: &name,
                        name_key: &validate::name_key(&name),
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
        change: impl FnOnce(Write<'_>, &Key, &Actor, DateTime<Utc>) -> Result<serde_json::Value>,
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
                keys::bump_revision(transaction, &id)?;
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
                keys::write_status(c, &key.id, KeyStatus::Inactive)?;
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
                keys::write_status(c, &key.id, KeyStatus::Active)?;
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
                keys::write_revocation(c, &key.id, now, &actor.id, &reason)?;
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
                keys::write_deletion(c, &key.id, now, &actor.id)?;
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
                let name_key = validate::name_key(&name);
                keys::update(c, &before.id, &name, &name_key, &note, expires_at, &contact)?;
                keys::write_grants(c, &before.id, &permissions, &companies)?;
                keys::write_tags(c, &before.id, &tags)?;
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
        let regenerate = |c: Write<'_>, key: &Key, _: &Actor, now: DateTime<Utc>| {
            let grace_until = (grace != Grace::Now).then(|| now + grace.duration());
            keys::write_new_secret(c, &key.id, &secret_hash, grace_until, now)?;
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
        let mut labels = keys::creator_labels(&self.connection)?;
        labels.sort_by_cached_key(|label| validate::name_key(label));
        creators.extend(labels.into_iter().map(|label| (label.clone(), label)));
        Ok(creators)
    }

    /// One page of the key list. Each filter has its index; the page is read with a
    /// `LIMIT`/`OFFSET` and the total with one `COUNT`.
    pub fn keys(&self, session: &Session, filter: &KeyFilter) -> Result<KeyPage> {
        self.authorize_read(session)?;
        let now = self.now();
        let criteria = criteria(Read::from(&self.connection), filter, now)?;
        let limit = filter.limit.clamp(1, PAGE_MAX);
        let (keys, total) = keys::page(
            &self.connection,
            &criteria,
            filter.sort,
            filter.offset,
            limit,
            now,
        )?;
        Ok(KeyPage { keys, total })
    }
}

/// The list filter's criteria with every name resolved: an unknown service, creator or
/// company is refused in words rather than matching nothing.
pub(crate) fn criteria(read: Read<'_>, filter: &KeyFilter, now: DateTime<Utc>) -> Result<Criteria> {
    let given = |value: &Option<String>| {
        value
            .as_deref()
            .map(str::trim)
            .filter(|text| !text.is_empty())
            .map(str::to_owned)
    };
    let service_id = match given(&filter.service) {
        Some(reference) => Some(service::find(read, &reference, now)?.id),
        None => None,
    };
    // The creator the list shows: an operator for the keys they made, or a name an import kept
    // (the key's `created_by` is then whoever imported it).
    let creator = match given(&filter.creator) {
        None => None,
        Some(reference) => match operator::find_operator_id(read, &reference)? {
            Some(operator) => Some(Creator::Operator(operator)),
            None if keys::creator_label_exists(read, &reference)? => {
                Some(Creator::Label(reference))
            }
            None => return Err(Error::OperatorNotFound(reference)),
        },
    };
    let company_id = match given(&filter.company) {
        Some(reference) => Some(company::find(read, &reference)?.id),
        None => None,
    };
    Ok(Criteria {
        service_id,
        company_id,
        creator,
        status: filter.status,
        health: filter.health,
        tag: given(&filter.tag).map(|tag| tag.to_lowercase()),
        name_contains: validate::search_key(filter.name_contains.trim()),
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
        let key = keys::find_by_identifier(&self.connection, identifier.trim())?;
        let service = match &key {
            Some((id, _)) => keys::service_name_of(&self.connection, id)?,
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
        keys::tags_in_use(&self.connection)
    }
}
