//! Changes to many keys at once: bulk actions on the key list (ticked rows, or every key of the
//! list's criteria) and offboarding a company or a service. Each is planned first — a preview
//! that says what happens to every key — then applied in one transaction, all or nothing, with
//! one audit event per key (the same as for a change made by hand) and one summary event. The
//! apply step plans again inside its transaction and refuses when the number of keys that would
//! change is no longer the one the preview showed.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::json;
use sha2::{Digest, Sha256};

use crate::Sesame;
use crate::audit::{self, Actor, Target};
use crate::company::{self, CompanyRef};
use crate::error::{Error, Field, Result};
use crate::key::{self, Key, KeyFilter};
use crate::service;
use crate::store::db::{Read, Write};
use crate::store::keys;
use crate::validate;
use crate::vocab::{
    AuditAction, BulkChangeKind, KeyAction, KeyEffect, KeyStatus, OffboardEnd, Right, RowKind,
    Session,
};

/// Which keys a bulk action takes.
#[derive(Debug, Clone)]
pub enum KeySelection {
    /// Ticked rows: ids, identifiers or names.
    Keys(Vec<String>),
    /// Every key the list shows for these criteria, on every page (the page itself is ignored).
    Criteria(KeyFilter),
}

/// What a bulk action does to each key it takes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BulkChange {
    Deactivate,
    Reactivate,
    Revoke {
        reason: String,
    },
    /// A new expiry, or none.
    SetExpiry(Option<DateTime<Utc>>),
    AddTag(String),
    RemoveTag(String),
    Delete,
}

impl BulkChange {
    pub fn kind(&self) -> BulkChangeKind {
        match self {
            BulkChange::Deactivate => BulkChangeKind::Deactivate,
            BulkChange::Reactivate => BulkChangeKind::Reactivate,
            BulkChange::Revoke { .. } => BulkChangeKind::Revoke,
            BulkChange::SetExpiry(_) => BulkChangeKind::SetExpiry,
            BulkChange::AddTag(_) => BulkChangeKind::AddTag,
            BulkChange::RemoveTag(_) => BulkChangeKind::RemoveTag,
            BulkChange::Delete => BulkChangeKind::Delete,
        }
    }

    /// The change with its free values checked (a reason given, a tag well formed, an expiry in
    /// the future), before anything is read.
    fn checked(&self, now: DateTime<Utc>) -> Result<BulkChange> {
        Ok(match self {
            BulkChange::Revoke { reason } => BulkChange::Revoke {
                reason: validate::required_text(Field::Reason, reason, validate::REASON_MAX)?,
            },
            BulkChange::SetExpiry(Some(at)) => {
                BulkChange::SetExpiry(Some(validate::future_expiry(*at, now)?))
            }
            BulkChange::AddTag(tag) => BulkChange::AddTag(one_tag(tag)?),
            BulkChange::RemoveTag(tag) => BulkChange::RemoveTag(one_tag(tag)?),
            other => other.clone(),
        })
    }

    /// What this change does to `key`: its effect, or `Unchanged` when the lifecycle does not
    /// allow it or the key already is as asked.
    fn effect_on(&self, key: &Key) -> KeyEffect {
        let editable = KeyAction::Edit.allowed_from(key.stored_status);
        let (allowed, effect) = match self {
            BulkChange::Deactivate => (
                KeyAction::Deactivate.allowed_from(key.stored_status),
                KeyEffect::Deactivated,
            ),
            BulkChange::Reactivate => (
                KeyAction::Reactivate.allowed_from(key.stored_status),
                KeyEffect::Reactivated,
            ),
            BulkChange::Revoke { .. } => (
                KeyAction::Revoke.allowed_from(key.stored_status),
                KeyEffect::Revoked,
            ),
            BulkChange::Delete => (true, KeyEffect::Deleted),
            BulkChange::SetExpiry(at) => {
                (editable && key.expires_at != *at, KeyEffect::ExpiryChanged)
            }
            BulkChange::AddTag(tag) => (editable && !key.tags.contains(tag), KeyEffect::TagAdded),
            BulkChange::RemoveTag(tag) => {
                (editable && key.tags.contains(tag), KeyEffect::TagRemoved)
            }
        };
        if allowed {
            effect
        } else {
            KeyEffect::Unchanged
        }
    }
}

/// One tag: a comma or a semicolon would make it several.
fn one_tag(tag: &str) -> Result<String> {
    if tag.contains([',', ';']) {
        return Err(Error::ForbiddenCharacter { field: Field::Tag });
    }
    Ok(validate::name(Field::Tag, tag.trim(), validate::TAG_MAX)?.to_lowercase())
}

/// Where an offboarding starts.
#[derive(Debug, Clone)]
pub enum Offboarding {
    /// A client company, by id, name, client code or SIREN.
    Company(String),
    /// A service, by id or name.
    Service(String),
}

/// One key in a preview: which it is and what will happen to it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedKey {
    pub key_id: String,
    pub key_name: String,
    pub service_name: String,
    pub identifier: String,
    pub status: KeyStatus,
    pub effect: KeyEffect,
}

/// What a bulk action or an offboarding would do: every key concerned, those that change first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangePlan {
    /// The company or service an offboarding retires; empty for a bulk action.
    pub subject: String,
    pub keys: Vec<PlannedKey>,
    /// How many keys change: the number the apply step must find again.
    pub changing: u64,
    pub unchanged: u64,
    /// Names the keys that change and how (16 hexadecimal digits of a SHA-256): the apply step
    /// must find these very keys again, not only as many.
    pub fingerprint: String,
}

impl ChangePlan {
    /// What the apply step must find again.
    pub fn previewed(&self) -> Previewed {
        Previewed {
            changing: self.changing,
            fingerprint: self.fingerprint.clone(),
        }
    }
}

/// What a preview showed, for its apply step: as many keys changing, and the same keys changing
/// the same way ([`ChangePlan::fingerprint`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Previewed {
    pub changing: u64,
    pub fingerprint: String,
}

impl ChangePlan {
    fn new(subject: String, mut keys: Vec<PlannedKey>) -> ChangePlan {
        // Changing keys first, then by service and name; a stable order for the preview.
        keys.sort_by(|a, b| {
            (a.effect == KeyEffect::Unchanged)
                .cmp(&(b.effect == KeyEffect::Unchanged))
                .then_with(|| {
                    validate::name_key(&a.service_name).cmp(&validate::name_key(&b.service_name))
                })
                .then_with(|| validate::name_key(&a.key_name).cmp(&validate::name_key(&b.key_name)))
        });
        let changing = keys
            .iter()
            .filter(|key| key.effect != KeyEffect::Unchanged)
            .count() as u64;
        let unchanged = keys.len() as u64 - changing;
        let mut named: Vec<String> = keys
            .iter()
            .filter(|key| key.effect != KeyEffect::Unchanged)
            .map(|key| format!("{}\t{}\n", key.key_id, key.effect.code()))
            .collect();
        named.sort();
        let digest = Sha256::digest(named.concat().as_bytes());
        ChangePlan {
            subject,
            keys,
            changing,
            unchanged,
            fingerprint: hex::encode(&digest[..8]),
        }
    }
}

fn planned(key: &Key, effect: KeyEffect) -> PlannedKey {
    PlannedKey {
        key_id: key.id.clone(),
        key_name: key.name.clone(),
        service_name: key.service_name.clone(),
        identifier: key.identifier.clone(),
        status: key.status,
        effect,
    }
}

/// The keys a selection takes, as they are now.
fn selected_keys(read: Read<'_>, selection: &KeySelection, now: DateTime<Utc>) -> Result<Vec<Key>> {
    let ids: Vec<String> = match selection {
        KeySelection::Keys(references) => {
            let mut ids = Vec::with_capacity(references.len());
            for reference in references {
                let id = key::resolve(read, reference)?;
                if !ids.contains(&id) {
                    ids.push(id);
                }
            }
            ids
        }
        KeySelection::Criteria(filter) => {
            keys::matching_ids(read, &key::criteria(read, filter, now)?, now)?
        }
    };
    if ids.is_empty() {
        return Err(Error::BulkEmptySelection);
    }
    keys::load_many(read, &ids, now)
}

/// The plan of a bulk action, with the keys it takes.
fn plan_bulk(
    read: Read<'_>,
    selection: &KeySelection,
    change: &BulkChange,
    now: DateTime<Utc>,
) -> Result<(ChangePlan, Vec<Key>)> {
    let keys = selected_keys(read, selection, now)?;
    let planned_keys = keys
        .iter()
        .map(|key| planned(key, change.effect_on(key)))
        .collect();
    Ok((ChangePlan::new(String::new(), planned_keys), keys))
}

/// The plan of an offboarding, with the company it retires (for a company's) and the keys.
fn plan_offboarding(
    read: Read<'_>,
    from: &Offboarding,
    end: OffboardEnd,
    now: DateTime<Utc>,
) -> Result<(ChangePlan, Option<CompanyRef>, Vec<Key>)> {
    let ended = match end {
        OffboardEnd::Deactivate => KeyEffect::Deactivated,
        OffboardEnd::Revoke => KeyEffect::Revoked,
    };
    let ends = |key: &Key| match end {
        OffboardEnd::Deactivate => KeyAction::Deactivate.allowed_from(key.stored_status),
        OffboardEnd::Revoke => KeyAction::Revoke.allowed_from(key.stored_status),
    };
    let (subject, company, ids): (String, Option<CompanyRef>, Vec<String>) = match from {
        Offboarding::Company(reference) => {
            let company = company::find(read, reference)?;
            let ids = keys::ids_with_company(read, &company.id)?;
            (company.name.clone(), Some(company), ids)
        }
        Offboarding::Service(reference) => {
            let service = service::find(read, reference, now)?;
            let ids = keys::ids_of_service(read, &service.id)?;
            (service.name, None, ids)
        }
    };
    let keys = keys::load_many(read, &ids, now)?;
    let planned_keys = keys
        .iter()
        .map(|key| {
            let effect = match &company {
                // A key shared with other companies keeps serving them; a revoked key stays as
                // it is, its history intact.
                Some(_) if key.companies.len() > 1 => {
                    if KeyAction::Edit.allowed_from(key.stored_status) {
                        KeyEffect::LosesCompany
                    } else {
                        KeyEffect::Unchanged
                    }
                }
                _ if ends(key) => ended,
                _ => KeyEffect::Unchanged,
            };
            planned(key, effect)
        })
        .collect();
    Ok((ChangePlan::new(subject, planned_keys), company, keys))
}

/// Writes one key's part of a plan: the change, a new revision and the key's audit event.
fn write_effect(
    write: Write<'_>,
    now: DateTime<Utc>,
    actor: &Actor,
    key: &Key,
    effect: KeyEffect,
    change: &BulkChange,
    company: Option<&CompanyRef>,
) -> Result<()> {
    let (action, details) = match effect {
        KeyEffect::Unchanged => return Ok(()),
        KeyEffect::Deactivated => {
            keys::write_status(write, &key.id, KeyStatus::Inactive)?;
            (AuditAction::KeyDeactivated, json!({}))
        }
        KeyEffect::Reactivated => {
            keys::write_status(write, &key.id, KeyStatus::Active)?;
            (AuditAction::KeyReactivated, json!({}))
        }
        KeyEffect::Revoked => {
            let reason = match change {
                BulkChange::Revoke { reason } => reason.as_str(),
                _ => "",
            };
            keys::write_revocation(write, &key.id, now, &actor.id, reason)?;
            (AuditAction::KeyRevoked, json!({"reason": reason}))
        }
        KeyEffect::Deleted => {
            keys::write_deletion(write, &key.id, now, &actor.id)?;
            (
                AuditAction::KeyDeleted,
                json!({"status": key.status.code()}),
            )
        }
        KeyEffect::ExpiryChanged => {
            let BulkChange::SetExpiry(expires_at) = change else {
                return Err(Error::Internal("an expiry change without an expiry".into()));
            };
            keys::set_expiry(write, &key.id, *expires_at)?;
            let shown = |at: Option<DateTime<Utc>>| at.map(|at| at.to_rfc3339());
            (
                AuditAction::KeyEdited,
                json!({"before": {"expires_at": shown(key.expires_at)},
                       "after": {"expires_at": shown(*expires_at)}}),
            )
        }
        KeyEffect::TagAdded | KeyEffect::TagRemoved => {
            let (BulkChange::AddTag(tag) | BulkChange::RemoveTag(tag)) = change else {
                return Err(Error::Internal("a tag change without a tag".into()));
            };
            let mut tags = key.tags.clone();
            if effect == KeyEffect::TagAdded {
                keys::add_tag(write, &key.id, tag)?;
                tags.push(tag.clone());
                tags.sort();
            } else {
                keys::remove_tag(write, &key.id, tag)?;
                tags.retain(|kept| kept != tag);
            }
            (
                AuditAction::KeyEdited,
                json!({"before": {"tags": key.tags}, "after": {"tags": tags}}),
            )
        }
        KeyEffect::LosesCompany => {
            let Some(company) = company else {
                return Err(Error::Internal("a company's offboarding without it".into()));
            };
            keys::remove_company(write, &key.id, &company.id)?;
            let after: Vec<&str> = key
                .companies
                .iter()
                .filter(|kept| kept.id != company.id)
                .map(|kept| kept.name.as_str())
                .collect();
            (
                AuditAction::KeyEdited,
                json!({"before": {"companies": key::company_names(&key.companies)},
                       "after": {"companies": after}}),
            )
        }
    };
    keys::bump_revision(write, &key.id)?;
    key::audit_key(write, now, actor, action, key, details)
}

/// A changed expiry must respect the maximum lifetime of each service it touches.
fn check_lifetimes(
    read: Read<'_>,
    keys: &[Key],
    plan: &ChangePlan,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    let changing: HashMap<&str, KeyEffect> = plan
        .keys
        .iter()
        .map(|planned| (planned.key_id.as_str(), planned.effect))
        .collect();
    let mut checked: Vec<&str> = Vec::new();
    for key in keys {
        let changes = changing
            .get(key.id.as_str())
            .is_some_and(|effect| *effect != KeyEffect::Unchanged);
        if changes && !checked.contains(&key.service_id.as_str()) {
            let service = service::find(read, &key.service_id, now)?;
            service::check_key_lifetime(&service, expires_at, now)?;
            checked.push(&key.service_id);
        }
    }
    Ok(())
}

/// The shared end of both apply steps: the count still matches, then every key's change, then
/// the summary event.
fn apply_plan(
    write: Write<'_>,
    now: DateTime<Utc>,
    actor: &Actor,
    (plan, keys): (&ChangePlan, &[Key]),
    expected: &Previewed,
    change: &BulkChange,
    company: Option<&CompanyRef>,
) -> Result<()> {
    if plan.changing == 0 {
        return Err(Error::BulkNothingChanges);
    }
    // As many keys is not enough: the same keys, changing the same way.
    if plan.changing != expected.changing || plan.fingerprint != expected.fingerprint {
        return Err(Error::BulkSelectionChanged {
            expected: expected.changing,
            now: plan.changing,
        });
    }
    let effects: HashMap<&str, KeyEffect> = plan
        .keys
        .iter()
        .map(|planned| (planned.key_id.as_str(), planned.effect))
        .collect();
    for key in keys {
        let effect = effects
            .get(key.id.as_str())
            .copied()
            .unwrap_or(KeyEffect::Unchanged);
        write_effect(write, now, actor, key, effect, change, company)?;
    }
    Ok(())
}

impl Sesame {
    /// What a bulk action would change; nothing is written.
    pub fn preview_bulk(
        &mut self,
        session: &Session,
        selection: &KeySelection,
        change: &BulkChange,
    ) -> Result<ChangePlan> {
        let change = change.checked(self.now())?;
        self.require(session, Right::Configuration, AuditAction::KeysBulkChanged)?;
        let now = self.now();
        let read = Read::from(&self.connection);
        let (plan, keys) = plan_bulk(read, selection, &change, now)?;
        if let BulkChange::SetExpiry(at) = change {
            check_lifetimes(read, &keys, &plan, at, now)?;
        }
        Ok(plan)
    }

    /// Applies a bulk action as its preview showed it (`expected`): every key or none.
    pub fn apply_bulk(
        &mut self,
        session: &Session,
        selection: &KeySelection,
        change: &BulkChange,
        expected: &Previewed,
    ) -> Result<ChangePlan> {
        let change = change.checked(self.now())?;
        let plan = self.act(
            session,
            Some(Right::Configuration),
            AuditAction::KeysBulkChanged,
            |transaction, now, actor| {
                let (plan, keys) = plan_bulk(transaction.read(), selection, &change, now)?;
                if let BulkChange::SetExpiry(at) = change {
                    check_lifetimes(transaction.read(), &keys, &plan, at, now)?;
                }
                apply_plan(
                    transaction,
                    now,
                    actor,
                    (&plan, &keys),
                    expected,
                    &change,
                    None,
                )?;
                let mut details = json!({"change": change.kind().code(), "count": plan.changing});
                match &change {
                    BulkChange::Revoke { reason } => details["reason"] = json!(reason),
                    BulkChange::SetExpiry(at) => {
                        details["expires_at"] = json!(at.map(|at| at.to_rfc3339()))
                    }
                    BulkChange::AddTag(tag) | BulkChange::RemoveTag(tag) => {
                        details["tag"] = json!(tag)
                    }
                    _ => {}
                }
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::KeysBulkChanged,
                    None,
                    details,
                )?;
                Ok(plan)
            },
        )?;
        self.forget_verified(&plan);
        Ok(plan)
    }

    /// What retiring a company's or a service's access would change; nothing is written.
    pub fn preview_offboarding(
        &mut self,
        session: &Session,
        from: &Offboarding,
        end: OffboardEnd,
    ) -> Result<ChangePlan> {
        self.require(session, Right::Configuration, offboard_action(from))?;
        let (plan, _, _) = plan_offboarding(Read::from(&self.connection), from, end, self.now())?;
        Ok(plan)
    }

    /// Retires a company's or a service's access in one transaction: the keys that served only
    /// it are deactivated or revoked, the keys a company shares lose it, each audited, then one
    /// summary event with the reason.
    pub fn offboard(
        &mut self,
        session: &Session,
        from: &Offboarding,
        end: OffboardEnd,
        reason: &str,
        expected: &Previewed,
    ) -> Result<ChangePlan> {
        let reason = validate::required_text(Field::Reason, reason, validate::REASON_MAX)?;
        let action = offboard_action(from);
        let change = match end {
            OffboardEnd::Deactivate => BulkChange::Deactivate,
            OffboardEnd::Revoke => BulkChange::Revoke {
                reason: reason.clone(),
            },
        };
        let plan = self.act(
            session,
            Some(Right::Configuration),
            action,
            |transaction, now, actor| {
                let (plan, company, keys) = plan_offboarding(transaction.read(), from, end, now)?;
                apply_plan(
                    transaction,
                    now,
                    actor,
                    (&plan, &keys),
                    expected,
                    &change,
                    company.as_ref(),
                )?;
                let count = |effect: KeyEffect| {
                    plan.keys
                        .iter()
                        .filter(|planned| planned.effect == effect)
                        .count()
                };
                let ended = count(KeyEffect::Deactivated) + count(KeyEffect::Revoked);
                let (kind, target_id) = match (&company, from) {
                    (Some(company), _) => (RowKind::Company, company.id.clone()),
                    (None, Offboarding::Service(reference)) => (
                        RowKind::Service,
                        service::find(transaction, reference, now)?.id,
                    ),
                    (None, Offboarding::Company(_)) => {
                        return Err(Error::Internal("a company's offboarding without it".into()));
                    }
                };
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    action,
                    Some(Target {
                        kind,
                        id: &target_id,
                        name: &plan.subject,
                    }),
                    json!({
                        "end": end.code(),
                        "reason": reason,
                        "count": ended,
                        "narrowed": count(KeyEffect::LosesCompany),
                    }),
                )?;
                Ok(plan)
            },
        )?;
        self.forget_verified(&plan);
        Ok(plan)
    }

    /// A changed key's secret must be proven again by the next verification.
    fn forget_verified(&mut self, plan: &ChangePlan) {
        for planned in &plan.keys {
            if planned.effect != KeyEffect::Unchanged {
                self.verified_secrets.forget(&planned.key_id);
            }
        }
    }
}

fn offboard_action(from: &Offboarding) -> AuditAction {
    match from {
        Offboarding::Company(_) => AuditAction::CompanyOffboarded,
        Offboarding::Service(_) => AuditAction::ServiceOffboarded,
    }
}
