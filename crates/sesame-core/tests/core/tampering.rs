//! The store's state is tamper-evident: rows edited, added or copied with plain SQL (as an
//! attacker holding the SQLite file, or a session on the PostgreSQL database, would) are refused where they decide, named by the store check,
//! and audited; a lost state key is an alarm that only an administrator's reseal clears.

use sesame_core::seal::SealedKind;
use sesame_core::secret::{ExposeSecret, secret_from};
use sesame_core::verify::VerifyCode;
use sesame_core::{KeyringNamespace, Rights, Sesame};

use crate::support::{ADMIN, Fixture, password};

/// Plain SQL on the store from another program: no Sésame triggers, no state key.
fn edit(fixture: &Fixture, sql: &str) {
    fixture.outside(sql);
}

fn tampered_events(fixture: &mut Fixture) -> Vec<String> {
    fixture
        .events_starting_with("store.tampered")
        .into_iter()
        .map(|event| event.details)
        .collect()
}

#[test]
fn a_revoked_key_set_back_to_active_is_refused_and_named() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let revoked = fixture.create("révoquée");
    fixture
        .sesame
        .revoke_key(&admin, "révoquée", "fuite")
        .expect("revoke");
    let kept = fixture.create("intacte");
    edit(
        &fixture,
        "UPDATE keys SET status = 'active', revoked_at = NULL, revoked_reason = NULL
         WHERE name = 'révoquée'",
    );
    for _ in 0..3 {
        let answer = fixture
            .sesame
            .verify_bearer(revoked.bearer().expose_secret(), None, None)
            .expect("verify");
        assert_eq!(answer.code, VerifyCode::Tampered);
    }
    // The others still work; one event for the three refusals.
    let answer = fixture
        .sesame
        .verify_bearer(kept.bearer().expose_secret(), None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Valid);
    let events = tampered_events(&mut fixture);
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].contains("révoquée") && events[0].contains("verification"));
    let report = fixture.sesame.check_store(&admin).expect("check");
    let named: Vec<_> = report
        .tampered
        .iter()
        .map(|row| (row.kind, row.name.as_str()))
        .collect();
    assert_eq!(named, vec![(SealedKind::Key, "révoquée")]);
}

#[test]
fn a_restriction_removed_or_a_permission_added_outside_is_refused() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let restricted = fixture.create("restreinte");
    fixture
        .sesame
        .edit_key(
            &admin,
            "restreinte",
            &sesame_core::key::KeyEdit {
                companies: Some(vec!["Dupont SARL".into()]),
                ..Default::default()
            },
        )
        .expect("restrict");
    let bearer = restricted.bearer();
    let check = |fixture: &mut Fixture, company: &str| {
        fixture
            .sesame
            .verify_bearer(bearer.expose_secret(), None, Some(company))
            .expect("verify")
            .code
    };
    assert_eq!(
        check(&mut fixture, "Martin SA"),
        VerifyCode::CompanyForbidden
    );
    // A new process (no cache) after the restriction is deleted in the file.
    edit(
        &fixture,
        "DELETE FROM key_companies WHERE key_id = (SELECT id FROM keys WHERE name = 'restreinte')",
    );
    let mut reopened = Fixture::reopen(&fixture);
    let answer = reopened
        .verify_bearer(bearer.expose_secret(), None, Some("Martin SA"))
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Tampered);
    drop(reopened);
    let other = fixture.create("autre");
    edit(
        &fixture,
        "INSERT INTO key_permissions (key_id, permission)
         SELECT id, 'salaires:ecriture' FROM keys WHERE name = 'autre'",
    );
    let mut reopened = Fixture::reopen(&fixture);
    let answer = reopened
        .verify_bearer(
            other.bearer().expose_secret(),
            Some("salaires:ecriture"),
            None,
        )
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Tampered);
}

#[test]
fn an_operator_added_or_given_rights_outside_is_refused() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let auditor_password = secret_from("le mot de passe de l'auditrice".to_owned());
    fixture
        .sesame
        .create_operator(
            &admin,
            "Alice Audit",
            &auditor_password,
            Rights {
                configuration: false,
                audit: true,
            },
        )
        .expect("auditor");
    // An extra operator with both rights, the administrator's password hash copied in.
    edit(
        &fixture,
        "INSERT INTO operators (id, name, name_key, password_hash, right_configuration,
                                right_audit, created_at)
         SELECT 'intrus', 'Intrus', 'intrus', password_hash, TRUE, TRUE, created_at
         FROM operators WHERE name = 'Camille Admin'",
    );
    let refused = fixture.sesame.sign_in("Intrus", &password()).err();
    assert_eq!(refused.as_ref().map(|e| e.code()), Some("state_tampered"));
    // The auditor promoted in the file: signed in before, refused at the next action.
    let auditor = fixture
        .sesame
        .sign_in("Alice Audit", &auditor_password)
        .expect("auditor signs in");
    edit(
        &fixture,
        "UPDATE operators SET right_configuration = TRUE WHERE name = 'Alice Audit'",
    );
    let refused = fixture
        .sesame
        .create_company(&auditor, "Société pirate")
        .err();
    assert_eq!(refused.map(|e| e.code()), Some("state_tampered"));
    let refused = fixture
        .sesame
        .sign_in("Alice Audit", &auditor_password)
        .err();
    assert_eq!(refused.map(|e| e.code()), Some("state_tampered"));
    // The administrator, untouched, still works, and the trail names both rows.
    fixture
        .sesame
        .sign_in(ADMIN, &password())
        .expect("the administrator is unaffected");
    let events = tampered_events(&mut fixture);
    assert!(events.iter().any(|e| e.contains("Intrus")), "{events:?}");
    assert!(
        events.iter().any(|e| e.contains("Alice Audit")),
        "{events:?}"
    );
    let report = fixture.sesame.check_store(&admin).expect("check");
    assert_eq!(report.tampered.len(), 2, "{:?}", report.tampered);
}

#[test]
fn a_setting_changed_outside_is_refused() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    fixture.sesame.set_token_hours(&admin, 8).expect("set");
    assert_eq!(fixture.sesame.settings().expect("settings").token_hours, 8);
    edit(
        &fixture,
        "UPDATE settings SET value = '720' WHERE name = 'token_hours'",
    );
    let refused = fixture.sesame.settings().err();
    assert_eq!(refused.map(|e| e.code()), Some("state_tampered"));
}

#[test]
fn rows_sesame_writes_stay_sealed_through_every_action() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let key = fixture.create("vie complète");
    fixture
        .sesame
        .deactivate_key(&admin, "vie complète")
        .expect("deactivate");
    fixture
        .sesame
        .reactivate_key(&admin, "vie complète")
        .expect("reactivate");
    let renewed = fixture
        .sesame
        .regenerate_key(&admin, "vie complète", sesame_core::key::Grace::OneHour)
        .expect("regenerate");
    for bearer in [key.bearer(), renewed.bearer()] {
        let answer = fixture
            .sesame
            .verify_bearer(bearer.expose_secret(), None, None)
            .expect("verify");
        assert_eq!(answer.code, VerifyCode::Valid);
    }
    fixture
        .sesame
        .set_lock_minutes(&admin, 10)
        .expect("setting");
    let report = fixture.sesame.check_store(&admin).expect("check");
    assert_eq!(report.tampered, vec![]);
    assert!(report.rows >= 5, "{}", report.rows);
}

#[test]
fn a_lost_state_key_is_an_alarm_until_an_administrator_reseals() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let key = fixture.create("avant la perte");
    let installation = fixture.sesame.installation_id().expect("id");
    let store = fixture.location.clone();
    let key_home = fixture.sesame.path().to_owned();
    let namespace = KeyringNamespace::for_this_build();
    let _ = sesame_core::os_keyring::delete(&namespace, &format!("state-key-{installation}"));
    let _ = std::fs::remove_file(sesame_core::seal::key_file_path(&key_home, &installation));
    // Dropping the open store to let the test reopen it.
    let placeholder = tempfile::tempdir().expect("folder");
    drop(std::mem::replace(
        &mut fixture.sesame,
        Sesame::open(&placeholder.path().join("autre.db")).expect("another store"),
    ));
    // Missing (the keyring answered) or unavailable (no keyring answers here, no file): refused.
    let refused = Sesame::open_location(&store).err().map(|e| e.code());
    assert!(
        matches!(refused, Some("state_key_missing" | "state_key_unavailable")),
        "{refused:?}"
    );
    // A wrong password, or an operator without the configuration right, cannot reseal.
    let wrong = secret_from("pas le bon mot de passe".to_owned());
    assert_eq!(
        Sesame::reseal_location(&store, &namespace, ADMIN, &wrong)
            .err()
            .map(|e| e.code()),
        Some("sign_in_failed")
    );
    let mut resealed =
        Sesame::reseal_location(&store, &namespace, ADMIN, &password()).expect("reseal");
    let answer = resealed
        .verify_bearer(key.bearer().expose_secret(), None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Valid);
    let session = resealed.sign_in(ADMIN, &password()).expect("sign in");
    let events = resealed.audit_events(&session, 0, 1000).expect("events");
    assert!(
        events
            .iter()
            .any(|e| e.action == "store.resealed" && e.operator_name.as_deref() == Some(ADMIN))
    );
    let _ = admin;
}

#[test]
fn a_hash_planted_outside_is_never_legitimised_by_a_rehash() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let key = fixture.create("cible");
    // The attacker's own secret, hashed weakly so that a good check would rehash it.
    let planted_secret = sesame_core::key_format::new_secret(&key.key.identifier).expect("secret");
    let weak = sesame_core::HashingCost {
        memory_kib: 8,
        passes: 1,
        lanes: 1,
    }
    .hash(planted_secret.expose_secret().as_bytes())
    .expect("hash");
    edit(
        &fixture,
        &format!("UPDATE keys SET secret_hash = '{weak}' WHERE name = 'cible'"),
    );
    let bearer = sesame_core::key_format::bearer(&key.key.identifier, &planted_secret);
    for _ in 0..2 {
        let answer = fixture
            .sesame
            .verify_bearer(bearer.expose_secret(), None, None)
            .expect("verify");
        assert_eq!(answer.code, VerifyCode::Tampered);
    }
    let report = fixture.sesame.check_store(&admin).expect("check");
    assert_eq!(
        report.tampered.len(),
        1,
        "still named: {:?}",
        report.tampered
    );
}
