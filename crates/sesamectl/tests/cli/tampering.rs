//! An attacker holding the store file, or a crafted backup: rows edited with plain SQLite are
//! refused by the real binary, named by `store check`, and a crafted backup is not restored.

use rusqlite::Connection;

use crate::support::Store;

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Two revoked keys set back to active, and an extra operator with both rights and the
/// administrator's password hash.
const CRAFT: &str = "
    UPDATE keys SET status = 'active', revoked_at = NULL, revoked_reason = NULL
        WHERE status = 'revoked';
    INSERT INTO operators (id, name, name_key, password_hash, right_configuration, right_audit,
                           created_at)
        SELECT 'intrus', 'Intrus', 'intrus', password_hash, TRUE, TRUE, created_at
        FROM operators WHERE name_key = 'admin';";

/// `key list` signed in as the operator the crafted rows add.
fn as_intruder(store: &Store) -> std::process::Output {
    store
        .command()
        .env("SESAME_USER", "Intrus")
        .args(["key", "list"])
        .output()
        .expect("run")
}

fn store_with_revoked_keys(store: Store) -> (Store, Vec<String>) {
    let keys: Vec<String> = ["un", "deux"]
        .iter()
        .map(|name| {
            let key = store.create_key(name);
            store.ok(&["key", "revoke", name, "--reason", "fuite"]);
            key
        })
        .collect();
    (store, keys)
}

#[test]
fn a_crafted_backup_is_not_restored() {
    // A backup file is restored into an SQLite store.
    let (store, keys) = store_with_revoked_keys(Store::on_sqlite());
    let backup = store.folder.path().join("sauvegarde.db");
    store.ok(&["backup", backup.to_str().expect("path")]);
    Connection::open(&backup)
        .expect("open")
        .execute_batch(CRAFT)
        .expect("craft");
    let output = store.run(&["restore", backup.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("Rien n'a été modifié"),
        "{}",
        stderr(&output)
    );
    for key in &keys {
        let answer = store.run(&["--json", "verify", key]);
        assert_eq!(answer.status.code(), Some(1));
        assert!(String::from_utf8_lossy(&answer.stdout).contains("REVOKED"));
    }
    let intruder = as_intruder(&store);
    assert_eq!(intruder.status.code(), Some(2));
}

#[test]
fn an_edited_live_store_is_refused_and_named() {
    let (store, keys) = store_with_revoked_keys(Store::new());
    store.outside(CRAFT);
    for key in &keys {
        let answer = store.run(&["--json", "verify", key]);
        assert_eq!(answer.status.code(), Some(1), "{}", stderr(&answer));
        assert!(
            String::from_utf8_lossy(&answer.stdout).contains("TAMPERED"),
            "{}",
            String::from_utf8_lossy(&answer.stdout)
        );
    }
    let intruder = as_intruder(&store);
    assert_eq!(intruder.status.code(), Some(2));
    assert!(
        stderr(&intruder).contains("modifié"),
        "{}",
        stderr(&intruder)
    );
    let check = store.run(&["--json", "store", "check"]);
    assert_eq!(check.status.code(), Some(1), "{}", stderr(&check));
    let report: serde_json::Value = serde_json::from_slice(&check.stdout).expect("JSON report");
    let mut named: Vec<String> = report["tampered"]
        .as_array()
        .expect("list")
        .iter()
        .map(|row| format!("{} {}", row["kind"], row["name"]).replace('"', ""))
        .collect();
    named.sort();
    assert_eq!(named, ["key deux", "key un", "operator Intrus"]);
    // A store Sésame alone wrote checks clean.
    let clean = Store::new();
    clean.create_key("propre");
    let check = clean.run(&["--json", "store", "check"]);
    assert_eq!(check.status.code(), Some(0), "{}", stderr(&check));
}
