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

use crate::store::db::Read;
use chrono::{DateTime, Local, NaiveDate, NaiveDateTime, TimeZone, Utc};
use rayon::prelude::*;
use serde_json::json;
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;
use zeroize::Zeroizing;

use crate::Sesame;
use crate::audit::{self, Target};
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
    Tags,
    Contact,
}

impl Column {
    const ALL: [Column; 13] = [
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
        Column::Tags,
        Column::Contact,
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
            Column::Tags => "tags",
            Column::Contact => "contact",
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
            Column::Tags => &["etiquettes", "etiquette", "tags", "tag", "mots cles"],
            Column::Contact => &["contact", "a contacter", "responsable", "referent"],
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
    tags: Vec<String>,
    contact: String,
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
    max_lifetime_days: Option<u32>,
}

/// Everything the file's lines are checked against, read once per distinct value.
struct Lookups<'c> {
    connection: Read<'c>,
    now: DateTime<Utc>,
    /// The installation's argon2id cost, which an imported hash must stay close to.
    cost: password::HashingCost,
    services: HashMap<String, Option<std::rc::Rc<ServiceInfo>>>,
    companies: HashMap<String, Option<(CompanyRef, bool)>>,
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
                    max_lifetime_days: found.max_lifetime_days,
                }))),
                Err(Error::ServiceNotFound(_)) => Ok(None),
                Err(other) => Err(other),
            },
        )
    }

    /// A company and whether it is archived.
    fn company(&mut self, reference: &str) -> Result<Option<(CompanyRef, bool)>> {
        let connection = self.connection;
        cached(
            &mut self.companies,
            reference,
            |reference| match company::find_with_state(connection, reference) {
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

/// One line's problems, each recorded against its column as the column parsers find them.
struct LineCheck<'p> {
    line: u64,
    problems: &'p mut Vec<RowProblem>,
    before: usize,
}

impl LineCheck<'_> {
    /// The column's value, or `None` once its problem is recorded.
    fn column<T>(&mut self, column: Column, checked: Result<T, Error>) -> Option<T> {
        checked
            .map_err(|error| self.refuse(Some(column), error))
            .ok()
    }

    fn refuse(&mut self, column: Option<Column>, error: Error) {
        self.problems.push(RowProblem {
            line: self.line,
            column,
            error,
        });
    }

    fn refused(&self) -> bool {
        self.problems.len() > self.before
    }
}

/// What a column parser answers: `Err` when the store cannot be read, else the column's value
/// or the problem with it.
type Parsed<T> = Result<Result<T, Error>>;

fn parse_service(lookups: &mut Lookups<'_>, cell: &str) -> Parsed<std::rc::Rc<ServiceInfo>> {
    if cell.is_empty() {
        return Ok(Err(Error::Empty {
            field: Field::ServiceName,
        }));
    }
    Ok(lookups
        .service(cell)?
        .ok_or_else(|| Error::ServiceNotFound(cell.to_owned())))
}

fn parse_name(cell: &str) -> Result<String, Error> {
    validate::name(Field::KeyName, cell, validate::NAME_MAX)
}

/// The name is free in its service, in the store and earlier in the file.
fn check_name_free(
    lookups: &mut Lookups<'_>,
    line: u64,
    service: &ServiceInfo,
    name: &str,
) -> Parsed<()> {
    let name_key = (service.id.clone(), validate::name_key(name));
    if let Some(first) = seen_before(&mut lookups.names_seen, name_key, line) {
        return Ok(Err(Error::ImportDuplicate {
            value: name.to_owned(),
            line: first,
        }));
    }
    if key::key_name_taken(lookups.connection, &service.id, name, "")? {
        return Ok(Err(Error::KeyNameTaken(name.to_owned())));
    }
    Ok(Ok(()))
}

/// An identifier of the right shape, with its service's prefix, free in the store and in the
/// file.
fn parse_identifier(
    lookups: &mut Lookups<'_>,
    line: u64,
    cell: &str,
    service: Option<&ServiceInfo>,
) -> Parsed<String> {
    if cell.is_empty() {
        return Ok(Err(Error::Empty {
            field: Field::Identifier,
        }));
    }
    if !key_format::imported_identifier_ok(cell) {
        return Ok(Err(Error::IdentifierInvalid(cell.to_owned())));
    }
    if let Some(service) = service.filter(|s| !cell.starts_with(&format!("{}_", s.prefix))) {
        return Ok(Err(Error::IdentifierPrefix {
            identifier: cell.to_owned(),
            prefix: service.prefix.clone(),
            service: service.name.clone(),
        }));
    }
    if let Some(first) = seen_before(&mut lookups.identifiers_seen, cell.to_owned(), line) {
        return Ok(Err(Error::ImportDuplicate {
            value: cell.to_owned(),
            line: first,
        }));
    }
    if crate::store::keys::find_by_identifier(lookups.connection, cell.trim())?.is_some() {
        return Ok(Err(Error::IdentifierTaken(cell.to_owned())));
    }
    Ok(Ok(cell.to_owned()))
}

/// The secret or its hash (one of them, not both); the problem names the column it is in.
fn parse_credential(
    identifier: &str,
    secret: &str,
    hash: &str,
    cost: password::HashingCost,
) -> Result<Credential, (Column, Error)> {
    match (secret.is_empty(), hash.is_empty()) {
        (false, false) => Err((Column::Secret, Error::ImportSecretAndHash)),
        (true, true) => Err((Column::Secret, Error::ImportSecretMissing)),
        (false, true) => key_format::check_imported_secret(identifier, secret)
            .map(|()| Credential::Secret(secret_from(secret.to_owned())))
            .map_err(|problem| (Column::Secret, Error::ImportSecretInvalid(problem))),
        (true, false) => password::check_imported_hash(hash, cost)
            .map(|()| Credential::Hash(hash.to_owned()))
            .map_err(|problem| (Column::Hash, Error::ImportHashRefused(problem))),
    }
}

/// Who made the key: the importer when the file does not say, an operator of this store when
/// the name is one, else the name as a label.
fn parse_creator(lookups: &mut Lookups<'_>, cell: &str) -> Parsed<Creator> {
    if cell.is_empty() {
        return Ok(Ok(Creator::Importer));
    }
    let label = match validate::name(Field::Creator, cell, validate::NAME_MAX) {
        Ok(label) => label,
        Err(error) => return Ok(Err(error)),
    };
    Ok(Ok(match lookups.operator(&label)? {
        Some(id) => Creator::Operator(id),
        None => Creator::Label(label),
    }))
}

/// A creation date, not in the future; `None` when the file does not say.
fn parse_created(cell: &str, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>, Error> {
    if cell.is_empty() {
        return Ok(None);
    }
    match parse_date(cell, false)? {
        at if at > now => Err(Error::CreationInFuture),
        at => Ok(Some(at)),
    }
}

/// An expiry after the creation date; `None` for a key that does not expire.
fn parse_expiry(
    cell: &str,
    created_at: Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, Error> {
    if cell.is_empty() {
        return Ok(None);
    }
    match parse_date(cell, true)? {
        at if created_at.is_some_and(|created| at <= created) => Err(Error::ExpiryBeforeCreation),
        at => Ok(Some(at)),
    }
}

/// Valid permissions that the service offers.
fn parse_permissions(cell: &str, service: Option<&ServiceInfo>) -> Result<Vec<String>, Error> {
    let permissions = validate::permissions(&split_list(cell))?;
    let not_offered = service.and_then(|service| {
        permissions
            .iter()
            .find(|p| !service.permissions.contains(p))
    });
    match not_offered {
        Some(missing) => Err(Error::PermissionNotOffered(missing.clone())),
        None => Ok(permissions),
    }
}

/// Companies of the store that are not archived, each named once; every unknown or archived one
/// is a problem of its own.
fn parse_companies(
    lookups: &mut Lookups<'_>,
    cell: &str,
) -> Result<Result<Vec<CompanyRef>, Vec<Error>>> {
    let mut companies = Vec::new();
    let mut unknown = Vec::new();
    for reference in split_list(cell) {
        match lookups.company(reference)? {
            Some((found, false)) => companies.push(found),
            // A new key is never restricted to an archived company.
            Some((found, true)) => unknown.push(Error::CompanyArchived(found.name)),
            None => unknown.push(Error::CompanyNotFound(reference.to_owned())),
        }
    }
    if !unknown.is_empty() {
        return Ok(Err(unknown));
    }
    companies.sort_by(|a, b| a.name.cmp(&b.name));
    companies.dedup();
    Ok(Ok(companies))
}

fn parse_note(cell: &str) -> Result<String, Error> {
    validate::free_text(Field::Note, &cell.replace("\r\n", "\n"), validate::NOTE_MAX)
}

/// Checks one line, one column after the other; problems go to `problems`, and a line without
/// any becomes a key. The preview and the import's transaction both run it.
fn check_row(
    lookups: &mut Lookups<'_>,
    line: u64,
    cells: &Cells<'_>,
    problems: &mut Vec<RowProblem>,
) -> Result<Option<PlannedKey>> {
    let before = problems.len();
    let mut check = LineCheck {
        line,
        problems,
        before,
    };
    let service = parse_service(lookups, cells.get(Column::Service))?;
    let service = check.column(Column::Service, service);
    let name = check.column(Column::Name, parse_name(cells.get(Column::Name)));
    let identifier_cell = cells.get(Column::Identifier);
    let identifier = parse_identifier(lookups, line, identifier_cell, service.as_deref())?;
    let identifier = check.column(Column::Identifier, identifier);
    if let (Some(service), Some(name)) = (&service, &name) {
        let free = check_name_free(lookups, line, service, name)?;
        check.column(Column::Name, free);
    }
    let credential = parse_credential(
        identifier_cell,
        cells.get(Column::Secret),
        cells.get(Column::Hash),
        lookups.cost,
    )
    .map_err(|(column, error)| check.refuse(Some(column), error))
    .ok();
    let creator = parse_creator(lookups, cells.get(Column::Creator))?;
    let creator = check.column(Column::Creator, creator);
    let created_at = check.column(
        Column::Created,
        parse_created(cells.get(Column::Created), lookups.now),
    );
    let expires_at = check.column(
        Column::Expiry,
        parse_expiry(cells.get(Column::Expiry), created_at.flatten()).and_then(|expires_at| {
            // An imported key is a new key: its service's maximum lifetime holds.
            match &service {
                Some(service) => service::check_lifetime(
                    &service.name,
                    service.max_lifetime_days,
                    expires_at,
                    lookups.now,
                )
                .map(|()| expires_at),
                None => Ok(expires_at),
            }
        }),
    );
    let permissions = check.column(
        Column::Permissions,
        parse_permissions(cells.get(Column::Permissions), service.as_deref()),
    );
    let companies = match parse_companies(lookups, cells.get(Column::Companies))? {
        Ok(companies) => Some(companies),
        Err(unknown) => {
            for error in unknown {
                check.refuse(Some(Column::Companies), error);
            }
            None
        }
    };
    let note = check.column(Column::Note, parse_note(cells.get(Column::Note)));
    let tags = check.column(Column::Tags, validate::tags(&[cells.get(Column::Tags)]));
    let contact = check.column(
        Column::Contact,
        validate::contact(cells.get(Column::Contact)),
    );
    if check.refused() {
        return Ok(None);
    }
    let (
        Some(service),
        Some(name),
        Some(identifier),
        Some(credential),
        Some(creator),
        Some(created_at),
        Some(expires_at),
        Some(permissions),
        Some(companies),
        Some(note),
        Some(tags),
        Some(contact),
    ) = (
        service,
        name,
        identifier,
        credential,
        creator,
        created_at,
        expires_at,
        permissions,
        companies,
        note,
        tags,
        contact,
    )
    else {
        return Err(Error::Internal(
            "import line checked without a verdict".into(),
        ));
    };
    Ok(Some(PlannedKey {
        tags,
        contact,
        row: ImportRow {
            line,
            service: service.name.clone(),
            name,
            identifier,
            with_hash: matches!(credential, Credential::Hash(_)),
            creator: cells.get(Column::Creator).to_owned(),
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
    connection: Read<'_>,
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
        let plan = plan(Read::from(&self.connection), self.now(), self.cost, bytes)?;
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
    /// Setting `cancelled` at any moment before the transaction commits (while the secrets are
    /// hashed, the store is awaited or the keys are written) stops the import with nothing
    /// written ([`Error::ImportCancelled`]).
    pub fn import_keys(
        &mut self,
        session: &Session,
        bytes: &[u8],
        progress: &(dyn Fn(ImportProgress) + Sync),
        cancelled: &AtomicBool,
    ) -> Result<ImportOutcome> {
        self.require(session, Right::Configuration, AuditAction::KeyImported)?;
        let checked = plan(Read::from(&self.connection), self.now(), self.cost, bytes)?;
        if checked.refused_rows > 0 {
            return Err(Error::ImportRefused(checked.refused_rows));
        }
        let to_hash = checked.keys.len() - checked.with_hash();
        let hashed = AtomicUsize::new(0);
        progress(ImportProgress { hashed: 0, to_hash });
        let cost = self.cost;
        // Each secret's hash, by identifier (unique in a file that passed the check).
        let hashes = checked
            .keys
            .par_iter()
            .filter_map(|key| match &key.credential {
                Credential::Hash(_) => None,
                Credential::Secret(secret) => Some((key, secret)),
            })
            .map(|(key, secret)| {
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
                Ok((key.row.identifier.clone(), phc))
            })
            .collect::<Result<HashMap<String, String>>>()?;
        if cancelled.load(Ordering::Relaxed) {
            return Err(Error::ImportCancelled);
        }
        drop(checked);
        self.act(
            session,
            Some(Right::Configuration),
            AuditAction::KeyImported,
            |transaction, now, actor| {
                // The store may have changed while the secrets were hashed: the file is checked
                // again, inside the transaction and by the same code as the preview, so that
                // what is written is exactly what passed the check.
                let again = plan(transaction.read(), now, cost, bytes)?;
                if again.refused_rows > 0 {
                    return Err(Error::ImportRefused(again.refused_rows));
                }
                let encoding = again.encoding;
                let keys = again.keys;
                for (written, key) in keys.iter().enumerate() {
                    // A cancel while the store was awaited or the keys are written: rolled back.
                    if written % 256 == 0 && cancelled.load(Ordering::Relaxed) {
                        return Err(Error::ImportCancelled);
                    }
                    let secret_hash = match &key.credential {
                        Credential::Hash(phc) => phc.as_str(),
                        Credential::Secret(_) => hashes
                            .get(&key.row.identifier)
                            .map(String::as_str)
                            .ok_or_else(|| Error::Internal("imported secret not hashed".into()))?,
                    };
                    let id = crate::new_id();
                    let (created_by, creator_label) = match &key.creator {
                        Creator::Importer => (actor.id.as_str(), None),
                        Creator::Operator(id) => (id.as_str(), None),
                        Creator::Label(label) => (actor.id.as_str(), Some(label.as_str())),
                    };
                    crate::store::keys::insert(
                        transaction,
                        &crate::store::keys::KeyRecord {
                            id: &id,
                            service_id: &key.service_id,
                            name: &key.row.name,
                            name_key: &validate::name_key(&key.row.name),
                            identifier: &key.row.identifier,
                            secret_hash,
                            expires_at: key.row.expires_at,
                            note: &key.note,
                            created_at: key.row.created_at.unwrap_or(now),
                            created_by,
                            creator_label,
                            usage_unknown: true,
                            permissions: &key.row.permissions,
                            companies: &key.companies,
                            tags: &key.tags,
                            contact: &key.contact,
                        },
                    )?;
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
                            "tags": key.tags,
                            "contact": key.contact,
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
                // The last moment a cancel is obeyed: after it, the import is committed whole.
                if cancelled.load(Ordering::Relaxed) {
                    return Err(Error::ImportCancelled);
                }
                Ok(outcome)
            },
        )
    }
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
