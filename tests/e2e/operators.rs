//! Rights and locking in the real webview: an operator without the configuration right sees no
//! « Générer » and is refused (and audited) when calling the command from the page; the app
//! locks after its idle delay, and the one-time secret does not survive the lock.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use sesame_core::Sesame;
use sesame_core::secret::secret_from;

use crate::driver::{App, Step, target_dir};

pub(crate) const ADMIN_PASSWORD: &str = "correct cheval agrafe pile";
const READER_PASSWORD: &str = "lecture seule mais solide";

/// Runs the real `sesamectl` on `store` as the administrator.
pub(crate) fn sesamectl(store: &Path, args: &[&str]) {
    let output = sesamectl_output(store, args);
    assert!(
        output.status.success(),
        "sesamectl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// [`sesamectl`], answering what it printed.
pub(crate) fn sesamectl_output(store: &Path, args: &[&str]) -> std::process::Output {
    Command::new(target_dir().join("sesamectl"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", store.parent().expect("folder"))
        .env("SESAME_DB", store)
        .env("SESAME_USER", "Camille Martin")
        .env("SESAME_PASSWORD", ADMIN_PASSWORD)
        .env("SESAME_NEW_PASSWORD", READER_PASSWORD)
        .output()
        .expect("sesamectl (build the workspace first)")
}

/// A store with the administrator, the service « Paie », one key and the operator « Lecteur »
/// who holds the audit right only.
pub(crate) fn prepared_store(folder: &Path) -> std::path::PathBuf {
    let store = folder.join("sesame.db");
    sesamectl(&store, &["init", "--admin", "Camille Martin"]);
    let service = [
        "service",
        "add",
        "Paie",
        "--prefix",
        "paie",
        "--permission",
        "factures:lecture",
    ];
    sesamectl(&store, &service);
    let key = [
        "key",
        "create",
        "Paie",
        "Existante",
        "--permission",
        "factures:lecture",
    ];
    sesamectl(&store, &key);
    sesamectl(&store, &["operator", "add", "Lecteur", "--right", "audit"]);
    store
}

pub(crate) async fn sign_in(app: &App, name: &str, password: &str) -> Step {
    app.fill("signin-name", name).await?;
    app.fill("signin-password", password).await?;
    app.click("signin-submit").await?;
    app.wait_for("nav-catalogue").await
}

#[tokio::test(flavor = "multi_thread")]
async fn without_the_configuration_right_nothing_to_generate_and_the_core_refuses() {
    let folder = tempfile::tempdir().expect("folder");
    let store = prepared_store(folder.path());
    let app = App::launch_with_store("rights", 4456, Some(&store)).await;
    let outcome = reader_path(&app).await;
    app.finish("rights", outcome).await;
}

async fn reader_path(app: &App) -> Step {
    sign_in(app, "Lecteur", READER_PASSWORD).await?;
    app.wait_for("service-card").await?;
    assert_eq!(app.count("service-new").await?, 0, "no « Nouveau service »");
    app.click("nav-keys").await?;
    app.wait_rows(1).await?;
    assert_eq!(app.count("generate").await?, 0, "no « Générer »");
    assert_eq!(app.count("action-revoke").await?, 0, "no key actions");
    app.screenshot("reader-keys").await;

    // Straight from the page, as from the console: the core says no.
    let create = r#"{input: {service: "Paie", name: "pirate", expires: "",
                      permissions: ["factures:lecture"], companies: [], note: ""}}"#;
    assert_eq!(app.invoke("create_key", create).await?, "right_missing");
    let revoke = r#"{id: "Existante", reason: "essai"}"#;
    assert_eq!(app.invoke("revoke_key", revoke).await?, "right_missing");
    assert_eq!(
        app.invoke("list_operator_accounts", "{}").await?,
        "right_missing"
    );

    // Nothing changed, and each refusal is in the audit trail.
    let path = app.data.path().join("sesame.db");
    let mut sesame = Sesame::open(&path).map_err(|e| e.to_string())?;
    let admin = sesame
        .sign_in("Camille Martin", &secret_from(ADMIN_PASSWORD.to_owned()))
        .map_err(|e| e.to_string())?;
    let keys = sesame
        .keys(&admin, &Default::default())
        .map_err(|e| e.to_string())?;
    assert_eq!(keys.total, 1, "no key was created");
    assert_eq!(keys.keys[0].status.code(), "active", "nothing was revoked");
    let refusals = sesame
        .audit_events(&admin, 0, u32::MAX)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|e| e.action == "access.refused" && e.operator_name.as_deref() == Some("Lecteur"))
        .count();
    assert_eq!(refusals, 3);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn the_app_locks_when_idle_and_the_secret_does_not_survive() {
    let folder = tempfile::tempdir().expect("folder");
    let store = prepared_store(folder.path());
    let app = App::launch_with_store("lock", 4460, Some(&store)).await;
    let outcome = lock_path(&app).await;
    app.finish("lock", outcome).await;
}

async fn lock_path(app: &App) -> Step {
    sign_in(app, "Camille Martin", ADMIN_PASSWORD).await?;
    // The shortest delay the settings allow.
    app.click("nav-settings").await?;
    app.clear("settings-lock").await?;
    app.fill("settings-lock", "0").await?;
    app.click("settings-save").await?;
    app.wait_text("settings-lock-error", "de 1 à 60").await?;
    app.clear("settings-lock").await?;
    app.fill("settings-lock", "1").await?;
    app.click("settings-save").await?;
    app.wait_text("settings-message", "Paramètres enregistrés")
        .await?;
    app.wait_text("signing-key", "Empreinte").await?;

    // Locking on demand.
    app.click("lock").await?;
    app.wait_for("lock-screen").await?;
    app.fill("unlock-password", ADMIN_PASSWORD).await?;
    app.click("unlock-submit").await?;
    app.wait_gone("lock-screen").await?;
    app.wait_for("settings-lock").await?;

    // A key, and its secret on screen.
    app.click("nav-keys").await?;
    app.click("generate").await?;
    app.fill("key-name", "Avant le verrou").await?;
    app.click("key-permission").await?;
    app.click("key-submit").await?;
    app.wait_for("secret-dialog").await?;
    assert_eq!(app.invoke("copy_one_time", "{part: 'secret'}").await?, "ok");

    // A minute without input: the app locks by itself, and the secret is gone with the dialog.
    app.wait_quietly_for("lock-screen", Duration::from_secs(100))
        .await?;
    assert_eq!(
        app.count("secret-dialog").await?,
        0,
        "the secret dialog is gone"
    );
    app.screenshot("locked").await;
    assert_eq!(
        app.invoke("copy_one_time", "{part: 'secret'}").await?,
        "locked"
    );
    assert_eq!(
        app.invoke("list_services", "{category: '', text: ''}")
            .await?,
        "locked"
    );
    assert_eq!(app.clipboard(), "", "locking wiped the copied secret");

    // A wrong password keeps it locked; the right one returns to the keys, without the secret.
    app.fill("unlock-password", "pas le bon mot de passe")
        .await?;
    app.click("unlock-submit").await?;
    app.wait_text("unlock-error", "mot de passe incorrect")
        .await?;
    app.clear("unlock-password").await?;
    app.fill("unlock-password", ADMIN_PASSWORD).await?;
    app.click("unlock-submit").await?;
    app.wait_gone("lock-screen").await?;
    app.wait_rows(2).await?;
    assert_eq!(
        app.count("secret-dialog").await?,
        0,
        "no secret after unlocking"
    );
    assert_eq!(
        app.invoke("copy_one_time", "{part: 'secret'}").await?,
        "secret_gone"
    );
    Ok(())
}
