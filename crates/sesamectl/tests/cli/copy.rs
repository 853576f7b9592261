//! `sesamectl store copy --to`: a desktop store moved whole into an empty store — an SQLite file,
//! or a database of the private PostgreSQL cluster `scripts/test` starts (`SESAME_TEST_PG`).

use crate::support::{Store, command_for, said};

#[test]
fn a_store_is_copied_into_an_empty_sqlite_file_and_the_copy_works() {
    let store = Store::new();
    let key = store.create_key("Comptable externe");
    let target = store.folder.path().join("copie").join("sesame.db");
    let copied = store.ok(&["store", "copy", "--to", &target.to_string_lossy()]);
    assert_eq!(copied["keys"], 1);
    // The copy is a working store: the same key verifies there, its seals hold, its chain is
    // whole.
    let verified = command_for(&target)
        .args(["--json", "verify", &key])
        .output()
        .expect("verify");
    assert_eq!(verified.status.code(), Some(0), "{}", said(&verified));
    let checked = command_for(&target)
        .args(["store", "check"])
        .output()
        .expect("check");
    assert_eq!(checked.status.code(), Some(0), "{}", said(&checked));
    // A second copy finds it full.
    let again = store.run(&["store", "copy", "--to", &target.to_string_lossy()]);
    assert_eq!(again.status.code(), Some(2));
    assert!(said(&again).contains("n'est pas vide"), "{}", said(&again));
}

#[test]
fn a_store_is_copied_into_postgres_and_a_password_never_rides_in_the_address() {
    let store = Store::new();
    store.create_key("Comptable externe");
    let refused = store.run(&[
        "store",
        "copy",
        "--to",
        "postgresql://camille:motdepasse-secret@localhost/sesame",
    ]);
    assert_eq!(refused.status.code(), Some(2));
    let message = said(&refused);
    assert!(message.contains("PGPASSWORD"), "{message}");
    assert!(!message.contains("motdepasse-secret"), "{message}");
    // Any command runs on a PostgreSQL store; one that does not answer is named in words,
    // without a password, and no stray file is made.
    let elsewhere = command_for(std::path::Path::new(
        "postgres://camille@localhost:1/sesame",
    ))
    .args(["key", "list"])
    .output()
    .expect("run");
    assert_eq!(elsewhere.status.code(), Some(2), "{}", said(&elsewhere));
    assert!(
        said(&elsewhere).contains("« camille@localhost:1/sesame » ne répond pas"),
        "{}",
        said(&elsewhere)
    );
    assert!(!std::path::Path::new("postgres:").exists());

    let Ok(cluster) = std::env::var("SESAME_TEST_PG") else {
        eprintln!("SESAME_TEST_PG is not set: the PostgreSQL part is skipped");
        return;
    };
    let database = format!("sesame_cli_{}", std::process::id());
    let mut admin = postgres::Client::connect(&cluster, postgres::NoTls).expect("cluster");
    // Two statements: DROP DATABASE cannot share a transaction with anything.
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {database}"))
        .expect("drop");
    admin
        .batch_execute(&format!("CREATE DATABASE {database}"))
        .expect("database");
    let target = format!("{cluster} dbname={database}");
    let copied = store.ok(&["store", "copy", "--to", &target]);
    assert_eq!(copied["keys"], 1);
    assert!(
        copied["events"].as_u64().is_some_and(|events| events > 3),
        "{copied}"
    );
    let mut copy = postgres::Client::connect(&target, postgres::NoTls).expect("copy");
    let keys: i64 = copy
        .query_one("SELECT count(*) FROM keys", &[])
        .expect("keys")
        .get(0);
    assert_eq!(keys, 1);
    drop(copy);
    admin
        .batch_execute(&format!("DROP DATABASE {database} WITH (FORCE)"))
        .expect("drop");
}
