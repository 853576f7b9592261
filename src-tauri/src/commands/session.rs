//! First launch, sign-in, sign-out and the settings every screen needs.

use sesame_core::Lang;
use sesame_core::secret::{ExposeSecret, secret_from};
use tauri::AppHandle;

use super::{blocking, core};
use crate::error::UiResult;
use crate::state::lock;
use crate::views::{AppStatus, OperatorView};

fn operator(session: &sesame_core::Session) -> OperatorView {
    OperatorView {
        id: session.operator_id().to_owned(),
        name: session.operator_name().to_owned(),
    }
}

#[tauri::command]
pub async fn app_status(app: AppHandle) -> UiResult<AppStatus> {
    blocking(app, |state| {
        let sesame = lock(&state.sesame, state.lang())?;
        let settings = core(state, sesame.settings())?;
        Ok(AppStatus {
            initialised: core(state, sesame.is_initialised())?,
            operator: lock(&state.session, state.lang())?.as_ref().map(operator),
            language: settings.language.tag().to_owned(),
            clipboard_seconds: settings.clipboard_seconds,
            store: sesame.path().display().to_string(),
        })
    })
    .await
}

#[tauri::command]
pub async fn create_administrator(
    app: AppHandle,
    name: String,
    password: String,
    confirmation: String,
) -> UiResult<OperatorView> {
    let (password, confirmation) = (secret_from(password), secret_from(confirmation));
    blocking(app, move |state| {
        if password.expose_secret() != confirmation.expose_secret() {
            return core(state, Err(sesame_core::Error::PasswordsDiffer));
        }
        let session = core(
            state,
            lock(&state.sesame, state.lang())?.initialise(&name, &password),
        )?;
        let view = operator(&session);
        *lock(&state.session, state.lang())? = Some(session);
        Ok(view)
    })
    .await
}

#[tauri::command]
pub async fn sign_in(app: AppHandle, name: String, password: String) -> UiResult<OperatorView> {
    let password = secret_from(password);
    blocking(app, move |state| {
        let session = core(
            state,
            lock(&state.sesame, state.lang())?.sign_in(&name, &password),
        )?;
        let view = operator(&session);
        *lock(&state.session, state.lang())? = Some(session);
        Ok(view)
    })
    .await
}

#[tauri::command]
pub async fn sign_out(app: AppHandle) -> UiResult<()> {
    blocking(app, |state| {
        state.discard_one_time();
        state.clipboard.wipe_now();
        *lock(&state.session, state.lang())? = None;
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn set_language(app: AppHandle, language: String) -> UiResult<AppStatus> {
    blocking(app.clone(), move |state| {
        let session = state.session()?;
        let settings = core(
            state,
            lock(&state.sesame, state.lang())?.set_language(&session, Lang::from_tag(&language)),
        )?;
        *lock(&state.lang, state.lang())? = settings.language;
        Ok(())
    })
    .await?;
    app_status(app).await
}

#[tauri::command]
pub async fn set_clipboard_seconds(app: AppHandle, seconds: u32) -> UiResult<AppStatus> {
    blocking(app.clone(), move |state| {
        let session = state.session()?;
        core(
            state,
            lock(&state.sesame, state.lang())?.set_clipboard_seconds(&session, seconds),
        )?;
        Ok(())
    })
    .await?;
    app_status(app).await
}
