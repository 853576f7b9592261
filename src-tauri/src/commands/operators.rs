//! Operators and passwords: the settings screen's list for those with the configuration right,
//! one's own password, and the strength meter beside every new password.

use sesame_core::secret::{ExposeSecret, secret_from};
use sesame_core::{OperatorEdit, Rights};
use tauri::AppHandle;

use super::blocking;
use crate::error::UiResult;
use crate::views::{OperatorAccountView, PasswordStrengthView, RightsView};

fn check_confirmation(password: &str, confirmation: &str) -> sesame_core::Result<()> {
    match password == confirmation {
        true => Ok(()),
        false => Err(sesame_core::Error::PasswordsDiffer),
    }
}

#[tauri::command]
pub async fn list_operator_accounts(app: AppHandle) -> UiResult<Vec<OperatorAccountView>> {
    blocking(app, |state| {
        let operators = state.with_store(|sesame, session| sesame.operators(session))?;
        Ok(operators.iter().map(OperatorAccountView::from).collect())
    })
    .await
}

#[tauri::command]
pub async fn create_operator(
    app: AppHandle,
    name: String,
    password: String,
    confirmation: String,
    rights: RightsView,
) -> UiResult<OperatorAccountView> {
    let (password, confirmation) = (secret_from(password), secret_from(confirmation));
    blocking(app, move |state| {
        let operator = state.with_store(|sesame, session| {
            check_confirmation(password.expose_secret(), confirmation.expose_secret())?;
            sesame.create_operator(session, &name, &password, Rights::from(rights))
        })?;
        Ok(OperatorAccountView::from(&operator))
    })
    .await
}

#[tauri::command]
pub async fn edit_operator(
    app: AppHandle,
    id: String,
    name: String,
    rights: RightsView,
) -> UiResult<OperatorAccountView> {
    blocking(app, move |state| {
        let edit = OperatorEdit {
            name: Some(name),
            rights: Some(rights.into()),
        };
        let operator =
            state.with_store(|sesame, session| sesame.edit_operator(session, &id, &edit))?;
        Ok(OperatorAccountView::from(&operator))
    })
    .await
}

#[tauri::command]
pub async fn set_operator_disabled(
    app: AppHandle,
    id: String,
    disabled: bool,
) -> UiResult<OperatorAccountView> {
    blocking(app, move |state| {
        let operator = state
            .with_store(|sesame, session| sesame.set_operator_disabled(session, &id, disabled))?;
        Ok(OperatorAccountView::from(&operator))
    })
    .await
}

#[tauri::command]
pub async fn reset_operator_password(
    app: AppHandle,
    id: String,
    password: String,
    confirmation: String,
) -> UiResult<()> {
    let (password, confirmation) = (secret_from(password), secret_from(confirmation));
    blocking(app, move |state| {
        state.with_store(|sesame, session| {
            check_confirmation(password.expose_secret(), confirmation.expose_secret())?;
            sesame
                .reset_operator_password(session, &id, &password)
                .map(drop)
        })
    })
    .await
}

#[tauri::command]
pub async fn change_own_password(
    app: AppHandle,
    current: String,
    password: String,
    confirmation: String,
) -> UiResult<()> {
    let current = secret_from(current);
    let (password, confirmation) = (secret_from(password), secret_from(confirmation));
    blocking(app, move |state| {
        state.with_store(|sesame, session| {
            check_confirmation(password.expose_secret(), confirmation.expose_secret())?;
            sesame.change_own_password(session, &current, &password)
        })
    })
    .await
}

/// Rates a password as it is typed, with the same rule the core applies when it is chosen.
#[tauri::command]
pub async fn password_strength(
    app: AppHandle,
    name: String,
    password: String,
) -> UiResult<PasswordStrengthView> {
    let password = secret_from(password);
    blocking(app, move |_| {
        let strength = sesame_core::operator::password_strength(&password, &name);
        Ok(PasswordStrengthView {
            score: strength.score,
            acceptable: strength.acceptable,
        })
    })
    .await
}
