//! Criterion benchmarks of the core: issuing a key end to end, verifying a key (first check and
//! repeated checks), and one filtered page of the key list at 10 000 and 100 000 keys.
//!
//! Targets (issue 2): creation ≤ 60 ms, repeated verification ≤ 50 µs, a filtered page
//! ≤ 20 ms at 100 000 keys.
// A benchmark's set-up that fails has nothing to measure; `expect` says what failed.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::path::Path;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rusqlite::params;
use sesame_core::key::{KeyFilter, KeyStatus, NewKey};
use sesame_core::secret::{ExposeSecret, secret_from};
use sesame_core::service::ServiceDraft;
use sesame_core::{HashingCost, Sesame, Session};

fn store(path: &Path) -> (Sesame, Session) {
    let mut sesame = Sesame::open(path).expect("open");
    let admin = sesame
        .initialise("Bench Admin", &secret_from("mot de passe du banc".into()))
        .expect("init");
    for (name, prefix) in [("Paie", "paie"), ("GED", "ged"), ("Banque", "bq")] {
        let draft = ServiceDraft {
            name: name.into(),
            prefix: prefix.into(),
            permissions: vec!["factures:lecture".into(), "salaires:ecriture".into()],
            ..ServiceDraft::default()
        };
        sesame.create_service(&admin, &draft).expect("service");
    }
    for company in [
        "Dupont SARL",
        "Martin SA",
        "Bernard et fils",
        "Petit SAS",
        "Durand",
    ] {
        sesame.create_company(&admin, company).expect("company");
    }
    (sesame, admin)
}

/// Fills a store with `count` keys in one transaction, straight into the tables: the list's
/// speed does not depend on how the keys were hashed, and argon2id one by one would take
/// most of an hour for 100 000 keys.
fn seed(path: &Path, count: usize) {
    let connection = rusqlite::Connection::open(path).expect("open raw");
    let services: Vec<String> = {
        let mut statement = connection
            .prepare("SELECT id FROM services ORDER BY name")
            .unwrap();
        statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let companies: Vec<String> = {
        let mut statement = connection
            .prepare("SELECT id FROM companies ORDER BY name")
            .unwrap();
        statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let operator: String = connection
        .query_row("SELECT id FROM operators", [], |r| r.get(0))
        .unwrap();
    let hash = HashingCost::default().hash(b"bench").expect("hash");
    let words = [
        "paie",
        "banque",
        "ged",
        "export",
        "import",
        "comptable",
        "dupont",
        "mensuel",
    ];
    let start = 1_600_000_000_000_i64;
    let transaction = connection.unchecked_transaction().unwrap();
    {
        let mut insert = transaction
            .prepare(
                "INSERT INTO keys (id, service_id, name, name_key, identifier, secret_hash, status,
                     expires_at, created_at, created_by, last_used_at, use_count, revoked_at,
                     revoked_by, revoked_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )
            .unwrap();
        let mut permission = transaction
            .prepare(
                "INSERT INTO key_permissions (key_id, permission) VALUES (?1, 'factures:lecture')",
            )
            .unwrap();
        let mut company = transaction
            .prepare("INSERT INTO key_companies (key_id, company_id) VALUES (?1, ?2)")
            .unwrap();
        for index in 0..count {
            let id = format!("bench-{index:08}");
            let name = format!("Clé {} {index}", words[index % words.len()]);
            let status = match index % 20 {
                0 => "revoked",
                1 | 2 => "inactive",
                _ => "active",
            };
            let created = start + (index as i64) * 60_000;
            let expires = (index % 7 == 0).then_some(created + 86_400_000 * 400);
            let revoked = (status == "revoked").then_some(created + 1000);
            insert
                .execute(params![
                    id,
                    services[index % services.len()],
                    name,
                    name.to_lowercase(),
                    format!("bench_{index:016}"),
                    hash,
                    status,
                    expires,
                    created,
                    operator,
                    (index % 3 == 0).then_some(created + 5000),
                    index % 50,
                    revoked,
                    revoked.map(|_| operator.clone()),
                    revoked.map(|_| "banc d'essai"),
                ])
                .unwrap();
            permission.execute([&id]).unwrap();
            if index % 3 == 0 {
                company
                    .execute(params![id, companies[index % companies.len()]])
                    .unwrap();
            }
        }
    }
    transaction.commit().unwrap();
    connection.execute_batch("ANALYZE").unwrap();
}

fn creation_and_verification(criterion: &mut Criterion) {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("bench.db");
    let (mut sesame, admin) = store(&path);
    let mut group = criterion.benchmark_group("keys");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(8));
    let mut counter = 0_u64;
    group.bench_function("create (argon2id + one transaction)", |bench| {
        bench.iter(|| {
            counter += 1;
            let new_key = NewKey {
                service: "Paie".into(),
                name: format!("création {counter}"),
                permissions: vec!["factures:lecture".into()],
                companies: vec!["Dupont SARL".into()],
                ..NewKey::default()
            };
            black_box(sesame.create_key(&admin, &new_key).expect("create"))
        });
    });
    let issued = sesame
        .create_key(
            &admin,
            &NewKey {
                service: "GED".into(),
                name: "vérif".into(),
                ..NewKey::default()
            },
        )
        .expect("create");
    let bearer = issued.bearer();
    group.bench_function("verify, first check (argon2id)", |bench| {
        bench.iter_batched(
            || Sesame::open(&path).expect("reopen"),
            |mut fresh| {
                black_box(
                    fresh
                        .verify_bearer(bearer.expose_secret(), None, None)
                        .expect("verify"),
                )
            },
            BatchSize::PerIteration,
        );
    });
    group.finish();
    let mut group = criterion.benchmark_group("keys");
    group.sample_size(100);
    sesame
        .verify_bearer(bearer.expose_secret(), None, None)
        .expect("warm");
    group.bench_function("verify, repeated check (cached)", |bench| {
        bench.iter(|| {
            black_box(
                sesame
                    .verify_bearer(bearer.expose_secret(), Some("factures:lecture"), None)
                    .expect("verify"),
            )
        });
    });
    group.bench_function("verify, malformed", |bench| {
        bench.iter(|| {
            black_box(
                sesame
                    .verify_bearer("paie_x.ses_y", None, None)
                    .expect("verify"),
            )
        });
    });
    group.finish();
}

fn key_list(criterion: &mut Criterion) {
    for count in [10_000, 100_000] {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("list.db");
        let (_, admin) = store(&path);
        seed(&path, count);
        let sesame = Sesame::open(&path).expect("open");
        let mut group = criterion.benchmark_group(format!("key list, {count} keys"));
        group.sample_size(50);
        let filters = [
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
            (
                "status expired",
                KeyFilter {
                    status: Some(KeyStatus::Expired),
                    ..KeyFilter::default()
                },
            ),
            (
                "creator + revoked",
                KeyFilter {
                    creator: Some("Bench Admin".into()),
                    status: Some(KeyStatus::Revoked),
                    ..KeyFilter::default()
                },
            ),
            (
                "last page",
                KeyFilter {
                    offset: (count - 50) as u64,
                    ..KeyFilter::default()
                },
            ),
        ];
        for (label, filter) in filters {
            group.bench_function(label, |bench| {
                bench.iter(|| black_box(sesame.keys(&admin, &filter).expect("page")));
            });
        }
        group.finish();
    }
}

criterion_group!(benches, creation_and_verification, key_list);
criterion_main!(benches);
