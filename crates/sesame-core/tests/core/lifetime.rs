//! A service's maximum key lifetime: new, edited and imported keys of the service must expire
//! within it; keys that would outlive it show in the health criteria.

use chrono::Duration;
use sesame_core::key::{Health, KeyEdit, KeyFilter, NewKey};
use sesame_core::service::ServiceEdit;

use crate::support::Fixture;

fn new_key(name: &str, expires_in_days: Option<i64>, fixture: &Fixture) -> NewKey {
    NewKey {
        service: "Paie".into(),
        name: name.into(),
        permissions: vec!["factures:lecture".into()],
        companies: vec![],
        expires_at: expires_in_days.map(|days| fixture.sesame.now() + Duration::days(days)),
        note: String::new(),
        tags: vec![],
        contact: String::new(),
    }
}

fn limit(fixture: &mut Fixture, days: Option<u32>) -> sesame_core::Result<()> {
    let edit = ServiceEdit {
        max_lifetime_days: Some(days),
        ..ServiceEdit::default()
    };
    fixture
        .sesame
        .edit_service(&fixture.admin, "Paie", &edit)
        .map(drop)
}

fn beyond(fixture: &mut Fixture) -> Vec<String> {
    let filter = KeyFilter {
        health: Some(Health::BeyondMaxLifetime),
        ..KeyFilter::default()
    };
    let mut names: Vec<String> = fixture
        .sesame
        .keys(&fixture.admin, &filter)
        .expect("keys")
        .keys
        .into_iter()
        .map(|key| key.name)
        .collect();
    names.sort();
    names
}

#[test]
fn keys_of_a_service_with_a_maximum_lifetime_must_expire_within_it() {
    let mut fixture = Fixture::new();
    // Made before the limit: no expiry, and one in two years.
    let old = fixture
        .sesame
        .create_key(&fixture.admin, &new_key("Ancienne", None, &fixture))
        .expect("old");
    fixture
        .sesame
        .create_key(&fixture.admin, &new_key("Longue", Some(730), &fixture))
        .expect("long");
    fixture
        .sesame
        .create_key(&fixture.admin, &new_key("Courte", Some(30), &fixture))
        .expect("short");
    for refused in [Some(0), Some(3651)] {
        assert_eq!(
            limit(&mut fixture, refused).err().map(|e| e.code()),
            Some("out_of_range")
        );
    }
    limit(&mut fixture, Some(366)).expect("limit");
    assert_eq!(beyond(&mut fixture), ["Ancienne", "Longue"]);

    let refused = fixture
        .sesame
        .create_key(&fixture.admin, &new_key("Sans fin", None, &fixture))
        .expect_err("no expiry");
    assert_eq!(refused.code(), "expiry_required");
    assert_eq!(refused.field().map(|f| f.code()), Some("expiry"));
    let refused = fixture
        .sesame
        .create_key(&fixture.admin, &new_key("Trop longue", Some(400), &fixture))
        .expect_err("too long");
    assert_eq!(refused.code(), "expiry_beyond_lifetime");
    assert!(
        refused.message(sesame_core::Lang::Fr).contains("366 jours"),
        "{refused}"
    );
    // The last day allowed is written the way each language writes dates (issue 23).
    let day = regex::Regex::new(r"on \d{4}-\d{2}-\d{2} at the latest").expect("regex");
    assert!(
        day.is_match(&refused.message(sesame_core::Lang::En)),
        "{refused}"
    );
    let jour = regex::Regex::new(r"au plus tard le \d{2}/\d{2}/\d{4}").expect("regex");
    assert!(
        jour.is_match(&refused.message(sesame_core::Lang::Fr)),
        "{refused}"
    );
    fixture
        .sesame
        .create_key(&fixture.admin, &new_key("Annuelle", Some(360), &fixture))
        .expect("within the limit");

    // An edited key must come within it too; set an expiry inside and it may be edited.
    let note = KeyEdit {
        note: Some("à renouveler".into()),
        ..KeyEdit::default()
    };
    let refused = fixture.sesame.edit_key(&fixture.admin, &old.key.id, &note);
    assert_eq!(refused.err().map(|e| e.code()), Some("expiry_required"));
    let within = KeyEdit {
        expires_at: Some(Some(fixture.sesame.now() + Duration::days(100))),
        ..KeyEdit::default()
    };
    fixture
        .sesame
        .edit_key(&fixture.admin, &old.key.id, &within)
        .expect("expiry inside the limit");
    assert_eq!(beyond(&mut fixture), ["Longue"]);

    // Without a limit, nothing is beyond it.
    limit(&mut fixture, None).expect("no limit");
    assert!(beyond(&mut fixture).is_empty());
}

#[test]
fn an_imported_key_must_expire_within_its_services_maximum_lifetime() {
    let mut fixture = Fixture::new();
    limit(&mut fixture, Some(366)).expect("limit");
    let admin = fixture.admin.clone();
    let file = "service;nom;identifiant;secret;expiration\n\
                Paie;Sans fin;paie_sans-fin-1;Le-secret-de-la-paie-2019!;\n\
                Paie;Dix ans;paie_dix-ans-1;Un-autre-secret-bien-long!;2036-01-01\n";
    let preview = fixture
        .sesame
        .preview_import(&admin, file.as_bytes())
        .expect("preview");
    let problems: Vec<(u64, &str)> = preview
        .problems
        .iter()
        .map(|p| (p.line, p.error.code()))
        .collect();
    assert_eq!(
        problems,
        [(2, "expiry_required"), (3, "expiry_beyond_lifetime")]
    );
}
