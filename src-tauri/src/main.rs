//! Sésame's desktop app: a thin Tauri v2 shell over `sesame-core`.
// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod clipboard;
mod commands;
mod error;
mod state;
mod views;

use std::path::PathBuf;
use std::process::ExitCode;

use std::time::Duration;

use sesame_core::Sesame;
use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Emitter, Manager};

use crate::state::{AppState, lock};
use crate::views::SigningKeyView;

/// The store: `SESAME_DB` when set (tests and second installations), else the user's data folder.
fn store_path() -> sesame_core::Result<PathBuf> {
    match std::env::var_os("SESAME_DB").filter(|path| !path.is_empty()) {
        Some(path) => Ok(PathBuf::from(path)),
        None => sesame_core::store::default_path(),
    }
}

/// Loads (or creates, on first launch) the installation's signing key, off the main thread: the
/// keyring answers over D-Bus and may be slow or absent.
fn load_signing_key(app: AppHandle) {
    std::thread::spawn(move || {
        let state = app.state::<AppState>();
        let lang = state.lang();
        let view = match lock(&state.sesame, lang) {
            Ok(mut sesame) => match state.installation_key(&mut sesame) {
                Ok(key) => SigningKeyView::from(key.as_ref()),
                Err(error) => SigningKeyView {
                    home: "error".to_owned(),
                    place: String::new(),
                    fingerprint: String::new(),
                    problem: Some(error.message(lang)),
                },
            },
            Err(_) => return,
        };
        if let Ok(mut slot) = state.signing_key.lock() {
            *slot = Some(view);
        }
    });
}

/// Checks every second whether the operator has been idle for the lock delay; when the app
/// locks, the window hears of it at once and shows the lock screen.
fn watch_idle_time(app: AppHandle) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            if app.state::<AppState>().lock_if_idle() {
                let _ = app.emit("locked", ());
            }
        }
    });
}

fn main() -> ExitCode {
    let sesame = match store_path().and_then(|path| Sesame::open(&path)) {
        Ok(sesame) => sesame,
        Err(error) => {
            eprintln!("Sésame : {}", error.message(sesame_core::Lang::Fr));
            return ExitCode::from(2);
        }
    };
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .manage(AppState::new(sesame))
        .setup(|app| {
            load_signing_key(app.handle().clone());
            watch_idle_time(app.handle().clone());
            Ok(())
        })
        // A reload or a navigation starts a new page: the secret it showed is gone for good.
        .on_page_load(|webview, payload| {
            if payload.event() == PageLoadEvent::Started {
                webview.state::<AppState>().discard_one_time();
            }
        })
        .invoke_handler(tauri::generate_handler![
            commands::session::app_status,
            commands::session::create_administrator,
            commands::session::sign_in,
            commands::session::sign_out,
            commands::session::lock_app,
            commands::session::unlock,
            commands::session::report_activity,
            commands::session::set_language,
            commands::session::set_clipboard_seconds,
            commands::session::set_lock_minutes,
            commands::session::set_token_hours,
            commands::operators::list_operator_accounts,
            commands::operators::create_operator,
            commands::operators::edit_operator,
            commands::operators::set_operator_disabled,
            commands::operators::reset_operator_password,
            commands::operators::change_own_password,
            commands::operators::password_strength,
            commands::audit::audit_page,
            commands::audit::audit_chain_status,
            commands::audit::export_audit,
            commands::audit::credential_report,
            commands::audit::backup_store,
            commands::services::list_services,
            commands::services::service_categories,
            commands::services::create_service,
            commands::services::edit_service,
            commands::services::approve_service,
            commands::services::list_companies,
            commands::services::list_operators,
            commands::services::list_key_creators,
            commands::keys::list_keys,
            commands::keys::create_key,
            commands::keys::edit_key,
            commands::keys::deactivate_key,
            commands::keys::reactivate_key,
            commands::keys::regenerate_key,
            commands::keys::revoke_key,
            commands::keys::delete_key,
            commands::one_time::copy_one_time,
            commands::one_time::discard_one_time,
            commands::one_time::copy_identifier,
            commands::adoption::preview_import,
            commands::adoption::confirm_import,
            commands::adoption::cancel_import,
            commands::adoption::usage_lines,
            commands::adoption::copy_usage_line,
            commands::adoption::copy_one_time_usage,
            commands::adoption::issue_token,
            commands::adoption::copy_access_token,
            commands::adoption::discard_access_token,
            commands::adoption::open_api_docs,
        ])
        .build(tauri::generate_context!());
    let app = match app {
        Ok(app) => app,
        Err(error) => {
            eprintln!("Sésame : {error}");
            return ExitCode::from(1);
        }
    };
    app.run(|handle, event| {
        if let tauri::RunEvent::Exit = event {
            // Wipe a copied secret before exit, or a clipboard manager could inherit it.
            handle.state::<AppState>().clipboard.wipe_now();
        }
    });
    ExitCode::SUCCESS
}
