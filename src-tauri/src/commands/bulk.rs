//! Bulk actions on the key list and offboarding a company or a service: a preview, then the
//! change applied all at once, each checked and audited by the core.

use sesame_core::bulk::{BulkChange, KeySelection, Offboarding};
use sesame_core::vocab::{BulkChangeKind, OffboardEnd};
use tauri::AppHandle;

use super::keys::{core_filter, expiry};
use super::{blocking, core};
use crate::error::UiResult;
use crate::state::AppState;
use crate::views::{
    BulkChangeInput, ChangePlanView, KeySelectionInput, OffboardingInput, PreviewedInput,
};

fn selection(input: KeySelectionInput) -> KeySelection {
    match input {
        KeySelectionInput::Keys(ids) => KeySelection::Keys(ids),
        KeySelectionInput::Criteria(filter) => KeySelection::Criteria(core_filter(filter)),
    }
}

fn change(state: &AppState, input: BulkChangeInput) -> UiResult<BulkChange> {
    Ok(match input.kind {
        BulkChangeKind::Deactivate => BulkChange::Deactivate,
        BulkChangeKind::Reactivate => BulkChange::Reactivate,
        BulkChangeKind::Revoke => BulkChange::Revoke {
            reason: input.reason,
        },
        BulkChangeKind::SetExpiry => BulkChange::SetExpiry(expiry(state, &input.expires)?),
        BulkChangeKind::AddTag => BulkChange::AddTag(input.tag),
        BulkChangeKind::RemoveTag => BulkChange::RemoveTag(input.tag),
        BulkChangeKind::Delete => BulkChange::Delete,
    })
}

fn offboarding(input: OffboardingInput) -> Offboarding {
    match input {
        OffboardingInput::Company(reference) => Offboarding::Company(reference),
        OffboardingInput::Service(reference) => Offboarding::Service(reference),
    }
}

#[tauri::command]
pub async fn preview_bulk(
    app: AppHandle,
    selection: KeySelectionInput,
    change: BulkChangeInput,
) -> UiResult<ChangePlanView> {
    blocking(app, move |state| {
        let session = state.session()?;
        let change = self::change(state, change)?;
        let mut sesame = state.store()?;
        let plan = core(
            state,
            sesame.preview_bulk(&session, &self::selection(selection), &change),
        )?;
        Ok(ChangePlanView::from(&plan))
    })
    .await
}

#[tauri::command]
pub async fn apply_bulk(
    app: AppHandle,
    selection: KeySelectionInput,
    change: BulkChangeInput,
    expected: PreviewedInput,
) -> UiResult<ChangePlanView> {
    blocking(app, move |state| {
        let session = state.session()?;
        let change = self::change(state, change)?;
        let mut sesame = state.store()?;
        let plan = core(
            state,
            sesame.apply_bulk(
                &session,
                &self::selection(selection),
                &change,
                &expected.into_core(),
            ),
        )?;
        Ok(ChangePlanView::from(&plan))
    })
    .await
}

#[tauri::command]
pub async fn preview_offboarding(
    app: AppHandle,
    from: OffboardingInput,
    end: OffboardEnd,
) -> UiResult<ChangePlanView> {
    blocking(app, move |state| {
        let session = state.session()?;
        let mut sesame = state.store()?;
        let plan = core(
            state,
            sesame.preview_offboarding(&session, &offboarding(from), end),
        )?;
        Ok(ChangePlanView::from(&plan))
    })
    .await
}

#[tauri::command]
pub async fn offboard(
    app: AppHandle,
    from: OffboardingInput,
    end: OffboardEnd,
    reason: String,
    expected: PreviewedInput,
) -> UiResult<ChangePlanView> {
    blocking(app, move |state| {
        let session = state.session()?;
        let mut sesame = state.store()?;
        let plan = core(
            state,
            sesame.offboard(
                &session,
                &offboarding(from),
                end,
                &reason,
                &expected.into_core(),
            ),
        )?;
        Ok(ChangePlanView::from(&plan))
    })
    .await
}
