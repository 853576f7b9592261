//! Criterion benchmarks of the core: issuing a key end to end, verifying a key (first check and
//! repeated checks), and one filtered page of the key list at 10 000 and 100 000 keys.
//!
//! Targets (issue 2): creation ≤ 60 ms, repeated verification ≤ 50 µs, a filtered page
//! ≤ 20 ms at 100 000 keys.
// A benchmark's set-up that fails has nothing to measure; `expect` says what failed.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};

mod support;
use sesame_core::Sesame;
use sesame_core::key::{KeyFilter, KeyStatus, NewKey};
use sesame_core::secret::ExposeSecret;
use support::seed::{seed, store};

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
    // A change of state without argon2id: each proves the key's row, writes it and its event,
    // and seals it again, in one transaction.
    group.bench_function("deactivate + reactivate (two transactions)", |bench| {
        bench.iter(|| {
            sesame.deactivate_key(&admin, "vérif").expect("deactivate");
            black_box(sesame.reactivate_key(&admin, "vérif").expect("reactivate"))
        });
    });
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
                "creator",
                KeyFilter {
                    creator: Some("Bench Admin".into()),
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
