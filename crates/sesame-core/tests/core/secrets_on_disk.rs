//! No secret or password ever reaches the store file or its journal.

use sesame_core::key::Grace;
use sesame_core::secret::ExposeSecret;

use crate::support::{Fixture, password};

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle)
}

#[test]
fn secrets_and_passwords_are_nowhere_in_the_files() {
    let mut fixture = Fixture::new();
    let mut secrets = Vec::new();
    for index in 0..12 {
        let issued = fixture.create(&format!("clé {index}"));
        secrets.push(issued.secret.expose_secret().to_owned());
        match index % 4 {
            0 => {
                let renewed = fixture
                    .sesame
                    .regenerate_key(&fixture.admin, &issued.key.id, Grace::OneDay)
                    .expect("regenerate");
                secrets.push(renewed.secret.expose_secret().to_owned());
            }
            1 => {
                fixture
                    .sesame
                    .revoke_key(&fixture.admin, &issued.key.id, "test")
                    .expect("revoke");
            }
            2 => {
                let renewed = fixture
                    .sesame
                    .regenerate_key(&fixture.admin, &issued.key.id, Grace::Now)
                    .expect("regenerate");
                secrets.push(renewed.secret.expose_secret().to_owned());
                fixture
                    .sesame
                    .delete_key(&fixture.admin, &issued.key.id)
                    .expect("delete");
            }
            _ => {}
        }
        let code = fixture
            .sesame
            .verify_bearer(issued.bearer().expose_secret(), None, None)
            .expect("v");
        drop(code);
    }
    fixture.sesame.flush_usage().expect("flush");
    let folder = fixture.folder.path();
    let files: Vec<_> = std::fs::read_dir(folder)
        .expect("list")
        .map(|entry| entry.expect("entry").path())
        .collect();
    assert!(
        files.iter().any(|f| f.to_string_lossy().ends_with("-wal")),
        "the WAL is scanned too"
    );
    let password = password();
    for file in &files {
        let bytes = std::fs::read(file).expect("read");
        for (index, secret) in secrets.iter().enumerate() {
            // The random part alone, so even a partial copy would be caught.
            let random_part = &secret.as_bytes()[4..40];
            assert!(
                !contains(&bytes, random_part),
                "secret #{index} found in {}",
                file.display()
            );
        }
        assert!(
            !contains(&bytes, password.expose_secret().as_bytes()),
            "password found in {}",
            file.display()
        );
    }
}
