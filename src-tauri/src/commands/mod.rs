//! The commands the webview may call. Each reads its state, calls the core off the main thread
//! (argon2id and SQLite are slow), and converts the answer to an edge type.

pub mod adoption;
pub mod audit;
pub mod bulk;
pub mod keys;
pub mod one_time;
pub mod operators;
pub mod services;
pub mod session;

use tauri::{AppHandle, Manager};

use crate::error::{UiError, UiResult};
use crate::state::AppState;

/// Runs `work` on the blocking pool with the app's state.
pub async fn blocking<T, F>(app: AppHandle, work: F) -> UiResult<T>
where
    T: Send + 'static,
    F: FnOnce(&AppState) -> UiResult<T> + Send + 'static,
{
    let lang = app.state::<AppState>().lang();
    tauri::async_runtime::spawn_blocking(move || work(&app.state::<AppState>()))
        .await
        .map_err(|error| UiError::internal(error, lang))?
}

/// Converts a core result, with its message in the interface language.
pub fn core<T>(state: &AppState, result: sesame_core::Result<T>) -> UiResult<T> {
    result.map_err(|error| UiError::from_core(&error, state.lang()))
}

/// The app's commands are listed once, in `src-tauri/commands.list`: build.rs registers them
/// from it; the capability file must grant exactly them and `ui/src/api.ts` wrap exactly them,
/// so a command added in one place and forgotten in another fails here, before it ships.
#[cfg(test)]
mod listed_once {
    use std::collections::BTreeSet;

    fn root(path: &str) -> String {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        std::fs::read_to_string(&file).unwrap_or_else(|error| panic!("{}: {error}", file.display()))
    }

    fn listed() -> BTreeSet<String> {
        root("src-tauri/commands.list")
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .map(|path| path.rsplit("::").next().unwrap_or(path).to_owned())
            .collect()
    }

    #[test]
    fn the_capability_grants_exactly_the_listed_commands() -> Result<(), serde_json::Error> {
        let capability: serde_json::Value = serde_json::from_str(&root("capabilities/main.json"))?;
        let granted: BTreeSet<String> = capability["permissions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|permission| permission.as_str())
            .filter_map(|permission| permission.strip_prefix("allow-"))
            .map(|permission| permission.replace('-', "_"))
            .collect();
        assert_eq!(granted, listed());
        Ok(())
    }

    #[test]
    fn the_interface_wraps_exactly_the_listed_commands() {
        let api = root("ui/src/api.ts");
        let wrapped: BTreeSet<String> = api
            .split("invoke<")
            .skip(1)
            .filter_map(|call| call.split_once("(\"")?.1.split_once('"'))
            .map(|(name, _)| name.to_owned())
            .collect();
        assert_eq!(wrapped, listed());
    }
}
