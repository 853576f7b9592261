//! Operators from the command line: rights enforced in the core (the same refusals as the app,
//! audited), disabling, passwords, and the signing key's home.

use std::process::Command;

use crate::support::{PASSWORD, Store};

const READER_PASSWORD: &str = "lecture seule mais solide";

fn as_operator(store: &Store, name: &str, password: &str, args: &[&str]) -> std::process::Output {
    store
        .command()
        .env("SESAME_USER", name)
        .env("SESAME_PASSWORD", password)
        .args(args)
        .output()
        .expect("run sesamectl")
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn audit_actions(store: &Store) -> Vec<(String, String)> {
    store
        .rows("SELECT action, details FROM audit_events ORDER BY seq")
        .into_iter()
        .map(|row| (row[0].clone(), row[1].clone()))
        .collect()
}

fn add_operator(store: &Store, name: &str, rights: &[&str]) -> serde_json::Value {
    let mut args = vec!["--json", "operator", "add", name];
    for right in rights {
        args.extend(["--right", right]);
    }
    let output = store
        .command()
        .env("SESAME_NEW_PASSWORD", READER_PASSWORD)
        .args(&args)
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).expect("JSON")
}

#[test]
fn an_operator_without_the_configuration_right_is_refused_and_the_refusal_audited() {
    let store = Store::new();
    let added = add_operator(&store, "Lecteur", &["audit"]);
    assert_eq!(added["operator"]["rights"], serde_json::json!(["audit"]));

    let refused = as_operator(
        &store,
        "Lecteur",
        READER_PASSWORD,
        &["key", "create", "Paie", "nouvelle"],
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains("Vous n'avez pas le droit « configuration de la plateforme »"),
        "{}",
        stderr(&refused)
    );
    let last = audit_actions(&store).pop().expect("an event");
    assert_eq!(last.0, "access.refused");
    assert!(last.1.contains("configuration"), "{}", last.1);
    let listed = store.ok(&["key", "list"]);
    assert_eq!(listed["total"], 0, "nothing was created");

    // Browsing is everyone's.
    let browsing = as_operator(&store, "Lecteur", READER_PASSWORD, &["service", "list"]);
    assert_eq!(browsing.status.code(), Some(0), "{}", stderr(&browsing));
    // Managing operators is not.
    let listing = as_operator(&store, "Lecteur", READER_PASSWORD, &["operator", "list"]);
    assert_eq!(listing.status.code(), Some(2));
}

#[test]
fn disable_enable_and_passwords() {
    let store = Store::new();
    add_operator(&store, "Claude", &[]);
    let listed = store.ok(&["operator", "list"]);
    let names: Vec<&str> = listed["operators"]
        .as_array()
        .expect("list")
        .iter()
        .map(|o| o["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["admin", "Claude"]);

    store.ok(&["operator", "disable", "claude"]);
    let refused = as_operator(&store, "Claude", READER_PASSWORD, &["service", "list"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("Ce compte d'opérateur est désactivé."));
    store.ok(&["operator", "enable", "Claude"]);

    // Change one's own password: the current one signs in, the new one is checked.
    let no_new_password = as_operator(&store, "Claude", READER_PASSWORD, &["operator", "passwd"]);
    assert_eq!(
        no_new_password.status.code(),
        Some(2),
        "no new password given"
    );
    let mut passwd = store.command();
    passwd
        .env("SESAME_USER", "Claude")
        .env("SESAME_PASSWORD", READER_PASSWORD)
        .env("SESAME_NEW_PASSWORD", "une phrase toute neuve et longue")
        .args(["operator", "passwd"]);
    let changed = passwd.output().expect("run");
    assert_eq!(changed.status.code(), Some(0), "{}", stderr(&changed));
    let old = as_operator(&store, "Claude", READER_PASSWORD, &["service", "list"]);
    assert!(stderr(&old).contains("Opérateur inconnu ou mot de passe incorrect."));

    // The last administrator keeps the configuration right.
    let output = store.run(&["operator", "edit", "admin", "--no-rights"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(
        stderr(&output).contains("dernier administrateur actif"),
        "{}",
        stderr(&output)
    );

    // A name that differs only by case or accents' form is taken.
    let mut twin = store.command();
    twin.env("SESAME_NEW_PASSWORD", READER_PASSWORD)
        .args(["operator", "add", "CLAUDE"]);
    let twin = twin.output().expect("run");
    assert_eq!(twin.status.code(), Some(2));
    assert!(stderr(&twin).contains("Un opérateur nommé « CLAUDE » existe déjà."));
    assert!(
        !audit_actions(&store)
            .iter()
            .any(|(_, d)| d.contains(READER_PASSWORD))
    );
    assert!(!stderr(&twin).contains(PASSWORD));
}

#[test]
fn the_signing_key_falls_back_to_an_owner_only_file_with_a_warning() {
    let store = Store::new();
    // The test environment is cleared: no D-Bus session, no display, so no keyring answers.
    let first = store.run(&["--json", "signing-key"]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    assert!(
        stderr(&first).contains("aucun trousseau du système ne répond"),
        "{}",
        stderr(&first)
    );
    let shown: serde_json::Value = serde_json::from_slice(&first.stdout).expect("JSON");
    assert_eq!(shown["home"], "file");
    // Beside the store file; for a PostgreSQL store, in the installation's key folder.
    let file = match &store.database {
        None => store.folder.path().join("sesame.db.signing-key"),
        Some(_) => std::path::PathBuf::from(shown["place"].as_str().expect("place")),
    };
    assert_eq!(shown["place"], file.display().to_string());
    if store.database.is_some() {
        let keys = store.folder.path().join(".local/share/fr.sesame.admin");
        assert!(file.starts_with(&keys), "{}", file.display());
        assert!(file.to_string_lossy().ends_with(".signing-key"));
    }
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&file)
        .expect("key file")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    let again = store.ok(&["signing-key"]);
    assert_eq!(again["fingerprint"], shown["fingerprint"]);
    assert_eq!(
        shown["public_key"].as_str().map(str::len),
        Some(64),
        "32 bytes in hexadecimal"
    );
}

#[test]
fn with_a_secret_service_the_signing_key_goes_to_the_keyring() {
    // Only the test run inside a D-Bus session with gnome-keyring has a keyring to reach.
    let Some(bus) = std::env::var_os("DBUS_SESSION_BUS_ADDRESS") else {
        return;
    };
    let store = Store::new();
    let output = store
        .command()
        .env("DBUS_SESSION_BUS_ADDRESS", bus)
        .args(["--json", "signing-key"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(
        stderr(&output).is_empty(),
        "no warning: {}",
        stderr(&output)
    );
    let shown: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    assert_eq!(shown["home"], "keyring");
    assert!(!store.folder.path().join("sesame.db.signing-key").exists());
    // A debug build files its entry under the development namespace, apart from releases.
    let place = shown["place"].as_str().expect("place");
    assert!(
        place.starts_with("fr.sesame.admin.dev / signing-key-"),
        "{place}"
    );
    let entry = place.rsplit(" / ").next().expect("entry");
    let cleared = Command::new("secret-tool")
        .args(["clear", "service", "fr.sesame.admin.dev", "username", entry])
        .status()
        .expect("secret-tool");
    assert!(cleared.success());
}
