//! Importing existing keys from CSV: mixed secrets and hashes, French Excel files, every refusal
//! named with its line, all or nothing.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use sesame_core::Error;
use sesame_core::import::{ImportPreview, ImportProgress};
use sesame_core::key::{KeyFilter, KeyStatus, Usage};
use sesame_core::key_format;
use sesame_core::operator::Rights;
use sesame_core::password::HashingCost;
use sesame_core::secret::ExposeSecret;
use sesame_core::verify::VerifyCode;

use crate::support::{ADMIN, Fixture, password};

const LEGACY_SECRET: &str = "Zk8!vQ2#legacy-secret-0001";
const HASHED_SECRET: &str = "another-legacy-secret-0002";

fn no_progress(_: ImportProgress) {}

/// A cancel flag nobody sets.
fn go_on() -> AtomicBool {
    AtomicBool::new(false)
}

fn key_count(fixture: &mut Fixture) -> u64 {
    let admin = fixture.admin.clone();
    fixture
        .sesame
        .keys(&admin, &KeyFilter::default())
        .expect("keys")
        .total
}

fn preview(fixture: &mut Fixture, file: &[u8]) -> ImportPreview {
    let admin = fixture.admin.clone();
    fixture
        .sesame
        .preview_import(&admin, file)
        .expect("preview")
}

/// `(line, column, code)` of every problem, in file order.
fn problems(preview: &ImportPreview) -> Vec<(u64, String, &'static str)> {
    preview
        .problems
        .iter()
        .map(|p| {
            (
                p.line,
                p.column.map(|c| c.code().to_owned()).unwrap_or_default(),
                p.error.code(),
            )
        })
        .collect()
}

/// A French Excel export: Windows-1252, `;`, CRLF, a note over two lines, dates as DD/MM/YYYY.
fn mixed_file() -> (Vec<u8>, String) {
    let sesame_identifier = key_format::new_identifier("paie").expect("identifier");
    let sesame_secret = key_format::new_secret(&sesame_identifier).expect("secret");
    let hash = HashingCost::default()
        .hash(HASHED_SECRET.as_bytes())
        .expect("hash");
    let text = format!(
        "Service;Nom de la clé;Identifiant;Secret;Empreinte;Créateur;Date de création;Expiration;Permissions;Sociétés;Note\r\n\
         Paie;Comptabilité générale;paie_legacy-01;{LEGACY_SECRET};;Jeanne Comptable;22/01/2021 08:14;;factures:lecture;Dupont SARL;\r\n\
         Paie;Ancien outil;paie_old_tool;;{hash};{ADMIN};2020-06-30;31/12/2099;factures:lecture,salaires:ecriture;Dupont SARL|Martin SA;\"Reprise de\r\nl'ancien outil\"\r\n\
         Paie;Clé Sésame reprise;{sesame_identifier};{};;;;;;;\r\n",
        sesame_secret.expose_secret()
    );
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!unmappable);
    (
        bytes.into_owned(),
        key_format::bearer(&sesame_identifier, &sesame_secret)
            .expose_secret()
            .to_owned(),
    )
}

#[test]
fn a_french_excel_file_mixing_secrets_and_hashes_imports_and_verifies() {
    let mut fixture = Fixture::new();
    let (file, sesame_bearer) = mixed_file();
    let seen = preview(&mut fixture, &file);
    assert_eq!(problems(&seen), vec![]);
    assert_eq!(
        (seen.encoding, seen.delimiter, seen.rows),
        ("windows-1252", ';', 3)
    );
    assert_eq!((seen.with_secret, seen.with_hash), (2, 1));
    assert_eq!(seen.sample[0].name, "Comptabilité générale");
    assert_eq!(seen.sample[1].line, 3);
    assert_eq!(seen.sample[2].line, 5, "the quoted line break counts");
    assert_eq!(key_count(&mut fixture), 0, "a preview writes nothing");

    let admin = fixture.admin.clone();
    let progress = Mutex::new(Vec::new());
    let outcome = fixture
        .sesame
        .import_keys(
            &admin,
            &file,
            &|step| progress.lock().expect("progress").push(step),
            &go_on(),
        )
        .expect("import");
    assert_eq!(
        (outcome.imported, outcome.with_secret, outcome.with_hash),
        (3, 2, 1)
    );
    assert_eq!(
        progress.lock().expect("progress").last().copied(),
        Some(ImportProgress {
            hashed: 2,
            to_hash: 2
        })
    );

    let keys = fixture
        .sesame
        .keys(&admin, &KeyFilter::default())
        .expect("keys")
        .keys;
    assert_eq!(keys.len(), 3);
    assert!(keys.iter().all(|key| key.last_use == Usage::Unknown));
    assert!(keys.iter().all(|key| key.status == KeyStatus::Active));
    let old = keys.iter().find(|k| k.name == "Ancien outil").expect("old");
    assert_eq!(old.creator_name, ADMIN);
    assert_eq!(old.companies.len(), 2);
    assert_eq!(old.note, "Reprise de\nl'ancien outil");
    assert_eq!(old.created_at.date_naive().to_string(), "2020-06-30");
    let general = keys
        .iter()
        .find(|k| k.name == "Comptabilité générale")
        .expect("general");
    assert_eq!(general.creator_name, "Jeanne Comptable");

    for bearer in [
        format!("paie_legacy-01.{LEGACY_SECRET}"),
        format!("paie_old_tool.{HASHED_SECRET}"),
        sesame_bearer,
    ] {
        let verification = fixture
            .sesame
            .verify_bearer(&bearer, Some("factures:lecture"), None)
            .expect("verify");
        let expected = if bearer.starts_with("paie_legacy") || bearer.starts_with("paie_old") {
            VerifyCode::Valid
        } else {
            VerifyCode::InsufficientPermission
        };
        assert_eq!(verification.code, expected, "{}", &bearer[..14]);
    }
    let wrong = fixture
        .sesame
        .verify_parts("paie_legacy-01", "Zk8!vQ2#legacy-secret-0002", None, None)
        .expect("verify");
    assert_eq!(wrong.code, VerifyCode::InvalidSecret);
    fixture.sesame.flush_usage().expect("flush");
    let general = fixture.sesame.key(&admin, "paie_legacy-01").expect("key");
    assert!(matches!(general.last_use, Usage::At(_)), "seen once used");

    let imported = fixture.events_starting_with("key.imported");
    assert_eq!(imported.len(), 3);
    let summary = fixture.events_starting_with("key.import_summary");
    assert_eq!(summary.len(), 1);
    assert!(
        summary[0].details.contains("\"imported\":3"),
        "{}",
        summary[0].details
    );
    let trail: String = fixture
        .events_starting_with("key.")
        .iter()
        .map(|event| event.details.clone())
        .collect();
    assert!(!trail.contains(LEGACY_SECRET) && !trail.contains("ses_"));
    let status = fixture.sesame.audit_chain_status().expect("chain");
    assert!(status.first_broken.is_none(), "{status:?}");
    assert_eq!(status.checked_to, status.events);

    // No imported secret reaches the store's files.
    drop(fixture.sesame.flush_usage());
    for entry in std::fs::read_dir(fixture.folder.path()).expect("list") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("read");
        assert!(
            !bytes
                .windows(LEGACY_SECRET.len())
                .any(|w| w == LEGACY_SECRET.as_bytes()),
            "a secret on disk"
        );
    }
}

#[test]
fn the_creator_filter_finds_keys_by_the_creator_the_list_shows() {
    let mut fixture = Fixture::new();
    let (file, _) = mixed_file();
    let admin = fixture.admin.clone();
    fixture
        .sesame
        .import_keys(&admin, &file, &no_progress, &go_on())
        .expect("import");
    let creators = fixture.sesame.key_creators(&admin).expect("creators");
    let names: Vec<&str> = creators.iter().map(|(_, name)| name.as_str()).collect();
    assert_eq!(names, [ADMIN, "Jeanne Comptable"]);

    let names_for = |creator: &str| -> Result<Vec<String>, &'static str> {
        let filter = KeyFilter {
            creator: Some(creator.to_owned()),
            ..KeyFilter::default()
        };
        let page = fixture.sesame.keys(&admin, &filter).map_err(|e| e.code())?;
        assert_eq!(page.total, page.keys.len() as u64);
        let mut names: Vec<String> = page.keys.into_iter().map(|key| key.name).collect();
        names.sort();
        Ok(names)
    };
    // The administrator imported every key, but one shows « Jeanne Comptable »: only the keys
    // shown as theirs come up for them.
    let (admin_value, _) = &creators[0];
    assert_eq!(
        names_for(admin_value),
        Ok(vec!["Ancien outil".into(), "Clé Sésame reprise".into()])
    );
    assert_eq!(names_for(ADMIN), names_for(admin_value));
    let (label_value, _) = &creators[1];
    assert_eq!(
        names_for(label_value),
        Ok(vec!["Comptabilité générale".into()])
    );
    assert_eq!(names_for("Personne"), Err("operator_not_found"));
}

#[test]
fn every_bad_line_is_named_and_nothing_is_written() {
    let mut fixture = Fixture::new();
    let existing = fixture.create("Déjà là");
    let weak = HashingCost {
        memory_kib: 4_096,
        passes: 1,
        lanes: 1,
    }
    .hash(b"x")
    .expect("hash");
    let good_hash = HashingCost::default().hash(b"y").expect("hash");
    let argon2i = good_hash.replacen("$argon2id$", "$argon2i$", 1);
    let secret = "a-long-enough-secret-01";
    let lines = [
        "\u{feff}service,nom,identifiant,secret,empreinte,expiration,permissions,sociétés,création"
            .to_owned(),
        format!("Paie,Bonne,paie_good-1,{secret},,,,,"),
        format!("Paie,Bonne,paie_good-2,{secret},,,,,"),
        format!("Paie,Autre,paie_good-1,{secret},,,,,"),
        format!("Paie,Préfixe,compta_x1,{secret},,,,,"),
        format!("Paie,Pris,{},{secret},,,,,", existing.key.identifier),
        format!("Paie,Déjà là,paie_good-3,{secret},,,,,"),
        format!("Paie,Faible,paie_good-4,,\"{weak}\",,,,"),
        format!("Paie,Autre algo,paie_good-5,,\"{argon2i}\",,,,"),
        format!("Paie,Les deux,paie_good-6,{secret},\"{good_hash}\",,,,"),
        "Paie,Aucun,paie_good-7,,,,,,".to_owned(),
        "Paie,Court,paie_good-8,court,,,,,".to_owned(),
        format!("Inconnu,Service,inconnu_x,{secret},,,,,"),
        format!("Paie,Société,paie_good-9,{secret},,,,Nulle Part,"),
        format!("Paie,Permission,paie_good-10,{secret},,,compta:tout,,"),
        format!("Paie,Date,paie_good-11,{secret},,31/02/2027,,,"),
        format!("Paie,Futur,paie_good-12,{secret},,,,,01/01/2099"),
        format!("Paie,\"Deux\nlignes\",paie_good-13,{secret},,,,,"),
        format!("Paie,Sésame faux,paie_AAAAAAAAAAAAAAAA,{secret},,,,,"),
        format!("Paie,Trop,paie_good-14,{secret},,,,,,en trop"),
        format!("Paie,Identifiant,paie_avec espace,{secret},,,,,"),
    ];
    let file = lines.join("\n");
    let seen = preview(&mut fixture, file.as_bytes());
    assert_eq!(
        problems(&seen),
        vec![
            (3, "name".into(), "import_duplicate"),
            (4, "identifier".into(), "import_duplicate"),
            (5, "identifier".into(), "identifier_prefix"),
            (6, "identifier".into(), "identifier_taken"),
            (6, "secret".into(), "import_secret_invalid"),
            (7, "name".into(), "key_name_taken"),
            (8, "hash".into(), "import_hash_refused"),
            (9, "hash".into(), "import_hash_refused"),
            (10, "secret".into(), "import_secret_and_hash"),
            (11, "secret".into(), "import_secret_missing"),
            (12, "secret".into(), "import_secret_invalid"),
            (13, "service".into(), "service_not_found"),
            (14, "companies".into(), "company_not_found"),
            (15, "permissions".into(), "permission_not_offered"),
            (16, "expiry".into(), "import_date_invalid"),
            (17, "created".into(), "creation_in_future"),
            (18, "name".into(), "forbidden_character"),
            (20, "secret".into(), "import_secret_invalid"),
            (21, String::new(), "import_cell_count"),
            (22, "identifier".into(), "identifier_invalid"),
        ]
    );
    assert_eq!(seen.refused_rows, 19);
    assert_eq!(seen.problem_count, 20);
    assert_eq!(seen.sample.len(), 1, "only the first line is good");
    let messages: Vec<String> = seen
        .problems
        .iter()
        .map(|p| p.error.message(sesame_core::Lang::Fr))
        .collect();
    assert!(messages[2].contains("« paie_ »"), "{}", messages[2]);
    assert!(messages[6].contains("trop faibles"), "{}", messages[6]);
    assert!(messages[7].contains("argon2i"), "{}", messages[7]);
    assert!(messages[0].contains("ligne 2"), "{}", messages[0]);
    assert!(
        !messages.iter().any(|m| m.contains(secret)),
        "a secret in a message"
    );

    let admin = fixture.admin.clone();
    let refused = fixture
        .sesame
        .import_keys(&admin, file.as_bytes(), &no_progress, &go_on())
        .expect_err("refused");
    assert!(matches!(refused, Error::ImportRefused(19)), "{refused:?}");
    assert_eq!(key_count(&mut fixture), 1, "all or nothing");
    assert!(fixture.events_starting_with("key.import").is_empty());
}

#[test]
fn files_that_cannot_be_imported_at_all() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let cases: [(&[u8], &str); 6] = [
        (b"", "import_empty"),
        (
            b"\xef\xbb\xbfservice;nom;identifiant;secret\r\n",
            "import_empty",
        ),
        (b"\n\n;;;\n", "import_empty"),
        (
            b"service;nom;identifiant;secret;couleur\nPaie;a;paie_x;y;z\n",
            "import_column_unknown",
        ),
        (b"service;nom;secret\nPaie;a;y\n", "import_column_missing"),
        (
            b"service;nom;identifiant\nPaie;a;paie_x\n",
            "import_column_missing",
        ),
    ];
    for (file, code) in cases {
        let error = fixture
            .sesame
            .preview_import(&admin, file)
            .expect_err("refused");
        assert_eq!(error.code(), code, "{:?}", String::from_utf8_lossy(file));
    }
}

#[test]
fn a_hundred_thousand_lines_are_checked_and_one_more_is_refused() {
    let mut fixture = Fixture::new();
    let hash = HashingCost::default().hash(b"secret").expect("hash");
    let mut file = String::from("service;nom;identifiant;empreinte\n");
    for index in 0..100_000 {
        file.push_str(&format!("Paie;Clé {index};paie_k{index};{hash}\n"));
    }
    // The last line is wrong: the whole file is refused and that line is named.
    let last = file.rfind("Paie;Clé 99999").expect("last line");
    file.replace_range(last.., &format!("Paie;Clé 99999;autre_k;{hash}\n"));
    let seen = preview(&mut fixture, file.as_bytes());
    assert_eq!(seen.rows, 100_000);
    assert_eq!(
        problems(&seen),
        vec![(100_001, "identifier".into(), "identifier_prefix")]
    );
    assert_eq!(seen.sample.len(), sesame_core::import::PREVIEW_ROWS_MAX);
    file.push_str(&format!("Paie;Une de trop;paie_extra;{hash}\n"));
    let admin = fixture.admin.clone();
    let error = fixture
        .sesame
        .preview_import(&admin, file.as_bytes())
        .expect_err("too large");
    assert_eq!(error.code(), "import_too_large");
}

#[test]
fn an_import_cancelled_while_secrets_are_hashed_writes_nothing() {
    let mut fixture = Fixture::new();
    let mut file = String::from("service;nom;identifiant;secret\n");
    for index in 0..150 {
        file.push_str(&format!(
            "Paie;Clé {index};paie_k{index};secret-de-la-cle-{index:04}\n"
        ));
    }
    let admin = fixture.admin.clone();
    let cancelled = AtomicBool::new(false);
    let reported = Mutex::new(Vec::new());
    // The operator presses « Annuler » once the first progress step arrives.
    let error = fixture
        .sesame
        .import_keys(
            &admin,
            file.as_bytes(),
            &|step| {
                reported.lock().expect("reported").push(step.hashed);
                if step.hashed > 0 {
                    cancelled.store(true, Ordering::Relaxed);
                }
            },
            &cancelled,
        )
        .expect_err("cancelled");
    assert_eq!(error.code(), "import_cancelled");
    let furthest = reported.lock().expect("reported").iter().copied().max();
    assert!(
        furthest.is_some_and(|hashed| hashed > 0 && hashed < 128),
        "hashing went on after the cancellation: {furthest:?}"
    );
    assert_eq!(key_count(&mut fixture), 0);
    assert!(fixture.events_starting_with("key.import").is_empty());

    // Nothing is left half-done: the same file imports whole afterwards.
    let outcome = fixture
        .sesame
        .import_keys(&admin, file.as_bytes(), &no_progress, &go_on())
        .expect("import");
    assert_eq!(outcome.imported, 150);
}

#[test]
fn importing_needs_the_configuration_right_and_a_refusal_is_audited() {
    let mut fixture = Fixture::new();
    let reader = fixture.signed_in_operator("Lecteur Seul", Rights::default());
    let (file, _) = mixed_file();
    for result in [
        fixture.sesame.preview_import(&reader, &file).map(drop),
        fixture
            .sesame
            .import_keys(&reader, &file, &no_progress, &go_on())
            .map(drop),
    ] {
        assert_eq!(result.map_err(|e| e.code()), Err("right_missing"));
    }
    assert_eq!(fixture.events_starting_with("access.refused").len(), 2);
    assert_eq!(key_count(&mut fixture), 0);
}

/// One of OWASP's argon2id configurations near the default (m=47104 KiB, t=1) for the hashed
/// secret: accepted on import, rehashed at the installation's cost on its first good check.
fn owasp_wide_hash() -> String {
    HashingCost {
        memory_kib: 47_104,
        passes: 1,
        lanes: 1,
    }
    .hash(HASHED_SECRET.as_bytes())
    .expect("hash")
}

/// The hash the store holds for a key, read outside Sésame.
fn stored_hash(fixture: &Fixture, identifier: &str) -> String {
    fixture
        .outside_text(&format!(
            "SELECT secret_hash FROM keys WHERE identifier = '{identifier}'"
        ))
        .expect("hash")
}

#[test]
fn imported_hashes_stay_near_the_installations_cost_and_are_brought_to_it() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let heavy = HashingCost {
        memory_kib: 19_456,
        passes: 8,
        lanes: 1,
    }
    .hash(b"un-secret-trop-couteux-01")
    .expect("hash");
    let owasp_wide = owasp_wide_hash();
    // Four times the installation's work: each check would hold the argon2id slot four times
    // as long, and answer four times as slowly as an unknown identifier.
    let refused =
        format!("service;nom;identifiant;empreinte\nPaie;Lourde;paie_lourde-01;{heavy}\n");
    let preview = preview(&mut fixture, refused.as_bytes());
    assert_eq!(
        problems(&preview),
        vec![(2, "hash".to_owned(), "import_hash_refused")]
    );
    // One of OWASP's configurations near the default: accepted, then rehashed at the
    // installation's own cost on its first successful check.
    let accepted =
        format!("service;nom;identifiant;empreinte\nPaie;Large;paie_large-01;{owasp_wide}\n");
    fixture
        .sesame
        .import_keys(&admin, accepted.as_bytes(), &no_progress, &go_on())
        .expect("import");
    let stored_hash = |fixture: &Fixture| -> String { stored_hash(fixture, "paie_large-01") };
    assert!(stored_hash(&fixture).contains("m=47104,t=1"));
    let answer = fixture
        .sesame
        .verify_parts("paie_large-01", HASHED_SECRET, None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Valid);
    assert!(
        stored_hash(&fixture).starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        stored_hash(&fixture)
    );
    // The rehash is sealed like any change: the key still verifies from a new process.
    let mut reopened = fixture.reopen();
    let answer = reopened
        .verify_parts("paie_large-01", HASHED_SECRET, None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Valid);
}

/// The rehash of a proven secret goes through `Sesame::write`: a store busy at that moment does
/// not refuse a valid key, and the next check rehashes (issue 13).
#[test]
fn a_busy_store_delays_a_rehash_but_never_refuses_a_valid_key() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let owasp_wide = owasp_wide_hash();
    let file =
        format!("service;nom;identifiant;empreinte\nPaie;Large;paie_large-02;{owasp_wide}\n");
    fixture
        .sesame
        .import_keys(&admin, file.as_bytes(), &no_progress, &go_on())
        .expect("import");
    // Another program holds the write lock through the first check.
    let mut holder = fixture.hold_writes();
    let answer = fixture
        .sesame
        .verify_parts("paie_large-02", HASHED_SECRET, None, None)
        .expect("a busy store does not fail the check");
    assert_eq!(answer.code, VerifyCode::Valid);
    holder.release();
    let stored_hash = |fixture: &Fixture| stored_hash(fixture, "paie_large-02");
    assert!(
        stored_hash(&fixture).contains("m=47104,t=1"),
        "not rehashed yet"
    );
    let answer = fixture
        .sesame
        .verify_parts("paie_large-02", HASHED_SECRET, None, None)
        .expect("verify");
    assert_eq!(answer.code, VerifyCode::Valid);
    assert!(
        stored_hash(&fixture).starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "rehashed at the next check"
    );
}

#[test]
fn a_permission_withdrawn_while_secrets_are_hashed_refuses_the_import() {
    let mut fixture = Fixture::new();
    let admin = fixture.admin.clone();
    let file = "service;nom;identifiant;secret;permissions\n\
                Paie;Paie ancienne;paie_ancienne-01;Le-secret-de-la-paie-2019!;salaires:ecriture\n";
    // Another administrator, elsewhere, withdraws the permission while the secrets are hashed.
    let elsewhere = Mutex::new(Some(fixture.reopen()));
    let withdraw = |_: ImportProgress| {
        if let Some(mut other) = elsewhere.lock().expect("lock").take() {
            let session = other.sign_in(ADMIN, &password()).expect("sign in");
            other
                .edit_service(
                    &session,
                    "Paie",
                    &sesame_core::service::ServiceEdit {
                        permissions: Some(vec!["factures:lecture".into()]),
                        ..Default::default()
                    },
                )
                .expect("withdraw");
        }
    };
    let refused = fixture
        .sesame
        .import_keys(&admin, file.as_bytes(), &withdraw, &go_on())
        .err();
    assert_eq!(refused.map(|e| e.code()), Some("import_refused"));
    assert_eq!(key_count(&mut fixture), 0, "nothing written");
}

/// A cancel that comes while the import waits for the store (another administrator is
/// writing) is obeyed: nothing is written. On PostgreSQL, where the wait is seen from outside
/// (a session waiting on the write lock); the rule, checked again inside the transaction before
/// it commits, is the same on SQLite.
#[test]
fn a_cancel_while_the_store_is_awaited_writes_nothing() {
    let mut fixture = Fixture::new();
    let Some(mut watcher) = fixture.database.as_ref().map(|database| database.client()) else {
        return;
    };
    let admin = fixture.admin.clone();
    let hash = HashingCost::default()
        .hash(HASHED_SECRET.as_bytes())
        .expect("hash");
    let file = format!("service;nom;identifiant;empreinte\nPaie;Annulée;paie_annulee-01;{hash}\n");
    let mut holder = fixture.hold_writes();
    let cancel = go_on();
    let imported = std::thread::scope(|scope| {
        let sesame = &mut fixture.sesame;
        let importing =
            scope.spawn(|| sesame.import_keys(&admin, file.as_bytes(), &no_progress, &cancel));
        crate::postgres::until_a_session_waits(&mut watcher, "wait_event = 'advisory'");
        cancel.store(true, Ordering::Relaxed);
        holder.release();
        importing.join().expect("import thread")
    });
    assert_eq!(imported.err().map(|e| e.code()), Some("import_cancelled"));
    assert_eq!(key_count(&mut fixture), 0, "nothing written");
}
