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
    let connection =
        rusqlite::Connection::open(fixture.folder.path().join("sesame.db")).expect("open");
    let update = connection.execute("UPDATE audit_events SET action = 'rien' WHERE seq = 1", []);
    assert!(update.is_err_and(|e| e.to_string().contains("append-only")));
    let delete = connection.execute("DELETE FROM audit_events WHERE seq = 1", []);
    assert!(delete.is_err_and(|e| e.to_string().contains("append-only")));
}

#[test]
fn tampering_around_the_triggers_is_detected() {
    let fixture = Fixture::new();
    let path = fixture.folder.path().join("sesame.db");
    let connection = rusqlite::Connection::open(&path).expect("open");
    // Someone with the file in hand drops the trigger and rewrites an event.
    connection
        .execute_batch(
            "DROP TRIGGER audit_events_refuse_update;
             UPDATE audit_events SET target_name = 'Paye' WHERE seq = 2;",
        )
        .expect("tamper");
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
