//! Adoption in the real webview: a French Excel file imported through its preview (a bad file
//! refused first), the keys listed with « Utilisation inconnue »; usage help with a placeholder,
//! the documentation opened in the system browser; a token issued by hand, copied, and checked
//! by an independent JWT library (PyJWT) against the JWKS of the real verification service.

use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::driver::{App, Step, target_dir};
use crate::operators::{ADMIN_PASSWORD, prepared_store, sign_in};

const LEGACY_SECRET: &str = "Ancien-Secret-Compta-2019";

fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect()
}

fn files(folder: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let hash = sesame_core::password::HashingCost::default()
        .hash(b"secret-du-vieil-outil-01")
        .expect("hash");
    let good = format!(
        "Service;Nom de la clé;Identifiant;Secret;Empreinte;Créateur;Date de création\r\n\
         Paie;Comptabilité 2019;paie_compta-2019;{LEGACY_SECRET};;Hélène Roux;22/01/2021 08:14\r\n\
         Paie;Ancien connecteur;paie_connecteur;;{hash};;2020-03-01\r\n"
    );
    let bad = format!(
        "Service;Nom;Identifiant;Secret\r\n\
         Paie;Mauvais préfixe;compta_1;{LEGACY_SECRET}\r\n\
         Paie;Trop court;paie_court;court\r\n"
    );
    let good_path = folder.join("cles-existantes.csv");
    let bad_path = folder.join("cles-a-corriger.csv");
    std::fs::write(&good_path, latin1(&good)).expect("write");
    std::fs::write(&bad_path, latin1(&bad)).expect("write");
    (good_path, bad_path)
}

/// 400 plaintext secrets: hashing them takes seconds, time enough to cancel.
fn slow_file(folder: &std::path::Path) -> std::path::PathBuf {
    let mut text = String::from("service;nom;identifiant;secret\n");
    for index in 0..400 {
        text.push_str(&format!(
            "Paie;Lente {index};paie_lent-{index};secret-de-la-cle-lente-{index}\n"
        ));
    }
    let path = folder.join("beaucoup-de-cles.csv");
    std::fs::write(&path, text).expect("write");
    path
}

/// A stand-in for the system browser: `xdg-open` hands it the address through `BROWSER`.
fn fake_browser(folder: &std::path::Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let opened = folder.join("opened.txt");
    let script = folder.join("navigateur");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$1\" >> '{}'\n",
            opened.display()
        ),
    )
    .expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("mode");
    (script, opened)
}

struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The real verification service on the app's store, on a free loopback port.
fn start_service(store: &std::path::Path) -> (Service, String) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("free port")
        .port();
    let child = Command::new(target_dir().join("sesamectl"))
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .env("SESAME_DB", store)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("sesamectl serve");
    let base = format!("http://127.0.0.1:{port}");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "the service did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    (Service(child), base)
}

#[tokio::test(flavor = "multi_thread")]
async fn import_usage_help_and_a_token_by_hand() {
    let folder = tempfile::tempdir().expect("folder");
    let store = prepared_store(folder.path());
    crate::operators::sesamectl(
        &store,
        &[
            "service",
            "edit",
            "Paie",
            "--website",
            "https://paie.example/acces",
        ],
    );
    let (good, bad) = files(folder.path());
    let slow = slow_file(folder.path());
    let (browser, opened) = fake_browser(folder.path());
    let app = App::launch_with_environment(
        "adoption",
        4468,
        Some(&store),
        &[("BROWSER", browser.as_os_str())],
    )
    .await;
    let outcome = adoption_path(&app, &good, &bad, &slow, &opened).await;
    app.finish("adoption", outcome).await;
}

async fn choose_file(app: &App, path: &std::path::Path) -> Step {
    app.client
        .find(fantoccini::Locator::Css("[data-test='import-file']"))
        .await
        .map_err(|e| format!("file input: {e}"))?
        .send_keys(&path.display().to_string())
        .await
        .map_err(|e| format!("choose {}: {e}", path.display()))
}

async fn click_in_row(app: &App, name: &str, action: &str) -> Step {
    let rows = app
        .client
        .find_all(fantoccini::Locator::Css("[data-test='key-row']"))
        .await
        .map_err(|e| format!("rows: {e}"))?;
    for row in rows {
        let text = row.text().await.map_err(|e| format!("row: {e}"))?;
        if text.starts_with(name) {
            // A row's actions are in its menu.
            if action.starts_with("action-") {
                row.find(fantoccini::Locator::Css("[data-test='key-actions-open']"))
                    .await
                    .map_err(|e| format!("menu in « {name} »: {e}"))?
                    .click()
                    .await
                    .map_err(|e| format!("open the menu of « {name} »: {e}"))?;
            }
            return row
                .find(fantoccini::Locator::Css(&format!("[data-test='{action}']")))
                .await
                .map_err(|e| format!("{action} in « {name} »: {e}"))?
                .click()
                .await
                .map_err(|e| format!("click {action}: {e}"));
        }
    }
    Err(format!("no row « {name} »"))
}

async fn adoption_path(
    app: &App,
    good: &std::path::Path,
    bad: &std::path::Path,
    slow: &std::path::Path,
    opened: &std::path::Path,
) -> Step {
    sign_in(app, "Camille Martin", ADMIN_PASSWORD).await?;
    app.click("nav-keys").await?;
    app.wait_rows(1).await?;

    // A file with mistakes: every line named, nothing to confirm.
    app.click("import").await?;
    app.wait_for("import-dialog").await?;
    choose_file(app, bad).await?;
    app.wait_text("import-refused", "2 lignes à corriger")
        .await?;
    let problems = app.text("import-problems").await?;
    assert!(
        problems.contains("ne commence pas par « paie_ »"),
        "{problems}"
    );
    assert!(problems.contains("16 à 256 caractères"), "{problems}");
    assert!(!problems.contains(LEGACY_SECRET), "a secret in a message");
    let confirm = app
        .client
        .find(fantoccini::Locator::Css("[data-test='import-confirm']"))
        .await
        .map_err(|e| format!("confirm: {e}"))?;
    assert!(!confirm.is_enabled().await.map_err(|e| e.to_string())?);
    app.screenshot("import-refused").await;

    // A long import stopped while its secrets are hashed: nothing written, the file to choose
    // again.
    choose_file(app, slow).await?;
    app.wait_text("import-summary", "400 lignes lues").await?;
    app.click("import-confirm").await?;
    app.wait_text("import-progress", "Hachage des secrets")
        .await?;
    app.click("import-cancel").await?;
    app.wait_text("import-error", "Import annulé : aucune clé n'a été écrite")
        .await?;
    assert_eq!(app.count("import-row").await?, 0, "the preview is gone");
    assert_eq!(
        app.sesamectl_verify("paie_lent-0.secret-de-la-cle-lente-0"),
        "NOT_FOUND"
    );

    // The right file: a preview, then the import.
    choose_file(app, good).await?;
    app.wait_text(
        "import-summary",
        "2 lignes lues : 1 avec secret, 1 avec empreinte",
    )
    .await?;
    assert_eq!(app.count("import-row").await?, 2);
    assert!(app.text("import-sample").await?.contains("Hélène Roux"));
    app.screenshot("import-preview").await;
    app.click("import-confirm").await?;
    app.wait_text("import-done", "2 clés importées").await?;
    app.wait_rows(3).await?;
    let table = app.text("key-table").await?;
    assert_eq!(table.matches("Utilisation inconnue").count(), 2, "{table}");
    assert!(
        table.contains("Hélène Roux") && table.contains("22/01/2021 08:14"),
        "{table}"
    );
    app.screenshot("imported").await;
    // « Créée par » offers the creator the file named, and finds that key alone.
    app.eventually("« Hélène Roux » among the creators", || async {
        app.select("criteria-creator", "Hélène Roux").await.is_ok()
    })
    .await?;
    app.click("filter").await?;
    app.wait_rows(1).await?;
    let table = app.text("key-table").await?;
    assert!(table.contains("Comptabilité 2019"), "{table}");
    app.click("reset").await?;
    app.wait_rows(3).await?;
    assert_eq!(
        app.sesamectl_verify(&format!("paie_compta-2019.{LEGACY_SECRET}")),
        "VALID"
    );

    // Usage help beside a key: a placeholder for the secret, Copy, and the documentation.
    click_in_row(app, "Comptabilité 2019", "action-usage").await?;
    app.wait_text(
        "usage-bearer",
        "Authorization: Bearer paie_compta-2019.VOTRE_SECRET",
    )
    .await?;
    let usage = app.text("usage-dialog").await?;
    assert!(!usage.contains(LEGACY_SECRET));
    app.click("copy-usage-basic").await?;
    app.clipboard_eventually(|text| {
        text == "curl -s -X POST http://127.0.0.1:8417/v1/keys/verify -u 'paie_compta-2019:VOTRE_SECRET'"
    })
    .await?;
    app.click("open-docs").await?;
    app.wait_text("usage-notice", "Documentation ouverte")
        .await?;
    // The browser is started detached: give it a moment.
    let asked = Instant::now();
    while !opened.exists() && asked.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let address = std::fs::read_to_string(opened).map_err(|e| format!("browser: {e}"))?;
    let page = address
        .trim()
        .strip_prefix("file://")
        .ok_or(format!("opened « {address} »"))?;
    let page = std::fs::read_to_string(page).map_err(|e| format!("docs: {e}"))?;
    assert!(page.contains("POST /v1/keys/verify") && page.contains("INVALID_SECRET"));
    app.screenshot("usage").await;
    app.click("usage-close").await?;
    app.wait_gone("usage-dialog").await?;

    // A token by hand, 8 hours, copied and checked by PyJWT against the service's JWKS.
    click_in_row(app, "Comptabilité 2019", "action-token").await?;
    app.select("token-hours", "8").await?;
    app.click("token-submit").await?;
    app.wait_for("token-value").await?;
    app.screenshot("token").await;
    app.click("copy-token").await?;
    let token = app
        .clipboard_eventually(|text| text.split('.').count() == 3 && text.starts_with("eyJ"))
        .await?;
    let (_service, base) = start_service(&app.data.path().join("sesame.db"));
    let checked = Command::new("/usr/bin/python3")
        .args([
            "-c",
            "import json, sys, jwt\n\
             client = jwt.PyJWKClient(sys.argv[1] + '/.well-known/jwks.json')\n\
             key = client.get_signing_key_from_jwt(sys.argv[2])\n\
             claims = jwt.decode(sys.argv[2], key.key, algorithms=['EdDSA'])\n\
             print(json.dumps(claims))",
            &base,
            &token,
        ])
        .output()
        .map_err(|e| format!("python3: {e}"))?;
    if !checked.status.success() {
        return Err(format!(
            "PyJWT refused the token: {}",
            String::from_utf8_lossy(&checked.stderr)
        ));
    }
    let claims: serde_json::Value =
        serde_json::from_slice(&checked.stdout).map_err(|e| format!("claims: {e}"))?;
    assert_eq!(claims["identifier"], "paie_compta-2019");
    assert_eq!(
        claims["exp"].as_i64().unwrap_or(0) - claims["iat"].as_i64().unwrap_or(0),
        8 * 3600
    );
    app.click("token-close").await?;
    app.click("token-close-confirm").await?;
    app.wait_gone("token-dialog").await?;

    // The one-time dialog's usage lines carry the real secret.
    click_in_row(app, "Existante", "action-regenerate").await?;
    app.click("action-confirm").await?;
    app.wait_for("secret-dialog").await?;
    let secret = app.text("secret-secret").await?;
    app.click_css("[data-test='secret-usage'] summary").await?;
    app.wait_text("usage-api_key", &secret).await?;
    app.click("copy-usage-api_key").await?;
    app.clipboard_eventually(|text| text.contains("X-Api-Key: paie_") && text.contains(&secret))
        .await?;
    app.click("secret-close").await?;
    app.click("secret-close-confirm").await?;
    // The service's website opens in the system browser too (issue 15), and only its own address.
    app.wait_gone("secret-dialog").await?;
    app.click("nav-catalogue").await?;
    app.click("service-website-link").await?;
    let asked = Instant::now();
    let last_opened = || {
        std::fs::read_to_string(opened)
            .ok()
            .and_then(|text| text.lines().last().map(str::to_owned))
            .unwrap_or_default()
    };
    while last_opened() != "https://paie.example/acces" && asked.elapsed() < Duration::from_secs(10)
    {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert_eq!(last_opened(), "https://paie.example/acces");
    Ok(())
}
