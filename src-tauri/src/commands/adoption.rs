//! Bringing keys in and handing them over: the import with its preview, usage help beside each
//! key (with the real secret only in the one-time dialog), access tokens issued by hand, and
//! the verification API's documentation in the system browser.

use std::net::{SocketAddr, TcpStream};
use std::sync::atomic::Ordering;
use std::time::Duration;

use sesame_core::secret::{EdgeSecret, ExposeSecret, secret_from};
use sesame_core::usage::{self, UsageStyle};
use tauri::ipc::{InvokeBody, Request};
use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_opener::OpenerExt;
use zeroize::Zeroizing;

use super::one_time::{copy_shown_once, copy_to_clipboard};
use super::{blocking, core};
use crate::error::{UiError, UiResult};
use crate::state::{HeldToken, lock};
use crate::views::{
    AccessTokenView, ImportOutcomeView, ImportPreviewView, ImportProgressView, KeyView,
    UsageLineView,
};
use sesame_core::vocab::CopyPart;

/// Reads an import file sent as the request's raw body, checks it, and keeps it for the
/// confirmation. Nothing is written.
#[tauri::command]
pub async fn preview_import(app: AppHandle, request: Request<'_>) -> UiResult<ImportPreviewView> {
    let lang = app.state::<crate::state::AppState>().lang();
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(UiError::internal(
            "the file must be sent as raw bytes",
            lang,
        ));
    };
    let bytes = Zeroizing::new(bytes.clone());
    blocking(app, move |state| {
        let session = state.session()?;
        *lock(&state.pending_import, state.lang())? = None;
        let preview = core(state, state.store()?.preview_import(&session, &bytes))?;
        let view = ImportPreviewView::new(&preview, state.lang());
        if preview.is_importable() {
            *lock(&state.pending_import, state.lang())? = Some(bytes);
        }
        Ok(view)
    })
    .await
}

/// Imports the file last previewed, all or nothing; `import-progress` events follow the hashing.
#[tauri::command]
pub async fn confirm_import(app: AppHandle) -> UiResult<ImportOutcomeView> {
    let emitter = app.clone();
    blocking(app, move |state| {
        let session = state.session()?;
        state.import_cancelled.store(false, Ordering::Relaxed);
        let Some(bytes) = lock(&state.pending_import, state.lang())?.take() else {
            return Err(UiError::from_core(
                &sesame_core::Error::ImportPreviewGone,
                state.lang(),
            ));
        };
        let progress = |step: sesame_core::import::ImportProgress| {
            let _ = emitter.emit(
                "import-progress",
                ImportProgressView {
                    hashed: step.hashed,
                    to_hash: step.to_hash,
                },
            );
        };
        let outcome = core(
            state,
            state
                .store()?
                .import_keys(&session, &bytes, &progress, &state.import_cancelled),
        )?;
        Ok(ImportOutcomeView {
            imported: outcome.imported,
            with_secret: outcome.with_secret,
            with_hash: outcome.with_hash,
        })
    })
    .await
}

/// Forgets the file waiting for confirmation, or stops an import that is hashing its secrets
/// (its `confirm_import` then answers « Import annulé » and nothing is written).
#[tauri::command]
pub async fn cancel_import(app: AppHandle) -> UiResult<()> {
    blocking(app, |state| {
        state.import_cancelled.store(true, Ordering::Relaxed);
        *lock(&state.pending_import, state.lang())? = None;
        Ok(())
    })
    .await
}

/// The usage lines of a key whose secret is not shown: a placeholder stands for it.
#[tauri::command]
pub async fn usage_lines(app: AppHandle, identifier: String) -> UiResult<Vec<UsageLineView>> {
    blocking(app, move |state| {
        state.session()?;
        Ok(
            usage::curl_lines_with_placeholder(&identifier, state.lang())
                .into_iter()
                .map(|(style, line)| UsageLineView {
                    style,
                    line: EdgeSecret::reveal(&secret_from(line)),
                })
                .collect(),
        )
    })
    .await
}

/// Copies a usage line with the placeholder (nothing secret in it).
#[tauri::command]
pub async fn copy_usage_line(
    app: AppHandle,
    identifier: String,
    style: UsageStyle,
) -> UiResult<()> {
    blocking(app, move |state| {
        state.session()?;
        let line = usage::curl_line(style, &identifier, &usage::secret_placeholder(state.lang()));
        copy_to_clipboard(state, &line)
    })
    .await
}

/// Copies a usage line with the real secret, from the open one-time dialog; audited like the
/// other Copy buttons of that dialog.
#[tauri::command]
pub async fn copy_one_time_usage(app: AppHandle, style: UsageStyle) -> UiResult<()> {
    blocking(app, move |state| {
        copy_shown_once(state, &state.one_time, |one_time| {
            let line =
                usage::curl_line(style, &one_time.identifier, one_time.secret.expose_secret());
            copy_to_clipboard(state, &line)?;
            let part = match style {
                UsageStyle::Bearer => CopyPart::UsageBearer,
                UsageStyle::ApiKey => CopyPart::UsageApiKey,
                UsageStyle::Basic => CopyPart::UsageBasic,
                UsageStyle::Token => CopyPart::UsageToken,
            };
            Ok((one_time.identifier.clone(), part))
        })
    })
    .await
}

/// Issues an access token for a key, valid `hours`; shown once, kept for its Copy button until
/// the dialog closes.
#[tauri::command]
pub async fn issue_token(app: AppHandle, id: String, hours: u32) -> UiResult<AccessTokenView> {
    blocking(app, move |state| {
        let session = state.session()?;
        let signing = core(state, state.installation_key())?;
        let (issued, key) = {
            let mut sesame = state.store()?;
            let issued = core(state, sesame.issue_token(&session, &signing, &id, hours))?;
            let key = core(state, sesame.key(&session, &id))?;
            (issued, key)
        };
        let view = AccessTokenView {
            key: KeyView::from(&key),
            token: EdgeSecret::reveal(&issued.token),
            expires_at: sesame_core::tokens::expires_at(&issued.claims)
                .to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            hours,
        };
        *lock(&state.access_token, state.lang())? = Some(HeldToken {
            identifier: key.identifier,
            token: issued.token,
        });
        Ok(view)
    })
    .await
}

#[tauri::command]
pub async fn copy_access_token(app: AppHandle) -> UiResult<()> {
    blocking(app, |state| {
        copy_shown_once(state, &state.access_token, |held| {
            copy_to_clipboard(state, &held.token)?;
            Ok((held.identifier.clone(), CopyPart::AccessToken))
        })
    })
    .await
}

#[tauri::command]
pub async fn discard_access_token(app: AppHandle) -> UiResult<()> {
    blocking(app, |state| {
        *lock(&state.access_token, state.lang())? = None;
        Ok(())
    })
    .await
}

/// The documentation shipped with the app, the same page `sesamectl serve` serves at `/docs`.
const DOCUMENTATION: &str = include_str!("../../../docs/verification-api.html");

/// Opens the verification API's documentation in the system browser: the running service's
/// page when it answers on this machine, else the copy shipped with the app. Returns the address
/// opened.
#[tauri::command]
pub async fn open_api_docs(app: AppHandle) -> UiResult<String> {
    let opener = app.clone();
    blocking(app, move |state| {
        let lang = state.lang();
        let service: SocketAddr = usage::SERVICE_ADDRESS_DEFAULT
            .parse()
            .map_err(|_| UiError::internal("service address", lang))?;
        let url = if TcpStream::connect_timeout(&service, Duration::from_millis(300)).is_ok() {
            usage::documentation_url()
        } else {
            let folder = opener
                .path()
                .app_cache_dir()
                .map_err(|error| UiError::internal(error, lang))?;
            std::fs::create_dir_all(&folder).map_err(|error| UiError::internal(error, lang))?;
            let page = folder.join("api-verification-sesame.html");
            std::fs::write(&page, DOCUMENTATION).map_err(|error| UiError::internal(error, lang))?;
            url::Url::from_file_path(&page)
                .map_err(|()| UiError::internal("documentation path", lang))?
                .to_string()
        };
        opener
            .opener()
            .open_url(&url, None::<&str>)
            .map_err(|error| UiError::internal(error, lang))?;
        Ok(url)
    })
    .await
}
