//! `sesamectl report credentials [--output FILE]`: the credential report as CSV (right « audit »),
//! on standard output or in a new file.

use std::path::PathBuf;

use clap::Subcommand;
use serde_json::json;

use crate::Outcome;
use crate::context::Context;
use crate::error::{CliError, Result};

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// One row per key: service, name, identifier, status, dates, creator, use, rights, revocation.
    Credentials {
        /// The CSV file to write (standard output without it).
        #[arg(long)]
        output: Option<PathBuf>,
        /// Replace the file if it exists (otherwise an existing file is refused).
        #[arg(long)]
        overwrite: bool,
    },
}

pub fn run(context: &Context, command: ReportCommand) -> Result<Outcome> {
    let ReportCommand::Credentials { output, overwrite } = command;
    if let Some(path) = output.as_ref().filter(|path| path.exists() && !overwrite) {
        return Err(CliError::FileExists(path.clone()));
    }
    let (mut sesame, session) = context.sign_in()?;
    let lang = context.lang();
    let Some(path) = output else {
        let mut stdout = std::io::stdout().lock();
        sesame.credential_report(&session, lang, &mut stdout)?;
        return Ok(Outcome::Done);
    };
    let rows = crate::files::write_new(&path, overwrite, |out| {
        sesame.credential_report(&session, lang, out)
    })?;
    let printer = &context.output;
    printer.print(
        || {
            format!(
                "{} {} → {}",
                printer.say("cli-report_written"),
                printer.count("cli-keys", rows),
                path.display()
            )
        },
        || json!({"file": path, "rows": rows}),
    );
    Ok(Outcome::Done)
}
