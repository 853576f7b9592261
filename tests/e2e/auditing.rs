//! Auditing in the real webview: the chain's state, filters, the signed export (checked with
//! the real `sesamectl audit verify`), the credential report, a backup, and Copy audited.

use std::process::Command;

use crate::driver::{App, Step, target_dir};
use crate::operators::{ADMIN_PASSWORD, prepared_store, sesamectl_output, sign_in};

#[tokio::test(flavor = "multi_thread")]
async fn the_audit_screen_exports_reports_and_backs_up() {
    let folder = tempfile::tempdir().expect("folder");
    let store = prepared_store(folder.path());
    let app = App::launch_with_store("auditing", 4464, Some(&store)).await;
    let outcome = auditing_path(&app).await;
    app.finish("auditing", outcome).await;
}

/// The path shown in a notice, between `<code>` tags.
async fn shown_path(app: &App, test: &str) -> Result<std::path::PathBuf, String> {
    let text = app.text(test).await?;
    let start = text.find('/').ok_or(format!("no path in « {test} »"))?;
    let path: String = text[start..]
        .chars()
        .take_while(|c| !c.is_whitespace())
        .collect();
    Ok(path.into())
}

/// A new key made with the real `sesamectl`, and its bearer token.
fn new_key_token(store: &std::path::Path, name: &str) -> Result<String, String> {
    let args = [
        "--json",
        "key",
        "create",
        "Paie",
        name,
        "--permission",
        "factures:lecture",
    ];
    let output = sesamectl_output(store, &args);
    let created: serde_json::Value =
        serde_json::from_slice(&output.stdout).map_err(|e| format!("key create: {e}"))?;
    created["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| "no token".to_owned())
}

async fn auditing_path(app: &App) -> Step {
    sign_in(app, "Camille Martin", ADMIN_PASSWORD).await?;
    // A Copy leaves an event naming what was copied.
    app.click("nav-keys").await?;
    app.wait_rows(1).await?;
    let copy = "button[aria-label^='Copier l']";
    app.client
        .find(fantoccini::Locator::Css(copy))
        .await
        .map_err(|e| format!("copy button: {e}"))?
        .click()
        .await
        .map_err(|e| format!("copy: {e}"))?;

    app.click("nav-audit").await?;
    app.wait_text("chain-status", "Chaîne intacte").await?;
    app.select("audit-action", "key.").await?;
    app.click("audit-filter").await?;
    // The journal reads as sentences, not codes (issue 13).
    app.wait_text("audit-table", "a copié l'identifiant de la clé")
        .await?;
    app.screenshot("audit").await;

    app.click("audit-export").await?;
    app.wait_text("saved-file", "Journal exporté").await?;
    let export = shown_path(app, "saved-file").await?;
    let verified = Command::new(target_dir().join("sesamectl"))
        .args(["audit", "verify"])
        .arg(&export)
        .env("SESAME_LANG", "fr")
        .output()
        .map_err(|e| format!("sesamectl: {e}"))?;
    assert!(
        verified.status.success(),
        "{}",
        String::from_utf8_lossy(&verified.stdout)
    );
    // The same verdict from the app itself (issue 15): the file chosen, checked, OK.
    app.click("check-export-open").await?;
    app.client
        .find(fantoccini::Locator::Css("[data-test='check-export-file']"))
        .await
        .map_err(|e| format!("file input: {e}"))?
        .send_keys(&export.display().to_string())
        .await
        .map_err(|e| format!("choose the export: {e}"))?;
    app.wait_text("check-export-answer", "OK :").await?;
    app.click("check-export-close").await?;

    app.click("credential-report").await?;
    app.wait_text("saved-file", "Rapport écrit (1 clés)")
        .await?;
    let report = shown_path(app, "saved-file").await?;
    let csv = std::fs::read_to_string(&report).map_err(|e| format!("{report:?}: {e}"))?;
    assert!(csv.starts_with("\u{feff}Service;Clé;Identifiant"));
    assert!(csv.contains("Existante"));

    app.click("nav-settings").await?;
    app.click("backup-now").await?;
    app.wait_text("backup-message", "Sauvegarde écrite").await?;
    let backup = shown_path(app, "backup-message").await?;
    sesame_core::backup::check_backup(&backup).map_err(|e| e.to_string())?;

    // A key checked by hand, as the verification service would: valid, then a mistyped one.
    // Made in the store the app has open (the driver gave it a copy of the prepared one).
    let token = new_key_token(&app.data.path().join("sesame.db"), "Vérifiable")?;
    app.click("nav-audit").await?;
    app.click("check-key-open").await?;
    app.fill("check-key", &token).await?;
    app.click("check-key-submit").await?;
    // Words first; the verification service's code only as a detail.
    app.wait_text("check-key-code", "VALID").await?;
    app.wait_text("check-key-answer", "Vérifiable").await?;
    assert_eq!(
        app.value("check-key").await?,
        "",
        "the pasted key is cleared"
    );
    app.fill("check-key", "paie_pas-une-cle").await?;
    app.click("check-key-submit").await?;
    app.wait_text("check-key-code", "MALFORMED").await?;
    app.click("check-key-close").await?;
    app.wait_text("audit-table", "a vérifié une clé à la main")
        .await?;
    Ok(())
}
