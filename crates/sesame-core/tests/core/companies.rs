//! Client companies: added with the office's client code, SIREN and town; renamed; archived
//! (offered to no new key, kept by the keys that have it) and restored; never deleted; read by
//! anyone signed in, changed only with the configuration right; every change audited.

use sesame_core::company::CompanyDraft;
use sesame_core::key::{KeyEdit, NewKey};
use sesame_core::{Rights, Session};

use crate::support::Fixture;

fn draft(name: &str, code: &str, siren: &str, town: &str) -> CompanyDraft {
    CompanyDraft {
        name: name.into(),
        client_code: code.into(),
        siren: siren.into(),
        town: town.into(),
    }
}

fn new_key(name: &str, companies: &[&str]) -> NewKey {
    NewKey {
        service: "Paie".into(),
        name: name.into(),
        permissions: vec!["factures:lecture".into()],
        companies: companies.iter().map(|c| (*c).to_owned()).collect(),
        expires_at: None,
        note: String::new(),
        tags: vec![],
        contact: String::new(),
    }
}

fn reader(fixture: &mut Fixture) -> Session {
    let rights = Rights {
        configuration: false,
        audit: false,
    };
    fixture.signed_in_operator("Lectrice", rights)
}

#[test]
fn a_company_is_added_with_the_offices_fields_and_found_by_each() {
    let mut fixture = Fixture::new();
    let company = fixture
        .sesame
        .add_company(
            &fixture.admin,
            &draft(
                "Futuroscope SA",
                "95963",
                "552 100 554",
                "Futuroscope Cedex",
            ),
        )
        .expect("add");
    assert_eq!(company.siren.as_deref(), Some("552100554"));
    assert_eq!(company.client_code.as_deref(), Some("95963"));
    for reference in [
        "Futuroscope SA",
        "futuroscope sa",
        "95963",
        "552100554",
        "552 100 554",
    ] {
        let found = fixture
            .sesame
            .company(&fixture.admin, reference)
            .expect(reference);
        assert_eq!(found.id, company.id, "{reference}");
    }
    // A key restricted to it by its client code.
    fixture
        .sesame
        .create_key(&fixture.admin, &new_key("Portail", &["95963"]))
        .expect("key");
    let listed = fixture.sesame.companies(&fixture.admin).expect("list");
    assert_eq!(
        listed.iter().find(|c| c.id == company.id).map(|c| c.keys),
        Some(1)
    );
    // The credential report names it as the office does: its name and client code.
    let mut report = Vec::new();
    fixture
        .sesame
        .credential_report(&fixture.admin, sesame_core::Lang::Fr, &mut report)
        .expect("report");
    let report = String::from_utf8(report).expect("utf-8");
    assert!(report.contains("Futuroscope SA (95963)"), "{report}");
}

/// One company's name that is another's client code names neither for sure: refused in words,
/// on both engines, and nothing is written; each is still found by its other fields.
#[test]
fn a_reference_that_names_two_companies_is_refused() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let named = fixture
        .sesame
        .add_company(&admin, &draft("D42", "", "", ""))
        .expect("add");
    let coded = fixture
        .sesame
        .add_company(&admin, &draft("Durand et fils", "D42", "", ""))
        .expect("add");
    let ambiguous = fixture.sesame.company(&admin, "D42");
    assert_eq!(
        ambiguous.as_ref().map_err(|e| e.code()).err(),
        Some("company_ambiguous"),
        "{ambiguous:?}"
    );
    let message = ambiguous.err().map(|e| e.message(sesame_core::Lang::Fr));
    assert!(
        message
            .as_deref()
            .is_some_and(|m| m.contains("désigne plusieurs sociétés")),
        "{message:?}"
    );
    let refused = fixture
        .sesame
        .create_key(&admin, &new_key("Portail", &["D42"]));
    assert_eq!(
        refused.map_err(|e| e.code()).err(),
        Some("company_ambiguous")
    );
    assert!(fixture.sesame.key(&admin, "Portail").is_err());
    let by_name = fixture
        .sesame
        .company(&admin, "Durand et fils")
        .expect("name");
    assert_eq!(by_name.id, coded.id);
    let by_id = fixture.sesame.company(&admin, &named.id).expect("id");
    assert_eq!(by_id.id, named.id);
}

#[test]
fn bad_fields_are_refused_and_change_nothing() {
    let mut fixture = Fixture::new();
    fixture
        .sesame
        .add_company(&fixture.admin, &draft("Bernard SAS", "D1", "732829320", ""))
        .expect("add");
    let cases = [
        (draft("Martin", "", "732829321", ""), "siren_invalid"),
        (draft("Martin", "", "12345", ""), "siren_invalid"),
        (draft("Martin", "", "732 829 320", ""), "siren_taken"),
        (draft("Martin", "D1", "", ""), "client_code_taken"),
        (draft("bernard sas", "", "", ""), "company_name_taken"),
        (draft(" ", "", "", ""), "empty"),
        (draft("Martin", "", "", &"x".repeat(101)), "too_long"),
    ];
    for (bad, code) in cases {
        let refused = fixture.sesame.add_company(&fixture.admin, &bad);
        assert_eq!(refused.err().map(|e| e.code()), Some(code), "{bad:?}");
    }
    let count = fixture
        .sesame
        .companies(&fixture.admin)
        .expect("list")
        .len();
    assert_eq!(count, 3, "the fixture's two and Bernard SAS");
    // The field each message belongs beside.
    let refused = fixture
        .sesame
        .add_company(&fixture.admin, &draft("Martin", "", "111", ""))
        .expect_err("refused");
    assert_eq!(refused.field().map(|f| f.code()), Some("siren"));
}

#[test]
fn an_archived_company_is_offered_to_no_new_key_and_kept_by_its_keys() {
    let mut fixture = Fixture::new();
    let company = fixture
        .sesame
        .add_company(&fixture.admin, &draft("Ancien client", "", "", ""))
        .expect("add");
    let key = fixture
        .sesame
        .create_key(&fixture.admin, &new_key("Accès ancien", &["Ancien client"]))
        .expect("key");
    fixture
        .sesame
        .set_company_archived(&fixture.admin, "Ancien client", true)
        .expect("archive");
    let again = fixture
        .sesame
        .set_company_archived(&fixture.admin, "Ancien client", true);
    assert_eq!(again.err().map(|e| e.code()), Some("company_archived"));
    // Not offered, not accepted for a new key.
    let offered = fixture.sesame.companies(&fixture.admin).expect("list");
    assert!(offered.iter().all(|c| c.id != company.id));
    let refused = fixture
        .sesame
        .create_key(&fixture.admin, &new_key("Nouvel accès", &["Ancien client"]));
    assert_eq!(refused.err().map(|e| e.code()), Some("company_archived"));
    // The key that has it keeps it, and may be edited keeping it; adding it elsewhere is refused.
    let kept = fixture
        .sesame
        .key(&fixture.admin, &key.key.id)
        .expect("key");
    assert_eq!(kept.companies.len(), 1);
    let note = KeyEdit {
        note: Some("toujours utile".into()),
        companies: Some(vec![company.id.clone()]),
        ..KeyEdit::default()
    };
    fixture
        .sesame
        .edit_key(&fixture.admin, &key.key.id, &note)
        .expect("edit keeping it");
    let other = fixture
        .sesame
        .create_key(&fixture.admin, &new_key("Autre", &[]))
        .expect("other");
    let adding = KeyEdit {
        companies: Some(vec![company.id.clone()]),
        ..KeyEdit::default()
    };
    let refused = fixture
        .sesame
        .edit_key(&fixture.admin, &other.key.id, &adding);
    assert_eq!(refused.err().map(|e| e.code()), Some("company_archived"));
    // Listed with the archived ones, then restored.
    let all = fixture
        .sesame
        .companies_with_archived(&fixture.admin, true)
        .expect("all");
    assert!(
        all.iter()
            .any(|c| c.id == company.id && c.archived_at.is_some())
    );
    fixture
        .sesame
        .set_company_archived(&fixture.admin, &company.id, false)
        .expect("restore");
    fixture
        .sesame
        .create_key(&fixture.admin, &new_key("Nouvel accès", &["Ancien client"]))
        .expect("offered again");
}

#[test]
fn anyone_reads_the_companies_only_the_configuration_right_changes_them_and_all_is_audited() {
    let mut fixture = Fixture::new();
    let reader = reader(&mut fixture);
    assert!(!fixture.sesame.companies(&reader).expect("read").is_empty());
    let refused = [
        fixture
            .sesame
            .add_company(&reader, &draft("Martin", "", "", ""))
            .map(drop),
        fixture
            .sesame
            .edit_company(&reader, "Dupont SARL", &draft("Renommée", "", "", ""))
            .map(drop),
        fixture
            .sesame
            .set_company_archived(&reader, "Dupont SARL", true)
            .map(drop),
    ];
    for result in refused {
        assert_eq!(result.err().map(|e| e.code()), Some("right_missing"));
    }
    let renamed = fixture
        .sesame
        .edit_company(
            &fixture.admin,
            "Dupont SARL",
            &draft("Dupont & Fils", "", "", "Lyon"),
        )
        .expect("rename");
    assert_eq!(renamed.name, "Dupont & Fils");
    fixture
        .sesame
        .set_company_archived(&fixture.admin, "Dupont & Fils", true)
        .expect("archive");
    fixture
        .sesame
        .set_company_archived(&fixture.admin, "Dupont & Fils", false)
        .expect("restore");
    let actions: Vec<String> = fixture
        .events_starting_with("company.")
        .into_iter()
        .map(|event| event.action)
        .collect();
    assert!(
        actions.ends_with(&[
            "company.edited".to_owned(),
            "company.archived".to_owned(),
            "company.restored".to_owned()
        ]),
        "{actions:?}"
    );
    assert_eq!(fixture.events_starting_with("access.refused").len(), 3);
}
