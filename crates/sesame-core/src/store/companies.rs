//! The `companies` table: client companies and, for each, how many keys that still exist are
//! restricted to it. Reads take any handle; writes need the handle of a write transaction.

use chrono::{DateTime, Utc};

use crate::clock::{from_millis, to_millis};
use crate::error::{Error, Result};
use crate::store::db::{Read, Row, Write};
use crate::values;

/// A client company as the store holds it.
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

/// A company as a key refers to it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct CompanyRef {
    pub id: String,
    pub name: String,
}

/// A company's fields as written: the name with its comparison key, and the optional ones.
#[derive(Debug)]
pub(crate) struct CompanyFields<'a> {
    pub name: &'a str,
    pub name_key: &'a str,
    pub client_code: Option<&'a str>,
    pub siren: Option<&'a str>,
    pub town: Option<&'a str>,
}

/// The columns that are each one company's.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Unique {
    NameKey,
    ClientCode,
    Siren,
}

const COLUMNS: &str = "c.id, c.name, c.client_code, c.siren, c.town, c.created_at,
    c.archived_at,
    (SELECT count(*) FROM key_companies kc JOIN keys k ON k.id = kc.key_id
     WHERE kc.company_id = c.id AND k.deleted_at IS NULL)";

fn company(row: &Row<'_>) -> Result<Company> {
    Ok(Company {
        id: row.get(0)?,
        name: row.get(1)?,
        client_code: row.get(2)?,
        siren: row.get(3)?,
        town: row.get(4)?,
        created_at: from_millis(row.get(5)?),
        archived_at: row.get::<Option<i64>>(6)?.map(from_millis),
        keys: row.get(7)?,
    })
}

/// The company whose id, comparison key, client code or SIREN this is, and whether it is
/// archived.
pub(crate) fn find<'c>(
    read: impl Into<Read<'c>>,
    id_or_code: &str,
    name_key: &str,
    siren: &str,
) -> Result<Option<(CompanyRef, bool)>> {
    // Each of id, name, client code and SIREN is unique, but one company's name may be
    // another's client code: at most one row per column, so at most four rows.
    let found: Vec<(CompanyRef, bool)> = read.into().db().query(
        "SELECT id, name, archived_at IS NOT NULL FROM companies
         WHERE id = ?1 OR name_key = ?2 OR client_code = ?1 OR siren = ?3
         ORDER BY id = ?1 DESC, id",
        values![id_or_code, name_key, siren],
        |row| {
            Ok((
                CompanyRef {
                    id: row.get(0)?,
                    name: row.get(1)?,
                },
                row.get(2)?,
            ))
        },
    )?;
    match found.as_slice() {
        [] => Ok(None),
        // An id names one company, whatever else the text matches.
        [(only, _), ..] if found.len() == 1 || only.id == id_or_code => {
            Ok(found.into_iter().next())
        }
        _ => Err(Error::CompanyAmbiguous(id_or_code.to_owned())),
    }
}

pub(crate) fn load<'c>(read: impl Into<Read<'c>>, id: &str) -> Result<Option<Company>> {
    read.into().db().query_opt(
        &format!("SELECT {COLUMNS} FROM companies c WHERE c.id = ?1"),
        values![id],
        company,
    )
}

/// Whether another company than `except` holds `value` in the `column` that is each one's.
pub(crate) fn taken<'c>(
    read: impl Into<Read<'c>>,
    column: Unique,
    value: &str,
    except: &str,
) -> Result<bool> {
    let column = match column {
        Unique::NameKey => "name_key",
        Unique::ClientCode => "client_code",
        Unique::Siren => "siren",
    };
    read.into().db().query_one(
        &format!("SELECT EXISTS (SELECT 1 FROM companies WHERE {column} = ?1 AND id <> ?2)"),
        values![value, except],
        |row| row.get(0),
    )
}

/// Every company by name, the archived ones too when asked.
pub(crate) fn list<'c>(read: impl Into<Read<'c>>, include_archived: bool) -> Result<Vec<Company>> {
    read.into().db().query(
        &format!(
            "SELECT {COLUMNS} FROM companies c
             WHERE ?1 OR c.archived_at IS NULL ORDER BY c.name_key"
        ),
        values![include_archived],
        company,
    )
}

pub(crate) fn insert<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    fields: &CompanyFields<'_>,
    created_at: DateTime<Utc>,
    created_by: &str,
) -> Result<()> {
    write.into().db().execute(
        "INSERT INTO companies (id, name, name_key, client_code, siren, town, created_at,
             created_by)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        values![
            id,
            fields.name,
            fields.name_key,
            fields.client_code,
            fields.siren,
            fields.town,
            to_millis(created_at),
            created_by
        ],
    )?;
    Ok(())
}

pub(crate) fn update<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    fields: &CompanyFields<'_>,
) -> Result<()> {
    write.into().db().execute(
        "UPDATE companies SET name = ?1, name_key = ?2, client_code = ?3, siren = ?4, town = ?5
         WHERE id = ?6",
        values![
            fields.name,
            fields.name_key,
            fields.client_code,
            fields.siren,
            fields.town,
            id
        ],
    )?;
    Ok(())
}

/// Archives (`Some((when, by whom))`) or restores (`None`) a company.
pub(crate) fn set_archived<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    archived: Option<(DateTime<Utc>, &str)>,
) -> Result<()> {
    let (at, by) = match archived {
        Some((at, by)) => (Some(to_millis(at)), Some(by)),
        None => (None, None),
    };
    write.into().db().execute(
        "UPDATE companies SET archived_at = ?1, archived_by = ?2 WHERE id = ?3",
        values![at, by, id],
    )?;
    Ok(())
}
