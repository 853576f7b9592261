//! `sesamectl audit export|verify` with the real binary: exit statuses, messages, an existing
//! file never replaced silently, the audit right required, and verification with no store.

use std::process::Command;

use crate::support::{BINARY, Store};

#[test]
fn export_then_verify_offline_and_catch_a_change() {
    let store = Store::new();
    store.create_key("intégration");
    let file = store.folder.path().join("audit.jsonl");
    let exported = store.ok(&["audit", "export", "--output", file.to_str().expect("path")]);
    assert!(exported["count"].as_u64().expect("count") >= 4);
    let fingerprint = exported["fingerprint"]
        .as_str()
        .expect("fingerprint")
        .to_owned();

    // Verification needs nothing but the file: no store, no operator, no keyring.
    let verify = |args: &[&str]| {
        Command::new(BINARY)
            .env_clear()
            .env("SESAME_LANG", "fr")
            .args(["audit", "verify"])
            .args(args)
            .output()
            .expect("run")
    };
    let intact = verify(&[file.to_str().expect("path"), "--fingerprint", &fingerprint]);
    assert_eq!(intact.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&intact.stdout).starts_with("OK : "));

    let text = std::fs::read_to_string(&file).expect("read");
    let mut lines: Vec<&str> = text.lines().collect();
    let changed = lines[1].replace("\"action\":\"", "\"action\":\"altered.");
    assert_ne!(changed, lines[1], "the line names its action");
    lines[1] = &changed;
    std::fs::write(&file, lines.join("\n") + "\n").expect("write");
    let tampered = verify(&[file.to_str().expect("path")]);
    assert_eq!(tampered.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&tampered.stdout).trim(),
        "L'événement n° 2 (ligne 2) a été modifié : son empreinte ne correspond plus à son contenu."
    );

    // The same target again is refused, and the file is left as it is.
    let again = store.run(&["audit", "export", "--output", file.to_str().expect("path")]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("existe déjà"));
    assert_eq!(
        std::fs::read_to_string(&file).expect("read"),
        lines.join("\n") + "\n"
    );
    let replaced = store.run(&[
        "audit",
        "export",
        "--output",
        file.to_str().expect("path"),
        "--overwrite",
    ]);
    assert_eq!(replaced.status.code(), Some(0));

    // Verifying something that is not a file.
    let missing = verify(&["/nonexistent/audit.jsonl"]);
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn exporting_needs_the_audit_right() {
    let store = Store::new();
    let mut add = store.command();
    add.env("SESAME_NEW_PASSWORD", "une phrase assez longue")
        .args(["operator", "add", "Claude", "--right", "configuration"]);
    assert!(add.output().expect("run").status.success());
    let file = store.folder.path().join("audit.jsonl");
    let refused = store
        .command()
        .env("SESAME_USER", "Claude")
        .env("SESAME_PASSWORD", "une phrase assez longue")
        .args(["audit", "export", "--output", file.to_str().expect("path")])
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("droit « audit »"));
    assert!(!file.exists(), "nothing written");
}
