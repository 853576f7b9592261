//! The catalogue, companies and operators (for filters).

use sesame_core::service::{ServiceDraft, ServiceEdit, ServiceFilter};
use tauri::AppHandle;
use tauri_plugin_opener::OpenerExt;

use super::{blocking, core};
use crate::error::UiResult;
use crate::views::{CompanyInput, CompanyView, NamedRef, ServiceInput, ServiceView};

#[tauri::command]
pub async fn list_services(
    app: AppHandle,
    category: String,
    text: String,
) -> UiResult<Vec<ServiceView>> {
    blocking(app, move |state| {
        let session = state.session()?;
        let filter = ServiceFilter { category, text };
        let services = core(state, state.store()?.services(&session, &filter))?;
        Ok(services.iter().map(ServiceView::from).collect())
    })
    .await
}

#[tauri::command]
pub async fn service_categories(app: AppHandle) -> UiResult<Vec<String>> {
    blocking(app, |state| {
        let session = state.session()?;
        core(state, state.store()?.service_categories(&session))
    })
    .await
}

#[tauri::command]
pub async fn create_service(app: AppHandle, input: ServiceInput) -> UiResult<ServiceView> {
    blocking(app, move |state| {
        let session = state.session()?;
        let draft = ServiceDraft {
            name: input.name,
            description: input.description,
            website: input.website,
            category: input.category,
            prefix: input.prefix,
            permissions: input.permissions,
            max_lifetime_days: input.max_lifetime_days,
        };
        let service = core(state, state.store()?.create_service(&session, &draft))?;
        Ok(ServiceView::from(&service))
    })
    .await
}

#[tauri::command]
pub async fn edit_service(
    app: AppHandle,
    id: String,
    input: ServiceInput,
) -> UiResult<ServiceView> {
    blocking(app, move |state| {
        let session = state.session()?;
        let edit = ServiceEdit {
            name: Some(input.name),
            description: Some(input.description),
            website: Some(input.website),
            category: Some(input.category),
            permissions: Some(input.permissions),
            max_lifetime_days: Some(input.max_lifetime_days),
        };
        let service = core(state, state.store()?.edit_service(&session, &id, &edit))?;
        Ok(ServiceView::from(&service))
    })
    .await
}

#[tauri::command]
pub async fn approve_service(app: AppHandle, id: String) -> UiResult<ServiceView> {
    blocking(app, move |state| {
        let session = state.session()?;
        let service = core(state, state.store()?.approve_service(&session, &id))?;
        Ok(ServiceView::from(&service))
    })
    .await
}

/// Every company, archived ones included (the key list filters on them too; a new key is
/// offered only the others).
#[tauri::command]
pub async fn list_companies(app: AppHandle) -> UiResult<Vec<CompanyView>> {
    blocking(app, |state| {
        let session = state.session()?;
        let companies = core(
            state,
            state.store()?.companies_with_archived(&session, true),
        )?;
        Ok(companies.iter().map(CompanyView::from).collect())
    })
    .await
}

#[tauri::command]
pub async fn create_company(app: AppHandle, input: CompanyInput) -> UiResult<CompanyView> {
    blocking(app, move |state| {
        let company =
            state.with_store(|sesame, session| sesame.add_company(session, &input.into()))?;
        Ok(CompanyView::from(&company))
    })
    .await
}

#[tauri::command]
pub async fn edit_company(
    app: AppHandle,
    id: String,
    input: CompanyInput,
) -> UiResult<CompanyView> {
    blocking(app, move |state| {
        let company =
            state.with_store(|sesame, session| sesame.edit_company(session, &id, &input.into()))?;
        Ok(CompanyView::from(&company))
    })
    .await
}

#[tauri::command]
pub async fn set_company_archived(
    app: AppHandle,
    id: String,
    archived: bool,
) -> UiResult<CompanyView> {
    blocking(app, move |state| {
        let company = state
            .with_store(|sesame, session| sesame.set_company_archived(session, &id, archived))?;
        Ok(CompanyView::from(&company))
    })
    .await
}

#[tauri::command]
pub async fn list_operators(app: AppHandle) -> UiResult<Vec<NamedRef>> {
    blocking(app, |state| {
        let session = state.session()?;
        let names = core(state, state.store()?.operator_names(&session))?;
        Ok(names.into_iter().map(NamedRef::from).collect())
    })
    .await
}

/// The key list's « Créée par » choices: the operators, then the creators imports named who are
/// not operators.
#[tauri::command]
pub async fn list_key_creators(app: AppHandle) -> UiResult<Vec<NamedRef>> {
    blocking(app, |state| {
        let session = state.session()?;
        let creators = core(state, state.store()?.key_creators(&session))?;
        Ok(creators.into_iter().map(NamedRef::from).collect())
    })
    .await
}

/// Opens a service's website in the system browser, as its link in the catalogue promises: the
/// address is the one the store holds for that service (the page names the service, not a
/// URL), and only an `http` or `https` one is opened. Returns the address.
#[tauri::command]
pub async fn open_service_website(app: AppHandle, id: String) -> UiResult<String> {
    let opener = app.clone();
    blocking(app, move |state| {
        let session = state.session()?;
        let lang = state.lang();
        let service = core(state, state.store()?.service(&session, &id))?;
        let website = service.website.unwrap_or_default();
        let web = url::Url::parse(&website)
            .ok()
            .filter(|url| matches!(url.scheme(), "http" | "https"));
        let Some(web) = web else {
            return Err(crate::error::UiError::from_core(
                &sesame_core::Error::WebsiteInvalid(website),
                lang,
            ));
        };
        opener
            .opener()
            .open_url(web.as_str(), None::<&str>)
            .map_err(|error| crate::error::UiError::internal(error, lang))?;
        Ok(web.to_string())
    })
    .await
}
