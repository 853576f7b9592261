//! Several administrators at once, each in a connection (a process) of their own: creating,
//! editing, regenerating and revoking keys of one service at the same moment loses no write,
//! never gives two keys one name, and keeps the audit trail one linear chain — on SQLite and on
//! PostgreSQL alike (the suite runs on both).

use sesame_core::Sesame;
use sesame_core::error::Error;
use sesame_core::key::{Grace, KeyEdit, KeyFilter, NewKey};

use crate::support::{ADMIN, Fixture, password};

const ADMINISTRATORS: usize = 4;
const KEYS_EACH: usize = 6;

fn new_key(name: &str) -> NewKey {
    NewKey {
        service: "Paie".into(),
        name: name.into(),
        permissions: vec!["factures:lecture".into()],
        ..NewKey::default()
    }
}

#[test]
fn four_administrators_at_once_lose_no_write_and_keep_one_chain() {
    let mut fixture = Fixture::new();
    let (location, clock) = (fixture.location.clone(), fixture.clock.clone());
    let results: Vec<(usize, bool)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..ADMINISTRATORS)
            .map(|worker| {
                let (location, clock) = (location.clone(), clock.clone());
                scope.spawn(move || {
                    let mut sesame = Sesame::open_location(&location)
                        .expect("open")
                        .with_clock(clock);
                    let admin = sesame.sign_in(ADMIN, &password()).expect("sign in");
                    let mut made = 0;
                    for n in 0..KEYS_EACH {
                        let name = format!("poste {worker}-{n}");
                        sesame.create_key(&admin, &new_key(&name)).expect("create");
                        made += 1;
                    }
                    let edit = KeyEdit {
                        note: Some(format!("revue par {worker}")),
                        ..KeyEdit::default()
                    };
                    sesame
                        .edit_key(&admin, &format!("poste {worker}-0"), &edit)
                        .expect("edit");
                    sesame
                        .regenerate_key(&admin, &format!("poste {worker}-1"), Grace::Now)
                        .expect("regenerate");
                    sesame
                        .revoke_key(&admin, &format!("poste {worker}-2"), "remplacé")
                        .expect("revoke");
                    // Everyone wants the same name at once: one gets it.
                    let shared = match sesame.create_key(&admin, &new_key("commun")) {
                        Ok(_) => true,
                        Err(Error::KeyNameTaken(_)) => false,
                        Err(other) => panic!("unexpected: {other:?}"),
                    };
                    (made, shared)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("worker"))
            .collect()
    });
    let made: usize = results.iter().map(|(made, _)| made).sum();
    let shared = results.iter().filter(|(_, shared)| *shared).count();
    assert_eq!(made, ADMINISTRATORS * KEYS_EACH);
    assert_eq!(shared, 1, "exactly one key named « commun »");

    let admin = fixture.admin.clone();
    let page = fixture
        .sesame
        .keys(
            &admin,
            &KeyFilter {
                limit: 500,
                ..KeyFilter::default()
            },
        )
        .expect("list");
    assert_eq!(page.total as usize, ADMINISTRATORS * KEYS_EACH + 1);
    let mut names: Vec<_> = page.keys.iter().map(|key| key.name.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), page.keys.len(), "two keys share a name");
    let created = fixture.events_starting_with("key.created").len();
    assert_eq!(created, ADMINISTRATORS * KEYS_EACH + 1);
    assert_eq!(
        fixture.events_starting_with("key.revoked").len(),
        ADMINISTRATORS
    );
    let chain = fixture.sesame.check_audit_chain().expect("chain");
    assert_eq!(chain.first_broken, None);
    // Every row the four wrote is sealed as Sésame wrote it.
    let check = fixture.sesame.check_store(&admin).expect("check");
    assert!(check.tampered.is_empty(), "{:?}", check.tampered);
}
