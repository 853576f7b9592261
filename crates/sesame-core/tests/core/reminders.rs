//! The reminder of expiring keys: the keys within the warning period (a setting, 30 days by
//! default), worded for a desktop notification.

use chrono::Duration;
use sesame_core::error::Error;
use sesame_core::key::KeyEdit;
use sesame_core::vocab::Lang;

use crate::support::Fixture;

fn expire_in(fixture: &mut Fixture, name: &str, days: i64) {
    let admin = fixture.admin.clone();
    fixture.create(name);
    let edit = KeyEdit {
        expires_at: Some(Some(fixture.sesame.now() + Duration::days(days))),
        ..KeyEdit::default()
    };
    fixture
        .sesame
        .edit_key(&admin, name, &edit)
        .expect("expiry");
}

#[test]
fn the_reminder_names_the_keys_expiring_within_the_warning_period() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let reminder = fixture.sesame.expiry_reminder(&admin).expect("reminder");
    assert_eq!(reminder.within_days, 30);
    assert!(
        reminder.words(Lang::Fr).is_none(),
        "nothing to say, no notification"
    );

    for (name, days) in [
        ("Banque", 3),
        ("Scanner", 10),
        ("GED", 20),
        ("Paie 2", 25),
        ("Tard", 45),
    ] {
        expire_in(&mut fixture, name, days);
    }
    let reminder = fixture.sesame.expiry_reminder(&admin).expect("reminder");
    let names: Vec<_> = reminder.keys.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(
        names,
        ["Banque", "Scanner", "GED", "Paie 2"],
        "soonest first"
    );
    let (title, body) = reminder.words(Lang::Fr).expect("words");
    assert_eq!(title, "Sésame : 4 clés expirent dans les 30 jours");
    assert!(
        body.starts_with("« Banque » (Paie) : dernier jour le "),
        "{body}"
    );
    assert!(
        body.ends_with("… et 1 autre : voyez l'écran « Clés »."),
        "{body}"
    );
    let (english, _) = reminder.words(Lang::En).expect("words");
    assert_eq!(english, "Sésame: 4 keys expire within 30 days");

    fixture
        .sesame
        .set_warning_days(&admin, 60)
        .expect("setting");
    assert_eq!(
        fixture
            .sesame
            .expiry_reminder(&admin)
            .expect("r")
            .keys
            .len(),
        5
    );
    let refused = fixture.sesame.set_warning_days(&admin, 0);
    assert!(matches!(
        refused,
        Err(Error::OutOfRange { min: 1, max: 365 })
    ));
    assert_eq!(
        fixture.sesame.settings().expect("settings").warning_days,
        60
    );
    assert_eq!(fixture.events_starting_with("settings.changed").len(), 1);
}
