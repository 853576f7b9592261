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
    let store = Store::on_sqlite();
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
    let summary = sesame_core::backup::check_backup(&backup).expect("a sound backup");
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
    let store = Store::on_sqlite();
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

/// A backup of `store`, then `edit` run on a copy of it with plain SQLite: the crafted file.
fn crafted_backup(store: &Store, name: &str, edit: &str) -> std::path::PathBuf {
    let backup = store.folder.path().join(name);
    let output = store.run(&["backup", backup.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let connection = Connection::open(&backup).expect("open the copy");
    connection.execute_batch(edit).expect("edit the copy");
    backup
}

fn file_digest(path: &std::path::Path) -> Vec<u8> {
    std::fs::read(path).expect("read")
}

#[test]
fn restore_refuses_a_schema_that_is_not_exactly_this_versions_and_changes_nothing() {
    let store = Store::on_sqlite();
    store.create_key("à garder");
    let crafted = [
        (
            "trigger.db",
            "CREATE TRIGGER reactivate AFTER UPDATE OF status ON keys
             BEGIN UPDATE keys SET status = 'active' WHERE id = new.id; END;",
        ),
        ("guard.db", "DROP TRIGGER audit_events_refuse_delete;"),
        ("index.db", "DROP INDEX keys_facets;"),
        ("column.db", "ALTER TABLE keys DROP COLUMN note;"),
        (
            "view.db",
            "ALTER TABLE audit_events RENAME TO audit_old;
             CREATE VIEW audit_events AS SELECT * FROM audit_old WHERE 0;",
        ),
    ];
    let before = file_digest(&store.path());
    for (name, edit) in crafted {
        let backup = crafted_backup(&store, name, edit);
        let output = store.run(&["restore", backup.to_str().expect("path")]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains("Rien n'a été modifié"),
            "{name}: {}",
            stderr(&output)
        );
    }
    // Only the backups' own events were added; no key changed, no copy was kept aside.
    assert!(key_names(&store.path()).contains("à garder"));
    let asides = kept_aside(&store).len();
    assert_eq!(asides, 0);
    let _ = before;
    let listed = store.ok(&["key", "list"]);
    assert!(listed.to_string().contains("à garder"));
}

#[test]
fn two_restores_in_one_second_keep_two_previous_stores_owner_only() {
    let store = Store::on_sqlite();
    store.create_key("première");
    let backup = store.folder.path().join("sauvegarde.db");
    store.ok(&["backup", backup.to_str().expect("path")]);
    for _ in 0..2 {
        let output = store.run(&["--json", "restore", backup.to_str().expect("path")]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let asides = kept_aside(&store);
    assert_eq!(asides.len(), 2, "each restore keeps its own copy");
    use std::os::unix::fs::PermissionsExt;
    for aside in asides {
        let mode = aside.metadata().expect("metadata").permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{:?}", aside.path());
        assert!(
            check_copy(&aside.path()),
            "{:?} is a whole store",
            aside.path()
        );
    }
    // The restore's event says where the previous store went.
    let exported = store.folder.path().join("journal.jsonl");
    store.ok(&[
        "audit",
        "export",
        "--output",
        exported.to_str().expect("path"),
    ]);
    let journal = std::fs::read_to_string(&exported).expect("journal");
    assert!(journal.contains("avant-restauration"), "{journal}");
}

/// The copies restores kept of the store as it was.
fn kept_aside(store: &Store) -> Vec<std::fs::DirEntry> {
    std::fs::read_dir(store.folder.path())
        .expect("folder")
        .filter_map(Result::ok)
        .filter(|entry| {
            entry
                .file_name()
                .to_string_lossy()
                .contains("avant-restauration")
        })
        .collect()
}

fn check_copy(path: &std::path::Path) -> bool {
    sesame_core::backup::check_backup(path).is_ok()
}

#[test]
fn backup_events_name_the_real_file_and_only_a_finished_backup() {
    let store = Store::on_sqlite();
    let backup = store.folder.path().join("sauvegarde-du-lundi.db");
    store.ok(&["backup", backup.to_str().expect("path")]);
    // A destination that is a link leading nowhere: refused, and no success recorded.
    let dangling = store.folder.path().join("lien.db");
    std::os::unix::fs::symlink(store.folder.path().join("nulle-part/x.db"), &dangling)
        .expect("link");
    let output = store.run(&["backup", dangling.to_str().expect("path"), "--overwrite"]);
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    for device in ["/dev/null", "/dev/stdout"] {
        let output = store.run(&["backup", device, "--overwrite"]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{device}: {}",
            stderr(&output)
        );
        let output = store.run(&["report", "credentials", "--output", device, "--overwrite"]);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{device}: {}",
            stderr(&output)
        );
    }
    let connection = Connection::open(store.path()).expect("open");
    let files: Vec<String> = connection
        .prepare("SELECT json_extract(details, '$.file') FROM audit_events WHERE action = 'store.backed_up'")
        .expect("events")
        .query_map([], |row| row.get(0))
        .expect("events")
        .collect::<Result<_, _>>()
        .expect("events");
    let real = std::fs::canonicalize(&backup).expect("canonical");
    assert_eq!(files, vec![real.display().to_string()]);
}

#[test]
fn store_files_are_owner_only_whatever_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let folder = tempfile::tempdir().expect("folder");
    let nested = folder.path().join("données").join("sesame.db");
    let output = crate::support::shell_for(
        &nested,
        r#"umask 022; "$0" init --admin admin && "$0" key list >/dev/null"#,
    )
    .output()
    .expect("run");
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let mode = |path: &std::path::Path| {
        std::fs::metadata(path)
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    assert_eq!(mode(nested.parent().expect("folder")), 0o700);
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let path = std::path::PathBuf::from(format!("{}{suffix}", nested.display()));
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    // A store someone loosened is tightened, and the user is told.
    std::fs::set_permissions(&nested, std::fs::Permissions::from_mode(0o644)).expect("loosen");
    let output = crate::support::command_for(&nested)
        .args(["key", "list"])
        .output()
        .expect("run");
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(mode(&nested), 0o600);
    assert!(
        stderr(&output).contains("Accès restreint"),
        "{}",
        stderr(&output)
    );
}

/// A backup edited by someone without the state key: its seals emptied so that every edited row
/// would be « sealed now », or its last events cut. Both are refused; nothing changes.
#[test]
fn restore_refuses_a_backup_with_its_seals_removed_or_its_trail_cut() {
    let store = Store::on_sqlite();
    store.create_key("révoquée");
    store.ok(&["key", "revoke", "révoquée", "--reason", "fuite"]);
    let crafted = [
        (
            "sans-sceaux.db",
            "UPDATE keys SET status = 'active', revoked_at = NULL;
             UPDATE operators SET right_configuration = 1;
             DELETE FROM row_seals;",
            "none of its rows is sealed",
        ),
        (
            "coupée.db",
            "DROP TRIGGER audit_events_refuse_delete;
             DELETE FROM audit_events WHERE seq > (SELECT max(seq) - 2 FROM audit_events);
             CREATE TRIGGER audit_events_refuse_delete BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only');
END;",
            "does not end where its sealed head says",
        ),
    ];
    for (name, edit, expected) in crafted {
        let backup = crafted_backup(&store, name, edit);
        let output = store.run(&["restore", backup.to_str().expect("path")]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        assert!(
            stderr(&output).contains(expected),
            "{name}: {}",
            stderr(&output)
        );
        assert!(stderr(&output).contains("Rien n'a été modifié"), "{name}");
    }
    assert_eq!(kept_aside(&store).len(), 0);
    let listed = store.ok(&["key", "list", "--status", "revoked"]);
    assert_eq!(listed["total"], 1, "{listed}");
}
