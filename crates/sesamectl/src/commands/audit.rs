//! `sesamectl audit export|verify`: signed audit exports, and checking one offline (no store,
//! no keyring, no network needed).

use std::path::{Path, PathBuf};

use clap::Subcommand;
use serde_json::json;
use sesame_core::audit_export::verify_export;
use sesame_core::validate;

use crate::Outcome;
use crate::context::Context;
use crate::error::{CliError, Result};

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
                "{} {} → {}\n{} {}",
                output.say("cli-exported"),
                output.count("cli-events", summary.count),
                path.display(),
                output.say("cli-signing_key_fingerprint"),
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
    let (text, code) = sesame_core::audit_export::verdict(&report, output.lang);
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
