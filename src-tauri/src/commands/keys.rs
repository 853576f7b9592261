//! The key list and the key lifecycle.

use sesame_core::key::{Grace, IssuedKey, KeyEdit, KeyFilter, NewKey};
use sesame_core::secret::{EdgeSecret, ExposeSecret};
use sesame_core::validate;
use tauri::AppHandle;

use super::{blocking, core};
use crate::error::UiResult;
use crate::state::{AppState, OneTime, lock};
use crate::views::{
    ExpiringView, KeyEditInput, KeyFilterInput, KeyPageView, KeyView, NewKeyInput, OneTimeView,
    UsageLineView,
};
use sesame_core::usage;

fn non_empty(value: Option<String>) -> Option<String> {
    value.filter(|v| !v.trim().is_empty())
}

/// The core's filter for the list's criteria and page.
pub fn core_filter(filter: KeyFilterInput) -> KeyFilter {
    let per_page = filter.per_page.clamp(1, sesame_core::key::PAGE_MAX);
    let page = filter.page.max(1);
    KeyFilter {
        health: filter.health,
        service: non_empty(filter.service),
        company: non_empty(filter.company),
        status: filter.status,
        name_contains: filter.name_contains,
        creator: non_empty(filter.creator),
        tag: non_empty(filter.tag),
        sort: filter.sort,
        offset: u64::from(page - 1) * u64::from(per_page),
        limit: per_page,
    }
}

#[tauri::command]
pub async fn list_keys(app: AppHandle, filter: KeyFilterInput) -> UiResult<KeyPageView> {
    blocking(app, move |state| {
        let session = state.session()?;
        let per_page = filter.per_page.clamp(1, sesame_core::key::PAGE_MAX);
        let page = filter.page.max(1);
        let core_filter = core_filter(filter);
        let keys = core(state, state.store()?.keys(&session, &core_filter))?;
        Ok(KeyPageView {
            keys: keys.keys.iter().map(KeyView::from).collect(),
            total: keys.total,
            page,
            per_page,
        })
    })
    .await
}

/// Keeps the new secret for the Copy buttons and returns what the one-time dialog shows.
fn one_time(state: &AppState, issued: IssuedKey, regenerated: bool) -> UiResult<OneTimeView> {
    let token = issued.bearer();
    let usage = usage::curl_lines(&issued.key.identifier, issued.secret.expose_secret())
        .into_iter()
        .map(|(style, line)| UsageLineView {
            style,
            line: EdgeSecret::reveal(&line),
        })
        .collect();
    let view = OneTimeView {
        key: KeyView::from(&issued.key),
        identifier: issued.key.identifier.clone(),
        secret: EdgeSecret::reveal(&issued.secret),
        token: EdgeSecret::reveal(&token),
        regenerated,
        usage,
    };
    *lock(&state.one_time, state.lang())? = Some(OneTime {
        identifier: issued.key.identifier.clone(),
        secret: issued.secret,
        token,
    });
    Ok(view)
}

pub fn expiry(state: &AppState, text: &str) -> UiResult<Option<chrono::DateTime<chrono::Utc>>> {
    match text.trim() {
        "" => Ok(None),
        date => core(state, validate::expiry_date(date).map(Some)),
    }
}

#[tauri::command]
pub async fn create_key(app: AppHandle, input: NewKeyInput) -> UiResult<OneTimeView> {
    blocking(app, move |state| {
        let session = state.session()?;
        let new_key = NewKey {
            service: input.service,
            name: input.name,
            permissions: input.permissions,
            companies: input.companies,
            expires_at: expiry(state, &input.expires)?,
            note: input.note,
            tags: input.tags,
            contact: input.contact,
        };
        let issued = core(state, state.store()?.create_key(&session, &new_key))?;
        one_time(state, issued, false)
    })
    .await
}

#[tauri::command]
pub async fn regenerate_key(app: AppHandle, id: String, grace: Grace) -> UiResult<OneTimeView> {
    blocking(app, move |state| {
        let session = state.session()?;
        // The grace period is typed: an unknown one is refused before this point, never taken
        // for « now ».
        let issued = core(state, state.store()?.regenerate_key(&session, &id, grace))?;
        one_time(state, issued, true)
    })
    .await
}

#[tauri::command]
pub async fn edit_key(app: AppHandle, id: String, input: KeyEditInput) -> UiResult<KeyView> {
    blocking(app, move |state| {
        let session = state.session()?;
        let edit = KeyEdit {
            name: Some(input.name),
            note: Some(input.note),
            permissions: Some(input.permissions),
            companies: Some(input.companies),
            expires_at: Some(expiry(state, &input.expires)?),
            tags: Some(input.tags),
            contact: Some(input.contact),
        };
        let key = core(state, state.store()?.edit_key(&session, &id, &edit))?;
        Ok(KeyView::from(&key))
    })
    .await
}

/// The lifecycle changes that take only the key (and for revocation, a reason).
async fn change(app: AppHandle, id: String, change: Change) -> UiResult<KeyView> {
    blocking(app, move |state| {
        let session = state.session()?;
        let mut sesame = state.store()?;
        let key = core(
            state,
            match change {
                Change::Deactivate => sesame.deactivate_key(&session, &id),
                Change::Reactivate => sesame.reactivate_key(&session, &id),
                Change::Delete => sesame.delete_key(&session, &id),
                Change::Revoke(reason) => sesame.revoke_key(&session, &id, &reason),
            },
        )?;
        Ok(KeyView::from(&key))
    })
    .await
}

enum Change {
    Deactivate,
    Reactivate,
    Delete,
    Revoke(String),
}

#[tauri::command]
pub async fn deactivate_key(app: AppHandle, id: String) -> UiResult<KeyView> {
    change(app, id, Change::Deactivate).await
}

#[tauri::command]
pub async fn reactivate_key(app: AppHandle, id: String) -> UiResult<KeyView> {
    change(app, id, Change::Reactivate).await
}

#[tauri::command]
pub async fn delete_key(app: AppHandle, id: String) -> UiResult<KeyView> {
    change(app, id, Change::Delete).await
}

#[tauri::command]
pub async fn revoke_key(app: AppHandle, id: String, reason: String) -> UiResult<KeyView> {
    change(app, id, Change::Revoke(reason)).await
}

/// Every tag in use, for the tag fields to offer as people type.
#[tauri::command]
pub async fn list_key_tags(app: AppHandle) -> UiResult<Vec<String>> {
    blocking(app, |state| {
        state.with_store(|sesame, session| sesame.key_tags(session))
    })
    .await
}

/// The count of keys expiring within the warning period, for the badge on « Clés ».
#[tauri::command]
pub async fn expiring_keys(app: AppHandle) -> UiResult<ExpiringView> {
    blocking(app, |state| {
        // Asked by the window after a reminder: not the operator's activity.
        let reminder =
            state.with_store_quietly(|sesame, session| sesame.expiry_reminder(session))?;
        Ok(ExpiringView {
            count: u32::try_from(reminder.keys.len()).unwrap_or(u32::MAX),
            days: reminder.within_days,
        })
    })
    .await
}
