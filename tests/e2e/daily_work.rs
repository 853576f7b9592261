//! The office's daily work in the real webview (issue 15): offboarding a company (preview,
//! then the keys refused by the real `sesamectl verify`), a bulk revoke of every key of the
//! list's criteria, a tag added to ticked keys and found again by the tag criterion; the
//! reminder of expiring keys reaching the session's notification service (a D-Bus
//! `org.freedesktop.Notifications` listener in this test), the badge on « Clés », the warning
//! period setting, and the calendar of expiries read back by an iCalendar parser.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::driver::{App, Step};
use crate::operators::{ADMIN_PASSWORD, prepared_store, sesamectl, sesamectl_output, sign_in};

/// Creates a key with `sesamectl` and answers its bearer token.
fn create_key(store: &std::path::Path, name: &str, more: &[&str]) -> String {
    let mut args = vec![
        "--json",
        "key",
        "create",
        "Paie",
        name,
        "--permission",
        "factures:lecture",
    ];
    args.extend_from_slice(more);
    let output = sesamectl_output(store, &args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let created: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    created["token"].as_str().expect("token").to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn offboarding_a_bulk_revoke_and_tags_in_the_app() {
    let folder = tempfile::tempdir().expect("folder");
    let store = prepared_store(folder.path());
    sesamectl(&store, &["company", "add", "Dupont SARL"]);
    sesamectl(&store, &["company", "add", "Martin SA"]);
    let tokens = Tokens {
        own: create_key(&store, "Dupont seule", &["--company", "Dupont SARL"]),
        shared: create_key(
            &store,
            "Partagée",
            &["--company", "Dupont SARL", "--company", "Martin SA"],
        ),
        tills: [
            create_key(&store, "Caisse 1", &[]),
            create_key(&store, "Caisse 2", &[]),
        ],
    };
    let app = App::launch_with_store("daily-work", 4476, Some(&store)).await;
    let outcome = daily_work(&app, &tokens).await;
    app.finish("daily-work", outcome).await;
}

struct Tokens {
    own: String,
    shared: String,
    tills: [String; 2],
}

async fn daily_work(app: &App, tokens: &Tokens) -> Step {
    sign_in(app, "Camille Martin", ADMIN_PASSWORD).await?;

    // « Retirer l'accès de cette société »: a reason is required, the preview says what happens
    // to each key, then everything at once.
    app.click("nav-companies").await?;
    app.wait_text("company-table", "Dupont SARL").await?;
    app.click_css("tr[data-company='Dupont SARL'] [data-test='company-offboard']")
        .await?;
    app.wait_for("offboard-dialog").await?;
    app.click("offboard-end-revoke").await?;
    app.click("offboard-preview").await?;
    app.wait_text("offboard-reason-error", "obligatoire")
        .await?;
    app.fill("offboard-reason", "Client parti").await?;
    app.click("offboard-preview").await?;
    app.wait_text("plan-counts", "2 clés changeront").await?;
    let plan = app.text("plan-table").await?;
    assert!(
        plan.contains("Dupont seule") && plan.contains("sera révoquée"),
        "{plan}"
    );
    assert!(plan.contains("ne servira plus cette société"), "{plan}");
    app.screenshot("offboarding-preview").await;
    assert_eq!(
        app.sesamectl_verify(&tokens.own),
        "VALID",
        "the preview changed a key"
    );
    app.click("offboard-apply").await?;
    app.wait_gone("offboard-dialog").await?;
    app.wait_text("companies-notice", "Accès retiré : 2 clés modifiées")
        .await?;
    assert_eq!(app.sesamectl_verify(&tokens.own), "REVOKED");
    assert_eq!(
        app.sesamectl_verify(&tokens.shared),
        "VALID",
        "a shared key keeps working"
    );

    // The key list says which companies a key still serves (issue 23).
    app.click("nav-keys").await?;
    app.fill("criteria-name", "Partagée").await?;
    app.click("filter").await?;
    app.wait_rows(1).await?;
    app.wait_text("key-row-companies", "Martin SA").await?;
    let serves = app.text("key-row-companies").await?;
    assert!(!serves.contains("Dupont"), "{serves}");
    app.clear("criteria-name").await?;

    // A bulk revoke of every key of the criteria, on every page.
    app.fill("criteria-name", "caisse").await?;
    app.click("filter").await?;
    app.wait_rows(2).await?;
    app.select("bulk-kind", "revoke").await?;
    app.click("bulk-criteria").await?;
    app.wait_for("bulk-dialog").await?;
    app.click("bulk-preview").await?;
    app.wait_text("bulk-reason-error", "obligatoire").await?;
    app.fill("bulk-reason", "Caisses remplacées").await?;
    app.click("bulk-preview").await?;
    app.wait_text("plan-counts", "2 clés changeront").await?;
    app.screenshot("bulk-preview").await;
    app.click("bulk-apply").await?;
    app.wait_gone("bulk-dialog").await?;
    app.wait_text("import-done", "2 clés modifiées").await?;
    for token in &tokens.tills {
        assert_eq!(app.sesamectl_verify(token), "REVOKED");
    }
    // The notice belongs to the bulk action: new criteria clear it (issue 23), and resetting
    // the criteria resets the bulk choice too.
    app.clear("criteria-name").await?;
    app.fill("criteria-name", "Existante").await?;
    app.click("filter").await?;
    app.wait_rows(1).await?;
    app.wait_gone("import-done").await?;
    app.click("reset").await?;
    app.wait_rows(5).await?;
    assert_eq!(app.value("bulk-kind").await?, "deactivate");

    // A tag for the ticked keys, then found by the tag criterion.
    app.fill("criteria-name", "Existante").await?;
    app.click("filter").await?;
    app.wait_rows(1).await?;
    app.click("tick-all").await?;
    app.select("bulk-kind", "add_tag").await?;
    app.wait_text("bulk-ticked", "(1)").await?;
    app.click("bulk-ticked").await?;
    app.wait_for("bulk-dialog").await?;
    app.fill("bulk-tag", "agence-nord").await?;
    app.click("bulk-preview").await?;
    app.wait_text("plan-counts", "1 clé changera").await?;
    app.click("bulk-apply").await?;
    app.wait_gone("bulk-dialog").await?;
    app.wait_text("key-row-tag", "agence-nord").await?;
    app.click("reset").await?;
    app.wait_rows(5).await?;
    app.fill("criteria-tag", "agence-nord").await?;
    app.click("filter").await?;
    app.wait_rows(1).await?;
    assert!(app.text("key-row-name").await?.contains("Existante"));
    Ok(())
}

/// One notification the session's notification service received.
#[derive(Debug, Clone)]
struct Received {
    summary: String,
    body: String,
}

/// A stand-in for the desktop's notification service, on the test's D-Bus session: it keeps
/// what it is asked to show.
struct Notifications {
    received: Arc<Mutex<Vec<Received>>>,
}

#[zbus::interface(name = "org.freedesktop.Notifications")]
impl Notifications {
    #[allow(clippy::too_many_arguments)]
    fn notify(
        &self,
        _app_name: String,
        _replaces_id: u32,
        _app_icon: String,
        summary: String,
        body: String,
        _actions: Vec<String>,
        _hints: HashMap<String, zbus::zvariant::OwnedValue>,
        _expire_timeout: i32,
    ) -> u32 {
        let mut received = self.received.lock().expect("lock");
        received.push(Received { summary, body });
        u32::try_from(received.len()).unwrap_or(u32::MAX)
    }

    fn get_capabilities(&self) -> Vec<String> {
        vec!["body".into()]
    }

    fn get_server_information(&self) -> (String, String, String, String) {
        (
            "sesame-e2e".into(),
            "Sésame".into(),
            "1".into(),
            "1.2".into(),
        )
    }

    fn close_notification(&self, _id: u32) {}
}

#[tokio::test(flavor = "multi_thread")]
async fn the_reminder_reaches_the_notification_service_and_the_calendar_reads_back() {
    let received = Arc::new(Mutex::new(Vec::new()));
    let service = Notifications {
        received: Arc::clone(&received),
    };
    let _connection = zbus::connection::Builder::session()
        .expect("the test's D-Bus session (run under dbus-run-session)")
        .name("org.freedesktop.Notifications")
        .expect("name")
        .serve_at("/org/freedesktop/Notifications", service)
        .expect("object")
        .build()
        .await
        .expect("own org.freedesktop.Notifications on the session bus");

    let folder = tempfile::tempdir().expect("folder");
    let store = prepared_store(folder.path());
    let in_five_days = (chrono::Local::now() + chrono::Duration::days(5))
        .format("%Y-%m-%d")
        .to_string();
    create_key(&store, "Banque Populaire", &["--expires", &in_five_days]);
    let app = App::launch_with_store("reminder", 4480, Some(&store)).await;
    let outcome = reminder_path(&app, &received).await;
    app.finish("reminder", outcome).await;
}

async fn reminder_path(app: &App, received: &Arc<Mutex<Vec<Received>>>) -> Step {
    sign_in(app, "Camille Martin", ADMIN_PASSWORD).await?;
    // Other tests' apps may post too: ours names this store's key.
    let started = Instant::now();
    let ours = loop {
        let found = received
            .lock()
            .map_err(|_| "lock".to_owned())?
            .iter()
            .find(|n| n.body.contains("Banque Populaire"))
            .cloned();
        if let Some(found) = found {
            break found;
        }
        if started.elapsed() > Duration::from_secs(30) {
            return Err("no notification reached the session's notification service".into());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    };
    assert_eq!(ours.summary, "Sésame : 1 clé expire dans les 30 jours");
    assert!(
        ours.body
            .starts_with("« Banque Populaire » (Paie) : dernier jour le "),
        "{}",
        ours.body
    );

    // The badge on « Clés ».
    app.wait_text("nav-keys-badge", "1").await?;
    app.screenshot("expiring-badge").await;

    // The calendar, as Outlook or Thunderbird would read it.
    app.click("nav-keys").await?;
    app.click("export-calendar").await?;
    app.wait_text("import-done", "Calendrier des expirations écrit")
        .await?;
    let notice = app.text("import-done").await?;
    let path = notice
        .split_once(") : ")
        .and_then(|(_, rest)| rest.split_once(" — "))
        .map(|(path, _)| path.to_owned())
        .ok_or_else(|| format!("no path in « {notice} »"))?;
    let text = std::fs::read_to_string(&path).map_err(|error| format!("{path}: {error}"))?;
    let unfolded = icalendar::parser::unfold(&text);
    let calendar = icalendar::parser::read_calendar(&unfolded).map_err(|e| e.to_string())?;
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter(|component| component.name == "VEVENT")
        .collect();
    assert_eq!(events.len(), 1, "{text}");
    let summary = events[0]
        .find_prop("SUMMARY")
        .ok_or("no summary")?
        .val
        .to_string();
    assert!(summary.contains("Banque Populaire"), "{summary}");
    assert!(
        events[0].components.iter().any(|c| c.name == "VALARM"),
        "no reminder in the event"
    );

    // A warning period of 3 days: the key expiring in 5 is no longer counted.
    app.click("nav-settings").await?;
    app.clear("settings-warning").await?;
    app.fill("settings-warning", "400").await?;
    app.click("settings-save").await?;
    app.wait_text("settings-warning-error", "365").await?;
    app.clear("settings-warning").await?;
    app.fill("settings-warning", "3").await?;
    app.click("settings-save").await?;
    app.wait_text_anywhere("Paramètres enregistrés").await?;
    app.click("nav-keys").await?;
    app.wait_gone("nav-keys-badge").await?;
    Ok(())
}
