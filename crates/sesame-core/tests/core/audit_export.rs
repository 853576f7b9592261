//! Signed audit exports: every kind of tampering is caught and the first damaged event named,
//! including random ones (proptest); a manifest re-signed with another key is caught by its
//! signature or by the fingerprint the auditor expects.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use sesame_core::audit_export::{ExportProblem, verify_export};
use sesame_core::{InstallationKey, KeyringNamespace};

use crate::support::Fixture;

/// A store with some history (about 20 events), exported signed with a key from a file.
fn exported() -> (Fixture, InstallationKey, PathBuf) {
    let mut fixture = Fixture::new();
    for name in ["a", "b", "c", "d"] {
        let key = fixture.create(name);
        fixture
            .sesame
            .deactivate_key(&fixture.admin.clone(), &key.key.id)
            .expect("deactivate");
    }
    // The tests' namespace: the throw-away keyring of the test run, or a file beside the
    // temporary store when no keyring answers.
    let key = fixture
        .sesame
        .installation_key(&KeyringNamespace::named("fr.sesame.admin.test"))
        .expect("key");
    let path = fixture.folder.path().join("export.jsonl");
    let mut file = std::fs::File::create(&path).expect("file");
    let admin = fixture.admin.clone();
    fixture
        .sesame
        .export_audit(&admin, &key, None, None, &mut file)
        .expect("export");
    (fixture, key, path)
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("read")
        .lines()
        .map(str::to_owned)
        .collect()
}

fn write_lines(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").expect("write");
}

fn problem(path: &Path) -> Option<ExportProblem> {
    verify_export(path, None).expect("read").problem
}

#[test]
fn an_intact_export_verifies_with_its_counts() {
    let (_fixture, key, path) = exported();
    let report = verify_export(&path, Some(&key.fingerprint())).expect("read");
    assert_eq!(report.problem, None);
    let manifest = report.manifest.expect("manifest");
    assert_eq!(report.events, manifest.count);
    assert!(manifest.count >= 10);
    assert_eq!(manifest.first_seq, Some(1));
    assert_eq!(manifest.fingerprint, key.fingerprint());
}

#[test]
fn every_kind_of_tampering_names_the_first_damaged_event() {
    let (_fixture, _key, path) = exported();
    let original = lines(&path);
    let events = original.len() - 1;
    let tampered = path.with_extension("tampered");
    let check = |lines: Vec<String>| {
        write_lines(&tampered, &lines);
        problem(&tampered)
    };

    // A field changed.
    let mut changed = original.clone();
    changed[4] = changed[4].replace("\"key.", "\"clé.");
    assert_eq!(
        check(changed),
        Some(ExportProblem::Changed { line: 5, seq: 5 })
    );

    // An event removed.
    let mut removed = original.clone();
    removed.remove(6);
    assert_eq!(
        check(removed),
        Some(ExportProblem::Removed {
            line: 7,
            seq: 8,
            expected: 7
        })
    );

    // An event inserted (a copy of another, so its own hash is right).
    let mut inserted = original.clone();
    inserted.insert(3, original[2].clone());
    assert_eq!(
        check(inserted),
        Some(ExportProblem::Inserted { line: 4, seq: 3 })
    );

    // Two events swapped.
    let mut reordered = original.clone();
    reordered.swap(7, 8);
    assert_eq!(
        check(reordered),
        Some(ExportProblem::Reordered { line: 8, seq: 9 })
    );

    // The last events cut off, the manifest kept.
    let mut truncated = original.clone();
    truncated.drain(events - 2..events);
    assert_eq!(
        check(truncated),
        Some(ExportProblem::Truncated {
            after_seq: Some(events as i64 - 2)
        })
    );

    // The file cut in the middle of a line: the manifest is gone.
    let bytes = std::fs::read(&path).expect("read");
    std::fs::write(&tampered, &bytes[..bytes.len() / 2]).expect("write");
    assert!(matches!(
        problem(&tampered),
        Some(ExportProblem::NotAnExport { .. } | ExportProblem::NoManifest)
    ));

    // Empty and binary files.
    std::fs::write(&tampered, b"").expect("write");
    assert_eq!(problem(&tampered), Some(ExportProblem::Empty));
    std::fs::write(&tampered, [0_u8, 159, 146, 150, 255, 10, 1, 2]).expect("write");
    assert!(matches!(
        problem(&tampered),
        Some(ExportProblem::NotAnExport { .. })
    ));

    // The manifest edited (a count lowered to hide the cut).
    let mut manifest = original.clone();
    let last = manifest.len() - 1;
    manifest[last] = manifest[last].replace(
        &format!("\"count\":{events}"),
        &format!("\"count\":{}", events - 1),
    );
    assert_eq!(check(manifest), Some(ExportProblem::BadSignature));
}

#[test]
fn a_manifest_re_signed_with_another_key_is_refused() {
    let (fixture, key, path) = exported();
    // Another installation signs the same events: its signature checks with its own public key,
    // so only the fingerprint the auditor confirmed out of band tells them apart.
    let mut other_store = Fixture::new();
    let other_key = other_store
        .sesame
        .installation_key(&KeyringNamespace::named("fr.sesame.admin.test"))
        .expect("other key");
    assert_ne!(other_key.fingerprint(), key.fingerprint());
    let re_signed = fixture.folder.path().join("re-signed.jsonl");
    let mut file = std::fs::File::create(&re_signed).expect("file");
    let admin = other_store.admin.clone();
    other_store
        .sesame
        .export_audit(&admin, &other_key, None, None, &mut file)
        .expect("export");
    let report = verify_export(&re_signed, Some(&key.fingerprint())).expect("read");
    assert_eq!(
        report.problem,
        Some(ExportProblem::OtherKey {
            fingerprint: other_key.fingerprint()
        })
    );
    // The signature swapped onto our manifest does not check.
    let ours = lines(&path);
    let theirs = lines(&re_signed);
    let their_signature = theirs
        .last()
        .expect("manifest")
        .rsplit("\"signature\":")
        .next()
        .expect("signature");
    let mut swapped = ours.clone();
    let last = swapped.len() - 1;
    let head = swapped[last]
        .rsplit_once("\"signature\":")
        .expect("signature")
        .0
        .to_owned();
    swapped[last] = format!("{head}\"signature\":{their_signature}");
    write_lines(&re_signed, &swapped);
    assert_eq!(problem(&re_signed), Some(ExportProblem::BadSignature));
}

#[derive(Debug, Clone)]
enum Tamper {
    /// Changes one character inside an event line.
    Flip {
        line: usize,
        at: usize,
    },
    Delete {
        line: usize,
    },
    Duplicate {
        line: usize,
    },
    Swap {
        line: usize,
    },
    CutBytes {
        keep: usize,
    },
}

fn tamper() -> impl Strategy<Value = Tamper> {
    prop_oneof![
        (0..100_usize, 0..1000_usize).prop_map(|(line, at)| Tamper::Flip { line, at }),
        (0..100_usize).prop_map(|line| Tamper::Delete { line }),
        (0..100_usize).prop_map(|line| Tamper::Duplicate { line }),
        (0..100_usize).prop_map(|line| Tamper::Swap { line }),
        (0..100_000_usize).prop_map(|keep| Tamper::CutBytes { keep }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_tampering_is_caught(tampering in tamper()) {
        let (_fixture, _key, path) = exported();
        let original = lines(&path);
        let events = original.len() - 1;
        let mut changed = original.clone();
        match tampering {
            Tamper::Flip { line, at } => {
                let line = line % events;
                let mut chars: Vec<char> = changed[line].chars().collect();
                let at = at % chars.len();
                chars[at] = if chars[at] == 'x' { 'y' } else { 'x' };
                changed[line] = chars.into_iter().collect();
            }
            Tamper::Delete { line } => { changed.remove(line % events); }
            Tamper::Duplicate { line } => {
                let line = line % events;
                changed.insert(line, original[line].clone());
            }
            Tamper::Swap { line } => {
                let line = line % (events - 1);
                changed.swap(line, line + 1);
            }
            Tamper::CutBytes { keep } => {
                let text = original.join("\n") + "\n";
                let keep = keep % text.len();
                let cut: String = text.chars().take(keep).collect();
                changed = cut.lines().map(str::to_owned).collect();
            }
        }
        prop_assume!(changed != original);
        let tampered = path.with_extension("tampered");
        write_lines(&tampered, &changed);
        prop_assert!(problem(&tampered).is_some(), "{:?} went unnoticed", tampering);
    }
}
