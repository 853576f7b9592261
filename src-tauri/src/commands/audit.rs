//! The audit screen (events, the chain's state), signed exports, the credential report and
//! backups. Files go to the user's Documents folder under a new, dated name: the webview never
//! touches the file system, and nothing is ever overwritten.

use std::path::PathBuf;

use sesame_core::journal::AuditFilter;
use sesame_core::validate;
use tauri::{AppHandle, Manager};

use super::blocking;
use crate::error::{UiError, UiResult};
use crate::views::{
    AuditEventView, AuditFilterInput, ChainStatusView, ExportCheckView, KeyCheckView, SavedFileView,
};
use sesame_core::secret::EdgeSecret;
use tauri::ipc::{InvokeBody, Request};

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

/// « Exporter le calendrier des expirations »: an iCalendar file of the keys expiring within
/// `within_days`, one event on each key's last day with a reminder a week before.
#[tauri::command]
pub async fn export_expiry_calendar(app: AppHandle, within_days: u32) -> UiResult<SavedFileView> {
    let path = new_file(&app, "sesame-expirations", "ics")?;
    blocking(app, move |state| {
        let lang = state.lang();
        let (count, text) = state.with_store(|sesame, session| {
            let keys = sesame.expiring_keys(session, within_days)?;
            let text = sesame_core::calendar::calendar(&keys, lang, sesame.now());
            Ok((keys.len() as u64, text))
        })?;
        let mut file = create_new(&path, lang)?;
        std::io::Write::write_all(&mut file, text.as_bytes())
            .and_then(|()| std::io::Write::flush(&mut file))
            .map_err(|error| UiError::internal(error, lang))?;
        Ok(SavedFileView {
            path: path.display().to_string(),
            count,
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

/// « Vérifier une clé »: a pasted key checked as the verification service would, for an
/// operator with the audit right (the core checks it); the pasted text is wiped once checked
/// (`EdgeSecret`), and the check is audited without it.
#[tauri::command]
pub async fn check_key(
    app: AppHandle,
    key: EdgeSecret,
    permission: String,
    company: String,
) -> UiResult<KeyCheckView> {
    blocking(app, move |state| {
        let bearer = sesame_core::secret::secret_from(key.expose().to_owned());
        drop(key);
        let optional = |text: &str| Some(text.trim().to_owned()).filter(|t| !t.is_empty());
        let (permission, company) = (optional(&permission), optional(&company));
        let check = state.with_store(|sesame, session| {
            sesame.check_key_by_hand(session, &bearer, permission.as_deref(), company.as_deref())
        })?;
        Ok(KeyCheckView::worded(&check, state.lang()))
    })
    .await
}

/// « Vérifier un export du journal »: the file the operator chose, sent as raw bytes, checked
/// exactly as `sesamectl audit verify` does (it needs nothing but the file).
#[tauri::command]
pub async fn check_export(app: AppHandle, request: Request<'_>) -> UiResult<ExportCheckView> {
    let lang = app.state::<crate::state::AppState>().lang();
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(UiError::internal(
            "the file must be sent as raw bytes",
            lang,
        ));
    };
    let bytes = bytes.clone();
    blocking(app, move |state| {
        state.session()?;
        let lang = state.lang();
        let mut file = tempfile::NamedTempFile::new().map_err(|e| UiError::internal(e, lang))?;
        std::io::Write::write_all(&mut file, &bytes).map_err(|e| UiError::internal(e, lang))?;
        let report = sesame_core::audit_export::verify_export(file.path(), None)
            .map_err(|e| UiError::internal(e, lang))?;
        let (message, code) = sesame_core::audit_export::verdict(&report, lang);
        Ok(ExportCheckView {
            ok: report.problem.is_none(),
            code: code.to_owned(),
            message,
            events: report.events,
            fingerprint: report.manifest.map(|m| m.fingerprint),
        })
    })
    .await
}
