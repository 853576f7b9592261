//! Sign-in figures (issue 4): the time of one sign-in (one argon2id check and its audit event),
//! and the throttle at work — what 20 wrong passwords in a row cost a guesser, on the real clock
//! and in the waits the throttle imposes. Prints its figures; `cargo bench --bench sign_in`.
// A benchmark's set-up that fails has nothing to measure; `expect` says what failed.
#![allow(clippy::expect_used, clippy::unwrap_used, missing_docs)]

use std::time::{Duration, Instant};

mod support;
use sesame_core::operator::throttle_wait;
use sesame_core::secret::secret_from;
use support::seed::{ADMIN, PASSWORD, store};

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn main() {
    let folder = tempfile::tempdir().unwrap();
    let (mut sesame, _) = store(&folder.path().join("bench.db"));
    let password = secret_from(PASSWORD.to_owned());
    let wrong = secret_from("pas le bon mot de passe".to_owned());

    let times: Vec<Duration> = (0..30)
        .map(|_| {
            let started = Instant::now();
            sesame.sign_in(ADMIN, &password).expect("sign in");
            started.elapsed()
        })
        .collect();
    println!(
        "sign-in, right password (argon2id + audit event): median {:.1} ms over 30",
        median(times).as_secs_f64() * 1e3
    );

    // Twenty wrong passwords as fast as a script can send them.
    let started = Instant::now();
    let (mut checked, mut throttled) = (0, 0);
    for _ in 0..20 {
        match sesame
            .sign_in(ADMIN, &wrong)
            .expect_err("wrong password")
            .code()
        {
            "sign_in_failed" => checked += 1,
            "sign_in_throttled" => throttled += 1,
            other => panic!("unexpected {other}"),
        }
    }
    let elapsed = started.elapsed();
    println!(
        "20 wrong passwords in a row, back to back: {:.1} ms; {checked} checked with argon2id, {throttled} refused at once by the throttle",
        elapsed.as_secs_f64() * 1e3
    );

    // The least time a guesser needs for 20 guesses at one name: the throttle's waits.
    let waits: Duration = (0..20).map(throttle_wait).sum();
    let schedule: Vec<String> = (0..20)
        .map(|n| throttle_wait(n).as_secs().to_string())
        .collect();
    println!(
        "20 wrong passwords in a row, waiting out the throttle: at least {} s ({:.1} min); waits before each guess (s): {}",
        waits.as_secs(),
        waits.as_secs_f64() / 60.0,
        schedule.join(" ")
    );
}
