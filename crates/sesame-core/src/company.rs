//! Client companies (tiers, dossiers) a key may be restricted to.

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
pub struct Company {
    pub id: String,
    pub name: String,
    pub created_at: DateTime<Utc>,
}

/// A company as a key refers to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CompanyRef {
    pub id: String,
    pub name: String,
}

/// Finds a company by id or name.
pub(crate) fn find(connection: &Connection, reference: &str) -> Result<CompanyRef> {
    let trimmed = reference.trim();
    connection
        .prepare_cached("SELECT id, name FROM companies WHERE id = ?1 OR name_key = ?2")?
        .query_row(params![trimmed, validate::name_key(trimmed)], |row| {
            Ok(CompanyRef {
                id: row.get(0)?,
                name: row.get(1)?,
            })
        })
        .optional()?
        .ok_or_else(|| Error::CompanyNotFound(trimmed.to_owned()))
}

/// Finds several companies, sorted by name and without repeats.
pub(crate) fn find_all<S: AsRef<str>>(
    connection: &Connection,
    references: &[S],
) -> Result<Vec<CompanyRef>> {
    let mut companies = references
        .iter()
        .map(|reference| find(connection, reference.as_ref()))
        .collect::<Result<Vec<_>>>()?;
    companies.sort_by(|a, b| a.name.cmp(&b.name));
    companies.dedup();
    Ok(companies)
}

impl Sesame {
    pub fn create_company(&mut self, session: &Session, name: &str) -> Result<Company> {
        let name = validate::name(Field::CompanyName, name, validate::NAME_MAX)?;
        let id = crate::new_id();
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::CompanyCreated,
            |transaction, now, actor| {
                let taken: bool = transaction.query_row(
                    "SELECT EXISTS (SELECT 1 FROM companies WHERE name_key = ?1)",
                    [validate::name_key(&name)],
                    |row| row.get(0),
                )?;
                if taken {
                    return Err(Error::CompanyNameTaken(name.clone()));
                }
                transaction.execute(
                    "INSERT INTO companies (id, name, name_key, created_at, created_by)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        id,
                        name,
                        validate::name_key(&name),
                        to_millis(now),
                        actor.id
                    ],
                )?;
                let target = Target {
                    kind: RowKind::Company,
                    id: &id,
                    name: &name,
                };
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::CompanyCreated,
                    Some(target),
                    json!({}),
                )?;
                Ok(Company {
                    id: id.clone(),
                    name: name.clone(),
                    created_at: from_millis(to_millis(now)),
                })
            },
        )
    }

    /// Every company, by name.
    pub fn companies(&self, session: &Session) -> Result<Vec<Company>> {
        self.authorize_read(session)?;
        let mut statement = self
            .connection
            .prepare_cached("SELECT id, name, created_at FROM companies ORDER BY name_key")?;
        let companies = statement
            .query_map([], |row| {
                Ok(Company {
                    id: row.get(0)?,
                    name: row.get(1)?,
                    created_at: from_millis(row.get(2)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(companies)
    }

    pub fn company(&self, session: &Session, reference: &str) -> Result<CompanyRef> {
        self.authorize_read(session)?;
        find(&self.connection, reference)
    }
}
