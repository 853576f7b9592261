//! Access tokens: EdDSA JWTs that check with the JWKS, and refusals for every forgery and for
//! keys that stopped being active.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::Duration;
use sesame_core::KeyringNamespace;
use sesame_core::secret::ExposeSecret;
use sesame_core::tokens::{self, LIFETIME_DEFAULT};

use crate::support::Fixture;

/// The installation's signing key, in the tests' own keyring namespace.
fn signing_key(fixture: &mut Fixture) -> sesame_core::InstallationKey {
    fixture
        .sesame
        .installation_key(&KeyringNamespace::named("fr.sesame.admin.test"))
        .expect("key")
}

/// The key `bearer` proves, and a token signed for it with `signing`, as `POST /v1/tokens` does.
fn verified_and_token(
    fixture: &mut Fixture,
    signing: &sesame_core::InstallationKey,
    bearer: &str,
) -> (sesame_core::verify::VerifiedKey, tokens::IssuedToken) {
    let verified = fixture
        .sesame
        .verify_bearer(bearer, None, None)
        .expect("verify")
        .key
        .expect("valid key");
    let token = fixture
        .sesame
        .sign_token(signing, &verified, LIFETIME_DEFAULT)
        .expect("token");
    (verified, token)
}

/// A token signed with `signing` for the key `bearer` proves, as text.
fn token_text(
    fixture: &mut Fixture,
    signing: &sesame_core::InstallationKey,
    bearer: &str,
) -> String {
    let (_, token) = verified_and_token(fixture, signing, bearer);
    token.token.expose_secret().to_owned()
}

/// What checking `token` answers.
fn check_code(fixture: &mut Fixture, token: &str) -> &'static str {
    fixture.sesame.check_token(token).expect("check").code
}

#[test]
fn tokens_are_eddsa_checked_against_the_store_and_forgeries_refused() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let issued = fixture.create("jeton");
    let signing = signing_key(&mut fixture);
    let (verified, token) =
        verified_and_token(&mut fixture, &signing, issued.bearer().expose_secret());
    let text = token.token.expose_secret().to_owned();
    assert_eq!(token.claims.exp - token.claims.iat, 24 * 3600);
    assert_eq!(token.claims.permissions, ["factures:lecture"]);

    // The header names EdDSA and the JWKS key.
    let header: serde_json::Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(text.split('.').next().expect("header"))
            .expect("base64"),
    )
    .expect("JSON");
    assert_eq!(header["alg"], "EdDSA");
    let jwks = fixture.sesame.jwks().expect("jwks");
    assert_eq!(header["kid"], jwks["keys"][0]["kid"]);
    assert_eq!(jwks["keys"][0]["crv"], "Ed25519");

    let check = check_code;
    assert_eq!(check(&mut fixture, &text), "VALID");

    // alg: none, and HS256 keyed with the public key (the classic confusion), are refused.
    let parts: Vec<&str> = text.split('.').collect();
    let none_header = URL_SAFE_NO_PAD.encode(br#"{"alg":"none","typ":"JWT"}"#);
    assert_ne!(
        check(&mut fixture, &format!("{none_header}.{}.", parts[1])),
        "VALID"
    );
    let hs256 = jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &token.claims,
        &jsonwebtoken::EncodingKey::from_secret(signing.verifying_key().as_bytes()),
    )
    .expect("forge");
    assert_eq!(check(&mut fixture, &hs256), "BAD_SIGNATURE");
    // Another installation's signature, spaces and newlines, garbage.
    let mut elsewhere = Fixture::new();
    let other = elsewhere
        .sesame
        .installation_key(&KeyringNamespace::named("fr.sesame.admin.test"))
        .expect("other key");
    let foreign = elsewhere
        .sesame
        .sign_token(&other, &verified, LIFETIME_DEFAULT)
        .expect("foreign token");
    // This store's installation does not sign with a key its store does not hold.
    assert_eq!(
        fixture
            .sesame
            .sign_token(&other, &verified, LIFETIME_DEFAULT)
            .map_err(|e| e.code())
            .err(),
        Some("signing_key_retired")
    );
    assert_eq!(
        check(&mut fixture, foreign.token.expose_secret()),
        "BAD_SIGNATURE"
    );
    assert_eq!(
        check(&mut fixture, &format!("{} ", &text[..20])),
        "MALFORMED"
    );
    assert_eq!(
        check(&mut fixture, &text.replacen('.', ".\n", 1)),
        "MALFORMED"
    );
    assert_eq!(check(&mut fixture, "pas un jeton"), "MALFORMED");

    // The key's state counts, and so does time.
    fixture
        .sesame
        .deactivate_key(&admin, &issued.key.id)
        .expect("deactivate");
    assert_eq!(check(&mut fixture, &text), "INACTIVE");
    fixture
        .sesame
        .reactivate_key(&admin, &issued.key.id)
        .expect("reactivate");
    assert_eq!(check(&mut fixture, &text), "VALID");
    fixture.clock.advance(Duration::hours(25));
    assert_eq!(check(&mut fixture, &text), "EXPIRED");

    // The lifetime comes from the settings (24 h unless changed).
    assert_eq!(
        fixture.sesame.token_lifetime().expect("lifetime"),
        std::time::Duration::from_secs(24 * 3600)
    );
    fixture.sesame.set_token_hours(&admin, 2).expect("setting");
    assert_eq!(
        fixture.sesame.token_lifetime().expect("lifetime"),
        std::time::Duration::from_secs(2 * 3600)
    );
    let refused = fixture.sesame.set_token_hours(&admin, 0);
    assert!(refused.is_err(), "out of range");
}

#[test]
fn a_token_issued_by_hand_is_the_same_token_and_is_audited() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let issued = fixture.create("à la main");
    let signing = signing_key(&mut fixture);
    let token = fixture
        .sesame
        .issue_token(&admin, &signing, &issued.key.id, 8)
        .expect("token");
    assert_eq!(token.claims.exp - token.claims.iat, 8 * 3600);
    assert_eq!(token.claims.identifier, issued.key.identifier);
    let check = fixture
        .sesame
        .check_token(token.token.expose_secret())
        .expect("check");
    assert_eq!(check.code, "VALID");
    let events = fixture.events_starting_with("token.issued");
    assert_eq!(events.len(), 1);
    assert!(events[0].details.contains(&token.claims.jti));
    assert!(!events[0].details.contains(token.token.expose_secret()));

    for hours in [0, 721] {
        let refused = fixture
            .sesame
            .issue_token(&admin, &signing, &issued.key.id, hours)
            .map(drop);
        assert_eq!(refused.map_err(|e| e.code()), Err("out_of_range"));
    }
    fixture
        .sesame
        .deactivate_key(&admin, &issued.key.id)
        .expect("deactivate");
    let refused = fixture
        .sesame
        .issue_token(&admin, &signing, &issued.key.id, 24)
        .map(drop);
    assert_eq!(refused.map_err(|e| e.code()), Err("token_refused"));
    let reader = fixture.signed_in_operator("Lecteur", sesame_core::operator::Rights::default());
    fixture
        .sesame
        .reactivate_key(&admin, &issued.key.id)
        .expect("reactivate");
    let refused = fixture
        .sesame
        .issue_token(&reader, &signing, &issued.key.id, 24)
        .map(drop);
    assert_eq!(refused.map_err(|e| e.code()), Err("right_missing"));
    assert_eq!(fixture.events_starting_with("token.issued").len(), 1);
}

/// Signs `claims` with the installation's key and `header`, as a forger holding the key could.
fn signed_with_header(
    signing: &sesame_core::InstallationKey,
    header: &serde_json::Value,
    claims: &tokens::Claims,
) -> String {
    let header = URL_SAFE_NO_PAD.encode(header.to_string());
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_string(claims).expect("claims"));
    let signature = signing.sign(format!("{header}.{payload}").as_bytes());
    format!("{header}.{payload}.{}", URL_SAFE_NO_PAD.encode(signature))
}

#[test]
fn unknown_critical_headers_and_future_dates_are_refused() {
    let mut fixture = Fixture::new();
    let issued = fixture.create("jeton");
    let signing = signing_key(&mut fixture);
    let (_, token) = verified_and_token(&mut fixture, &signing, issued.bearer().expose_secret());
    let kid = tokens::key_id(&signing);
    let plain = serde_json::json!({"alg": "EdDSA", "typ": "JWT", "kid": kid});
    let mut check = |text: &str| fixture.sesame.check_token(text).expect("check").code;
    // Our own way of signing, by hand, is accepted: the refusals below are for what they change.
    assert_eq!(
        check(&signed_with_header(&signing, &plain, &token.claims)),
        "VALID"
    );
    let critical =
        serde_json::json!({"alg": "EdDSA", "kid": kid, "crit": ["exp-policy"], "exp-policy": 1});
    assert_eq!(
        check(&signed_with_header(&signing, &critical, &token.claims)),
        "MALFORMED"
    );
    let mut future = token.claims.clone();
    future.iat += 3600;
    assert_eq!(
        check(&signed_with_header(&signing, &plain, &future)),
        "NOT_YET_VALID"
    );
    let mut later = token.claims.clone();
    later.nbf = Some(later.iat + 3600);
    assert_eq!(
        check(&signed_with_header(&signing, &plain, &later)),
        "NOT_YET_VALID"
    );
    // Within the allowed clock skew of another machine: accepted.
    let mut skewed = token.claims.clone();
    skewed.iat += tokens::CLOCK_SKEW_SECONDS - 5;
    assert_eq!(
        check(&signed_with_header(&signing, &plain, &skewed)),
        "VALID"
    );
}

#[test]
fn a_token_ends_with_the_secret_it_was_issued_for() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let signing = signing_key(&mut fixture);
    let token_for = |fixture: &mut Fixture, bearer: &str| token_text(fixture, &signing, bearer);
    let check = check_code;
    // Regenerated at once: the old secret's tokens end at once; the new secret's are valid.
    let issued = fixture.create("immédiate");
    let before = token_for(&mut fixture, issued.bearer().expose_secret());
    fixture.clock.advance(Duration::seconds(2));
    let renewed = fixture
        .sesame
        .regenerate_key(&admin, "immédiate", sesame_core::key::Grace::Now)
        .expect("regenerate");
    assert_eq!(check(&mut fixture, &before), "SUPERSEDED");
    let after = token_for(&mut fixture, renewed.bearer().expose_secret());
    assert_eq!(check(&mut fixture, &after), "VALID");
    // With a grace period: the old secret's tokens live as long as the old secret.
    let issued = fixture.create("en douceur");
    let before = token_for(&mut fixture, issued.bearer().expose_secret());
    fixture
        .sesame
        .regenerate_key(&admin, "en douceur", sesame_core::key::Grace::OneHour)
        .expect("regenerate");
    assert_eq!(check(&mut fixture, &before), "VALID");
    fixture.clock.advance(Duration::minutes(61));
    assert_eq!(check(&mut fixture, &before), "SUPERSEDED");
}

/// Only the previous secret's tokens live on during a grace period: a token superseded by an
/// earlier regeneration stays superseded during a later one's grace, and a token obtained with
/// the previous secret during its grace ends with that secret.
#[test]
fn a_superseded_token_stays_superseded_during_a_later_grace_period() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let signing = signing_key(&mut fixture);
    let token_for = |fixture: &mut Fixture, bearer: &str| token_text(fixture, &signing, bearer);
    let check = check_code;
    let first = fixture.create("deux fois");
    let oldest = token_for(&mut fixture, first.bearer().expose_secret());
    fixture.clock.advance(Duration::seconds(2));
    let second = fixture
        .sesame
        .regenerate_key(&admin, "deux fois", sesame_core::key::Grace::Now)
        .expect("regenerate");
    assert_eq!(check(&mut fixture, &oldest), "SUPERSEDED");
    let previous = token_for(&mut fixture, second.bearer().expose_secret());
    fixture.clock.advance(Duration::seconds(2));
    let third = fixture
        .sesame
        .regenerate_key(&admin, "deux fois", sesame_core::key::Grace::OneHour)
        .expect("regenerate again");
    // The second secret's token lives during the grace; the first one's does not come back.
    assert_eq!(check(&mut fixture, &previous), "VALID");
    assert_eq!(check(&mut fixture, &oldest), "SUPERSEDED");
    // A token obtained with the previous secret during the grace ends with it.
    let late = token_for(&mut fixture, second.bearer().expose_secret());
    let current = token_for(&mut fixture, third.bearer().expose_secret());
    assert_eq!(check(&mut fixture, &late), "VALID");
    fixture.clock.advance(Duration::minutes(61));
    assert_eq!(check(&mut fixture, &late), "SUPERSEDED");
    assert_eq!(check(&mut fixture, &previous), "SUPERSEDED");
    assert_eq!(check(&mut fixture, &current), "VALID");
}

/// Every installation registers its public key on the store; the JWKS lists the keys in use.
/// A retired key leaves it and its tokens are refused; its installation signs nothing more
/// until an administrator makes a new key. A key slipped into the table by another program is
/// not trusted: it is left out of the JWKS, its tokens are refused, and the event is audited.
#[test]
fn registered_keys_make_the_jwks_and_retired_or_slipped_in_keys_are_refused() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let namespace = KeyringNamespace::named("fr.sesame.admin.test");
    let issued = fixture.create("jeton");
    let signing = signing_key(&mut fixture);
    let kid = tokens::key_id(&signing);
    let registered = fixture.sesame.signing_keys().expect("registered");
    assert_eq!(registered.len(), 1);
    assert_eq!(registered[0].kid, kid);
    assert_eq!(registered[0].fingerprint, signing.fingerprint());
    assert!(registered[0].holder.contains("fr.sesame.admin.test"));
    let jwks = fixture.sesame.jwks().expect("jwks");
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        jwks["keys"][0]["x"],
        URL_SAFE_NO_PAD.encode(signing.verifying_key().as_bytes())
    );
    let (_, token) = verified_and_token(&mut fixture, &signing, issued.bearer().expose_secret());
    let text = token.token.expose_secret().to_owned();
    assert_eq!(
        fixture.sesame.check_token(&text).expect("check").code,
        "VALID"
    );

    // A key slipped in outside Sésame, with a signer the forger holds.
    let forged = ed25519_dalek::SigningKey::from_bytes(&[7_u8; 32]);
    let forged_x = URL_SAFE_NO_PAD.encode(forged.verifying_key().as_bytes());
    fixture.outside(&format!(
        "INSERT INTO signing_keys (kid, public_key, fingerprint, holder, registered_at)
         VALUES ('f0f0f0f0f0f0f0f0', '{forged_x}', 'forgée', 'intrus', 0)"
    ));
    let header = URL_SAFE_NO_PAD.encode(
        serde_json::json!({"alg": "EdDSA", "typ": "JWT", "kid": "f0f0f0f0f0f0f0f0"}).to_string(),
    );
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_string(&token.claims).expect("claims"));
    let signature = ed25519_dalek::Signer::sign(&forged, format!("{header}.{payload}").as_bytes());
    let forged_token = format!(
        "{header}.{payload}.{}",
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    );
    assert_eq!(
        fixture
            .sesame
            .check_token(&forged_token)
            .expect("check")
            .code,
        "BAD_SIGNATURE"
    );
    let jwks = fixture.sesame.jwks().expect("jwks");
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(1), "{jwks}");
    assert!(
        fixture
            .events_starting_with("store.tampered")
            .iter()
            .any(|event| event.details.contains("f0f0f0f0f0f0f0f0")),
        "the slipped-in key is reported"
    );
    fixture.outside("DELETE FROM signing_keys WHERE kid = 'f0f0f0f0f0f0f0f0'");

    // Retired: out of the JWKS, its tokens refused, and its installation signs no more.
    let auditor_rights = sesame_core::Rights {
        configuration: false,
        audit: true,
    };
    let auditor = fixture.signed_in_operator("Auditrice", auditor_rights);
    assert!(matches!(
        fixture.sesame.retire_signing_key(&auditor, &kid),
        Err(sesame_core::Error::RightMissing(_))
    ));
    assert_eq!(
        fixture
            .sesame
            .retire_signing_key(&admin, "0000000000000000")
            .map_err(|e| e.code())
            .err(),
        Some("signing_key_unknown")
    );
    fixture
        .sesame
        .retire_signing_key(&admin, &kid)
        .expect("retire");
    assert_eq!(
        fixture.sesame.jwks().expect("jwks")["keys"]
            .as_array()
            .map(Vec::len),
        Some(0)
    );
    assert_eq!(
        fixture.sesame.check_token(&text).expect("check").code,
        "BAD_SIGNATURE"
    );
    assert_eq!(
        fixture
            .sesame
            .installation_key(&namespace)
            .map_err(|e| e.code())
            .err(),
        Some("signing_key_retired")
    );
    let renewed = fixture
        .sesame
        .recreate_signing_key(&admin, &namespace)
        .expect("a new key");
    assert_ne!(renewed.fingerprint(), signing.fingerprint());
    let jwks = fixture.sesame.jwks().expect("jwks");
    assert_eq!(jwks["keys"].as_array().map(Vec::len), Some(1));
    assert_eq!(jwks["keys"][0]["kid"], tokens::key_id(&renewed));
    assert_eq!(
        fixture
            .sesame
            .installation_key(&namespace)
            .expect("loaded again")
            .fingerprint(),
        renewed.fingerprint()
    );
    let actions: Vec<String> = fixture
        .events_starting_with("signing_key.")
        .into_iter()
        .map(|event| event.action)
        .collect();
    assert_eq!(
        actions,
        [
            "signing_key.created",
            "signing_key.retired",
            "signing_key.recreated"
        ]
    );
    let check = fixture.sesame.check_store(&admin).expect("check");
    assert!(check.tampered.is_empty(), "{:?}", check.tampered);
}

/// A key revoked, then set back to active in the store outside Sésame: its old tokens do not
/// come back to life (checks read the key's seal), and no token is issued for it by hand.
#[test]
fn a_key_re_enabled_outside_sesame_gets_no_token_back() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let issued = fixture.create("réactivée en douce");
    let signing = signing_key(&mut fixture);
    let (_, token) = verified_and_token(&mut fixture, &signing, issued.bearer().expose_secret());
    let check = |fixture: &mut Fixture| {
        fixture
            .sesame
            .check_token(token.token.expose_secret())
            .expect("check")
            .code
    };
    assert_eq!(check(&mut fixture), "VALID");
    fixture
        .sesame
        .revoke_key(&admin, &issued.key.id, "fuite")
        .expect("revoke");
    assert_eq!(check(&mut fixture), "REVOKED");
    fixture.outside(
        "UPDATE keys SET status = 'active', revoked_at = NULL, revoked_reason = NULL
         WHERE name = 'réactivée en douce'",
    );
    assert_eq!(check(&mut fixture), "TAMPERED");
    let refused = fixture
        .sesame
        .issue_token(&admin, &signing, &issued.key.id, 8)
        .map(drop);
    assert_eq!(refused.map_err(|e| e.code()), Err("state_tampered"));
    assert!(!fixture.events_starting_with("store.tampered").is_empty());
}
