//! Backup while another process writes keys, and restore: checked first, the previous store
//! kept aside, refused onto a store that is open elsewhere, from a newer version, a damaged file
//! or a backup whose audit trail was tampered with.

use std::collections::HashSet;

use rusqlite::{Connection, OpenFlags};
use sesame_core::Sesame;

use crate::support::{Store, shell_for};

fn key_names(path: &std::path::Path) -> HashSet<String> {
    let connection =
        Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).expect("open");
    let mut statement = connection
        .prepare("SELECT name FROM keys WHERE deleted_at IS NULL")
        .expect("keys");
    statement
        .query_map([], |row| row.get(0))
        .expect("keys")
        .collect::<Result<_, _>>()
        .expect("keys")
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_backup_taken_while_keys_are_written_holds_every_key_committed_before_it() {
    let store = Store::new();
    let mut writer = shell_for(
        &store.path(),
        r#"for i in $(seq 1 30); do "$0" key create Paie "clé $i" >/dev/null || exit 1; done"#,
    )
    .spawn()
    .expect("writer");
    // Wait until the writer is well under way.
    while key_names(&store.path()).len() < 5 {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let committed_before = key_names(&store.path());
    let backup = store.folder.path().join("sauvegarde.db");
    let output = store.run(&["backup", backup.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(writer.wait().expect("writer").success());

    let in_backup = key_names(&backup);
    assert!(
        committed_before.is_subset(&in_backup),
        "missing from the backup: {:?}",
        committed_before.difference(&in_backup).collect::<Vec<_>>()
    );
    // The backup is a whole store: it opens, its audit trail checks, and it holds no secret.
    let summary = sesame_core::store::backup::check_backup(&backup).expect("a sound backup");
    assert_eq!(summary.keys, in_backup.len() as u64);
    let restored_copy = Sesame::open(&backup).expect("opens as a store");
    let chain = restored_copy.check_audit_chain().expect("chain");
    assert_eq!(chain.first_broken, None);
    drop(restored_copy);
    let raw = std::fs::read(&backup).expect("read");
    assert!(
        !String::from_utf8_lossy(&raw).contains(".ses_"),
        "no secret in the backup"
    );
}

#[test]
fn restore_checks_the_file_and_keeps_the_previous_store() {
    let store = Store::new();
    store.create_key("avant");
    let backup = store.folder.path().join("sauvegarde.db");
    store.ok(&["backup", backup.to_str().expect("path")]);
    store.create_key("après");

    // Onto a store open in another program (here, this test holding it like the app would).
    {
        let _open_elsewhere = Sesame::open(&store.path()).expect("open");
        let refused = store.run(&["restore", backup.to_str().expect("path")]);
        assert_eq!(refused.status.code(), Some(2));
        assert!(
            stderr(&refused).contains("ouvert dans un autre programme"),
            "{}",
            stderr(&refused)
        );
        assert!(
            key_names(&store.path()).contains("après"),
            "nothing changed"
        );
    }

    // Damaged, foreign and newer files are refused before anything is touched.
    let folder = store.folder.path();
    let truncated = folder.join("tronquée.db");
    let bytes = std::fs::read(&backup).expect("read");
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).expect("write");
    let random = folder.join("bruit.db");
    std::fs::write(&random, b"pas une base de donnees".repeat(100)).expect("write");
    let newer = folder.join("future.db");
    std::fs::copy(&backup, &newer).expect("copy");
    Connection::open(&newer)
        .expect("open")
        .pragma_update(None, "user_version", 99)
        .expect("version");
    let tampered = folder.join("altérée.db");
    std::fs::copy(&backup, &tampered).expect("copy");
    {
        let connection = Connection::open(&tampered).expect("open");
        connection
            .execute_batch(
                "DROP TRIGGER audit_events_refuse_update;
                 UPDATE audit_events SET operator_name = 'quelqu''un' WHERE seq = 2;",
            )
            .expect("tamper");
    }
    for (file, expected) in [
        (&truncated, "ne peut pas être restaurée"),
        (&random, "ne peut pas être restaurée"),
        (&newer, "version plus récente"),
        (&tampered, "audit trail broken at event 2"),
    ] {
        let refused = store.run(&["restore", file.to_str().expect("path")]);
        assert_eq!(refused.status.code(), Some(2), "{file:?}");
        assert!(
            stderr(&refused).contains(expected),
            "{file:?}: {}",
            stderr(&refused)
        );
        assert!(
            key_names(&store.path()).contains("après"),
            "nothing changed"
        );
    }

    let restored = store.ok(&["restore", backup.to_str().expect("path")]);
    let names = key_names(&store.path());
    assert!(names.contains("avant") && !names.contains("après"));
    let previous = restored["previous"].as_str().expect("previous store kept");
    assert!(key_names(std::path::Path::new(previous)).contains("après"));
    // The restored store works and remembers the restore.
    let listed = store.ok(&["key", "list"]);
    assert_eq!(listed["total"], 1);
}
