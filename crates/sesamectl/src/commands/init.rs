//! `sesamectl init --admin NAME`: the first administrator.

use serde_json::json;

use crate::Outcome;
use crate::context::Context;
use crate::error::Result;

pub fn run(context: &Context, admin: &str) -> Result<Outcome> {
    let mut sesame = context.open()?;
    if sesame.is_initialised()? {
        return Err(sesame_core::Error::AlreadyInitialised.into());
    }
    let password = context.password(true)?;
    let session = sesame.initialise(admin, &password)?;
    let output = &context.output;
    output.print(
        || {
            format!(
                "{} « {} » ({}).",
                output.say("cli-administrator_created"),
                session.operator_name(),
                sesame.store_name()
            )
        },
        || {
            json!({"operator": {"id": session.operator_id(), "name": session.operator_name()},
                  "store": sesame.store_name()})
        },
    );
    Ok(Outcome::Done)
}
