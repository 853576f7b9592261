//! `store check` at scale (issue 21): every sealed row of a store of 100 000 keys checked against
//! its seal, and a trail of 1 000 000 events walked and held to its sealed head. Prints the time
//! and the memory it took (the process's peak resident size, reset before the check).
//! `cargo bench -p sesame-core --features bench-seeding --bench store_check`.
// A benchmark's set-up that fails has nothing to measure; `expect` says what failed.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::time::Instant;

mod support;
use sesame_core::Sesame;
use support::seed::{seed, seed_events, store};

const KEYS: usize = 100_000;
const EVENTS: i64 = 1_000_000;

/// The process's peak resident size so far, in MiB (Linux's VmHWM).
fn peak_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|kib| kib.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kib| kib / 1024.0)
}

fn main() {
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("check.db");
    let (sesame, admin) = store(&path);
    drop(sesame);
    seed(&path, KEYS);
    seed_events(&path, &admin, EVENTS);
    let mut sesame = Sesame::open(&path).expect("open");
    sesame.anchor_audit_trail(&admin).expect("anchor");
    // Start the peak afresh: what follows is the check's own.
    let _ = std::fs::write("/proc/self/clear_refs", "5");
    let before = peak_mib();
    let started = Instant::now();
    let report = sesame.check_store(&admin).expect("check");
    let elapsed = started.elapsed();
    assert!(report.tampered.is_empty(), "{:?}", report.tampered.first());
    assert_eq!(report.chain_first_broken, None);
    println!(
        "store check: {} rows against their seals and {} events in {:.2} s, peak resident {:.0} MiB (before the check {:.0} MiB)",
        report.rows,
        report.chain_events,
        elapsed.as_secs_f64(),
        peak_mib(),
        before
    );
}
