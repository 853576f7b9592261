//! `sesamectl init --admin NAME`: the first administrator, and the store's recovery code,
//! shown once.

use serde_json::json;
use sesame_core::secret::ExposeSecret;

use crate::Outcome;
use crate::context::Context;
use crate::error::Result;

pub fn run(
    context: &Context,
    admin: &str,
    recovery_file: Option<&std::path::Path>,
) -> Result<Outcome> {
    let mut sesame = context.open()?;
    if sesame.is_initialised()? {
        return Err(sesame_core::Error::AlreadyInitialised.into());
    }
    let password = context.password(true)?;
    let session = sesame.initialise(admin, &password)?;
    let code = sesame.create_recovery_code(&session)?;
    super::store::keep_recovery_code(&code, recovery_file)?;
    let output = &context.output;
    let code = code.expose_secret();
    output.print(
        || {
            format!(
                "{} « {} » ({}).\n{}\n\n    {code}\n",
                output.say("cli-administrator_created"),
                session.operator_name(),
                sesame.store_name(),
                output.say("cli-recovery_code_shown_once"),
            )
        },
        || {
            json!({"operator": {"id": session.operator_id(), "name": session.operator_name()},
                  "store": sesame.store_name(), "recovery_code": code})
        },
    );
    Ok(Outcome::Done)
}
