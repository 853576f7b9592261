//! `sesamectl`: Sésame's command line. Same store, same rules and same audit trail as the app.
//!
//! Exit status: 0 on success, 1 when a verification is refused, 2 for bad usage or input.

mod commands;
mod context;
mod error;
mod files;
mod output;
mod serve;
mod word_arg;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use sesame_core::Lang;

use crate::context::Context;
use crate::output::Output;

#[derive(Debug, Parser)]
#[command(
    name = "sesamectl",
    version,
    about = "Sésame: offline API-key administration"
)]
struct Cli {
    /// The store: a file, or a PostgreSQL database as a postgres:// URL or libpq key=value (default: the file in the user's data folder, fr.sesame.admin/sesame.db).
    #[arg(long, env = "SESAME_DB", global = true)]
    db: Option<PathBuf>,
    /// Print JSON instead of text.
    #[arg(long, global = true)]
    json: bool,
    /// Language of messages: fr or en (default: from SESAME_LANG or LANG, else French).
    #[arg(long, global = true)]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create the store's first administrator (password from SESAME_PASSWORD or a prompt).
    Init {
        #[arg(long)]
        admin: String,
        /// Also keep the recovery code in this new owner-only file (it is printed either way).
        #[arg(long)]
        recovery_file: Option<std::path::PathBuf>,
    },
    /// The catalogue of services.
    #[command(subcommand)]
    Service(commands::service::ServiceCommand),
    /// Client companies keys can be restricted to.
    #[command(subcommand)]
    Company(commands::company::CompanyCommand),
    /// Keys: create, list, change.
    #[command(subcommand)]
    Key(commands::key::KeyCommand),
    /// Check a key (`identifier.secret`, or `-` to read it from standard input).
    Verify(commands::verify::VerifyArgs),
    /// Operators (the app's local accounts) and their rights.
    #[command(subcommand)]
    Operator(commands::operator::OperatorCommand),
    /// Where the installation's signing key lives, and its public fingerprint; the keys every
    /// installation registered on the store.
    SigningKey {
        /// Create a new key because the recorded one is missing or was retired (configuration
        /// right; audited). Tokens and exports signed with the missing key will no longer check.
        #[arg(long, conflicts_with_all = ["list", "retire"])]
        recreate: bool,
        /// List the signing keys registered on the store (every installation's), retired ones
        /// included.
        #[arg(long, conflicts_with = "retire")]
        list: bool,
        /// Retire a registered key, named by its key id (`kid`): it leaves every verifier's
        /// JWKS and its tokens are refused (configuration right; audited).
        #[arg(long, value_name = "KID")]
        retire: Option<String>,
    },
    /// The audit trail: signed exports, and checking one offline.
    #[command(subcommand)]
    Audit(commands::audit::AuditCommand),
    /// Reports for auditors.
    #[command(subcommand)]
    Report(commands::report::ReportCommand),
    /// Copy the store to a new file while it is in use (configuration right).
    Backup {
        file: PathBuf,
        /// Replace the file if it exists.
        #[arg(long)]
        overwrite: bool,
    },
    /// Replace the store with a backup, after checking it; the current store is kept aside.
    Restore { file: PathBuf },
    /// The store's own state: its seals checked, or accepted anew when their key is lost.
    #[command(subcommand)]
    Store(commands::store::StoreCommand),
    /// Run the local verification service (HTTP on 127.0.0.1:8417 by default).
    Serve(serve::ServeArgs),
}

/// What a command ended with, beyond plain success.
#[derive(Debug)]
pub enum Outcome {
    Done,
    /// A verification answered "not valid": exit status 1.
    Refused,
}

fn language(flag: Option<&str>) -> Lang {
    let from_environment = ["SESAME_LANG", "LC_ALL", "LC_MESSAGES", "LANG"]
        .iter()
        .find_map(|name| std::env::var(name).ok().filter(|value| !value.is_empty()));
    flag.map(str::to_owned)
        .or(from_environment)
        .map(|tag| Lang::from_tag(&tag))
        .unwrap_or_default()
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let output = Output {
        json: cli.json,
        lang: language(cli.lang.as_deref()),
    };
    let context = Context { db: cli.db, output };
    let result = match cli.command {
        Command::Init {
            admin,
            recovery_file,
        } => commands::init::run(&context, &admin, recovery_file.as_deref()),
        Command::Service(command) => commands::service::run(&context, command),
        Command::Company(command) => commands::company::run(&context, command),
        Command::Key(command) => commands::key::run(&context, command),
        Command::Verify(args) => commands::verify::run(&context, &args),
        Command::Operator(command) => commands::operator::run(&context, command),
        Command::SigningKey {
            recreate,
            list,
            retire,
        } => match (list, retire) {
            (true, _) => commands::signing_key::list(&context),
            (false, Some(kid)) => commands::signing_key::retire(&context, &kid),
            (false, None) => commands::signing_key::run(&context, recreate),
        },
        Command::Audit(command) => commands::audit::run(&context, command),
        Command::Report(command) => commands::report::run(&context, command),
        Command::Backup { file, overwrite } => commands::backup::backup(&context, &file, overwrite),
        Command::Restore { file } => commands::backup::restore(&context, &file),
        Command::Store(command) => commands::store::run(&context, command),
        Command::Serve(args) => serve::run(&context, &args),
    };
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Refused) => ExitCode::from(1),
        Err(error) => {
            output.error(&error);
            ExitCode::from(2)
        }
    }
}
