//! A temporary store with an administrator, a service and a company.

use chrono::{DateTime, TimeZone, Utc};
use sesame_core::key::{IssuedKey, NewKey};
use sesame_core::secret::{SecretString, secret_from};
use sesame_core::service::ServiceDraft;
use sesame_core::store::location::StoreLocation;
use sesame_core::{Clock, Sesame, Session};
use tempfile::TempDir;

pub const ADMIN: &str = "Camille Admin";

pub fn password() -> SecretString {
    secret_from("un mot de passe solide".to_owned())
}

pub struct Fixture {
    pub folder: TempDir,
    pub sesame: Sesame,
    pub admin: Session,
    pub clock: Clock,
    /// Where the store is: an SQLite file in `folder`, or, when the suite runs on PostgreSQL
    /// (`SESAME_TEST_STORE=postgres`), a database of its own on the test cluster.
    pub location: StoreLocation,
    /// The test's database on the cluster, held for its `Drop`: dropped with the fixture.
    #[allow(dead_code)]
    pub database: Option<crate::postgres::Database>,
}

/// Whether this run of the suite is on PostgreSQL (`scripts/test` runs it on both engines).
pub fn on_postgres() -> bool {
    std::env::var("SESAME_TEST_STORE").is_ok_and(|engine| engine == "postgres")
}

/// A new, empty store for a test: an SQLite file in `folder`, or a new database on the test
/// cluster.
pub fn new_store(folder: &std::path::Path) -> (StoreLocation, Option<crate::postgres::Database>) {
    if on_postgres() {
        let database = crate::postgres::Database::new()
            .expect("SESAME_TEST_STORE=postgres needs SESAME_TEST_PG");
        let location = StoreLocation::Postgres(Box::new(database.location.clone()));
        (location, Some(database))
    } else {
        (StoreLocation::Sqlite(folder.join("sesame.db")), None)
    }
}

pub fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 1, 9, 0, 0)
        .single()
        .unwrap_or_default()
}

impl Fixture {
    /// A store with an administrator, the service « Paie » (prefix `paie`, two permissions)
    /// and the companies « Dupont SARL » and « Martin SA », on a manual clock.
    pub fn new() -> Fixture {
        let folder = tempfile::tempdir().expect("temporary folder");
        let (location, database) = new_store(folder.path());
        Fixture::at(folder, location, database)
    }

    /// [`Fixture::new`] on an SQLite file whatever the engine of this run: a desktop's store.
    pub fn on_sqlite() -> Fixture {
        let folder = tempfile::tempdir().expect("temporary folder");
        let location = StoreLocation::Sqlite(folder.path().join("sesame.db"));
        Fixture::at(folder, location, None)
    }

    fn at(
        folder: TempDir,
        location: StoreLocation,
        database: Option<crate::postgres::Database>,
    ) -> Fixture {
        let clock = Clock::manual(start());
        let mut sesame = Sesame::open_location(&location)
            .expect("open store")
            .with_clock(clock.clone());
        let admin = sesame.initialise(ADMIN, &password()).expect("initialise");
        let draft = ServiceDraft {
            name: "Paie".into(),
            description: "Logiciel de paie".into(),
            website: "https://paie.example".into(),
            category: "Services en ligne".into(),
            prefix: "paie".into(),
            permissions: vec!["factures:lecture".into(), "salaires:ecriture".into()],
            max_lifetime_days: None,
        };
        sesame.create_service(&admin, &draft).expect("service");
        sesame
            .create_company(&admin, "Dupont SARL")
            .expect("company");
        sesame.create_company(&admin, "Martin SA").expect("company");
        Fixture {
            folder,
            sesame,
            admin,
            clock,
            location,
            database,
        }
    }

    /// An operator the administrator adds with these rights (and the test password), signed in.
    pub fn signed_in_operator(&mut self, name: &str, rights: sesame_core::Rights) -> Session {
        self.sesame
            .create_operator(&self.admin, name, &password(), rights)
            .expect("operator");
        self.sesame.sign_in(name, &password()).expect("sign in")
    }

    /// The audit events whose action starts with `prefix`, oldest first.
    pub fn events_starting_with(&mut self, prefix: &str) -> Vec<sesame_core::audit::AuditEvent> {
        let admin = self.admin.clone();
        self.sesame
            .audit_events(&admin, 0, u32::MAX)
            .expect("events")
            .into_iter()
            .filter(|e| e.action.starts_with(prefix))
            .collect()
    }

    /// Runs SQL on the store as another program would — plain SQLite on the file, or a plain
    /// PostgreSQL session — with neither Sésame's triggers nor its state key.
    pub fn outside(&self, sql: &str) {
        self.try_outside(sql).expect("edit outside");
    }

    /// [`Fixture::outside`], answering the engine's refusal in words.
    pub fn try_outside(&self, sql: &str) -> Result<(), String> {
        match &self.database {
            Some(database) => database
                .client()
                .batch_execute(sql)
                .map_err(|error| format!("{error} {:?}", error.as_db_error().map(|e| e.message()))),
            None => rusqlite::Connection::open(self.folder.path().join("sesame.db"))
                .expect("open the file")
                .execute_batch(sql)
                .map_err(|error| error.to_string()),
        }
    }

    /// The first column of the first row of a query made outside Sésame, as text.
    pub fn outside_text(&self, sql: &str) -> Option<String> {
        match &self.database {
            Some(database) => database
                .client()
                .query_opt(sql, &[])
                .expect("read outside")
                .and_then(|row| row.get(0)),
            None => rusqlite::Connection::open(self.folder.path().join("sesame.db"))
                .expect("open the file")
                .query_row(sql, [], |row| row.get(0))
                .ok(),
        }
    }

    /// Another program holding the store's write lock until [`WriteHolder::release`].
    pub fn hold_writes(&self) -> WriteHolder {
        match &self.database {
            Some(database) => {
                let mut client = database.client();
                client
                    .batch_execute(&format!(
                        "BEGIN; SELECT pg_advisory_xact_lock({});",
                        sesame_core::store::db::WRITE_LOCK
                    ))
                    .expect("lock");
                WriteHolder::Postgres(Box::new(client))
            }
            None => {
                let holder = rusqlite::Connection::open(self.folder.path().join("sesame.db"))
                    .expect("open the file");
                holder.execute_batch("BEGIN IMMEDIATE").expect("lock");
                WriteHolder::Sqlite(holder)
            }
        }
    }

    /// Closes the fixture's store (its connection, its lock), as when Sésame is not running:
    /// `sesame` holds a store of its own in `folder` meanwhile.
    pub fn close_store(&mut self) {
        let elsewhere = Sesame::open(&self.folder.path().join("fermé.db")).expect("another store");
        drop(std::mem::replace(&mut self.sesame, elsewhere));
    }

    pub fn reopen(&self) -> Sesame {
        Sesame::open_location(&self.location)
            .expect("reopen store")
            .with_clock(self.clock.clone())
    }

    pub fn create(&mut self, name: &str) -> IssuedKey {
        let new_key = NewKey {
            service: "Paie".into(),
            name: name.into(),
            permissions: vec!["factures:lecture".into()],
            ..NewKey::default()
        };
        self.sesame
            .create_key(&self.admin, &new_key)
            .expect("create key")
    }
}

/// A write lock held by another program (see [`Fixture::hold_writes`]).
pub enum WriteHolder {
    Sqlite(rusqlite::Connection),
    Postgres(Box<postgres::Client>),
}

impl WriteHolder {
    pub fn release(&mut self) {
        match self {
            WriteHolder::Sqlite(holder) => holder.execute_batch("COMMIT").expect("unlock"),
            WriteHolder::Postgres(client) => client.batch_execute("COMMIT").expect("unlock"),
        }
    }
}
