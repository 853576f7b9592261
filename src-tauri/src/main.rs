//! Sésame's desktop app: a thin Tauri v2 shell over `sesame-core`.
// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod clipboard;
mod commands;
mod error;
mod reminder;
mod state;
mod views;

use std::path::PathBuf;
use std::process::ExitCode;

use std::time::Duration;

use sesame_core::Sesame;
use sesame_core::pool::Pool;
use tauri::webview::PageLoadEvent;
use tauri::{AppHandle, Emitter, Manager};

use crate::state::AppState;
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
        let view = match state.installation_key() {
            Ok(key) => SigningKeyView::from(key.as_ref()),
            Err(error) => SigningKeyView {
                home: views::SigningKeyPlace::Error,
                place: String::new(),
                fingerprint: String::new(),
                problem: Some(error.message(lang)),
            },
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

/// The app with only the window that explains why the store could not be opened.
fn show_store_problem(problem: views::StoreProblemView) -> ExitCode {
    let app = tauri::Builder::default()
        .manage(problem)
        .invoke_handler(include!(concat!(env!("OUT_DIR"), "/invoke_handler.rs")))
        .build(tauri::generate_context!());
    match app {
        Ok(app) => {
            app.run(|_, _| {});
            ExitCode::from(2)
        }
        Err(error) => {
            eprintln!("Sésame : {error}");
            ExitCode::from(1)
        }
    }
}

fn main() -> ExitCode {
    // The desktop app keeps its own local store: a firm's shared store is reached through a
    // server, never with the database's own credentials.
    if std::env::var("SESAME_DB").is_ok_and(|db| sesame_core::store::pg::is_postgres(&db)) {
        eprintln!(
            "Sésame : {}",
            sesame_core::messages::word(sesame_core::Lang::Fr, "app-store-local")
        );
        return ExitCode::from(2);
    }
    let path = store_path();
    let shown = path
        .as_ref()
        .map(|path| path.display().to_string())
        .unwrap_or_default();
    let opened = path
        .and_then(|path| Sesame::open(&path))
        .and_then(|sesame| Pool::new(sesame, state::STORE_HANDLES));
    let stores = match opened {
        Ok(stores) => stores,
        // A desktop user sees no terminal: a window says what happened and what to do.
        Err(error) => {
            let lang = match std::env::var("SESAME_LANG").as_deref() {
                Ok("en") => sesame_core::Lang::En,
                _ => sesame_core::Lang::Fr,
            };
            eprintln!("Sésame : {}", error.message(lang));
            return show_store_problem(views::StoreProblemView::new(&error, shown, lang));
        }
    };
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_notification::init())
        .manage(AppState::new(stores))
        .manage(reminder::LastReminder::default())
        .setup(|app| {
            load_signing_key(app.handle().clone());
            watch_idle_time(app.handle().clone());
            reminder::watch_expiries(app.handle().clone());
            Ok(())
        })
        // A reload or a navigation starts a new page: the secret it showed is gone for good.
        .on_page_load(|webview, payload| {
            if payload.event() == PageLoadEvent::Started {
                webview.state::<AppState>().discard_one_time();
            }
        })
        .invoke_handler(include!(concat!(env!("OUT_DIR"), "/invoke_handler.rs")))
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
