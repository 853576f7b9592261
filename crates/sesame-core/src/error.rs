//! The core's one error type, as data: a stable code, the field it concerns and the values its
//! message needs. It words nothing: the catalogue does (`crate::messages`). It imports only the
//! shared vocabulary and the catalogue, so every module can use it without an import loop (a
//! test in `tests/core/modules.rs` keeps it so).

use std::path::{Path, PathBuf};

use crate::messages::{self, Arg};
pub use crate::vocab::{
    Field, HashProblem, IMPORTED_SECRET_MAX, IMPORTED_SECRET_MIN, ImportedSecretProblem, Lang,
    RowKind,
};
use crate::vocab::{KeyAction, KeyStatus, Right};

/// Everything that can go wrong in the core, as data: [`Error::code`] is a stable code,
/// [`Error::field`] the input it concerns, [`Error::args`] the values its message needs. The
/// words are in the catalogue (`locales/*.ftl`, message `error-<code>`): [`Error::message`] reads
/// them in the interface language, `Display` in English for logs.
#[derive(Debug, strum::IntoStaticStr, strum::VariantNames)]
#[strum(serialize_all = "snake_case")]
pub enum Error {
    Empty {
        field: Field,
    },
    TooLong {
        field: Field,
        max: usize,
    },
    ForbiddenCharacter {
        field: Field,
    },
    ServiceNameTaken(String),
    KeyNameTaken(String),
    CompanyNameTaken(String),
    OperatorNameTaken(String),
    PrefixInvalid(String),
    PrefixTaken(String),
    WebsiteInvalid(String),
    PermissionInvalid(String),
    PermissionNotOffered(String),
    PermissionInUse(String, u64),
    DateInvalid(String),
    DateInPast,
    /// A key of a service with a maximum lifetime needs an expiry within it.
    ExpiryRequired {
        service: String,
        days: u32,
    },
    ExpiryBeyondLifetime {
        service: String,
        days: u32,
        last_day: chrono::NaiveDate,
    },
    ServiceNotFound(String),
    KeyNotFound(String),
    KeyAmbiguous(String),
    CompanyNotFound(String),
    /// A reference that is one company's name, client code or SIREN and another's.
    CompanyAmbiguous(String),
    /// An archived company named for a new key, or archived again.
    CompanyArchived(String),
    CompanyNotArchived(String),
    ClientCodeTaken(String),
    SirenTaken(String),
    SirenInvalid(String),
    OperatorNotFound(String),
    TransitionRefused {
        key: String,
        from: KeyStatus,
        action: KeyAction,
    },
    SignInFailed,
    SignInRequired,
    SecretGone,
    OperatorDisabled,
    RightMissing(Right),
    AlreadyInitialised,
    NotInitialised,
    PasswordTooShort(usize),
    PasswordTooLong(usize),
    PasswordsDiffer,
    PasswordWeak,
    SignInThrottled(u64),
    CurrentPasswordWrong,
    LastAdministrator,
    CannotDisableSelf,
    StoreInUse,
    StoreRestoring,
    BackupInvalid(String),
    ExportWrite(String),
    /// The audit trail does not check from this event on: no export vouches for it.
    AuditChainBroken(i64),
    SigningKeyUnavailable(String),
    SigningKeyMissing(String),
    /// This installation's signing key was retired (its fingerprint).
    SigningKeyRetired(String),
    /// No signing key in use is registered under this key id.
    SigningKeyUnknown(String),
    StoreNotSqlite(PathBuf),
    /// A PostgreSQL database that holds another program's tables (named without password).
    StoreNotSesame(String),
    /// The target of a copy already holds a store's content.
    StoreNotEmpty(String),
    DatabasePasswordInLocation,
    DatabaseLocationInvalid(String),
    DatabaseUnavailable {
        store: String,
        why: String,
    },
    StoreReadOnly(PathBuf),
    StoreUnavailable(PathBuf, String),
    StoreTooNew {
        found: i64,
        supported: i64,
    },
    StoreBusy,
    StoreCorrupt(String),
    GraceUnknown(String),
    StateKeyUnavailable(String),
    StateKeyMissing,
    /// `store reseal` while the store's state key is where it belongs.
    StateKeyPresent,
    /// The store keeps no recovery code's escrow (a store from before them).
    RecoveryCodeMissing,
    /// The recovery code typed does not unwrap the key that sealed this store.
    RecoveryCodeWrong,
    StateTampered {
        kind: RowKind,
        name: String,
    },
    /// A write touched a sealed row that does not match its seal (the kind's code and the row's
    /// id); `Sesame::write` turns it into [`Error::StateTampered`] once the row is reported.
    #[strum(serialize = "state_tampered")]
    RowUnproven {
        kind: String,
        id: String,
    },
    FileNotRegular(PathBuf),
    BackupWrite(PathBuf, String),
    /// The recovery code could not be written to the file asked for (it was shown all the same).
    RecoveryFileWrite(PathBuf, String),
    RestoreFailed {
        store: PathBuf,
        why: String,
    },
    OutOfRange {
        min: u32,
        max: u32,
    },
    ImportEmpty,
    ImportUnreadable(String),
    ImportColumnUnknown(String),
    ImportColumnMissing(String),
    ImportColumnTwice(String),
    ImportTooLarge(usize),
    ImportFileTooLarge(usize),
    ImportPreviewGone,
    ImportCancelled,
    ImportRefused(usize),
    ImportCellCount {
        found: usize,
        expected: usize,
    },
    IdentifierInvalid(String),
    IdentifierPrefix {
        identifier: String,
        prefix: String,
        service: String,
    },
    IdentifierTaken(String),
    ImportDuplicate {
        value: String,
        line: u64,
    },
    ImportSecretAndHash,
    ImportSecretMissing,
    ImportSecretInvalid(ImportedSecretProblem),
    ImportHashRefused(HashProblem),
    ImportDateInvalid(String),
    CreationInFuture,
    ExpiryBeforeCreation,
    TokenRefused {
        key: String,
        status: KeyStatus,
    },
    /// A bulk action or an offboarding with no key chosen.
    BulkEmptySelection,
    /// None of the chosen keys would change.
    BulkNothingChanges,
    /// The keys a bulk action would change are no longer the ones its preview counted.
    BulkSelectionChanged {
        expected: u64,
        now: u64,
    },
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A stable, language-independent code for programs and tests: the variant's name in
    /// snake case (derived, never written twice), `state_tampered` for a row that cannot be
    /// proven.
    pub fn code(&self) -> &'static str {
        self.into()
    }

    /// Every code an error may have (each has its message, `error-` and the code).
    pub fn codes() -> &'static [&'static str] {
        <Error as strum::VariantNames>::VARIANTS
    }

    /// The input field the error is about, when there is one.
    pub fn field(&self) -> Option<Field> {
        match self {
            Error::Empty { field } | Error::TooLong { field, .. } => Some(*field),
            Error::ForbiddenCharacter { field } => Some(*field),
            Error::ServiceNameTaken(_) => Some(Field::ServiceName),
            Error::KeyNameTaken(_) => Some(Field::KeyName),
            Error::CompanyNameTaken(_) => Some(Field::CompanyName),
            Error::OperatorNameTaken(_) => Some(Field::OperatorName),
            Error::ClientCodeTaken(_) => Some(Field::ClientCode),
            Error::SirenTaken(_) | Error::SirenInvalid(_) => Some(Field::Siren),
            Error::PrefixInvalid(_) | Error::PrefixTaken(_) => Some(Field::Prefix),
            Error::WebsiteInvalid(_) => Some(Field::Website),
            Error::PermissionInvalid(_) | Error::PermissionNotOffered(_) => Some(Field::Permission),
            Error::PermissionInUse(..) => Some(Field::Permission),
            Error::DateInvalid(_) | Error::DateInPast => Some(Field::Expiry),
            Error::ExpiryRequired { .. } | Error::ExpiryBeyondLifetime { .. } => {
                Some(Field::Expiry)
            }
            Error::PasswordTooShort(_) | Error::PasswordTooLong(_) => Some(Field::Password),
            Error::PasswordWeak => Some(Field::Password),
            Error::CurrentPasswordWrong => Some(Field::CurrentPassword),
            Error::PasswordsDiffer => Some(Field::PasswordConfirmation),
            _ => None,
        }
    }

    /// The message's catalogue identifier: `error-` and the code.
    pub fn message_id(&self) -> String {
        format!("error-{}", self.code())
    }

    /// The values the message is worded with, by placeholder name.
    pub fn args(&self) -> Vec<(&'static str, Arg)> {
        let text = |value: &str| Arg::Text(value.to_owned());
        let path = |value: &Path| Arg::Text(value.display().to_string());
        match self {
            Error::Empty { field } | Error::ForbiddenCharacter { field } => {
                vec![("field", Arg::field(*field))]
            }
            Error::TooLong { field, max } => {
                vec![("field", Arg::field(*field)), ("max", Arg::number(*max))]
            }
            Error::ServiceNameTaken(name)
            | Error::KeyNameTaken(name)
            | Error::CompanyNameTaken(name)
            | Error::OperatorNameTaken(name)
            | Error::ServiceNotFound(name)
            | Error::KeyNotFound(name)
            | Error::KeyAmbiguous(name)
            | Error::CompanyNotFound(name)
            | Error::CompanyAmbiguous(name)
            | Error::OperatorNotFound(name)
            | Error::CompanyArchived(name)
            | Error::CompanyNotArchived(name) => vec![("name", text(name))],
            Error::ClientCodeTaken(value)
            | Error::SirenTaken(value)
            | Error::SirenInvalid(value) => {
                vec![("value", text(value))]
            }
            Error::PrefixInvalid(value)
            | Error::PrefixTaken(value)
            | Error::WebsiteInvalid(value)
            | Error::PermissionInvalid(value)
            | Error::PermissionNotOffered(value)
            | Error::DateInvalid(value)
            | Error::ImportDateInvalid(value)
            | Error::GraceUnknown(value)
            | Error::IdentifierInvalid(value)
            | Error::IdentifierTaken(value)
            | Error::ImportColumnUnknown(value)
            | Error::ImportColumnMissing(value)
            | Error::ImportColumnTwice(value) => vec![("value", text(value))],
            Error::PermissionInUse(permission, count) => {
                vec![("value", text(permission)), ("count", Arg::number(*count))]
            }
            Error::TransitionRefused { key, from, action } => vec![
                ("key", text(key)),
                ("status", Arg::status(*from)),
                (
                    "action",
                    Arg::Word(format!("key-action-done-{}", action.code())),
                ),
            ],
            Error::TokenRefused { key, status } => {
                vec![("key", text(key)), ("status", Arg::status(*status))]
            }
            Error::RightMissing(right) => vec![("right", Arg::right(*right))],
            Error::ExpiryRequired { service, days } => {
                vec![("service", text(service)), ("days", Arg::number(*days))]
            }
            Error::ExpiryBeyondLifetime {
                service,
                days,
                last_day,
            } => vec![
                ("service", text(service)),
                ("days", Arg::number(*days)),
                ("last_day", Arg::Day(*last_day)),
            ],
            Error::PasswordTooShort(count) | Error::PasswordTooLong(count) => {
                vec![("count", Arg::number(*count))]
            }
            Error::SignInThrottled(seconds) => vec![("seconds", Arg::number(*seconds))],
            Error::AuditChainBroken(seq) => vec![("seq", Arg::number(*seq))],
            Error::BackupInvalid(why)
            | Error::ExportWrite(why)
            | Error::SigningKeyUnavailable(why)
            | Error::StoreCorrupt(why)
            | Error::StateKeyUnavailable(why)
            | Error::ImportUnreadable(why)
            | Error::Internal(why) => vec![("why", text(why))],
            Error::SigningKeyMissing(fingerprint) | Error::SigningKeyRetired(fingerprint) => {
                vec![("fingerprint", text(fingerprint))]
            }
            Error::SigningKeyUnknown(kid) => vec![("kid", text(kid))],
            Error::StoreNotSesame(store) | Error::StoreNotEmpty(store) => {
                vec![("store", text(store))]
            }
            Error::DatabaseLocationInvalid(why) => vec![("why", text(why))],
            Error::DatabaseUnavailable { store, why } => {
                vec![("store", text(store)), ("why", text(why))]
            }
            Error::StoreNotSqlite(store) | Error::StoreReadOnly(store) => {
                vec![("path", path(store))]
            }
            Error::FileNotRegular(file) => vec![("path", path(file))],
            Error::StoreUnavailable(store, why)
            | Error::BackupWrite(store, why)
            | Error::RecoveryFileWrite(store, why) => {
                vec![("path", path(store)), ("why", text(why))]
            }
            Error::RestoreFailed { store, why } => vec![("path", path(store)), ("why", text(why))],
            Error::StoreTooNew { found, supported } => vec![
                ("found", Arg::number(*found)),
                ("supported", Arg::number(*supported)),
            ],
            Error::StateTampered { kind, name } => {
                vec![("kind", text(kind.code())), ("name", text(name))]
            }
            Error::RowUnproven { kind, id } => vec![("kind", text(kind)), ("name", text(id))],
            Error::OutOfRange { min, max } => {
                vec![("min", Arg::number(*min)), ("max", Arg::number(*max))]
            }
            Error::ImportTooLarge(max) | Error::ImportFileTooLarge(max) => {
                vec![("max", Arg::number(*max))]
            }
            Error::ImportRefused(count) => vec![("count", Arg::number(*count))],
            Error::ImportCellCount { found, expected } => vec![
                ("found", Arg::number(*found)),
                ("expected", Arg::number(*expected)),
            ],
            Error::IdentifierPrefix {
                identifier,
                prefix,
                service,
            } => vec![
                ("value", text(identifier)),
                ("prefix", text(prefix)),
                ("service", text(service)),
            ],
            Error::ImportDuplicate { value, line } => {
                vec![("value", text(value)), ("line", Arg::number(*line))]
            }
            Error::ImportSecretInvalid(problem) => vec![
                (
                    "problem",
                    Arg::Text(secret_problem_code(*problem).to_owned()),
                ),
                ("min", Arg::number(IMPORTED_SECRET_MIN)),
                ("max", Arg::number(IMPORTED_SECRET_MAX)),
            ],
            Error::ImportHashRefused(problem) => hash_problem_args(problem),
            Error::DateInPast
            | Error::SignInFailed
            | Error::SignInRequired
            | Error::SecretGone
            | Error::OperatorDisabled
            | Error::AlreadyInitialised
            | Error::NotInitialised
            | Error::PasswordsDiffer
            | Error::PasswordWeak
            | Error::CurrentPasswordWrong
            | Error::LastAdministrator
            | Error::CannotDisableSelf
            | Error::StoreInUse
            | Error::StoreRestoring
            | Error::StoreBusy
            | Error::StateKeyMissing
            | Error::StateKeyPresent
            | Error::RecoveryCodeMissing
            | Error::RecoveryCodeWrong
            | Error::ImportEmpty
            | Error::ImportPreviewGone
            | Error::ImportCancelled
            | Error::ImportSecretAndHash
            | Error::ImportSecretMissing
            | Error::CreationInFuture
            | Error::ExpiryBeforeCreation
            | Error::DatabasePasswordInLocation
            | Error::BulkEmptySelection
            | Error::BulkNothingChanges => Vec::new(),
            Error::BulkSelectionChanged { expected, now } => vec![
                ("expected", Arg::number(*expected)),
                ("now", Arg::number(*now)),
            ],
        }
    }

    /// The message in the interface language.
    pub fn message(&self, lang: Lang) -> String {
        messages::text(lang, &self.message_id(), &self.args())
    }
}

impl std::fmt::Display for Error {
    /// The English message, for logs.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for Error {}

fn secret_problem_code(problem: ImportedSecretProblem) -> &'static str {
    match problem {
        ImportedSecretProblem::Length => "length",
        ImportedSecretProblem::Characters => "characters",
        ImportedSecretProblem::NotSesame => "not_sesame",
    }
}

fn hash_problem_args(problem: &HashProblem) -> Vec<(&'static str, Arg)> {
    let problem_code = |code: &str| ("problem", Arg::Text(code.to_owned()));
    match problem {
        HashProblem::NotPhc => vec![problem_code("not_phc")],
        HashProblem::Algorithm(name) => {
            vec![
                problem_code("algorithm"),
                ("algorithm", Arg::Text(name.clone())),
            ]
        }
        HashProblem::Version => vec![problem_code("version")],
        HashProblem::TooWeak { memory_kib, passes } => vec![
            problem_code("too_weak"),
            ("memory", Arg::number(*memory_kib)),
            ("passes", Arg::number(*passes)),
        ],
        HashProblem::TooCostly {
            max_memory_kib,
            max_work,
        } => vec![
            problem_code("too_costly"),
            ("memory", Arg::number(*max_memory_kib)),
            ("work", Arg::number(*max_work)),
        ],
        HashProblem::TooShort => vec![problem_code("too_short")],
    }
}

/// How the seal check inside a statement (`sesame_prove`) names the row it refuses:
/// `sesame-unproven:<kind>:<id>`.
pub(crate) const UNPROVEN: &str = "sesame-unproven:";

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        let text = error.to_string();
        if let Some((kind, id)) = text
            .split_once(UNPROVEN)
            .and_then(|(_, row)| row.split_once(':'))
        {
            return Error::RowUnproven {
                kind: kind.to_owned(),
                id: id.to_owned(),
            };
        }
        match error.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Error::StoreBusy,
            Some(ErrorCode::NotADatabase) => Error::StoreCorrupt("not an SQLite database".into()),
            Some(ErrorCode::DatabaseCorrupt) => Error::StoreCorrupt(error.to_string()),
            Some(ErrorCode::ReadOnly) => Error::StoreReadOnly(PathBuf::new()),
            // Query parameters are always bound, never spliced into SQL, so the message
            // carries no user data and no secret.
            _ => Error::Internal(error.to_string()),
        }
    }
}
