//! `sesamectl store check`, `store recovery-code` and `store reseal`: every deciding row checked
//! against its seal, with the audit chain; a new recovery code; and, for a store whose state key
//! is truly lost, the key brought back with the recovery code (audited).

use clap::Subcommand;
use serde_json::json;
use sesame_core::messages::Arg;
use sesame_core::secret::{ExposeSecret, SecretString, secret_from};
use sesame_core::{KeyringNamespace, Sesame};

use crate::Outcome;
use crate::context::Context;
use crate::error::{CliError, Result};

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Check every key, operator, service and setting against its seal, and the audit chain
    /// (audit right). Exit status 1 when something was changed outside Sésame.
    Check,
    /// Bring back the state key of a store whose key is truly lost, with its recovery code
    /// (SESAME_RECOVERY_CODE, or asked): an administrator; refused while the key is present;
    /// throttled like sign-in. Rows changed outside Sésame stay named.
    Reseal,
    /// Make a new recovery code, shown once (configuration right); the previous one stops
    /// working.
    RecoveryCode {
        /// Also keep the code in this new owner-only file.
        #[arg(long)]
        recovery_file: Option<std::path::PathBuf>,
    },
    /// Copy this store — keys with their hashes, operators, companies, settings, seals and the
    /// whole audit chain — into an empty store: an SQLite file, or a PostgreSQL database
    /// (`postgres://user@host/db`, or libpq's `host=… dbname=…`; its password from PGPASSWORD
    /// or ~/.pgpass, never in the address). Configuration right; audited.
    Copy {
        #[arg(long)]
        to: String,
    },
}

pub fn run(context: &Context, command: StoreCommand) -> Result<Outcome> {
    match command {
        StoreCommand::Check => check(context),
        StoreCommand::Reseal => reseal(context),
        StoreCommand::RecoveryCode { recovery_file } => {
            recovery_code(context, recovery_file.as_deref())
        }
        StoreCommand::Copy { to } => copy(context, &to),
    }
}

fn check(context: &Context) -> Result<Outcome> {
    let (mut sesame, session) = context.sign_in()?;
    let report = sesame.check_store(&session)?;
    let output = &context.output;
    let sound =
        report.tampered.is_empty() && report.chain_first_broken.is_none() && !report.counts_rebuilt;
    output.print(
        || {
            let mut lines = vec![format!(
                "{} ; {}",
                output.count("cli-rows_checked", report.rows),
                output.count("cli-audit_events", report.chain_events),
            )];
            for row in &report.tampered {
                lines.push(format!(
                    "{} {} « {} » ({})",
                    output.say("cli-changed_outside_s_same"),
                    row.kind.code(),
                    row.name,
                    row.id
                ));
            }
            if let Some(seq) = report.chain_first_broken {
                lines.push(format!(
                    "{} {seq}",
                    output.say("cli-audit_trail_broken_at_event")
                ));
            }
            if report.counts_rebuilt {
                lines.push(output.say("cli-key_counts_rebuilt").to_owned());
            }
            if sound {
                lines.push(output.say("cli-store_intact").to_owned());
            }
            lines.join("\n")
        },
        || {
            json!({
                "rows": report.rows,
                "tampered": report.tampered.iter().map(|row| json!({
                    "kind": row.kind.code(), "id": row.id, "name": row.name,
                })).collect::<Vec<_>>(),
                "audit_events": report.chain_events,
                "audit_first_broken": report.chain_first_broken,
                "key_counts_rebuilt": report.counts_rebuilt,
                "intact": sound,
            })
        },
    );
    Ok(match sound {
        true => Outcome::Done,
        false => Outcome::Refused,
    })
}

fn reseal(context: &Context) -> Result<Outcome> {
    let name = std::env::var("SESAME_USER")
        .ok()
        .filter(|name| !name.trim().is_empty())
        .ok_or(CliError::MissingOperator)?;
    let password = context.password(false)?;
    let code = match std::env::var("SESAME_RECOVERY_CODE") {
        Ok(code) => secret_from(code),
        Err(_) => rpassword::prompt_password(context.output.say("cli-prompt-recovery-code"))
            .map(secret_from)
            .map_err(|error| CliError::PasswordUnavailable(error.to_string()))?,
    };
    let location = context.location()?;
    Sesame::reseal_location(
        &location,
        &KeyringNamespace::for_this_build(),
        &name,
        &password,
        &code,
    )?;
    let output = &context.output;
    output.print(
        || output.say("cli-store_key_recovered").to_owned(),
        || json!({"resealed": true, "key": "recovered"}),
    );
    Ok(Outcome::Done)
}

fn recovery_code(context: &Context, file: Option<&std::path::Path>) -> Result<Outcome> {
    let (mut sesame, session) = context.sign_in()?;
    let code = sesame.create_recovery_code(&session)?;
    keep_recovery_code(&code, file)?;
    let output = &context.output;
    let code = code.expose_secret();
    output.print(
        || {
            format!(
                "{}\n\n    {code}\n",
                output.say("cli-recovery_code_shown_once")
            )
        },
        || json!({"recovery_code": code}),
    );
    Ok(Outcome::Done)
}

/// Writes the recovery code to a new owner-only file when the administrator asks for one.
pub fn keep_recovery_code(code: &SecretString, file: Option<&std::path::Path>) -> Result<()> {
    let Some(file) = file else {
        return Ok(());
    };
    let written = sesame_core::store::private::create_file(file)
        .and_then(|()| std::fs::write(file, format!("{}\n", code.expose_secret())));
    written.map_err(|error| {
        sesame_core::Error::RecoveryFileWrite(file.to_owned(), error.to_string()).into()
    })
}

fn copy(context: &Context, to: &str) -> Result<Outcome> {
    let target = sesame_core::store::location::StoreLocation::parse(to)?;
    let (mut sesame, session) = context.sign_in()?;
    let summary = sesame.copy_store_to(&session, &target)?;
    let output = &context.output;
    output.print(
        || {
            output.text(
                "cli-store-copied",
                &[
                    ("destination", Arg::Text(target.shown())),
                    ("keys", Arg::number(summary.keys)),
                    ("events", Arg::number(summary.events)),
                ],
            )
        },
        || {
            json!({"destination": target.shown(), "rows": summary.rows, "keys": summary.keys,
                   "events": summary.events})
        },
    );
    Ok(Outcome::Done)
}
