//! Installation settings shared by every front end: the interface language and the delay after
//! which a copied secret is wiped from the clipboard.

use rusqlite::{OptionalExtension, params};
use serde_json::json;

use crate::Sesame;
use crate::audit;
use crate::error::{Error, Lang, Result};
use crate::operator::{Session, authorize};

pub const CLIPBOARD_SECONDS_DEFAULT: u32 = 30;
pub const CLIPBOARD_SECONDS_RANGE: std::ops::RangeInclusive<u32> = 10..=300;

/// The settings as they stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub language: Lang,
    pub clipboard_seconds: u32,
}

impl Sesame {
    fn setting(&self, name: &str) -> Result<Option<String>> {
        Ok(self
            .connection
            .prepare_cached("SELECT value FROM settings WHERE name = ?1")?
            .query_row([name], |row| row.get(0))
            .optional()?)
    }

    /// Readable before sign-in: the first screens need the language.
    pub fn settings(&self) -> Result<Settings> {
        let language = self
            .setting("language")?
            .map(|tag| Lang::from_tag(&tag))
            .unwrap_or_default();
        let clipboard_seconds = self
            .setting("clipboard_seconds")?
            .and_then(|value| value.parse().ok())
            .filter(|seconds| CLIPBOARD_SECONDS_RANGE.contains(seconds))
            .unwrap_or(CLIPBOARD_SECONDS_DEFAULT);
        Ok(Settings {
            language,
            clipboard_seconds,
        })
    }

    fn change_setting(&mut self, session: &Session, name: &str, value: String) -> Result<()> {
        self.write(|transaction, now| {
            let actor = authorize(transaction, session, None)?;
            let before: Option<String> = transaction
                .query_row(
                    "SELECT value FROM settings WHERE name = ?1",
                    [name],
                    |row| row.get(0),
                )
                .optional()?;
            if before.as_deref() == Some(value.as_str()) {
                return Ok(());
            }
            transaction.execute(
                "INSERT INTO settings (name, value) VALUES (?1, ?2)
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                params![name, value],
            )?;
            audit::record(
                transaction,
                now,
                Some(&actor),
                "settings.changed",
                None,
                json!({"setting": name, "before": before, "after": value}),
            )
        })
    }

    pub fn set_language(&mut self, session: &Session, language: Lang) -> Result<Settings> {
        self.change_setting(session, "language", language.tag().to_owned())?;
        self.settings()
    }

    pub fn set_clipboard_seconds(&mut self, session: &Session, seconds: u32) -> Result<Settings> {
        if !CLIPBOARD_SECONDS_RANGE.contains(&seconds) {
            return Err(Error::OutOfRange {
                min: *CLIPBOARD_SECONDS_RANGE.start(),
                max: *CLIPBOARD_SECONDS_RANGE.end(),
            });
        }
        self.change_setting(session, "clipboard_seconds", seconds.to_string())?;
        self.settings()
    }
}
