//! The core's one error type: stable codes for programs, plain messages in French or English for people.

use std::path::PathBuf;

use crate::key::{KeyAction, KeyStatus};
use crate::key_format::{IMPORTED_SECRET_MAX, IMPORTED_SECRET_MIN, ImportedSecretProblem};
use crate::operator::Right;
use crate::password::HashProblem;

/// The language messages are written in. French comes first: it is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fr,
    En,
}

impl Lang {
    /// Reads a language tag such as `fr`, `en`, `en_GB.UTF-8`; anything that is not English is French.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }
}

/// Which input a validation message is about, so the interface can show it beside the field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    ServiceName,
    KeyName,
    CompanyName,
    OperatorName,
    Description,
    Category,
    Website,
    Prefix,
    Permission,
    Note,
    Reason,
    Expiry,
    Password,
    PasswordConfirmation,
    CurrentPassword,
    Identifier,
    Creator,
}

impl Field {
    pub fn code(self) -> &'static str {
        match self {
            Field::ServiceName => "service_name",
            Field::KeyName => "key_name",
            Field::CompanyName => "company_name",
            Field::OperatorName => "operator_name",
            Field::Description => "description",
            Field::Category => "category",
            Field::Website => "website",
            Field::Prefix => "prefix",
            Field::Permission => "permission",
            Field::Note => "note",
            Field::Reason => "reason",
            Field::Expiry => "expiry",
            Field::Password => "password",
            Field::PasswordConfirmation => "password_confirmation",
            Field::CurrentPassword => "current_password",
            Field::Identifier => "identifier",
            Field::Creator => "creator",
        }
    }

    fn label(self, lang: Lang) -> &'static str {
        match (self, lang) {
            (Field::ServiceName, Lang::Fr) => "Le nom du service",
            (Field::ServiceName, Lang::En) => "The service name",
            (Field::KeyName, Lang::Fr) => "Le nom de la clé",
            (Field::KeyName, Lang::En) => "The key name",
            (Field::CompanyName, Lang::Fr) => "Le nom de la société",
            (Field::CompanyName, Lang::En) => "The company name",
            (Field::OperatorName, Lang::Fr) => "Le nom de l'opérateur",
            (Field::OperatorName, Lang::En) => "The operator name",
            (Field::Description, Lang::Fr) => "La description",
            (Field::Description, Lang::En) => "The description",
            (Field::Category, Lang::Fr) => "La catégorie",
            (Field::Category, Lang::En) => "The category",
            (Field::Website, Lang::Fr) => "Le site web",
            (Field::Website, Lang::En) => "The website",
            (Field::Prefix, Lang::Fr) => "Le préfixe",
            (Field::Prefix, Lang::En) => "The prefix",
            (Field::Permission, Lang::Fr) => "La permission",
            (Field::Permission, Lang::En) => "The permission",
            (Field::Note, Lang::Fr) => "La note",
            (Field::Note, Lang::En) => "The note",
            (Field::Reason, Lang::Fr) => "Le motif",
            (Field::Reason, Lang::En) => "The reason",
            (Field::Expiry, Lang::Fr) => "La date d'expiration",
            (Field::Expiry, Lang::En) => "The expiry date",
            (Field::Password, Lang::Fr) => "Le mot de passe",
            (Field::Password, Lang::En) => "The password",
            (Field::PasswordConfirmation, Lang::Fr) => "La confirmation du mot de passe",
            (Field::PasswordConfirmation, Lang::En) => "The password confirmation",
            (Field::CurrentPassword, Lang::Fr) => "Le mot de passe actuel",
            (Field::CurrentPassword, Lang::En) => "The current password",
            (Field::Identifier, Lang::Fr) => "L'identifiant",
            (Field::Identifier, Lang::En) => "The identifier",
            (Field::Creator, Lang::Fr) => "Le créateur",
            (Field::Creator, Lang::En) => "The creator",
        }
    }
}

/// Everything that can go wrong in the core. `Display` gives the English message (for logs);
/// [`Error::message`] gives it in the interface language, [`Error::code`] a stable code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{} is required.", field.label(Lang::En))]
    Empty { field: Field },
    #[error("{} is too long ({max} characters at most).", field.label(Lang::En))]
    TooLong { field: Field, max: usize },
    #[error("{} contains a control or text-direction character.", field.label(Lang::En))]
    ForbiddenCharacter { field: Field },
    #[error("A service named « {0} » already exists.")]
    ServiceNameTaken(String),
    #[error("This service already has a key named « {0} ».")]
    KeyNameTaken(String),
    #[error("A company named « {0} » already exists.")]
    CompanyNameTaken(String),
    #[error("An operator named « {0} » already exists.")]
    OperatorNameTaken(String),
    #[error(
        "The prefix « {0} » is not valid: 2 to 16 lowercase letters or digits, starting with a letter."
    )]
    PrefixInvalid(String),
    #[error("The prefix « {0} » is already used by another service.")]
    PrefixTaken(String),
    #[error("The website « {0} » is not a valid http:// or https:// address.")]
    WebsiteInvalid(String),
    #[error(
        "The permission « {0} » is not valid: lowercase words without accents separated by « : », such as factures:lecture."
    )]
    PermissionInvalid(String),
    #[error("The service does not offer the permission « {0} ».")]
    PermissionNotOffered(String),
    #[error("The permission « {0} » is still granted to {1} key(s); remove it from them first.")]
    PermissionInUse(String, u64),
    #[error("« {0} » is not a valid date; write it as YYYY-MM-DD, for example 2027-01-31.")]
    DateInvalid(String),
    #[error("The expiry date must not be in the past.")]
    DateInPast,
    #[error("No service « {0} ».")]
    ServiceNotFound(String),
    #[error("No key « {0} ».")]
    KeyNotFound(String),
    #[error("Several keys are named « {0} »; give the key's identifier instead.")]
    KeyAmbiguous(String),
    #[error("No company « {0} ».")]
    CompanyNotFound(String),
    #[error("No operator « {0} ».")]
    OperatorNotFound(String),
    #[error("The key « {key} » is {from}: it cannot be {action}.", from = from.label(Lang::En), action = action.label(Lang::En))]
    TransitionRefused {
        key: String,
        from: KeyStatus,
        action: KeyAction,
    },
    #[error("Unknown operator or wrong password.")]
    SignInFailed,
    #[error("Please sign in first.")]
    SignInRequired,
    #[error("The secret is no longer available: it is shown only once, when the key is issued.")]
    SecretGone,
    #[error("This operator account is disabled.")]
    OperatorDisabled,
    #[error("You do not have the « {} » right.", .0.label(Lang::En))]
    RightMissing(Right),
    #[error("This store already has an administrator.")]
    AlreadyInitialised,
    #[error("This store has no administrator yet: run « sesamectl init --admin NAME » first.")]
    NotInitialised,
    #[error("The password must have at least {0} characters.")]
    PasswordTooShort(usize),
    #[error("The password must have at most {0} characters.")]
    PasswordTooLong(usize),
    #[error("The two passwords differ.")]
    PasswordsDiffer,
    #[error(
        "This password is too easy to guess: make it longer, for example four or five unrelated words, and avoid your name."
    )]
    PasswordWeak,
    #[error("Too many failed sign-ins for this name: wait {0} s before trying again.")]
    SignInThrottled(u64),
    #[error("The current password is wrong.")]
    CurrentPasswordWrong,
    #[error(
        "This is the last active administrator: another operator must hold the « platform configuration » right first."
    )]
    LastAdministrator,
    #[error("You cannot disable your own account.")]
    CannotDisableSelf,
    #[error(
        "The store is open in another program (the app or the verification service); close it, then restore. Nothing was changed."
    )]
    StoreInUse,
    #[error("A restore of this store is under way; try again in a moment.")]
    StoreRestoring,
    #[error("This backup cannot be restored: {0}. Nothing was changed.")]
    BackupInvalid(String),
    #[error("The export could not be written: {0}")]
    ExportWrite(String),
    #[error("The installation's signing key cannot be used: {0}")]
    SigningKeyUnavailable(String),
    #[error(
        "The installation's signing key (fingerprint {0}) is missing from the keyring and from its file: nothing can be signed. If it cannot be brought back, an operator with the configuration right can create a new one (sesamectl signing-key --recreate); tokens and exports signed with the old key will then no longer check."
    )]
    SigningKeyMissing(String),
    #[error("« {0} » is not a Sésame store (not an SQLite database).")]
    StoreNotSqlite(PathBuf),
    #[error("The store « {0} » cannot be written (read-only file or folder).")]
    StoreReadOnly(PathBuf),
    #[error("The store « {0} » cannot be opened: {1}")]
    StoreUnavailable(PathBuf, String),
    #[error(
        "This store was written by a newer version of Sésame (schema {found}, this version knows up to {supported}); update Sésame. Nothing was changed."
    )]
    StoreTooNew { found: i64, supported: i64 },
    #[error("The store is busy with another program; try again in a moment. Nothing was changed.")]
    StoreBusy,
    #[error("The store is damaged: {0}")]
    StoreCorrupt(String),
    #[error(
        "« {0} » is not a grace period: choose now, 1 hour, 24 hours or 7 days. Nothing was changed."
    )]
    GraceUnknown(String),
    #[error("The installation's state key cannot be used: {0}")]
    StateKeyUnavailable(String),
    #[error(
        "The key that seals this store's rows is missing from the keyring and from its file, so no row can be trusted: nothing was done. Bring it back, or have an administrator accept the store as it is now with 'sesamectl store reseal'."
    )]
    StateKeyMissing,
    #[error(
        "The {kind} « {name} » was changed outside Sésame (its seal does not match): it is refused, and the event is in the audit trail. Run 'sesamectl store check'."
    )]
    StateTampered { kind: &'static str, name: String },
    #[error("« {} » is not a regular file; only a regular file can be replaced. Nothing was written.", .0.display())]
    FileNotRegular(PathBuf),
    #[error("The backup could not be written to « {} »: {}. Nothing was recorded.", .0.display(), .1)]
    BackupWrite(PathBuf, String),
    #[error("The restore failed: {why}. The store « {} » was not replaced.", .store.display())]
    RestoreFailed { store: PathBuf, why: String },
    #[error("Choose a value from {min} to {max}.")]
    OutOfRange { min: u32, max: u32 },
    #[error("The file holds no key: it is empty or has only its header line.")]
    ImportEmpty,
    #[error("The file cannot be read as a CSV table: {0}")]
    ImportUnreadable(String),
    #[error("Unknown column « {0} ». Known columns: {KNOWN_COLUMNS}.")]
    ImportColumnUnknown(String),
    #[error("The column « {0} » is required.")]
    ImportColumnMissing(String),
    #[error("The column « {0} » appears twice.")]
    ImportColumnTwice(String),
    #[error("The file has more than {0} keys; split it into several files.")]
    ImportTooLarge(usize),
    #[error("The file is larger than {0} MiB; split it into several files.")]
    ImportFileTooLarge(usize),
    #[error(
        "The preview is no longer available (the app was locked or the import cancelled); choose the file again."
    )]
    ImportPreviewGone,
    #[error("Import cancelled: no key was written.")]
    ImportCancelled,
    #[error("Nothing was imported: {0} line(s) must be corrected first.")]
    ImportRefused(usize),
    #[error("This line has {found} cells where the header has {expected}.")]
    ImportCellCount { found: usize, expected: usize },
    #[error(
        "The identifier « {0} » is not valid: the service's prefix, « _ », then 1 to 64 letters, digits, « _ » or « - »."
    )]
    IdentifierInvalid(String),
    #[error(
        "The identifier « {identifier} » does not start with « {prefix}_ », the prefix of the service « {service} »."
    )]
    IdentifierPrefix {
        identifier: String,
        prefix: String,
        service: String,
    },
    #[error("The identifier « {0} » is already used by a key in Sésame.")]
    IdentifierTaken(String),
    #[error("« {value} » already appears on line {line} of the file.")]
    ImportDuplicate { value: String, line: u64 },
    #[error("Give either the secret or its hash, not both.")]
    ImportSecretAndHash,
    #[error("Give the secret or its argon2id hash.")]
    ImportSecretMissing,
    #[error("The secret cannot be used: {}.", secret_problem(*.0, Lang::En))]
    ImportSecretInvalid(ImportedSecretProblem),
    #[error("The hash is refused: {}.", hash_problem(.0, Lang::En))]
    ImportHashRefused(HashProblem),
    #[error("« {0} » is not a date; write YYYY-MM-DD or DD/MM/YYYY, a time HH:MM may follow.")]
    ImportDateInvalid(String),
    #[error("The creation date is in the future.")]
    CreationInFuture,
    #[error("The expiry date comes before the creation date.")]
    ExpiryBeforeCreation,
    #[error("The key « {key} » is {}: no access token can be issued for it.", status.label(Lang::En))]
    TokenRefused { key: String, status: KeyStatus },
    #[error("Internal error: {0}")]
    Internal(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A stable, language-independent code for programs and tests.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Empty { .. } => "empty",
            Error::TooLong { .. } => "too_long",
            Error::ForbiddenCharacter { .. } => "forbidden_character",
            Error::ServiceNameTaken(_) => "service_name_taken",
            Error::KeyNameTaken(_) => "key_name_taken",
            Error::CompanyNameTaken(_) => "company_name_taken",
            Error::OperatorNameTaken(_) => "operator_name_taken",
            Error::PrefixInvalid(_) => "prefix_invalid",
            Error::PrefixTaken(_) => "prefix_taken",
            Error::WebsiteInvalid(_) => "website_invalid",
            Error::PermissionInvalid(_) => "permission_invalid",
            Error::PermissionNotOffered(_) => "permission_not_offered",
            Error::PermissionInUse(..) => "permission_in_use",
            Error::DateInvalid(_) => "date_invalid",
            Error::DateInPast => "date_in_past",
            Error::ServiceNotFound(_) => "service_not_found",
            Error::KeyNotFound(_) => "key_not_found",
            Error::KeyAmbiguous(_) => "key_ambiguous",
            Error::CompanyNotFound(_) => "company_not_found",
            Error::OperatorNotFound(_) => "operator_not_found",
            Error::TransitionRefused { .. } => "transition_refused",
            Error::SignInFailed => "sign_in_failed",
            Error::SignInRequired => "sign_in_required",
            Error::SecretGone => "secret_gone",
            Error::OperatorDisabled => "operator_disabled",
            Error::RightMissing(_) => "right_missing",
            Error::AlreadyInitialised => "already_initialised",
            Error::NotInitialised => "not_initialised",
            Error::PasswordTooShort(_) => "password_too_short",
            Error::PasswordTooLong(_) => "password_too_long",
            Error::PasswordsDiffer => "passwords_differ",
            Error::PasswordWeak => "password_weak",
            Error::SignInThrottled(_) => "sign_in_throttled",
            Error::CurrentPasswordWrong => "current_password_wrong",
            Error::LastAdministrator => "last_administrator",
            Error::CannotDisableSelf => "cannot_disable_self",
            Error::SigningKeyMissing(_) => "signing_key_missing",
            Error::SigningKeyUnavailable(_) => "signing_key_unavailable",
            Error::ExportWrite(_) => "export_write",
            Error::StoreInUse => "store_in_use",
            Error::StoreRestoring => "store_restoring",
            Error::BackupInvalid(_) => "backup_invalid",
            Error::StoreNotSqlite(_) => "store_not_sqlite",
            Error::StoreReadOnly(_) => "store_read_only",
            Error::StoreUnavailable(..) => "store_unavailable",
            Error::StoreTooNew { .. } => "store_too_new",
            Error::StoreBusy => "store_busy",
            Error::StoreCorrupt(_) => "store_corrupt",
            Error::FileNotRegular(_) => "file_not_regular",
            Error::StateKeyUnavailable(_) => "state_key_unavailable",
            Error::GraceUnknown(_) => "grace_unknown",
            Error::StateKeyMissing => "state_key_missing",
            Error::StateTampered { .. } => "state_tampered",
            Error::BackupWrite(..) => "backup_write",
            Error::RestoreFailed { .. } => "restore_failed",
            Error::OutOfRange { .. } => "out_of_range",
            Error::ImportEmpty => "import_empty",
            Error::ImportUnreadable(_) => "import_unreadable",
            Error::ImportColumnUnknown(_) => "import_column_unknown",
            Error::ImportColumnMissing(_) => "import_column_missing",
            Error::ImportColumnTwice(_) => "import_column_twice",
            Error::ImportTooLarge(_) => "import_too_large",
            Error::ImportRefused(_) => "import_refused",
            Error::ImportFileTooLarge(_) => "import_file_too_large",
            Error::ImportPreviewGone => "import_preview_gone",
            Error::ImportCancelled => "import_cancelled",
            Error::ImportCellCount { .. } => "import_cell_count",
            Error::IdentifierInvalid(_) => "identifier_invalid",
            Error::IdentifierPrefix { .. } => "identifier_prefix",
            Error::IdentifierTaken(_) => "identifier_taken",
            Error::ImportDuplicate { .. } => "import_duplicate",
            Error::ImportSecretAndHash => "import_secret_and_hash",
            Error::ImportSecretMissing => "import_secret_missing",
            Error::ImportSecretInvalid(_) => "import_secret_invalid",
            Error::ImportHashRefused(_) => "import_hash_refused",
            Error::ImportDateInvalid(_) => "import_date_invalid",
            Error::CreationInFuture => "creation_in_future",
            Error::ExpiryBeforeCreation => "expiry_before_creation",
            Error::TokenRefused { .. } => "token_refused",
            Error::Internal(_) => "internal",
        }
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
            Error::PrefixInvalid(_) | Error::PrefixTaken(_) => Some(Field::Prefix),
            Error::WebsiteInvalid(_) => Some(Field::Website),
            Error::PermissionInvalid(_) | Error::PermissionNotOffered(_) => Some(Field::Permission),
            Error::PermissionInUse(..) => Some(Field::Permission),
            Error::DateInvalid(_) | Error::DateInPast => Some(Field::Expiry),
            Error::PasswordTooShort(_) | Error::PasswordTooLong(_) => Some(Field::Password),
            Error::PasswordWeak => Some(Field::Password),
            Error::CurrentPasswordWrong => Some(Field::CurrentPassword),
            Error::PasswordsDiffer => Some(Field::PasswordConfirmation),
            _ => None,
        }
    }

    /// The message in the interface language.
    pub fn message(&self, lang: Lang) -> String {
        match lang {
            Lang::En => self.to_string(),
            Lang::Fr => self.message_fr(),
        }
    }

    fn message_fr(&self) -> String {
        match self {
            Error::Empty { field } => format!("{} est obligatoire.", field.label(Lang::Fr)),
            Error::TooLong { field, max } => {
                format!(
                    "{} est trop long ({max} caractères au plus).",
                    field.label(Lang::Fr)
                )
            }
            Error::ForbiddenCharacter { field } => format!(
                "{} contient un caractère de contrôle ou d'inversion du sens du texte.",
                field.label(Lang::Fr)
            ),
            Error::ServiceNameTaken(name) => format!("Un service nommé « {name} » existe déjà."),
            Error::KeyNameTaken(name) => format!("Ce service a déjà une clé nommée « {name} »."),
            Error::CompanyNameTaken(name) => format!("Une société nommée « {name} » existe déjà."),
            Error::OperatorNameTaken(name) => {
                format!("Un opérateur nommé « {name} » existe déjà.")
            }
            Error::PrefixInvalid(prefix) => format!(
                "Le préfixe « {prefix} » n'est pas valable : de 2 à 16 lettres minuscules ou \
                 chiffres, en commençant par une lettre."
            ),
            Error::PrefixTaken(prefix) => {
                format!("Le préfixe « {prefix} » est déjà utilisé par un autre service.")
            }
            Error::WebsiteInvalid(url) => {
                format!("Le site « {url} » n'est pas une adresse http:// ou https:// valable.")
            }
            Error::PermissionInvalid(permission) => format!(
                "La permission « {permission} » n'est pas valable : des mots en minuscules sans \
                 accents séparés par « : », par exemple factures:lecture."
            ),
            Error::PermissionNotOffered(permission) => {
                format!("Le service ne propose pas la permission « {permission} ».")
            }
            Error::PermissionInUse(permission, count) => format!(
                "La permission « {permission} » est encore accordée à {count} clé(s) ; \
                 retirez-la d'abord de ces clés."
            ),
            Error::DateInvalid(text) => format!(
                "« {text} » n'est pas une date valable ; écrivez-la AAAA-MM-JJ, par exemple \
                 2027-01-31."
            ),
            Error::DateInPast => "La date d'expiration ne peut pas être dans le passé.".into(),
            Error::ServiceNotFound(name) => format!("Aucun service « {name} »."),
            Error::KeyNotFound(name) => format!("Aucune clé « {name} »."),
            Error::KeyAmbiguous(name) => format!(
                "Plusieurs clés s'appellent « {name} » ; indiquez plutôt l'identifiant de la clé."
            ),
            Error::CompanyNotFound(name) => format!("Aucune société « {name} »."),
            Error::OperatorNotFound(name) => format!("Aucun opérateur « {name} »."),
            Error::TransitionRefused { key, from, action } => format!(
                "La clé « {key} » est {} : elle ne peut pas être {}.",
                from.label(Lang::Fr),
                action.label(Lang::Fr)
            ),
            Error::SignInFailed => "Opérateur inconnu ou mot de passe incorrect.".into(),
            Error::SignInRequired => "Connectez-vous d'abord.".into(),
            Error::SecretGone => "Le secret n'est plus disponible : il n'est affiché qu'une fois, \
                                  à la création de la clé."
                .into(),
            Error::OperatorDisabled => "Ce compte d'opérateur est désactivé.".into(),
            Error::RightMissing(right) => {
                format!("Vous n'avez pas le droit « {} ».", right.label(Lang::Fr))
            }
            Error::AlreadyInitialised => "Ce magasin a déjà un administrateur.".into(),
            Error::NotInitialised => "Ce magasin n'a pas encore d'administrateur : lancez d'abord \
                                      « sesamectl init --admin NOM »."
                .into(),
            Error::PasswordTooShort(min) => {
                format!("Le mot de passe doit compter au moins {min} caractères.")
            }
            Error::PasswordTooLong(max) => {
                format!("Le mot de passe doit compter au plus {max} caractères.")
            }
            Error::PasswordsDiffer => "Les deux mots de passe diffèrent.".into(),
            Error::PasswordWeak => "Ce mot de passe est trop facile à deviner : allongez-le, par \
                                    exemple avec quatre ou cinq mots sans lien entre eux, et \
                                    évitez votre nom."
                .into(),
            Error::SignInThrottled(seconds) => format!(
                "Trop d'échecs de connexion pour ce nom : attendez {seconds} s avant de \
                 réessayer."
            ),
            Error::CurrentPasswordWrong => "Le mot de passe actuel est incorrect.".into(),
            Error::LastAdministrator => "C'est le dernier administrateur actif : un autre \
                                         opérateur doit d'abord avoir le droit « configuration \
                                         de la plateforme »."
                .into(),
            Error::CannotDisableSelf => "Vous ne pouvez pas désactiver votre propre compte.".into(),
            Error::ExportWrite(why) => format!("L'export n'a pas pu être écrit : {why}"),
            Error::StoreInUse => "Le magasin est ouvert dans un autre programme (l'application ou \
                                  le service de vérification) ; fermez-le, puis restaurez. Rien \
                                  n'a été modifié."
                .into(),
            Error::StoreRestoring => {
                "Une restauration de ce magasin est en cours ; réessayez dans un instant.".into()
            }
            Error::BackupInvalid(why) => {
                format!(
                    "Cette sauvegarde ne peut pas être restaurée : {why}. Rien n'a été modifié."
                )
            }
            Error::SigningKeyUnavailable(why) => {
                format!("La clé de signature de l'installation est inutilisable : {why}")
            }
            Error::SigningKeyMissing(fingerprint) => format!(
                "La clé de signature de l'installation (empreinte {fingerprint}) a disparu du \
                 trousseau et de son fichier : plus rien ne peut être signé. Si elle ne peut pas \
                 être retrouvée, un opérateur ayant le droit de configuration peut en créer une \
                 nouvelle (sesamectl signing-key --recreate) ; les jetons et exports signés avec \
                 l'ancienne ne seront alors plus vérifiables."
            ),
            Error::StoreNotSqlite(path) => format!(
                "« {} » n'est pas un magasin Sésame (ce n'est pas une base SQLite).",
                path.display()
            ),
            Error::StoreReadOnly(path) => format!(
                "Le magasin « {} » ne peut pas être modifié (fichier ou dossier en lecture seule).",
                path.display()
            ),
            Error::StoreUnavailable(path, why) => {
                format!(
                    "Le magasin « {} » ne peut pas être ouvert : {why}",
                    path.display()
                )
            }
            Error::StoreTooNew { found, supported } => format!(
                "Ce magasin a été écrit par une version plus récente de Sésame (schéma {found}, \
                 cette version connaît jusqu'au {supported}) ; mettez Sésame à jour. Rien n'a été \
                 modifié."
            ),
            Error::StoreBusy => "Le magasin est occupé par un autre programme ; réessayez dans \
                                 un instant. Rien n'a été modifié."
                .into(),
            Error::StoreCorrupt(why) => format!("Le magasin est endommagé : {why}"),
            Error::GraceUnknown(code) => format!(
                "« {code} » n'est pas une durée de grâce : choisissez tout de suite, 1 heure, \
                 24 heures ou 7 jours. Rien n'a été modifié."
            ),
            Error::StateKeyUnavailable(why) => {
                format!("La clé qui scelle les lignes du magasin est inutilisable : {why}")
            }
            Error::StateKeyMissing => "La clé qui scelle les lignes de ce magasin a disparu du \
                trousseau et de son fichier : aucune ligne ne peut être vérifiée, rien n'a été \
                fait. Retrouvez-la, ou faites accepter le magasin tel qu'il est par un \
                administrateur avec « sesamectl store reseal »."
                .into(),
            Error::StateTampered { kind, name } => format!(
                "{} « {name} » a été modifié(e) hors de Sésame (son sceau ne correspond plus) : \
                 il/elle est refusé(e), et l'événement est inscrit au journal. Lancez « sesamectl \
                 store check ».",
                match *kind {
                    "key" => "La clé",
                    "operator" => "L'opérateur",
                    "service" => "Le service",
                    _ => "Le réglage",
                }
            ),
            Error::FileNotRegular(path) => format!(
                "« {} » n'est pas un fichier ordinaire ; seul un fichier ordinaire peut être \
                 remplacé. Rien n'a été écrit.",
                path.display()
            ),
            Error::BackupWrite(path, why) => format!(
                "La sauvegarde n'a pas pu être écrite dans « {} » : {why}. Rien n'a été \
                 enregistré.",
                path.display()
            ),
            Error::RestoreFailed { store, why } => format!(
                "La restauration a échoué : {why}. Le magasin « {} » n'a pas été remplacé.",
                store.display()
            ),
            Error::OutOfRange { min, max } => format!("Choisissez une valeur de {min} à {max}."),
            Error::ImportEmpty => {
                "Le fichier ne contient aucune clé : il est vide ou n'a que sa ligne d'en-tête."
                    .into()
            }
            Error::ImportUnreadable(why) => {
                format!("Le fichier ne peut pas être lu comme un tableau CSV : {why}")
            }
            Error::ImportColumnUnknown(name) => {
                format!("Colonne inconnue « {name} ». Colonnes reconnues : {KNOWN_COLUMNS_FR}.")
            }
            Error::ImportColumnMissing(name) => format!("La colonne « {name} » est obligatoire."),
            Error::ImportColumnTwice(name) => format!("La colonne « {name} » figure deux fois."),
            Error::ImportTooLarge(max) => {
                format!("Le fichier compte plus de {max} clés ; découpez-le en plusieurs fichiers.")
            }
            Error::ImportFileTooLarge(mebibytes) => {
                format!("Le fichier dépasse {mebibytes} Mio ; découpez-le en plusieurs fichiers.")
            }
            Error::ImportPreviewGone => "L'aperçu n'est plus disponible (application verrouillée \
                                         ou import annulé) ; choisissez de nouveau le fichier."
                .into(),
            Error::ImportCancelled => "Import annulé : aucune clé n'a été écrite.".into(),
            Error::ImportRefused(count) => {
                format!("Rien n'a été importé : {count} ligne(s) sont à corriger d'abord.")
            }
            Error::ImportCellCount { found, expected } => {
                format!("Cette ligne a {found} cellules alors que l'en-tête en a {expected}.")
            }
            Error::IdentifierInvalid(identifier) => format!(
                "L'identifiant « {identifier} » n'est pas valable : le préfixe du service, « _ », \
                 puis 1 à 64 lettres, chiffres, « _ » ou « - »."
            ),
            Error::IdentifierPrefix {
                identifier,
                prefix,
                service,
            } => format!(
                "L'identifiant « {identifier} » ne commence pas par « {prefix}_ », le préfixe du \
                 service « {service} »."
            ),
            Error::IdentifierTaken(identifier) => {
                format!("L'identifiant « {identifier} » est déjà utilisé par une clé de Sésame.")
            }
            Error::ImportDuplicate { value, line } => {
                format!("« {value} » figure déjà à la ligne {line} du fichier.")
            }
            Error::ImportSecretAndHash => {
                "Donnez soit le secret, soit son empreinte, pas les deux.".into()
            }
            Error::ImportSecretMissing => "Donnez le secret ou son empreinte argon2id.".into(),
            Error::ImportSecretInvalid(problem) => format!(
                "Le secret est inutilisable : {}.",
                secret_problem(*problem, Lang::Fr)
            ),
            Error::ImportHashRefused(problem) => {
                format!(
                    "L'empreinte est refusée : {}.",
                    hash_problem(problem, Lang::Fr)
                )
            }
            Error::ImportDateInvalid(text) => format!(
                "« {text} » n'est pas une date ; écrivez AAAA-MM-JJ ou JJ/MM/AAAA, éventuellement \
                 suivie d'une heure HH:MM."
            ),
            Error::CreationInFuture => "La date de création est dans le futur.".into(),
            Error::ExpiryBeforeCreation => {
                "La date d'expiration précède la date de création.".into()
            }
            Error::TokenRefused { key, status } => format!(
                "La clé « {key} » est {} : aucun jeton d'accès ne peut être émis pour elle.",
                status.label(Lang::Fr)
            ),
            Error::Internal(why) => format!("Erreur interne : {why}"),
        }
    }
}

/// The columns an import file may have, as the messages list them.
const KNOWN_COLUMNS: &str = "service, name, identifier, secret, hash, creator, created, expiry, \
                             permissions, companies, note";
const KNOWN_COLUMNS_FR: &str = "service, nom, identifiant, secret, empreinte, créateur, création, \
                                expiration, permissions, sociétés, note";

fn secret_problem(problem: ImportedSecretProblem, lang: Lang) -> String {
    match (problem, lang) {
        (ImportedSecretProblem::Length, Lang::Fr) => {
            format!("il doit compter de {IMPORTED_SECRET_MIN} à {IMPORTED_SECRET_MAX} caractères")
        }
        (ImportedSecretProblem::Length, Lang::En) => {
            format!("it must have {IMPORTED_SECRET_MIN} to {IMPORTED_SECRET_MAX} characters")
        }
        (ImportedSecretProblem::Characters, Lang::Fr) => {
            "seuls les caractères ASCII visibles sont admis, sans espace ni accent".into()
        }
        (ImportedSecretProblem::Characters, Lang::En) => {
            "only visible ASCII characters are allowed, without spaces or accents".into()
        }
        (ImportedSecretProblem::NotSesame, Lang::Fr) => "il ne correspond pas à l'identifiant \
            (un secret Sésame « ses_… » porte une somme de contrôle liée à son identifiant)"
            .into(),
        (ImportedSecretProblem::NotSesame, Lang::En) => "it does not match the identifier \
            (a Sésame secret « ses_… » carries a checksum bound to its identifier)"
            .into(),
    }
}

fn hash_problem(problem: &HashProblem, lang: Lang) -> String {
    match (problem, lang) {
        (HashProblem::NotPhc, Lang::Fr) => "ce n'est pas une empreinte au format PHC \
            ($argon2id$v=19$m=…,t=…,p=…$sel$empreinte)"
            .into(),
        (HashProblem::NotPhc, Lang::En) => {
            "it is not a PHC string ($argon2id$v=19$m=…,t=…,p=…$salt$hash)".into()
        }
        (HashProblem::Algorithm(name), Lang::Fr) => {
            format!("l'algorithme « {name} » n'est pas accepté, seul argon2id l'est")
        }
        (HashProblem::Algorithm(name), Lang::En) => {
            format!("the algorithm « {name} » is not accepted, only argon2id is")
        }
        (HashProblem::Version, Lang::Fr) => {
            "seule la version 19 (1.3) d'argon2 est acceptée".into()
        }
        (HashProblem::Version, Lang::En) => "only argon2 version 19 (1.3) is accepted".into(),
        (HashProblem::TooWeak { memory_kib, passes }, Lang::Fr) => format!(
            "paramètres trop faibles (m={memory_kib} Kio, t={passes}) : il faut au moins \
             m=19456, t=2 ou une configuration équivalente recommandée par l'OWASP"
        ),
        (HashProblem::TooWeak { memory_kib, passes }, Lang::En) => format!(
            "parameters too weak (m={memory_kib} KiB, t={passes}): at least m=19456, t=2 or an \
             equivalent configuration recommended by OWASP"
        ),
        (
            HashProblem::TooCostly {
                max_memory_kib,
                max_work,
            },
            Lang::Fr,
        ) => format!(
            "paramètres trop coûteux pour cette installation : chaque vérification prendrait plus \
             de temps que celle des autres clés (au plus m={max_memory_kib} Kio et m × t ≤ \
             {max_work}, p ≤ 16)"
        ),
        (
            HashProblem::TooCostly {
                max_memory_kib,
                max_work,
            },
            Lang::En,
        ) => format!(
            "parameters too costly for this installation: each check would take longer than \
             other keys' (at most m={max_memory_kib} KiB and m × t ≤ {max_work}, p ≤ 16)"
        ),
        (HashProblem::TooShort, Lang::Fr) => "sel ou empreinte de moins de 16 octets".into(),
        (HashProblem::TooShort, Lang::En) => "salt or hash shorter than 16 bytes".into(),
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
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
