//! The audit screen (events, the chain's state), signed exports, the credential report and
//! backups. Files go to the user's Documents folder under a new, dated name: the webview never
//! touches the file system, and nothing is ever overwritten.

use std::path::PathBuf;

use sesame_core::journal::AuditFilter;
use sesame_core::validate;
use tauri::{AppHandle, Manager};

use super::blocking;
use crate::error::{UiError, UiResult};
use crate::views::{AuditEventView, AuditFilterInput, ChainStatusView, SavedFileView};

fn day(
    text: Option<String>,
    read: fn(&str) -> sesame_core::Result<chrono::DateTime<chrono::Utc>>,
) -> sesame_core::Result<Option<chrono::DateTime<chrono::Utc>>> {
    text.filter(|t| !t.trim().is_empty())
        .map(|t| read(&t))
        .transpose()
}

#[tauri::command]
pub async fn audit_page(app: AppHandle, filter: AuditFilterInput) -> UiResult<Vec<AuditEventView>> {
    blocking(app, move |state| {
        let events = state.with_store(|sesame, session| {
            let core_filter = AuditFilter {
                from: day(filter.from, validate::day_start)?,
                to: day(filter.to, validate::day_end)?,
                operator: filter.operator,
                action: filter.action,
                target: filter.target,
                before_seq: filter.before_seq,
                limit: filter.limit,
            };
            sesame.audit_page(session, &core_filter)
        })?;
        let lang = state.lang();
        Ok(events
            .iter()
            .map(|event| AuditEventView::worded(event, lang))
            .collect())
    })
    .await
}

#[tauri::command]
pub async fn audit_chain_status(app: AppHandle) -> UiResult<ChainStatusView> {
    blocking(app, |state| {
        let status = state.with_store(|sesame, _| sesame.audit_chain_status())?;
        Ok(ChainStatusView::from(&status))
    })
    .await
}

/// A new file in the Documents folder (or the home folder), named `<stem>-<date>.<extension>`.
fn new_file(app: &AppHandle, stem: &str, extension: &str) -> UiResult<PathBuf> {
    let lang = app.state::<crate::state::AppState>().lang();
    let folder = app
        .path()
        .document_dir()
        .or_else(|_| app.path().home_dir())
        .map_err(|error| UiError::internal(error, lang))?;
    std::fs::create_dir_all(&folder).map_err(|error| UiError::internal(error, lang))?;
    let stamp = chrono::Local::now().format("%Y-%m-%d-%H%M%S");
    Ok(folder.join(format!("{stem}-{stamp}.{extension}")))
}

fn create_new(
    path: &PathBuf,
    lang: sesame_core::Lang,
) -> UiResult<std::io::BufWriter<std::fs::File>> {
    std::fs::File::options()
        .write(true)
        .create_new(true)
        .open(path)
        .map(std::io::BufWriter::new)
        .map_err(|error| UiError::internal(format!("{}: {error}", path.display()), lang))
}

#[tauri::command]
pub async fn export_audit(app: AppHandle) -> UiResult<SavedFileView> {
    let path = new_file(&app, "sesame-journal", "jsonl")?;
    blocking(app, move |state| {
        let mut file = create_new(&path, state.lang())?;
        let key = super::core(state, state.installation_key());
        let summary = key.and_then(|key| {
            state.with_store(|sesame, session| {
                sesame.export_audit(session, &key, None, None, &mut file)
            })
        });
        if summary.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        let summary = summary?;
        Ok(SavedFileView {
            path: path.display().to_string(),
            count: summary.count,
            fingerprint: Some(summary.fingerprint),
        })
    })
    .await
}

#[tauri::command]
pub async fn credential_report(app: AppHandle) -> UiResult<SavedFileView> {
    let path = new_file(&app, "sesame-rapport-des-cles", "csv")?;
    blocking(app, move |state| {
        let mut file = create_new(&path, state.lang())?;
        let lang = state.lang();
        let rows =
            state.with_store(|sesame, session| sesame.credential_report(session, lang, &mut file));
        if rows.is_err() {
            let _ = std::fs::remove_file(&path);
        }
        Ok(SavedFileView {
            path: path.display().to_string(),
            count: rows?,
            fingerprint: None,
        })
    })
    .await
}

#[tauri::command]
pub async fn backup_store(app: AppHandle) -> UiResult<SavedFileView> {
    let path = new_file(&app, "sesame-sauvegarde", "db")?;
    blocking(app, move |state| {
        if path.exists() {
            return Err(UiError::internal(
                format!("{} exists", path.display()),
                state.lang(),
            ));
        }
        let summary = state.with_store(|sesame, session| sesame.backup_to(session, &path, false));
        Ok(SavedFileView {
            path: path.display().to_string(),
            count: summary?.keys,
            fingerprint: None,
        })
    })
    .await
}
