//! `sesamectl signing-key`: where the installation's signing key lives and its public
//! fingerprint, to confirm out of band what an auditor sees. Creates the key on first use, and
//! again with `--recreate` when the recorded one has gone missing.

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
