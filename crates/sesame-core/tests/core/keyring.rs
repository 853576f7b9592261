//! The installation's signing key against the real Secret Service (gnome-keyring in the test
//! run's private D-Bus session), and, in a second run with no D-Bus session at all, in its
//! owner-only file. `SESAME_TEST_KEYRING` says which run this is (`secret-service` or `none`);
//! without it, the presence of a D-Bus session decides. Entries go to a test namespace.

use std::process::Command;

use sesame_core::signing_key::key_file_path;
use sesame_core::{KeyringNamespace, SigningKeyHome, os_keyring};

use crate::support::Fixture;

const NAMESPACE: &str = "fr.sesame.admin.test";

fn expect_secret_service() -> bool {
    match std::env::var("SESAME_TEST_KEYRING").as_deref() {
        Ok("secret-service") => true,
        Ok("none") => false,
        _ => std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_some(),
    }
}

fn signing_key_events(fixture: &mut Fixture) -> Vec<String> {
    fixture
        .events_starting_with("signing_key.")
        .into_iter()
        .map(|e| e.action)
        .collect()
}

/// What `secret-tool` (libsecret, another client of the same Secret Service) finds.
fn secret_tool_lookup(entry: &str) -> Option<String> {
    let output = Command::new("secret-tool")
        .args(["lookup", "service", NAMESPACE, "username", entry])
        .output()
        .expect("run secret-tool");
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

#[test]
fn the_signing_key_lives_in_the_keyring_or_in_an_owner_only_file() {
    let mut fixture = Fixture::new();
    let namespace = KeyringNamespace::named(NAMESPACE);
    let key = fixture
        .sesame
        .installation_key(&namespace)
        .expect("signing key");
    let file = key_file_path(fixture.sesame.path());
    let entry = format!(
        "signing-key-{}",
        fixture.sesame.installation_id().expect("id")
    );
    if expect_secret_service() {
        match key.home() {
            SigningKeyHome::Keyring { service, entry: e } => {
                assert_eq!(service, NAMESPACE);
                assert_eq!(e, &entry);
            }
            other => panic!("the Secret Service was expected to answer: {other:?}"),
        }
        let stored = secret_tool_lookup(&entry).expect("secret-tool finds the entry");
        assert_eq!(stored.len(), 64, "an Ed25519 seed in hexadecimal");
        assert!(!file.exists(), "no key file when the keyring answers");
    } else {
        match key.home() {
            SigningKeyHome::File {
                path,
                keyring_problem,
            } => {
                assert_eq!(path, &file);
                assert!(!keyring_problem.is_empty());
            }
            other => panic!("no keyring should answer in this run: {other:?}"),
        }
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file)
            .expect("key file")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "readable by the user only");
    }

    // Loaded again: the same key, and nothing new in the trail.
    let again = fixture.sesame.installation_key(&namespace).expect("again");
    assert_eq!(again.fingerprint(), key.fingerprint());
    assert_eq!(signing_key_events(&mut fixture), ["signing_key.created"]);

    // A signature checks with the public key.
    let signature = ed25519_dalek::Signature::from_bytes(&key.sign(b"manifeste"));
    again
        .verifying_key()
        .verify_strict(b"manifeste", &signature)
        .expect("signature verifies");

    // The entry disappears (someone cleared the keyring, the file was deleted): an alarm, no
    // new key made behind anyone's back; an administrator asks for one, and the trail says so.
    if expect_secret_service() {
        os_keyring::delete(&namespace, &entry).expect("delete");
        os_keyring::delete(&namespace, &entry).expect("deleting twice is fine");
        assert_eq!(secret_tool_lookup(&entry), None);
    } else {
        std::fs::remove_file(&file).expect("remove key file");
    }
    let missing = fixture.sesame.installation_key(&namespace).err();
    if expect_secret_service() {
        assert_eq!(
            missing.as_ref().map(|e| e.code()),
            Some("signing_key_missing")
        );
        assert!(
            missing
                .map(|e| e.message(sesame_core::Lang::Fr))
                .is_some_and(|m| m.contains("--recreate") && m.contains(&key.fingerprint()))
        );
    } else {
        // No keyring answers: the key may be in a session's keyring this run cannot reach.
        assert_eq!(missing.map(|e| e.code()), Some("signing_key_unavailable"));
    }
    assert_eq!(signing_key_events(&mut fixture), ["signing_key.created"]);
    let admin = fixture.admin.clone();
    let recreated = fixture
        .sesame
        .recreate_signing_key(&admin, &namespace)
        .expect("recreated");
    assert_ne!(recreated.fingerprint(), key.fingerprint());
    assert_eq!(
        signing_key_events(&mut fixture),
        ["signing_key.created", "signing_key.recreated"]
    );
    if expect_secret_service() {
        os_keyring::delete(&namespace, &entry).expect("clean up");
    }
}

#[test]
fn a_key_file_left_from_a_keyring_outage_moves_into_the_keyring() {
    if !expect_secret_service() {
        // This run has no keyring to move into; the other run covers it.
        return;
    }
    let mut fixture = Fixture::new();
    let namespace = KeyringNamespace::named(NAMESPACE);
    let seed = "11".repeat(32);
    let file = key_file_path(fixture.sesame.path());
    std::fs::write(&file, &seed).expect("key file");
    let key = fixture.sesame.installation_key(&namespace).expect("key");
    assert!(matches!(key.home(), SigningKeyHome::Keyring { .. }));
    assert!(
        !file.exists(),
        "the file is gone once the keyring holds the key"
    );
    let entry = format!(
        "signing-key-{}",
        fixture.sesame.installation_id().expect("id")
    );
    assert_eq!(secret_tool_lookup(&entry).as_deref(), Some(seed.as_str()));
    assert_eq!(
        signing_key_events(&mut fixture),
        ["signing_key.moved_to_keyring"]
    );
    os_keyring::delete(&namespace, &entry).expect("clean up");
}
