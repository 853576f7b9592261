//! Client companies (tiers, dossiers) a key may be restricted to: their name and, as the office
//! knows them, the firm's client code, the SIREN and the town. A company is archived, never
//! deleted (keys and the audit trail refer to it); an archived one is offered for no new key.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use serde_json::json;

use crate::Sesame;
use crate::audit::{self, Actor, Target};
use crate::clock::{from_millis, to_millis};
use crate::error::{Error, Field, Result};
use crate::validate;
use crate::vocab::{AuditAction, Right, RowKind, Session};

/// The longest client code and town kept.
pub const CLIENT_CODE_MAX: usize = 32;
pub const TOWN_MAX: usize = 100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Company {
    pub id: String,
    pub name: String,
    pub client_code: Option<String>,
    /// Nine digits, its Luhn key checked.
    pub siren: Option<String>,
    pub town: Option<String>,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    /// Keys restricted to it that still exist.
    pub keys: u64,
}

/// What a company is made or edited with; empty optional fields are left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CompanyDraft {
    pub name: String,
    pub client_code: String,
    pub siren: String,
    pub town: String,
}

/// A company as a key refers to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CompanyRef {
    pub id: String,
    pub name: String,
}

/// Finds a company by id, name, client code or SIREN.
pub(crate) fn find(connection: &Connection, reference: &str) -> Result<CompanyRef> {
    find_with_state(connection, reference).map(|(company, _)| company)
}

/// [`find`], and whether the company is archived.
pub(crate) fn find_with_state(
    connection: &Connection,
    reference: &str,
) -> Result<(CompanyRef, bool)> {
    let trimmed = reference.trim();
    let digits: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
    connection
        .prepare_cached(
            "SELECT id, name, archived_at IS NOT NULL FROM companies
             WHERE id = ?1 OR name_key = ?2 OR client_code = ?1 OR siren = ?3",
        )?
        .query_row(
            params![trimmed, validate::name_key(trimmed), digits],
            |row| {
                Ok((
                    CompanyRef {
                        id: row.get(0)?,
                        name: row.get(1)?,
                    },
                    row.get(2)?,
                ))
            },
        )
        .optional()?
        .ok_or_else(|| Error::CompanyNotFound(trimmed.to_owned()))
}

/// The companies a key will hold, sorted by name and without repeats: an archived one is refused, unless
/// the key already held it (`kept`).
pub(crate) fn find_all_offered<S: AsRef<str>>(
    connection: &Connection,
    references: &[S],
    kept: &[CompanyRef],
) -> Result<Vec<CompanyRef>> {
    let mut companies = Vec::new();
    for reference in references {
        let (company, archived) = find_with_state(connection, reference.as_ref())?;
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

const COMPANY_COLUMNS: &str = "c.id, c.name, c.client_code, c.siren, c.town, c.created_at,
    c.archived_at,
    (SELECT count(*) FROM key_companies kc JOIN keys k ON k.id = kc.key_id
     WHERE kc.company_id = c.id AND k.deleted_at IS NULL)";

fn company_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Company> {
    Ok(Company {
        id: row.get(0)?,
        name: row.get(1)?,
        client_code: row.get(2)?,
        siren: row.get(3)?,
        town: row.get(4)?,
        created_at: from_millis(row.get(5)?),
        archived_at: row.get::<_, Option<i64>>(6)?.map(from_millis),
        keys: row.get(7)?,
    })
}

fn load(connection: &Connection, id: &str) -> Result<Company> {
    connection
        .prepare_cached(&format!(
            "SELECT {COMPANY_COLUMNS} FROM companies c WHERE c.id = ?1"
        ))?
        .query_row([id], company_from_row)
        .optional()?
        .ok_or_else(|| Error::CompanyNotFound(id.to_owned()))
}

/// The name, client code and SIREN are each one company's; `except` is the one being edited.
fn check_unique(connection: &Connection, checked: &Checked, except: &str) -> Result<()> {
    let taken = |column: &str, value: &str| -> Result<bool> {
        Ok(connection
            .prepare_cached(&format!(
                "SELECT EXISTS (SELECT 1 FROM companies WHERE {column} = ?1 AND id <> ?2)"
            ))?
            .query_row(params![value, except], |row| row.get(0))?)
    };
    if taken("name_key", &validate::name_key(&checked.name))? {
        return Err(Error::CompanyNameTaken(checked.name.clone()));
    }
    if let Some(code) = &checked.client_code
        && taken("client_code", code)?
    {
        return Err(Error::ClientCodeTaken(code.clone()));
    }
    if let Some(siren) = &checked.siren
        && taken("siren", siren)?
    {
        return Err(Error::SirenTaken(siren.clone()));
    }
    Ok(())
}

fn record(
    connection: &Connection,
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
    audit::record(connection, now, Some(actor), action, Some(target), details)
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
            |transaction, now, actor| {
                check_unique(transaction, &checked, "")?;
                transaction.execute(
                    "INSERT INTO companies (id, name, name_key, client_code, siren, town,
                         created_at, created_by)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![
                        id,
                        checked.name,
                        validate::name_key(&checked.name),
                        checked.client_code,
                        checked.siren,
                        checked.town,
                        to_millis(now),
                        actor.id
                    ],
                )?;
                let company = load(transaction, &id)?;
                let details = json!({
                    "client_code": company.client_code,
                    "siren": company.siren,
                    "town": company.town,
                });
                record(
                    transaction,
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
            |transaction, now, actor| {
                let before = load(transaction, &find(transaction, reference)?.id)?;
                check_unique(transaction, &checked, &before.id)?;
                transaction.execute(
                    "UPDATE companies SET name = ?1, name_key = ?2, client_code = ?3, siren = ?4,
                         town = ?5
                     WHERE id = ?6",
                    params![
                        checked.name,
                        validate::name_key(&checked.name),
                        checked.client_code,
                        checked.siren,
                        checked.town,
                        before.id
                    ],
                )?;
                let after = load(transaction, &before.id)?;
                let details = json!({"before": fields(&before), "after": fields(&after)});
                record(
                    transaction,
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
            |transaction, now, actor| {
                let before = load(transaction, &find(transaction, reference)?.id)?;
                if before.archived_at.is_some() == archived {
                    return Err(match archived {
                        true => Error::CompanyArchived(before.name),
                        false => Error::CompanyNotArchived(before.name),
                    });
                }
                let (at, by) = match archived {
                    true => (Some(to_millis(now)), Some(actor.id.as_str())),
                    false => (None, None),
                };
                transaction.execute(
                    "UPDATE companies SET archived_at = ?1, archived_by = ?2 WHERE id = ?3",
                    params![at, by, before.id],
                )?;
                let after = load(transaction, &before.id)?;
                record(
                    transaction,
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
        let mut statement = self.connection.prepare_cached(&format!(
            "SELECT {COMPANY_COLUMNS} FROM companies c
             WHERE ?1 OR c.archived_at IS NULL ORDER BY c.name_key"
        ))?;
        let companies = statement
            .query_map([include_archived], company_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(companies)
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
