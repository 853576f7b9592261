//! `sesamectl company add|edit|archive|restore|list` on the real binary.

use crate::support::Store;

fn said(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn companies_are_added_edited_archived_and_restored() {
    let store = Store::new();
    let added = store.ok(&[
        "company",
        "add",
        "Futuroscope SA",
        "--code",
        "95963",
        "--siren",
        "552 100 554",
        "--town",
        "Futuroscope Cedex",
    ]);
    assert_eq!(added["company"]["siren"], "552100554");
    assert_eq!(added["company"]["client_code"], "95963");

    let refused = store.run(&["company", "add", "Martin", "--siren", "552100555"]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        said(&refused).contains("n'est pas un SIREN valable"),
        "{}",
        said(&refused)
    );

    let edited = store.ok(&[
        "company",
        "edit",
        "95963",
        "--name",
        "Futuroscope Destination",
    ]);
    assert_eq!(edited["company"]["name"], "Futuroscope Destination");
    assert_eq!(
        edited["company"]["town"], "Futuroscope Cedex",
        "other fields kept"
    );

    store.ok(&["company", "archive", "Futuroscope Destination"]);
    let listed = store.ok(&["company", "list"]);
    let names: Vec<&str> = listed["companies"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert_eq!(names, ["Dupont SARL"], "archived ones are left out");
    let all = store.ok(&["company", "list", "--all"]);
    assert_eq!(all["companies"].as_array().map(Vec::len), Some(2));

    let key = store.run(&[
        "key",
        "create",
        "Paie",
        "Portail",
        "--permission",
        "factures:lecture",
        "--company",
        "Futuroscope Destination",
    ]);
    assert_eq!(key.status.code(), Some(2));
    assert!(said(&key).contains("archivée"), "{}", said(&key));

    store.ok(&["company", "restore", "552100554"]);
    store.ok(&[
        "key",
        "create",
        "Paie",
        "Portail",
        "--permission",
        "factures:lecture",
        "--company",
        "Futuroscope Destination",
    ]);
}

#[test]
fn a_service_s_maximum_lifetime_holds_for_keys_made_from_the_command_line() {
    let store = Store::new();
    store.ok(&["service", "edit", "Paie", "--max-lifetime", "30"]);
    let endless = store.run(&[
        "key",
        "create",
        "Paie",
        "Sans fin",
        "--permission",
        "factures:lecture",
    ]);
    assert_eq!(endless.status.code(), Some(2));
    assert!(
        said(&endless).contains("doivent expirer dans les 30 jours"),
        "{}",
        said(&endless)
    );
    let far = (chrono::Local::now() + chrono::Duration::days(90))
        .format("%Y-%m-%d")
        .to_string();
    let long = store.run(&[
        "key",
        "create",
        "Paie",
        "Longue",
        "--permission",
        "factures:lecture",
        "--expires",
        &far,
    ]);
    assert_eq!(long.status.code(), Some(2));
    assert!(said(&long).contains("au plus tard le"), "{}", said(&long));
    let near = (chrono::Local::now() + chrono::Duration::days(20))
        .format("%Y-%m-%d")
        .to_string();
    store.ok(&[
        "key",
        "create",
        "Paie",
        "Courte",
        "--permission",
        "factures:lecture",
        "--expires",
        &near,
    ]);
    let listed = store.ok(&["key", "list", "--health", "beyond-max-lifetime"]);
    assert_eq!(listed["total"], 0);
    store.ok(&["service", "edit", "Paie", "--no-max-lifetime"]);
}
