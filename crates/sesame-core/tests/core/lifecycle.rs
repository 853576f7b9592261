//! The key lifecycle through the core's public API.

use chrono::Duration;
use sesame_core::key::{Grace, KeyEdit, KeyStatus, NewKey, Usage};
use sesame_core::secret::ExposeSecret;
use sesame_core::verify::VerifyCode;

use crate::support::Fixture;

fn code(fixture: &mut Fixture, bearer: &str) -> VerifyCode {
    fixture
        .sesame
        .verify_bearer(bearer, None, None)
        .expect("verify")
        .code
}

#[test]
fn a_new_key_is_active_verifies_and_records_its_use() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("Intégration");
    assert_eq!(issued.key.status, KeyStatus::Active);
    assert!(issued.key.identifier.starts_with("paie_"));
    assert_eq!(issued.key.last_use, Usage::Never);
    assert_eq!(
        code(&mut fixture, issued.bearer().expose_secret()),
        VerifyCode::Valid
    );
    let parts = fixture
        .sesame
        .verify_parts(
            &issued.key.identifier,
            issued.secret.expose_secret(),
            None,
            None,
        )
        .expect("verify parts");
    assert_eq!(parts.code, VerifyCode::Valid);
    fixture.sesame.flush_usage().expect("flush");
    let key = fixture
        .sesame
        .key(&fixture.admin, &issued.key.id)
        .expect("key");
    assert_eq!(key.use_count, 2);
    assert!(matches!(key.last_use, Usage::At(_)));
}

#[test]
fn deactivate_then_reactivate() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("K");
    let bearer = issued.bearer();
    let key = fixture
        .sesame
        .deactivate_key(&fixture.admin, "K")
        .expect("deactivate");
    assert_eq!(key.status, KeyStatus::Inactive);
    assert_eq!(
        code(&mut fixture, bearer.expose_secret()),
        VerifyCode::Inactive
    );
    let key = fixture
        .sesame
        .reactivate_key(&fixture.admin, &issued.key.identifier)
        .expect("reactivate");
    assert_eq!(key.status, KeyStatus::Active);
    assert_eq!(
        code(&mut fixture, bearer.expose_secret()),
        VerifyCode::Valid
    );
}

#[test]
fn regenerate_now_stops_the_old_secret_at_once() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("K");
    let old = issued.bearer();
    assert_eq!(code(&mut fixture, old.expose_secret()), VerifyCode::Valid);
    let renewed = fixture
        .sesame
        .regenerate_key(&fixture.admin, "K", Grace::Now)
        .expect("regenerate");
    assert_eq!(renewed.key.identifier, issued.key.identifier);
    assert_ne!(
        renewed.secret.expose_secret(),
        issued.secret.expose_secret()
    );
    assert_eq!(
        code(&mut fixture, old.expose_secret()),
        VerifyCode::InvalidSecret
    );
    assert_eq!(
        code(&mut fixture, renewed.bearer().expose_secret()),
        VerifyCode::Valid
    );
}

#[test]
fn regenerate_with_grace_keeps_both_until_the_grace_ends() {
    for (grace, length) in [
        (Grace::OneHour, Duration::hours(1)),
        (Grace::OneDay, Duration::hours(24)),
        (Grace::SevenDays, Duration::days(7)),
    ] {
        let mut fixture = Fixture::new();
        let issued = fixture.create("K");
        let old = issued.bearer();
        let renewed = fixture
            .sesame
            .regenerate_key(&fixture.admin, "K", grace)
            .expect("regenerate");
        let new = renewed.bearer();
        assert_eq!(
            code(&mut fixture, old.expose_secret()),
            VerifyCode::Valid,
            "{grace:?}"
        );
        assert_eq!(
            code(&mut fixture, new.expose_secret()),
            VerifyCode::Valid,
            "{grace:?}"
        );
        fixture.clock.advance(length - Duration::seconds(1));
        assert_eq!(
            code(&mut fixture, old.expose_secret()),
            VerifyCode::Valid,
            "{grace:?}"
        );
        fixture.clock.advance(Duration::seconds(2));
        assert_eq!(
            code(&mut fixture, old.expose_secret()),
            VerifyCode::InvalidSecret,
            "{grace:?}"
        );
        assert_eq!(
            code(&mut fixture, new.expose_secret()),
            VerifyCode::Valid,
            "{grace:?}"
        );
    }
}

#[test]
fn revoke_is_final_and_keeps_its_reason() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("K");
    let key = fixture
        .sesame
        .revoke_key(&fixture.admin, "K", "Prestataire remplacé")
        .expect("revoke");
    assert_eq!(key.status, KeyStatus::Revoked);
    assert_eq!(key.revoked_reason.as_deref(), Some("Prestataire remplacé"));
    assert_eq!(key.revoked_by.as_deref(), Some(crate::support::ADMIN));
    assert_eq!(
        code(&mut fixture, issued.bearer().expose_secret()),
        VerifyCode::Revoked
    );
    let refusals = [
        fixture.sesame.reactivate_key(&fixture.admin, "K").err(),
        fixture.sesame.deactivate_key(&fixture.admin, "K").err(),
        fixture
            .sesame
            .revoke_key(&fixture.admin, "K", "encore")
            .err(),
        fixture
            .sesame
            .regenerate_key(&fixture.admin, "K", Grace::Now)
            .err(),
        fixture
            .sesame
            .edit_key(&fixture.admin, "K", &KeyEdit::default())
            .err(),
    ];
    for refusal in refusals {
        let refusal = refusal.expect("a revoked key refuses every change but deletion");
        assert_eq!(refusal.code(), "transition_refused");
        assert!(
            refusal.message(sesame_core::Lang::Fr).contains("révoquée"),
            "{refusal}"
        );
    }
}

#[test]
fn delete_removes_from_lists_keeps_history_and_frees_the_name() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("K");
    fixture
        .sesame
        .delete_key(&fixture.admin, "K")
        .expect("delete");
    assert_eq!(
        fixture
            .sesame
            .key(&fixture.admin, &issued.key.id)
            .err()
            .map(|e| e.code()),
        Some("key_not_found")
    );
    let page = fixture
        .sesame
        .keys(&fixture.admin, &Default::default())
        .expect("list");
    assert_eq!(page.total, 0);
    assert_eq!(
        code(&mut fixture, issued.bearer().expose_secret()),
        VerifyCode::NotFound
    );
    let history = fixture
        .sesame
        .audit_events_for(&fixture.admin, &issued.key.id)
        .expect("history");
    let actions: Vec<&str> = history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["key.created", "key.deleted"]);
    fixture.create("K");
}

#[test]
fn expiry_is_derived_and_refused_by_verification() {
    let mut fixture = Fixture::new();
    let now = fixture.sesame.now();
    let new_key = NewKey {
        service: "Paie".into(),
        name: "Courte".into(),
        expires_at: Some(now + Duration::days(2)),
        ..NewKey::default()
    };
    let issued = fixture
        .sesame
        .create_key(&fixture.admin, &new_key)
        .expect("create");
    assert_eq!(
        code(&mut fixture, issued.bearer().expose_secret()),
        VerifyCode::Valid
    );
    fixture.clock.advance(Duration::days(3));
    assert_eq!(
        code(&mut fixture, issued.bearer().expose_secret()),
        VerifyCode::Expired
    );
    let key = fixture.sesame.key(&fixture.admin, "Courte").expect("key");
    assert_eq!(key.status, KeyStatus::Expired);
    // Extending the expiry brings it back.
    let later = fixture.sesame.now() + Duration::days(30);
    let edit = KeyEdit {
        expires_at: Some(Some(later)),
        ..KeyEdit::default()
    };
    assert_eq!(
        fixture
            .sesame
            .edit_key(&fixture.admin, "Courte", &edit)
            .expect("edit")
            .status,
        KeyStatus::Active
    );
}

#[test]
fn edit_changes_rights_without_changing_the_secret() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("K");
    let bearer = issued.bearer();
    assert_eq!(
        fixture
            .sesame
            .verify_bearer(bearer.expose_secret(), Some("salaires:ecriture"), None)
            .expect("v")
            .code,
        VerifyCode::InsufficientPermission
    );
    let edit = KeyEdit {
        name: Some("K renommée".into()),
        note: Some("Pour le cabinet".into()),
        permissions: Some(vec!["salaires:ecriture".into()]),
        companies: Some(vec!["Dupont SARL".into()]),
        expires_at: None,
        tags: None,
        contact: None,
    };
    let key = fixture
        .sesame
        .edit_key(&fixture.admin, "K", &edit)
        .expect("edit");
    assert_eq!(key.name, "K renommée");
    assert_eq!(key.permissions, ["salaires:ecriture"]);
    assert_eq!(key.companies.len(), 1);
    let verify = |fixture: &mut Fixture, permission, company| {
        fixture
            .sesame
            .verify_bearer(bearer.expose_secret(), permission, company)
            .expect("v")
            .code
    };
    assert_eq!(
        verify(&mut fixture, Some("salaires:ecriture"), None),
        VerifyCode::Valid
    );
    assert_eq!(
        verify(&mut fixture, Some("factures:lecture"), None),
        VerifyCode::InsufficientPermission
    );
    assert_eq!(
        verify(&mut fixture, None, Some("Dupont SARL")),
        VerifyCode::Valid
    );
    assert_eq!(
        verify(&mut fixture, None, Some("Martin SA")),
        VerifyCode::CompanyForbidden
    );
    assert_eq!(
        verify(&mut fixture, None, Some("Inconnue")),
        VerifyCode::CompanyForbidden
    );
}

#[test]
fn editing_a_service_never_touches_its_keys() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("K");
    let edit = sesame_core::service::ServiceEdit {
        name: Some("Paie et RH".into()),
        permissions: Some(vec!["factures:lecture".into(), "rh:lecture".into()]),
        ..Default::default()
    };
    fixture
        .sesame
        .edit_service(&fixture.admin, "Paie", &edit)
        .expect("edit service");
    let key = fixture
        .sesame
        .key(&fixture.admin, &issued.key.id)
        .expect("key");
    assert_eq!(key.permissions, issued.key.permissions);
    assert_eq!(key.service_name, "Paie et RH");
    assert_eq!(
        fixture
            .sesame
            .verify_bearer(issued.bearer().expose_secret(), None, None)
            .expect("v")
            .code,
        VerifyCode::Valid
    );
    // A permission still granted cannot be taken from the service.
    let remove = sesame_core::service::ServiceEdit {
        permissions: Some(vec!["rh:lecture".into()]),
        ..Default::default()
    };
    let refused = fixture
        .sesame
        .edit_service(&fixture.admin, "Paie et RH", &remove)
        .err();
    assert_eq!(refused.map(|e| e.code()), Some("permission_in_use"));
}

#[test]
fn approval_lists_a_service() {
    let mut fixture = Fixture::new();
    let service = fixture
        .sesame
        .service(&fixture.admin, "Paie")
        .expect("service");
    assert!(!service.listed);
    let service = fixture
        .sesame
        .approve_service(&fixture.admin, "paie")
        .expect("approve");
    assert!(service.listed);
}

#[test]
fn settings_are_validated_and_audited() {
    let mut fixture = Fixture::new();
    let defaults = fixture.sesame.settings().expect("settings");
    assert_eq!(defaults.language, sesame_core::Lang::Fr);
    assert_eq!(defaults.clipboard_seconds, 30);
    let changed = fixture
        .sesame
        .set_language(&fixture.admin, sesame_core::Lang::En)
        .expect("language");
    assert_eq!(changed.language, sesame_core::Lang::En);
    let refused = fixture
        .sesame
        .set_clipboard_seconds(&fixture.admin, 5)
        .err()
        .map(|e| e.code());
    assert_eq!(refused, Some("out_of_range"));
    assert_eq!(
        fixture
            .sesame
            .set_clipboard_seconds(&fixture.admin, 12)
            .expect("delay")
            .clipboard_seconds,
        12
    );
    let events = fixture
        .sesame
        .audit_events(&fixture.admin, 0, 1000)
        .expect("events");
    assert_eq!(
        events
            .iter()
            .filter(|e| e.action == "settings.changed")
            .count(),
        2
    );
}

#[test]
fn an_unknown_grace_period_is_refused_not_taken_for_now() {
    use sesame_core::key::Grace;
    assert_eq!(Grace::parse("1h").ok(), Some(Grace::OneHour));
    assert_eq!(Grace::parse("now").ok(), Some(Grace::Now));
    for unknown in ["2h", "", "maintenant", "1H "] {
        let refused = Grace::parse(unknown).err();
        assert_eq!(
            refused.as_ref().map(|e| e.code()),
            Some("grace_unknown"),
            "{unknown:?}"
        );
        assert!(
            refused
                .map(|e| e.message(sesame_core::Lang::Fr))
                .is_some_and(|m| m.contains("Rien n'a été modifié"))
        );
    }
}
