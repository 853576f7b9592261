//! Printing results: plain text in the interface language, or JSON with `--json`. The JSON
//! views are the command line's own types; the core's types are not serialisable.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Value, json};
use sesame_core::company::{Company, CompanyRef};
use sesame_core::key::{Key, KeyStatus, Usage};
use sesame_core::messages::{self, Arg};
use sesame_core::service::Service;
use sesame_core::{Lang, Operator};

use crate::error::CliError;

/// Writes a line to standard output. A reader that went away (`sesamectl key list | head -1`)
/// is not an error: what the command did is done, and nobody reads the rest.
fn line(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let written = writeln!(out, "{text}").and_then(|()| out.flush());
    if let Err(error) = written
        && error.kind() != std::io::ErrorKind::BrokenPipe
    {
        eprintln!("{error}");
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Output {
    pub json: bool,
    pub lang: Lang,
}

impl Output {
    /// Prints a result: `text` for people, `value` for programs.
    pub fn print(&self, text: impl FnOnce() -> String, value: impl FnOnce() -> Value) {
        if self.json {
            line(&value().to_string());
        } else {
            let text = text();
            if !text.is_empty() {
                line(&text);
            }
        }
    }

    pub fn error(&self, error: &CliError) {
        let message = error.message(self.lang);
        if self.json {
            line(&json!({"error": {"code": error.code(), "message": message}}).to_string());
        } else {
            eprintln!("{} {message}", self.say("cli-error"));
        }
    }

    /// A date as people in the interface language write it: 22/01/2021 08:14.
    pub fn date(&self, at: DateTime<Utc>) -> String {
        messages::date_time(self.lang, at)
    }

    /// An expiry as the last day the key works: a key expiring at midnight ending 31/12 shows
    /// « 31/12/2027 ».
    pub fn expiry(&self, expires_at: Option<DateTime<Utc>>) -> String {
        match expires_at {
            Some(at) => messages::last_valid_day(self.lang, at),
            None => self.say("cli-no_expiry").to_owned(),
        }
    }

    /// A message of the catalogue without placeholders, in the interface language.
    pub fn say(&self, id: &str) -> String {
        messages::word(self.lang, id)
    }

    /// A message of the catalogue with its placeholders filled.
    pub fn text(&self, id: &str, args: &[(&str, Arg)]) -> String {
        messages::text(self.lang, id, args)
    }

    /// A counted thing in words, its plural chosen by the catalogue (« 1 clé », « 2 clés »,
    /// « aucune clé »).
    pub fn count(&self, id: &str, count: impl Into<messages::Number>) -> String {
        messages::text(self.lang, id, &[("count", Arg::number(count))])
    }

    pub fn last_use(&self, usage: Usage) -> String {
        match usage {
            Usage::Never => self.say("cli-never_used").to_owned(),
            Usage::Unknown => self.say("cli-use_unknown").to_owned(),
            Usage::At(at) => self.date(at),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CompanyRefView {
    pub id: String,
    pub name: String,
}

impl From<&CompanyRef> for CompanyRefView {
    fn from(company: &CompanyRef) -> Self {
        CompanyRefView {
            id: company.id.clone(),
            name: company.name.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct CompanyView {
    pub id: String,
    pub name: String,
    pub client_code: Option<String>,
    pub siren: Option<String>,
    pub town: Option<String>,
    pub created_at: DateTime<Utc>,
    pub archived_at: Option<DateTime<Utc>>,
    pub keys: u64,
}

impl From<&Company> for CompanyView {
    fn from(company: &Company) -> Self {
        CompanyView {
            id: company.id.clone(),
            name: company.name.clone(),
            client_code: company.client_code.clone(),
            siren: company.siren.clone(),
            town: company.town.clone(),
            created_at: company.created_at,
            archived_at: company.archived_at,
            keys: company.keys,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ServiceView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub website: Option<String>,
    pub category: String,
    pub key_prefix: String,
    pub permissions: Vec<String>,
    pub listed: bool,
    pub created_at: DateTime<Utc>,
    pub creator: String,
    pub active_keys: u64,
    pub max_lifetime_days: Option<u32>,
}

impl From<&Service> for ServiceView {
    fn from(service: &Service) -> Self {
        ServiceView {
            id: service.id.clone(),
            name: service.name.clone(),
            description: service.description.clone(),
            website: service.website.clone(),
            category: service.category.clone(),
            key_prefix: service.key_prefix.clone(),
            permissions: service.permissions.clone(),
            listed: service.listed,
            created_at: service.created_at,
            creator: service.creator_name.clone(),
            active_keys: service.active_keys,
            max_lifetime_days: service.max_lifetime_days,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct KeyView {
    pub id: String,
    pub service_id: String,
    pub service: String,
    pub name: String,
    pub identifier: String,
    pub status: KeyStatus,
    pub expires_at: Option<DateTime<Utc>>,
    pub permissions: Vec<String>,
    pub companies: Vec<CompanyRefView>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub creator: String,
    /// `"never"`, `"unknown"` or the instant.
    pub last_use: Value,
    pub use_count: u64,
    pub failed_attempts: u64,
    pub regenerated_at: Option<DateTime<Utc>>,
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub revoked_reason: Option<String>,
    pub tags: Vec<String>,
    pub contact: String,
}

impl From<&Key> for KeyView {
    fn from(key: &Key) -> Self {
        KeyView {
            id: key.id.clone(),
            service_id: key.service_id.clone(),
            service: key.service_name.clone(),
            name: key.name.clone(),
            identifier: key.identifier.clone(),
            status: key.status,
            expires_at: key.expires_at,
            permissions: key.permissions.clone(),
            companies: key.companies.iter().map(CompanyRefView::from).collect(),
            note: key.note.clone(),
            created_at: key.created_at,
            creator: key.creator_name.clone(),
            last_use: match key.last_use {
                Usage::Never => json!("never"),
                Usage::Unknown => json!("unknown"),
                Usage::At(at) => json!(at),
            },
            use_count: key.use_count,
            failed_attempts: key.failed_attempts,
            regenerated_at: key.regenerated_at,
            previous_secret_valid_until: key.previous_secret_valid_until,
            revoked_at: key.revoked_at,
            revoked_by: key.revoked_by.clone(),
            revoked_reason: key.revoked_reason.clone(),
            tags: key.tags.clone(),
            contact: key.contact.clone(),
        }
    }
}

/// Serialises a view; views hold only strings, numbers and dates, so this cannot fail.
pub fn to_value<T: Serialize>(view: T) -> Value {
    serde_json::to_value(view).unwrap_or(Value::Null)
}

#[derive(Debug, Serialize)]
pub struct OperatorView {
    pub id: String,
    pub name: String,
    pub rights: Vec<&'static str>,
    pub disabled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
}

impl From<&Operator> for OperatorView {
    fn from(operator: &Operator) -> Self {
        OperatorView {
            id: operator.id.clone(),
            name: operator.name.clone(),
            rights: operator.rights.codes(),
            disabled_at: operator.disabled_at,
            created_at: operator.created_at,
            created_by: operator.created_by.clone(),
        }
    }
}
