//! `sesamectl signing-key`: where the installation's signing key lives and its public
//! fingerprint, to confirm out of band what an auditor sees. Creates the key on first use, and
//! again with `--recreate` when the recorded one has gone missing or was retired; lists the keys
//! every installation registered on the store, and retires one.

use serde_json::json;
use sesame_core::{KeyringNamespace, SigningKeyHome};

use crate::Outcome;
use crate::context::Context;
use crate::error::Result;

pub fn run(context: &Context, recreate: bool) -> Result<Outcome> {
    let key = match recreate {
        true => {
            let (mut sesame, session) = context.sign_in()?;
            sesame.recreate_signing_key(&session, &KeyringNamespace::for_this_build())?
        }
        false => {
            let mut sesame = context.open()?;
            context.installation_key(&mut sesame)?
        }
    };
    let output = &context.output;
    let (home, place) = match key.home() {
        SigningKeyHome::Keyring { service, entry } => ("keyring", format!("{service} / {entry}")),
        SigningKeyHome::File { path, .. } => ("file", path.display().to_string()),
    };
    let public_key = hex::encode(key.verifying_key().as_bytes());
    output.print(
        || {
            let where_label = match home {
                "keyring" => output.say("cli-system_keyring"),
                _ => output.say("cli-file"),
            };
            format!(
                "{where_label}{} {place}\n{}{} {}\n{}{} {public_key}",
                output.say("cli-colon"),
                output.say("cli-fingerprint"),
                output.say("cli-colon"),
                key.fingerprint(),
                output.say("cli-public_key_ed25519"),
                output.say("cli-colon"),
            )
        },
        || {
            json!({"home": home, "place": place, "fingerprint": key.fingerprint(),
                   "public_key": public_key, "algorithm": "Ed25519"})
        },
    );
    Ok(Outcome::Done)
}

/// `sesamectl signing-key --list`: every key registered on the store, retired ones included.
pub fn list(context: &Context) -> Result<Outcome> {
    let sesame = context.open()?;
    let keys = sesame.signing_keys()?;
    let output = &context.output;
    let when = |millis: i64| {
        chrono::DateTime::from_timestamp_millis(millis)
            .map(|at| output.date(at))
            .unwrap_or_default()
    };
    output.print(
        || {
            keys.iter()
                .map(|key| {
                    let state = match key.retired_at {
                        Some(at) => {
                            format!("{} {}", output.say("cli-signing_key_retired"), when(at))
                        }
                        None => output.say("cli-signing_key_in_use"),
                    };
                    format!(
                        "{}  {}  {}  {} {}\n    {}{} {}",
                        key.kid,
                        state,
                        key.holder,
                        output.say("cli-signing_key_registered"),
                        when(key.registered_at),
                        output.say("cli-fingerprint"),
                        output.say("cli-colon"),
                        key.fingerprint,
                    )
                })
                .collect::<Vec<_>>()
                .join("\n")
        },
        || {
            json!({"signing_keys": keys.iter().map(|key| json!({
                "kid": key.kid,
                "fingerprint": key.fingerprint,
                "public_key": key.public_key,
                "holder": key.holder,
                "registered_at": chrono::DateTime::from_timestamp_millis(key.registered_at)
                    .map(|at| at.to_rfc3339()),
                "retired_at": key.retired_at
                    .and_then(chrono::DateTime::from_timestamp_millis)
                    .map(|at| at.to_rfc3339()),
            })).collect::<Vec<_>>()})
        },
    );
    Ok(Outcome::Done)
}

/// `sesamectl signing-key --retire KID`.
pub fn retire(context: &Context, kid: &str) -> Result<Outcome> {
    let (mut sesame, session) = context.sign_in()?;
    sesame.retire_signing_key(&session, kid)?;
    let output = &context.output;
    output.print(
        || output.say("cli-signing_key_retired_done"),
        || json!({"retired": kid.trim()}),
    );
    Ok(Outcome::Done)
}
