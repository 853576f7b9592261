//! The commands as an administrator uses them, and their exit statuses.

use std::io::Write;
use std::process::Stdio;

use crate::support::Store;

#[test]
fn create_list_verify_and_lifecycle() {
    let store = Store::new();
    let created = store.ok(&[
        "key",
        "create",
        "Paie",
        "Intégration",
        "--permission",
        "factures:lecture",
        "--company",
        "Dupont SARL",
        "--expires",
        "2099-12-31",
        "--note",
        "pour le cabinet",
    ]);
    let token = created["token"].as_str().expect("token");
    let identifier = created["identifier"].as_str().expect("identifier");
    assert!(identifier.starts_with("paie_"));
    assert_eq!(
        token,
        format!(
            "{identifier}.{}",
            created["secret"].as_str().expect("secret")
        )
    );
    assert_eq!(created["key"]["status"], "active");
    assert_eq!(created["key"]["last_use"], "never");

    let verified = store.ok(&[
        "verify",
        token,
        "--permission",
        "factures:lecture",
        "--company",
        "Dupont SARL",
    ]);
    assert_eq!(verified["valid"], true);
    assert_eq!(verified["code"], "VALID");
    assert_eq!(verified["key"]["service"]["name"], "Paie");

    let refused = store.run(&[
        "--json",
        "verify",
        token,
        "--permission",
        "salaires:ecriture",
    ]);
    assert_eq!(refused.status.code(), Some(1));
    let refused: serde_json::Value = serde_json::from_slice(&refused.stdout).expect("json");
    assert_eq!(refused["code"], "INSUFFICIENT_PERMISSION");

    let shown = store.ok(&["key", "show", identifier]);
    assert_eq!(
        shown["key"]["use_count"], 1,
        "the refused check is not a use"
    );
    assert!(
        shown["key"]["last_use"]
            .as_str()
            .is_some_and(|s| s.starts_with("20"))
    );
    assert!(
        !shown
            .to_string()
            .contains(created["secret"].as_str().expect("secret")),
        "show never shows the secret"
    );

    store.ok(&["key", "deactivate", "Intégration"]);
    assert_eq!(
        store.ok(&["key", "list", "--status", "inactive"])["total"],
        1
    );
    assert_eq!(store.run(&["verify", token]).status.code(), Some(1));
    store.ok(&["key", "reactivate", "Intégration"]);
    let renewed = store.ok(&["key", "regenerate", identifier, "--grace", "1h"]);
    let new_token = renewed["token"].as_str().expect("token");
    assert_eq!(
        store.run(&["verify", token]).status.code(),
        Some(0),
        "old secret during the grace"
    );
    assert_eq!(store.run(&["verify", new_token]).status.code(), Some(0));
    store.ok(&["key", "revoke", identifier, "--reason", "contrat terminé"]);
    let revoked = store.run(&["--json", "verify", new_token]);
    assert_eq!(revoked.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&revoked.stdout).contains("REVOKED"));
    assert_eq!(
        store.ok(&["key", "list", "--status", "revoked"])["keys"][0]["revoked_reason"],
        "contrat terminé"
    );
    store.ok(&["key", "delete", identifier]);
    assert_eq!(store.ok(&["key", "list"])["total"], 0);
}

/// A reader that went away (`sesamectl key list | head -1`) is no error: no panic, success.
#[test]
fn output_to_a_closed_pipe_is_not_a_failure() {
    let store = Store::new();
    store.create_key("Caisse 1");
    for json in [false, true] {
        // The pipe's reading end is closed before the command starts: every write fails.
        let (reader, writer) = std::io::pipe().expect("pipe");
        drop(reader);
        let mut command = store.command();
        if json {
            command.arg("--json");
        }
        let output = command
            .args(["key", "list"])
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        assert_eq!(output.status.code(), Some(0), "{stderr}");
    }
}

#[test]
fn verify_reads_the_token_from_standard_input() {
    let store = Store::new();
    let token = store.create_key("K");
    let mut child = store
        .command()
        .args(["--json", "verify", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(format!("{token}\n").as_bytes())
        .expect("write");
    let output = child.wait_with_output().expect("wait");
    assert_eq!(output.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&output.stdout).contains("\"VALID\""));
}

#[test]
fn text_output_is_french_by_default_and_english_on_request() {
    let store = Store::new();
    store.create_key("K");
    let french = store.run(&["key", "list"]);
    let text = String::from_utf8_lossy(&french.stdout);
    assert!(
        text.contains("Jamais utilisée") && text.contains("1 clé"),
        "{text}"
    );
    let english = store.run(&["--lang", "en", "key", "list"]);
    let text = String::from_utf8_lossy(&english.stdout);
    assert!(
        text.contains("Never used") && text.contains("1 key"),
        "{text}"
    );
    // Dates as 22/01/2021 08:14.
    let date = regex_like_date(&String::from_utf8_lossy(&french.stdout));
    assert!(date, "no dd/mm/yyyy hh:mm date in the French list");
}

fn regex_like_date(text: &str) -> bool {
    text.split('\t').any(|cell| {
        let bytes = cell.as_bytes();
        cell.len() == 16
            && bytes[2] == b'/'
            && bytes[5] == b'/'
            && bytes[10] == b' '
            && bytes[13] == b':'
            && cell.chars().filter(char::is_ascii_digit).count() == 12
    })
}

#[test]
fn services_and_companies() {
    let store = Store::new();
    let services = store.ok(&["service", "list"]);
    assert_eq!(services["services"][0]["listed"], false);
    store.ok(&["service", "approve", "Paie"]);
    store.ok(&[
        "service",
        "edit",
        "Paie",
        "--description",
        "Paie mensuelle",
        "--add-permission",
        "rh:lecture",
    ]);
    let service = &store.ok(&["service", "list", "--category", "Services en ligne"])["services"][0];
    assert_eq!(service["listed"], true);
    assert_eq!(service["description"], "Paie mensuelle");
    assert_eq!(service["permissions"].as_array().map(Vec::len), Some(3));
    assert_eq!(
        store.ok(&["company", "list"])["companies"][0]["name"],
        "Dupont SARL"
    );
}

#[test]
fn concurrent_writers_queue_and_all_succeed() {
    let store = Store::new();
    let children: Vec<_> = (0..4)
        .map(|writer| {
            let script = format!(
                "for i in 1 2 3 4 5; do \"$0\" key create Paie \"w{writer}-$i\" >/dev/null || exit 1; done"
            );
            store.shell(&script).spawn().expect("spawn")
        })
        .collect();
    for mut child in children {
        assert!(child.wait().expect("wait").success(), "a writer failed");
    }
    assert_eq!(store.ok(&["key", "list"])["total"], 20);
    let sesame = sesame_core::Sesame::open(&store.path()).expect("open");
    assert_eq!(
        sesame.check_audit_chain().expect("check").first_broken,
        None
    );
}

#[test]
fn without_sesame_db_the_store_lives_in_the_data_folder() {
    let home = tempfile::tempdir().expect("home");
    let run = |args: &[&str]| {
        std::process::Command::new(crate::support::BINARY)
            .env_clear()
            .env("HOME", home.path())
            .env("SESAME_USER", crate::support::USER)
            .env("SESAME_PASSWORD", crate::support::PASSWORD)
            .args(args)
            .output()
            .expect("run")
    };
    assert!(
        run(&["init", "--admin", crate::support::USER])
            .status
            .success()
    );
    let expected = home.path().join(".local/share/fr.sesame.admin/sesame.db");
    assert!(expected.is_file(), "no store at {}", expected.display());
    assert!(run(&["company", "add", "Dupont SARL"]).status.success());
    let listed = run(&["--json", "company", "list"]);
    assert!(String::from_utf8_lossy(&listed.stdout).contains("Dupont SARL"));
}
