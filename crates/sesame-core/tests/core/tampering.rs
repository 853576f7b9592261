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

/// The rows `store check` names, by kind and name, in the order it found them.
fn named_by_check(sesame: &mut Sesame, admin: &sesame_core::Session) -> Vec<(SealedKind, String)> {
    let report = sesame.check_store(admin).expect("check");
    report
        .tampered
        .into_iter()
        .map(|row| (row.kind, row.name))
        .collect()
}

/// A key of « Paie » restricted to « Dupont SARL ».
fn restricted_to_dupont(fixture: &mut Fixture) -> sesame_core::key::IssuedKey {
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
    restricted
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
    // Two handles of one pool (siblings) report it once between them.
    let mut sibling = fixture.sesame.sibling().expect("sibling");
    for round in 0..3 {
        let sesame = match round {
            1 => &mut sibling,
            _ => &mut fixture.sesame,
        };
        let answer = sesame
            .verify_bearer(revoked.bearer().expose_secret(), None, None)
            .expect("verify");
        assert_eq!(answer.code, VerifyCode::Tampered);
    }
    drop(sibling);
    // The others still work; one event for the three refusals.
    let answer = fixture
        .sesame
        .verify_bearer(kept.bearer().expose_secret(), None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Valid);
    let events = tampered_events(&mut fixture);
    assert_eq!(events.len(), 1, "{events:?}");
    assert!(events[0].contains("révoquée") && events[0].contains("verification"));
    // The journal words the event's codes (issue 23): what kind of row, found during what.
    let event = fixture
        .events_starting_with("store.tampered")
        .pop()
        .expect("the event");
    let fields = sesame_core::journal::word_event(&event, sesame_core::Lang::Fr).fields;
    let shown = |label: &str| {
        fields
            .iter()
            .find(|(name, _)| name == label)
            .map(|(_, value)| value.clone())
    };
    assert_eq!(shown("Nature").as_deref(), Some("Clé"), "{fields:?}");
    assert_eq!(
        shown("Pendant").as_deref(),
        Some("La vérification d'une clé"),
        "{fields:?}"
    );
    let named = named_by_check(&mut fixture.sesame, &admin);
    assert_eq!(named, vec![(SealedKind::Key, "révoquée".to_owned())]);
}

#[test]
fn a_restriction_removed_or_a_permission_added_outside_is_refused() {
    let mut fixture = Fixture::new();
    let restricted = restricted_to_dupont(&mut fixture);
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

/// Removes this installation's state key (keyring entry and file), as a reset keyring or a new
/// machine would, and closes the fixture's store.
fn lose_state_key(fixture: &mut Fixture) {
    let installation = fixture.sesame.installation_id().expect("id");
    let key_home = fixture.sesame.path().to_owned();
    let namespace = KeyringNamespace::for_this_build();
    let _ = sesame_core::os_keyring::delete(&namespace, &format!("state-key-{installation}"));
    let _ = std::fs::remove_file(sesame_core::seal::key_file_path(&key_home, &installation));
    // Closed, so the test opens it again.
    fixture.close_store();
}

#[test]
fn a_lost_state_key_is_an_alarm_until_an_administrator_recovers_it_with_the_code() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let key = fixture.create("avant la perte");
    let revoked = fixture.create("révoquée");
    fixture
        .sesame
        .revoke_key(&admin, "révoquée", "fuite")
        .expect("revoke");
    let code = fixture
        .sesame
        .create_recovery_code(&admin)
        .expect("recovery code");
    let store = fixture.location.clone();
    let namespace = KeyringNamespace::for_this_build();
    let installation = fixture.sesame.installation_id().expect("id");
    let key_home = fixture.sesame.path().to_owned();
    // While the key is there, nothing is resealed, whatever the password or the code.
    assert_eq!(
        Sesame::reseal_location(&store, &namespace, ADMIN, &password(), &code)
            .err()
            .map(|e| e.code()),
        Some("state_key_present")
    );
    fixture.outside("UPDATE keys SET status = 'active' WHERE name = 'révoquée'");
    lose_state_key(&mut fixture);
    // Missing (the keyring answered) or unavailable (no keyring answers here, no file): refused.
    let refused = Sesame::open_location(&store).err().map(|e| e.code());
    assert!(
        matches!(refused, Some("state_key_missing" | "state_key_unavailable")),
        "{refused:?}"
    );
    // A wrong password, or a wrong code, cannot bring the key back.
    let wrong = secret_from("pas le bon mot de passe".to_owned());
    assert_eq!(
        Sesame::reseal_location(&store, &namespace, ADMIN, &wrong, &code)
            .err()
            .map(|e| e.code()),
        Some("sign_in_failed")
    );
    let guessed = secret_from("ABCDE-FGHJK-MNPQR-STVWX-YZ012".to_owned());
    assert_eq!(
        Sesame::reseal_location(&store, &namespace, ADMIN, &password(), &guessed)
            .err()
            .map(|e| e.code()),
        Some("recovery_code_wrong")
    );
    // Tries are throttled like sign-in: the next ones wait, even with the right code.
    let mut throttled = None;
    for _ in 0..8 {
        match Sesame::reseal_location(&store, &namespace, ADMIN, &password(), &guessed) {
            Err(error) if error.code() == "sign_in_throttled" => {
                throttled = Some(error);
                break;
            }
            Err(error) => assert_eq!(error.code(), "recovery_code_wrong"),
            Ok(_) => panic!("a wrong code was accepted"),
        }
    }
    assert!(
        throttled.is_some(),
        "no throttle after repeated wrong codes"
    );
    let still_waiting = Sesame::reseal_location(&store, &namespace, ADMIN, &password(), &code)
        .err()
        .map(|e| e.code());
    assert_eq!(still_waiting, Some("sign_in_throttled"));
    // Once the wait is over (the file that counts the tries removed, as time would), the right
    // code brings the installation's own key back: nothing is resealed, so the key revoked
    // and set back to active in the store stays refused.
    std::fs::remove_file(sesame_core::recovery::tries_file(&key_home, &installation))
        .expect("the tries were counted beside the key");
    let mut recovered =
        Sesame::reseal_location(&store, &namespace, ADMIN, &password(), &code).expect("recovered");
    let answer = recovered
        .verify_bearer(key.bearer().expose_secret(), None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Valid);
    let answer = recovered
        .verify_bearer(revoked.bearer().expose_secret(), None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Tampered);
}

/// The takeover of issue 21: an operator row with both rights slipped into the store and the
/// state key made to look lost. Without the recovery code nothing comes back; with it, the
/// slipped row is still refused, and the key that comes back is the installation's own.
#[test]
fn a_store_cannot_be_taken_over_by_making_its_key_look_lost() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let key = fixture.create("en service");
    let code = fixture
        .sesame
        .create_recovery_code(&admin)
        .expect("recovery code");
    let store = fixture.location.clone();
    let namespace = KeyringNamespace::for_this_build();
    fixture.outside(
        "INSERT INTO operators (id, name, name_key, password_hash, right_configuration,
                                right_audit, created_at)
         SELECT 'intrus', 'Intrus', 'intrus', password_hash, TRUE, TRUE, created_at
         FROM operators WHERE name = 'Camille Admin'",
    );
    lose_state_key(&mut fixture);
    let guessed = secret_from("ABCDE-FGHJK-MNPQR-STVWX-YZ012".to_owned());
    assert_eq!(
        Sesame::reseal_location(&store, &namespace, "Intrus", &password(), &guessed)
            .err()
            .map(|e| e.code()),
        Some("recovery_code_wrong")
    );
    // Even holding the code, the slipped row is not an administrator Sésame made.
    let refused = Sesame::reseal_location(&store, &namespace, "Intrus", &password(), &code)
        .err()
        .map(|e| e.code());
    assert_eq!(refused, Some("state_tampered"));
    // The real administrator brings the installation's own key back: nothing is resealed.
    let mut recovered =
        Sesame::reseal_location(&store, &namespace, ADMIN, &password(), &code).expect("recovered");
    let answer = recovered
        .verify_bearer(key.bearer().expose_secret(), None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Valid);
    let refused = recovered
        .sign_in("Intrus", &password())
        .err()
        .map(|e| e.code());
    assert_eq!(refused, Some("state_tampered"));
    let session = recovered.sign_in(ADMIN, &password()).expect("sign in");
    let report = recovered.check_store(&session).expect("check");
    assert_eq!(
        report
            .tampered
            .iter()
            .map(|row| row.name.as_str())
            .collect::<Vec<_>>(),
        vec!["Intrus"]
    );
    let events = recovered.audit_events(&session, 0, 1000).expect("events");
    assert!(events.iter().any(|e| e.action == "store.resealed"
        && e.operator_name.as_deref() == Some(ADMIN)
        && e.details.contains("recovered")));
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

type WriteResult = Result<(), sesame_core::Error>;

/// A routine write through Sésame.
type Write = fn(&mut Sesame, &sesame_core::Session) -> WriteResult;
type BoxedWrite = Box<dyn Fn(&mut Sesame, &sesame_core::Session) -> WriteResult>;

/// Asserts that a write over a row changed outside was refused as tampering (nothing written)
/// and that the row is still named by the store check: no write path makes an outside edit
/// Sésame's own.
fn refused_and_still_named(
    fixture: &mut Fixture,
    what: &str,
    written: Result<(), sesame_core::Error>,
    kind: SealedKind,
    name: &str,
) {
    assert_eq!(
        written.err().map(|error| error.code()),
        Some("state_tampered"),
        "{what} went through over a row changed outside"
    );
    let admin = fixture.admin.clone();
    let named = named_by_check(&mut fixture.sesame, &admin);
    assert_eq!(named, vec![(kind, name.to_owned())], "after {what}");
    let events = tampered_events(fixture);
    assert!(
        events
            .iter()
            .any(|event| event.contains(name) && event.contains("write")),
        "{what}: {events:?}"
    );
}

/// Laundering by a routine write: a revoked key set back to active in the store, then any
/// ordinary write to that key. Each write is refused, and the key stays refused.
#[test]
fn no_write_to_a_key_launders_an_edit_made_outside() {
    use sesame_core::bulk::{BulkChange, KeySelection};
    use sesame_core::key::KeyEdit;
    let edit_with = |edit: KeyEdit| {
        move |sesame: &mut Sesame, admin: &sesame_core::Session| {
            sesame.edit_key(admin, "cible", &edit).map(drop)
        }
    };
    let writes: Vec<(&str, BoxedWrite)> = vec![
        (
            "key edit --note",
            Box::new(edit_with(KeyEdit {
                note: Some("une note".into()),
                ..Default::default()
            })),
        ),
        (
            "key edit --name",
            Box::new(edit_with(KeyEdit {
                name: Some("renommée".into()),
                ..Default::default()
            })),
        ),
        (
            "key edit --permission",
            Box::new(edit_with(KeyEdit {
                permissions: Some(vec!["factures:lecture".into()]),
                ..Default::default()
            })),
        ),
        (
            "key edit --company",
            Box::new(edit_with(KeyEdit {
                companies: Some(vec![]),
                ..Default::default()
            })),
        ),
        (
            "key edit --tag",
            Box::new(edit_with(KeyEdit {
                tags: Some(vec!["paie".into()]),
                ..Default::default()
            })),
        ),
        (
            "key deactivate",
            Box::new(|s: &mut Sesame, a: &sesame_core::Session| {
                s.deactivate_key(a, "cible").map(drop)
            }),
        ),
        (
            "key revoke",
            Box::new(|s: &mut Sesame, a: &sesame_core::Session| {
                s.revoke_key(a, "cible", "encore").map(drop)
            }),
        ),
        (
            "key delete",
            Box::new(|s: &mut Sesame, a: &sesame_core::Session| s.delete_key(a, "cible").map(drop)),
        ),
        (
            "key regenerate",
            Box::new(|s: &mut Sesame, a: &sesame_core::Session| {
                s.regenerate_key(a, "cible", sesame_core::vocab::Grace::OneHour)
                    .map(drop)
            }),
        ),
        (
            "key bulk --add-tag",
            Box::new(|s: &mut Sesame, a: &sesame_core::Session| {
                let selection = KeySelection::Keys(vec!["cible".into()]);
                let plan = s.preview_bulk(a, &selection, &BulkChange::AddTag("nord".into()))?;
                s.apply_bulk(
                    a,
                    &selection,
                    &BulkChange::AddTag("nord".into()),
                    &plan.previewed(),
                )
                .map(drop)
            }),
        ),
        (
            "key bulk --deactivate",
            Box::new(|s: &mut Sesame, a: &sesame_core::Session| {
                let selection = KeySelection::Keys(vec!["cible".into()]);
                let plan = s.preview_bulk(a, &selection, &BulkChange::Deactivate)?;
                s.apply_bulk(a, &selection, &BulkChange::Deactivate, &plan.previewed())
                    .map(drop)
            }),
        ),
        (
            "key bulk --expires",
            Box::new(|s: &mut Sesame, a: &sesame_core::Session| {
                let in_a_month = s.now() + chrono::Duration::days(30);
                let selection = KeySelection::Keys(vec!["cible".into()]);
                let plan =
                    s.preview_bulk(a, &selection, &BulkChange::SetExpiry(Some(in_a_month)))?;
                s.apply_bulk(
                    a,
                    &selection,
                    &BulkChange::SetExpiry(Some(in_a_month)),
                    &plan.previewed(),
                )
                .map(drop)
            }),
        ),
    ];
    for (what, write) in writes {
        let mut fixture = Fixture::new();
        let admin = fixture.admin.clone();
        let key = fixture.create("cible");
        fixture
            .sesame
            .revoke_key(&admin, "cible", "fuite")
            .expect("revoke");
        edit(
            &fixture,
            "UPDATE keys SET status = 'active', revoked_at = NULL, revoked_reason = NULL
             WHERE name = 'cible'",
        );
        let written = write(&mut fixture.sesame, &admin);
        let mut reopened = Fixture::reopen(&fixture);
        let answer = reopened
            .verify_bearer(key.bearer().expose_secret(), None, None)
            .expect("verify");
        assert_eq!(answer.code, VerifyCode::Tampered, "after {what}");
        drop(reopened);
        refused_and_still_named(&mut fixture, what, written, SealedKind::Key, "cible");
    }
}

/// Laundering an operator: an auditor given the configuration right in the store, then any
/// write to that operator (by an administrator, or by the system) is refused.
#[test]
fn no_write_to_an_operator_launders_an_edit_made_outside() {
    let writes: [(&str, Write); 5] = [
        ("operator disable", |s, a| {
            s.set_operator_disabled(a, "Alice Audit", true).map(drop)
        }),
        ("operator enable", |s, a| {
            s.set_operator_disabled(a, "Alice Audit", false).map(drop)
        }),
        ("operator edit --right", |s, a| {
            let rights = Rights {
                configuration: false,
                audit: true,
            };
            s.edit_operator(
                a,
                "Alice Audit",
                &sesame_core::OperatorEdit {
                    rights: Some(rights),
                    name: None,
                },
            )
            .map(drop)
        }),
        ("operator edit --name", |s, a| {
            s.edit_operator(
                a,
                "Alice Audit",
                &sesame_core::OperatorEdit {
                    rights: None,
                    name: Some("Alice Audit-Dupont".into()),
                },
            )
            .map(drop)
        }),
        ("operator reset-password", |s, a| {
            s.reset_operator_password(
                a,
                "Alice Audit",
                &secret_from("un tout autre mot de passe sûr".to_owned()),
            )
            .map(drop)
        }),
    ];
    for (what, write) in writes {
        let mut fixture = Fixture::new();
        let admin = fixture.admin.clone();
        fixture
            .sesame
            .create_operator(
                &admin,
                "Alice Audit",
                &password(),
                Rights {
                    configuration: false,
                    audit: true,
                },
            )
            .expect("auditor");
        if what == "operator enable" {
            fixture
                .sesame
                .set_operator_disabled(&admin, "Alice Audit", true)
                .expect("disable");
        }
        edit(
            &fixture,
            "UPDATE operators SET right_configuration = TRUE WHERE name = 'Alice Audit'",
        );
        let written = write(&mut fixture.sesame, &admin);
        let refused = fixture.sesame.sign_in("Alice Audit", &password()).err();
        assert_eq!(
            refused.map(|e| e.code()),
            Some("state_tampered"),
            "after {what}"
        );
        refused_and_still_named(
            &mut fixture,
            what,
            written,
            SealedKind::Operator,
            "Alice Audit",
        );
    }
}

/// A permission added to a service, or a setting changed, in the store: a later write to them
/// is refused, and a key cannot be given the planted permission.
#[test]
fn no_write_to_a_service_or_a_setting_launders_an_edit_made_outside() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    edit(
        &fixture,
        "INSERT INTO service_permissions (service_id, permission)
         SELECT id, 'virements:ecriture' FROM services WHERE name = 'Paie'",
    );
    let planted = sesame_core::key::NewKey {
        service: "Paie".into(),
        name: "plantée".into(),
        permissions: vec!["virements:ecriture".into()],
        ..Default::default()
    };
    let refused = fixture.sesame.create_key(&admin, &planted).err();
    assert_eq!(refused.map(|e| e.code()), Some("state_tampered"));
    let edit_service = sesame_core::service::ServiceEdit {
        description: Some("Bulletins de paie".into()),
        permissions: Some(vec!["factures:lecture".into(), "virements:ecriture".into()]),
        ..Default::default()
    };
    let written = fixture
        .sesame
        .edit_service(&admin, "Paie", &edit_service)
        .map(drop);
    refused_and_still_named(
        &mut fixture,
        "service edit",
        written,
        SealedKind::Service,
        "Paie",
    );

    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    fixture.sesame.set_token_hours(&admin, 8).expect("set");
    edit(
        &fixture,
        "UPDATE settings SET value = '720' WHERE name = 'token_hours'",
    );
    let written = fixture.sesame.set_token_hours(&admin, 24).map(drop);
    refused_and_still_named(
        &mut fixture,
        "settings --token-hours",
        written,
        SealedKind::Setting,
        "token_hours",
    );
}

/// Laundering by a re-run migration: the store's version set back (on PostgreSQL the last
/// migration's objects dropped too), a revoked key set active and its seal deleted. The next
/// Sésame program to open the store migrates again, and seals nothing: the key stays refused.
#[test]
fn a_migration_run_again_seals_nothing() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let key = fixture.create("révoquée");
    fixture
        .sesame
        .revoke_key(&admin, "révoquée", "fuite")
        .expect("revoke");
    // The migrations since the seals' binding to the trail made to run again, a revoked key
    // re-enabled and its seal removed.
    let version_back = match crate::support::on_postgres() {
        true => {
            "DROP FUNCTION sesame_unaccent(TEXT) CASCADE;
                 UPDATE sesame_store SET version = 10;"
        }
        false => "PRAGMA user_version = 12;",
    };
    edit(
        &fixture,
        &format!(
            "ALTER TABLE row_seals DROP COLUMN seq;
             ALTER TABLE keys DROP COLUMN previous_generation;
             {version_back}
             UPDATE keys SET status = 'active', revoked_at = NULL WHERE name = 'révoquée';
             DELETE FROM row_seals WHERE kind = 'key'
                 AND id = (SELECT id FROM keys WHERE name = 'révoquée');"
        ),
    );
    let mut reopened = fixture.reopen();
    let answer = reopened
        .verify_bearer(key.bearer().expose_secret(), None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Tampered);
    // Nothing was sealed or bound on the migration's word: the key has no seal, and the seals
    // left unbound prove nothing — not even the administrator's own row.
    let sealed = fixture.outside_text(
        "SELECT CAST(count(*) AS TEXT) FROM row_seals r JOIN keys k ON r.id = k.id
         WHERE k.name = 'révoquée'",
    );
    assert_eq!(sealed.as_deref(), Some("0"));
    let bound =
        fixture.outside_text("SELECT CAST(count(*) AS TEXT) FROM row_seals WHERE seq IS NOT NULL");
    assert_eq!(bound.as_deref(), Some("0"));
    let refused = reopened.check_store(&admin).err().map(|error| error.code());
    assert_eq!(refused, Some("state_tampered"));
}

/// A store whose seals were all removed, its key made to look lost, does not pass for a store
/// from before sealing: it is refused, never sealed as it is.
#[test]
fn a_store_emptied_of_its_seals_does_not_pass_for_an_old_one() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    fixture.create("révoquée");
    fixture
        .sesame
        .revoke_key(&admin, "révoquée", "fuite")
        .expect("revoke");
    let store = fixture.location.clone();
    lose_state_key(&mut fixture);
    edit(
        &fixture,
        "UPDATE keys SET status = 'active', revoked_at = NULL WHERE name = 'révoquée';
         DELETE FROM row_seals;",
    );
    let refused = Sesame::open_location(&store).err().map(|e| e.code());
    assert!(
        matches!(refused, Some("state_key_missing" | "state_key_unavailable")),
        "{refused:?}"
    );
}

/// A setting Sésame wrote, deleted outside: it does not silently fall back to its default, and
/// the store check names the seal left without its row.
#[test]
fn a_setting_deleted_outside_is_not_a_default() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    fixture.sesame.set_token_hours(&admin, 8).expect("set");
    edit(&fixture, "DELETE FROM settings WHERE name = 'token_hours'");
    let refused = fixture.sesame.settings().err();
    assert_eq!(refused.map(|e| e.code()), Some("state_tampered"));
    let named = named_by_check(&mut fixture.sesame, &admin);
    assert_eq!(named, vec![(SealedKind::Setting, "token_hours".to_owned())]);
}

/// Two companies' names swapped in the store: a key restricted to « Dupont SARL » does not pass
/// for « Martin SA », and the store check names both companies.
#[test]
fn companies_whose_names_were_swapped_outside_are_refused() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let restricted = restricted_to_dupont(&mut fixture);
    let bearer = restricted.bearer();
    let check = |sesame: &mut Sesame, company: &str| {
        sesame
            .verify_bearer(bearer.expose_secret(), None, Some(company))
            .expect("verify")
            .code
    };
    assert_eq!(check(&mut fixture.sesame, "Dupont SARL"), VerifyCode::Valid);
    assert_eq!(
        check(&mut fixture.sesame, "Martin SA"),
        VerifyCode::CompanyForbidden
    );
    edit(
        &fixture,
        "UPDATE companies SET name = 'temp', name_key = 'temp' WHERE name = 'Dupont SARL';
         UPDATE companies SET name = 'Dupont SARL', name_key = 'dupont sarl'
             WHERE name = 'Martin SA';
         UPDATE companies SET name = 'Martin SA', name_key = 'martin sa' WHERE name = 'temp';",
    );
    let mut reopened = fixture.reopen();
    assert_eq!(check(&mut reopened, "Martin SA"), VerifyCode::Tampered);
    let mut named = named_by_check(&mut reopened, &admin);
    named.sort_by_key(|(_, name)| name.clone());
    assert_eq!(
        named,
        vec![
            (SealedKind::Company, "Dupont SARL".to_owned()),
            (SealedKind::Company, "Martin SA".to_owned())
        ]
    );
}

/// The key list's kept totals (PostgreSQL's `key_counts`) edited outside: the list would show
/// « 0 keys » above eight. The store check counts them again from the keys and says so.
#[test]
fn key_counts_edited_outside_are_counted_again_by_the_store_check() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    for n in 0..3 {
        fixture.create(&format!("clé {n}"));
    }
    let total = |fixture: &Fixture| {
        fixture
            .sesame
            .keys(&admin, &sesame_core::key::KeyFilter::default())
            .expect("list")
            .total
    };
    assert_eq!(total(&fixture), 3);
    let report = fixture.sesame.check_store(&admin).expect("check");
    assert!(!report.counts_rebuilt);
    if !crate::support::on_postgres() {
        return;
    }
    edit(&fixture, "UPDATE key_counts SET n = 0");
    assert_eq!(total(&fixture), 0, "the edit shows in the list");
    let report = fixture.sesame.check_store(&admin).expect("check");
    assert!(report.counts_rebuilt);
    assert_eq!(total(&fixture), 3);
    let report = fixture.sesame.check_store(&admin).expect("check");
    assert!(!report.counts_rebuilt, "counted again once");
}

/// An older copy of a row put back with its older seal — a revoked key as it was when active,
/// a disabled operator as they were when enabled — is caught: each seal is bound to the trail,
/// which holds the later event about the row.
#[test]
fn an_older_row_put_back_with_its_older_seal_is_caught() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let key = fixture.create("rejouée");
    let colleague_password = secret_from("le mot de passe de Claire".to_owned());
    fixture
        .sesame
        .create_operator(
            &admin,
            "Claire Dubois",
            &colleague_password,
            Rights {
                configuration: true,
                audit: false,
            },
        )
        .expect("colleague");
    // A warm verifier proved the key while it was active.
    let answer = fixture
        .sesame
        .verify_bearer(key.bearer().expose_secret(), None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Valid);
    // The rows and their seals as they were, copied aside by someone who can read the store.
    edit(
        &fixture,
        "CREATE TABLE old_keys AS SELECT id, status, revision FROM keys WHERE name = 'rejouée';
         CREATE TABLE old_operators AS SELECT id, disabled_at FROM operators
             WHERE name = 'Claire Dubois';
         CREATE TABLE old_seals AS SELECT * FROM row_seals
             WHERE id IN (SELECT id FROM old_keys UNION SELECT id FROM old_operators);",
    );
    fixture
        .sesame
        .revoke_key(&admin, "rejouée", "fuite")
        .expect("revoke");
    fixture
        .sesame
        .set_operator_disabled(&admin, "Claire Dubois", true)
        .expect("disable");
    // Put back, row and seal alike: each seal still opens over its row.
    edit(
        &fixture,
        "UPDATE keys SET status = (SELECT status FROM old_keys),
                         revision = (SELECT revision FROM old_keys), revoked_at = NULL
             WHERE id = (SELECT id FROM old_keys);
         UPDATE operators SET disabled_at = NULL WHERE id = (SELECT id FROM old_operators);
         UPDATE row_seals SET seal = (SELECT o.seal FROM old_seals o
                                      WHERE o.kind = row_seals.kind AND o.id = row_seals.id),
                              seq = (SELECT o.seq FROM old_seals o
                                     WHERE o.kind = row_seals.kind AND o.id = row_seals.id)
             WHERE id IN (SELECT id FROM old_seals);
         DROP TABLE old_keys; DROP TABLE old_operators; DROP TABLE old_seals;",
    );
    let answer = fixture
        .sesame
        .verify_bearer(key.bearer().expose_secret(), None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Tampered, "the warm verifier");
    let answer = fixture
        .reopen()
        .verify_bearer(key.bearer().expose_secret(), None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Tampered, "a fresh verifier");
    let refused = fixture
        .sesame
        .sign_in("Claire Dubois", &colleague_password)
        .err()
        .map(|error| error.code());
    assert_eq!(refused, Some("state_tampered"));
    // No write makes either row Sésame's own again.
    let refused = fixture
        .sesame
        .set_operator_disabled(&admin, "Claire Dubois", true)
        .err()
        .map(|error| error.code());
    assert_eq!(refused, Some("state_tampered"));
    let mut named = named_by_check(&mut fixture.sesame, &admin);
    named.sort_by(|a, b| a.1.cmp(&b.1));
    assert_eq!(
        named,
        vec![
            (SealedKind::Operator, "Claire Dubois".to_owned()),
            (SealedKind::Key, "rejouée".to_owned()),
        ]
    );
}
