//! `sesamectl backup FILE` and `sesamectl restore FILE`: an online copy of the store, and putting
//! one back after checking it, the current store kept aside.

use std::path::Path;

use serde_json::json;
use sesame_core::Right;
use sesame_core::backup;

use crate::Outcome;
use crate::context::Context;
use crate::error::{CliError, Result};

pub fn backup(context: &Context, path: &Path, overwrite: bool) -> Result<Outcome> {
    if !overwrite && std::fs::symlink_metadata(path).is_ok() {
        return Err(CliError::FileExists(path.to_owned()));
    }
    let (mut sesame, session) = context.sign_in()?;
    let summary = sesame.backup_to(&session, path, overwrite)?;
    let output = &context.output;
    output.print(
        || {
            format!(
                "{} {} ({}, {})",
                output.say("cli-backup_written"),
                path.display(),
                output.count("cli-keys", summary.keys),
                output.count("cli-events", summary.events),
            )
        },
        || json!({"file": path, "keys": summary.keys, "events": summary.events}),
    );
    Ok(Outcome::Done)
}

pub fn restore(context: &Context, path: &Path) -> Result<Outcome> {
    // The operator must hold the configuration right on the store about to be replaced.
    let operator = {
        let (mut sesame, session) = context.sign_in()?;
        sesame.require(
            &session,
            Right::Configuration,
            sesame_core::AuditAction::StoreRestored,
        )?;
        session.operator_name().to_owned()
    };
    let store = context.store_path()?;
    let restored = backup::restore(
        &store,
        path,
        &operator,
        &sesame_core::KeyringNamespace::for_this_build(),
    )?;
    let output = &context.output;
    let previous = restored
        .previous
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    output.print(
        || {
            format!(
                "{} {} ({}, {}). {} {previous}",
                output.say("cli-store_restored_from"),
                path.display(),
                output.count("cli-keys", restored.summary.keys),
                output.count("cli-events", restored.summary.events),
                output.say("cli-the_previous_store_is_kept_in"),
            )
        },
        || {
            json!({"file": path, "keys": restored.summary.keys,
                   "events": restored.summary.events, "previous": restored.previous})
        },
    );
    Ok(Outcome::Done)
}
