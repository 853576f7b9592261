//! `sesamectl verify TOKEN`: checks a key against the store, as a service would.

use std::io::Read;

use clap::Args;
use serde_json::json;
use sesame_core::verify::Verification;

use crate::Outcome;
use crate::context::Context;
use crate::error::{CliError, Result};

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// `identifier.secret`; `-` reads it from standard input, which keeps it out of the
    /// process list.
    token: String,
    /// A permission the key must have.
    #[arg(long)]
    permission: Option<String>,
    /// A company (name or id) the key must be allowed for.
    #[arg(long)]
    company: Option<String>,
}

fn describe(context: &Context, verification: &Verification) -> String {
    let output = &context.output;
    match &verification.key {
        Some(key) => format!(
            "{} — {} « {} » ({} « {} »)",
            verification.code.code(),
            output.say("cli-key"),
            key.name,
            output.say("cli-service"),
            key.service_name
        ),
        None => verification.code.code().to_owned(),
    }
}

pub fn run(context: &Context, args: &VerifyArgs) -> Result<Outcome> {
    let token = if args.token == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| CliError::Stdin(e.to_string()))?;
        sesame_core::secret::secret_from(text)
    } else {
        sesame_core::secret::secret_from(args.token.clone())
    };
    let mut sesame = context.open()?;
    use sesame_core::secret::ExposeSecret;
    let verification = sesame.verify_bearer(
        token.expose_secret(),
        args.permission.as_deref(),
        args.company.as_deref(),
    )?;
    sesame.flush_usage()?;
    context.output.print(
        || describe(context, &verification),
        || {
            let key = verification.key.as_ref().map(|key| {
                json!({
                    "id": key.id,
                    "name": key.name,
                    "identifier": key.identifier,
                    "service": {"id": key.service_id, "name": key.service_name},
                    "permissions": key.permissions,
                    "companies": key.companies.iter().map(|c| json!({"id": c.id, "name": c.name})).collect::<Vec<_>>(),
                    "expires_at": key.expires_at,
                })
            });
            json!({"valid": verification.is_valid(), "code": verification.code.code(), "key": key})
        },
    );
    Ok(if verification.is_valid() {
        Outcome::Done
    } else {
        Outcome::Refused
    })
}
