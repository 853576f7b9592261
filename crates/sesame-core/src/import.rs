//! Importing keys already in use elsewhere, from a CSV file: a preview that lists what would be
//! created and every line refused and why, then an import that writes every key or none.
//!
//! The file is what an office has at hand: UTF-8 with or without a BOM, UTF-16 with a BOM, or
//! Windows-1252 / Latin-1 (French Excel); `,`, `;` or tab separated, read from the header line;
//! quoted cells may hold separators and line breaks. Column names are recognised in French or
//! English, without regard to case or accents.
//!
//! Each key brings either its secret, hashed with argon2id on import (on every core) and then
//! forgotten, or an argon2id hash in PHC form, accepted only at OWASP's strength or more. Cells
//! are parsed into a buffer that is wiped when the import ends, so no secret outlives it.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rayon::prelude::*;
use rusqlite::{Connection, params};
use serde_json::json;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use zeroize::Zeroizing;

use crate::Sesame;
use crate::audit::{self, Target};
use crate::clock::to_millis;
use crate::company::{self, CompanyRef};
use crate::error::{Error, Field, Lang, Result};
use crate::key;
use crate::key_format;
use crate::operator::{self, Right, Session};
use crate::password;
use crate::secret::{ExposeSecret, SecretString, secret_from};
use crate::service;
use crate::validate;
use crate::vocab::{AuditAction, RowKind};

/// The most keys one file may hold.
pub const IMPORT_ROWS_MAX: usize = 100_000;
/// The largest file read (100 000 keys with long notes fit well within it).
pub const IMPORT_BYTES_MAX: usize = 64 * 1024 * 1024;
/// How many of the keys to be created a preview shows.
pub const PREVIEW_ROWS_MAX: usize = 200;

/// Reads an import file whatever it is (a regular file, a pipe, a FIFO, a device), never more
/// than [`IMPORT_BYTES_MAX`] bytes plus one: a larger source is refused without being read
/// further, and what was read is wiped.
pub fn read_bounded(source: impl std::io::Read) -> std::io::Result<Option<Zeroizing<Vec<u8>>>> {
    use std::io::Read;
    let mut bytes = Zeroizing::new(Vec::new());
    // Reserved up front so the buffer never moves (a moved buffer would leave a copy behind).
    bytes.reserve_exact(IMPORT_BYTES_MAX + 1);
    source
        .take(IMPORT_BYTES_MAX as u64 + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() <= IMPORT_BYTES_MAX).then_some(bytes))
}

/// A column of the import file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    Service,
    Name,
    Identifier,
    Secret,
    Hash,
    Creator,
    Created,
    Expiry,
    Permissions,
    Companies,
    Note,
}

impl Column {
    const ALL: [Column; 11] = [
        Column::Service,
        Column::Name,
        Column::Identifier,
        Column::Secret,
        Column::Hash,
        Column::Creator,
        Column::Created,
        Column::Expiry,
        Column::Permissions,
        Column::Companies,
        Column::Note,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Column::Service => "service",
            Column::Name => "name",
            Column::Identifier => "identifier",
            Column::Secret => "secret",
            Column::Hash => "hash",
            Column::Creator => "creator",
            Column::Created => "created",
            Column::Expiry => "expiry",
            Column::Permissions => "permissions",
            Column::Companies => "companies",
            Column::Note => "note",
        }
    }

    /// The column's name in the interface language (`import-column-<code>`).
    pub fn label(self, lang: Lang) -> String {
        crate::messages::word(lang, &format!("import-column-{}", self.code()))
    }

    /// The names a header cell may give this column, once lower-cased, without accents, and
    /// with `_` and `-` read as spaces.
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Column::Service => &["service", "nom du service", "service name"],
            Column::Name => &[
                "nom",
                "name",
                "cle",
                "key",
                "nom de la cle",
                "key name",
                "application",
            ],
            Column::Identifier => &[
                "identifiant",
                "identifier",
                "client id",
                "id client",
                "identifiant public",
                "public id",
                "key id",
            ],
            Column::Secret => &["secret", "client secret", "secret client", "cle secrete"],
            Column::Hash => &[
                "empreinte",
                "hash",
                "phc",
                "hachage",
                "secret hash",
                "empreinte du secret",
                "argon2",
            ],
            Column::Creator => &["createur", "creator", "cree par", "created by", "auteur"],
            Column::Created => &[
                "creation",
                "created",
                "created at",
                "date de creation",
                "creation date",
                "cree le",
                "creee le",
            ],
            Column::Expiry => &[
                "expiration",
                "expiry",
                "expires",
                "expires at",
                "date d'expiration",
                "expiry date",
                "expire le",
            ],
            Column::Permissions => &["permissions", "permission", "droits"],
            Column::Companies => &[
                "societes",
                "societe",
                "entreprises",
                "entreprise",
                "companies",
                "company",
            ],
            Column::Note => &["note", "notes", "remarque", "commentaire", "comment"],
        }
    }

    fn from_header(cell: &str) -> Option<Column> {
        let wanted = header_key(cell);
        Column::ALL
            .into_iter()
            .find(|column| column.aliases().contains(&wanted.as_str()))
    }
}

fn header_key(cell: &str) -> String {
    let plain: String = cell
        .trim()
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .map(|c| match c {
            '_' | '-' | '\u{a0}' => ' ',
            '’' => '\'',
            other => other,
        })
        .collect::<String>()
        .to_lowercase();
    plain.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// One line of the file that would become a key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    /// The line of the file where the row starts (the header is line 1).
    pub line: u64,
    pub service: String,
    pub name: String,
    pub identifier: String,
    /// The file gave a hash rather than the secret.
    pub with_hash: bool,
    /// Who made the key, as the file says; empty when it does not say.
    pub creator: String,
    pub created_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    pub permissions: Vec<String>,
    pub companies: Vec<String>,
}

/// Why a line of the file cannot be imported.
#[derive(Debug)]
pub struct RowProblem {
    pub line: u64,
    pub column: Option<Column>,
    pub error: Error,
}

/// What an import would do, before anything is written.
#[derive(Debug)]
pub struct ImportPreview {
    /// `UTF-8`, `UTF-16LE`, `windows-1252`…
    pub encoding: &'static str,
    pub delimiter: char,
    /// Data lines read (blank lines aside).
    pub rows: usize,
    pub with_secret: usize,
    pub with_hash: usize,
    /// The first [`PREVIEW_ROWS_MAX`] keys that would be created.
    pub sample: Vec<ImportRow>,
    /// Every problem, in line order (a front end may show the first ones and count the rest).
    pub problems: Vec<RowProblem>,
    pub problem_count: usize,
    /// Lines with at least one problem.
    pub refused_rows: usize,
}

impl ImportPreview {
    pub fn is_importable(&self) -> bool {
        self.problem_count == 0
    }
}

/// How far an import has gone: secrets hashed out of those to hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress {
    pub hashed: usize,
    pub to_hash: usize,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportOutcome {
    pub imported: usize,
    pub with_secret: usize,
    pub with_hash: usize,
}

enum Credential {
    Secret(SecretString),
    Hash(String),
}

enum Creator {
    Importer,
    Operator(String),
    Label(String),
}

struct PlannedKey {
    row: ImportRow,
    service_id: String,
    companies: Vec<CompanyRef>,
    credential: Credential,
    creator: Creator,
    note: String,
}

struct Plan {
    encoding: &'static str,
    delimiter: char,
    rows: usize,
    keys: Vec<PlannedKey>,
    problems: Vec<RowProblem>,
    refused_rows: usize,
}

/// The file's text, wiped when dropped when it had to be converted.
struct Decoded<'a> {
    text: std::borrow::Cow<'a, str>,
    encoding: &'static str,
}

impl Drop for Decoded<'_> {
    fn drop(&mut self) {
        if let std::borrow::Cow::Owned(text) = &mut self.text {
            zeroize::Zeroize::zeroize(text);
        }
    }
}

fn decode(bytes: &[u8]) -> Result<Decoded<'_>> {
    if let Some((encoding, bom_length)) = encoding_rs::Encoding::for_bom(bytes) {
        let (text, had_errors) = encoding.decode_without_bom_handling(&bytes[bom_length..]);
        if had_errors {
            return Err(Error::ImportUnreadable(format!(
                "invalid {} text",
                encoding.name()
            )));
        }
        return Ok(Decoded {
            text,
            encoding: encoding.name(),
        });
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(Decoded {
            text: text.into(),
            encoding: encoding_rs::UTF_8.name(),
        });
    }
    // Not UTF-8: French Excel's « CSV (séparateur : point-virgule) » is Windows-1252, a superset
    // of Latin-1's printable characters (it has « € » and « œ » where Latin-1 has controls).
    let (text, _, _) = encoding_rs::WINDOWS_1252.decode(bytes);
    Ok(Decoded {
        text,
        encoding: encoding_rs::WINDOWS_1252.name(),
    })
}

/// The separator the header line uses most, among `;`, `,` and tab (quoted text aside).
fn guess_delimiter(text: &str) -> u8 {
    let mut counts = [(b';', 0_usize), (b',', 0), (b'\t', 0)];
    let mut quoted = false;
    for byte in text.trim_start_matches(['\r', '\n']).bytes() {
        match byte {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => break,
            _ if !quoted => {
                for (delimiter, count) in &mut counts {
                    if byte == *delimiter {
                        *count += 1;
                    }
                }
            }
            _ => {}
        }
    }
    counts
        .iter()
        .max_by_key(|(_, count)| *count)
        .filter(|(_, count)| *count > 0)
        .map_or(b',', |(delimiter, _)| *delimiter)
}

/// Calls `each` with every record of the file and the line it starts on. The fields live in a
/// buffer that is wiped as soon as reading ends.
fn read_records(
    text: &str,
    delimiter: u8,
    mut each: impl FnMut(u64, &[&str]) -> Result<()>,
) -> Result<()> {
    let mut reader = csv_core::ReaderBuilder::new().delimiter(delimiter).build();
    let bytes = text.as_bytes();
    let mut input = bytes;
    // Where the current record's reading began, and how many line breaks lie before `counted`.
    let (mut record_from, mut counted, mut breaks) = (0_usize, 0_usize, 0_u64);
    let mut output: Zeroizing<Vec<u8>> = Zeroizing::new(vec![0; 4096]);
    let mut ends: Vec<usize> = vec![0; 32];
    let (mut out_length, mut ends_length) = (0, 0);
    loop {
        let (result, read, written, ended) =
            reader.read_record(input, &mut output[out_length..], &mut ends[ends_length..]);
        input = &input[read..];
        let consumed = bytes.len() - input.len();
        out_length += written;
        ends_length += ended;
        match result {
            csv_core::ReadRecordResult::InputEmpty => {}
            csv_core::ReadRecordResult::OutputFull => {
                let mut bigger = Zeroizing::new(vec![0; output.len() * 2]);
                bigger[..out_length].copy_from_slice(&output[..out_length]);
                output = bigger;
            }
            csv_core::ReadRecordResult::OutputEndsFull => {
                ends.resize(ends.len() * 2, 0);
            }
            csv_core::ReadRecordResult::Record => {
                let record = &output[..out_length];
                let mut fields = Vec::with_capacity(ends_length);
                let mut start = 0;
                for &end in &ends[..ends_length] {
                    // The input is UTF-8 and fields are cut only at ASCII separators and quotes.
                    let field = std::str::from_utf8(&record[start..end])
                        .map_err(|_| Error::ImportUnreadable("invalid UTF-8".into()))?;
                    fields.push(field);
                    start = end;
                }
                // Blank lines before a record are skipped by the reader; the record starts at its
                // first other byte.
                let start = record_from
                    + bytes[record_from..consumed]
                        .iter()
                        .take_while(|b| matches!(b, b'\r' | b'\n'))
                        .count();
                breaks += bytes[counted..start]
                    .iter()
                    .filter(|b| **b == b'\n')
                    .count() as u64;
                counted = start;
                each(breaks + 1, &fields)?;
                record_from = consumed;
                out_length = 0;
                ends_length = 0;
            }
            csv_core::ReadRecordResult::End => return Ok(()),
        }
    }
}

/// Reads a date as offices write them: `2021-01-22`, `22/01/2021`, either followed by a time
/// `08:14` or `08:14:05`, or RFC 3339; local time unless an offset is given. A date alone is
/// the start of that day, or its end for an expiry (a key works through its last day).
fn parse_date(text: &str, end_of_day: bool) -> Result<DateTime<Utc>> {
    let text = text.trim();
    let invalid = || Error::ImportDateInvalid(text.to_owned());
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(day) = NaiveDate::parse_from_str(text, format) {
            return if end_of_day {
                let next = day.succ_opt().ok_or_else(invalid)?;
                validate::local_midnight(next, text)
            } else {
                validate::local_midnight(day, text)
            };
        }
    }
    for format in [
        "%Y-%m-%d %H:%M",
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%dT%H:%M:%S",
        "%d/%m/%Y %H:%M",
        "%d/%m/%Y %H:%M:%S",
    ] {
        if let Ok(moment) = NaiveDateTime::parse_from_str(text, format) {
            return Local
                .from_local_datetime(&moment)
                .earliest()
                .map(|at| at.with_timezone(&Utc))
                .ok_or_else(invalid);
        }
    }
    Err(invalid())
}

/// Splits a list cell: permissions or companies separated by `,`, `|` or line breaks.
fn split_list(cell: &str) -> Vec<&str> {
    cell.split([',', '|', '\n', '\r'])
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .collect()
}

/// Looks `reference` up once per distinct name (compared as names are: NFC, case folded).
fn cached<T: Clone>(
    cache: &mut HashMap<String, Option<T>>,
    reference: &str,
    find: impl FnOnce(&str) -> Result<Option<T>>,
) -> Result<Option<T>> {
    let key = validate::name_key(reference);
    if let Some(found) = cache.get(&key) {
        return Ok(found.clone());
    }
    let found = find(reference)?;
    cache.insert(key, found.clone());
    Ok(found)
}

struct ServiceInfo {
    id: String,
    name: String,
    prefix: String,
    permissions: Vec<String>,
}

/// Everything the file's lines are checked against, read once per distinct value.
struct Lookups<'c> {
    connection: &'c Connection,
    now: DateTime<Utc>,
    /// The installation's argon2id cost, which an imported hash must stay close to.
    cost: password::HashingCost,
    services: HashMap<String, Option<std::rc::Rc<ServiceInfo>>>,
    companies: HashMap<String, Option<CompanyRef>>,
    operators: HashMap<String, Option<String>>,
    identifiers_seen: HashMap<String, u64>,
    names_seen: HashMap<(String, String), u64>,
}

impl Lookups<'_> {
    fn service(&mut self, reference: &str) -> Result<Option<std::rc::Rc<ServiceInfo>>> {
        let (connection, now) = (self.connection, self.now);
        cached(
            &mut self.services,
            reference,
            |reference| match service::find(connection, reference, now) {
                Ok(found) => Ok(Some(std::rc::Rc::new(ServiceInfo {
                    id: found.id,
                    name: found.name,
                    prefix: found.key_prefix,
                    permissions: found.permissions,
                }))),
                Err(Error::ServiceNotFound(_)) => Ok(None),
                Err(other) => Err(other),
            },
        )
    }

    fn company(&mut self, reference: &str) -> Result<Option<CompanyRef>> {
        let connection = self.connection;
        cached(
            &mut self.companies,
            reference,
            |reference| match company::find(connection, reference) {
                Ok(found) => Ok(Some(found)),
                Err(Error::CompanyNotFound(_)) => Ok(None),
                Err(other) => Err(other),
            },
        )
    }

    fn operator(&mut self, name: &str) -> Result<Option<String>> {
        let connection = self.connection;
        cached(&mut self.operators, name, |name| {
            operator::find_operator_id(connection, name)
        })
    }
}

/// Where each column is in the header, or the file-level problem with the header.
/// Notes that `value` appears on `line`; answers the line where the file gave it first, when
/// it did.
fn seen_before<K: Eq + std::hash::Hash>(
    seen: &mut HashMap<K, u64>,
    value: K,
    line: u64,
) -> Option<u64> {
    match seen.entry(value) {
        Entry::Occupied(first) => Some(*first.get()),
        Entry::Vacant(slot) => {
            slot.insert(line);
            None
        }
    }
}

fn read_header(cells: &[&str]) -> Result<HashMap<Column, usize>> {
    let mut columns = HashMap::new();
    for (position, cell) in cells.iter().enumerate() {
        if cell.trim().is_empty() {
            continue;
        }
        let column = Column::from_header(cell)
            .ok_or_else(|| Error::ImportColumnUnknown(cell.trim().into()))?;
        if columns.insert(column, position).is_some() {
            return Err(Error::ImportColumnTwice(cell.trim().into()));
        }
    }
    for required in [Column::Service, Column::Name, Column::Identifier] {
        if !columns.contains_key(&required) {
            return Err(Error::ImportColumnMissing(required.code().into()));
        }
    }
    if !columns.contains_key(&Column::Secret) && !columns.contains_key(&Column::Hash) {
        return Err(Error::ImportColumnMissing("secret / hash".into()));
    }
    Ok(columns)
}

/// One data line's cells by column.
struct Cells<'r> {
    columns: &'r HashMap<Column, usize>,
    fields: &'r [&'r str],
}

impl Cells<'_> {
    fn get(&self, column: Column) -> &str {
        self.columns
            .get(&column)
            .and_then(|&position| self.fields.get(position))
            .map_or("", |cell| cell.trim())
    }
}

/// Checks one line; problems go to `problems`, and a line without any becomes a key.
fn check_row(
    lookups: &mut Lookups<'_>,
    line: u64,
    cells: &Cells<'_>,
    problems: &mut Vec<RowProblem>,
) -> Result<Option<PlannedKey>> {
    let before = problems.len();
    let mut refuse = |column: Option<Column>, error: Error| {
        problems.push(RowProblem {
            line,
            column,
            error,
        });
    };
    let service_reference = cells.get(Column::Service);
    let service = if service_reference.is_empty() {
        refuse(
            Some(Column::Service),
            Error::Empty {
                field: Field::ServiceName,
            },
        );
        None
    } else {
        let found = lookups.service(service_reference)?;
        if found.is_none() {
            refuse(
                Some(Column::Service),
                Error::ServiceNotFound(service_reference.to_owned()),
            );
        }
        found
    };
    let name = validate::name(Field::KeyName, cells.get(Column::Name), validate::NAME_MAX)
        .map_err(|error| refuse(Some(Column::Name), error))
        .ok();
    let identifier = cells.get(Column::Identifier).to_owned();
    let identifier_ok = if identifier.is_empty() {
        refuse(
            Some(Column::Identifier),
            Error::Empty {
                field: Field::Identifier,
            },
        );
        false
    } else if !key_format::imported_identifier_ok(&identifier) {
        refuse(
            Some(Column::Identifier),
            Error::IdentifierInvalid(identifier.clone()),
        );
        false
    } else if let Some(service) = service
        .as_ref()
        .filter(|s| !identifier.starts_with(&format!("{}_", s.prefix)))
    {
        refuse(
            Some(Column::Identifier),
            Error::IdentifierPrefix {
                identifier: identifier.clone(),
                prefix: service.prefix.clone(),
                service: service.name.clone(),
            },
        );
        false
    } else {
        true
    };
    if identifier_ok {
        if let Some(first) = seen_before(&mut lookups.identifiers_seen, identifier.clone(), line) {
            refuse(
                Some(Column::Identifier),
                Error::ImportDuplicate {
                    value: identifier.clone(),
                    line: first,
                },
            );
        } else if key::find_by_identifier(lookups.connection, &identifier)?.is_some() {
            refuse(
                Some(Column::Identifier),
                Error::IdentifierTaken(identifier.clone()),
            );
        }
    }
    if let (Some(service), Some(name)) = (&service, &name) {
        let name_key = (service.id.clone(), validate::name_key(name));
        if let Some(first) = seen_before(&mut lookups.names_seen, name_key, line) {
            refuse(
                Some(Column::Name),
                Error::ImportDuplicate {
                    value: name.clone(),
                    line: first,
                },
            );
        } else if key::key_name_taken(lookups.connection, &service.id, name, "")? {
            refuse(Some(Column::Name), Error::KeyNameTaken(name.clone()));
        }
    }
    let secret = cells.get(Column::Secret);
    let hash = cells.get(Column::Hash);
    let credential = match (secret.is_empty(), hash.is_empty()) {
        (false, false) => {
            refuse(Some(Column::Secret), Error::ImportSecretAndHash);
            None
        }
        (true, true) => {
            refuse(Some(Column::Secret), Error::ImportSecretMissing);
            None
        }
        (false, true) => match key_format::check_imported_secret(&identifier, secret) {
            Ok(()) => Some(Credential::Secret(secret_from(secret.to_owned()))),
            Err(problem) => {
                refuse(Some(Column::Secret), Error::ImportSecretInvalid(problem));
                None
            }
        },
        (true, false) => match password::check_imported_hash(hash, lookups.cost) {
            Ok(()) => Some(Credential::Hash(hash.to_owned())),
            Err(problem) => {
                refuse(Some(Column::Hash), Error::ImportHashRefused(problem));
                None
            }
        },
    };
    let creator_text = cells.get(Column::Creator);
    let creator = if creator_text.is_empty() {
        Some(Creator::Importer)
    } else {
        match validate::name(Field::Creator, creator_text, validate::NAME_MAX) {
            Ok(label) => Some(match lookups.operator(&label)? {
                Some(id) => Creator::Operator(id),
                None => Creator::Label(label),
            }),
            Err(error) => {
                refuse(Some(Column::Creator), error);
                None
            }
        }
    };
    let created_at = match cells.get(Column::Created) {
        "" => Some(None),
        text => match parse_date(text, false) {
            Ok(at) if at > lookups.now => {
                refuse(Some(Column::Created), Error::CreationInFuture);
                None
            }
            Ok(at) => Some(Some(at)),
            Err(error) => {
                refuse(Some(Column::Created), error);
                None
            }
        },
    };
    let expires_at = match cells.get(Column::Expiry) {
        "" => Some(None),
        text => match parse_date(text, true) {
            Ok(at) if created_at.flatten().is_some_and(|created| at <= created) => {
                refuse(Some(Column::Expiry), Error::ExpiryBeforeCreation);
                None
            }
            Ok(at) => Some(Some(at)),
            Err(error) => {
                refuse(Some(Column::Expiry), error);
                None
            }
        },
    };
    let permissions = match validate::permissions(&split_list(cells.get(Column::Permissions))) {
        Ok(permissions) => {
            let missing = service.as_ref().and_then(|service| {
                permissions
                    .iter()
                    .find(|p| !service.permissions.contains(p))
                    .cloned()
            });
            if let Some(missing) = missing {
                refuse(
                    Some(Column::Permissions),
                    Error::PermissionNotOffered(missing),
                );
            }
            Some(permissions)
        }
        Err(error) => {
            refuse(Some(Column::Permissions), error);
            None
        }
    };
    let mut companies = Vec::new();
    for reference in split_list(cells.get(Column::Companies)) {
        match lookups.company(reference)? {
            Some(found) => companies.push(found),
            None => refuse(
                Some(Column::Companies),
                Error::CompanyNotFound(reference.to_owned()),
            ),
        }
    }
    companies.sort_by(|a, b| a.name.cmp(&b.name));
    companies.dedup();
    let note_text = cells.get(Column::Note).replace("\r\n", "\n");
    let note = validate::free_text(Field::Note, &note_text, validate::NOTE_MAX)
        .map_err(|error| refuse(Some(Column::Note), error))
        .ok();
    if problems.len() > before {
        return Ok(None);
    }
    let (
        Some(service),
        Some(name),
        Some(credential),
        Some(creator),
        Some(created_at),
        Some(expires_at),
        Some(permissions),
        Some(note),
    ) = (
        service,
        name,
        credential,
        creator,
        created_at,
        expires_at,
        permissions,
        note,
    )
    else {
        return Err(Error::Internal(
            "import line checked without a verdict".into(),
        ));
    };
    Ok(Some(PlannedKey {
        row: ImportRow {
            line,
            service: service.name.clone(),
            name,
            identifier,
            with_hash: matches!(credential, Credential::Hash(_)),
            creator: if creator_text.is_empty() {
                String::new()
            } else {
                creator_text.to_owned()
            },
            created_at,
            expires_at,
            permissions,
            companies: companies.iter().map(|c| c.name.clone()).collect(),
        },
        service_id: service.id.clone(),
        companies,
        credential,
        creator,
        note,
    }))
}

/// Reads and checks the whole file against the store as it is now.
fn plan(
    connection: &Connection,
    now: DateTime<Utc>,
    cost: password::HashingCost,
    bytes: &[u8],
) -> Result<Plan> {
    if bytes.len() > IMPORT_BYTES_MAX {
        return Err(Error::ImportFileTooLarge(IMPORT_BYTES_MAX / (1024 * 1024)));
    }
    let decoded = decode(bytes)?;
    let delimiter = guess_delimiter(&decoded.text);
    let mut lookups = Lookups {
        connection,
        now,
        cost,
        services: HashMap::new(),
        companies: HashMap::new(),
        operators: HashMap::new(),
        identifiers_seen: HashMap::new(),
        names_seen: HashMap::new(),
    };
    let mut columns: Option<HashMap<Column, usize>> = None;
    let mut keys = Vec::new();
    let mut problems = Vec::new();
    let mut rows = 0_usize;
    let mut refused_rows = 0_usize;
    read_records(&decoded.text, delimiter, |line, fields| {
        if fields.iter().all(|field| field.trim().is_empty()) {
            return Ok(());
        }
        let Some(columns) = &columns else {
            columns = Some(read_header(fields)?);
            return Ok(());
        };
        rows += 1;
        if rows > IMPORT_ROWS_MAX {
            return Err(Error::ImportTooLarge(IMPORT_ROWS_MAX));
        }
        let width = columns.values().max().map_or(0, |last| last + 1);
        if fields.len() > width && fields[width..].iter().any(|f| !f.trim().is_empty()) {
            refused_rows += 1;
            problems.push(RowProblem {
                line,
                column: None,
                error: Error::ImportCellCount {
                    found: fields.len(),
                    expected: width,
                },
            });
            return Ok(());
        }
        let cells = Cells { columns, fields };
        match check_row(&mut lookups, line, &cells, &mut problems)? {
            Some(key) => keys.push(key),
            None => refused_rows += 1,
        }
        Ok(())
    })?;
    if rows == 0 {
        return Err(Error::ImportEmpty);
    }
    Ok(Plan {
        encoding: decoded.encoding,
        delimiter: char::from(delimiter),
        rows,
        keys,
        problems,
        refused_rows,
    })
}

impl Plan {
    fn with_hash(&self) -> usize {
        self.keys.iter().filter(|key| key.row.with_hash).count()
    }
}

impl Sesame {
    /// What importing `bytes` would do: the keys it would create and every line refused, with
    /// nothing written.
    pub fn preview_import(&mut self, session: &Session, bytes: &[u8]) -> Result<ImportPreview> {
        self.require(session, Right::Configuration, AuditAction::KeyImported)?;
        let plan = plan(&self.connection, self.now(), self.cost, bytes)?;
        let with_hash = plan.with_hash();
        let problem_count = plan.problems.len();
        Ok(ImportPreview {
            encoding: plan.encoding,
            delimiter: plan.delimiter,
            rows: plan.rows,
            with_secret: plan.keys.len() - with_hash,
            with_hash,
            sample: plan
                .keys
                .into_iter()
                .take(PREVIEW_ROWS_MAX)
                .map(|key| key.row)
                .collect(),
            problems: plan.problems,
            problem_count,
            refused_rows: plan.refused_rows,
        })
    }

    /// Imports every key of the file, or none: a file with any refused line is refused whole.
    /// Plaintext secrets are hashed on every core before the store is locked; the keys, one
    /// `key.imported` event each and a `key.import_summary` event are written in one
    /// transaction, after the lines are checked again against the store as it is then.
    /// Setting `cancelled` while the secrets are hashed stops the import before anything is
    /// written ([`Error::ImportCancelled`]).
    pub fn import_keys(
        &mut self,
        session: &Session,
        bytes: &[u8],
        progress: &(dyn Fn(ImportProgress) + Sync),
        cancelled: &AtomicBool,
    ) -> Result<ImportOutcome> {
        self.require(session, Right::Configuration, AuditAction::KeyImported)?;
        let plan = plan(&self.connection, self.now(), self.cost, bytes)?;
        if plan.refused_rows > 0 {
            return Err(Error::ImportRefused(plan.refused_rows));
        }
        let to_hash = plan.keys.len() - plan.with_hash();
        let hashed = AtomicUsize::new(0);
        progress(ImportProgress { hashed: 0, to_hash });
        let cost = self.cost;
        let hashes = plan
            .keys
            .par_iter()
            .map(|key| match &key.credential {
                Credential::Hash(phc) => Ok(phc.clone()),
                Credential::Secret(secret) => {
                    if cancelled.load(Ordering::Relaxed) {
                        return Err(Error::ImportCancelled);
                    }
                    let phc = cost.hash(secret.expose_secret().as_bytes())?;
                    let done = hashed.fetch_add(1, Ordering::Relaxed) + 1;
                    if done.is_multiple_of(64) || done == to_hash {
                        progress(ImportProgress {
                            hashed: done,
                            to_hash,
                        });
                    }
                    Ok(phc)
                }
            })
            .collect::<Result<Vec<String>>>()?;
        if cancelled.load(Ordering::Relaxed) {
            return Err(Error::ImportCancelled);
        }
        let encoding = plan.encoding;
        let keys = plan.keys;
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::KeyImported,
            |transaction, now, actor| {
                // The store may have changed since the file was read: check it again, inside
                // the transaction, so that what is written is exactly what was checked.
                let again = plan_keys_still_fit(transaction, &keys)?;
                if again > 0 {
                    return Err(Error::ImportRefused(again));
                }
                let mut insert = transaction.prepare_cached(
                    "INSERT INTO keys (id, service_id, name, name_key, identifier, secret_hash,
                         status, expires_at, note, created_at, created_by, creator_label,
                         usage_unknown)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?8, ?9, ?10, ?11, 1)",
                )?;
                let mut grant = transaction.prepare_cached(
                    "INSERT INTO key_permissions (key_id, permission) VALUES (?1, ?2)",
                )?;
                let mut restrict = transaction.prepare_cached(
                    "INSERT INTO key_companies (key_id, company_id) VALUES (?1, ?2)",
                )?;
                for (key, hash) in keys.iter().zip(&hashes) {
                    let id = crate::new_id();
                    let (created_by, label) = match &key.creator {
                        Creator::Importer => (actor.id.as_str(), None),
                        Creator::Operator(id) => (id.as_str(), None),
                        Creator::Label(label) => (actor.id.as_str(), Some(label.as_str())),
                    };
                    insert.execute(params![
                        id,
                        key.service_id,
                        key.row.name,
                        validate::name_key(&key.row.name),
                        key.row.identifier,
                        hash,
                        key.row.expires_at.map(to_millis),
                        key.note,
                        to_millis(key.row.created_at.unwrap_or(now)),
                        created_by,
                        label,
                    ])?;
                    for permission in &key.row.permissions {
                        grant.execute(params![id, permission])?;
                    }
                    for company in &key.companies {
                        restrict.execute(params![id, company.id])?;
                    }
                    audit::record(
                        transaction,
                        now,
                        Some(actor),
                        AuditAction::KeyImported,
                        Some(Target {
                            kind: RowKind::Key,
                            id: &id,
                            name: &key.row.name,
                        }),
                        json!({
                            "service": key.row.service,
                            "identifier": key.row.identifier,
                            "line": key.row.line,
                            "from": if key.row.with_hash { "hash" } else { "secret" },
                            "creator": key.row.creator,
                            "created_at": key.row.created_at.map(|at| at.to_rfc3339()),
                            "expires_at": key.row.expires_at.map(|at| at.to_rfc3339()),
                            "permissions": key.row.permissions,
                            "companies": key.row.companies,
                            "note": key.note,
                        }),
                    )?;
                }
                let with_hash = keys.iter().filter(|key| key.row.with_hash).count();
                let outcome = ImportOutcome {
                    imported: keys.len(),
                    with_secret: keys.len() - with_hash,
                    with_hash,
                };
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::KeyImportSummary,
                    None,
                    json!({
                        "imported": outcome.imported,
                        "from_secret": outcome.with_secret,
                        "from_hash": outcome.with_hash,
                        "encoding": encoding,
                    }),
                )?;
                Ok(outcome)
            },
        )
    }
}

/// How many planned keys now clash with the store (an identifier or a name taken meanwhile).
/// How many planned keys no longer fit the store as it is now: everything the preview checked
/// against the store is checked again (the identifier and the name still free, the service's
/// permissions still offered, the companies and the creator still there), since the store may
/// have changed while the secrets were hashed.
fn plan_keys_still_fit(connection: &Connection, keys: &[PlannedKey]) -> Result<usize> {
    let mut offered: HashMap<String, Vec<String>> = HashMap::new();
    let mut clashes = 0;
    for key in keys {
        let permissions = match offered.entry(key.service_id.clone()) {
            Entry::Occupied(found) => found.into_mut(),
            Entry::Vacant(slot) => {
                slot.insert(service::permissions_of(connection, &key.service_id)?)
            }
        };
        let permissions_offered = key.row.permissions.iter().all(|p| permissions.contains(p));
        let companies_exist = key.companies.iter().try_fold(true, |all, company| {
            Ok::<_, Error>(all && row_exists(connection, "companies", &company.id)?)
        })?;
        let creator_exists = match &key.creator {
            Creator::Operator(id) => row_exists(connection, "operators", id)?,
            Creator::Importer | Creator::Label(_) => true,
        };
        if key::find_by_identifier(connection, &key.row.identifier)?.is_some()
            || key::key_name_taken(connection, &key.service_id, &key.row.name, "")?
            || !row_exists(connection, "services", &key.service_id)?
            || !permissions_offered
            || !companies_exist
            || !creator_exists
        {
            clashes += 1;
        }
    }
    Ok(clashes)
}

/// Whether `table` still has the row `id` (a fixed table name, never caller text).
fn row_exists(connection: &Connection, table: &'static str, id: &str) -> Result<bool> {
    Ok(connection
        .prepare_cached(&format!(
            "SELECT EXISTS (SELECT 1 FROM {table} WHERE id = ?1)"
        ))?
        .query_row([id], |row| row.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_read_in_french_or_english_without_accents_or_case() {
        assert_eq!(Column::from_header(" Créateur "), Some(Column::Creator));
        assert_eq!(
            Column::from_header("DATE D’EXPIRATION"),
            Some(Column::Expiry)
        );
        assert_eq!(Column::from_header("client_id"), Some(Column::Identifier));
        assert_eq!(Column::from_header("Sociétés"), Some(Column::Companies));
        assert_eq!(Column::from_header("Nom de la clé"), Some(Column::Name));
        assert_eq!(Column::from_header("couleur"), None);
    }

    #[test]
    fn the_separator_is_read_from_the_header() {
        assert_eq!(guess_delimiter("service;nom;\"a,b,c\"\nx,y,z"), b';');
        assert_eq!(guess_delimiter("service,nom,identifiant\n"), b',');
        assert_eq!(guess_delimiter("service\tnom\n"), b'\t');
        assert_eq!(guess_delimiter("service\n"), b',');
    }

    #[test]
    fn records_keep_quoted_line_breaks_and_their_first_line() -> Result<()> {
        let mut seen = Vec::new();
        read_records(
            "a;b\n1;\"deux\nlignes\"\n\n3;\"x;y\"\n",
            b';',
            |line, fields| {
                seen.push((
                    line,
                    fields.iter().map(|f| (*f).to_owned()).collect::<Vec<_>>(),
                ));
                Ok(())
            },
        )?;
        let lines: Vec<u64> = seen.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines.first(), Some(&1));
        assert!(
            seen.iter()
                .any(|(line, f)| *line == 2 && f[1] == "deux\nlignes")
        );
        assert!(seen.iter().any(|(line, f)| *line == 5 && f[1] == "x;y"));
        Ok(())
    }

    #[test]
    fn latin1_and_utf16_are_decoded() -> Result<()> {
        let latin1 = [b's', b'o', b'c', b'i', 0xE9, b't', 0xE9];
        assert_eq!(decode(&latin1)?.text, "société");
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("é;x".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16)?.text, "é;x");
        assert_eq!(decode("\u{feff}abc".as_bytes())?.text, "abc");
        Ok(())
    }

    #[test]
    fn dates_in_office_forms() -> Result<()> {
        let iso = parse_date("2021-01-22", false)?;
        assert_eq!(parse_date("22/01/2021", false)?, iso);
        assert!(parse_date("22/01/2021 08:14", false)? > iso);
        assert!(parse_date("2021-01-22", true)? > parse_date("2021-01-22 23:59", false)?);
        assert!(parse_date("2021-01-22T08:14:00+01:00", false).is_ok());
        for bad in ["22/13/2021", "demain", "2021-02-30"] {
            assert_eq!(
                parse_date(bad, false).map_err(|e| e.code()),
                Err("import_date_invalid")
            );
        }
        Ok(())
    }
}
