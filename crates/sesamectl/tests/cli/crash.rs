//! A writer killed with SIGKILL at random moments loses no reported key and leaves nothing
//! half-made.

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::process::Stdio;
use std::time::Duration;

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;
use rand::Rng;
use sesame_core::Sesame;
use sesame_core::key::KeyFilter;
use sesame_core::secret::secret_from;
use sesame_core::verify::VerifyCode;

use crate::support::{PASSWORD, Store, USER};

const ROUNDS: usize = 25;

#[test]
fn killed_writers_leave_every_reported_key_whole() {
    let store = Store::on_sqlite();
    let mut reported: Vec<(String, String)> = Vec::new();
    let mut rng = rand::rng();
    for round in 0..ROUNDS {
        let script = format!(
            "i=0; while :; do i=$((i+1)); \"$0\" --json key create Paie \"r{round}-$i\" \
             --permission factures:lecture --company 'Dupont SARL' || exit 1; done"
        );
        let mut child = store
            .shell(&script)
            .process_group(0)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn writer");
        let stdout = child.stdout.take().expect("stdout");
        let (lines, received) = std::sync::mpsc::channel::<String>();
        let reader = std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|read| read > 0) {
                // A line cut by the kill is not a report.
                if line.ends_with('\n') {
                    let _ = lines.send(std::mem::take(&mut line));
                }
                line.clear();
            }
        });
        // Each round kills the writer at a random moment after its first reported key, however
        // slow the machine is.
        let first = received
            .recv_timeout(Duration::from_secs(60))
            .expect("the writer reports a first key");
        std::thread::sleep(Duration::from_millis(rng.random_range(0..300)));
        let group = Pid::from_raw(i32::try_from(child.id()).expect("pid"));
        killpg(group, Signal::SIGKILL).expect("kill the writer's process group");
        child.wait().expect("reap");
        reader.join().expect("reader");
        for line in std::iter::once(first).chain(received.try_iter()) {
            let created: serde_json::Value =
                serde_json::from_str(&line).expect("a whole JSON line");
            let id = created["key"]["id"].as_str().expect("id").to_owned();
            let token = created["token"].as_str().expect("token").to_owned();
            reported.push((id, token));
        }
    }
    assert!(
        reported.len() >= ROUNDS,
        "the writers had time to create keys ({})",
        reported.len()
    );

    let mut sesame = Sesame::open(&store.path()).expect("open after the crashes");
    let session = sesame
        .sign_in(USER, &secret_from(PASSWORD.to_owned()))
        .expect("sign in");
    let connection = rusqlite::Connection::open(store.path()).expect("open raw");
    let integrity: String = connection
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .expect("check");
    assert_eq!(integrity, "ok");

    // Every reported key is there and works.
    for (index, (id, token)) in reported.iter().enumerate() {
        let key = sesame
            .key(&session, id)
            .unwrap_or_else(|_| panic!("reported key #{index} is missing"));
        assert_eq!(key.permissions, ["factures:lecture"], "key #{index}");
        assert_eq!(key.companies.len(), 1, "key #{index}");
        let code = sesame
            .verify_bearer(token, None, None)
            .expect("verify")
            .code;
        assert_eq!(
            code,
            VerifyCode::Valid,
            "reported key #{index} does not verify"
        );
    }

    // Nothing half-made: every key in the store has its grants and its audit event.
    let all = sesame
        .keys(
            &session,
            &KeyFilter {
                limit: 500,
                ..KeyFilter::default()
            },
        )
        .expect("list");
    assert!(all.total as usize >= reported.len());
    for key in &all.keys {
        assert_eq!(
            key.permissions,
            ["factures:lecture"],
            "{} has lost its permission",
            key.name
        );
        assert_eq!(key.companies.len(), 1, "{} has lost its company", key.name);
        let events = sesame.audit_events_for(&session, &key.id).expect("events");
        assert_eq!(
            events.first().map(|e| e.action.as_str()),
            Some("key.created"),
            "{}",
            key.name
        );
    }
    let orphans: i64 = connection
        .query_row(
            "SELECT COUNT(*) FROM keys k WHERE NOT EXISTS
                 (SELECT 1 FROM audit_events e WHERE e.target_id = k.id AND e.action = 'key.created')",
            [],
            |r| r.get(0),
        )
        .expect("count");
    assert_eq!(orphans, 0, "a key without its creation event");
    assert_eq!(
        sesame.check_audit_chain().expect("chain").first_broken,
        None
    );
}
