//! First launch, sign-in, locking, sign-out and the settings every screen needs.

use sesame_core::secret::{EdgeSecret, ExposeSecret, SecretString, secret_from};
use sesame_core::{Lang, Sesame, Session};
use tauri::AppHandle;

use super::{blocking, core};
use crate::error::UiResult;
use crate::state::{AppState, SignedIn, lock};
use crate::views::{AppStatus, OperatorView, RecoveryCodeView, StoreProblemView};

/// Why the store could not be opened, when it could not: the window then shows only that. The
/// interface asks this first, before anything that needs the store.
#[tauri::command]
pub fn startup_problem(app: AppHandle) -> Option<StoreProblemView> {
    use tauri::Manager;
    app.try_state::<StoreProblemView>()
        .map(|problem| problem.inner().clone())
}

fn operator_view(sesame: &Sesame, session: &Session) -> sesame_core::Result<OperatorView> {
    let operator = sesame.signed_in_operator(session)?;
    Ok(OperatorView {
        id: operator.id,
        name: operator.name,
        rights: operator.rights.into(),
    })
}

/// Starts a session (after setup, sign-in or unlocking), unlocked and active now.
fn begin(state: &AppState, session: Session) -> UiResult<()> {
    *lock(&state.signed_in, state.lang())? = Some(SignedIn {
        session,
        locked: false,
        last_activity: crate::state::Moment::now(),
    });
    Ok(())
}

/// Checks a name and password in the core (audited, throttled) and starts the session.
fn sign_in_and_begin(state: &AppState, name: &str, password: &SecretString) -> UiResult<()> {
    let session = core(state, state.store()?.sign_in(name, password))?;
    begin(state, session)
}

#[tauri::command]
pub async fn app_status(app: AppHandle) -> UiResult<AppStatus> {
    blocking(app, |state| {
        // An idle app found by this call locks now rather than at the next tick.
        state.lock_if_idle();
        let sesame = state.store()?;
        let settings = core(state, sesame.settings())?;
        let mut signed_in = lock(&state.signed_in, state.lang())?;
        let (operator, locked) = match signed_in.as_ref() {
            Some(current) => match operator_view(&sesame, &current.session) {
                Ok(view) => (Some(view), current.locked),
                // Disabled (or gone) since signing in: the session ends here.
                Err(_) => {
                    *signed_in = None;
                    (None, false)
                }
            },
            None => (None, false),
        };
        Ok(AppStatus {
            initialised: core(state, sesame.is_initialised())?,
            operator,
            locked,
            language: settings.language,
            password_min: sesame_core::operator::PASSWORD_MIN as u32,
            clipboard_seconds: settings.clipboard_seconds,
            lock_minutes: settings.lock_minutes,
            token_hours: settings.token_hours,
            warning_days: settings.warning_days,
            store: sesame.path().display().to_string(),
            signing_key: lock(&state.signing_key, state.lang())?.clone(),
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
) -> UiResult<RecoveryCodeView> {
    let (password, confirmation) = (secret_from(password), secret_from(confirmation));
    blocking(app, move |state| {
        if password.expose_secret() != confirmation.expose_secret() {
            return core(state, Err(sesame_core::Error::PasswordsDiffer));
        }
        let (session, code) = {
            let mut sesame = state.store()?;
            let session = core(state, sesame.initialise(&name, &password))?;
            let code = core(state, sesame.create_recovery_code(&session))?;
            (session, code)
        };
        begin(state, session)?;
        Ok(RecoveryCodeView {
            code: EdgeSecret::reveal(&code),
        })
    })
    .await
}

#[tauri::command]
pub async fn sign_in(app: AppHandle, name: String, password: String) -> UiResult<()> {
    let password = secret_from(password);
    blocking(app, move |state| sign_in_and_begin(state, &name, &password)).await
}

/// Locks the app on demand (the « Verrouiller » button).
#[tauri::command]
pub async fn lock_app(app: AppHandle) -> UiResult<()> {
    blocking(app, |state| {
        state.lock_now();
        Ok(())
    })
    .await
}

/// Unlocks with the locked operator's password: a sign-in like any other, audited and
/// throttled.
#[tauri::command]
pub async fn unlock(app: AppHandle, password: String) -> UiResult<()> {
    let password = secret_from(password);
    blocking(app, move |state| {
        let name = match lock(&state.signed_in, state.lang())?.as_ref() {
            Some(current) => current.session.operator_name().to_owned(),
            None => {
                return core(state, Err(sesame_core::Error::SignInRequired));
            }
        };
        sign_in_and_begin(state, &name, &password)
    })
    .await
}

/// Input in the window (keys, pointer): keeps the app from locking while someone works.
#[tauri::command]
pub async fn report_activity(app: AppHandle) -> UiResult<()> {
    blocking(app, |state| {
        state.note_activity();
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn sign_out(app: AppHandle) -> UiResult<()> {
    blocking(app, |state| {
        state.discard_one_time();
        state.clipboard.wipe_now();
        *lock(&state.signed_in, state.lang())? = None;
        Ok(())
    })
    .await
}

#[tauri::command]
pub async fn set_language(app: AppHandle, language: Lang) -> UiResult<AppStatus> {
    blocking(app.clone(), move |state| {
        let settings =
            state.with_store(|sesame, session| sesame.set_language(session, language))?;
        *lock(&state.lang, state.lang())? = settings.language;
        Ok(())
    })
    .await?;
    app_status(app).await
}

#[tauri::command]
pub async fn set_clipboard_seconds(app: AppHandle, seconds: u32) -> UiResult<AppStatus> {
    blocking(app.clone(), move |state| {
        state.with_store(|sesame, session| sesame.set_clipboard_seconds(session, seconds))?;
        Ok(())
    })
    .await?;
    app_status(app).await
}

#[tauri::command]
pub async fn set_warning_days(app: AppHandle, days: u32) -> UiResult<AppStatus> {
    blocking(app.clone(), move |state| {
        state.with_store(|sesame, session| sesame.set_warning_days(session, days))?;
        Ok(())
    })
    .await?;
    app_status(app).await
}

#[tauri::command]
pub async fn set_token_hours(app: AppHandle, hours: u32) -> UiResult<AppStatus> {
    blocking(app.clone(), move |state| {
        state.with_store(|sesame, session| sesame.set_token_hours(session, hours))?;
        Ok(())
    })
    .await?;
    app_status(app).await
}

#[tauri::command]
pub async fn set_lock_minutes(app: AppHandle, minutes: u32) -> UiResult<AppStatus> {
    blocking(app.clone(), move |state| {
        let settings =
            state.with_store(|sesame, session| sesame.set_lock_minutes(session, minutes))?;
        state.set_lock_minutes(settings.lock_minutes);
        Ok(())
    })
    .await?;
    app_status(app).await
}
