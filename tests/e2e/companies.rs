//! Client companies in the real webview (issue 15): added with a SIREN checked next to its
//! field, renamed, archived; an archived company is no longer offered when generating a key,
//! and a company's keys are one click away.

use crate::driver::{App, Step};
use crate::operators::{ADMIN_PASSWORD, prepared_store, sign_in};

#[tokio::test(flavor = "multi_thread")]
async fn companies_are_added_renamed_and_archived_in_the_app() {
    let folder = tempfile::tempdir().expect("folder");
    let store = prepared_store(folder.path());
    let app = App::launch_with_store("companies", 4472, Some(&store)).await;
    let outcome = companies_path(&app).await;
    app.finish("companies", outcome).await;
}

async fn in_row(app: &App, company: &str, test: &str) -> Step {
    app.click_css(&format!(
        "tr[data-company='{company}'] [data-test='{test}']"
    ))
    .await
}

async fn add(app: &App, name: &str, code: &str, siren: &str, town: &str) -> Step {
    app.click("company-add").await?;
    app.wait_for("company-dialog").await?;
    for (field, text) in [
        ("company-name", name),
        ("company-code", code),
        ("company-siren", siren),
        ("company-town", town),
    ] {
        if !text.is_empty() {
            app.fill(field, text).await?;
        }
    }
    app.click("company-save").await
}

async fn companies_path(app: &App) -> Step {
    sign_in(app, "Camille Martin", ADMIN_PASSWORD).await?;
    app.click("nav-companies").await?;
    // A SIREN with a wrong check digit is refused next to its field; what was typed stays.
    add(
        app,
        "Futuroscope SA",
        "95963",
        "552 100 555",
        "Futuroscope Cedex",
    )
    .await?;
    app.wait_text("company-siren-error", "SIREN").await?;
    assert_eq!(app.value("company-name").await?, "Futuroscope SA");
    app.clear("company-siren").await?;
    app.fill("company-siren", "552 100 554").await?;
    app.click("company-save").await?;
    app.wait_gone("company-dialog").await?;
    app.wait_text("company-table", "552 100 554").await?;
    add(app, "Ancien client", "", "", "").await?;
    app.wait_gone("company-dialog").await?;
    app.wait_text("company-table", "Ancien client").await?;

    // Renamed.
    in_row(app, "Futuroscope SA", "company-edit").await?;
    app.wait_for("company-dialog").await?;
    app.clear("company-name").await?;
    app.fill("company-name", "Futuroscope Destination").await?;
    app.click("company-save").await?;
    app.wait_gone("company-dialog").await?;
    app.wait_text("company-table", "Futuroscope Destination")
        .await?;
    // « Retirer l'accès » is always there, disabled with its reason while no key serves the
    // company (issue 23).
    let offboard = "tr[data-company='Futuroscope Destination'] [data-test='company-offboard']";
    assert_eq!(
        app.prop_css(offboard, "disabled").await?.as_deref(),
        Some("true"),
        "nothing to remove yet"
    );
    let reason = app.prop_css(offboard, "title").await?.unwrap_or_default();
    assert!(reason.contains("Aucune clé"), "{reason}");

    // Archived: gone from the list unless asked for, and not offered for a new key.
    in_row(app, "Ancien client", "company-archive").await?;
    app.eventually("the archived company leaves the list", || async {
        app.text("company-table")
            .await
            .is_ok_and(|table| !table.contains("Ancien client"))
    })
    .await?;
    app.click("companies-show-archived").await?;
    app.wait_text("company-table", "archivée").await?;
    app.screenshot("companies").await;
    app.language("en").await?;
    app.click("nav-companies").await?;
    app.click("companies-show-archived").await?;
    app.wait_text("company-table", "archived").await?;
    app.screenshot("companies-en").await;
    app.language("fr").await?;

    app.click("nav-keys").await?;
    app.click("generate").await?;
    app.wait_for("key-dialog").await?;
    let offered = app.text("key-dialog").await?;
    assert!(offered.contains("Futuroscope Destination"), "{offered}");
    assert!(
        !offered.contains("Ancien client"),
        "an archived company is offered: {offered}"
    );
    app.press_escape().await?;
    app.wait_gone("key-dialog").await?;

    // A company's keys, from its row: none yet for the new one.
    app.click("nav-companies").await?;
    // The list loads after the screen shows: wait for the row before clicking in it.
    app.wait_text("company-table", "Futuroscope Destination")
        .await?;
    in_row(app, "Futuroscope Destination", "company-keys").await?;
    app.wait_text("key-count", "0 clé").await?;
    Ok(())
}
