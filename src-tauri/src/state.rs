//! What the app holds between commands: the open store, the signed-in operator (only ever on
//! the Rust side), the one-time secret while its dialog is open, and the clipboard.

use std::sync::{Mutex, MutexGuard};

use sesame_core::secret::SecretString;
use sesame_core::{Lang, Sesame, Session};

use crate::clipboard::SensitiveClipboard;
use crate::error::{UiError, UiResult};

/// The parts of a freshly issued key, kept only while the one-time dialog is open, so its Copy
/// buttons can copy from here rather than from the page.
#[derive(Debug)]
pub struct OneTime {
    pub identifier: String,
    pub secret: SecretString,
    pub token: SecretString,
}

#[derive(Debug)]
pub struct AppState {
    pub sesame: Mutex<Sesame>,
    pub session: Mutex<Option<Session>>,
    pub one_time: Mutex<Option<OneTime>>,
    pub lang: Mutex<Lang>,
    pub clipboard: SensitiveClipboard,
}

/// Locks a mutex; a poisoned one (a panic while held) becomes an error, not a second panic.
pub fn lock<'a, T>(mutex: &'a Mutex<T>, lang: Lang) -> UiResult<MutexGuard<'a, T>> {
    mutex
        .lock()
        .map_err(|_| UiError::internal("state lock poisoned", lang))
}

impl AppState {
    pub fn new(sesame: Sesame) -> AppState {
        let lang = sesame.settings().map(|s| s.language).unwrap_or_default();
        AppState {
            sesame: Mutex::new(sesame),
            session: Mutex::new(None),
            one_time: Mutex::new(None),
            lang: Mutex::new(lang),
            clipboard: SensitiveClipboard::default(),
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang.lock().map(|lang| *lang).unwrap_or_default()
    }

    /// The signed-in operator, or the « sign in first » error.
    pub fn session(&self) -> UiResult<Session> {
        let lang = self.lang();
        lock(&self.session, lang)?
            .clone()
            .ok_or_else(|| UiError::from_core(&sesame_core::Error::SignInRequired, lang))
    }

    /// Forgets the one-time secret: dialog closed, page reloaded, signed out.
    pub fn discard_one_time(&self) {
        if let Ok(mut one_time) = self.one_time.lock() {
            *one_time = None;
        }
    }
}
