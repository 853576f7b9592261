//! Sign-in: refusals with clear messages, an audit event for every attempt, and a throttle that
//! slows guessing down without locking the real operator out for good.

use chrono::Duration;
use sesame_core::operator::{FREE_FAILURES, LONGEST_WAIT, throttle_wait};
use sesame_core::secret::secret_from;
use sesame_core::{Error, Lang, Rights};

use crate::support::{ADMIN, Fixture, password};

fn wrong() -> sesame_core::secret::SecretString {
    secret_from("pas le bon mot de passe".to_owned())
}

fn sign_in_events(fixture: &mut Fixture) -> Vec<(String, String)> {
    fixture
        .events_starting_with("operator.sign")
        .into_iter()
        .map(|e| (e.action, e.details))
        .collect()
}

#[test]
fn refusals_are_clear_and_audited() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    fixture
        .sesame
        .create_operator(&admin, "Désactivé", &password(), Rights::default())
        .expect("operator");
    fixture
        .sesame
        .set_operator_disabled(&admin, "Désactivé", true)
        .expect("disabled");
    let sesame = &mut fixture.sesame;
    let cases = [
        (ADMIN, wrong(), "sign_in_failed"),
        ("Personne", wrong(), "sign_in_failed"),
        ("Désactivé", password(), "operator_disabled"),
        (ADMIN, secret_from(String::new()), "empty"),
        (ADMIN, secret_from("x".repeat(10_000)), "password_too_long"),
        ("", password(), "empty"),
    ];
    for (name, attempt, code) in cases {
        let error = sesame.sign_in(name, &attempt).expect_err("refused");
        assert_eq!(error.code(), code, "« {name} »");
        assert!(!error.message(Lang::Fr).is_empty());
    }
    // An unknown name and a wrong password read the same.
    assert_eq!(
        Error::SignInFailed.message(Lang::Fr),
        "Opérateur inconnu ou mot de passe incorrect."
    );
    let events = sign_in_events(&mut fixture);
    let failures: Vec<&str> = events
        .iter()
        .filter(|(action, _)| action == "operator.sign_in_failed")
        .map(|(_, details)| details.as_str())
        .collect();
    assert_eq!(
        failures,
        [
            r#"{"reason":"password"}"#,
            r#"{"reason":"unknown"}"#,
            r#"{"reason":"disabled"}"#
        ]
    );
    // Nothing in the trail holds a password.
    let admin = fixture.admin.clone();
    for event in fixture
        .sesame
        .audit_events(&admin, 0, u32::MAX)
        .expect("events")
    {
        assert!(!event.details.contains("pas le bon"));
    }
}

#[test]
fn repeated_failures_slow_down_exponentially_and_a_success_clears_them() {
    let mut fixture = Fixture::new();
    let clock = fixture.clock.clone();
    let sesame = &mut fixture.sesame;
    for _ in 0..FREE_FAILURES {
        let error = sesame.sign_in(ADMIN, &wrong()).expect_err("wrong password");
        assert_eq!(error.code(), "sign_in_failed");
    }
    // Now each failure makes the next attempt wait: 1 s, 2 s, 4 s…
    for failures in FREE_FAILURES..FREE_FAILURES + 4 {
        let wait = throttle_wait(failures).as_secs();
        // Even the right password is not checked while the name must wait.
        let early = sesame.sign_in(ADMIN, &password()).expect_err("throttled");
        assert!(
            matches!(early, Error::SignInThrottled(seconds) if seconds == wait),
            "after {failures} failures: {early:?}"
        );
        assert!(early.message(Lang::Fr).contains(&format!("{wait} s")));
        clock.advance(Duration::seconds(wait as i64));
        let error = sesame.sign_in(ADMIN, &wrong()).expect_err("wrong password");
        assert_eq!(error.code(), "sign_in_failed");
    }
    // Unknown names are throttled alike, so the throttle tells nothing about who exists.
    for _ in 0..=FREE_FAILURES {
        let _ = sesame.sign_in("Inconnu", &wrong());
    }
    assert_eq!(
        sesame.sign_in("inconnu", &wrong()).expect_err("").code(),
        "sign_in_throttled"
    );
    // The real operator is never kept out longer than the longest wait.
    clock.advance(Duration::from_std(LONGEST_WAIT).expect("duration"));
    sesame
        .sign_in(ADMIN, &password())
        .expect("the right password after the wait");
    // A success starts afresh.
    let error = sesame.sign_in(ADMIN, &wrong()).expect_err("wrong password");
    assert_eq!(error.code(), "sign_in_failed");
    sesame.sign_in(ADMIN, &password()).expect("no wait yet");

    let events = sign_in_events(&mut fixture);
    let throttled = events
        .iter()
        .filter(|(_, details)| details.contains("throttled"))
        .count();
    assert_eq!(throttled, 6, "each refused early attempt is audited");
}

#[test]
fn failures_are_forgotten_after_a_day() {
    let mut fixture = Fixture::new();
    for _ in 0..FREE_FAILURES + 5 {
        let _ = fixture.sesame.sign_in(ADMIN, &wrong());
        fixture.clock.advance(Duration::minutes(20));
    }
    fixture.clock.advance(Duration::hours(25));
    let error = fixture.sesame.sign_in(ADMIN, &wrong()).expect_err("wrong");
    assert_eq!(error.code(), "sign_in_failed", "a fresh count");
}

#[test]
fn a_second_process_signs_in_while_the_first_is_open() {
    let fixture = Fixture::new();
    let mut other = fixture.reopen();
    let session = other.sign_in(ADMIN, &password()).expect("second process");
    other
        .create_company(&session, "Bernard SAS")
        .expect("writes from the second process");
    let admin = fixture.admin.clone();
    let companies = fixture.sesame.companies(&admin).expect("companies");
    assert!(companies.iter().any(|c| c.name == "Bernard SAS"));
}
