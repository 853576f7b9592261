//! The error the webview receives: a stable code, the message in the interface language, and
//! the form field it is about.

use serde::Serialize;
use sesame_core::Lang;
use sesame_core::vocab::Field;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct UiError {
    pub code: String,
    pub message: String,
    /// The form field the message is about: the vocabulary's type, so the interface compares
    /// it with codes the compiler knows.
    pub field: Option<Field>,
}

impl UiError {
    pub fn from_core(error: &sesame_core::Error, lang: Lang) -> UiError {
        UiError {
            code: error.code().to_owned(),
            message: error.message(lang),
            field: error.field(),
        }
    }

    /// The app locked itself (idle, or on demand): the password is needed again.
    pub fn locked(lang: Lang) -> UiError {
        UiError {
            code: "locked".to_owned(),
            message: sesame_core::messages::word(lang, "app-locked"),
            field: None,
        }
    }

    pub fn internal(why: impl std::fmt::Display, lang: Lang) -> UiError {
        UiError::from_core(&sesame_core::Error::Internal(why.to_string()), lang)
    }
}

pub type UiResult<T> = Result<T, UiError>;
