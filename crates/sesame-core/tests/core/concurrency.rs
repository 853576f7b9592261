//! Several administrators at once: creating, editing, regenerating and revoking keys of one
//! service at the same moment loses no write, never gives two keys one name, and keeps the audit
//! trail one linear chain — on SQLite and on PostgreSQL alike (the suite runs on both). Four of
//! them each open the store for themselves, as separate programs do; eight more share the few
//! handles of one pool, as a server's requests do, taking one for each action.

use sesame_core::Sesame;
use sesame_core::error::Error;
use sesame_core::key::{Grace, KeyEdit, KeyFilter, NewKey};
use sesame_core::pool::Pool;

use crate::support::{ADMIN, Fixture, password};

const KEYS_EACH: usize = 6;

fn new_key(name: &str) -> NewKey {
    NewKey {
        service: "Paie".into(),
        name: name.into(),
        permissions: vec!["factures:lecture".into()],
        ..NewKey::default()
    }
}

/// Lends a store to one action: the administrator's own, or a handle of a shared pool.
type Lend<'a> = &'a dyn Fn(&mut dyn FnMut(&mut Sesame));

/// One administrator's share of the work, each action on a store `with` lends.
fn administrator_works(worker: usize, with: Lend<'_>) -> (usize, bool) {
    let mut admin = None;
    with(&mut |sesame| admin = Some(sesame.sign_in(ADMIN, &password()).expect("sign in")));
    let admin = admin.expect("signed in");
    let mut made = 0;
    for n in 0..KEYS_EACH {
        let name = format!("poste {worker}-{n}");
        with(&mut |sesame| {
            sesame.create_key(&admin, &new_key(&name)).expect("create");
        });
        made += 1;
    }
    let edit = KeyEdit {
        note: Some(format!("revue par {worker}")),
        ..KeyEdit::default()
    };
    with(&mut |sesame| {
        sesame
            .edit_key(&admin, &format!("poste {worker}-0"), &edit)
            .expect("edit");
        // What was just written is read back, whichever handle comes next.
    });
    with(&mut |sesame| {
        let key = sesame
            .key(&admin, &format!("poste {worker}-0"))
            .expect("read back");
        assert_eq!(key.note, format!("revue par {worker}"));
    });
    with(&mut |sesame| {
        sesame
            .regenerate_key(&admin, &format!("poste {worker}-1"), Grace::Now)
            .expect("regenerate");
    });
    with(&mut |sesame| {
        sesame
            .revoke_key(&admin, &format!("poste {worker}-2"), "remplacé")
            .expect("revoke");
    });
    // Everyone wants the same name at once: one gets it.
    let mut shared = false;
    with(&mut |sesame| {
        shared = match sesame.create_key(&admin, &new_key("commun")) {
            Ok(_) => true,
            Err(Error::KeyNameTaken(_)) => false,
            Err(other) => panic!("unexpected: {other:?}"),
        };
    });
    (made, shared)
}

#[test]
fn four_administrators_each_in_a_connection_lose_no_write_and_keep_one_chain() {
    let fixture = Fixture::new();
    let (location, clock) = (fixture.location.clone(), fixture.clock.clone());
    let results: Vec<(usize, bool)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|worker| {
                let (location, clock) = (location.clone(), clock.clone());
                scope.spawn(move || {
                    let sesame = std::cell::RefCell::new(
                        Sesame::open_location(&location)
                            .expect("open")
                            .with_clock(clock),
                    );
                    administrator_works(worker, &|action| action(&mut sesame.borrow_mut()))
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("worker"))
            .collect()
    });
    one_linear_history(fixture, &results);
}

#[test]
fn eight_administrators_sharing_four_handles_lose_no_write_and_keep_one_chain() {
    let fixture = Fixture::new();
    let pool = Pool::new(fixture.sesame.sibling().expect("sibling"), 4).expect("pool");
    let results: Vec<(usize, bool)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..8)
            .map(|worker| {
                let pool = &pool;
                scope.spawn(move || {
                    administrator_works(worker, &|action| {
                        action(&mut pool.get().expect("a handle"));
                    })
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|worker| worker.join().expect("worker"))
            .collect()
    });
    drop(pool);
    one_linear_history(fixture, &results);
}

/// Every key made is there once, one administrator got the shared name, and the trail is one
/// unbroken chain over rows all sealed as Sésame wrote them.
fn one_linear_history(mut fixture: Fixture, results: &[(usize, bool)]) {
    let administrators = results.len();
    let made: usize = results.iter().map(|(made, _)| made).sum();
    let shared = results.iter().filter(|(_, shared)| *shared).count();
    assert_eq!(made, administrators * KEYS_EACH);
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
    assert_eq!(page.total as usize, administrators * KEYS_EACH + 1);
    let mut names: Vec<_> = page.keys.iter().map(|key| key.name.clone()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), page.keys.len(), "two keys share a name");
    let created = fixture.events_starting_with("key.created").len();
    assert_eq!(created, administrators * KEYS_EACH + 1);
    assert_eq!(
        fixture.events_starting_with("key.revoked").len(),
        administrators
    );
    let chain = fixture.sesame.check_audit_chain().expect("chain");
    assert_eq!(chain.first_broken, None);
    // Every row they wrote is sealed as Sésame wrote it.
    let check = fixture.sesame.check_store(&admin).expect("check");
    assert!(check.tampered.is_empty(), "{:?}", check.tampered);
}
