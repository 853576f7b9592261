//! End-to-end tests: the built app in the real WebKit webview, driven through WebDriver
//! (tauri-driver + WebKitWebDriver), under the X display and D-Bus session that
//! `scripts/test` provides. The clipboard is read back with `xclip`; keys are checked with the
//! real `sesamectl`. Failures save a screenshot under `target/e2e-screenshots/`.
// Tests stop at the first broken expectation; `expect` names it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod adoption;
mod auditing;
mod companies;
mod daily_work;
mod driver;
mod operators;

use std::time::Duration;

use driver::{App, Step};

/// The daily path of an administrator, from first launch to switching the language.
#[tokio::test(flavor = "multi_thread")]
async fn first_launch_to_revocation_and_english() {
    let app = App::launch("daily", 4444).await;
    let outcome = daily_path(&app).await;
    app.finish("daily", outcome).await;
}

const PASSWORD: &str = "correct cheval agrafe pile";

/// « 22/01/2021 08:14 »
fn is_date_time(text: &str) -> bool {
    let bytes = text.as_bytes();
    text.len() == 16
        && bytes[2] == b'/'
        && bytes[5] == b'/'
        && bytes[10] == b' '
        && bytes[13] == b':'
        && text.chars().filter(char::is_ascii_digit).count() == 12
}

/// The recovery code shown once after the first administrator is made: five groups of five
/// characters of Crockford's base 32. « Continuer » waits until the person says it is kept.
/// Every key row holds on one line at 1280 px (issue 23): no cell's content reaches two lines
/// of its text (a button is taller than a line of text, never two).
async fn rows_on_one_line(app: &App) -> Step {
    let tallest = app
        .client
        .execute(
            "let worst = 0;
             for (const row of document.querySelectorAll('[data-test=key-row]')) {
               for (const cell of row.cells) {
                 const style = getComputedStyle(cell);
                 const line = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.3;
                 const content = cell.clientHeight - parseFloat(style.paddingTop)
                   - parseFloat(style.paddingBottom);
                 worst = Math.max(worst, content / line);
               }
             }
             return worst;",
            vec![],
        )
        .await
        .map_err(|e| format!("row heights: {e}"))?;
    let lines = tallest.as_f64().unwrap_or(f64::MAX);
    if lines < 1.9 {
        Ok(())
    } else {
        Err(format!(
            "a key row's cell is {lines:.2} lines high at 1280 px"
        ))
    }
}

async fn keep_recovery_code(app: &App) -> Step {
    app.wait_for("recovery-code").await?;
    let code = app.text("recovery-code").await?;
    let groups: Vec<&str> = code.trim().split('-').collect();
    assert_eq!(groups.len(), 5, "{code}");
    assert!(
        groups.iter().all(|group| group.len() == 5
            && group
                .chars()
                .all(|c| c.is_ascii_digit() || (c.is_ascii_uppercase() && !"ILOU".contains(c)))),
        "{code}"
    );
    assert!(
        app.disabled("recovery-continue").await?,
        "« Continuer » waits for the tick"
    );
    app.click("recovery-noted").await?;
    app.click("recovery-continue").await?;
    app.wait_for("nav-catalogue").await?;
    assert!(
        !app.page_source().await?.contains(code.trim()),
        "the code left the page"
    );
    Ok(())
}

async fn daily_path(app: &App) -> Step {
    // First launch: the administrator, then the recovery code, shown once.
    app.fill("setup-name", "Camille Martin").await?;
    app.fill("setup-password", PASSWORD).await?;
    app.fill("setup-confirmation", PASSWORD).await?;
    app.screenshot("first-launch").await;
    app.click("setup-submit").await?;
    keep_recovery_code(app).await?;

    // Sign out and in again.
    app.click("sign-out").await?;
    app.fill("signin-name", "Camille Martin").await?;
    app.fill("signin-password", "pas le bon mot de passe")
        .await?;
    app.click("signin-submit").await?;
    app.wait_text("signin-error", "mot de passe incorrect")
        .await?;
    app.clear("signin-password").await?;
    app.fill("signin-password", PASSWORD).await?;
    app.click("signin-submit").await?;
    app.wait_for("nav-catalogue").await?;

    // A short clipboard delay, so the test can watch the wipe.
    app.click("nav-settings").await?;
    app.clear("settings-clipboard").await?;
    app.fill("settings-clipboard", "10").await?;
    app.click("settings-save").await?;
    app.wait_text_anywhere("Paramètres enregistrés").await?;

    // A service.
    app.click("nav-catalogue").await?;
    app.click("service-new").await?;
    app.fill("service-name", "Paie en ligne").await?;
    app.fill("service-description", "Logiciel de paie du cabinet")
        .await?;
    app.fill("service-website", "https://paie.example").await?;
    app.fill("service-category", "Services en ligne").await?;
    app.fill("service-prefix", "paie").await?;
    app.fill("service-permissions", "factures:lecture, salaires:ecriture")
        .await?;
    app.click("service-save").await?;
    app.wait_for("service-awaiting").await?;
    app.screenshot("catalogue").await;

    // A key, and its one-time dialog.
    app.click("service-keys").await?;
    app.click("generate").await?;
    app.fill("key-name", "Intégration paie").await?;
    app.click("key-permission").await?;
    app.click("key-submit").await?;
    app.wait_for("secret-dialog").await?;
    let identifier = app.text("secret-identifier").await?;
    let secret = app.text("secret-secret").await?;
    let token = app.text("secret-token").await?;
    assert_eq!(token, format!("{identifier}.{secret}"));
    app.screenshot("one-time-secret").await;

    app.click("copy-identifier").await?;
    let copied_identifier = app.clipboard_eventually(|text| text == identifier).await?;
    app.click("copy-secret").await?;
    let copied_secret = app.clipboard_eventually(|text| text == secret).await?;
    let targets = app.clipboard_targets();
    assert!(
        targets.contains("x-kde-passwordManagerHint"),
        "the copied secret is not marked for clipboard managers: {targets}"
    );
    let verified = app.sesamectl_verify(&format!("{copied_identifier}.{copied_secret}"));
    assert_eq!(verified, "VALID", "the copied key does not verify");
    app.click("copy-token").await?;
    app.clipboard_eventually(|text| text == token).await?;

    // Closing asks first, then the secret is gone from the page and from the app.
    app.click("secret-close").await?;
    app.click("secret-close-confirm").await?;
    app.wait_gone("secret-dialog").await?;
    let page = app.page_source().await?;
    assert!(!page.contains(&secret), "the secret is still in the DOM");
    let again = app.invoke("copy_one_time", r#"{"part": "secret"}"#).await?;
    assert_eq!(
        again, "secret_gone",
        "a closed dialog's secret can still be copied"
    );

    // The clipboard forgets the token after the delay (10 s).
    app.clipboard_eventually(|text| text.is_empty()).await?;

    // Filters: Active, then Revoked after revoking; then reset.
    app.select("criteria-status", "active").await?;
    app.click("filter").await?;
    app.wait_rows(1).await?;
    assert_eq!(app.text("key-row-status").await?, "Active");
    // The sesamectl check above was a use: shown as 22/01/2021 08:14.
    let last_use = app.text("key-row-last-use").await?;
    let (date, uses) = last_use.split_once(" (").unwrap_or((&last_use, ""));
    assert!(is_date_time(date), "last use shown as « {last_use} »");
    assert_eq!(uses, "1 utilisation)", "use count shown as « {last_use} »");
    assert!(is_date_time(&app.text("key-row-created").await?));
    rows_on_one_line(app).await?;
    app.screenshot("keys").await;
    // Regenerate with a grace period, then reload the page with the dialog open: the new
    // secret is gone for good, and the old one still works during the grace. A row's actions
    // are in its menu.
    app.click("key-actions-open").await?;
    app.click("action-regenerate").await?;
    app.click("grace-1h").await?;
    app.click("action-confirm").await?;
    app.wait_for("secret-dialog").await?;
    let renewed_secret = app.text("secret-secret").await?;
    assert_ne!(renewed_secret, secret);
    app.reload().await?;
    app.wait_for("nav-keys").await?;
    assert!(
        app.count("secret-dialog").await? == 0,
        "the dialog survived a reload"
    );
    assert!(!app.page_source().await?.contains(&renewed_secret));
    assert_eq!(
        app.invoke("copy_one_time", r#"{"part": "secret"}"#).await?,
        "secret_gone"
    );
    assert_eq!(
        app.sesamectl_verify(&token),
        "VALID",
        "the old secret works during the grace"
    );
    app.click("nav-keys").await?;
    app.select("criteria-status", "active").await?;
    app.click("filter").await?;
    app.wait_rows(1).await?;

    app.click("key-actions-open").await?;
    app.click("action-revoke").await?;
    app.fill("action-reason", "Prestataire remplacé").await?;
    app.click("action-confirm").await?;
    app.wait_gone("action-dialog").await?;
    app.wait_rows(0).await?;
    app.select("criteria-status", "revoked").await?;
    app.click("filter").await?;
    app.wait_rows(1).await?;
    assert_eq!(app.text("key-row-status").await?, "Révoquée");
    let renewed_token = format!("{identifier}.{renewed_secret}");
    assert_eq!(app.sesamectl_verify(&renewed_token), "REVOKED");
    assert_eq!(
        app.sesamectl_verify(&token),
        "INVALID_SECRET",
        "revocation ends the grace"
    );
    app.click("reset").await?;
    app.wait_rows(1).await?;
    assert_eq!(app.value("criteria-status").await?, "");

    // English.
    app.screenshot("settings").await;
    app.language("en").await?;
    app.screenshot("settings-en").await;
    app.click("nav-keys").await?;
    app.wait_text("filter", "Filter").await?;
    app.wait_text("key-row-status", "Revoked").await?;
    // The main screens in English, for the README (scripts/screenshots copies them to docs/).
    app.screenshot("keys-en").await;
    app.click("nav-catalogue").await?;
    app.wait_text("service-card", "Paie").await?;
    app.screenshot("catalogue-en").await;
    app.click("nav-audit").await?;
    app.wait_for("audit-table").await?;
    app.screenshot("audit-en").await;
    // A key's one-time dialog in English.
    app.click("nav-keys").await?;
    app.click("generate").await?;
    app.fill("key-name", "Payroll integration").await?;
    app.click("key-permission").await?;
    app.click("key-submit").await?;
    app.wait_text("secret-dialog", "never be shown again")
        .await?;
    app.screenshot("one-time-secret-en").await;
    app.click("secret-close").await?;
    app.click("secret-close-confirm").await?;
    app.wait_gone("secret-dialog").await?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    Ok(())
}

/// Bad input in the forms: the message sits next to its field, in French, what was typed stays,
/// and nothing is created.
#[tokio::test(flavor = "multi_thread")]
async fn bad_input_is_refused_next_to_the_field_and_keeps_what_was_typed() {
    let app = App::launch("bad-input", 4450).await;
    let outcome = bad_input(&app).await;
    app.finish("bad-input", outcome).await;
}

async fn bad_input(app: &App) -> Step {
    app.fill("setup-name", "Camille Martin").await?;
    app.fill("setup-password", "trop court").await?;
    app.fill("setup-confirmation", "trop court").await?;
    app.click("setup-submit").await?;
    app.wait_text("setup-password-error", "au moins 12 caractères")
        .await?;
    app.clear("setup-password").await?;
    app.fill("setup-password", PASSWORD).await?;
    app.click("setup-submit").await?;
    app.wait_text("setup-confirmation-error", "diffèrent")
        .await?;
    assert_eq!(
        app.value("setup-name").await?,
        "Camille Martin",
        "the name was kept"
    );
    app.clear("setup-confirmation").await?;
    app.fill("setup-confirmation", PASSWORD).await?;
    app.click("setup-submit").await?;
    keep_recovery_code(app).await?;

    app.click("service-new").await?;
    app.click("service-save").await?;
    app.wait_text("service-name-error", "obligatoire").await?;
    app.fill("service-name", "Paie en ligne").await?;
    app.fill("service-website", "pas une adresse").await?;
    app.fill("service-permissions", "factures:lecture").await?;
    app.click("service-save").await?;
    app.wait_text("service-website-error", "http:// ou https://")
        .await?;
    assert_eq!(
        app.value("service-name").await?,
        "Paie en ligne",
        "the name was kept"
    );
    assert_eq!(app.value("service-permissions").await?, "factures:lecture");
    app.clear("service-website").await?;
    app.fill("service-permissions", ", Pas Valable").await?;
    app.click("service-save").await?;
    app.wait_text("service-permissions-error", "n'est pas valable")
        .await?;
    app.clear("service-permissions").await?;
    app.fill("service-permissions", "factures:lecture").await?;
    app.click("service-save").await?;
    app.wait_gone("service-dialog").await?;

    app.click("service-new").await?;
    app.fill("service-name", "PAIE EN LIGNE").await?;
    app.click("service-save").await?;
    app.wait_text("service-name-error", "existe déjà").await?;
    app.press_escape().await?;
    app.wait_gone("service-dialog").await?;
    let cards = app.count("service-card").await?;
    assert_eq!(cards, 1, "a refused service was created");

    app.click("service-keys").await?;
    app.click("generate").await?;
    app.fill("key-name", "Intégration").await?;
    app.click("key-submit").await?;
    app.wait_text("key-permissions-error", "au moins une permission")
        .await?;
    app.click("key-permission").await?;
    // The expiry is a day as French people write it, typed or picked in a calendar (issue 13).
    app.fill("key-expiry", "31/02/2030").await?;
    app.click("key-submit").await?;
    app.wait_text("key-expiry-error", "JJ/MM/AAAA").await?;
    assert_eq!(
        app.value("key-name").await?,
        "Intégration",
        "the name was kept"
    );
    app.clear("key-expiry").await?;
    app.fill("key-expiry", "01/01/2001").await?;
    app.click("key-submit").await?;
    app.wait_text("key-expiry-error", "passé").await?;
    app.clear("key-expiry").await?;
    app.click("key-expiry-calendar").await?;
    app.click("key-expiry-next-month").await?;
    app.click("key-expiry-day-15").await?;
    let picked = app.value("key-expiry").await?;
    let french_day = picked.len() == 10
        && picked.starts_with("15/")
        && picked.chars().enumerate().all(|(i, c)| match i {
            2 | 5 => c == '/',
            _ => c.is_ascii_digit(),
        });
    assert!(
        french_day,
        "the calendar wrote « {picked} », not JJ/MM/AAAA"
    );
    app.click("key-submit").await?;
    app.wait_for("secret-dialog").await?;
    app.click("secret-close").await?;
    app.click("secret-close-confirm").await?;
    app.wait_gone("secret-dialog").await?;

    app.wait_text("key-row-expiry", &picked).await?;
    criteria_on_one_line(app).await?;

    app.click("generate").await?;
    app.fill("key-name", "intégration").await?;
    app.click("key-permission").await?;
    app.click("key-submit").await?;
    app.wait_text("key-name-error", "déjà une clé").await?;
    app.press_escape().await?;
    app.wait_rows(1).await?;
    Ok(())
}

/// At the window's 1280 px, the key list's criteria share their row and the two buttons sit
/// together on one line after them, not stacked under the first criterion (issue 13).
async fn criteria_on_one_line(app: &App) -> Step {
    let width = app
        .run_async("arguments[0](window.innerWidth)", vec![])
        .await?;
    assert!(
        width.as_f64().is_some_and(|w| w >= 1200.0),
        "window width {width}"
    );
    let service = app.rect("criteria-service").await?;
    let health = app.rect("criteria-health").await?;
    let filter = app.rect("filter").await?;
    let reset = app.rect("reset").await?;
    assert!(
        (filter.1 - reset.1).abs() < 2.0,
        "buttons on two lines: {filter:?} {reset:?}"
    );
    assert!(reset.0 > filter.0, "« Réinitialiser » before « Filtrer »");
    assert!(
        filter.0 > service.0 + service.2,
        "the buttons sit under the first criterion: {filter:?} {service:?}"
    );
    assert!(
        filter.1 + 2.0 >= health.1,
        "the buttons come before the last criterion"
    );
    assert!(
        health.2 < 2.0 * service.2,
        "« Santé » stretched across the row: {health:?} {service:?}"
    );
    // The typed criteria (name, tag) line up with the chosen ones: same top, same height.
    let name = app.rect("criteria-name").await?;
    let tag = app.rect("criteria-tag").await?;
    for typed in [name, tag] {
        assert!(
            (typed.1 - service.1).abs() < 1.0 && (typed.3 - service.3).abs() < 1.0,
            "a typed criterion sits apart: {typed:?} against {service:?}"
        );
    }
    Ok(())
}

/// A store the app cannot open (here a file that is no database) is explained in the window —
/// what happened and what to do — instead of on a terminal a desktop user never sees (issue 23).
#[tokio::test(flavor = "multi_thread")]
async fn a_store_that_cannot_be_opened_is_explained_in_the_window() {
    let folder = tempfile::tempdir().expect("folder");
    let damaged = folder.path().join("sesame.db");
    std::fs::write(&damaged, b"ceci n'est pas un magasin Sesame ".repeat(200)).expect("file");
    let app = App::launch_with_store("store-problem", 4484, Some(&damaged)).await;
    let outcome = async {
        app.wait_text("store-problem", "Sésame ne peut pas ouvrir son magasin")
            .await?;
        app.wait_text("store-problem-message", "pas une base SQLite")
            .await?;
        app.wait_text("store-problem-advice", "Restaurez la dernière sauvegarde")
            .await?;
        app.screenshot("store-problem").await;
        Ok(())
    }
    .await;
    app.finish("store-problem", outcome).await;
}
