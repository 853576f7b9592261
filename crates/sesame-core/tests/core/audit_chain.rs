//! Every change writes its audit event; the chain verifies and cannot be edited in place.

use sesame_core::audit::ChainBreak;
use sesame_core::key::Grace;

use crate::support::Fixture;

#[test]
fn every_change_is_recorded_in_order() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("K");
    fixture
        .sesame
        .deactivate_key(&fixture.admin, "K")
        .expect("deactivate");
    fixture
        .sesame
        .reactivate_key(&fixture.admin, "K")
        .expect("reactivate");
    fixture
        .sesame
        .regenerate_key(&fixture.admin, "K", Grace::OneHour)
        .expect("regenerate");
    fixture
        .sesame
        .revoke_key(&fixture.admin, "K", "fin du contrat")
        .expect("revoke");
    fixture
        .sesame
        .delete_key(&fixture.admin, "K")
        .expect("delete");
    let actions: Vec<String> = fixture
        .sesame
        .audit_events_for(&fixture.admin, &issued.key.id)
        .expect("events")
        .into_iter()
        .map(|event| event.action)
        .collect();
    assert_eq!(
        actions,
        [
            "key.created",
            "key.deactivated",
            "key.reactivated",
            "key.regenerated",
            "key.revoked",
            "key.deleted"
        ]
    );
    let all = fixture
        .sesame
        .audit_events(&fixture.admin, 0, 1000)
        .expect("events");
    let head: Vec<&str> = all.iter().take(4).map(|e| e.action.as_str()).collect();
    assert_eq!(
        head,
        [
            "operator.created",
            "service.created",
            "company.created",
            "company.created"
        ]
    );
    assert!(
        all.iter()
            .all(|e| e.operator_name.as_deref() == Some(crate::support::ADMIN))
    );
    let report = fixture.sesame.check_audit_chain().expect("check");
    assert_eq!(report.first_broken, None);
    assert_eq!(report.events, all.len() as u64);
}

#[test]
fn the_store_refuses_to_edit_or_delete_events() {
    let fixture = Fixture::new();
    let update = fixture.try_outside("UPDATE audit_events SET action = 'rien' WHERE seq = 1");
    assert!(update.is_err_and(|e| e.contains("append-only")));
    let delete = fixture.try_outside("DELETE FROM audit_events WHERE seq = 1");
    assert!(delete.is_err_and(|e| e.contains("append-only")));
}

#[test]
fn tampering_around_the_triggers_is_detected() {
    let fixture = Fixture::new();
    // Someone with the file (or the database's owner) in hand drops the trigger and rewrites an
    // event.
    let drop_trigger = match crate::support::on_postgres() {
        true => "DROP TRIGGER audit_events_refuse_change ON audit_events;",
        false => "DROP TRIGGER audit_events_refuse_update;",
    };
    fixture.outside(&format!(
        "{drop_trigger} UPDATE audit_events SET target_name = 'Paye' WHERE seq = 2;"
    ));
    let report = fixture.reopen().check_audit_chain().expect("check");
    assert_eq!(report.first_broken, Some((2, ChainBreak::BadHash)));
}

#[test]
fn the_audit_screen_filters_pages_and_checks_the_chain_incrementally() {
    use sesame_core::journal::AuditFilter;
    let mut fixture = crate::support::Fixture::new();
    let admin = fixture.admin.clone();
    for name in ["un", "deux", "trois"] {
        let key = fixture.create(name);
        fixture
            .sesame
            .revoke_key(&admin, &key.key.id, "essai")
            .expect("revoke");
    }
    let page = |fixture: &mut crate::support::Fixture, filter: AuditFilter| {
        fixture.sesame.audit_page(&admin, &filter).expect("page")
    };
    let revoked = page(
        &mut fixture,
        AuditFilter {
            action: Some("key.revoked".into()),
            limit: 50,
            ..AuditFilter::default()
        },
    );
    assert_eq!(revoked.len(), 3);
    assert!(
        revoked.windows(2).all(|w| w[0].seq > w[1].seq),
        "newest first"
    );
    let keys = page(
        &mut fixture,
        AuditFilter {
            action: Some("key.".into()),
            target: Some("deux".into()),
            limit: 50,
            ..AuditFilter::default()
        },
    );
    assert_eq!(keys.len(), 2, "created and revoked");
    let older = page(
        &mut fixture,
        AuditFilter {
            before_seq: Some(revoked[0].seq),
            limit: 2,
            ..AuditFilter::default()
        },
    );
    assert_eq!(older.len(), 2);
    assert!(older.iter().all(|e| e.seq < revoked[0].seq));

    let first = fixture.sesame.audit_chain_status().expect("status");
    assert_eq!(first.first_broken, None);
    assert_eq!(first.checked_to, first.events);
    fixture.create("quatre");
    let second = fixture.sesame.audit_chain_status().expect("status");
    assert_eq!(second.checked_to, second.events);
    assert!(second.events > first.events);
}

/// The journal reads as sentences: each event worded from the catalogue with its details as
/// labelled fields, dates in the interface's language; the raw form is unchanged.
#[test]
fn the_journal_reads_as_sentences_in_both_languages() {
    use sesame_core::journal::word_event;
    use sesame_core::{AuditAction, Lang};
    let mut fixture = Fixture::new();
    let key = fixture.create("Comptable externe");
    fixture
        .sesame
        .regenerate_key(&fixture.admin, &key.key.id, Grace::OneDay)
        .expect("regenerate");
    // Other events to word: a lifecycle, an edit with before and after, a refused sign-in.
    fixture.create("Autre");
    let sesame = &mut fixture.sesame;
    sesame
        .deactivate_key(&fixture.admin, "Autre")
        .expect("deactivate");
    sesame
        .reactivate_key(&fixture.admin, "Autre")
        .expect("reactivate");
    let edit = sesame_core::key::KeyEdit {
        note: Some("Portail client".into()),
        expires_at: Some(Some(
            sesame_core::validate::expiry_date("2031-12-17").expect("a day"),
        )),
        ..Default::default()
    };
    sesame
        .edit_key(&fixture.admin, "Autre", &edit)
        .expect("edit");
    sesame
        .revoke_key(&fixture.admin, "Autre", "Fin du contrat")
        .expect("revoke");
    sesame.delete_key(&fixture.admin, "Autre").expect("delete");
    sesame
        .record_copy(
            &fixture.admin,
            &key.key.identifier,
            sesame_core::vocab::CopyPart::Secret,
        )
        .expect("copy");
    let wrong = sesame_core::secret::secret_from("pas le bon mot de passe".to_owned());
    assert!(sesame.sign_in("Inconnu", &wrong).is_err());
    let events = fixture
        .sesame
        .audit_events(&fixture.admin, 0, u32::MAX)
        .expect("events");
    let regenerated = events
        .iter()
        .find(|event| event.action == AuditAction::KeyRegenerated.code())
        .expect("a regeneration event");
    let french = word_event(regenerated, Lang::Fr);
    assert!(
        french.sentence.starts_with(&format!(
            "{} a régénéré la clé « Comptable externe » (",
            fixture.admin.operator_name()
        )),
        "{}",
        french.sentence
    );
    assert!(
        french
            .sentence
            .contains("; l'ancien secret reste valable jusqu'au "),
        "{}",
        french.sentence
    );
    // The date is written the French way (JJ/MM/AAAA HH:MM), not as RFC 3339.
    let date = regex::Regex::new(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}").expect("regex");
    assert!(date.is_match(&french.sentence), "{}", french.sentence);
    assert!(!french.sentence.contains('T'), "{}", french.sentence);
    assert!(
        french
            .fields
            .iter()
            .any(|(label, value)| label == "Délai de grâce" && value == "24 heures"),
        "{:?}",
        french.fields
    );
    let english = word_event(regenerated, Lang::En);
    assert!(
        english
            .sentence
            .contains("regenerated the key “Comptable externe”"),
        "{}",
        english.sentence
    );
    // Every action this version records has its own sentence, never its code or a hole.
    for event in &events {
        for lang in [Lang::Fr, Lang::En] {
            let worded = word_event(event, lang);
            assert!(
                !worded.sentence.contains(&event.action),
                "{}",
                worded.sentence
            );
            assert!(!worded.sentence.contains('{'), "{}", worded.sentence);
        }
    }
    assert!(
        regenerated.details.contains("previous_secret_valid_until"),
        "raw form kept"
    );
    let edited = events
        .iter()
        .find(|event| event.action == AuditAction::KeyEdited.code())
        .expect("an edit event");
    let fields = word_event(edited, Lang::Fr).fields;
    assert!(
        fields
            .iter()
            .any(|(label, value)| label == "Note" && value == "— → Portail client"),
        "{fields:?}"
    );
    // An expiry reads as the list, the dialog and the calendar say it: the last valid day
    // (issue 23), not the instant it ends at midnight the day after.
    assert!(
        fields
            .iter()
            .any(|(label, value)| label == "Expiration" && value == "— → 17/12/2031"),
        "{fields:?}"
    );
    let english = word_event(edited, Lang::En).fields;
    assert!(
        english.iter().any(|(_, value)| value == "— → 2031-12-17"),
        "{english:?}"
    );
    // A status reads as the key list shows it (« Active »), not as its stored code.
    let deleted = events
        .iter()
        .find(|event| event.action == AuditAction::KeyDeleted.code())
        .expect("a deletion event");
    let fields = word_event(deleted, Lang::Fr).fields;
    assert!(
        fields
            .iter()
            .any(|(label, value)| label == "Statut" && value == "Révoquée"),
        "{fields:?}"
    );
    let copied = events
        .iter()
        .find(|event| event.action == AuditAction::KeyCopied.code())
        .expect("a copy event");
    let sentence = word_event(copied, Lang::Fr).sentence;
    assert!(
        sentence.ends_with("a copié le secret de la clé « Comptable externe » (Paie)"),
        "{sentence}"
    );
    let refused = events.last().expect("events");
    assert_eq!(
        word_event(refused, Lang::Fr).sentence,
        "Connexion refusée pour un nom inconnu"
    );
}

/// The events as they are, rewritten by someone holding the database but not the state key:
/// the append-only triggers dropped for a moment, `events` put in place of the trail.
fn rewrite_trail(fixture: &Fixture, events: &[sesame_core::audit::AuditEvent]) {
    let text = |value: &Option<String>| match value {
        Some(text) => format!("'{}'", text.replace('\'', "''")),
        None => "NULL".to_owned(),
    };
    let (drop_triggers, restore_triggers) = match crate::support::on_postgres() {
        true => (
            "ALTER TABLE audit_events DISABLE TRIGGER USER;",
            "ALTER TABLE audit_events ENABLE TRIGGER USER;",
        ),
        false => (
            "DROP TRIGGER audit_events_refuse_delete;",
            "CREATE TRIGGER audit_events_refuse_delete BEFORE DELETE ON audit_events
             BEGIN SELECT RAISE(ABORT, 'audit_events is append-only'); END;",
        ),
    };
    let mut sql = format!("{drop_triggers} DELETE FROM audit_events;");
    for event in events {
        sql.push_str(&format!(
            "INSERT INTO audit_events (seq, at, operator_id, operator_name, action, target_kind,
                 target_id, target_name, details, prev_hash, hash)
             VALUES ({}, {}, {}, {}, {}, {}, {}, {}, {}, '{}', '{}');",
            event.seq,
            event.at.timestamp_millis(),
            text(&event.operator_id),
            text(&event.operator_name),
            text(&Some(event.action.clone())),
            text(&event.target_kind),
            text(&event.target_id),
            text(&event.target_name),
            text(&Some(event.details.clone())),
            event.prev_hash,
            event.hash,
        ));
    }
    sql.push_str(restore_triggers);
    fixture.outside(&sql);
}

/// A rewriting of the trail by someone without the state key.
type Rewrite = fn(Vec<sesame_core::audit::AuditEvent>) -> Vec<sesame_core::audit::AuditEvent>;

/// Events re-chained from the first: numbered in order and re-hashed (SHA-256 needs no key).
fn rechained(
    mut events: Vec<sesame_core::audit::AuditEvent>,
) -> Vec<sesame_core::audit::AuditEvent> {
    let mut previous = sesame_core::audit::GENESIS_HASH.to_owned();
    for (n, event) in events.iter_mut().enumerate() {
        event.seq = n as i64 + 1;
        event.prev_hash = previous;
        event.hash = event.compute_hash();
        previous = event.hash.clone();
    }
    events
}

/// Whoever can write the database can cut the trail's last events, or delete one in the middle
/// and re-hash the rest: the trail's sealed head, moved in every transaction that appends, does
/// not move with them. The store check says so, and no signed export vouches for the trail.
#[test]
fn a_trail_cut_or_rewritten_outside_is_caught() {
    let cases: [(&str, Rewrite); 3] = [
        ("the last two events cut", |mut events| {
            events.truncate(events.len() - 2);
            events
        }),
        ("an event deleted and the rest re-hashed", |mut events| {
            events.remove(2);
            rechained(events)
        }),
        (
            "an event deleted, re-hashed, one forged at the end",
            |mut events| {
                events.remove(2);
                let mut forged = events.last().expect("events").clone();
                forged.details = "{}".into();
                events.push(forged);
                rechained(events)
            },
        ),
    ];
    for (what, rewrite) in cases {
        let mut fixture = Fixture::new();
        let admin = fixture.admin.clone();
        fixture.create("une clé");
        fixture
            .sesame
            .revoke_key(&admin, "une clé", "fuite")
            .expect("revoke");
        let events = fixture
            .sesame
            .audit_events(&admin, 0, u32::MAX)
            .expect("events");
        let rewritten = rewrite(events);
        // The rewritten trail is a whole chain by itself: only its head can tell.
        assert_eq!(
            sesame_core::audit::check_chain(rewritten.clone()).first_broken,
            None,
            "{what}"
        );
        rewrite_trail(&fixture, &rewritten);
        let mut reopened = fixture.reopen();
        let report = reopened.check_audit_chain().expect("check");
        assert_eq!(
            report.first_broken.map(|(_, why)| why),
            Some(ChainBreak::HeadMismatch),
            "{what}"
        );
        let checked = reopened.check_store(&admin).expect("store check");
        assert!(checked.chain_first_broken.is_some(), "{what}");
        let key = reopened
            .installation_key(&sesame_core::KeyringNamespace::named(
                "fr.sesame.admin.test",
            ))
            .expect("key");
        let refused = reopened
            .export_audit(&admin, &key, None, None, &mut Vec::new())
            .err()
            .map(|error| error.code());
        assert_eq!(refused, Some("audit_chain_broken"), "{what}");
    }
}

/// The head itself moved outside to fit a cut trail is not sealed: caught all the same.
#[test]
fn a_head_moved_outside_is_caught() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    fixture.create("une clé");
    let mut events = fixture
        .sesame
        .audit_events(&admin, 0, u32::MAX)
        .expect("events");
    events.pop();
    let last = events.last().expect("events").clone();
    rewrite_trail(&fixture, &events);
    fixture.outside(&format!(
        "UPDATE settings SET value = '{}:{}' WHERE name = 'audit_head'",
        last.seq, last.hash
    ));
    let mut reopened = fixture.reopen();
    let report = reopened.check_audit_chain().expect("check");
    assert_eq!(
        report.first_broken,
        Some((last.seq, ChainBreak::HeadMismatch))
    );
    let checked = reopened.check_store(&admin).expect("store check");
    assert!(
        checked.tampered.iter().any(|row| row.name == "audit_head"),
        "{:?}",
        checked.tampered
    );
}

/// The whole store put back as it was in an older copy — its trail and its head together, all
/// sealed as they were then — no longer holds the event this installation last anchored, which
/// is kept outside the store: the chain check says so.
#[test]
fn a_whole_store_put_back_from_an_older_copy_is_caught() {
    let mut fixture = Fixture::on_sqlite();
    let admin = fixture.admin.clone();
    fixture.create("avant la copie");
    let path = fixture.folder.path().join("sesame.db");
    let older = fixture.folder.path().join("ancienne.db");
    {
        let source = rusqlite::Connection::open(&path).expect("open");
        source
            .execute("VACUUM INTO ?1", [older.to_str().expect("path")])
            .expect("copy");
    }
    fixture.create("après la copie");
    fixture
        .sesame
        .revoke_key(&admin, "après la copie", "fuite")
        .expect("revoke");
    assert_eq!(
        fixture
            .sesame
            .check_audit_chain()
            .expect("check")
            .first_broken,
        None
    );
    // Sésame closed, another program puts the older file back in place.
    fixture.close_store();
    std::fs::copy(&older, &path).expect("put back");
    for journal in ["sesame.db-wal", "sesame.db-shm"] {
        let _ = std::fs::remove_file(fixture.folder.path().join(journal));
    }
    let mut reopened = fixture.reopen();
    let report = reopened.check_audit_chain().expect("check");
    assert_eq!(
        report.first_broken.map(|(_, why)| why),
        Some(ChainBreak::HeadMismatch)
    );
    // An administrator accepts the trail as it is now: the head kept outside follows it.
    reopened.anchor_audit_trail(&admin).expect("anchor");
    assert_eq!(
        reopened.check_audit_chain().expect("check").first_broken,
        None
    );
}
