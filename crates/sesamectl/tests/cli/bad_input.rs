//! Bad input on the command line: exit status 2, a clear message in the interface language,
//! no panic, and nothing changed in the store.

use std::os::unix::fs::PermissionsExt;
use std::process::Output;

use crate::support::{BINARY, Store, command_for, with_environment};

/// Everything about the store a refusal must leave alone.
fn fingerprint(store: &Store) -> (i64, i64, i64, i64) {
    let count = |sql: &str| -> i64 { store.rows(sql)[0][0].parse().expect("count") };
    (
        count("SELECT CAST(COUNT(*) AS TEXT) FROM keys"),
        count("SELECT CAST(COUNT(*) AS TEXT) FROM services"),
        count("SELECT CAST(COUNT(*) AS TEXT) FROM companies"),
        // Sign-ins are audited, so compare audit events other than sign-ins.
        count(
            "SELECT CAST(COUNT(*) AS TEXT) FROM audit_events WHERE action NOT LIKE 'operator.sign%'",
        ),
    )
}

fn assert_refused(output: &Output, label: &str, expected: &str) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{label}: {stderr}");
    assert!(!stderr.contains("panicked"), "{label}: {stderr}");
    assert!(
        stderr.contains(expected),
        "{label}: expected « {expected} » in: {stderr}"
    );
}

#[test]
fn bad_input_exits_2_with_a_clear_message_and_changes_nothing() {
    let store = Store::new();
    store.create_key("Existante");
    let long_name = "n".repeat(101);
    let cases: Vec<(&str, Vec<&str>, &str)> = vec![
        (
            "empty name",
            vec!["key", "create", "Paie", ""],
            "Le nom de la clé est obligatoire",
        ),
        (
            "blank name",
            vec!["key", "create", "Paie", "   "],
            "Le nom de la clé est obligatoire",
        ),
        (
            "over-long name",
            vec!["key", "create", "Paie", &long_name],
            "trop long",
        ),
        (
            "control character",
            vec!["key", "create", "Paie", "a\u{1}b"],
            "caractère de contrôle",
        ),
        (
            "bidi override",
            vec!["key", "create", "Paie", "a\u{202E}b"],
            "sens du texte",
        ),
        (
            "duplicate",
            vec!["key", "create", "Paie", "existante"],
            "déjà une clé nommée",
        ),
        (
            "unknown service",
            vec!["key", "create", "Ailleurs", "k"],
            "Aucun service « Ailleurs »",
        ),
        (
            "unknown company",
            vec!["key", "create", "Paie", "k", "--company", "Nulle"],
            "Aucune société",
        ),
        (
            "permission not offered",
            vec!["key", "create", "Paie", "k", "--permission", "rh:tout"],
            "ne propose pas",
        ),
        (
            "invalid permission",
            vec!["key", "create", "Paie", "k", "--permission", "Tout Lire"],
            "n'est pas valable",
        ),
        (
            "invalid date",
            vec!["key", "create", "Paie", "k", "--expires", "31/12/2030"],
            "AAAA-MM-JJ",
        ),
        (
            "past date",
            vec!["key", "create", "Paie", "k", "--expires", "2001-01-01"],
            "dans le passé",
        ),
        (
            "unknown key",
            vec!["key", "revoke", "fantome", "--reason", "x"],
            "Aucune clé « fantome »",
        ),
        (
            "empty reason",
            vec!["key", "revoke", "Existante", "--reason", " "],
            "Le motif est obligatoire",
        ),
        (
            "invalid url",
            vec!["service", "add", "Web", "--website", "ftp://x"],
            "http:// ou https://",
        ),
        (
            "invalid prefix",
            vec!["service", "add", "Web", "--prefix", "9web"],
            "Le préfixe « 9web »",
        ),
        (
            "duplicate service",
            vec!["service", "add", "paie"],
            "existe déjà",
        ),
        (
            "unknown status",
            vec!["key", "list", "--status", "perdue"],
            "invalid value",
        ),
        (
            "unknown grace",
            vec!["key", "regenerate", "Existante", "--grace", "2h"],
            "invalid value",
        ),
        ("no command", vec![], "Usage"),
    ];
    for (label, args, expected) in cases {
        let before = fingerprint(&store);
        assert_refused(&store.run(&args), label, expected);
        assert_eq!(fingerprint(&store), before, "{label}: the store changed");
    }
    let english = store.run(&["--lang", "en", "key", "create", "Paie", ""]);
    assert_refused(&english, "english", "The key name is required");
}

#[test]
fn sign_in_problems_are_refused() {
    let store = Store::new();
    let wrong = store
        .command()
        .env("SESAME_PASSWORD", "pas le bon mot de passe")
        .args(["key", "list"])
        .output()
        .expect("run");
    assert_refused(&wrong, "wrong password", "mot de passe incorrect");
    let unknown = store
        .command()
        .env("SESAME_USER", "inconnu")
        .args(["key", "list"])
        .output()
        .expect("run");
    assert_refused(&unknown, "unknown operator", "Opérateur inconnu");
    let missing = store
        .command()
        .env_remove("SESAME_USER")
        .args(["key", "list"])
        .output()
        .expect("run");
    assert_refused(&missing, "no operator", "SESAME_USER");
    let again = store.run(&["init", "--admin", "autre"]);
    assert_refused(&again, "second init", "déjà un administrateur");
}

#[test]
fn unusable_store_files_are_refused_and_left_alone() {
    let folder = tempfile::tempdir().expect("folder");
    let text = folder.path().join("notes.db");
    std::fs::write(&text, "Ceci n'est pas une base SQLite.\n".repeat(100)).expect("write");
    let before = std::fs::read(&text).expect("read");
    let output = command_for(&text)
        .args(["key", "list"])
        .output()
        .expect("run");
    assert_refused(&output, "text file", "n'est pas un magasin Sésame");
    assert_eq!(std::fs::read(&text).expect("read"), before);

    let store = Store::on_sqlite();
    let connection = rusqlite::Connection::open(store.path()).expect("open");
    connection
        .pragma_update(None, "user_version", 99)
        .expect("pretend to be newer");
    drop(connection);
    assert_refused(
        &store.run(&["key", "list"]),
        "newer store",
        "version plus récente",
    );
}

#[test]
fn a_read_only_store_is_refused_clearly() {
    let store = Store::on_sqlite();
    store.create_key("K");
    let folder = store.folder.path();
    // Root ignores file modes, so as root the command runs as « nobody » instead.
    let running_as_root = nix::unistd::Uid::effective().is_root();
    let mode = if running_as_root { 0o755 } else { 0o555 };
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(mode)).expect("chmod folder");
    for entry in std::fs::read_dir(folder).expect("list") {
        let path = entry.expect("entry").path();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o444))
            .expect("chmod file");
    }
    let mut command = if running_as_root {
        let mut setpriv = std::process::Command::new("setpriv");
        setpriv.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--",
            BINARY,
        ]);
        with_environment(setpriv, &store.path())
    } else {
        store.command()
    };
    let output = command
        .args(["key", "create", "Paie", "Nouvelle"])
        .output()
        .expect("run");
    std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o755)).expect("restore");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("lecture seule") || stderr.contains("ne peut pas être ouvert"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("« »"), "the store is named: {stderr}");
}
