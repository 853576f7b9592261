//! `sesamectl audit export|verify`: signed audit exports, and checking one offline (no store,
//! no keyring, no network needed).

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::json;
use sesame_core::audit_export::{ExportProblem, ExportReport, verify_export};
use sesame_core::validate;

use crate::Outcome;
use crate::context::Context;
use crate::error::{CliError, Result};
use crate::output::Output;

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Export the audit trail as JSON Lines with a signed manifest (right « audit »).
    Export {
        #[arg(long)]
        output: PathBuf,
        /// First day (YYYY-MM-DD, local time), inclusive.
        #[arg(long)]
        from: Option<String>,
        /// Last day (YYYY-MM-DD, local time), inclusive.
        #[arg(long)]
        to: Option<String>,
        /// Replace the file if it exists (otherwise an existing file is refused).
        #[arg(long)]
        overwrite: bool,
    },
    /// Check an export: exit 0 when intact, 1 when something was changed.
    Verify {
        file: PathBuf,
        /// The fingerprint the signing key must have (from the app's settings).
        #[arg(long)]
        fingerprint: Option<String>,
    },
}

pub fn run(context: &Context, command: AuditCommand) -> Result<Outcome> {
    match command {
        AuditCommand::Export {
            output,
            from,
            to,
            overwrite,
        } => export(context, &output, from.as_deref(), to.as_deref(), overwrite),
        AuditCommand::Verify { file, fingerprint } => {
            verify(context, &file, fingerprint.as_deref())
        }
    }
}

fn export(
    context: &Context,
    path: &Path,
    from: Option<&str>,
    to: Option<&str>,
    overwrite: bool,
) -> Result<Outcome> {
    // Refused before anything else: an existing file is never replaced silently.
    if path.exists() && !overwrite {
        return Err(CliError::FileExists(path.to_owned()));
    }
    let from = from.map(validate::day_start).transpose()?;
    let to = to.map(validate::day_end).transpose()?;
    let (mut sesame, session) = context.sign_in()?;
    let key = context.installation_key(&mut sesame)?;
    let summary = crate::files::write_new(path, overwrite, |out| {
        sesame.export_audit(&session, &key, from, to, out)
    })?;
    let output = &context.output;
    output.print(
        || {
            format!(
                "{} {} {} → {}\n{} {}",
                output.pick(("Exporté :", "Exported:")),
                summary.count,
                output.pick(("événement(s)", "event(s)")),
                path.display(),
                output.pick((
                    "Empreinte de la clé de signature :",
                    "Signing key fingerprint:"
                )),
                summary.fingerprint
            )
        },
        || {
            json!({"file": path, "count": summary.count, "first_seq": summary.first_seq,
                   "last_seq": summary.last_seq, "fingerprint": summary.fingerprint})
        },
    );
    Ok(Outcome::Done)
}

fn verify(context: &Context, path: &Path, fingerprint: Option<&str>) -> Result<Outcome> {
    let report = verify_export(path, fingerprint)
        .map_err(|error| CliError::File(path.to_owned(), error.to_string()))?;
    let output = &context.output;
    let (text, code) = describe(output, &report);
    output.print(
        || text.clone(),
        || {
            json!({"ok": report.problem.is_none(), "code": code, "message": text,
                   "events": report.events,
                   "fingerprint": report.manifest.as_ref().map(|m| m.fingerprint.clone()),
                   "first_seq": report.manifest.as_ref().and_then(|m| m.first_seq),
                   "last_seq": report.manifest.as_ref().and_then(|m| m.last_seq)})
        },
    );
    Ok(match report.problem {
        None => Outcome::Done,
        Some(_) => Outcome::Refused,
    })
}

/// The verdict in plain words, and a stable code.
fn describe(output: &Output, report: &ExportReport) -> (String, &'static str) {
    let fr = matches!(output.lang, sesame_core::Lang::Fr);
    let text = |french: String, english: String| if fr { french } else { english };
    let Some(problem) = &report.problem else {
        let manifest = report.manifest.as_ref();
        let range = manifest
            .and_then(|m| m.first_seq.zip(m.last_seq))
            .map(|(first, last)| {
                text(
                    format!(" (n° {first} à {last})"),
                    format!(" (no. {first} to {last})"),
                )
            })
            .unwrap_or_default();
        let fingerprint = manifest.map(|m| m.fingerprint.clone()).unwrap_or_default();
        return (
            text(
                format!(
                    "OK : {} événement(s){range}, intacts, signés par la clé d'empreinte {fingerprint}. Confirmez cette empreinte auprès de l'office.",
                    report.events
                ),
                format!(
                    "OK: {} event(s){range}, intact, signed by the key with fingerprint {fingerprint}. Confirm this fingerprint with the office.",
                    report.events
                ),
            ),
            "ok",
        );
    };
    match problem {
        ExportProblem::Empty => (text("Le fichier est vide.".into(), "The file is empty.".into()), "empty"),
        ExportProblem::NotAnExport { .. } => (
            text("Ce fichier n'est pas un export d'audit Sésame.".into(), "This file is not a Sésame audit export.".into()),
            "not_an_export",
        ),
        ExportProblem::NoManifest => (
            text("Le manifeste signé manque en fin de fichier : l'export a été tronqué.".into(), "The signed manifest is missing at the end: the export was truncated.".into()),
            "no_manifest",
        ),
        ExportProblem::BadSignature => (
            text("La signature du manifeste est invalide : le manifeste a été modifié ou signé par une autre clé.".into(), "The manifest's signature is invalid: the manifest was changed or signed by another key.".into()),
            "bad_signature",
        ),
        ExportProblem::OtherKey { fingerprint } => (
            text(format!("L'export est signé par une autre clé (empreinte {fingerprint})."), format!("The export is signed by another key (fingerprint {fingerprint}).")),
            "other_key",
        ),
        ExportProblem::Unreadable { line } => (
            text(format!("Ligne {line} : ce n'est pas un événement lisible (modifiée ou tronquée)."), format!("Line {line}: not a readable event (changed or truncated).")),
            "unreadable",
        ),
        ExportProblem::Changed { line, seq } => (
            text(format!("L'événement n° {seq} (ligne {line}) a été modifié : son empreinte ne correspond plus à son contenu."), format!("Event no. {seq} (line {line}) was changed: its hash no longer matches its content.")),
            "changed",
        ),
        ExportProblem::Removed { line, seq, expected } => (
            text(format!("L'événement n° {expected} a été supprimé : la ligne {line} porte le n° {seq}."), format!("Event no. {expected} was removed: line {line} holds no. {seq}.")),
            "removed",
        ),
        ExportProblem::Inserted { line, seq } => (
            text(format!("Un événement a été inséré : le n° {seq} apparaît une seconde fois (ligne {line})."), format!("An event was inserted: no. {seq} appears a second time (line {line}).")),
            "inserted",
        ),
        ExportProblem::Reordered { line, seq } => (
            text(format!("Les événements ont été déplacés : le n° {seq} est hors de sa place (ligne {line})."), format!("Events were reordered: no. {seq} is out of place (line {line}).")),
            "reordered",
        ),
        ExportProblem::BrokenLink { line, seq } => (
            text(format!("L'événement n° {seq} (ligne {line}) ne suit pas le précédent : la chaîne est rompue."), format!("Event no. {seq} (line {line}) does not follow the one before: the chain is broken.")),
            "broken_link",
        ),
        ExportProblem::Truncated { after_seq } => {
            let after = after_seq.map(|s| s.to_string()).unwrap_or_else(|| "0".into());
            (
                text(format!("Des événements manquent après le n° {after} : l'export a été tronqué."), format!("Events are missing after no. {after}: the export was truncated.")),
                "truncated",
            )
        }
        ExportProblem::DigestMismatch => (
            text("Le contenu des lignes diffère de ce qui a été signé.".into(), "The lines differ from what was signed.".into()),
            "digest_mismatch",
        ),
    }
}
