//! Verification codes, the known-good-secret cache, and refusals before any look-up.

use sesame_core::key::{Grace, KeyEdit};
use sesame_core::secret::ExposeSecret;
use sesame_core::verify::VerifyCode;

use crate::support::Fixture;

#[test]
fn a_mistyped_key_is_malformed_without_a_lookup() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("K");
    let bearer = issued.bearer().expose_secret().to_owned();
    let checks_before = fixture.sesame.argon2_checks();
    // Change one character of the secret's random part: same shape, wrong checksum.
    let position = bearer.len() - 10;
    let mut typo = bearer.clone().into_bytes();
    typo[position] = if typo[position] == b'a' { b'b' } else { b'a' };
    let typo = String::from_utf8(typo).expect("ascii");
    let verification = fixture
        .sesame
        .verify_bearer(&typo, None, None)
        .expect("verify");
    assert_eq!(verification.code, VerifyCode::Malformed);
    assert_eq!(
        fixture.sesame.argon2_checks(),
        checks_before,
        "no argon2id for a malformed key"
    );
    fixture.sesame.flush_usage().expect("flush");
    let key = fixture.sesame.key(&fixture.admin, "K").expect("key");
    assert_eq!(key.failed_attempts, 0, "the store never heard of the typo");
    for garbage in [
        "",
        "Bearer x",
        "paie_123.ses_456",
        &format!("{bearer} {bearer}"),
        &bearer.replace('.', "\n"),
    ] {
        let code = fixture
            .sesame
            .verify_bearer(garbage, None, None)
            .expect("verify")
            .code;
        assert_eq!(code, VerifyCode::Malformed, "{:?}", garbage.len());
    }
}

#[test]
fn unknown_identifier_and_wrong_secret() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("K");
    let other_service_key = {
        let identifier = sesame_core::key_format::new_identifier("paie").expect("identifier");
        let secret = sesame_core::key_format::new_secret(&identifier).expect("secret");
        sesame_core::key_format::bearer(&identifier, &secret)
    };
    let code = fixture
        .sesame
        .verify_bearer(other_service_key.expose_secret(), None, None)
        .expect("v")
        .code;
    assert_eq!(code, VerifyCode::NotFound);
    // A well-formed secret that belongs to the right identifier but is not the stored one.
    let forged = sesame_core::key_format::new_secret(&issued.key.identifier).expect("secret");
    let bearer = sesame_core::key_format::bearer(&issued.key.identifier, &forged);
    let code = fixture
        .sesame
        .verify_bearer(bearer.expose_secret(), None, None)
        .expect("v")
        .code;
    assert_eq!(code, VerifyCode::InvalidSecret);
    fixture.sesame.flush_usage().expect("flush");
    assert_eq!(
        fixture
            .sesame
            .key(&fixture.admin, "K")
            .expect("key")
            .failed_attempts,
        1
    );
}

#[test]
fn repeated_checks_skip_argon2_until_the_key_changes() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("K");
    let bearer = issued.bearer();
    let verify = |fixture: &mut Fixture| {
        fixture
            .sesame
            .verify_bearer(bearer.expose_secret(), None, None)
            .expect("v")
            .code
    };
    assert_eq!(verify(&mut fixture), VerifyCode::Valid);
    let after_first = fixture.sesame.argon2_checks();
    for _ in 0..10 {
        assert_eq!(verify(&mut fixture), VerifyCode::Valid);
    }
    assert_eq!(
        fixture.sesame.argon2_checks(),
        after_first,
        "cached checks pay no argon2id"
    );

    // A change made by another process (another connection) is obeyed at once: the key's row
    // is read at every check. The secret proven against the same stored hash needs no new
    // argon2id, so a revoked or deactivated key is refused as fast as a valid one is accepted.
    let mut other = fixture.reopen();
    other
        .deactivate_key(&fixture.admin, "K")
        .expect("deactivate elsewhere");
    assert_eq!(verify(&mut fixture), VerifyCode::Inactive);
    other
        .reactivate_key(&fixture.admin, "K")
        .expect("reactivate elsewhere");
    assert_eq!(verify(&mut fixture), VerifyCode::Valid);
    assert_eq!(
        fixture.sesame.argon2_checks(),
        after_first,
        "a change of status keeps the proven secret"
    );

    // A regeneration elsewhere invalidates the cached secret at once.
    other
        .regenerate_key(&fixture.admin, "K", Grace::Now)
        .expect("regenerate elsewhere");
    assert_eq!(verify(&mut fixture), VerifyCode::InvalidSecret);
    assert!(
        fixture.sesame.argon2_checks() > after_first,
        "a new secret hash forces a fresh check"
    );

    // A wrong secret is never served from the cache of a good one.
    let forged = sesame_core::key_format::new_secret(&issued.key.identifier).expect("secret");
    let forged = sesame_core::key_format::bearer(&issued.key.identifier, &forged);
    let code = fixture
        .sesame
        .verify_bearer(forged.expose_secret(), None, None)
        .expect("v")
        .code;
    assert_eq!(code, VerifyCode::InvalidSecret);
}

#[test]
fn permission_changes_elsewhere_are_obeyed() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("K");
    let bearer = issued.bearer();
    let verify = |fixture: &mut Fixture| {
        fixture
            .sesame
            .verify_bearer(bearer.expose_secret(), Some("factures:lecture"), None)
            .expect("v")
            .code
    };
    assert_eq!(verify(&mut fixture), VerifyCode::Valid);
    let mut other = fixture.reopen();
    let edit = KeyEdit {
        permissions: Some(vec![]),
        ..KeyEdit::default()
    };
    other.edit_key(&fixture.admin, "K", &edit).expect("edit");
    assert_eq!(verify(&mut fixture), VerifyCode::InsufficientPermission);
}

#[test]
fn weaker_hashes_are_strengthened_on_the_next_good_check() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("K");
    let stronger = sesame_core::HashingCost {
        memory_kib: 24_576,
        passes: 3,
        lanes: 1,
    };
    let mut upgraded = fixture.reopen().with_hashing_cost(stronger);
    let code = upgraded
        .verify_bearer(issued.bearer().expose_secret(), None, None)
        .expect("v")
        .code;
    assert_eq!(code, VerifyCode::Valid);
    let hash = fixture
        .outside_text(&format!(
            "SELECT secret_hash FROM keys WHERE id = '{}'",
            issued.key.id
        ))
        .expect("hash");
    assert!(
        hash.starts_with("$argon2id$v=19$m=24576,t=3,p=1$"),
        "rehashed: {}",
        &hash[..32]
    );
    // And the key still verifies with the stronger hash, in a fresh process.
    let code = fixture
        .reopen()
        .verify_bearer(issued.bearer().expose_secret(), None, None)
        .expect("v")
        .code;
    assert_eq!(code, VerifyCode::Valid);
}

#[test]
fn uses_counted_while_the_store_is_busy_are_written_by_the_next_flush() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("comptée");
    let mut service = fixture.reopen();
    for _ in 0..3 {
        let code = service
            .verify_bearer(issued.bearer().expose_secret(), None, None)
            .expect("verify")
            .code;
        assert_eq!(code, VerifyCode::Valid);
    }
    // Another program holds the write lock longer than the busy timeout.
    let mut holder = fixture.hold_writes();
    let busy = service.flush_usage().err().map(|e| e.code());
    assert_eq!(busy, Some("store_busy"));
    holder.release();
    let code = service
        .verify_bearer(issued.bearer().expose_secret(), None, None)
        .expect("verify")
        .code;
    assert_eq!(code, VerifyCode::Valid);
    service.flush_usage().expect("flush");
    let count = fixture
        .outside_text("SELECT CAST(use_count AS TEXT) FROM keys WHERE name = 'comptée'")
        .expect("count");
    assert_eq!(
        count, "4",
        "the three uses of the busy moment and the one after"
    );
}

/// « Vérifier une clé » in the app: the service's answer, for the audit right only, not counted
/// as a use, audited without the secret.
#[test]
fn a_key_checked_by_hand_gets_the_services_answer_without_counting_as_a_use() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("Vérifiée");
    let bearer = issued.bearer();
    let check = fixture
        .sesame
        .check_key_by_hand(&fixture.admin, &bearer, None, None)
        .expect("check");
    assert_eq!(check.code, VerifyCode::Valid);
    assert_eq!(check.key_name.as_deref(), Some("Vérifiée"));
    // Another secret made for the same identifier (its checksum right): the wrong secret.
    let other = sesame_core::key_format::new_secret(&issued.key.identifier).expect("secret");
    let wrong = sesame_core::key_format::bearer(&issued.key.identifier, &other);
    let check = fixture
        .sesame
        .check_key_by_hand(&fixture.admin, &wrong, None, None)
        .expect("check");
    assert_eq!(check.code, VerifyCode::InvalidSecret);
    let missing = fixture
        .sesame
        .check_key_by_hand(&fixture.admin, &bearer, Some("salaires:ecriture"), None)
        .expect("check");
    assert_eq!(missing.code, VerifyCode::InsufficientPermission);
    fixture.sesame.flush_usage().expect("flush");
    let key = fixture
        .sesame
        .key(&fixture.admin, &issued.key.id)
        .expect("key");
    assert_eq!(key.use_count, 0, "a check by hand is not a use");
    assert_eq!(key.failed_attempts, 0);
    let events = fixture.events_starting_with("key.checked");
    assert_eq!(events.len(), 3);
    let secret = issued.secret.expose_secret();
    assert!(events.iter().all(|event| !event.details.contains(secret)));
    assert!(events[0].details.contains(&issued.key.identifier));
    // Without the audit right, refused and audited.
    let rights = sesame_core::Rights {
        configuration: true,
        audit: false,
    };
    let manager = fixture.signed_in_operator("Gestion", rights);
    let refused = fixture
        .sesame
        .check_key_by_hand(&manager, &bearer, None, None);
    assert_eq!(refused.err().map(|e| e.code()), Some("right_missing"));
}
