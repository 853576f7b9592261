//! The key list's filters, sorting and paging.

use chrono::Duration;
use sesame_core::key::{KeyFilter, KeySort, KeyStatus, NewKey};

use crate::support::Fixture;

fn names(fixture: &Fixture, filter: &KeyFilter) -> (Vec<String>, u64) {
    let page = fixture.sesame.keys(&fixture.admin, filter).expect("list");
    (page.keys.into_iter().map(|k| k.name).collect(), page.total)
}

#[test]
fn filters_combine_and_reset() {
    let mut fixture = Fixture::new();
    let second_service = sesame_core::service::ServiceDraft {
        name: "GED".into(),
        prefix: "ged".into(),
        ..Default::default()
    };
    fixture
        .sesame
        .create_service(&fixture.admin, &second_service)
        .expect("service");
    fixture.create("Paie active");
    fixture.create("Paie inactive");
    fixture.create("Paie révoquée");
    let now = fixture.sesame.now();
    let expiring = NewKey {
        service: "Paie".into(),
        name: "Paie expirée".into(),
        expires_at: Some(now + Duration::hours(1)),
        ..NewKey::default()
    };
    fixture
        .sesame
        .create_key(&fixture.admin, &expiring)
        .expect("create");
    let restricted = NewKey {
        service: "GED".into(),
        name: "GED Dupont".into(),
        companies: vec!["Dupont SARL".into()],
        ..NewKey::default()
    };
    fixture
        .sesame
        .create_key(&fixture.admin, &restricted)
        .expect("create");
    fixture
        .sesame
        .deactivate_key(&fixture.admin, "Paie inactive")
        .expect("deactivate");
    fixture
        .sesame
        .revoke_key(&fixture.admin, "Paie révoquée", "test")
        .expect("revoke");
    fixture.clock.advance(Duration::hours(2));

    let status = |status| KeyFilter {
        status: Some(status),
        sort: KeySort::Name,
        ..KeyFilter::default()
    };
    assert_eq!(
        names(&fixture, &status(KeyStatus::Active)).0,
        ["GED Dupont", "Paie active"]
    );
    assert_eq!(
        names(&fixture, &status(KeyStatus::Inactive)).0,
        ["Paie inactive"]
    );
    assert_eq!(
        names(&fixture, &status(KeyStatus::Revoked)).0,
        ["Paie révoquée"]
    );
    assert_eq!(
        names(&fixture, &status(KeyStatus::Expired)).0,
        ["Paie expirée"]
    );
    let by_service = KeyFilter {
        service: Some("GED".into()),
        ..KeyFilter::default()
    };
    assert_eq!(names(&fixture, &by_service).0, ["GED Dupont"]);
    let by_company = KeyFilter {
        company: Some("dupont sarl".into()),
        ..KeyFilter::default()
    };
    assert_eq!(names(&fixture, &by_company).0, ["GED Dupont"]);
    let contains = KeyFilter {
        name_contains: "RÉVO".into(),
        ..KeyFilter::default()
    };
    assert_eq!(names(&fixture, &contains).0, ["Paie révoquée"]);
    let by_creator = KeyFilter {
        creator: Some(crate::support::ADMIN.into()),
        ..KeyFilter::default()
    };
    assert_eq!(names(&fixture, &by_creator).1, 5);
    let combined = KeyFilter {
        service: Some("Paie".into()),
        status: Some(KeyStatus::Active),
        name_contains: "paie".into(),
        ..KeyFilter::default()
    };
    assert_eq!(names(&fixture, &combined).0, ["Paie active"]);
    assert_eq!(
        names(&fixture, &KeyFilter::default()).1,
        5,
        "no criteria: every key"
    );
    let unknown = KeyFilter {
        company: Some("Inconnue".into()),
        ..KeyFilter::default()
    };
    assert_eq!(
        fixture
            .sesame
            .keys(&fixture.admin, &unknown)
            .err()
            .map(|e| e.code()),
        Some("company_not_found")
    );
}

#[test]
fn pages_cover_every_key_once_in_order() {
    let mut fixture = Fixture::new();
    for index in 0..23 {
        fixture.create(&format!("clé {index:02}"));
        fixture.clock.advance(Duration::seconds(1));
    }
    let mut seen = Vec::new();
    for page in 0..3 {
        let filter = KeyFilter {
            offset: page * 10,
            limit: 10,
            ..KeyFilter::default()
        };
        let (names, total) = names(&fixture, &filter);
        assert_eq!(total, 23);
        seen.extend(names);
    }
    let expected: Vec<String> = (0..23).rev().map(|i| format!("clé {i:02}")).collect();
    assert_eq!(seen, expected, "newest first, no repeats, no gaps");
    let by_name = KeyFilter {
        sort: KeySort::Name,
        limit: 3,
        ..KeyFilter::default()
    };
    assert_eq!(names(&fixture, &by_name).0, ["clé 00", "clé 01", "clé 02"]);
}

#[test]
fn health_checks_are_filters_on_the_key_list() {
    use sesame_core::key::{Health, KeyEdit};
    use sesame_core::secret::ExposeSecret;
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let used = fixture.create("utilisée");
    let idle = fixture.create("dormante");
    let expiring = fixture.create("bientôt expirée");
    let refused = fixture.create("révoquée puis essayée");
    let regenerated = fixture.create("régénérée");
    let start = fixture.sesame.now();
    let edit = KeyEdit {
        expires_at: Some(Some(start + chrono::Duration::days(400))),
        ..KeyEdit::default()
    };
    fixture
        .sesame
        .edit_key(&admin, &expiring.key.id, &edit)
        .expect("expiry");
    fixture
        .sesame
        .revoke_key(&admin, &refused.key.id, "fuite")
        .expect("revoke");
    let _ = idle;
    // A year and a bit later.
    fixture.clock.advance(chrono::Duration::days(380));
    let bearer = used.bearer();
    fixture
        .sesame
        .verify_bearer(bearer.expose_secret(), None, None)
        .expect("verify");
    fixture
        .sesame
        .verify_bearer(refused.bearer().expose_secret(), None, None)
        .expect("verify");
    fixture
        .sesame
        .regenerate_key(&admin, &regenerated.key.id, sesame_core::key::Grace::Now)
        .expect("regenerate");
    fixture.sesame.flush_usage().expect("flush");

    let names = |fixture: &mut Fixture, health: Health| {
        let filter = KeyFilter {
            health: Some(health),
            ..KeyFilter::default()
        };
        let mut names: Vec<String> = fixture
            .sesame
            .keys(&admin, &filter)
            .expect("list")
            .keys
            .into_iter()
            .map(|k| k.name)
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        names(&mut fixture, Health::Unused),
        ["bientôt expirée", "dormante", "régénérée"]
    );
    assert_eq!(
        names(&mut fixture, Health::NoExpiry),
        ["dormante", "régénérée", "utilisée"]
    );
    assert_eq!(
        names(&mut fixture, Health::NotRegenerated),
        ["bientôt expirée", "dormante", "utilisée"]
    );
    assert_eq!(
        names(&mut fixture, Health::ExpiringSoon),
        ["bientôt expirée"]
    );
    assert_eq!(
        names(&mut fixture, Health::RefusedAttempts),
        ["révoquée puis essayée"]
    );
}

/// Free tags and a contact per key: written, shown, edited, filtered, offered as people type,
/// and in the credential report.
#[test]
fn keys_carry_tags_and_a_contact_and_are_filtered_by_tag() {
    use sesame_core::key::{KeyEdit, KeyFilter, NewKey};
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let make = |name: &str, tags: &[&str], contact: &str| NewKey {
        service: "Paie".into(),
        name: name.into(),
        permissions: vec!["factures:lecture".into()],
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        contact: contact.into(),
        ..NewKey::default()
    };
    let tagged = fixture
        .sesame
        .create_key(
            &admin,
            &make(
                "Paie externe",
                &["Externe, paie", "paie"],
                "Claire Dubois 06 12 34 56 78",
            ),
        )
        .expect("key");
    assert_eq!(tagged.key.tags, ["externe", "paie"]);
    assert_eq!(tagged.key.contact, "Claire Dubois 06 12 34 56 78");
    fixture
        .sesame
        .create_key(&admin, &make("Interne", &["interne"], ""))
        .expect("key");
    let with = |fixture: &mut Fixture, tag: &str| -> Vec<String> {
        let filter = KeyFilter {
            tag: Some(tag.into()),
            ..KeyFilter::default()
        };
        fixture
            .sesame
            .keys(&admin, &filter)
            .expect("keys")
            .keys
            .into_iter()
            .map(|k| k.name)
            .collect()
    };
    assert_eq!(with(&mut fixture, "Externe"), ["Paie externe"]);
    assert_eq!(
        fixture.sesame.key_tags(&admin).expect("tags"),
        ["externe", "interne", "paie"]
    );
    let edit = KeyEdit {
        tags: Some(vec!["interne".into()]),
        contact: Some("support@cabinet.example".into()),
        ..KeyEdit::default()
    };
    fixture
        .sesame
        .edit_key(&admin, &tagged.key.id, &edit)
        .expect("edit");
    assert_eq!(with(&mut fixture, "interne").len(), 2);
    assert!(with(&mut fixture, "externe").is_empty());
    let too_long = make("Mal étiquetée", &[&"x".repeat(33)], "");
    let refused = fixture
        .sesame
        .create_key(&admin, &too_long)
        .expect_err("refused");
    assert_eq!(
        (refused.code(), refused.field().map(|f| f.code())),
        ("too_long", Some("tag"))
    );
    let mut report = Vec::new();
    fixture
        .sesame
        .credential_report(&admin, sesame_core::Lang::Fr, &mut report)
        .expect("report");
    let report = String::from_utf8(report).expect("utf-8");
    assert!(
        report
            .lines()
            .next()
            .is_some_and(|header| header.ends_with("Étiquettes;Contact"))
    );
    assert!(report.contains("support@cabinet.example"), "{report}");
}

/// The calendar of expiries: one all-day event per key still working that expires within the
/// window, on its last valid day, with a reminder a week before; read back by an iCalendar
/// parser.
#[test]
fn the_calendar_of_expiries_has_one_event_per_key_with_a_reminder() {
    use chrono::Duration;
    use sesame_core::key::NewKey;
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let now = fixture.sesame.now();
    let make = |name: &str, days: Option<i64>| NewKey {
        service: "Paie".into(),
        name: name.into(),
        permissions: vec!["factures:lecture".into()],
        expires_at: days.map(|days| now + Duration::days(days)),
        ..NewKey::default()
    };
    for (name, days) in [
        ("Bientôt", Some(10)),
        ("Plus tard", Some(20)),
        ("Loin", Some(200)),
        ("Sans fin", None),
    ] {
        fixture
            .sesame
            .create_key(&admin, &make(name, days))
            .expect(name);
    }
    fixture
        .sesame
        .create_key(&admin, &make("Révoquée", Some(5)))
        .expect("key");
    fixture
        .sesame
        .revoke_key(&admin, "Révoquée", "fin")
        .expect("revoke");
    let expiring = fixture.sesame.expiring_keys(&admin, 30).expect("expiring");
    let names: Vec<&str> = expiring.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names,
        ["Bientôt", "Plus tard"],
        "soonest first, live keys only"
    );

    let text = fixture
        .sesame
        .expiry_calendar(&admin, 30, sesame_core::Lang::Fr)
        .expect("calendar");
    let unfolded = icalendar::parser::unfold(&text);
    let calendar = icalendar::parser::read_calendar(&unfolded).expect("RFC 5545");
    let events: Vec<_> = calendar
        .components
        .iter()
        .filter(|component| component.name == "VEVENT")
        .collect();
    assert_eq!(events.len(), 2);
    let first = events[0];
    let summary = first.find_prop("SUMMARY").expect("summary").val.to_string();
    assert_eq!(summary, "Fin de la clé « Bientôt » (Paie)");
    let start = first.find_prop("DTSTART").expect("start");
    let last_day = (expiring[0].expires_at.expect("expiry") - Duration::milliseconds(1))
        .with_timezone(&chrono::Local)
        .format("%Y%m%d")
        .to_string();
    assert_eq!(
        start.val.to_string(),
        last_day,
        "an all-day event on the last valid day"
    );
    let alarm = first
        .components
        .iter()
        .find(|component| component.name == "VALARM")
        .expect("a reminder");
    let trigger = alarm.find_prop("TRIGGER").expect("trigger").val.to_string();
    assert!(
        ["-P7D", "-PT604800S"].contains(&trigger.as_str()),
        "a week before: {trigger}"
    );
}

/// The total shown above the list is the number of keys the list holds, for every combination
/// of company, service and status, through creations, edits of companies and expiry, status
/// changes, deletions and time passing expiries (on PostgreSQL the total is added up from the
/// counts its triggers keep, so this is what proves them right).
#[test]
fn the_total_is_always_the_number_of_keys_listed() {
    use sesame_core::key::KeyEdit;
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let ged = sesame_core::service::ServiceDraft {
        name: "GED".into(),
        prefix: "ged".into(),
        ..Default::default()
    };
    fixture
        .sesame
        .create_service(&admin, &ged)
        .expect("service");
    let now = fixture.sesame.now();
    for n in 0..24 {
        let key = NewKey {
            service: if n % 3 == 0 { "GED" } else { "Paie" }.into(),
            name: format!("clé {n}"),
            companies: match n % 4 {
                0 => vec![],
                1 => vec!["Dupont SARL".into()],
                2 => vec!["Martin SA".into()],
                _ => vec!["Dupont SARL".into(), "Martin SA".into()],
            },
            expires_at: (n % 5 == 0).then(|| now + Duration::days(n + 1)),
            ..NewKey::default()
        };
        fixture.sesame.create_key(&admin, &key).expect("create");
    }
    let check = |fixture: &Fixture, stage: &str| {
        for status in [
            None,
            Some(KeyStatus::Active),
            Some(KeyStatus::Inactive),
            Some(KeyStatus::Revoked),
            Some(KeyStatus::Expired),
        ] {
            for service in [None, Some("Paie"), Some("GED")] {
                for company in [None, Some("Dupont SARL"), Some("Martin SA")] {
                    let filter = KeyFilter {
                        status,
                        service: service.map(str::to_owned),
                        company: company.map(str::to_owned),
                        limit: 500,
                        ..KeyFilter::default()
                    };
                    let (listed, total) = names(fixture, &filter);
                    assert_eq!(
                        total,
                        listed.len() as u64,
                        "{stage}: {status:?} {service:?} {company:?}"
                    );
                }
            }
        }
    };
    check(&fixture, "created");
    fixture
        .sesame
        .deactivate_key(&admin, "clé 1")
        .expect("deactivate");
    fixture
        .sesame
        .revoke_key(&admin, "clé 2", "essai")
        .expect("revoke");
    fixture
        .sesame
        .revoke_key(&admin, "clé 5", "essai")
        .expect("revoke");
    let edit =
        |companies: Vec<&str>, expires: Option<Option<chrono::DateTime<chrono::Utc>>>| KeyEdit {
            companies: Some(companies.into_iter().map(str::to_owned).collect()),
            expires_at: expires,
            ..KeyEdit::default()
        };
    fixture
        .sesame
        .edit_key(
            &admin,
            "clé 3",
            &edit(vec!["Martin SA"], Some(Some(now + Duration::days(2)))),
        )
        .expect("edit");
    fixture
        .sesame
        .edit_key(&admin, "clé 10", &edit(vec![], Some(None)))
        .expect("edit");
    fixture.sesame.delete_key(&admin, "clé 7").expect("delete");
    fixture.sesame.delete_key(&admin, "clé 2").expect("delete");
    check(&fixture, "changed");
    fixture.clock.advance(Duration::days(12));
    check(&fixture, "some expired");
}

/// « Nom contient » takes the text literally: `%`, `_` and `\` are characters like any other,
/// not patterns.
#[test]
fn the_name_filter_takes_percent_underscore_and_backslash_literally() {
    let mut fixture = Fixture::new();
    for name in [
        "remise 100%",
        "remise 1000",
        "code_a",
        "codexa",
        r"dossier\b",
        "dossierab",
    ] {
        fixture.create(name);
    }
    let containing = |text: &str| KeyFilter {
        name_contains: text.into(),
        sort: KeySort::Name,
        ..KeyFilter::default()
    };
    assert_eq!(
        names(&fixture, &containing("100%")),
        (vec!["remise 100%".to_owned()], 1)
    );
    assert_eq!(
        names(&fixture, &containing("e_a")),
        (vec!["code_a".to_owned()], 1)
    );
    assert_eq!(
        names(&fixture, &containing(r"r\b")),
        (vec![r"dossier\b".to_owned()], 1)
    );
    assert_eq!(names(&fixture, &containing("REMISE")).1, 2);
}

/// A French office searches without accents and without case: « etat » finds « État civil »,
/// « societe » finds « Société Générale », the same on both engines, for keys and services.
#[test]
fn names_are_searched_without_regard_to_accents_or_case() {
    let mut fixture = Fixture::new();
    for name in ["État civil", "Société Générale", "Etat des lieux", "Paie"] {
        fixture.create(name);
    }
    let containing = |text: &str| KeyFilter {
        name_contains: text.into(),
        sort: KeySort::Name,
        ..KeyFilter::default()
    };
    let etat = (
        vec!["Etat des lieux".to_owned(), "État civil".to_owned()],
        2,
    );
    for text in ["etat", "ÉTAT", "état", "Etat"] {
        assert_eq!(names(&fixture, &containing(text)), etat, "{text}");
    }
    for text in ["societe", "SOCIÉTÉ GÉN", "générale"] {
        assert_eq!(
            names(&fixture, &containing(text)),
            (vec!["Société Générale".to_owned()], 1),
            "{text}"
        );
    }
    let service = sesame_core::service::ServiceDraft {
        name: "Télédéclaration".into(),
        description: "Dépôt des déclarations à l'URSSAF".into(),
        prefix: "tele".into(),
        ..Default::default()
    };
    fixture
        .sesame
        .create_service(&fixture.admin, &service)
        .expect("service");
    for text in ["teledeclaration", "TÉLÉ", "depot", "URSSAF"] {
        let filter = sesame_core::service::ServiceFilter {
            text: text.into(),
            ..Default::default()
        };
        let found: Vec<String> = fixture
            .sesame
            .services(&fixture.admin, &filter)
            .expect("services")
            .into_iter()
            .map(|service| service.name)
            .collect();
        assert_eq!(found, ["Télédéclaration"], "{text}");
    }
}

/// The credential report reads every page from one moment: keys created by another
/// administrator while the first page is being written neither shift the second page (a row
/// twice) nor appear in it. 520 keys imported with a hash (no argon2id), three more created
/// from another connection when the report first writes.
#[test]
fn the_credential_report_reads_one_moment_while_keys_are_created() {
    use std::io::Write;
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let hash = sesame_core::password::HashingCost::default()
        .hash(b"un-secret-importe-0001")
        .expect("hash");
    let mut file = String::from("Service;Nom de la clé;Identifiant;Empreinte\n");
    for n in 0..520 {
        file.push_str(&format!("Paie;Importée {n:03};paie_import-{n:03};{hash}\n"));
    }
    let imported = fixture
        .sesame
        .import_keys(
            &admin,
            file.as_bytes(),
            &|_| {},
            &std::sync::atomic::AtomicBool::new(false),
        )
        .expect("import");
    assert_eq!(imported.imported, 520);
    let mut other = fixture.reopen();
    let other_admin = other
        .sign_in(crate::support::ADMIN, &crate::support::password())
        .expect("sign in");

    /// Writes the report to memory; on its second write (the first rows), another
    /// administrator creates three keys.
    struct Meanwhile<'a> {
        written: Vec<u8>,
        writes: usize,
        other: &'a mut sesame_core::Sesame,
        admin: &'a sesame_core::Session,
    }
    impl Write for Meanwhile<'_> {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.writes += 1;
            if self.writes == 2 {
                for n in 0..3 {
                    let key = NewKey {
                        service: "Paie".into(),
                        name: format!("Créée pendant le rapport {n}"),
                        ..NewKey::default()
                    };
                    self.other.create_key(self.admin, &key).expect("create");
                }
            }
            self.written.extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Meanwhile {
        written: Vec::new(),
        writes: 0,
        other: &mut other,
        admin: &other_admin,
    };
    let rows = fixture
        .sesame
        .credential_report(&admin, sesame_core::Lang::Fr, &mut out)
        .expect("report");
    assert!(
        out.writes > 2,
        "keys were created while the report was written"
    );
    let report = String::from_utf8(out.written).expect("utf-8");
    let names: Vec<&str> = report
        .lines()
        .skip(1)
        .filter_map(|line| {
            line.split(';')
                .find(|cell| cell.starts_with("Importée") || cell.starts_with("Créée"))
        })
        .collect();
    let mut distinct = names.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        (rows, names.len(), distinct.len()),
        (520, 520, 520),
        "each key once"
    );
    assert!(
        !names.iter().any(|name| name.starts_with("Créée")),
        "none from after"
    );
    let total = fixture
        .sesame
        .keys(&admin, &KeyFilter::default())
        .expect("list")
        .total;
    assert_eq!(total, 523);
}
