//! `sesamectl store check` and `sesamectl store reseal`: every deciding row checked against its
//! seal, with the audit chain; and, for a store whose state key is lost, accepting the store as
//! it is now under a new key (audited).

use clap::Subcommand;
use serde_json::json;
use sesame_core::messages::Arg;
use sesame_core::{KeyringNamespace, Sesame};

use crate::Outcome;
use crate::context::Context;
use crate::error::{CliError, Result};

#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Check every key, operator, service and setting against its seal, and the audit chain
    /// (audit right). Exit status 1 when something was changed outside Sésame.
    Check,
    /// Accept the store as it is now under a new state key, when the old one is lost
    /// (configuration right; the password is checked against the operator's row as it is).
    Reseal,
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
        StoreCommand::Copy { to } => copy(context, &to),
    }
}

fn check(context: &Context) -> Result<Outcome> {
    let (mut sesame, session) = context.sign_in()?;
    let report = sesame.check_store(&session)?;
    let output = &context.output;
    let sound = report.tampered.is_empty() && report.chain_first_broken.is_none();
    output.print(
        || {
            let mut lines = vec![format!(
                "{} {} ; {} {}",
                report.rows,
                output.say("cli-row_s_checked"),
                report.chain_events,
                output.say("cli-audit_event_s"),
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
    let location = context.location()?;
    Sesame::reseal_location(
        &location,
        &KeyringNamespace::for_this_build(),
        &name,
        &password,
    )?;
    let output = &context.output;
    output.print(
        || output.say("cli-store_accepted_as_it_is_and").to_owned(),
        || json!({"resealed": true}),
    );
    Ok(Outcome::Done)
}

fn copy(context: &Context, to: &str) -> Result<Outcome> {
    let target = sesame_core::store::copy::StoreLocation::parse(to)?;
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
