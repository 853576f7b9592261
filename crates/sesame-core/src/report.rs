//! The credential report: one CSV row per key, like a cloud provider's, that opens as columns in
//! LibreOffice and in French Excel (UTF-8 byte-order mark, `;` between cells, RFC 4180 quoting)
//! and cannot run anything there (cells that would start a formula are escaped).

use std::io::Write;

use chrono::{DateTime, Utc};
use serde_json::json;

use crate::Sesame;
use crate::error::{Error, Lang, Result};
use crate::key::{Key, KeyFilter, KeySort, PAGE_MAX, Usage};
use crate::messages;
use crate::operator::{Right, Session};
use crate::vocab::AuditAction;

/// A cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a tab or carriage
/// return before one) gets a leading apostrophe, OWASP's advice against CSV injection.
pub fn escape_cell(text: &str) -> String {
    match text.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{text}"),
        _ => text.to_owned(),
    }
}

fn date(at: DateTime<Utc>, lang: Lang) -> String {
    messages::date_time(lang, at)
}

fn optional_date(at: Option<DateTime<Utc>>, lang: Lang) -> String {
    at.map(|at| date(at, lang)).unwrap_or_default()
}

/// The last day a key works (it expires at the following midnight).
fn expiry(at: Option<DateTime<Utc>>, lang: Lang) -> String {
    let Some(at) = at else {
        return messages::word(lang, "report-no-expiry");
    };
    messages::last_valid_day(lang, at)
}

/// The report's columns, in order; their titles are `report-column-<code>` in the catalogue.
const COLUMNS: [&str; 16] = [
    "service",
    "key",
    "identifier",
    "status",
    "created",
    "created_by",
    "last_use",
    "expiry",
    "permissions",
    "companies",
    "last_regeneration",
    "revoked",
    "revoked_by",
    "revocation_reason",
    "tags",
    "contact",
];

fn header(lang: Lang) -> Vec<String> {
    COLUMNS
        .iter()
        .map(|column| messages::word(lang, &format!("report-column-{column}")))
        .collect()
}

/// The client codes of the companies that have one, to name them as the office does.
type ClientCodes = std::collections::HashMap<String, String>;

fn row(key: &Key, lang: Lang, codes: &ClientCodes) -> [String; 16] {
    let last_use = match key.last_use {
        Usage::Never => messages::word(lang, "report-never-used"),
        Usage::Unknown => messages::word(lang, "report-use-unknown"),
        Usage::At(at) => date(at, lang),
    };
    let companies = match key.companies.is_empty() {
        true => messages::word(lang, "report-all-companies"),
        false => key
            .companies
            .iter()
            .map(|c| match codes.get(&c.id) {
                Some(code) => format!("{} ({code})", c.name),
                None => c.name.clone(),
            })
            .collect::<Vec<_>>()
            .join(", "),
    };
    [
        key.service_name.clone(),
        key.name.clone(),
        key.identifier.clone(),
        messages::status(lang, key.status),
        date(key.created_at, lang),
        key.creator_name.clone(),
        last_use,
        expiry(key.expires_at, lang),
        key.permissions.join(", "),
        companies,
        optional_date(key.regenerated_at, lang),
        optional_date(key.revoked_at, lang),
        key.revoked_by.clone().unwrap_or_default(),
        key.revoked_reason.clone().unwrap_or_default(),
        key.tags.join(", "),
        key.contact.clone(),
    ]
}

impl Sesame {
    /// Writes the credential report of every key (deleted ones aside) for an operator with the
    /// audit right, in `lang`; the report itself is audited. Answers the number of rows.
    pub fn credential_report(
        &mut self,
        session: &Session,
        lang: Lang,
        out: &mut dyn Write,
    ) -> Result<u64> {
        self.require(session, Right::Audit, AuditAction::ReportCredentials)?;
        let write_error = |error: csv::Error| Error::ExportWrite(error.to_string());
        out.write_all("\u{feff}".as_bytes())
            .map_err(|error| Error::ExportWrite(error.to_string()))?;
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        writer.write_record(header(lang)).map_err(write_error)?;
        // Every page from one moment: keys created or changed meanwhile neither shift the pages
        // (a row twice, another never) nor appear half.
        let rows = self.connection.db().snapshot(|| {
            let codes: ClientCodes = crate::store::usage::client_codes(&self.connection)?
                .into_iter()
                .collect();
            let mut rows = 0_u64;
            loop {
                let filter = KeyFilter {
                    sort: KeySort::default(),
                    offset: rows,
                    limit: PAGE_MAX,
                    ..KeyFilter::default()
                };
                let page = self.keys(session, &filter)?;
                for key in &page.keys {
                    let cells = row(key, lang, &codes).map(|cell| escape_cell(&cell));
                    writer.write_record(&cells).map_err(write_error)?;
                }
                rows += page.keys.len() as u64;
                if page.keys.is_empty() || rows >= page.total {
                    return Ok(rows);
                }
            }
        })?;
        writer
            .flush()
            .map_err(|error| Error::ExportWrite(error.to_string()))?;
        self.record_done(
            session,
            Right::Audit,
            AuditAction::ReportCredentials,
            json!({"rows": rows}),
        )?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_that_would_be_formulas_are_escaped() {
        for dangerous in ["=1+1", "+33 1 23", "-2", "@SUM(A1)", "\t=1", "\r=1"] {
            assert!(escape_cell(dangerous).starts_with('\''), "{dangerous:?}");
        }
        for harmless in ["Paie", "", "1-2", "a=b", "'déjà"] {
            assert_eq!(escape_cell(harmless), harmless);
        }
    }
}
