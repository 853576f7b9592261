//! What every command needs: the store, the language, the signed-in operator, the output.

use std::path::PathBuf;

use sesame_core::messages::Arg;
use sesame_core::secret::{SecretString, secret_from};
use sesame_core::{InstallationKey, KeyringNamespace, Lang, Sesame, Session, SigningKeyHome};

use sesame_core::store::location::StoreLocation;

use crate::error::{CliError, Result};
use crate::output::Output;

#[derive(Debug)]
pub struct Context {
    pub db: Option<PathBuf>,
    pub output: Output,
}

impl Context {
    pub fn lang(&self) -> Lang {
        self.output.lang
    }

    /// The store named by `--db`/`SESAME_DB`, else the one in the user's data folder.
    pub fn store_path(&self) -> Result<PathBuf> {
        let path = match &self.db {
            Some(path) => path.clone(),
            None => sesame_core::store::default_path()?,
        };
        // A PostgreSQL store is never taken for a file name; the commands that run on one say so.
        if sesame_core::store::pg::is_postgres(&path.to_string_lossy()) {
            return Err(CliError::PostgresNotYet);
        }
        Ok(path)
    }

    /// The store named by `--db`/`SESAME_DB` — a file, or a PostgreSQL database given as a
    /// `postgres://` URL or libpq's `key=value` form — else the file in the user's data folder.
    pub fn location(&self) -> Result<StoreLocation> {
        match &self.db {
            Some(path) => Ok(StoreLocation::parse(&path.to_string_lossy())?),
            None => Ok(StoreLocation::Sqlite(sesame_core::store::default_path()?)),
        }
    }

    /// Opens the store (see [`Context::location`]).
    pub fn open(&self) -> Result<Sesame> {
        let sesame = Sesame::open_location(&self.location()?)?;
        for file in sesame.tightened_files() {
            eprintln!(
                "{} {}",
                self.output
                    .say("cli-access_restricted_to_your_account_alone"),
                file.display()
            );
        }
        Ok(sesame)
    }

    /// Opens the store and signs in the operator named by `SESAME_USER`.
    pub fn sign_in(&self) -> Result<(Sesame, Session)> {
        let mut sesame = self.open()?;
        if !sesame.is_initialised()? {
            return Err(sesame_core::Error::NotInitialised.into());
        }
        let name = std::env::var("SESAME_USER")
            .ok()
            .filter(|name| !name.trim().is_empty())
            .ok_or(CliError::MissingOperator)?;
        let password = self.password(false)?;
        let session = sesame.sign_in(&name, &password)?;
        Ok((sesame, session))
    }

    /// The password from `SESAME_PASSWORD`, else asked on the terminal (twice when choosing one).
    pub fn password(&self, choosing: bool) -> Result<SecretString> {
        if let Ok(password) = std::env::var("SESAME_PASSWORD") {
            return Ok(secret_from(password));
        }
        let (first, again) = (
            self.output.say("cli-prompt-password"),
            self.output.say("cli-prompt-password-again"),
        );
        let ask = |prompt: &str| {
            rpassword::prompt_password(prompt)
                .map(secret_from)
                .map_err(|error| CliError::PasswordUnavailable(error.to_string()))
        };
        let password = ask(&first)?;
        if choosing {
            use sesame_core::secret::ExposeSecret;
            let confirmation = ask(&again)?;
            if confirmation.expose_secret() != password.expose_secret() {
                return Err(sesame_core::Error::PasswordsDiffer.into());
            }
        }
        Ok(password)
    }

    /// A password being chosen for someone: `SESAME_NEW_PASSWORD`, else asked twice.
    pub fn new_password(&self) -> Result<SecretString> {
        if let Ok(password) = std::env::var("SESAME_NEW_PASSWORD") {
            return Ok(secret_from(password));
        }
        let (first, again) = (
            self.output.say("cli-prompt-new-password"),
            self.output.say("cli-prompt-new-password-again"),
        );
        let ask = |prompt: &str| {
            rpassword::prompt_password(prompt)
                .map(secret_from)
                .map_err(|error| CliError::PasswordUnavailable(error.to_string()))
        };
        let password = ask(&first)?;
        let confirmation = ask(&again)?;
        use sesame_core::secret::ExposeSecret;
        if confirmation.expose_secret() != password.expose_secret() {
            return Err(sesame_core::Error::PasswordsDiffer.into());
        }
        Ok(password)
    }

    /// The installation's signing key, from the keyring of this build's namespace; when no
    /// keyring answers, from the owner-only file beside the store, with a warning on stderr.
    pub fn installation_key(&self, sesame: &mut Sesame) -> Result<InstallationKey> {
        let key = sesame.installation_key(&KeyringNamespace::for_this_build())?;
        if let SigningKeyHome::File {
            path,
            keyring_problem,
        } = key.home()
        {
            let warning = self.output.text(
                "cli-signing-key-in-file",
                &[
                    ("problem", Arg::Text(keyring_problem.clone())),
                    ("path", Arg::Text(path.display().to_string())),
                ],
            );
            eprintln!("{warning}");
        }
        Ok(key)
    }
}
