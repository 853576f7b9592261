//! The app's edge types: what crosses to the webview and back. Core types are not
//! serialisable; these are, and ts-rs writes their TypeScript twins to `ui/src/bindings/`.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sesame_core::audit::AuditEvent;
use sesame_core::company::{Company, CompanyDraft};
use sesame_core::journal::ChainStatus;
use sesame_core::key::{Key, Usage};
use sesame_core::secret::EdgeSecret;
use sesame_core::service::Service;
use sesame_core::usage::UsageStyle;
use sesame_core::vocab::{BulkChangeKind, Health, KeyAction, KeyEffect, KeySort, KeyStatus, Lang};
use sesame_core::{InstallationKey, Operator, Rights, SigningKeyHome};
use ts_rs::TS;

/// Dates cross as RFC 3339 text; the interface formats them in its language.
fn rfc3339(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn rfc3339_opt(at: Option<DateTime<Utc>>) -> Option<String> {
    at.map(rfc3339)
}

/// The signed-in operator and what it may do (the interface hides what it may not; the core
/// refuses it anyway).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OperatorView {
    pub id: String,
    pub name: String,
    pub rights: RightsView,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RightsView {
    pub configuration: bool,
    pub audit: bool,
}

impl From<Rights> for RightsView {
    fn from(rights: Rights) -> Self {
        RightsView {
            configuration: rights.configuration,
            audit: rights.audit,
        }
    }
}

impl From<RightsView> for Rights {
    fn from(rights: RightsView) -> Self {
        Rights {
            configuration: rights.configuration,
            audit: rights.audit,
        }
    }
}

/// An operator as the settings screen lists it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OperatorAccountView {
    pub id: String,
    pub name: String,
    pub rights: RightsView,
    pub disabled: bool,
    pub created_at: String,
    pub created_by: Option<String>,
}

impl From<&Operator> for OperatorAccountView {
    fn from(operator: &Operator) -> Self {
        OperatorAccountView {
            id: operator.id.clone(),
            name: operator.name.clone(),
            rights: operator.rights.into(),
            disabled: operator.disabled_at.is_some(),
            created_at: rfc3339(operator.created_at),
            created_by: operator.created_by.clone(),
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize, TS)]
#[ts(export)]
pub struct PasswordStrengthView {
    /// 0 (guessed at once) to 4.
    pub score: u8,
    pub acceptable: bool,
}

/// Where a signing key is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SigningKeyPlace {
    Keyring,
    File,
    Error,
}

/// What is known of a key's last use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LastUse {
    Never,
    /// Imported: its uses elsewhere are not known.
    Unknown,
    At,
}

/// Where the installation's signing key lives, for the settings screen.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SigningKeyView {
    pub home: SigningKeyPlace,
    /// The keyring entry or the file's path.
    pub place: String,
    pub fingerprint: String,
    /// Why the keyring was not used, or why the key could not be loaded.
    pub problem: Option<String>,
}

impl From<&InstallationKey> for SigningKeyView {
    fn from(key: &InstallationKey) -> Self {
        let (home, place, problem) = match key.home() {
            SigningKeyHome::Keyring { service, entry } => (
                SigningKeyPlace::Keyring,
                format!("{service} / {entry}"),
                None,
            ),
            SigningKeyHome::File {
                path,
                keyring_problem,
            } => (
                SigningKeyPlace::File,
                path.display().to_string(),
                Some(keyring_problem.clone()),
            ),
        };
        SigningKeyView {
            home,
            place,
            fingerprint: key.fingerprint(),
            problem,
        }
    }
}

/// Why the app could not open its store, for the window it shows instead of its screens: what
/// happened and what to do, in words.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct StoreProblemView {
    pub message: String,
    pub advice: String,
    pub store: String,
    pub language: sesame_core::Lang,
}

impl StoreProblemView {
    pub fn new(error: &sesame_core::Error, store: String, lang: sesame_core::Lang) -> Self {
        use sesame_core::Error;
        let advice = match error {
            Error::StateKeyMissing | Error::StateKeyUnavailable(_) => "store-problem-advice-key",
            Error::StoreCorrupt(_) | Error::StoreNotSesame(_) | Error::StoreNotSqlite(_) => {
                "store-problem-advice-damaged"
            }
            Error::StoreTooNew { .. } => "store-problem-advice-newer",
            Error::StoreInUse | Error::StoreRestoring | Error::StoreBusy => {
                "store-problem-advice-busy"
            }
            Error::StoreReadOnly(_) | Error::StoreUnavailable(..) => "store-problem-advice-access",
            _ => "store-problem-advice-other",
        };
        StoreProblemView {
            message: error.message(lang),
            advice: sesame_core::messages::word(lang, advice),
            store,
            language: lang,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppStatus {
    pub initialised: bool,
    pub operator: Option<OperatorView>,
    /// Signed in but locked: the interface asks for the password again.
    pub locked: bool,
    pub language: Lang,
    /// The shortest password the core accepts.
    pub password_min: u32,
    pub clipboard_seconds: u32,
    pub lock_minutes: u32,
    pub token_hours: u32,
    /// How many days ahead the app warns of expiring keys.
    pub warning_days: u32,
    pub store: String,
    /// `None` while the keyring is still being asked.
    pub signing_key: Option<SigningKeyView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ServiceView {
    pub id: String,
    pub name: String,
    pub description: String,
    pub website: Option<String>,
    pub category: String,
    pub key_prefix: String,
    pub permissions: Vec<String>,
    pub listed: bool,
    pub created_at: String,
    pub creator: String,
    #[ts(type = "number")]
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
            created_at: rfc3339(service.created_at),
            creator: service.creator_name.clone(),
            active_keys: service.active_keys,
            max_lifetime_days: service.max_lifetime_days,
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct ServiceInput {
    pub name: String,
    pub description: String,
    pub website: String,
    pub category: String,
    pub prefix: String,
    pub permissions: Vec<String>,
    /// The longest a key may live, in days; none for no limit.
    pub max_lifetime_days: Option<u32>,
}

/// A key checked by hand: the service's answer, in words.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KeyCheckView {
    pub code: sesame_core::verify::VerifyCode,
    pub valid: bool,
    pub message: String,
    pub key_name: Option<String>,
    pub service_name: Option<String>,
}

impl KeyCheckView {
    pub fn worded(check: &sesame_core::verify::HandCheck, lang: Lang) -> KeyCheckView {
        KeyCheckView {
            code: check.code,
            valid: check.code == sesame_core::verify::VerifyCode::Valid,
            message: sesame_core::messages::word(lang, &format!("verify-{}", check.code.code())),
            key_name: check.key_name.clone(),
            service_name: check.service_name.clone(),
        }
    }
}

/// A signed export checked in the app, as `sesamectl audit verify` would.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportCheckView {
    pub ok: bool,
    /// `ok`, `changed`, `truncated`, `bad_signature`…
    pub code: String,
    pub message: String,
    #[ts(type = "number")]
    pub events: u64,
    pub fingerprint: Option<String>,
}

/// A client company, for the « Sociétés » screen and the key forms.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CompanyView {
    pub id: String,
    pub name: String,
    pub client_code: Option<String>,
    pub siren: Option<String>,
    pub town: Option<String>,
    pub archived: bool,
    /// Keys restricted to it.
    #[ts(type = "number")]
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
            archived: company.archived_at.is_some(),
            keys: company.keys,
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct CompanyInput {
    pub name: String,
    pub client_code: String,
    pub siren: String,
    pub town: String,
}

impl From<CompanyInput> for CompanyDraft {
    fn from(input: CompanyInput) -> Self {
        CompanyDraft {
            name: input.name,
            client_code: input.client_code,
            siren: input.siren,
            town: input.town,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct NamedRef {
    pub id: String,
    pub name: String,
}

impl From<(String, String)> for NamedRef {
    fn from((id, name): (String, String)) -> NamedRef {
        NamedRef { id, name }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KeyView {
    pub id: String,
    pub service_id: String,
    pub service: String,
    pub name: String,
    pub identifier: String,
    pub status: KeyStatus,
    /// What the core's lifecycle allows on this key now, in the order the list shows them.
    pub actions: Vec<KeyAction>,
    pub expires_at: Option<String>,
    pub permissions: Vec<String>,
    pub companies: Vec<NamedRef>,
    pub note: String,
    pub created_at: String,
    pub creator: String,
    /// `at`: `last_used_at` holds the date.
    pub last_use: LastUse,
    pub last_used_at: Option<String>,
    #[ts(type = "number")]
    pub use_count: u64,
    pub regenerated_at: Option<String>,
    pub previous_secret_valid_until: Option<String>,
    pub revoked_at: Option<String>,
    pub revoked_by: Option<String>,
    pub revoked_reason: Option<String>,
    pub tags: Vec<String>,
    pub contact: String,
}

impl From<&Key> for KeyView {
    fn from(key: &Key) -> Self {
        let (last_use, last_used_at) = match key.last_use {
            Usage::Never => (LastUse::Never, None),
            Usage::Unknown => (LastUse::Unknown, None),
            Usage::At(at) => (LastUse::At, Some(rfc3339(at))),
        };
        KeyView {
            id: key.id.clone(),
            service_id: key.service_id.clone(),
            service: key.service_name.clone(),
            name: key.name.clone(),
            identifier: key.identifier.clone(),
            status: key.status,
            actions: KeyAction::ALL
                .iter()
                .copied()
                .filter(|action| action.allowed_from(key.stored_status))
                .collect(),
            expires_at: rfc3339_opt(key.expires_at),
            permissions: key.permissions.clone(),
            companies: key
                .companies
                .iter()
                .map(|c| NamedRef {
                    id: c.id.clone(),
                    name: c.name.clone(),
                })
                .collect(),
            note: key.note.clone(),
            created_at: rfc3339(key.created_at),
            creator: key.creator_name.clone(),
            last_use,
            last_used_at,
            use_count: key.use_count,
            regenerated_at: rfc3339_opt(key.regenerated_at),
            previous_secret_valid_until: rfc3339_opt(key.previous_secret_valid_until),
            revoked_at: rfc3339_opt(key.revoked_at),
            revoked_by: key.revoked_by.clone(),
            revoked_reason: key.revoked_reason.clone(),
            tags: key.tags.clone(),
            contact: key.contact.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct KeyFilterInput {
    pub service: Option<String>,
    pub company: Option<String>,
    /// None for all.
    pub status: Option<KeyStatus>,
    pub name_contains: String,
    pub creator: Option<String>,
    /// Keys with this tag, or none.
    pub tag: Option<String>,
    /// A health check, or none.
    pub health: Option<Health>,
    pub sort: KeySort,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct KeyPageView {
    pub keys: Vec<KeyView>,
    #[ts(type = "number")]
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct NewKeyInput {
    pub service: String,
    pub name: String,
    /// `YYYY-MM-DD`, the last day the key works; empty for none.
    pub expires: String,
    pub permissions: Vec<String>,
    pub companies: Vec<String>,
    pub note: String,
    /// Older callers may leave these out.
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub contact: String,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct KeyEditInput {
    pub name: String,
    pub note: String,
    pub permissions: Vec<String>,
    pub companies: Vec<String>,
    /// `YYYY-MM-DD`; empty removes the expiry.
    pub expires: String,
    /// Older callers may leave these out.
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub contact: String,
}

/// What the one-time dialog shows. The secret crosses to the webview only here, once.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct OneTimeView {
    pub key: KeyView,
    pub identifier: String,
    #[ts(type = "string")]
    pub secret: EdgeSecret,
    #[ts(type = "string")]
    pub token: EdgeSecret,
    pub regenerated: bool,
    /// The usage lines with the real secret: shown only here.
    pub usage: Vec<UsageLineView>,
}

/// A ready-to-copy `curl` line: `bearer`, `api_key`, `basic` or `token`.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UsageLineView {
    pub style: UsageStyle,
    /// Holds the real secret in the one-time dialog.
    #[ts(type = "string")]
    pub line: EdgeSecret,
}

/// The store's recovery code, shown once on the first-run screen (it brings a lost state key
/// back: `sesamectl store reseal`).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RecoveryCodeView {
    #[ts(type = "string")]
    pub code: EdgeSecret,
}

/// A token issued by hand, shown once.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AccessTokenView {
    pub key: KeyView,
    #[ts(type = "string")]
    pub token: EdgeSecret,
    pub expires_at: String,
    pub hours: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportRowView {
    #[ts(type = "number")]
    pub line: u64,
    pub service: String,
    pub name: String,
    pub identifier: String,
    pub with_hash: bool,
    pub creator: String,
    pub created_at: Option<String>,
    pub expires_at: Option<String>,
    pub permissions: Vec<String>,
    pub companies: Vec<String>,
}

impl From<&sesame_core::import::ImportRow> for ImportRowView {
    fn from(row: &sesame_core::import::ImportRow) -> Self {
        ImportRowView {
            line: row.line,
            service: row.service.clone(),
            name: row.name.clone(),
            identifier: row.identifier.clone(),
            with_hash: row.with_hash,
            creator: row.creator.clone(),
            created_at: rfc3339_opt(row.created_at),
            expires_at: rfc3339_opt(row.expires_at),
            permissions: row.permissions.clone(),
            companies: row.companies.clone(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportProblemView {
    #[ts(type = "number")]
    pub line: u64,
    /// The column's name in the interface language, when the problem is about one.
    pub column: Option<String>,
    pub code: String,
    pub message: String,
}

/// How many refused lines the import screen lists; the rest are counted.
const IMPORT_PROBLEMS_SHOWN: usize = 1_000;

/// What an import would do; nothing is written yet.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportPreviewView {
    pub encoding: String,
    pub delimiter: String,
    #[ts(type = "number")]
    pub rows: usize,
    #[ts(type = "number")]
    pub with_secret: usize,
    #[ts(type = "number")]
    pub with_hash: usize,
    pub sample: Vec<ImportRowView>,
    pub problems: Vec<ImportProblemView>,
    #[ts(type = "number")]
    pub problem_count: usize,
    #[ts(type = "number")]
    pub refused_rows: usize,
}

impl ImportPreviewView {
    pub fn new(preview: &sesame_core::import::ImportPreview, lang: sesame_core::Lang) -> Self {
        ImportPreviewView {
            encoding: preview.encoding.to_owned(),
            delimiter: preview.delimiter.to_string(),
            rows: preview.rows,
            with_secret: preview.with_secret,
            with_hash: preview.with_hash,
            sample: preview.sample.iter().map(ImportRowView::from).collect(),
            problems: preview
                .problems
                .iter()
                .take(IMPORT_PROBLEMS_SHOWN)
                .map(|problem| ImportProblemView {
                    line: problem.line,
                    column: problem.column.map(|column| column.label(lang).to_owned()),
                    code: problem.error.code().to_owned(),
                    message: problem.error.message(lang),
                })
                .collect(),
            problem_count: preview.problem_count,
            refused_rows: preview.refused_rows,
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportOutcomeView {
    #[ts(type = "number")]
    pub imported: usize,
    #[ts(type = "number")]
    pub with_secret: usize,
    #[ts(type = "number")]
    pub with_hash: usize,
}

/// Sent as the `import-progress` event while secrets are hashed.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportProgressView {
    #[ts(type = "number")]
    pub hashed: usize,
    #[ts(type = "number")]
    pub to_hash: usize,
}

#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct AuditFilterInput {
    /// `YYYY-MM-DD`, local days, inclusive.
    pub from: Option<String>,
    pub to: Option<String>,
    pub operator: Option<String>,
    /// An action, or a family ending in `.` such as `key.`.
    pub action: Option<String>,
    pub target: Option<String>,
    #[ts(type = "number | null")]
    pub before_seq: Option<i64>,
    pub limit: u32,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AuditEventView {
    #[ts(type = "number")]
    pub seq: i64,
    pub at: String,
    pub operator: Option<String>,
    /// The stable code (`key.regenerated`), for filters and tests; people read `sentence`.
    pub action: String,
    pub target_kind: Option<String>,
    pub target_name: Option<String>,
    /// The event in words, in the interface's language.
    pub sentence: String,
    /// Its details as labelled values, dates and numbers in the interface's language.
    pub fields: Vec<AuditFieldView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AuditFieldView {
    pub label: String,
    pub value: String,
}

impl AuditEventView {
    pub fn worded(event: &AuditEvent, lang: Lang) -> AuditEventView {
        let worded = sesame_core::journal::word_event(event, lang);
        AuditEventView {
            seq: event.seq,
            at: rfc3339(event.at),
            operator: event.operator_name.clone(),
            action: event.action.clone(),
            target_kind: event.target_kind.clone(),
            target_name: event.target_name.clone(),
            sentence: worded.sentence,
            fields: worded
                .fields
                .into_iter()
                .map(|(label, value)| AuditFieldView { label, value })
                .collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChainStatusView {
    #[ts(type = "number")]
    pub events: i64,
    #[ts(type = "number")]
    pub checked_to: i64,
    /// The first event that does not fit, if any.
    #[ts(type = "number | null")]
    pub broken_at: Option<i64>,
}

impl From<&ChainStatus> for ChainStatusView {
    fn from(status: &ChainStatus) -> Self {
        ChainStatusView {
            events: status.events,
            checked_to: status.checked_to,
            broken_at: status.first_broken.map(|(seq, _)| seq),
        }
    }
}

/// A file the app wrote for the user (an export, a report, a backup).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SavedFileView {
    pub path: String,
    /// Events, rows or keys, by kind of file.
    #[ts(type = "number")]
    pub count: u64,
    pub fingerprint: Option<String>,
}

/// The badge on « Clés »: how many keys expire within the warning period.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExpiringView {
    pub count: u32,
    pub days: u32,
}

/// Which keys a bulk action takes: ticked rows (by id) or every key of the list's criteria.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum KeySelectionInput {
    Keys(Vec<String>),
    Criteria(KeyFilterInput),
}

/// A bulk action: what it does, and its one value when it needs one (the reason of a
/// revocation, the new last day as typed, the tag).
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct BulkChangeInput {
    pub kind: BulkChangeKind,
    pub reason: String,
    pub expires: String,
    pub tag: String,
}

/// Where an offboarding starts: a company or a service, by id or name.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
#[serde(tag = "kind", content = "reference", rename_all = "snake_case")]
pub enum OffboardingInput {
    Company(String),
    Service(String),
}

/// The most keys a preview lists; the counts cover them all.
pub const PLAN_SHOWN_MAX: usize = 200;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PlannedKeyView {
    pub id: String,
    pub name: String,
    pub service: String,
    pub identifier: String,
    pub status: KeyStatus,
    pub effect: KeyEffect,
}

/// What a bulk action or an offboarding will do (or did): the first keys, changing ones first,
/// and the counts.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ChangePlanView {
    pub subject: String,
    pub keys: Vec<PlannedKeyView>,
    #[ts(type = "number")]
    pub changing: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    /// Names the keys that change and how: the apply step must find these very keys again.
    pub fingerprint: String,
}

/// What the preview showed, given back to its apply step.
#[derive(Debug, Clone, Deserialize, TS)]
#[ts(export)]
pub struct PreviewedInput {
    #[ts(type = "number")]
    pub changing: u64,
    pub fingerprint: String,
}

impl PreviewedInput {
    pub fn into_core(self) -> sesame_core::bulk::Previewed {
        sesame_core::bulk::Previewed {
            changing: self.changing,
            fingerprint: self.fingerprint,
        }
    }
}

impl From<&sesame_core::bulk::ChangePlan> for ChangePlanView {
    fn from(plan: &sesame_core::bulk::ChangePlan) -> Self {
        ChangePlanView {
            subject: plan.subject.clone(),
            keys: plan
                .keys
                .iter()
                .take(PLAN_SHOWN_MAX)
                .map(|key| PlannedKeyView {
                    id: key.key_id.clone(),
                    name: key.key_name.clone(),
                    service: key.service_name.clone(),
                    identifier: key.identifier.clone(),
                    status: key.status,
                    effect: key.effect,
                })
                .collect(),
            changing: plan.changing,
            unchanged: plan.unchanged,
            fingerprint: plan.fingerprint.clone(),
        }
    }
}

/// The core's vocabulary crosses the edge as its own enums; their TypeScript twins are written
/// beside the views' (the name keeps this test in CI's `export_bindings` run).
#[cfg(test)]
mod vocabulary {
    use sesame_core::vocab::{
        AuditAction, AuditFamily, BulkChangeKind, CopyPart, Field, Grace, KeyAction, KeyEffect,
        KeyStatus, Lang, OffboardEnd, Right, RowKind, UsageStyle,
    };
    use ts_rs::TS;

    #[test]
    fn export_bindings_vocabulary() -> Result<(), ts_rs::ExportError> {
        let config = ts_rs::Config::from_env();
        AuditAction::export_all(&config)?;
        AuditFamily::export_all(&config)?;
        CopyPart::export_all(&config)?;
        Field::export_all(&config)?;
        Grace::export_all(&config)?;
        UsageStyle::export_all(&config)?;
        KeyAction::export_all(&config)?;
        KeyStatus::export_all(&config)?;
        Lang::export_all(&config)?;
        Right::export_all(&config)?;
        RowKind::export_all(&config)?;
        BulkChangeKind::export_all(&config)?;
        KeyEffect::export_all(&config)?;
        OffboardEnd::export_all(&config)?;
        // The codes an error may carry: not an enum of the app, written from the same lists.
        let folder = config.out_dir().to_owned();
        std::fs::create_dir_all(&folder)?;
        std::fs::write(folder.join("ErrorCode.ts"), crate::error::error_code_type())?;
        // The audit screen's filter lists every family, in the vocabulary's order.
        let families = AuditFamily::ALL
            .iter()
            .map(|family| format!("\"{}\"", family.code()))
            .collect::<Vec<_>>()
            .join(", ");
        std::fs::write(
            folder.join("auditFamilies.ts"),
            format!(
                "// Written by the app's bindings test from the core's vocabulary. Do not edit \
                 this file manually.\n\nimport type {{ AuditFamily }} from \"./AuditFamily\";\n\n\
                 export const AUDIT_FAMILIES: AuditFamily[] = [{families}];\n"
            ),
        )?;
        Ok(())
    }
}
