//! The PostgreSQL store on a real server: the private, throw-away cluster `scripts/test` starts
//! (`SESAME_TEST_PG`, libpq's key=value form). Each test works in a database of its own, dropped
//! afterwards. Without `SESAME_TEST_PG` (a run outside `scripts/test`) these tests say so and
//! stop; `scripts/test` always sets it.

use postgres::Client;
use sesame_core::store::pg::{self, PgLocation};

/// A new, empty database on the test cluster, dropped when the value is.
pub struct Database {
    admin: PgLocation,
    name: String,
    pub location: PgLocation,
}

impl Database {
    pub fn new() -> Option<Database> {
        let Ok(cluster) = std::env::var("SESAME_TEST_PG") else {
            eprintln!("SESAME_TEST_PG is not set: no PostgreSQL cluster to test against");
            return None;
        };
        let admin = PgLocation::parse(&cluster).expect("SESAME_TEST_PG");
        let name = format!("sesame_test_{}", uuid::Uuid::new_v4().simple());
        admin
            .connect()
            .expect("the test cluster")
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        let location = admin.with_database(&name);
        Some(Database {
            admin,
            name,
            location,
        })
    }

    pub fn client(&self) -> Client {
        self.location.connect().expect("connect")
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut admin) = self.admin.connect() {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// Waits until a session of the database waits for a lock, one whose `pg_stat_activity` row
/// meets `condition` (an event seen from outside, not a duration; at most a minute).
pub fn until_a_session_waits(watcher: &mut Client, condition: &str) {
    let started = std::time::Instant::now();
    let asked = format!(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND {condition}"
    );
    while watcher
        .query_one(&asked, &[])
        .expect("activity")
        .get::<_, i64>(0)
        == 0
    {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "no session waited"
        );
        std::thread::yield_now();
    }
}

fn tables(client: &mut Client) -> Vec<String> {
    client
        .query(
            "SELECT tablename::text FROM pg_catalog.pg_tables WHERE schemaname = current_schema()
             ORDER BY 1",
            &[],
        )
        .expect("tables")
        .iter()
        .map(|row| row.get(0))
        .collect()
}

#[test]
fn an_empty_database_becomes_a_store_with_the_sqlite_stores_tables() {
    let Some(database) = Database::new() else {
        return;
    };
    let (_, migrated) = pg::open(&database.location).expect("open");
    assert!(migrated);
    let (_, again) = pg::open(&database.location).expect("open again");
    assert!(!again, "a second opening applies nothing");
    let mut client = database.client();
    let version: i32 = client
        .query_one("SELECT version FROM sesame_store", &[])
        .expect("version")
        .get(0);
    assert_eq!(version, pg::latest_version());
    // The same tables and columns as the SQLite store: one set of rules serves both (and
    // PostgreSQL's own counts of the key list, kept by its triggers).
    let folder = tempfile::tempdir().expect("folder");
    let sqlite = sesame_core::store::open(&folder.path().join("sesame.db")).expect("sqlite");
    let mut statement = sqlite
        .prepare(
            "SELECT m.name, p.name FROM sqlite_schema m, pragma_table_xinfo(m.name) p
             WHERE m.type = 'table' ORDER BY 1, 2",
        )
        .expect("columns");
    let sqlite_columns: Vec<(String, String)> = statement
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("rows");
    let pg_columns: Vec<(String, String)> = client
        .query(
            "SELECT table_name::text, column_name::text FROM information_schema.columns
             WHERE table_schema = current_schema()
               AND table_name NOT IN ('sesame_store', 'key_counts', 'key_count_deltas')
             ORDER BY 1, 2",
            &[],
        )
        .expect("columns")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect();
    assert_eq!(pg_columns, sqlite_columns);
    // The trail is append-only on this engine too.
    client
        .batch_execute(
            "INSERT INTO audit_events (seq, at, action, details, prev_hash, hash)
             VALUES (1, 0, 'store.sealed', '{}', 'a', 'b')",
        )
        .expect("append");
    for change in [
        "UPDATE audit_events SET hash = 'c'",
        "DELETE FROM audit_events",
        "TRUNCATE audit_events",
    ] {
        let refused = client.batch_execute(change).expect_err(change);
        assert!(
            refused.to_string().contains("append-only")
                || format!("{refused:?}").contains("append-only"),
            "{change}: {refused:?}"
        );
    }
}

#[test]
fn another_programs_database_is_refused_and_left_alone() {
    let Some(database) = Database::new() else {
        return;
    };
    let mut client = database.client();
    client
        .batch_execute(
            "CREATE TABLE invoices (id INTEGER PRIMARY KEY); INSERT INTO invoices VALUES (7);",
        )
        .expect("foreign table");
    let refused = pg::open(&database.location).err().map(|e| e.code());
    assert_eq!(refused, Some("store_not_sesame"));
    assert_eq!(
        tables(&mut client),
        vec!["invoices".to_owned()],
        "nothing was added"
    );
}

#[test]
fn a_store_from_a_newer_version_is_refused_and_left_alone() {
    let Some(database) = Database::new() else {
        return;
    };
    pg::open(&database.location).expect("open");
    let mut client = database.client();
    let newer = pg::latest_version() + 1;
    client
        .execute("UPDATE sesame_store SET version = $1", &[&newer])
        .expect("bump");
    let before = tables(&mut client);
    let refused = pg::open(&database.location).err().map(|e| e.code());
    assert_eq!(refused, Some("store_too_new"));
    let version: i32 = client
        .query_one("SELECT version FROM sesame_store", &[])
        .expect("version")
        .get(0);
    assert_eq!(version, newer);
    assert_eq!(tables(&mut client), before);
}

#[test]
fn processes_opening_a_new_database_at_once_migrate_it_once() {
    let Some(database) = Database::new() else {
        return;
    };
    let openers: Vec<_> = (0..4)
        .map(|_| {
            let location = database.location.clone();
            std::thread::spawn(move || pg::open(&location).map(|(_, migrated)| migrated))
        })
        .collect();
    let migrated: Vec<bool> = openers
        .into_iter()
        .map(|opener| opener.join().expect("thread").expect("open"))
        .collect();
    assert_eq!(migrated.iter().filter(|m| **m).count(), 1, "{migrated:?}");
}

#[test]
fn a_server_that_does_not_answer_is_named_without_its_password() {
    // SAFETY of the environment: tests in this binary do not read PGPASSWORD concurrently with
    // a change; this one only reads it through PgLocation::parse.
    let location =
        PgLocation::parse("host=/nonexistent-sesame-socket port=5999 user=camille dbname=sesame")
            .expect("location");
    let error = location.connect().err().expect("no server there");
    assert_eq!(error.code(), "database_unavailable");
    let message = error.message(sesame_core::Lang::Fr);
    assert!(
        message.contains("camille@/nonexistent-sesame-socket:5999/sesame"),
        "{message}"
    );
}

/// A desktop's store moves to the firm's server: every row, the seals and the whole chain
/// arrive, the copy is audited in the source, and a target that is not empty is refused.
#[test]
fn a_desktop_store_is_copied_whole_into_an_empty_postgres_store() {
    use sesame_core::store::location::StoreLocation;
    let Some(database) = Database::new() else {
        return;
    };
    let mut fixture = crate::support::Fixture::on_sqlite();
    fixture.create("Comptable externe");
    fixture.create("Banque");
    fixture
        .sesame
        .revoke_key(&fixture.admin, "Banque", "Fin du contrat")
        .expect("revoke");
    let target = StoreLocation::Postgres(Box::new(database.location.clone()));
    let summary = fixture
        .sesame
        .copy_store_to(&fixture.admin, &target)
        .expect("copy");
    assert_eq!(summary.keys, 2);
    let mut client = database.client();
    let source = rusqlite::Connection::open(fixture.folder.path().join("sesame.db")).expect("open");
    for table in [
        "operators",
        "services",
        "keys",
        "key_permissions",
        "row_seals",
        "settings",
    ] {
        let here: i64 = source
            .query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                row.get(0)
            })
            .expect("count");
        let there: i64 = client
            .query_one(&format!("SELECT count(*) FROM {table}"), &[])
            .expect("count")
            .get(0);
        assert_eq!(here, there, "{table}");
    }
    // The chain arrived whole: every event but the copy's own, which the source adds after.
    let events_there: i64 = client
        .query_one("SELECT count(*) FROM audit_events", &[])
        .expect("count")
        .get(0);
    assert_eq!(events_there as u64, summary.events);
    let last_action: String = source
        .query_row(
            "SELECT action FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |row| row.get(0),
        )
        .expect("last");
    assert_eq!(last_action, "store.copied");
    let revoked: (String, bool) = client
        .query_one(
            "SELECT status, usage_unknown FROM keys WHERE name = 'Banque'",
            &[],
        )
        .map(|row| (row.get(0), row.get(1)))
        .expect("key");
    assert_eq!(revoked, ("revoked".to_owned(), false));
    // The same installation: its seals stay valid under the same state key.
    let identity = |client: &mut postgres::Client| -> String {
        client
            .query_one(
                "SELECT value FROM settings WHERE name = 'installation_id'",
                &[],
            )
            .expect("id")
            .get(0)
    };
    let source_identity: String = source
        .query_row(
            "SELECT value FROM settings WHERE name = 'installation_id'",
            [],
            |row| row.get(0),
        )
        .expect("id");
    assert_eq!(identity(&mut client), source_identity);
    // A second copy finds the target full and writes nothing.
    let refused = fixture.sesame.copy_store_to(&fixture.admin, &target);
    assert_eq!(refused.err().map(|e| e.code()), Some("store_not_empty"));
    let keys_there: i64 = client
        .query_one("SELECT count(*) FROM keys", &[])
        .expect("count")
        .get(0);
    assert_eq!(keys_there, 2);
}

/// The same copy into an SQLite file, and only by an operator with the configuration right.
#[test]
fn a_store_is_copied_into_an_empty_sqlite_file_by_an_administrator_only() {
    use sesame_core::store::location::StoreLocation;
    let mut fixture = crate::support::Fixture::on_sqlite();
    fixture.create("Comptable externe");
    let folder = tempfile::tempdir().expect("folder");
    let target = StoreLocation::Sqlite(folder.path().join("copie.db"));
    let reader_rights = sesame_core::Rights {
        configuration: false,
        audit: true,
    };
    let reader = fixture.signed_in_operator("Lecteur", reader_rights);
    let refused = fixture.sesame.copy_store_to(&reader, &target);
    assert_eq!(refused.err().map(|e| e.code()), Some("right_missing"));
    let summary = fixture
        .sesame
        .copy_store_to(&fixture.admin, &target)
        .expect("copy");
    assert_eq!(summary.keys, 1);
    let copy = rusqlite::Connection::open(folder.path().join("copie.db")).expect("open");
    let keys: i64 = copy
        .query_row("SELECT count(*) FROM keys", [], |row| row.get(0))
        .expect("count");
    assert_eq!(keys, 1);
}

/// The test cluster over TLS on 127.0.0.1 (`SESAME_TEST_PG_TLS`, with the test authority as
/// `sslrootcert`); the server refuses plain TCP.
fn tls_cluster() -> Option<String> {
    let location = std::env::var("SESAME_TEST_PG_TLS").ok();
    if location.is_none() {
        eprintln!("SESAME_TEST_PG_TLS is not set: no TLS cluster to test against");
    }
    location
}

fn encrypted(location: &PgLocation) -> bool {
    location
        .connect()
        .expect("connect")
        .query_one(
            "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
            &[],
        )
        .expect("ssl")
        .get(0)
}

#[test]
fn the_database_is_reached_over_verified_tls() {
    let Some(cluster) = tls_cluster() else { return };
    for mode in ["verify-full", "verify-ca", "require"] {
        let location = PgLocation::parse(&format!("{cluster} sslmode={mode}")).expect(mode);
        assert!(encrypted(&location), "{mode}");
    }
    // The URL form takes the same options.
    let pairs: std::collections::HashMap<&str, &str> = cluster
        .split_whitespace()
        .filter_map(|pair| pair.split_once('='))
        .collect();
    let url = format!(
        "postgresql://sesame@localhost:{}/postgres?sslmode=verify-full&sslrootcert={}",
        pairs["port"], pairs["sslrootcert"]
    );
    assert!(encrypted(&PgLocation::parse(&url).expect("url")));
    // Without TLS the server says no.
    let plain = PgLocation::parse(&format!("{cluster} sslmode=disable")).expect("disable");
    assert_eq!(
        plain.connect().err().map(|e| e.code()),
        Some("database_unavailable")
    );
}

#[test]
fn a_server_whose_certificate_another_authority_signed_is_refused() {
    let Some(cluster) = tls_cluster() else { return };
    let folder = tempfile::tempdir().expect("folder");
    let other = folder.path().join("other-ca.crt");
    let made = std::process::Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
        ])
        .args(["-subj", "/CN=Another CA", "-keyout"])
        .arg(folder.path().join("other-ca.key"))
        .arg("-out")
        .arg(&other)
        .output()
        .expect("openssl");
    assert!(made.status.success());
    let without_root: Vec<&str> = cluster
        .split_whitespace()
        .filter(|pair| !pair.starts_with("sslrootcert="))
        .collect();
    let location = PgLocation::parse(&format!(
        "{} sslmode=verify-full sslrootcert={}",
        without_root.join(" "),
        other.display()
    ))
    .expect("location");
    let refused = location.connect().err().expect("refused");
    assert_eq!(refused.code(), "database_unavailable");
    // verify-full without any authority to check against is refused before connecting.
    let missing = PgLocation::parse(&format!(
        "{} sslmode=verify-full sslrootcert=/nonexistent/ca.crt",
        without_root.join(" ")
    ));
    assert_eq!(
        missing.err().map(|e| e.code()),
        Some("database_location_invalid")
    );
}

/// A change committed by any connection is announced to every listener at once
/// (`LISTEN`/`NOTIFY` on `sesame_changes`), with no polling of the store.
#[test]
fn every_change_is_pushed_to_the_listeners_at_once() {
    let Some(database) = Database::new() else {
        return;
    };
    let location =
        sesame_core::store::location::StoreLocation::Postgres(Box::new(database.location.clone()));
    let mut sesame = sesame_core::Sesame::open_location(&location).expect("open");
    let admin = sesame
        .initialise("Camille Admin", &crate::support::password())
        .expect("initialise");
    let watch = sesame_core::store::watch::ChangeWatch::start(&database.location);
    let started = std::time::Instant::now();
    let before = loop {
        if let Some(heard) = watch.generation() {
            break heard;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "never listening"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    };
    // Another connection (another administrator's process) changes the store.
    let mut other = sesame_core::Sesame::open_location(&location).expect("open");
    other
        .create_company(&admin, "Dupont SARL")
        .expect("a change");
    let changed = std::time::Instant::now();
    while watch.generation() == Some(before) {
        // A bound against a hang only: how fast it arrives is measured by bench/verifiers.sh.
        assert!(
            changed.elapsed() < std::time::Duration::from_secs(30),
            "the change was never pushed"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    // A verifier asks the store itself: an announcement arrives after its commit, so only the
    // store can say nothing changed, and a change is seen as soon as its command returned.
    let mut verifier = sesame_core::Sesame::open_location(&location).expect("open");
    assert!(verifier.store_changed().expect("first look"));
    assert!(!verifier.store_changed().expect("nothing new"));
    other
        .create_company(&admin, "Martin SA")
        .expect("another change");
    assert!(verifier.store_changed().expect("look"));
    assert!(!verifier.store_changed().expect("nothing new since"));
}

/// A copy and a backup of a PostgreSQL store read one moment: a service created by another
/// administrator while the copy is between two tables is wholly absent from it (its row, its
/// event and its seal), and the copy is complete and whole. The copy is held between the
/// tables by a lock on `key_tags` taken outside Sésame, and the service created once it is seen
/// waiting there.
#[test]
fn a_copy_and_a_backup_read_one_moment_while_another_administrator_writes() {
    use sesame_core::store::location::StoreLocation;
    let mut fixture = crate::support::Fixture::new();
    let Some(database) = fixture.database.take() else {
        return;
    };
    fixture.create("Avant la copie");
    let mut other = fixture.reopen();
    let other_admin = other
        .sign_in(crate::support::ADMIN, &crate::support::password())
        .expect("sign in");
    for (round, backup) in [(0, false), (1, true)] {
        let destination = fixture.folder.path().join(format!("copie-{round}.db"));
        let mut holder = database.client();
        holder
            .batch_execute("BEGIN; LOCK TABLE key_tags IN ACCESS EXCLUSIVE MODE")
            .expect("lock");
        let copied = std::thread::scope(|scope| {
            let sesame = &mut fixture.sesame;
            let admin = &fixture.admin;
            let copying = scope.spawn(|| {
                if backup {
                    sesame
                        .backup_to(admin, &destination, false)
                        .map(|s| s.events)
                } else {
                    let target = StoreLocation::Sqlite(destination.clone());
                    sesame.copy_store_to(admin, &target).map(|s| s.events)
                }
            });
            let mut watcher = database.client();
            until_a_session_waits(&mut watcher, "query LIKE '%key_tags%'");
            let draft = sesame_core::service::ServiceDraft {
                name: format!("Créé pendant la copie {round}"),
                prefix: format!("pendant{round}"),
                permissions: vec!["lecture".into()],
                ..sesame_core::service::ServiceDraft::default()
            };
            other.create_service(&other_admin, &draft).expect("service");
            holder.batch_execute("COMMIT").expect("unlock");
            copying.join().expect("copy thread")
        });
        let events = copied.expect("copied");
        let copy = rusqlite::Connection::open(&destination).expect("open the copy");
        let count = |sql: &str| -> i64 { copy.query_row(sql, [], |row| row.get(0)).expect(sql) };
        assert_eq!(count("SELECT count(*) FROM audit_events") as u64, events);
        assert_eq!(
            count(&format!(
                "SELECT count(*) FROM services WHERE name = 'Créé pendant la copie {round}'"
            )),
            0,
            "the service created meanwhile is not in the copy"
        );
        assert_eq!(
            count("SELECT count(*) FROM audit_events WHERE action = 'service.created'"),
            count("SELECT count(*) FROM services"),
            "nor its event"
        );
        drop(copy);
        if backup {
            sesame_core::backup::check_backup(&destination).expect("a sound backup");
        } else {
            let opened = sesame_core::Sesame::open_location(&StoreLocation::Sqlite(destination))
                .expect("open the copy");
            let report = opened.check_audit_chain().expect("chain");
            assert!(report.first_broken.is_none(), "{report:?}");
        }
    }
}
