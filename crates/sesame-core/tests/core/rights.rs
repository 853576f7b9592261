//! Every action against every set of rights: allowed or refused in the core, and a refusal
//! changes nothing but the audit trail, where it leaves an `access.refused` event.

use rusqlite::Connection;
use sesame_core::key::{Grace, KeyEdit, KeyFilter, NewKey};
use sesame_core::secret::secret_from;
use sesame_core::service::{ServiceEdit, ServiceFilter};
use sesame_core::{Error, Lang, OperatorEdit, Rights, Sesame, Session};

use crate::support::{Fixture, password};

/// Who needs what.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Needs {
    Nothing,
    Configuration,
    Audit,
}

type Action = fn(&mut Sesame, &Session) -> Result<(), Error>;

fn new_password() -> sesame_core::secret::SecretString {
    secret_from("un autre mot de passe tout neuf".to_owned())
}

/// The table: each action, what it needs, and how to attempt it on the fixture below.
fn actions() -> Vec<(&'static str, Needs, Action)> {
    vec![
        ("browse the catalogue", Needs::Nothing, |s, o| {
            s.services(o, &ServiceFilter::default()).map(drop)
        }),
        ("browse the key list", Needs::Nothing, |s, o| {
            s.keys(o, &KeyFilter::default()).map(drop)
        }),
        ("list companies", Needs::Nothing, |s, o| {
            s.companies(o).map(drop)
        }),
        ("change the language", Needs::Nothing, |s, o| {
            s.set_language(o, Lang::En).map(drop)
        }),
        ("change one's own password", Needs::Nothing, |s, o| {
            s.change_own_password(o, &password(), &new_password())
        }),
        ("create a service", Needs::Configuration, |s, o| {
            let draft = sesame_core::service::ServiceDraft {
                name: "Banque".into(),
                prefix: "banque".into(),
                ..Default::default()
            };
            s.create_service(o, &draft).map(drop)
        }),
        ("edit a service", Needs::Configuration, |s, o| {
            let edit = ServiceEdit {
                description: Some("Nouvelle description".into()),
                ..Default::default()
            };
            s.edit_service(o, "Paie", &edit).map(drop)
        }),
        ("approve a service", Needs::Configuration, |s, o| {
            s.approve_service(o, "Paie").map(drop)
        }),
        ("create a company", Needs::Configuration, |s, o| {
            s.create_company(o, "Bernard SAS").map(drop)
        }),
        ("create a key", Needs::Configuration, |s, o| {
            let new_key = NewKey {
                service: "Paie".into(),
                name: "nouvelle".into(),
                ..Default::default()
            };
            s.create_key(o, &new_key).map(drop)
        }),
        ("edit a key", Needs::Configuration, |s, o| {
            let edit = KeyEdit {
                note: Some("modifiée".into()),
                ..Default::default()
            };
            s.edit_key(o, "à modifier", &edit).map(drop)
        }),
        ("deactivate a key", Needs::Configuration, |s, o| {
            s.deactivate_key(o, "à désactiver").map(drop)
        }),
        ("reactivate a key", Needs::Configuration, |s, o| {
            s.reactivate_key(o, "à réactiver").map(drop)
        }),
        ("regenerate a key", Needs::Configuration, |s, o| {
            s.regenerate_key(o, "à régénérer", Grace::Now).map(drop)
        }),
        ("revoke a key", Needs::Configuration, |s, o| {
            s.revoke_key(o, "à révoquer", "fuite").map(drop)
        }),
        ("delete a key", Needs::Configuration, |s, o| {
            s.delete_key(o, "à supprimer").map(drop)
        }),
        ("list operators", Needs::Configuration, |s, o| {
            s.operators(o).map(drop)
        }),
        ("create an operator", Needs::Configuration, |s, o| {
            s.create_operator(o, "Nouvel Opérateur", &new_password(), Rights::default())
                .map(drop)
        }),
        ("edit an operator", Needs::Configuration, |s, o| {
            let edit = OperatorEdit {
                rights: Some(Rights::ALL),
                ..Default::default()
            };
            s.edit_operator(o, "Cible", &edit).map(drop)
        }),
        ("disable an operator", Needs::Configuration, |s, o| {
            s.set_operator_disabled(o, "Cible", true).map(drop)
        }),
        (
            "reset an operator's password",
            Needs::Configuration,
            |s, o| {
                s.reset_operator_password(o, "Cible", &new_password())
                    .map(drop)
            },
        ),
        (
            "change the clipboard delay",
            Needs::Configuration,
            |s, o| s.set_clipboard_seconds(o, 60).map(drop),
        ),
        ("change the lock delay", Needs::Configuration, |s, o| {
            s.set_lock_minutes(o, 10).map(drop)
        }),
        ("read the audit log", Needs::Audit, |s, o| {
            s.audit_events(o, 0, 10).map(drop)
        }),
        ("read a key's history", Needs::Audit, |s, o| {
            let key = s.key(o, "à modifier")?;
            s.audit_events_for(o, &key.id).map(drop)
        }),
    ]
}

/// Everything in the store but the audit trail (its events and its sealed head) and the sign-in
/// counters, as text.
fn snapshot(path: &std::path::Path) -> String {
    let connection = Connection::open(path).expect("open store");
    let tables: Vec<String> = connection
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
        .expect("tables")
        .query_map([], |row| row.get(0))
        .expect("tables")
        .collect::<Result<_, _>>()
        .expect("tables");
    let mut text = String::new();
    for table in tables
        .iter()
        .filter(|t| !["audit_events", "sign_in_failures"].contains(&t.as_str()))
    {
        let mut statement = connection
            .prepare(&format!("SELECT * FROM {table} ORDER BY 1"))
            .expect("rows");
        let columns = statement.column_count();
        let rows = statement
            .query_map([], |row| {
                (0..columns)
                    .map(|i| {
                        row.get::<_, rusqlite::types::Value>(i)
                            .map(|v| format!("{v:?}"))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .expect("rows");
        for row in rows {
            let row = row.expect("row");
            // The trail's sealed head moves with the trail.
            if row.iter().any(|value| value.contains("\"audit_head\"")) {
                continue;
            }
            text.push_str(&format!("{table}: {row:?}\n"));
        }
    }
    text
}

fn last_event(sesame: &mut Sesame, admin: &Session) -> (i64, String, String) {
    let events = sesame.audit_events(admin, 0, u32::MAX).expect("events");
    let last = events.last().expect("an event");
    (last.seq, last.action.clone(), last.details.clone())
}

/// The last event, a refused access, reads in words in both languages: what was asked for
/// (« Révoquer une clé »), never its code.
fn refusal_reads_in_words(sesame: &mut Sesame, admin: &Session, name: &str) {
    let events = sesame.audit_events(admin, 0, u32::MAX).expect("events");
    let last = events.last().expect("an event");
    let details: serde_json::Value = serde_json::from_str(&last.details).expect("details");
    let asked = details["action"].as_str().expect("the action asked for");
    for lang in [Lang::Fr, Lang::En] {
        let worded = sesame_core::journal::word_event(last, lang);
        let values = worded.fields.iter().map(|(_, value)| value.as_str());
        for text in values.chain([worded.sentence.as_str()]) {
            assert!(!text.contains(asked), "« {name} » reads « {text} »");
        }
    }
}

/// A store with the keys and the operator the actions above work on, and an operator holding
/// exactly `rights`, signed in.
fn fixture_for(rights: Rights) -> (Fixture, Session) {
    let mut fixture = Fixture::new();
    for name in [
        "à modifier",
        "à désactiver",
        "à réactiver",
        "à régénérer",
        "à révoquer",
        "à supprimer",
    ] {
        fixture.create(name);
    }
    let admin = fixture.admin.clone();
    fixture
        .sesame
        .deactivate_key(&admin, "à réactiver")
        .expect("deactivate");
    fixture
        .sesame
        .create_operator(&admin, "Cible", &password(), Rights::default())
        .expect("target operator");
    let tested = fixture.signed_in_operator("Testé", rights);
    (fixture, tested)
}

#[test]
fn every_action_against_every_set_of_rights() {
    let combinations = [
        Rights::default(),
        Rights {
            configuration: false,
            audit: true,
        },
        Rights {
            configuration: true,
            audit: false,
        },
        Rights::ALL,
    ];
    for rights in combinations {
        let (mut fixture, tested) = fixture_for(rights);
        let admin = fixture.admin.clone();
        let path = fixture.folder.path().join("sesame.db");
        for (name, needs, action) in actions() {
            let allowed = match needs {
                Needs::Nothing => true,
                Needs::Configuration => rights.configuration,
                Needs::Audit => rights.audit,
            };
            let before = snapshot(&path);
            let (seq_before, ..) = last_event(&mut fixture.sesame, &admin);
            let result = action(&mut fixture.sesame, &tested);
            if allowed {
                assert!(result.is_ok(), "{rights:?} should {name}: {result:?}");
                continue;
            }
            match result {
                Err(Error::RightMissing(_)) => {}
                other => panic!("{rights:?} must not {name}: {other:?}"),
            }
            assert_eq!(
                snapshot(&path),
                before,
                "refused « {name} » changed the store"
            );
            let (seq, action, details) = last_event(&mut fixture.sesame, &admin);
            assert_eq!(seq, seq_before + 1, "« {name} »: one event for the refusal");
            assert_eq!(action, "access.refused", "« {name} »");
            assert!(details.contains("\"right\""), "« {name} »: {details}");
            refusal_reads_in_words(&mut fixture.sesame, &admin, name);
        }
    }
}

#[test]
fn the_last_active_administrator_keeps_the_configuration_right() {
    let mut fixture = Fixture::new();
    let first = fixture.admin.clone();
    let sesame = &mut fixture.sesame;
    let remove_configuration = OperatorEdit {
        rights: Some(Rights {
            configuration: false,
            audit: true,
        }),
        ..Default::default()
    };
    let alone = sesame.edit_operator(&first, crate::support::ADMIN, &remove_configuration);
    assert!(matches!(alone, Err(Error::LastAdministrator)), "{alone:?}");
    let own = sesame.set_operator_disabled(&first, crate::support::ADMIN, true);
    assert!(matches!(own, Err(Error::CannotDisableSelf)), "{own:?}");

    sesame
        .create_operator(&first, "Seconde Admin", &password(), Rights::ALL)
        .expect("second administrator");
    let second = sesame
        .sign_in("seconde admin", &password())
        .expect("sign in");
    sesame
        .set_operator_disabled(&second, crate::support::ADMIN, true)
        .expect("the second disables the first");
    // A disabled administrator does not count: the second is now the last one.
    let last = sesame.edit_operator(&second, "Seconde Admin", &remove_configuration);
    assert!(matches!(last, Err(Error::LastAdministrator)), "{last:?}");
    let acting = sesame.create_company(&first, "Société");
    assert!(matches!(acting, Err(Error::OperatorDisabled)), "{acting:?}");
    let signing_in = sesame.sign_in(crate::support::ADMIN, &password());
    assert!(
        matches!(signing_in, Err(Error::OperatorDisabled)),
        "{signing_in:?}"
    );

    sesame
        .set_operator_disabled(&second, crate::support::ADMIN, false)
        .expect("enabled again");
    let edited = sesame
        .edit_operator(&second, "Seconde Admin", &remove_configuration)
        .expect("another administrator exists now");
    assert!(!edited.rights.configuration && edited.rights.audit);
    let operators = sesame.operators(&first).expect("list");
    assert_eq!(operators.len(), 2);
    assert_eq!(
        operators.iter().filter(|o| o.rights.configuration).count(),
        1
    );
}

#[test]
fn operator_names_differ_beyond_case_and_unicode_form() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let sesame = &mut fixture.sesame;
    sesame
        .create_operator(&admin, "Élodie Straße", &password(), Rights::default())
        .expect("first");
    let before = snapshot(&fixture.folder.path().join("sesame.db"));
    for twin in [
        "élodie straße",
        "ÉLODIE STRASSE",
        "E\u{301}lodie Straße",
        "  Élodie Straße ",
    ] {
        let result = sesame.create_operator(&admin, twin, &password(), Rights::default());
        match result {
            Err(Error::OperatorNameTaken(_)) => {}
            other => panic!("« {twin} »: {other:?}"),
        }
    }
    assert_eq!(snapshot(&fixture.folder.path().join("sesame.db")), before);
    // Sign-in finds the operator under any of those forms.
    sesame
        .sign_in("ÉLODIE STRASSE", &password())
        .expect("sign in with another form of the name");
}

#[test]
fn passwords_are_checked_for_length_and_strength() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let sesame = &mut fixture.sesame;
    let cases: [(String, &str); 5] = [
        (String::new(), "empty"),
        ("court".into(), "password_too_short"),
        ("a".repeat(10_000), "password_too_long"),
        ("azertyuiop123".into(), "password_weak"),
        ("Nouvelle Personne 1".into(), "password_weak"),
    ];
    for (text, code) in cases {
        let result =
            sesame.create_operator(&admin, "Nouvelle Personne", &secret_from(text), Rights::ALL);
        let error = result.expect_err("refused");
        assert_eq!(error.code(), code);
        assert_eq!(error.field(), Some(sesame_core::Field::Password));
        assert!(!error.message(Lang::Fr).is_empty());
    }
    // 128 characters and more are fine.
    let long = "phrase de passe vraiment très longue ".repeat(4);
    assert!(long.chars().count() >= 128);
    sesame
        .create_operator(&admin, "Nouvelle Personne", &secret_from(long), Rights::ALL)
        .expect("a long passphrase");
}

#[test]
fn changing_and_resetting_passwords() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let sesame = &mut fixture.sesame;
    sesame
        .create_operator(&admin, "Dominique", &password(), Rights::default())
        .expect("operator");
    let dominique = sesame.sign_in("Dominique", &password()).expect("sign in");
    let wrong = sesame.change_own_password(&dominique, &new_password(), &new_password());
    assert!(
        matches!(wrong, Err(Error::CurrentPasswordWrong)),
        "{wrong:?}"
    );
    let weak = sesame.change_own_password(
        &dominique,
        &password(),
        &secret_from("dominique1234".into()),
    );
    assert!(matches!(weak, Err(Error::PasswordWeak)), "{weak:?}");
    sesame
        .change_own_password(&dominique, &password(), &new_password())
        .expect("changed");
    assert!(sesame.sign_in("Dominique", &password()).is_err());
    sesame
        .sign_in("Dominique", &new_password())
        .expect("new password works");
    sesame
        .reset_operator_password(&admin, "Dominique", &password())
        .expect("reset");
    sesame
        .sign_in("Dominique", &password())
        .expect("reset password works");
    let actions: Vec<String> = sesame
        .audit_events(&admin, 0, u32::MAX)
        .expect("events")
        .into_iter()
        .map(|e| e.action)
        .collect();
    for expected in [
        "operator.password_change_failed",
        "operator.password_changed",
        "operator.password_reset",
    ] {
        assert!(actions.iter().any(|a| a == expected), "{expected}");
    }
}
