//! No secret or password ever reaches the store's files: the SQLite file and its journal, or on
//! PostgreSQL the cluster's files for the test's database, its write-ahead log and its log.

use sesame_core::key::Grace;
use sesame_core::secret::ExposeSecret;

use crate::support::{Fixture, password};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(haystack, needle).is_some()
}

/// Every regular file under `folder`.
fn files_under(folder: &std::path::Path, found: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(folder).expect("list").flatten() {
        let path = entry.path();
        match entry.file_type() {
            Ok(kind) if kind.is_dir() => files_under(&path, found),
            Ok(kind) if kind.is_file() => found.push(path),
            _ => {}
        }
    }
}

/// The files that hold the store: the SQLite file and its journal, or the cluster's files for
/// this database (written out by a checkpoint), its write-ahead log and its log.
fn store_files(fixture: &Fixture) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    match &fixture.database {
        None => files_under(fixture.folder.path(), &mut files),
        Some(database) => {
            let cluster = std::path::PathBuf::from(
                std::env::var("SESAME_TEST_PG_DIR").expect("SESAME_TEST_PG_DIR"),
            );
            let mut client = database.client();
            client.batch_execute("CHECKPOINT").expect("checkpoint");
            let oid: u32 = client
                .query_one(
                    "SELECT oid FROM pg_database WHERE datname = current_database()",
                    &[],
                )
                .expect("oid")
                .get(0);
            let data = cluster.join("data");
            files_under(&data.join("base").join(oid.to_string()), &mut files);
            files_under(&data.join("pg_wal"), &mut files);
            files.push(cluster.join("log"));
        }
    }
    files
}

#[test]
fn secrets_and_passwords_are_nowhere_in_the_files() {
    let mut fixture = Fixture::new();
    let mut secrets = Vec::new();
    let mut identifiers = Vec::new();
    for index in 0..12 {
        let issued = fixture.create(&format!("clé {index}"));
        identifiers.push(issued.key.identifier.clone());
        secrets.push(issued.secret.expose_secret().to_owned());
        match index % 4 {
            0 => {
                let renewed = fixture
                    .sesame
                    .regenerate_key(&fixture.admin, &issued.key.id, Grace::OneDay)
                    .expect("regenerate");
                secrets.push(renewed.secret.expose_secret().to_owned());
            }
            1 => {
                fixture
                    .sesame
                    .revoke_key(&fixture.admin, &issued.key.id, "test")
                    .expect("revoke");
            }
            2 => {
                let renewed = fixture
                    .sesame
                    .regenerate_key(&fixture.admin, &issued.key.id, Grace::Now)
                    .expect("regenerate");
                secrets.push(renewed.secret.expose_secret().to_owned());
                fixture
                    .sesame
                    .delete_key(&fixture.admin, &issued.key.id)
                    .expect("delete");
            }
            _ => {}
        }
        let code = fixture
            .sesame
            .verify_bearer(issued.bearer().expose_secret(), None, None)
            .expect("v");
        drop(code);
    }
    fixture.sesame.flush_usage().expect("flush");
    let files = store_files(&fixture);
    assert!(
        files.iter().any(|f| {
            let name = f.to_string_lossy();
            name.ends_with("-wal") || name.contains("pg_wal")
        }),
        "the write-ahead log is scanned too"
    );
    // The scan reads the store's real content: the public identifiers are there.
    // A write-ahead log segment may be recycled while the files are read (other tests write to
    // the cluster): a file gone is skipped.
    let read = |file: &std::path::Path| match std::fs::read(file) {
        Ok(bytes) => Some(bytes),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
        Err(error) => panic!("{}: {error}", file.display()),
    };
    let seen = files.iter().any(|file| {
        let Some(bytes) = read(file) else {
            return false;
        };
        identifiers
            .iter()
            .all(|identifier| contains(&bytes, identifier.as_bytes()))
    });
    assert!(seen, "the scanned files do not hold the store's keys");
    let password = password();
    for file in &files {
        let Some(bytes) = read(file) else {
            continue;
        };
        for (index, secret) in secrets.iter().enumerate() {
            // The random part alone, so even a partial copy would be caught.
            let random_part = &secret.as_bytes()[4..40];
            assert!(
                !contains(&bytes, random_part),
                "secret #{index} found in {}",
                file.display()
            );
        }
        assert!(
            !contains(&bytes, password.expose_secret().as_bytes()),
            "password found in {}",
            file.display()
        );
    }
}
