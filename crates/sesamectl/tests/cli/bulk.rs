//! `sesamectl key bulk`, `company offboard` and `service offboard` on the real binary: the
//! preview writes nothing, `--yes --confirm` applies exactly the preview read, the real
//! `verify` then refuses the keys.

use crate::support::{Store, said};

/// Previews `command`, then applies it with `--yes --confirm` and the preview's code.
fn previewed_then_applied(store: &Store, command: &[&str]) -> serde_json::Value {
    let preview = store.ok(command);
    assert_eq!(preview["applied"], false);
    let code = preview["confirmation"].as_str().expect("a code").to_owned();
    let mut apply = command.to_vec();
    apply.extend(["--yes", "--confirm", &code]);
    let applied = store.ok(&apply);
    assert_eq!(applied["applied"], true);
    applied
}

fn verify(store: &Store, token: &str) -> String {
    let output = store.run(&["verify", "--json", token]);
    said(&output)
}

#[test]
fn a_bulk_revoke_by_criteria_is_previewed_then_applied_with_yes() {
    let store = Store::new();
    let first = store.create_key("Caisse 1");
    let second = store.create_key("Caisse 2");
    let other = store.create_key("Comptable");

    let preview = store.ok(&[
        "key",
        "bulk",
        "--name",
        "caisse",
        "--revoke",
        "caisses remplacées",
    ]);
    assert_eq!(preview["changing"], 2);
    assert_eq!(preview["applied"], false);
    assert_eq!(preview["keys"][0]["effect"], "revoked");
    assert!(
        verify(&store, &first).contains("VALID"),
        "the preview wrote nothing"
    );

    let plain = store.run(&["key", "bulk", "--name", "caisse", "--revoke", "x"]);
    let code = preview["confirmation"].as_str().expect("code").to_owned();
    assert!(
        said(&plain).contains(&format!("relancez avec --yes --confirm {code}")),
        "{}",
        said(&plain)
    );
    // --yes alone, or with another preview's code, applies nothing.
    let revoke = [
        "key",
        "bulk",
        "--name",
        "caisse",
        "--revoke",
        "caisses remplacées",
    ];
    let unconfirmed = store.run(&[&revoke[..], &["--yes"]].concat());
    assert_eq!(unconfirmed.status.code(), Some(2));
    assert!(said(&unconfirmed).contains(&format!("--yes --confirm {code}")));
    let wrong = store.run(&[&revoke[..], &["--yes", "--confirm", "0123456789abcdef"]].concat());
    assert_eq!(wrong.status.code(), Some(2));
    assert!(said(&wrong).contains("les clés ont changé depuis l'aperçu"));
    assert!(verify(&store, &first).contains("VALID"));

    previewed_then_applied(&store, &revoke);
    for token in [&first, &second] {
        assert!(
            verify(&store, token).contains("REVOKED"),
            "{}",
            verify(&store, token)
        );
    }
    assert!(verify(&store, &other).contains("VALID"));

    // Nothing left to change: refused in words, exit status 2.
    let again = store.run(&["key", "bulk", "--name", "caisse", "--deactivate", "--yes"]);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        said(&again).contains("Aucune des clés choisies"),
        "{}",
        said(&again)
    );
    let none = store.run(&["key", "bulk", "--name", "introuvable", "--delete"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(
        said(&none).contains("Aucune clé n'est choisie"),
        "{}",
        said(&none)
    );
}

/// No key and no criterion, or an empty criterion, never takes every key; a preview's code
/// applies only the keys it named, even when as many others would change now.
#[test]
fn a_bulk_change_takes_only_the_keys_chosen_and_previewed() {
    let store = Store::new();
    let first = store.create_key("Caisse 1");
    let second = store.create_key("Caisse 2");
    for nothing_chosen in [
        vec!["key", "bulk", "--deactivate"],
        vec!["key", "bulk", "--deactivate", "--yes"],
        vec!["key", "bulk", "--service", "", "--deactivate", "--yes"],
        vec!["key", "bulk", "--name", "  ", "--deactivate", "--yes"],
    ] {
        let refused = store.run(&nothing_chosen);
        assert_eq!(refused.status.code(), Some(2), "{nothing_chosen:?}");
    }
    let every = store.ok(&["key", "bulk", "--all", "--add-tag", "toutes"]);
    assert_eq!(every["changing"], 2);
    assert!(verify(&store, &first).contains("VALID"));

    let preview = store.ok(&["key", "bulk", "--name", "caisse", "--deactivate"]);
    let code = preview["confirmation"].as_str().expect("code").to_owned();
    // Meanwhile one is deactivated by hand and another takes its place: as many keys change.
    store.ok(&["key", "deactivate", "Caisse 2"]);
    let third = store.create_key("Caisse 3");
    let replaced = store.run(&[
        "key",
        "bulk",
        "--name",
        "caisse",
        "--deactivate",
        "--yes",
        "--confirm",
        &code,
    ]);
    assert_eq!(replaced.status.code(), Some(2));
    assert!(
        said(&replaced).contains("ont changé"),
        "{}",
        said(&replaced)
    );
    for token in [&first, &third] {
        assert!(verify(&store, token).contains("VALID"));
    }
    assert!(verify(&store, &second).contains("INACTIVE"));
}

#[test]
fn named_keys_get_a_tag_and_an_expiry() {
    let store = Store::new();
    store.create_key("Banque");
    store.create_key("Scanner");
    previewed_then_applied(
        &store,
        &[
            "key",
            "bulk",
            "--key",
            "Banque",
            "--key",
            "Scanner",
            "--add-tag",
            "agence-nord",
        ],
    );
    let tagged = store.ok(&["key", "list", "--tag", "agence-nord"]);
    assert_eq!(tagged["total"], 2);
    previewed_then_applied(
        &store,
        &[
            "key",
            "bulk",
            "--tag",
            "agence-nord",
            "--set-expires",
            "2099-12-31",
        ],
    );
    let shown = store.ok(&["key", "show", "Banque"]);
    // The last valid day ends at midnight, local time (UTC here).
    assert_eq!(shown["key"]["expires_at"], "2100-01-01T00:00:00Z");
    let bad = store.run(&[
        "key",
        "bulk",
        "--key",
        "Banque",
        "--set-expires",
        "31/12/99",
    ]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn offboarding_a_company_and_a_service_from_the_command_line() {
    let store = Store::new();
    store.ok(&["company", "add", "Martin SA"]);
    let own = store.ok(&[
        "key",
        "create",
        "Paie",
        "Dupont seule",
        "--company",
        "Dupont SARL",
    ])["token"]
        .as_str()
        .expect("token")
        .to_owned();
    store.ok(&[
        "key",
        "create",
        "Paie",
        "Partagée",
        "--company",
        "Dupont SARL",
        "--company",
        "Martin SA",
    ]);
    let preview = store.ok(&[
        "company",
        "offboard",
        "Dupont SARL",
        "--end",
        "revoke",
        "--reason",
        "client parti",
    ]);
    assert_eq!(preview["subject"], "Dupont SARL");
    assert_eq!(preview["changing"], 2);
    let effects: Vec<&str> = preview["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|k| k["effect"].as_str())
        .collect();
    assert_eq!(effects, ["revoked", "loses_company"]);
    previewed_then_applied(
        &store,
        &[
            "company",
            "offboard",
            "Dupont SARL",
            "--end",
            "revoke",
            "--reason",
            "client parti",
        ],
    );
    assert!(verify(&store, &own).contains("REVOKED"));
    let shared = store.ok(&["key", "show", "Partagée"]);
    assert_eq!(shared["key"]["companies"].as_array().map(Vec::len), Some(1));

    let rest = previewed_then_applied(
        &store,
        &[
            "service",
            "offboard",
            "Paie",
            "--end",
            "deactivate",
            "--reason",
            "fin",
        ],
    );
    assert_eq!(rest["changing"], 1);
    let shared = store.ok(&["key", "show", "Partagée"]);
    assert_eq!(shared["key"]["status"], "inactive");
    let export = store.folder.path().join("journal.jsonl");
    let path = export.to_string_lossy().into_owned();
    store.ok(&["audit", "export", "--output", &path]);
    let text = std::fs::read_to_string(&export).expect("export");
    assert!(text.contains("company.offboarded") && text.contains("service.offboarded"));
}
