//! Generates the app's context and the permissions of its commands. Every command the webview
//! may call is listed here, and granted to the main window in `capabilities/main.json`.

const COMMANDS: &[&str] = &[
    "app_status",
    "create_administrator",
    "sign_in",
    "sign_out",
    "set_language",
    "set_clipboard_seconds",
    "lock_app",
    "unlock",
    "report_activity",
    "set_lock_minutes",
    "set_token_hours",
    "list_operator_accounts",
    "create_operator",
    "edit_operator",
    "set_operator_disabled",
    "reset_operator_password",
    "change_own_password",
    "password_strength",
    "audit_page",
    "audit_chain_status",
    "export_audit",
    "credential_report",
    "backup_store",
    "list_services",
    "service_categories",
    "create_service",
    "edit_service",
    "approve_service",
    "list_companies",
    "list_operators",
    "list_key_creators",
    "list_keys",
    "create_key",
    "edit_key",
    "deactivate_key",
    "reactivate_key",
    "regenerate_key",
    "preview_import",
    "confirm_import",
    "cancel_import",
    "usage_lines",
    "copy_usage_line",
    "copy_one_time_usage",
    "issue_token",
    "copy_access_token",
    "discard_access_token",
    "open_api_docs",
    "revoke_key",
    "delete_key",
    "copy_one_time",
    "discard_one_time",
    "copy_identifier",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    if let Err(error) =
        tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
    {
        // A build script reports failure by panicking; there is no caller to return to.
        panic!("tauri-build: {error:#}");
    }
}
