//! `sesamectl key import`: a French Excel file mixing plaintext secrets and argon2id hashes,
//! checked by `sesamectl verify`; a bad file refused whole with its lines named.

use sesame_core::password::HashingCost;

use crate::support::Store;

const SECRETS: [&str; 3] = [
    "Ancien-Secret-Paie-0001",
    "Ancien-Secret-Paie-0002",
    "Ancien-Secret-Paie-0003",
];
const HASHED: [&str; 2] = ["secret-hache-ailleurs-01", "secret-hache-ailleurs-02"];

fn latin1(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect()
}

/// Three keys with their secret, two with an argon2id hash, in Latin-1 with `;` and CRLF.
fn mixed_file(folder: &std::path::Path) -> std::path::PathBuf {
    let mut text = String::from(
        "Service;Nom de la clé;Identifiant;Secret;Empreinte;Créateur;Date de création;Permissions;Sociétés\r\n",
    );
    for (index, secret) in SECRETS.iter().enumerate() {
        text.push_str(&format!(
            "Paie;Clé reprise {index};paie_legacy{index};{secret};;Hélène Compta;22/01/2021 08:14;factures:lecture;Dupont SARL\r\n"
        ));
    }
    for (index, secret) in HASHED.iter().enumerate() {
        // Hashes made elsewhere: argon2id 1.3 at OWASP's strength.
        let hash = HashingCost::default()
            .hash(secret.as_bytes())
            .expect("hash");
        text.push_str(&format!(
            "Paie;Clé hachée {index};paie_hashed{index};;{hash};;2019-05-02;;\r\n"
        ));
    }
    let path = folder.join("cles-existantes.csv");
    std::fs::write(&path, latin1(&text)).expect("write");
    path
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[test]
fn a_french_excel_file_imports_and_its_keys_verify() {
    let store = Store::new();
    let file = mixed_file(store.folder.path());
    let file = file.to_str().expect("path");

    let preview = store.ok(&["key", "import", file, "--dry-run"]);
    assert_eq!(preview["rows"], 5);
    assert_eq!(preview["with_secret"], 3);
    assert_eq!(preview["with_hash"], 2);
    assert_eq!(preview["encoding"], "windows-1252");
    assert_eq!(preview["problem_count"], 0);
    assert_eq!(
        store.ok(&["key", "list"])["total"],
        0,
        "a dry run writes nothing"
    );

    let imported = store.ok(&["key", "import", file]);
    assert_eq!(imported["imported"], 5);

    let list = store.run(&["key", "list"]);
    let listed = String::from_utf8_lossy(&list.stdout);
    assert_eq!(
        listed.matches("Utilisation inconnue").count(),
        5,
        "{listed}"
    );
    assert!(listed.contains("Hélène Compta"), "{listed}");
    assert!(listed.contains("22/01/2021 08:14"), "{listed}");

    // A sample verified by the real binary, each in the form an application would send.
    let bearer = format!("paie_legacy1.{}", SECRETS[1]);
    assert_eq!(store.run(&["verify", &bearer]).status.code(), Some(0));
    let hashed = format!("paie_hashed1.{}", HASHED[1]);
    let verified = store.ok(&["verify", &hashed]);
    assert_eq!(verified["code"], "VALID");
    assert_eq!(
        store
            .run(&["verify", &format!("paie_legacy2.{}", SECRETS[1])])
            .status
            .code(),
        Some(1),
        "another key's secret"
    );
    let after = store.run(&["key", "list"]);
    let after = String::from_utf8_lossy(&after.stdout);
    assert_eq!(after.matches("Utilisation inconnue").count(), 3, "{after}");

    // The audit trail: one event per key and a summary.
    let export = store.folder.path().join("journal.jsonl");
    store.ok(&[
        "audit",
        "export",
        "--output",
        export.to_str().expect("path"),
    ]);
    let trail = std::fs::read_to_string(&export).expect("export");
    assert_eq!(trail.matches("\"action\":\"key.imported\"").count(), 5);
    assert_eq!(
        trail.matches("\"action\":\"key.import_summary\"").count(),
        1
    );

    // No imported secret anywhere in the store's files (the CSV itself aside).
    for entry in std::fs::read_dir(store.folder.path()).expect("list") {
        let path = entry.expect("entry").path();
        if path.is_dir() || path.extension().is_some_and(|e| e == "csv") {
            continue;
        }
        let bytes = std::fs::read(&path).expect("read");
        for secret in SECRETS.iter().chain(&HASHED) {
            assert!(
                !contains(&bytes, secret.as_bytes()),
                "{secret} in {}",
                path.display()
            );
        }
    }
}

#[test]
fn a_file_with_bad_lines_is_refused_whole_with_each_line_named() {
    let store = Store::new();
    let existing = store.create_key("Existante");
    let existing_identifier = existing.split_once('.').expect("bearer").0;
    let weak = HashingCost {
        memory_kib: 1024,
        passes: 1,
        lanes: 1,
    }
    .hash(b"x")
    .expect("hash");
    let text = format!(
        "service;nom;identifiant;secret;empreinte\n\
         Paie;Bonne;paie_ok1;{ok};\n\
         Paie;Doublon;paie_ok1;{ok};\n\
         Paie;Mauvais préfixe;compta_1;{ok};\n\
         Paie;Déjà là;{existing_identifier};{ok};\n\
         Paie;Faible;paie_ok2;;{weak}\n",
        ok = "un-secret-assez-long-01",
    );
    let path = store.folder.path().join("mauvais.csv");
    std::fs::write(&path, text).expect("write");
    let output = store.run(&["key", "import", path.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stdout.contains("ligne 3 (identifiant) : « paie_ok1 » figure déjà à la ligne 2"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "ligne 4 (identifiant) : L'identifiant « compta_1 » ne commence pas par « paie_ »"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("ligne 5 (identifiant) : L'identifiant"),
        "{stdout}"
    );
    assert!(stdout.contains("ligne 6 (empreinte) : L'empreinte est refusée : paramètres trop faibles (m=1024 Kio, t=1)"), "{stdout}");
    assert!(
        stderr.contains("Rien n'a été importé : 4 lignes sont à corriger"),
        "{stderr}"
    );
    assert!(!stdout.contains("un-secret-assez-long") && !stderr.contains("un-secret-assez-long"));
    assert_eq!(store.ok(&["key", "list"])["total"], 1, "nothing imported");

    let empty = store.folder.path().join("vide.csv");
    std::fs::write(&empty, "").expect("write");
    let output = store.run(&["key", "import", empty.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("ne contient aucune clé"));

    // A file too large to be a key list is refused before it is read (a sparse file here).
    let huge = store.folder.path().join("enorme.csv");
    std::fs::File::create(&huge)
        .and_then(|file| file.set_len(65 * 1024 * 1024))
        .expect("sparse file");
    let output = store.run(&["key", "import", huge.to_str().expect("path")]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("dépasse 64 Mio"));
}

#[test]
fn the_size_limit_holds_for_devices_and_pipes() {
    let store = crate::support::Store::new();
    for source in ["/dev/zero", "/dev/urandom"] {
        let started = std::time::Instant::now();
        let output = store.run(&["key", "import", source, "--dry-run"]);
        assert_eq!(output.status.code(), Some(2), "{source}");
        let message = String::from_utf8_lossy(&output.stderr);
        assert!(message.contains("64"), "{source}: {message}");
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }
    // A FIFO fed without end.
    let fifo = store.folder.path().join("tuyau.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo");
    assert!(made.success());
    let mut feeder = std::process::Command::new("sh")
        .arg("-c")
        .arg("exec cat /dev/zero > \"$0\"")
        .arg(&fifo)
        .spawn()
        .expect("feeder");
    let output = store.run(&["key", "import", fifo.to_str().expect("path"), "--dry-run"]);
    let _ = feeder.kill();
    let _ = feeder.wait();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("64"));
}
