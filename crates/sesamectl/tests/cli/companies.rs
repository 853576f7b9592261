//! `sesamectl company add|edit|archive|restore|list` on the real binary.

use crate::support::{Store, said};

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

#[test]
fn keys_get_tags_and_a_contact_from_the_command_line_and_from_an_import() {
    let store = Store::new();
    let created = store.ok(&[
        "key",
        "create",
        "Paie",
        "Externe",
        "--permission",
        "factures:lecture",
        "--tag",
        "paie",
        "--tag",
        "Externe",
        "--contact",
        "Claire 06 12 34 56 78",
    ]);
    assert_eq!(
        created["key"]["tags"],
        serde_json::json!(["externe", "paie"])
    );
    let file = store.folder.path().join("import.csv");
    std::fs::write(
        &file,
        "service;nom;identifiant;secret;étiquettes;contact\n\
         Paie;Ancienne;paie_ancienne-1;Le-secret-de-la-paie-2019!;historique, paie;Service compta\n",
    )
    .expect("file");
    store.ok(&["key", "import", &file.to_string_lossy()]);
    let listed = store.ok(&["key", "list", "--tag", "paie"]);
    assert_eq!(listed["total"], 2);
    let imported = store.ok(&["key", "show", "Ancienne"]);
    assert_eq!(imported["key"]["contact"], "Service compta");
    store.ok(&["key", "edit", "Externe", "--no-tags"]);
    assert_eq!(store.ok(&["key", "list", "--tag", "paie"])["total"], 1);
}

#[test]
fn key_expiring_lists_the_keys_and_writes_their_calendar() {
    let store = Store::new();
    let soon = (chrono::Local::now() + chrono::Duration::days(10))
        .format("%Y-%m-%d")
        .to_string();
    let later = (chrono::Local::now() + chrono::Duration::days(100))
        .format("%Y-%m-%d")
        .to_string();
    for (name, day) in [("Bientôt", &soon), ("Plus tard", &later)] {
        store.ok(&[
            "key",
            "create",
            "Paie",
            name,
            "--permission",
            "factures:lecture",
            "--expires",
            day,
        ]);
    }
    let calendar = store.folder.path().join("expirations.ics");
    let listed = store.ok(&[
        "key",
        "expiring",
        "--within",
        "30",
        "--ics",
        &calendar.to_string_lossy(),
    ]);
    assert_eq!(listed["keys"].as_array().map(Vec::len), Some(1));
    assert_eq!(listed["keys"][0]["name"], "Bientôt");
    let text = std::fs::read_to_string(&calendar).expect("calendar");
    assert!(text.starts_with("BEGIN:VCALENDAR"), "{text}");
    assert_eq!(text.matches("BEGIN:VEVENT").count(), 1);
    assert_eq!(text.matches("BEGIN:VALARM").count(), 1);
    assert!(
        text.contains(&format!("DTSTART;VALUE=DATE:{}", soon.replace('-', ""))),
        "{text}"
    );
    calendar_read_by_real_clients(&calendar, &soon);
    // An existing file is never replaced.
    let again = store.run(&["key", "expiring", "--ics", &calendar.to_string_lossy()]);
    assert_eq!(again.status.code(), Some(2));
}

/// The calendar file as calendar programs read it (issue 23): Debian's python3-icalendar parses
/// it and finds each all-day event ending, exclusively, the day after it starts (RFC 5545
/// §3.6.1); khal, a real client, imports it without a warning and shows the event on the last
/// valid day `day` and not the day after.
fn calendar_read_by_real_clients(calendar: &std::path::Path, day: &str) {
    let parsed = crate::support::debian_python(
        "import sys, datetime, icalendar\n\
             calendar = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())\n\
             for event in calendar.walk('VEVENT'):\n\
             \x20   start, end = event.decoded('DTSTART'), event.decoded('DTEND')\n\
             \x20   assert type(start) is datetime.date and type(end) is datetime.date, (start, end)\n\
             \x20   assert end == start + datetime.timedelta(days=1), (start, end)\n\
             \x20   print(start.isoformat())\n",
        &[calendar.as_os_str()],
        "python3-icalendar (scripts/deps installs it)",
    );
    assert_eq!(parsed.trim(), day);

    let home = tempfile::tempdir().expect("khal's home");
    let events = home.path().join("calendrier");
    std::fs::create_dir(&events).expect("calendar folder");
    let config = home.path().join("config");
    std::fs::write(
        &config,
        format!(
            "[calendars]\n[[sesame]]\npath = {}\ntype = calendar\n[locale]\n\
             timeformat = %H:%M\ndateformat = %Y-%m-%d\nlongdateformat = %Y-%m-%d\n\
             datetimeformat = %Y-%m-%d %H:%M\nlongdatetimeformat = %Y-%m-%d %H:%M\n\
             [default]\ndefault_calendar = sesame\n",
            events.display()
        ),
    )
    .expect("khal config");
    let khal = |args: &[&str]| {
        let output = std::process::Command::new("khal")
            .arg("-c")
            .arg(&config)
            .args(args)
            .env("HOME", home.path())
            .env("XDG_DATA_HOME", home.path().join("data"))
            .env("XDG_CONFIG_HOME", home.path())
            .output()
            .expect("khal (scripts/deps installs it)");
        assert!(output.status.success(), "khal {args:?}: {output:?}");
        (
            String::from_utf8_lossy(&output.stdout).into_owned(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (_, warnings) = khal(&["import", "--batch", &calendar.to_string_lossy()]);
    assert!(warnings.trim().is_empty(), "khal warns: {warnings}");
    let (on_the_day, _) = khal(&["list", day, "1d"]);
    assert!(on_the_day.contains("Bientôt"), "{on_the_day}");
    let next = (chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("day")
        + chrono::Duration::days(1))
    .format("%Y-%m-%d")
    .to_string();
    let (day_after, _) = khal(&["list", &next, "1d"]);
    assert!(!day_after.contains("Bientôt"), "{day_after}");
}
