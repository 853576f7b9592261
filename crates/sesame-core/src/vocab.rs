//! The shared vocabulary: the closed sets of codes that the core's rules, its errors, the audit
//! trail and the front ends all speak (languages, input fields, key statuses and actions,
//! rights, audit actions, the reasons an import refuses a secret or a hash). A leaf: it imports
//! nothing from the rest of the core, so every other module may import it.
//!
//! Each set is an enum with a stable code (`code()`, what the store, `--json` and the webview
//! carry) and a parser that refuses anything else (`from_code`); the words people read for
//! them live in the message catalogue (`crate::messages`), never here.

use serde::{Deserialize, Serialize};

/// A closed vocabulary, for what reads its codes whatever the set (the command line's value
/// parsers).
pub trait Word: Copy + Send + Sync + 'static {
    /// Every value, in declaration order.
    fn all() -> &'static [Self];
    /// The stable code.
    fn code(self) -> &'static str;
}

/// Declares a closed vocabulary: the enum, its stable codes, the parser and serde in both
/// directions through the code, and its TypeScript twin when the `ts` feature is on.
macro_rules! vocabulary {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident => $code:literal,)+ }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "ts", derive(ts_rs::TS))]
        pub enum $name {
            $($(#[$vmeta])* #[serde(rename = $code)] $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The stable code.
            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }

            /// The value with this exact code; anything else is `None`, never a default.
            pub fn from_code(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl Word for $name {
            fn all() -> &'static [$name] {
                $name::ALL
            }

            fn code(self) -> &'static str {
                $name::code(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                formatter.write_str(self.code())
            }
        }
    };
}

vocabulary! {
    /// The language messages are written in. French comes first: it is the default.
    #[derive(Default)]
    pub enum Lang {
        #[default]
        Fr => "fr",
        En => "en",
    }
}

impl Lang {
    /// Reads a language tag such as `fr`, `en`, `en_GB.UTF-8`; anything that is not English is
    /// French.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("en") {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    pub fn tag(self) -> &'static str {
        self.code()
    }
}

vocabulary! {
    /// Which input a validation message is about, so the interface can show it beside the field.
    pub enum Field {
        ServiceName => "service_name",
        KeyName => "key_name",
        CompanyName => "company_name",
        OperatorName => "operator_name",
        Description => "description",
        Category => "category",
        Website => "website",
        Prefix => "prefix",
        Permission => "permission",
        Note => "note",
        Reason => "reason",
        Expiry => "expiry",
        Password => "password",
        PasswordConfirmation => "password_confirmation",
        CurrentPassword => "current_password",
        Identifier => "identifier",
        Creator => "creator",
        ClientCode => "client_code",
        Tag => "tag",
        Contact => "contact",
        Siren => "siren",
        Town => "town",
    }
}

vocabulary! {
    /// A key's status as people see it. `Expired` is derived from the expiry date; the store
    /// keeps only active, inactive and revoked.
    pub enum KeyStatus {
        Active => "active",
        Inactive => "inactive",
        Revoked => "revoked",
        Expired => "expired",
    }
}

vocabulary! {
    /// A change an operator can ask for on a key (in the order the key list offers them).
    pub enum KeyAction {
        Edit => "edit",
        Deactivate => "deactivate",
        Reactivate => "reactivate",
        Regenerate => "regenerate",
        Revoke => "revoke",
        Delete => "delete",
    }
}

vocabulary! {
    /// A right an operator may hold.
    pub enum Right {
        /// « configuration de la plateforme »: services, listing approval, keys, operators.
        Configuration => "configuration",
        /// « audit »: the audit log, exports and reports.
        Audit => "audit",
    }
}

/// The rights an operator holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rights {
    pub configuration: bool,
    pub audit: bool,
}

impl Rights {
    pub const ALL: Rights = Rights {
        configuration: true,
        audit: true,
    };

    pub fn from_list(rights: &[Right]) -> Rights {
        Rights {
            configuration: rights.contains(&Right::Configuration),
            audit: rights.contains(&Right::Audit),
        }
    }

    pub fn holds(self, right: Right) -> bool {
        match right {
            Right::Configuration => self.configuration,
            Right::Audit => self.audit,
        }
    }

    /// The codes of the rights held, for audit details and JSON.
    pub fn codes(self) -> Vec<&'static str> {
        Right::ALL
            .iter()
            .filter(|right| self.holds(**right))
            .map(|right| right.code())
            .collect()
    }
}

/// A signed-in operator. Only sign-in and the first administrator's creation make one; every
/// action checks the operator's current rights in the store, so a session cannot outlive a
/// disabled account or a removed right.
#[derive(Debug, Clone)]
pub struct Session {
    operator_id: String,
    operator_name: String,
}

impl Session {
    pub(crate) fn new(operator_id: String, operator_name: String) -> Session {
        Session {
            operator_id,
            operator_name,
        }
    }

    pub fn operator_id(&self) -> &str {
        &self.operator_id
    }

    pub fn operator_name(&self) -> &str {
        &self.operator_name
    }
}

vocabulary! {
    /// What the audit trail records, and what a refused attempt was for. The codes are stored
    /// in every event and covered by its hash: they never change.
    pub enum AuditAction {
        AccessRefused => "access.refused",
        AuditExported => "audit.exported",
        AuditRead => "audit.read",
        CompanyArchived => "company.archived",
        CompanyCreated => "company.created",
        CompanyEdited => "company.edited",
        CompanyRestored => "company.restored",
        KeyCopied => "key.copied",
        KeyCreated => "key.created",
        KeyDeactivated => "key.deactivated",
        KeyDeleted => "key.deleted",
        KeyEdited => "key.edited",
        KeyImport => "key.import",
        KeyImported => "key.imported",
        KeyImportSummary => "key.import_summary",
        KeyReactivated => "key.reactivated",
        KeyRegenerated => "key.regenerated",
        KeyRevoked => "key.revoked",
        OperatorCreated => "operator.created",
        OperatorDisabled => "operator.disabled",
        OperatorEdited => "operator.edited",
        OperatorEnabled => "operator.enabled",
        OperatorList => "operator.list",
        OperatorPasswordChangeFailed => "operator.password_change_failed",
        OperatorPasswordChanged => "operator.password_changed",
        OperatorPasswordReset => "operator.password_reset",
        OperatorSignInFailed => "operator.sign_in_failed",
        OperatorSignedIn => "operator.signed_in",
        ReportCredentials => "report.credentials",
        ServiceApproved => "service.approved",
        ServiceCreated => "service.created",
        ServiceEdited => "service.edited",
        SettingsChanged => "settings.changed",
        SigningKeyCreated => "signing_key.created",
        SigningKeyMovedToKeyring => "signing_key.moved_to_keyring",
        SigningKeyRecreated => "signing_key.recreated",
        SigningKeyReplaced => "signing_key.replaced",
        SigningKeyRegistered => "signing_key.registered",
        SigningKeyRetired => "signing_key.retired",
        StoreBackedUp => "store.backed_up",
        KeyChecked => "key.checked",
        KeysBulkChanged => "keys.bulk_changed",
        CompanyOffboarded => "company.offboarded",
        ServiceOffboarded => "service.offboarded",
        StoreChecked => "store.checked",
        StoreCopied => "store.copied",
        StoreResealed => "store.resealed",
        StoreRestored => "store.restored",
        StoreSealed => "store.sealed",
        StoreTampered => "store.tampered",
        TokenIssued => "token.issued",
        AuditAnchored => "audit.anchored",
        RecoveryCodeCreated => "store.recovery_code_created",
    }
}

vocabulary! {
    /// The families the audit screen filters by: an action's code up to its first dot (the
    /// journal's filter takes the code, `key.`, as a prefix).
    pub enum AuditFamily {
        Key => "key.",
        Keys => "keys.",
        Token => "token.",
        Service => "service.",
        Company => "company.",
        Operator => "operator.",
        Access => "access.",
        Settings => "settings.",
        SigningKey => "signing_key.",
        Audit => "audit.",
        Report => "report.",
        Store => "store.",
    }
}

impl AuditAction {
    /// The family the action is filtered under: its code up to the first dot.
    pub fn family(self) -> AuditFamily {
        let code = self.code();
        let end = code.find('.').map_or(code.len(), |dot| dot + 1);
        // Every action's prefix is a family (`vocab::tests`); `Store` is never reached.
        AuditFamily::from_code(&code[..end]).unwrap_or(AuditFamily::Store)
    }
}

impl AuditFamily {
    /// The actions filed under this family.
    pub fn actions(self) -> impl Iterator<Item = AuditAction> {
        AuditAction::ALL
            .iter()
            .copied()
            .filter(move |action| action.family() == self)
    }
}

vocabulary! {
    /// What a bulk action does to each key it selects.
    pub enum BulkChangeKind {
        Deactivate => "deactivate",
        Reactivate => "reactivate",
        Revoke => "revoke",
        SetExpiry => "set_expiry",
        AddTag => "add_tag",
        RemoveTag => "remove_tag",
        Delete => "delete",
    }
}

vocabulary! {
    /// How an offboarding ends the keys that served only the company or service it retires.
    pub enum OffboardEnd {
        Deactivate => "deactivate",
        Revoke => "revoke",
    }
}

vocabulary! {
    /// What a bulk action or an offboarding does to one key, as its preview shows it.
    pub enum KeyEffect {
        Deactivated => "deactivated",
        Reactivated => "reactivated",
        Revoked => "revoked",
        Deleted => "deleted",
        ExpiryChanged => "expiry_changed",
        TagAdded => "tag_added",
        TagRemoved => "tag_removed",
        LosesCompany => "loses_company",
        Unchanged => "unchanged",
    }
}

vocabulary! {
    /// How long the previous secret keeps working after a regeneration.
    #[derive(Default)]
    pub enum Grace {
        #[default]
        Now => "now",
        OneHour => "1h",
        OneDay => "24h",
        SevenDays => "7d",
    }
}

vocabulary! {
    /// The orders the key list can be sorted in.
    #[derive(Default)]
    pub enum KeySort {
        #[default]
        NewestFirst => "newest",
        OldestFirst => "oldest",
        Name => "name",
        LastUse => "last-use",
        Expiry => "expiry",
    }
}

vocabulary! {
    /// The key list's health criteria: keys that deserve a look.
    pub enum Health {
        Unused => "unused",
        NoExpiry => "no_expiry",
        NotRegenerated => "not_regenerated",
        ExpiringSoon => "expiring_soon",
        RefusedAttempts => "refused_attempts",
        BeyondMaxLifetime => "beyond_max_lifetime",
    }
}

vocabulary! {
    /// One way of sending a key.
    pub enum UsageStyle {
        /// `Authorization: Bearer <identifier>.<secret>`.
        Bearer => "bearer",
        /// `X-Api-Key: <identifier>.<secret>`.
        ApiKey => "api_key",
        /// HTTP Basic, user the identifier, password the secret.
        Basic => "basic",
        /// HTTP Basic to `POST /v1/tokens`, for an access token.
        Token => "token",
    }
}

vocabulary! {
    /// A part of a key that a Copy button copies (the audit trail records which, never the value).
    pub enum CopyPart {
        Identifier => "identifier",
        Secret => "secret",
        Token => "token",
        AccessToken => "access_token",
        UsageBearer => "usage_bearer",
        UsageApiKey => "usage_api_key",
        UsageBasic => "usage_basic",
        UsageToken => "usage_token",
    }
}

vocabulary! {
    /// The verification service's answers (the HTTP API's `code`).
    pub enum VerifyCode {
        Valid => "VALID",
        Malformed => "MALFORMED",
        NotFound => "NOT_FOUND",
        InvalidSecret => "INVALID_SECRET",
        Inactive => "INACTIVE",
        Revoked => "REVOKED",
        Expired => "EXPIRED",
        InsufficientPermission => "INSUFFICIENT_PERMISSION",
        CompanyForbidden => "COMPANY_FORBIDDEN",
        /// The key's row was changed outside Sésame: its seal does not match (see `seal.rs`).
        Tampered => "TAMPERED",
    }
}

vocabulary! {
    /// The kinds of rows the audit trail and the seals name.
    pub enum RowKind {
        Key => "key",
        Operator => "operator",
        Service => "service",
        Company => "company",
        Setting => "setting",
        SigningKey => "signing_key",
    }
}

/// Why an imported argon2id hash is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HashProblem {
    /// Not a PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`).
    NotPhc,
    /// Another algorithm (bcrypt, scrypt, argon2i, PBKDF2…): its name.
    Algorithm(String),
    /// An argon2 version other than 1.3 (19).
    Version,
    /// Weaker than every configuration OWASP recommends for argon2id.
    TooWeak { memory_kib: u32, passes: u32 },
    /// Costlier than the band around the installation's own cost: each check would hold the
    /// service's argon2id work longer than any other key's, and answer more slowly than an
    /// unknown identifier (a timing oracle). The most the installation accepts.
    TooCostly { max_memory_kib: u32, max_work: u64 },
    /// A salt or hash output shorter than 16 bytes.
    TooShort,
}

/// The shortest and longest secret an import accepts for an identifier of another system.
pub const IMPORTED_SECRET_MIN: usize = 16;
pub const IMPORTED_SECRET_MAX: usize = 256;

/// Why a secret brought in by an import cannot be used with its identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportedSecretProblem {
    /// Shorter than [`IMPORTED_SECRET_MIN`] or longer than [`IMPORTED_SECRET_MAX`].
    Length,
    /// Holds a space, a control character or a character outside ASCII.
    Characters,
    /// Looks like a Sésame secret (`ses_`) or goes with a Sésame identifier, but its checksum
    /// does not match the identifier.
    NotSesame,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every action is filed under the family its code begins with, and every family files
    /// some: a new action with a new prefix cannot fall out of the audit screen's filter.
    #[test]
    fn every_action_has_its_family_and_every_family_its_actions() {
        for action in AuditAction::ALL {
            let family = action.family();
            assert!(
                action.code().starts_with(family.code()),
                "{} filed under {}",
                action.code(),
                family.code()
            );
            let prefix = &action.code()[..action.code().find('.').map_or(0, |dot| dot + 1)];
            assert_eq!(
                AuditFamily::from_code(prefix),
                Some(family),
                "{}",
                action.code()
            );
        }
        for family in AuditFamily::ALL {
            assert!(
                family.actions().next().is_some(),
                "{} is empty",
                family.code()
            );
        }
    }
}
