//! Bulk actions on the key list and offboarding: a preview that says what happens to each key,
//! then one transaction, all or nothing, one audit event per key and one summary; refused when
//! there is nothing to do, when the keys changed since the preview, or without the right.

use chrono::Duration;
use sesame_core::bulk::{BulkChange, KeySelection, Offboarding, Previewed};
use sesame_core::key::{KeyEdit, KeyFilter, KeyStatus, NewKey};
use sesame_core::secret::ExposeSecret;
use sesame_core::vocab::{KeyEffect, OffboardEnd, VerifyCode};
use sesame_core::{Rights, error::Error};

use crate::support::Fixture;

fn new_key(name: &str, companies: &[&str], tags: &[&str]) -> NewKey {
    NewKey {
        service: "Paie".into(),
        name: name.into(),
        permissions: vec!["factures:lecture".into()],
        companies: companies.iter().map(|c| (*c).to_owned()).collect(),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..NewKey::default()
    }
}

/// What an apply step is given when no preview was made (refusals that come first).
fn unseen(changing: u64) -> Previewed {
    Previewed {
        changing,
        fingerprint: String::new(),
    }
}

fn criteria(name_contains: &str) -> KeySelection {
    KeySelection::Criteria(KeyFilter {
        name_contains: name_contains.into(),
        ..KeyFilter::default()
    })
}

fn status_of(fixture: &mut Fixture, name: &str) -> KeyStatus {
    let admin = fixture.admin.clone();
    fixture.sesame.key(&admin, name).expect("key").status
}

#[test]
fn a_bulk_revoke_by_criteria_previews_then_revokes_every_key_with_one_event_each() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let mut secrets = Vec::new();
    for name in ["Caisse 1", "Caisse 2", "Caisse 3"] {
        secrets.push(fixture.create(name).bearer());
    }
    fixture.create("Comptable");
    fixture
        .sesame
        .revoke_key(&admin, "Caisse 3", "déjà perdue")
        .expect("revoke");
    let change = BulkChange::Revoke {
        reason: "caisses remplacées".into(),
    };

    let plan = fixture
        .sesame
        .preview_bulk(&admin, &criteria("caisse"), &change)
        .expect("preview");
    assert_eq!((plan.changing, plan.unchanged), (2, 1));
    let effects: Vec<_> = plan
        .keys
        .iter()
        .map(|k| (k.key_name.as_str(), k.effect))
        .collect();
    assert_eq!(
        effects,
        vec![
            ("Caisse 1", KeyEffect::Revoked),
            ("Caisse 2", KeyEffect::Revoked),
            ("Caisse 3", KeyEffect::Unchanged)
        ]
    );
    // The preview wrote nothing.
    assert_eq!(status_of(&mut fixture, "Caisse 1"), KeyStatus::Active);

    fixture
        .sesame
        .apply_bulk(&admin, &criteria("caisse"), &change, &plan.previewed())
        .expect("apply");
    for name in ["Caisse 1", "Caisse 2"] {
        assert_eq!(status_of(&mut fixture, name), KeyStatus::Revoked);
    }
    assert_eq!(status_of(&mut fixture, "Comptable"), KeyStatus::Active);
    for bearer in &secrets[..2] {
        let code = fixture
            .sesame
            .verify_bearer(bearer.expose_secret(), None, None)
            .expect("verify")
            .code;
        assert_eq!(code, VerifyCode::Revoked);
    }
    let revoked = fixture.events_starting_with("key.revoked");
    assert_eq!(
        revoked.len(),
        3,
        "one event per key, the earlier one included"
    );
    assert!(revoked[2].details.contains("caisses remplacées"));
    let summary = fixture.events_starting_with("keys.bulk_changed");
    assert_eq!(summary.len(), 1);
    assert!(
        summary[0].details.contains(r#""count":2"#),
        "{}",
        summary[0].details
    );
    assert!(
        fixture
            .sesame
            .check_audit_chain()
            .expect("chain")
            .first_broken
            .is_none()
    );
}

#[test]
fn ticked_keys_get_a_tag_an_expiry_and_lose_a_tag() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    fixture
        .sesame
        .create_key(&admin, &new_key("Banque", &[], &["paie"]))
        .expect("key");
    fixture
        .sesame
        .create_key(&admin, &new_key("Scanner", &[], &[]))
        .expect("key");
    let ticked = KeySelection::Keys(vec!["Banque".into(), "Scanner".into()]);

    let add = BulkChange::AddTag(" Agence-Nord ".into());
    let plan = fixture
        .sesame
        .preview_bulk(&admin, &ticked, &add)
        .expect("preview");
    assert_eq!(plan.changing, 2);
    fixture
        .sesame
        .apply_bulk(&admin, &ticked, &add, &plan.previewed())
        .expect("tag");
    let remove = BulkChange::RemoveTag("paie".into());
    let plan = fixture
        .sesame
        .preview_bulk(&admin, &ticked, &remove)
        .expect("preview");
    assert_eq!((plan.changing, plan.unchanged), (1, 1));
    fixture
        .sesame
        .apply_bulk(&admin, &ticked, &remove, &plan.previewed())
        .expect("untag");
    let banque = fixture.sesame.key(&admin, "Banque").expect("key");
    assert_eq!(banque.tags, vec!["agence-nord".to_owned()]);

    let in_a_month = fixture.sesame.now() + Duration::days(30);
    let expiry = BulkChange::SetExpiry(Some(in_a_month));
    let plan = fixture
        .sesame
        .preview_bulk(&admin, &ticked, &expiry)
        .expect("preview");
    fixture
        .sesame
        .apply_bulk(&admin, &ticked, &expiry, &plan.previewed())
        .expect("expiry");
    let scanner = fixture.sesame.key(&admin, "Scanner").expect("key");
    assert!(scanner.expires_at.is_some());
    assert_eq!(fixture.events_starting_with("key.edited").len(), 2 + 1 + 2);
    assert_eq!(fixture.events_starting_with("keys.bulk_changed").len(), 3);
}

#[test]
fn a_bulk_action_on_nothing_or_on_keys_that_changed_since_the_preview_changes_nothing() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    fixture.create("Caisse 1");
    fixture.create("Caisse 2");

    let nothing =
        fixture
            .sesame
            .preview_bulk(&admin, &criteria("introuvable"), &BulkChange::Deactivate);
    assert!(
        matches!(nothing, Err(Error::BulkEmptySelection)),
        "{nothing:?}"
    );
    let none_ticked = fixture.sesame.apply_bulk(
        &admin,
        &KeySelection::Keys(vec![]),
        &BulkChange::Deactivate,
        &unseen(0),
    );
    assert!(matches!(none_ticked, Err(Error::BulkEmptySelection)));
    let already = fixture.sesame.apply_bulk(
        &admin,
        &criteria("caisse"),
        &BulkChange::Reactivate,
        &unseen(0),
    );
    assert!(
        matches!(already, Err(Error::BulkNothingChanges)),
        "{already:?}"
    );

    // Someone deactivated one of them after the preview: the count no longer matches.
    let plan = fixture
        .sesame
        .preview_bulk(&admin, &criteria("caisse"), &BulkChange::Deactivate)
        .expect("preview");
    assert_eq!(plan.changing, 2);
    fixture
        .sesame
        .deactivate_key(&admin, "Caisse 2")
        .expect("deactivate");
    let stale = fixture.sesame.apply_bulk(
        &admin,
        &criteria("caisse"),
        &BulkChange::Deactivate,
        &plan.previewed(),
    );
    assert!(
        matches!(
            stale,
            Err(Error::BulkSelectionChanged {
                expected: 2,
                now: 1
            })
        ),
        "{stale:?}"
    );
    assert_eq!(status_of(&mut fixture, "Caisse 1"), KeyStatus::Active);
    assert!(fixture.events_starting_with("keys.bulk_changed").is_empty());

    // As many keys, but not the same ones: a new « Caisse 3 » took the deactivated one's place.
    fixture.create("Caisse 3");
    let replaced = fixture.sesame.apply_bulk(
        &admin,
        &criteria("caisse"),
        &BulkChange::Deactivate,
        &plan.previewed(),
    );
    assert!(
        matches!(
            replaced,
            Err(Error::BulkSelectionChanged {
                expected: 2,
                now: 2
            })
        ),
        "{replaced:?}"
    );
    assert_eq!(status_of(&mut fixture, "Caisse 3"), KeyStatus::Active);
    assert!(fixture.events_starting_with("keys.bulk_changed").is_empty());

    // A bad value is refused before anything is read, in the interface's words.
    let no_reason = fixture.sesame.preview_bulk(
        &admin,
        &criteria("caisse"),
        &BulkChange::Revoke {
            reason: "  ".into(),
        },
    );
    assert!(matches!(no_reason, Err(Error::Empty { .. })));
    let two_tags = fixture.sesame.preview_bulk(
        &admin,
        &criteria("caisse"),
        &BulkChange::AddTag("a,b".into()),
    );
    assert!(matches!(two_tags, Err(Error::ForbiddenCharacter { .. })));
    let past = fixture.sesame.preview_bulk(
        &admin,
        &criteria("caisse"),
        &BulkChange::SetExpiry(Some(fixture.sesame.now() - Duration::days(1))),
    );
    assert!(matches!(past, Err(Error::DateInPast)));
}

#[test]
fn a_bulk_expiry_beyond_a_services_maximum_lifetime_changes_no_key() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    fixture.create("Caisse 1");
    fixture.create("Caisse 2");
    let edit = sesame_core::service::ServiceEdit {
        max_lifetime_days: Some(Some(30)),
        ..Default::default()
    };
    let in_a_week = fixture.sesame.now() + Duration::days(7);
    // Keys of a service with a maximum lifetime need an expiry first.
    for name in ["Caisse 1", "Caisse 2"] {
        let edit = KeyEdit {
            expires_at: Some(Some(in_a_week)),
            ..KeyEdit::default()
        };
        fixture.sesame.edit_key(&admin, name, &edit).expect("edit");
    }
    fixture
        .sesame
        .edit_service(&admin, "Paie", &edit)
        .expect("lifetime");
    let in_a_year = fixture.sesame.now() + Duration::days(365);
    let refused = fixture.sesame.apply_bulk(
        &admin,
        &criteria("caisse"),
        &BulkChange::SetExpiry(Some(in_a_year)),
        &unseen(2),
    );
    assert!(
        matches!(refused, Err(Error::ExpiryBeyondLifetime { .. })),
        "{refused:?}"
    );
    let key = fixture.sesame.key(&admin, "Caisse 1").expect("key");
    assert_eq!(
        key.expires_at.map(|at| at.timestamp()),
        Some(in_a_week.timestamp())
    );
}

#[test]
fn bulk_actions_and_offboarding_need_the_configuration_right() {
    let mut fixture = Fixture::new();
    fixture.create("Caisse 1");
    let rights = Rights {
        configuration: false,
        audit: true,
    };
    let auditor = fixture.signed_in_operator("Auditrice", rights);
    let preview =
        fixture
            .sesame
            .preview_bulk(&auditor, &criteria("caisse"), &BulkChange::Deactivate);
    assert!(matches!(preview, Err(Error::RightMissing(_))));
    let apply = fixture.sesame.apply_bulk(
        &auditor,
        &criteria("caisse"),
        &BulkChange::Deactivate,
        &unseen(1),
    );
    assert!(matches!(apply, Err(Error::RightMissing(_))));
    let offboard = fixture.sesame.offboard(
        &auditor,
        &Offboarding::Service("Paie".into()),
        OffboardEnd::Revoke,
        "fin du contrat",
        &unseen(1),
    );
    assert!(matches!(offboard, Err(Error::RightMissing(_))));
    assert_eq!(status_of(&mut fixture, "Caisse 1"), KeyStatus::Active);
    assert_eq!(fixture.events_starting_with("access.refused").len(), 3);
}

#[test]
fn offboarding_a_company_ends_its_own_keys_and_takes_it_off_shared_ones() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let own = fixture
        .sesame
        .create_key(&admin, &new_key("Dupont seule", &["Dupont SARL"], &[]))
        .expect("key");
    fixture
        .sesame
        .create_key(
            &admin,
            &new_key("Partagée", &["Dupont SARL", "Martin SA"], &[]),
        )
        .expect("key");
    fixture
        .sesame
        .create_key(&admin, &new_key("Martin seule", &["Martin SA"], &[]))
        .expect("key");
    fixture
        .sesame
        .create_key(&admin, &new_key("Sans société", &[], &[]))
        .expect("key");
    let from = Offboarding::Company("Dupont SARL".into());

    let plan = fixture
        .sesame
        .preview_offboarding(&admin, &from, OffboardEnd::Revoke)
        .expect("preview");
    assert_eq!(plan.subject, "Dupont SARL");
    let effects: Vec<_> = plan
        .keys
        .iter()
        .map(|k| (k.key_name.as_str(), k.effect))
        .collect();
    assert_eq!(
        effects,
        vec![
            ("Dupont seule", KeyEffect::Revoked),
            ("Partagée", KeyEffect::LosesCompany)
        ]
    );
    let refused =
        fixture
            .sesame
            .offboard(&admin, &from, OffboardEnd::Revoke, " ", &plan.previewed());
    assert!(matches!(refused, Err(Error::Empty { .. })));

    fixture
        .sesame
        .offboard(
            &admin,
            &from,
            OffboardEnd::Revoke,
            "client parti",
            &plan.previewed(),
        )
        .expect("offboard");
    assert_eq!(status_of(&mut fixture, "Dupont seule"), KeyStatus::Revoked);
    let shared = fixture.sesame.key(&admin, "Partagée").expect("key");
    assert_eq!(shared.status, KeyStatus::Active);
    let names: Vec<_> = shared.companies.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["Martin SA"]);
    assert_eq!(status_of(&mut fixture, "Martin seule"), KeyStatus::Active);
    assert_eq!(status_of(&mut fixture, "Sans société"), KeyStatus::Active);
    let code = fixture
        .sesame
        .verify_bearer(own.bearer().expose_secret(), None, None)
        .expect("verify")
        .code;
    assert_eq!(code, VerifyCode::Revoked);
    let summary = fixture.events_starting_with("company.offboarded");
    assert_eq!(summary.len(), 1);
    assert!(summary[0].details.contains("client parti"));
    assert!(
        summary[0].details.contains(r#""narrowed":1"#),
        "{}",
        summary[0].details
    );
    assert_eq!(fixture.events_starting_with("key.revoked").len(), 1);
    assert_eq!(fixture.events_starting_with("key.edited").len(), 1);
    // The tamper-evident seals followed every change.
    assert!(
        fixture
            .sesame
            .check_store(&admin)
            .expect("check")
            .tampered
            .is_empty()
    );

    // Done twice, there is nothing left to do.
    let again = fixture.sesame.offboard(
        &admin,
        &from,
        OffboardEnd::Revoke,
        "client parti",
        &unseen(0),
    );
    assert!(matches!(again, Err(Error::BulkNothingChanges)), "{again:?}");
}

#[test]
fn offboarding_a_service_deactivates_its_keys_and_leaves_other_services_alone() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    fixture.create("Caisse 1");
    fixture.create("Caisse 2");
    fixture
        .sesame
        .deactivate_key(&admin, "Caisse 2")
        .expect("deactivate");
    let draft = sesame_core::service::ServiceDraft {
        name: "GED".into(),
        description: String::new(),
        website: String::new(),
        category: "Documents".into(),
        prefix: "ged".into(),
        permissions: vec![],
        max_lifetime_days: None,
    };
    fixture
        .sesame
        .create_service(&admin, &draft)
        .expect("service");
    let other = NewKey {
        service: "GED".into(),
        name: "Archivage".into(),
        ..NewKey::default()
    };
    fixture.sesame.create_key(&admin, &other).expect("key");
    let from = Offboarding::Service("Paie".into());
    let plan = fixture
        .sesame
        .preview_offboarding(&admin, &from, OffboardEnd::Deactivate)
        .expect("preview");
    assert_eq!((plan.changing, plan.unchanged), (1, 1));
    fixture
        .sesame
        .offboard(
            &admin,
            &from,
            OffboardEnd::Deactivate,
            "logiciel abandonné",
            &plan.previewed(),
        )
        .expect("offboard");
    assert_eq!(status_of(&mut fixture, "Caisse 1"), KeyStatus::Inactive);
    assert_eq!(status_of(&mut fixture, "Archivage"), KeyStatus::Active);
    assert_eq!(fixture.events_starting_with("service.offboarded").len(), 1);
}
