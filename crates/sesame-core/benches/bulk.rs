//! A bulk action at scale (issue 15): in a store of 100 000 keys, every key of one service
//! (about 33 000, of which some 31 700 are not revoked) gets a tag, then is deactivated —
//! previewed, then applied in one transaction with one audit event per key and a summary.
//! Prints the median of three runs, each on a fresh store.
// A benchmark's set-up that fails has nothing to measure; `expect` says what failed.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::time::Instant;

mod support;
use sesame_core::Sesame;
use sesame_core::bulk::{BulkChange, KeySelection};
use sesame_core::key::KeyFilter;
use support::seed::{seed, store};

const KEYS: usize = 100_000;
const RUNS: usize = 3;

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn main() {
    let selection = KeySelection::Criteria(KeyFilter {
        service: Some("Paie".into()),
        ..KeyFilter::default()
    });
    let mut figures: Vec<(&str, Vec<f64>)> = vec![
        ("preview (tag)", vec![]),
        ("apply (tag)", vec![]),
        ("preview (deactivate)", vec![]),
        ("apply (deactivate)", vec![]),
    ];
    let mut changed = (0, 0);
    for _ in 0..RUNS {
        let folder = tempfile::tempdir().unwrap();
        let path = folder.path().join("bulk.db");
        let (_, admin) = store(&path);
        seed(&path, KEYS);
        let mut sesame = Sesame::open(&path).expect("open");
        for (step, change) in [
            BulkChange::AddTag("revue-2026".into()),
            BulkChange::Deactivate,
        ]
        .into_iter()
        .enumerate()
        {
            let started = Instant::now();
            let plan = sesame
                .preview_bulk(&admin, &selection, &change)
                .expect("preview");
            figures[2 * step].1.push(started.elapsed().as_secs_f64());
            let started = Instant::now();
            let done = sesame
                .apply_bulk(&admin, &selection, &change, &plan.previewed())
                .expect("apply");
            figures[2 * step + 1]
                .1
                .push(started.elapsed().as_secs_f64());
            if step == 0 {
                changed.0 = done.changing;
            } else {
                changed.1 = done.changing;
            }
        }
        assert!(
            sesame
                .check_audit_chain()
                .expect("chain")
                .first_broken
                .is_none()
        );
    }
    println!(
        "bulk action on the keys of one service, {KEYS} keys in the store: {} tagged, {} deactivated",
        changed.0, changed.1
    );
    for (name, values) in &mut figures {
        println!("  {name:<22} median of {RUNS}: {:>7.2} s", median(values));
    }
}
