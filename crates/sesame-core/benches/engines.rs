//! SQLite and PostgreSQL side by side (issue 14): a warm verification (the cached path), key
//! creation with one administrator and with four at once, and filtered pages of the key list at
//! 100 000 keys. Needs a PostgreSQL server to make throw-away databases on:
//! `SESAME_BENCH_PG` in libpq's key=value form (`scripts/pg`'s cluster does: see
//! `bench/engines.sh`). Prints medians, and PostgreSQL's figures as ratios of SQLite's.
// A benchmark's set-up that fails has nothing to measure; `expect` says what failed.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::time::{Duration, Instant};

mod support;
use sesame_core::key::{KeyFilter, KeyStatus, NewKey};
use sesame_core::secret::{ExposeSecret, secret_from};
use sesame_core::store::location::StoreLocation;
use sesame_core::store::pg::PgLocation;
use sesame_core::{Sesame, Session};
use support::seed::{ADMIN, PASSWORD, seed, store, store_in};

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values[values.len() / 2]
}

/// A new, empty database on the server, named for this run.
fn new_database(server: &str, name: &str) -> StoreLocation {
    let admin = PgLocation::parse(server).expect("SESAME_BENCH_PG");
    let mut client = admin.connect().expect("server");
    client
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .expect("drop");
    client
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .expect("create");
    StoreLocation::Postgres(Box::new(admin.with_database(name)))
}

fn new_key(name: &str) -> NewKey {
    NewKey {
        service: "Paie".into(),
        name: name.into(),
        permissions: vec!["factures:lecture".into()],
        ..NewKey::default()
    }
}

/// Median time of a cached verification, and of a key's creation (argon2id included).
fn single(sesame: &mut Sesame, admin: &Session) -> (Duration, Duration) {
    let issued = sesame.create_key(admin, &new_key("vérif")).expect("key");
    let bearer = issued.bearer();
    sesame
        .verify_bearer(bearer.expose_secret(), None, None)
        .expect("first");
    let mut verifications = Vec::new();
    for _ in 0..2000 {
        let started = Instant::now();
        let answer = sesame
            .verify_bearer(bearer.expose_secret(), Some("factures:lecture"), None)
            .expect("verify");
        verifications.push(started.elapsed());
        assert!(answer.key.is_some());
    }
    let mut creations = Vec::new();
    for n in 0..15 {
        let started = Instant::now();
        sesame
            .create_key(admin, &new_key(&format!("création {n}")))
            .expect("create");
        creations.push(started.elapsed());
    }
    (median(verifications), median(creations))
}

/// Keys per second made by four administrators at once, each in a connection of their own.
fn four_at_once(location: &StoreLocation) -> f64 {
    let started = Instant::now();
    std::thread::scope(|scope| {
        for worker in 0..4 {
            scope.spawn(move || {
                let mut sesame = Sesame::open_location(location).expect("open");
                let admin = sesame
                    .sign_in(ADMIN, &secret_from(PASSWORD.into()))
                    .expect("sign in");
                for n in 0..10 {
                    sesame
                        .create_key(&admin, &new_key(&format!("à quatre {worker}-{n}")))
                        .expect("create");
                }
            });
        }
    });
    40.0 / started.elapsed().as_secs_f64()
}

fn filters() -> Vec<(&'static str, KeyFilter)> {
    vec![
        ("no criteria", KeyFilter::default()),
        (
            "status active",
            KeyFilter {
                status: Some(KeyStatus::Active),
                ..KeyFilter::default()
            },
        ),
        (
            "service + status active",
            KeyFilter {
                service: Some("Paie".into()),
                status: Some(KeyStatus::Active),
                ..KeyFilter::default()
            },
        ),
        (
            "company",
            KeyFilter {
                company: Some("Dupont SARL".into()),
                ..KeyFilter::default()
            },
        ),
        (
            "name contains",
            KeyFilter {
                name_contains: "dupont".into(),
                ..KeyFilter::default()
            },
        ),
    ]
}

fn page_times(sesame: &Sesame, admin: &Session) -> Vec<(&'static str, Duration)> {
    filters()
        .into_iter()
        .map(|(name, filter)| {
            sesame.keys(admin, &filter).expect("warm");
            let times = (0..21)
                .map(|_| {
                    let started = Instant::now();
                    sesame.keys(admin, &filter).expect("page");
                    started.elapsed()
                })
                .collect();
            (name, median(times))
        })
        .collect()
}

fn main() {
    let Ok(server) = std::env::var("SESAME_BENCH_PG") else {
        eprintln!("SESAME_BENCH_PG is not set (see bench/engines.sh)");
        return;
    };
    let run = std::process::id();
    let folder = tempfile::tempdir().unwrap();

    let sqlite = StoreLocation::Sqlite(folder.path().join("bench.db"));
    let postgres = new_database(&server, &format!("sesame_bench_{run}"));
    let mut figures = Vec::new();
    for (engine, location) in [("SQLite", &sqlite), ("PostgreSQL", &postgres)] {
        let (mut sesame, admin) = store_in(Sesame::open_location(location).expect("open"));
        let (verify, create) = single(&mut sesame, &admin);
        drop(sesame);
        let four = four_at_once(location);
        figures.push((engine, verify, create, four));
    }
    println!("one store, warm verification and key creation (medians):");
    for (engine, verify, create, four) in &figures {
        println!(
            "  {engine:<10} verify (cached) {:>8.1} µs   create {:>6.1} ms   four administrators at once {:>5.1} keys/s",
            verify.as_secs_f64() * 1e6,
            create.as_secs_f64() * 1e3,
            four
        );
    }
    let (_, sv, sc, s4) = figures[0];
    let (_, pv, pc, p4) = figures[1];
    println!(
        "  PostgreSQL / SQLite: verify ×{:.1}, create ×{:.2}, four at once ×{:.2}",
        pv.as_secs_f64() / sv.as_secs_f64(),
        pc.as_secs_f64() / sc.as_secs_f64(),
        p4 / s4
    );

    // 100 000 keys: seeded into SQLite, copied whole into PostgreSQL.
    let big = folder.path().join("big.db");
    let (_, _) = store(&big);
    seed(&big, 100_000);
    let mut desktop = Sesame::open(&big).expect("open");
    let admin = desktop
        .sign_in(ADMIN, &secret_from(PASSWORD.into()))
        .expect("sign in");
    let firm = new_database(&server, &format!("sesame_bench_big_{run}"));
    let started = Instant::now();
    desktop.copy_store_to(&admin, &firm).expect("copy");
    println!(
        "100 000 keys copied from SQLite into PostgreSQL in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let sqlite_pages = page_times(&desktop, &admin);
    let mut on_postgres = Sesame::open_location(&firm).expect("open");
    let admin_pg = on_postgres
        .sign_in(ADMIN, &secret_from(PASSWORD.into()))
        .expect("sign in");
    if let StoreLocation::Postgres(location) = &firm {
        location
            .connect()
            .expect("connect")
            // A store in service is vacuumed by autovacuum: its visibility map lets the counts
            // read the indexes alone.
            .batch_execute("VACUUM ANALYZE")
            .expect("vacuum");
    }
    let postgres_pages = page_times(&on_postgres, &admin_pg);
    println!("a filtered page of 50 keys with its total, 100 000 keys (median of 21):");
    for ((name, s), (_, p)) in sqlite_pages.iter().zip(&postgres_pages) {
        println!(
            "  {name:<24} SQLite {:>7.2} ms   PostgreSQL {:>7.2} ms   ×{:.1}",
            s.as_secs_f64() * 1e3,
            p.as_secs_f64() * 1e3,
            p.as_secs_f64() / s.as_secs_f64()
        );
    }
}
