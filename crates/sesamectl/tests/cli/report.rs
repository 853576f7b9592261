//! The credential report: CSV that LibreOffice (the real one, headless) reads into the right
//! columns, with formula-looking cells escaped and an existing file never replaced silently.

use std::process::Command;

use crate::support::Store;

#[test]
fn the_credential_report_opens_in_libreoffice_with_its_cells() {
    let store = Store::new();
    store.create_key("Intégration; \"paie\"");
    store.create_key("=1+1");
    let revoked = store.ok(&[
        "key",
        "create",
        "Paie",
        "ancienne",
        "--company",
        "Dupont SARL",
    ]);
    let id = revoked["key"]["id"].as_str().expect("id").to_owned();
    store.ok(&["key", "revoke", &id, "--reason", "Fuite; prestataire \"X\""]);

    let folder = store.folder.path();
    let csv = folder.join("rapport.csv");
    let written = store.ok(&[
        "report",
        "credentials",
        "--output",
        csv.to_str().expect("path"),
    ]);
    assert_eq!(written["rows"], 3);
    let bytes = std::fs::read(&csv).expect("read");
    assert!(
        bytes.starts_with("\u{feff}Service;Clé;Identifiant;Statut".as_bytes()),
        "BOM and `;`"
    );
    let text = String::from_utf8(bytes).expect("UTF-8");
    assert!(
        text.contains("\"Intégration; \"\"paie\"\"\""),
        "RFC 4180 quoting"
    );
    assert!(text.contains(";'=1+1;"), "the formula is escaped");
    assert!(text.contains("\r\n"), "CRLF line ends");

    // The same target again is refused and left alone.
    let again = store.run(&[
        "report",
        "credentials",
        "--output",
        csv.to_str().expect("path"),
    ]);
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("existe déjà"));
    assert_eq!(std::fs::read_to_string(&csv).expect("read"), text);

    // LibreOffice opens it as French Excel users would (`;`, UTF-8) and prints it to PDF.
    let profile = format!(
        "-env:UserInstallation=file://{}",
        folder.join("lo").display()
    );
    let converted = Command::new("soffice")
        .args([
            "--headless",
            &profile,
            "--infilter=CSV:59,34,76,1",
            "--convert-to",
            "pdf",
            "--outdir",
        ])
        .arg(folder)
        .arg(&csv)
        .output()
        .expect("soffice (Debian package libreoffice-calc-nogui)");
    assert!(
        converted.status.success(),
        "{}",
        String::from_utf8_lossy(&converted.stderr)
    );
    let pdf = Command::new("pdftotext")
        .args(["-layout"])
        .arg(folder.join("rapport.pdf"))
        .arg("-")
        .output()
        .expect("pdftotext (Debian package poppler-utils)");
    let cells = String::from_utf8_lossy(&pdf.stdout);
    for expected in [
        "Intégration; \"paie\"",
        "'=1+1",
        "Dupont SARL",
        "révoquée",
        "Fuite; prestataire \"X\"",
        "jamais",
        "Motif de révocation",
    ] {
        assert!(
            cells.contains(expected),
            "« {expected} » not in the printed sheet:\n{cells}"
        );
    }
}

#[test]
fn the_report_needs_the_audit_right_and_goes_to_standard_output_by_default() {
    let store = Store::new();
    store.create_key("intégration");
    let printed = store.run(&["report", "credentials"]);
    assert_eq!(printed.status.code(), Some(0));
    let text = String::from_utf8_lossy(&printed.stdout);
    assert_eq!(text.lines().count(), 2, "header and one key");

    let mut add = store.command();
    add.env("SESAME_NEW_PASSWORD", "une phrase assez longue")
        .args(["operator", "add", "Claude", "--right", "configuration"]);
    assert!(add.output().expect("run").status.success());
    let refused = store
        .command()
        .env("SESAME_USER", "Claude")
        .env("SESAME_PASSWORD", "une phrase assez longue")
        .args(["report", "credentials"])
        .output()
        .expect("run");
    assert_eq!(refused.status.code(), Some(2));
    assert!(refused.stdout.is_empty(), "nothing printed");
}
