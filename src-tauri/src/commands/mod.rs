//! The commands the webview may call. Each reads its state, calls the core off the main thread
//! (argon2id and SQLite are slow), and converts the answer to an edge type.

pub mod adoption;
pub mod audit;
pub mod keys;
pub mod one_time;
pub mod operators;
pub mod services;
pub mod session;

use tauri::{AppHandle, Manager};

use crate::error::{UiError, UiResult};
use crate::state::AppState;

/// Runs `work` on the blocking pool with the app's state.
pub async fn blocking<T, F>(app: AppHandle, work: F) -> UiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&AppState) -> UiResult<T> + Send + 'static,
{
    let lang = app.state::<AppState>().lang();
    tauri::async_runtime::spawn_blocking(move || work(&app.state::<AppState>()))
        .await
        .map_err(|error| UiError::internal(error, lang))?
}

/// Converts a core result, with its message in the interface language.
pub fn core<T>(state: &AppState, result: sesame_core::Result<T>) -> UiResult<T> {
    result.map_err(|error| UiError::from_core(&error, state.lang()))
}
