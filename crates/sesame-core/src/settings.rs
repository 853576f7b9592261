//! Installation settings shared by every front end: the interface language, the delay after
//! which a copied secret is wiped from the clipboard, the idle time after which the app locks,
//! the lifetime of access tokens and how far ahead the app warns of expiring keys.

use serde_json::json;

use crate::Sesame;
use crate::audit;
use crate::error::{Error, Lang, Result};
use crate::operator::{Right, Session};
use crate::store;
use crate::vocab::{AuditAction, RowKind};

pub const CLIPBOARD_SECONDS_DEFAULT: u32 = 30;
pub const CLIPBOARD_SECONDS_RANGE: std::ops::RangeInclusive<u32> = 10..=300;
pub const LOCK_MINUTES_DEFAULT: u32 = 5;
pub const LOCK_MINUTES_RANGE: std::ops::RangeInclusive<u32> = 1..=60;
pub const TOKEN_HOURS_DEFAULT: u32 = 24;
pub const TOKEN_HOURS_RANGE: std::ops::RangeInclusive<u32> = 1..=720;
pub const WARNING_DAYS_DEFAULT: u32 = 30;
pub const WARNING_DAYS_RANGE: std::ops::RangeInclusive<u32> = 1..=365;

/// The settings as they stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub language: Lang,
    pub clipboard_seconds: u32,
    pub lock_minutes: u32,
    /// Lifetime of access tokens (`SESAME_TOKEN_TTL` overrides it for the service).
    pub token_hours: u32,
    /// How many days ahead the app warns of expiring keys.
    pub warning_days: u32,
}

impl Sesame {
    /// A setting as Sésame wrote it; one changed outside Sésame (its seal does not match) is
    /// refused.
    fn setting(&self, name: &str) -> Result<Option<String>> {
        let value = store::settings::get(&self.connection, name)?;
        // A setting Sésame wrote and someone deleted does not fall back to its default: its
        // seal is still there.
        let deleted_outside =
            value.is_none() && store::usage::seal_of(&self.connection, "setting", name)?.is_some();
        if deleted_outside
            || (value.is_some()
                && !crate::seal::row_is_sealed(
                    &self.connection,
                    &self.state_key,
                    crate::seal::SealedKind::Setting,
                    name,
                )?)
        {
            return Err(Error::StateTampered {
                kind: RowKind::Setting,
                name: name.to_owned(),
            });
        }
        Ok(value)
    }

    /// Readable before sign-in: the first screens need the language.
    pub fn settings(&self) -> Result<Settings> {
        let language = self
            .setting("language")?
            .map(|tag| Lang::from_tag(&tag))
            .unwrap_or_default();
        let number = |name: &str, range: std::ops::RangeInclusive<u32>, default: u32| {
            Ok::<_, Error>(
                self.setting(name)?
                    .and_then(|value| value.parse().ok())
                    .filter(|value| range.contains(value))
                    .unwrap_or(default),
            )
        };
        Ok(Settings {
            language,
            clipboard_seconds: number(
                "clipboard_seconds",
                CLIPBOARD_SECONDS_RANGE,
                CLIPBOARD_SECONDS_DEFAULT,
            )?,
            lock_minutes: number("lock_minutes", LOCK_MINUTES_RANGE, LOCK_MINUTES_DEFAULT)?,
            token_hours: number("token_hours", TOKEN_HOURS_RANGE, TOKEN_HOURS_DEFAULT)?,
            warning_days: number("warning_days", WARNING_DAYS_RANGE, WARNING_DAYS_DEFAULT)?,
        })
    }

    /// Changes one setting. The language is anyone's choice; delays that protect secrets need
    /// the configuration right.
    fn change_setting(
        &mut self,
        session: &Session,
        right: Option<Right>,
        name: &str,
        value: String,
    ) -> Result<()> {
        self.act(
            session,
            right,
            AuditAction::SettingsChanged,
            |transaction, now, actor| {
                let before = store::settings::get(transaction, name)?;
                if before.as_deref() == Some(value.as_str()) {
                    return Ok(());
                }
                store::settings::put(transaction, name, &value)?;
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::SettingsChanged,
                    None,
                    json!({"setting": name, "before": before, "after": value}),
                )
            },
        )
    }

    pub fn set_language(&mut self, session: &Session, language: Lang) -> Result<Settings> {
        self.change_setting(session, None, "language", language.tag().to_owned())?;
        self.settings()
    }

    /// A number setting that protects secrets: checked against its range, and reserved to the
    /// configuration right.
    fn change_number(
        &mut self,
        session: &Session,
        name: &str,
        value: u32,
        range: std::ops::RangeInclusive<u32>,
    ) -> Result<Settings> {
        if !range.contains(&value) {
            return Err(Error::OutOfRange {
                min: *range.start(),
                max: *range.end(),
            });
        }
        self.change_setting(session, Some(Right::Configuration), name, value.to_string())?;
        self.settings()
    }

    pub fn set_clipboard_seconds(&mut self, session: &Session, seconds: u32) -> Result<Settings> {
        self.change_number(
            session,
            "clipboard_seconds",
            seconds,
            CLIPBOARD_SECONDS_RANGE,
        )
    }

    /// The idle time, in minutes, after which the app locks itself.
    pub fn set_lock_minutes(&mut self, session: &Session, minutes: u32) -> Result<Settings> {
        self.change_number(session, "lock_minutes", minutes, LOCK_MINUTES_RANGE)
    }

    /// How long access tokens live, in hours.
    pub fn set_token_hours(&mut self, session: &Session, hours: u32) -> Result<Settings> {
        self.change_number(session, "token_hours", hours, TOKEN_HOURS_RANGE)
    }

    /// How many days ahead the app warns of expiring keys.
    pub fn set_warning_days(&mut self, session: &Session, days: u32) -> Result<Settings> {
        self.change_number(session, "warning_days", days, WARNING_DAYS_RANGE)
    }

    /// This installation's identity, made by the store's creation; names its keyring entry.
    pub fn installation_id(&self) -> Result<String> {
        self.setting("installation_id")?
            .ok_or_else(|| Error::StoreCorrupt("the installation has no identity".into()))
    }
}
