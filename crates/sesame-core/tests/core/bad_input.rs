//! Every kind of bad input is refused with a clear message, in both languages, and changes
//! nothing: the store's audit trail and key count stay as they were.

use chrono::Duration;
use sesame_core::key::{KeyEdit, NewKey};
use sesame_core::service::{ServiceDraft, ServiceEdit};
use sesame_core::{Lang, Sesame, Session};

use crate::support::Fixture;

type Attempt = Box<dyn Fn(&mut Sesame, &Session) -> sesame_core::Result<()>>;

fn new_key(name: &str) -> NewKey {
    NewKey {
        service: "Paie".into(),
        name: name.into(),
        ..NewKey::default()
    }
}

fn service(name: &str) -> ServiceDraft {
    ServiceDraft {
        name: name.into(),
        ..ServiceDraft::default()
    }
}

fn cases() -> Vec<(&'static str, &'static str, Attempt)> {
    vec![
        (
            "empty key name",
            "empty",
            Box::new(|s, a| s.create_key(a, &new_key("")).map(drop)),
        ),
        (
            "blank key name",
            "empty",
            Box::new(|s, a| s.create_key(a, &new_key(" \t ")).map(drop)),
        ),
        (
            "over-long key name",
            "too_long",
            Box::new(|s, a| s.create_key(a, &new_key(&"x".repeat(101))).map(drop)),
        ),
        (
            "control character",
            "forbidden_character",
            Box::new(|s, a| s.create_key(a, &new_key("a\u{0}b")).map(drop)),
        ),
        (
            "bell character",
            "forbidden_character",
            Box::new(|s, a| s.create_key(a, &new_key("a\u{7}b")).map(drop)),
        ),
        (
            "bidi override",
            "forbidden_character",
            Box::new(|s, a| {
                s.create_key(a, &new_key("facture\u{202E}fdp.exe"))
                    .map(drop)
            }),
        ),
        (
            "duplicate key name",
            "key_name_taken",
            Box::new(|s, a| s.create_key(a, &new_key("existante")).map(drop)),
        ),
        (
            "duplicate key name, other case",
            "key_name_taken",
            Box::new(|s, a| s.create_key(a, &new_key("EXISTANTE")).map(drop)),
        ),
        (
            "unknown service",
            "service_not_found",
            Box::new(|s, a| {
                s.create_key(
                    a,
                    &NewKey {
                        service: "Nulle part".into(),
                        name: "k".into(),
                        ..NewKey::default()
                    },
                )
                .map(drop)
            }),
        ),
        (
            "unknown company",
            "company_not_found",
            Box::new(|s, a| {
                s.create_key(
                    a,
                    &NewKey {
                        companies: vec!["Inconnue".into()],
                        ..new_key("k")
                    },
                )
                .map(drop)
            }),
        ),
        (
            "permission not offered",
            "permission_not_offered",
            Box::new(|s, a| {
                s.create_key(
                    a,
                    &NewKey {
                        permissions: vec!["rh:tout".into()],
                        ..new_key("k")
                    },
                )
                .map(drop)
            }),
        ),
        (
            "invalid permission",
            "permission_invalid",
            Box::new(|s, a| {
                s.create_key(
                    a,
                    &NewKey {
                        permissions: vec!["Factures Lecture".into()],
                        ..new_key("k")
                    },
                )
                .map(drop)
            }),
        ),
        (
            "expiry in the past",
            "date_in_past",
            Box::new(|s, a| {
                let past = s.now() - Duration::days(1);
                s.create_key(
                    a,
                    &NewKey {
                        expires_at: Some(past),
                        ..new_key("k")
                    },
                )
                .map(drop)
            }),
        ),
        (
            "invalid date",
            "date_invalid",
            Box::new(|_, _| sesame_core::validate::expiry_date("31/12/2027").map(drop)),
        ),
        (
            "impossible date",
            "date_invalid",
            Box::new(|_, _| sesame_core::validate::expiry_date("2027-02-30").map(drop)),
        ),
        (
            "unknown key",
            "key_not_found",
            Box::new(|s, a| s.deactivate_key(a, "pas-de-cle").map(drop)),
        ),
        (
            "revoke without reason",
            "empty",
            Box::new(|s, a| s.revoke_key(a, "existante", "   ").map(drop)),
        ),
        (
            "rename onto another key",
            "key_name_taken",
            Box::new(|s, a| {
                s.edit_key(
                    a,
                    "autre",
                    &KeyEdit {
                        name: Some("Existante".into()),
                        ..KeyEdit::default()
                    },
                )
                .map(drop)
            }),
        ),
        (
            "empty service name",
            "empty",
            Box::new(|s, a| s.create_service(a, &service("")).map(drop)),
        ),
        (
            "duplicate service",
            "service_name_taken",
            Box::new(|s, a| s.create_service(a, &service("PAIE")).map(drop)),
        ),
        (
            "invalid website",
            "website_invalid",
            Box::new(|s, a| {
                s.create_service(
                    a,
                    &ServiceDraft {
                        website: "javascript:alert(1)".into(),
                        ..service("Web")
                    },
                )
                .map(drop)
            }),
        ),
        (
            "invalid prefix",
            "prefix_invalid",
            Box::new(|s, a| {
                s.create_service(
                    a,
                    &ServiceDraft {
                        prefix: "Pa_ie".into(),
                        ..service("Préfixe")
                    },
                )
                .map(drop)
            }),
        ),
        (
            "taken prefix",
            "prefix_taken",
            Box::new(|s, a| {
                s.create_service(
                    a,
                    &ServiceDraft {
                        prefix: "paie".into(),
                        ..service("Autre")
                    },
                )
                .map(drop)
            }),
        ),
        (
            "over-long description",
            "too_long",
            Box::new(|s, a| {
                s.create_service(
                    a,
                    &ServiceDraft {
                        description: "d".repeat(2001),
                        ..service("Long")
                    },
                )
                .map(drop)
            }),
        ),
        (
            "unknown service edit",
            "service_not_found",
            Box::new(|s, a| {
                s.edit_service(a, "Nulle part", &ServiceEdit::default())
                    .map(drop)
            }),
        ),
        (
            "duplicate company",
            "company_name_taken",
            Box::new(|s, a| s.create_company(a, "dupont sarl").map(drop)),
        ),
        (
            "company name with newline",
            "forbidden_character",
            Box::new(|s, a| s.create_company(a, "Dupont\nSARL").map(drop)),
        ),
    ]
}

fn snapshot(sesame: &mut Sesame, admin: &Session) -> (u64, usize, usize, usize) {
    let keys = sesame.keys(admin, &Default::default()).expect("list").total;
    let events = sesame
        .audit_events(admin, 0, 100_000)
        .expect("events")
        .len();
    let services = sesame
        .services(admin, &Default::default())
        .expect("services")
        .len();
    let companies = sesame.companies(admin).expect("companies").len();
    (keys, events, services, companies)
}

#[test]
fn bad_input_is_refused_clearly_and_changes_nothing() {
    let mut fixture = Fixture::new();
    fixture.create("Existante");
    fixture.create("Autre");
    for (label, expected_code, attempt) in cases() {
        let before = snapshot(&mut fixture.sesame, &fixture.admin);
        let error = match attempt(&mut fixture.sesame, &fixture.admin) {
            Ok(()) => panic!("{label}: accepted"),
            Err(error) => error,
        };
        assert_eq!(error.code(), expected_code, "{label}: {error}");
        let french = error.message(Lang::Fr);
        let english = error.message(Lang::En);
        assert!(
            !french.is_empty() && !english.is_empty() && french != english,
            "{label}"
        );
        assert!(
            !french.contains("Internal") && !french.contains("interne"),
            "{label}: {french}"
        );
        let after = snapshot(&mut fixture.sesame, &fixture.admin);
        // The snapshot itself reads; only the refusal could have written.
        assert_eq!(before, after, "{label}: the store changed");
    }
}

#[test]
fn the_store_file_is_checked_before_use() {
    let folder = tempfile::tempdir().expect("folder");
    let garbage = folder.path().join("garbage.db");
    std::fs::write(&garbage, [0xFF_u8; 4096]).expect("write");
    assert_eq!(
        Sesame::open(&garbage).err().map(|e| e.code()),
        Some("store_not_sqlite")
    );
    assert_eq!(
        std::fs::read(&garbage).expect("read"),
        vec![0xFF_u8; 4096],
        "file was changed"
    );
    let missing_folder = folder.path().join("a").join("b").join("store.db");
    assert!(
        Sesame::open(&missing_folder).is_ok(),
        "parent folders are created"
    );
}
