//! Client companies (tiers, dossiers) a key may be restricted to: their name and, as the office
//! knows them, the firm's client code, the SIREN and the town. A company is archived, never
//! deleted (keys and the audit trail refer to it); an archived one is offered for no new key.

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::Sesame;
use crate::audit::{self, Actor, Target};
use crate::error::{Error, Field, Result};
use crate::store::companies::{self, CompanyFields, Unique};
use crate::store::db::{Read, Write};
use crate::validate;
use crate::vocab::{AuditAction, Right, RowKind, Session};

/// The longest client code and town kept.
pub const CLIENT_CODE_MAX: usize = 32;
pub const TOWN_MAX: usize = 100;

pub use crate::store::companies::{Company, CompanyRef};

/// What a company is made or edited with; empty optional fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyDraft {
    pub name: String,
    pub client_code: String,
    pub siren: String,
    pub town: String,
}

/// Finds a company by id, name, client code or SIREN.
pub(crate) fn find<'c>(read: impl Into<Read<'c>>, reference: &str) -> Result<CompanyRef> {
    find_with_state(read, reference).map(|(company, _)| company)
}

/// [`find`], and whether the company is archived.
pub(crate) fn find_with_state<'c>(
    read: impl Into<Read<'c>>,
    reference: &str,
) -> Result<(CompanyRef, bool)> {
    let trimmed = reference.trim();
    let digits: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    companies::find(read, trimmed, &validate::name_key(trimmed), &digits)?
        .ok_or_else(|| Error::CompanyNotFound(trimmed.to_owned()))
}

/// The companies a key will hold, sorted by name and without repeats: an archived one is refused, unless
/// the key already held it (`kept`).
pub(crate) fn find_all_offered<'c, S: AsRef<str>>(
    read: impl Into<Read<'c>>,
    references: &[S],
    kept: &[CompanyRef],
) -> Result<Vec<CompanyRef>> {
    let read = read.into();
    let mut companies = Vec::new();
    for reference in references {
        let (company, archived) = find_with_state(read, reference.as_ref())?;
        if archived && !kept.iter().any(|k| k.id == company.id) {
            return Err(Error::CompanyArchived(company.name));
        }
        companies.push(company);
    }
    companies.sort_by(|a, b| a.name.cmp(&b.name));
    companies.dedup();
    Ok(companies)
}

/// A company's fields, checked: the name, an optional client code and town, an optional SIREN
/// of nine digits whose Luhn key is right (spaces as people write it, « 732 829 320 », are
/// taken out).
struct Checked {
    name: String,
    client_code: Option<String>,
    siren: Option<String>,
    town: Option<String>,
}

fn check(draft: &CompanyDraft) -> Result<Checked> {
    let optional = |field: Field, text: &str, max: usize| -> Result<Option<String>> {
        match text.trim() {
            "" => Ok(None),
            text => validate::name(field, text, max).map(Some),
        }
    };
    Ok(Checked {
        name: validate::name(Field::CompanyName, &draft.name, validate::NAME_MAX)?,
        client_code: optional(Field::ClientCode, &draft.client_code, CLIENT_CODE_MAX)?,
        siren: match draft.siren.trim() {
            "" => None,
            text => Some(validate::siren(text)?),
        },
        town: optional(Field::Town, &draft.town, TOWN_MAX)?,
    })
}

impl Checked {
    /// The fields as the store writes them, with the name's comparison key.
    fn fields<'a>(&'a self, name_key: &'a str) -> CompanyFields<'a> {
        CompanyFields {
            name: &self.name,
            name_key,
            client_code: self.client_code.as_deref(),
            siren: self.siren.as_deref(),
            town: self.town.as_deref(),
        }
    }
}

fn load<'c>(read: impl Into<Read<'c>>, id: &str) -> Result<Company> {
    companies::load(read, id)?.ok_or_else(|| Error::CompanyNotFound(id.to_owned()))
}

/// The name, client code and SIREN are each one company's; `except` is the one being edited.
fn check_unique(read: Read<'_>, checked: &Checked, except: &str) -> Result<()> {
    if companies::taken(
        read,
        Unique::NameKey,
        &validate::name_key(&checked.name),
        except,
    )? {
        return Err(Error::CompanyNameTaken(checked.name.clone()));
    }
    if let Some(code) = &checked.client_code
        && companies::taken(read, Unique::ClientCode, code, except)?
    {
        return Err(Error::ClientCodeTaken(code.clone()));
    }
    if let Some(siren) = &checked.siren
        && companies::taken(read, Unique::Siren, siren, except)?
    {
        return Err(Error::SirenTaken(siren.clone()));
    }
    Ok(())
}

fn record(
    write: Write<'_>,
    now: DateTime<Utc>,
    actor: &Actor,
    action: AuditAction,
    company: &Company,
    details: serde_json::Value,
) -> Result<()> {
    let target = Target {
        kind: RowKind::Company,
        id: &company.id,
        name: &company.name,
    };
    audit::record(write, now, Some(actor), action, Some(target), details)
}

fn fields(company: &Company) -> serde_json::Value {
    json!({
        "name": company.name,
        "client_code": company.client_code,
        "siren": company.siren,
        "town": company.town,
    })
}

impl Sesame {
    /// Adds a company with only a name.
    pub fn create_company(&mut self, session: &Session, name: &str) -> Result<Company> {
        let draft = CompanyDraft {
            name: name.to_owned(),
            ..CompanyDraft::default()
        };
        self.add_company(session, &draft)
    }

    /// Adds a company (configuration right).
    pub fn add_company(&mut self, session: &Session, draft: &CompanyDraft) -> Result<Company> {
        let checked = check(draft)?;
        let id = crate::new_id();
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::CompanyCreated,
            |write, now, actor| {
                check_unique(write.read(), &checked, "")?;
                let name_key = validate::name_key(&checked.name);
                companies::insert(write, &id, &checked.fields(&name_key), now, &actor.id)?;
                let company = load(write, &id)?;
                let details = json!({
                    "client_code": company.client_code,
                    "siren": company.siren,
                    "town": company.town,
                });
                record(
                    write,
                    now,
                    actor,
                    AuditAction::CompanyCreated,
                    &company,
                    details,
                )?;
                Ok(company)
            },
        )
    }

    /// Renames a company or changes its client code, SIREN or town (configuration right); keys
    /// restricted to it keep it.
    pub fn edit_company(
        &mut self,
        session: &Session,
        reference: &str,
        draft: &CompanyDraft,
    ) -> Result<Company> {
        let checked = check(draft)?;
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::CompanyEdited,
            |write, now, actor| {
                let before = load(write, &find(write, reference)?.id)?;
                check_unique(write.read(), &checked, &before.id)?;
                let name_key = validate::name_key(&checked.name);
                companies::update(write, &before.id, &checked.fields(&name_key))?;
                let after = load(write, &before.id)?;
                let details = json!({"before": fields(&before), "after": fields(&after)});
                record(
                    write,
                    now,
                    actor,
                    AuditAction::CompanyEdited,
                    &after,
                    details,
                )?;
                Ok(after)
            },
        )
    }

    /// Archives a company (no new key may name it; keys that do keep it) or restores it
    /// (configuration right). Archiving an archived company, or the reverse, is refused.
    pub fn set_company_archived(
        &mut self,
        session: &Session,
        reference: &str,
        archived: bool,
    ) -> Result<Company> {
        let action = match archived {
            true => AuditAction::CompanyArchived,
            false => AuditAction::CompanyRestored,
        };
        self.act(
            session,
            Some(Right::Configuration),
            action,
            |write, now, actor| {
                let before = load(write, &find(write, reference)?.id)?;
                if before.archived_at.is_some() == archived {
                    return Err(match archived {
                        true => Error::CompanyArchived(before.name),
                        false => Error::CompanyNotArchived(before.name),
                    });
                }
                let by = archived.then_some((now, actor.id.as_str()));
                companies::set_archived(write, &before.id, by)?;
                let after = load(write, &before.id)?;
                record(
                    write,
                    now,
                    actor,
                    action,
                    &after,
                    json!({"keys": after.keys}),
                )?;
                Ok(after)
            },
        )
    }

    /// The companies by name, archived ones too when asked; any signed-in operator reads them.
    pub fn companies_with_archived(
        &self,
        session: &Session,
        include_archived: bool,
    ) -> Result<Vec<Company>> {
        self.authorize_read(session)?;
        companies::list(&self.connection, include_archived)
    }

    /// The companies a new key may be restricted to (archived ones are not offered), by name.
    pub fn companies(&self, session: &Session) -> Result<Vec<Company>> {
        self.companies_with_archived(session, false)
    }

    pub fn company(&self, session: &Session, reference: &str) -> Result<CompanyRef> {
        self.authorize_read(session)?;
        find(&self.connection, reference)
    }

    /// One company with its fields and state.
    pub fn company_record(&self, session: &Session, reference: &str) -> Result<Company> {
        self.authorize_read(session)?;
        load(&self.connection, &find(&self.connection, reference)?.id)
    }
}
