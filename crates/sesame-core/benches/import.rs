//! Import times: 10 000 keys with plaintext secrets (one argon2id each, spread over every core)
//! against 10 000 with argon2id hashes, then 100 000 with hashes. Prints figures; one run each,
//! since a single plaintext run already takes minutes. Then the key list asked again and again
//! while a 10 000-line import (1 000 secrets to hash, 9 000 hashes) runs, on a pool of one
//! handle (the whole store behind one lock, as the app was) and of the app's three.
//!
//! `cargo bench -p sesame-core --bench import [-- listing]`

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use sesame_core::Sesame;
use sesame_core::password::HashingCost;
use sesame_core::secret::secret_from;
use sesame_core::service::ServiceDraft;

fn store() -> (tempfile::TempDir, Sesame, sesame_core::Session) {
    let folder = tempfile::tempdir().expect("folder");
    let mut sesame = Sesame::open(&folder.path().join("sesame.db")).expect("open");
    let admin = sesame
        .initialise("Bench Admin", &secret_from("un mot de passe solide".into()))
        .expect("initialise");
    let draft = ServiceDraft {
        name: "Paie".into(),
        prefix: "paie".into(),
        permissions: vec!["factures:lecture".into()],
        ..ServiceDraft::default()
    };
    sesame.create_service(&admin, &draft).expect("service");
    (folder, sesame, admin)
}

/// The key list's times (seconds, sorted) while an import of `bytes` runs on a pool of
/// `handles`, and how long the import took.
fn listing_during_import(handles: usize, bytes: &[u8]) -> (Vec<f64>, f64) {
    use sesame_core::key::KeyFilter;
    use sesame_core::pool::Pool;
    let (_folder, mut sesame, admin) = store();
    // The list has a page to show: 10 000 keys already there.
    let earlier = String::from_utf8(file(10_000, true))
        .expect("text")
        .replace("paie_old", "paie_earlier")
        .replace("Clé ", "Ancienne ");
    sesame
        .import_keys(&admin, earlier.as_bytes(), &|_| {}, &AtomicBool::new(false))
        .expect("earlier keys");
    let pool = Pool::new(sesame, handles).expect("pool");
    let done = AtomicBool::new(false);
    let mut times = Vec::new();
    let mut imported = 0.0;
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let started = Instant::now();
            let outcome = pool
                .get()
                .expect("handle")
                .import_keys(&admin, bytes, &|_| {}, &AtomicBool::new(false))
                .expect("import");
            imported = started.elapsed().as_secs_f64();
            assert_eq!(outcome.imported, 10_000);
            done.store(true, std::sync::atomic::Ordering::Relaxed);
        });
        // The import has its handle before the first list is asked.
        while pool.busy() == 0 {
            std::thread::yield_now();
        }
        let filter = KeyFilter::default();
        while !done.load(std::sync::atomic::Ordering::Relaxed) {
            let started = Instant::now();
            pool.get()
                .expect("handle")
                .keys(&admin, &filter)
                .expect("keys");
            times.push(started.elapsed().as_secs_f64());
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    times.sort_by(f64::total_cmp);
    (times, imported)
}

fn listing() {
    let hash = HashingCost::default()
        .hash(b"un secret importe")
        .expect("hash");
    let mut text = String::from("service;nom;identifiant;secret;empreinte;permissions\n");
    for index in 0..10_000 {
        match index % 10 {
            0 => text.push_str(&format!(
                "Paie;Clé {index};paie_old{index};ancien-secret-{index:08};;factures:lecture\n"
            )),
            _ => text.push_str(&format!(
                "Paie;Clé {index};paie_old{index};;{hash};factures:lecture\n"
            )),
        }
    }
    for handles in [1, 3] {
        let (times, imported) = listing_during_import(handles, text.as_bytes());
        let at = |share: f64| times[((times.len() - 1) as f64 * share) as usize] * 1000.0;
        println!(
            "key list (first page of 10 000 keys) during a 10 000-line import, {handles} \
             handle(s): {} lists, median {:.1} ms, p99 {:.1} ms, max {:.1} ms (import {imported:.1} s)",
            times.len(),
            at(0.5),
            at(0.99),
            at(1.0),
        );
    }
}

fn file(rows: usize, with_hash: bool) -> Vec<u8> {
    let hash = HashingCost::default()
        .hash(b"un secret importe")
        .expect("hash");
    let mut text = String::from("service;nom;identifiant;secret;empreinte;permissions\n");
    for index in 0..rows {
        if with_hash {
            text.push_str(&format!(
                "Paie;Clé {index};paie_old{index};;{hash};factures:lecture\n"
            ));
        } else {
            text.push_str(&format!(
                "Paie;Clé {index};paie_old{index};ancien-secret-{index:08};;factures:lecture\n"
            ));
        }
    }
    text.into_bytes()
}

fn measure(label: &str, rows: usize, with_hash: bool) {
    let (_folder, mut sesame, admin) = store();
    let bytes = file(rows, with_hash);
    let started = Instant::now();
    let preview = sesame.preview_import(&admin, &bytes).expect("preview");
    let previewed = started.elapsed();
    assert!(preview.is_importable());
    let started = Instant::now();
    let outcome = sesame
        .import_keys(&admin, &bytes, &|_| {}, &AtomicBool::new(false))
        .expect("import");
    let imported = started.elapsed();
    assert_eq!(outcome.imported, rows);
    println!(
        "{label:<40} preview {:>8.2} s   import {:>8.2} s   {:>9.0} keys/s",
        previewed.as_secs_f64(),
        imported.as_secs_f64(),
        rows as f64 / imported.as_secs_f64()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument picks one case.
    let filter = std::env::args().skip(1).find(|a| !a.starts_with("--"));
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("import benchmark, {cores} core(s), argon2id m=19456 KiB t=2 p=1");
    let cases: [(&str, usize, bool); 3] = [
        ("10 000 keys, argon2id hashes", 10_000, true),
        ("100 000 keys, argon2id hashes", 100_000, true),
        ("10 000 keys, plaintext secrets", 10_000, false),
    ];
    for (label, rows, with_hash) in cases {
        if filter.as_deref().is_none_or(|f| label.contains(f)) {
            measure(label, rows, with_hash);
        }
    }
    if filter.as_deref().is_none_or(|f| f == "listing") {
        listing();
    }
}
