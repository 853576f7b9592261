//! The one-time dialog's Copy buttons, and forgetting the secret when the dialog closes.

use std::sync::Mutex;
use std::time::Duration;

use sesame_core::secret::{SecretString, secret_from};
use tauri::AppHandle;

use super::{blocking, core};
use crate::error::{UiError, UiResult};
use crate::state::{AppState, lock};
use sesame_core::vocab::CopyPart;

/// Copies through the sensitive clipboard, wiped after the operator's delay.
pub fn copy_to_clipboard(state: &AppState, value: &SecretString) -> UiResult<()> {
    let seconds = core(state, state.store()?.settings())?.clipboard_seconds;
    state
        .clipboard
        .copy(value, Duration::from_secs(u64::from(seconds)))
        .map_err(|why| UiError::internal(format!("clipboard: {why}"), state.lang()))
}

/// The Copy button of something shown once (the one-time dialog, a token issued by hand): `copy`
/// puts what it picks from `held` on the clipboard and answers the key's identifier and the part
/// copied, which the audit trail records. Once the dialog is closed there is nothing to copy.
pub fn copy_shown_once<T>(
    state: &AppState,
    held: &Mutex<Option<T>>,
    copy: impl FnOnce(&T) -> UiResult<(String, CopyPart)>,
) -> UiResult<()> {
    state.session()?;
    let (identifier, part) = {
        let held = lock(held, state.lang())?;
        let held = held
            .as_ref()
            .ok_or_else(|| UiError::from_core(&sesame_core::Error::SecretGone, state.lang()))?;
        copy(held)?
    };
    // Which part was copied goes to the audit trail; the value never does.
    state.with_store(|sesame, session| sesame.record_copy(session, &identifier, part))
}

/// Copies a part of the key in the open one-time dialog.
#[tauri::command]
pub async fn copy_one_time(app: AppHandle, part: CopyPart) -> UiResult<()> {
    blocking(app, move |state| {
        copy_shown_once(state, &state.one_time, |one_time| {
            let identifier = secret_from(one_time.identifier.clone());
            let value = match part {
                CopyPart::Identifier => &identifier,
                CopyPart::Secret => &one_time.secret,
                CopyPart::Token => &one_time.token,
                other => {
                    let why = format!("« {other} » is not a part of the one-time dialog");
                    return Err(UiError::internal(why, state.lang()));
                }
            };
            copy_to_clipboard(state, value)?;
            Ok((one_time.identifier.clone(), part))
        })
    })
    .await
}

#[tauri::command]
pub async fn discard_one_time(app: AppHandle) -> UiResult<()> {
    blocking(app, |state| {
        state.discard_one_time();
        Ok(())
    })
    .await
}

/// Copies a key's public identifier from the key list.
#[tauri::command]
pub async fn copy_identifier(app: AppHandle, identifier: String) -> UiResult<()> {
    blocking(app, move |state| {
        state.session()?;
        copy_to_clipboard(state, &secret_from(identifier.clone()))?;
        state.with_store(|sesame, session| {
            sesame.record_copy(session, &identifier, CopyPart::Identifier)
        })
    })
    .await
}
