//! Audit figures (issue 5): exporting and verifying 1 000 000 events (target ≤ 5 s each), and
//! reading one page of the trail at that size. Prints its figures; `cargo bench --bench audit`.
// A benchmark's set-up that fails has nothing to measure; `expect` says what failed.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::time::Instant;

mod support;
use chrono::{TimeZone, Utc};
use sesame_core::KeyringNamespace;
use sesame_core::audit_export::verify_export;
use sesame_core::journal::AuditFilter;
use support::seed::{seed_events, store};

const EVENTS: i64 = 1_000_000;

fn main() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("bench.db");
    let (mut sesame, admin) = store(&path);

    // A million events appended straight to the table, each hashed and chained as the core does.
    let started = Instant::now();
    seed_events(&path, &admin, EVENTS);
    // Appended outside Sésame, they are anchored by an administrator's explicit step.
    sesame.anchor_audit_trail(&admin).unwrap();
    println!(
        "seeded {EVENTS} events in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let key = sesame
        .installation_key(&KeyringNamespace::named("fr.sesame.admin.bench"))
        .unwrap();
    let export = folder.path().join("audit.jsonl");
    let started = Instant::now();
    let mut file = std::io::BufWriter::new(std::fs::File::create(&export).unwrap());
    let summary = sesame
        .export_audit(&admin, &key, None, None, &mut file)
        .unwrap();
    drop(file);
    let export_time = started.elapsed();
    let size = std::fs::metadata(&export).unwrap().len();
    println!(
        "export of {} events: {:.2} s ({:.0} MiB, target ≤ 5 s)",
        summary.count,
        export_time.as_secs_f64(),
        size as f64 / 1048576.0
    );

    let started = Instant::now();
    let report = verify_export(&export, Some(&key.fingerprint())).unwrap();
    let verify_time = started.elapsed();
    assert_eq!(report.problem, None);
    println!(
        "verify of {} events: {:.2} s (target ≤ 5 s)",
        report.events,
        verify_time.as_secs_f64()
    );

    // The audit screen's page: newest first, with and without filters, first and deep pages.
    let day = |d: u32| Utc.with_ymd_and_hms(2026, 3, d, 0, 0, 0).unwrap();
    let cases: Vec<(&str, AuditFilter)> = vec![
        (
            "no filter, first page",
            AuditFilter {
                limit: 50,
                ..AuditFilter::default()
            },
        ),
        (
            "no filter, deep page",
            AuditFilter {
                before_seq: Some(EVENTS / 2),
                limit: 50,
                ..AuditFilter::default()
            },
        ),
        (
            "action family key.",
            AuditFilter {
                action: Some("key.".into()),
                limit: 50,
                ..AuditFilter::default()
            },
        ),
        (
            "one week",
            AuditFilter {
                from: Some(day(1)),
                to: Some(day(8)),
                limit: 50,
                ..AuditFilter::default()
            },
        ),
        (
            "operator",
            AuditFilter {
                operator: Some("Bench Admin".into()),
                limit: 50,
                ..AuditFilter::default()
            },
        ),
        (
            "rare action (service.created)",
            AuditFilter {
                action: Some("service.created".into()),
                limit: 50,
                ..AuditFilter::default()
            },
        ),
        (
            "subject by name",
            AuditFilter {
                target: Some("clé 999999".into()),
                limit: 50,
                ..AuditFilter::default()
            },
        ),
    ];
    for (name, filter) in cases {
        let mut times: Vec<f64> = (0..5)
            .map(|_| {
                let started = Instant::now();
                let page = sesame.audit_page(&admin, &filter).unwrap();
                assert!(!page.is_empty(), "{name}");
                started.elapsed().as_secs_f64() * 1e3
            })
            .collect();
        times.sort_by(f64::total_cmp);
        println!(
            "audit screen page at {EVENTS} events, {name}: median {:.2} ms (target ≤ 20 ms)",
            times[2]
        );
    }
    let started = Instant::now();
    let status = sesame.audit_chain_status().unwrap();
    println!(
        "chain check, first time: {} events in {:.2} s",
        status.checked_to,
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    sesame.audit_chain_status().unwrap();
    println!(
        "chain check, next start (from the checkpoint): {:.2} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
}
