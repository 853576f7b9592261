//! The installation's Ed25519 signing key (access tokens, signed audit exports): kept in the OS
//! keyring, or, where no keyring answers, in a file only the user can read beside the store.
//! Its creation, recreation and moves are audited; its public half is registered in the store
//! (`signing_keys`), so a replaced key is noticed and every verifier of a shared store accepts
//! the tokens of every installation that writes it.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rand::TryRngCore;
use rand::rngs::OsRng;
use serde_json::json;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::Sesame;
use crate::audit;
use crate::error::{Error, Result};
use crate::os_keyring::{self, KeyringNamespace, KeyringUnavailable};
use crate::store;
use crate::vocab::AuditAction;

/// Where the signing key lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SigningKeyHome {
    /// In the OS keyring, under this service and entry name.
    Keyring { service: String, entry: String },
    /// In a file readable only by the user (mode 0600), because the keyring did not answer.
    File {
        path: PathBuf,
        keyring_problem: String,
    },
}

/// The installation's signing key. `Debug` shows only the public fingerprint.
pub struct InstallationKey {
    key: SigningKey,
    home: SigningKeyHome,
}

impl fmt::Debug for InstallationKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter
            .debug_struct("InstallationKey")
            .field("fingerprint", &self.fingerprint())
            .field("home", &self.home)
            .finish_non_exhaustive()
    }
}

impl InstallationKey {
    pub fn home(&self) -> &SigningKeyHome {
        &self.home
    }

    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    /// SHA-256 of the public key, in hexadecimal groups of four, for confirming out of band.
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.verifying_key())
    }

    /// The private key itself, for signing tokens; never leaves the process.
    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
    }

    pub fn sign(&self, message: &[u8]) -> [u8; 64] {
        self.key.sign(message).to_bytes()
    }
}

/// The key id published in the JWKS and written in each token's header: the fingerprint's
/// first 16 hexadecimal digits.
pub fn key_id(key: &InstallationKey) -> String {
    key.fingerprint().replace(' ', "")[..16].to_owned()
}

/// SHA-256 of a public key, as `ab12 cd34 …` (16 groups).
pub fn fingerprint(public_key: &VerifyingKey) -> String {
    let digest = hex::encode(Sha256::digest(public_key.as_bytes()));
    digest
        .as_bytes()
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn generate() -> Result<SigningKey> {
    let mut seed = Zeroizing::new([0_u8; 32]);
    OsRng
        .try_fill_bytes(seed.as_mut())
        .map_err(|error| Error::Internal(format!("random source: {error}")))?;
    Ok(SigningKey::from_bytes(&seed))
}

fn encode(key: &SigningKey) -> Zeroizing<String> {
    Zeroizing::new(hex::encode(key.as_bytes()))
}

fn decode(text: &str, source: &str) -> Result<SigningKey> {
    let mut seed = Zeroizing::new([0_u8; 32]);
    hex::decode_to_slice(text.trim(), seed.as_mut()).map_err(|_| {
        Error::SigningKeyUnavailable(format!("{source} does not hold an Ed25519 key"))
    })?;
    Ok(SigningKey::from_bytes(&seed))
}

/// The key file beside the store: `sesame.db` → `sesame.db.signing-key`.
pub fn key_file_path(store: &Path) -> PathBuf {
    let mut name = store.file_name().unwrap_or_default().to_os_string();
    name.push(".signing-key");
    store.with_file_name(name)
}

fn file_error(path: &Path, error: std::io::Error) -> Error {
    Error::SigningKeyUnavailable(format!("{}: {error}", path.display()))
}

fn read_file(path: &Path) -> Result<Option<SigningKey>> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => Zeroizing::new(text),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(file_error(path, error)),
    };
    restrict_to_owner(path)?;
    decode(&text, &path.display().to_string()).map(Some)
}

/// Tightens a key file someone loosened back to owner-only.
fn restrict_to_owner(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path)
            .map_err(|error| file_error(path, error))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
                .map_err(|error| file_error(path, error))?;
        }
    }
    Ok(())
}

/// Writes the key file, readable and writable by the user only from its first byte, through a
/// temporary file renamed into place so a crash never leaves half a key.
fn write_file(path: &Path, key: &SigningKey) -> Result<()> {
    let temporary = path.with_extension("signing-key.tmp");
    let _ = std::fs::remove_file(&temporary);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options
        .open(&temporary)
        .map_err(|error| file_error(&temporary, error))?;
    file.write_all(encode(key).as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|error| file_error(&temporary, error))?;
    std::fs::rename(&temporary, path).map_err(|error| file_error(path, error))
}

/// How the key was found, for the audit trail.
#[derive(Debug)]
enum Origin {
    Found,
    Generated,
    MovedToKeyring,
}

impl Sesame {
    /// Loads the installation's signing key, creating it on first use: from the keyring under
    /// `namespace` when one answers, else from the key file beside the store.
    ///
    /// A key that cannot be found while the store records one (a keyring entry or a key file
    /// deleted, another user's keyring) is an alarm, not a reason to make a new one silently:
    /// tokens and exports signed with the old key would stop checking. Signing is refused with
    /// [`Error::SigningKeyMissing`] until an operator with the configuration right asks for a
    /// new key ([`Sesame::recreate_signing_key`]).
    pub fn installation_key(&mut self, namespace: &KeyringNamespace) -> Result<InstallationKey> {
        self.load_or_create_key(namespace, None)
    }

    /// Makes a new signing key when the recorded one is missing or was retired (see
    /// [`Sesame::installation_key`]); audited as `signing_key.recreated` with the operator. A key
    /// that is there and in use is kept as it is.
    pub fn recreate_signing_key(
        &mut self,
        session: &crate::Session,
        namespace: &KeyringNamespace,
    ) -> Result<InstallationKey> {
        self.require(
            session,
            crate::Right::Configuration,
            AuditAction::SigningKeyRecreated,
        )?;
        let operator = session.operator_name().to_owned();
        self.load_or_create_key(namespace, Some(operator))
    }

    fn load_or_create_key(
        &mut self,
        namespace: &KeyringNamespace,
        recreated_by: Option<String>,
    ) -> Result<InstallationKey> {
        let request = self.signing_key_request(namespace, recreated_by)?;
        let loaded = request.load()?;
        self.note_signing_key(loaded)
    }

    /// What loading the installation's signing key needs from the store, read in an instant: a
    /// front end that keeps the store behind a lock then asks the keyring (D-Bus, possibly
    /// slow) without holding it ([`SigningKeyRequest::load`]), and takes the lock again only to
    /// record the key ([`Sesame::note_signing_key`]).
    pub fn signing_key_request(
        &self,
        namespace: &KeyringNamespace,
        recreated_by: Option<String>,
    ) -> Result<SigningKeyRequest> {
        let file = key_file_path(self.path());
        let holder = holder(namespace, &file);
        let registered = store::signing_keys::list(&self.connection, true)?;
        let recorded = match registered
            .iter()
            .rev()
            .find(|key| key.holder == holder && key.retired_at.is_none())
        {
            Some(mine) => Some(mine.fingerprint.clone()),
            // A store from before registration recorded one fingerprint in its settings.
            None if registered.is_empty() => {
                store::settings::get(&self.connection, LEGACY_FINGERPRINT)?
            }
            None => None,
        };
        Ok(SigningKeyRequest {
            namespace: namespace.clone(),
            recorded,
            retired: registered
                .into_iter()
                .filter(|key| key.retired_at.is_some())
                .map(|key| key.fingerprint)
                .collect(),
            entry: format!("signing-key-{}", self.installation_id()?),
            file,
            holder,
            recreated_by,
        })
    }

    /// Records the key just loaded: registers its public half for every verifier of the store
    /// (retiring the one this holder used before), with an audit event when it is new,
    /// recreated, registered or moved.
    pub fn note_signing_key(&mut self, loaded: LoadedSigningKey) -> Result<InstallationKey> {
        let LoadedSigningKey {
            key,
            origin,
            recreated_by,
            holder,
        } = loaded;
        let fingerprint = key.fingerprint();
        let kid = key_id(&key);
        let home = match key.home() {
            SigningKeyHome::Keyring { .. } => "keyring",
            SigningKeyHome::File { .. } => "file",
        };
        let public_key = URL_SAFE_NO_PAD.encode(key.verifying_key().as_bytes());
        self.write(|transaction, now| {
            let at = crate::clock::to_millis(now);
            let already = store::signing_keys::by_kid(transaction, &kid)?;
            if let Some(known) = &already {
                if known.retired_at.is_some() {
                    return Err(Error::SigningKeyRetired(fingerprint.clone()));
                }
                if !matches!(origin, Origin::MovedToKeyring) {
                    return Ok(());
                }
            }
            let mine = store::signing_keys::held_by(transaction, &holder)?;
            let legacy = match mine {
                Some(_) => None,
                None => store::settings::get(transaction, LEGACY_FINGERPRINT)?,
            };
            let known = mine
                .as_ref()
                .map(|mine| mine.fingerprint.clone())
                .or(legacy);
            let action = match (&origin, known.as_deref()) {
                (Origin::Generated, None) if recreated_by.is_none() => {
                    AuditAction::SigningKeyCreated
                }
                (Origin::Generated, _) => AuditAction::SigningKeyRecreated,
                (Origin::MovedToKeyring, _) => AuditAction::SigningKeyMovedToKeyring,
                (Origin::Found, Some(known)) if known != fingerprint => {
                    AuditAction::SigningKeyReplaced
                }
                (Origin::Found, _) => AuditAction::SigningKeyRegistered,
            };
            if let Some(mine) = &mine
                && mine.kid != kid
            {
                store::signing_keys::retire(transaction, &mine.kid, at)?;
            }
            // Registered already, it is only moving into the keyring.
            if already.is_none() {
                store::signing_keys::insert(
                    transaction,
                    &store::signing_keys::RegisteredKey {
                        kid: kid.clone(),
                        public_key: public_key.clone(),
                        fingerprint: fingerprint.clone(),
                        holder: holder.clone(),
                        registered_at: at,
                        retired_at: None,
                    },
                )?;
            }
            store::settings::delete(transaction, LEGACY_FINGERPRINT)?;
            audit::record(
                transaction,
                now,
                None,
                action,
                None,
                json!({"fingerprint": fingerprint, "previous_fingerprint": known, "home": home,
                       "by": recreated_by, "kid": kid, "holder": holder}),
            )
        })?;
        Ok(key)
    }

    /// Every signing key registered on this store, retired ones included, oldest first.
    pub fn signing_keys(&self) -> Result<Vec<store::signing_keys::RegisteredKey>> {
        store::signing_keys::list(&self.connection, true)
    }

    /// The public keys tokens may be signed with: every registered key not retired whose row
    /// is sealed (a key slipped into the table by another program is left out and reported).
    pub fn trusted_signing_keys(&mut self) -> Result<Vec<store::signing_keys::RegisteredKey>> {
        let mut trusted = Vec::new();
        for key in store::signing_keys::list(self.reads(), false)? {
            if self.signing_key_is_sealed(&key)? {
                trusted.push(key);
            }
        }
        Ok(trusted)
    }

    /// Whether a registered key's row matches its seal; a row that does not is reported once.
    pub(crate) fn signing_key_is_sealed(
        &mut self,
        key: &store::signing_keys::RegisteredKey,
    ) -> Result<bool> {
        let sealed = crate::seal::row_is_sealed(
            self.reads(),
            &self.state_key,
            crate::seal::SealedKind::SigningKey,
            &key.kid,
        )?;
        if !sealed {
            self.report_tampering(
                crate::seal::SealedKind::SigningKey,
                &key.kid,
                &key.holder,
                "token_check",
            )?;
        }
        Ok(sealed)
    }

    /// Retires a registered signing key (a server taken down, a key thought exposed): it leaves
    /// every verifier's JWKS and the tokens it signed are refused. Configuration right;
    /// audited as `signing_key.retired`.
    pub fn retire_signing_key(&mut self, session: &crate::Session, kid: &str) -> Result<()> {
        let kid = kid.trim().replace(' ', "");
        self.act(
            session,
            Some(crate::Right::Configuration),
            AuditAction::SigningKeyRetired,
            |transaction, now, actor| {
                let known = store::signing_keys::by_kid(transaction, &kid)?
                    .filter(|key| key.retired_at.is_none())
                    .ok_or_else(|| Error::SigningKeyUnknown(kid.clone()))?;
                store::signing_keys::retire(transaction, &known.kid, crate::clock::to_millis(now))?;
                audit::record(
                    transaction,
                    now,
                    Some(actor),
                    AuditAction::SigningKeyRetired,
                    None,
                    json!({"fingerprint": known.fingerprint, "kid": known.kid,
                           "holder": known.holder}),
                )
            },
        )
    }
}

/// Where stores from before registration kept the one signing key's fingerprint.
const LEGACY_FINGERPRINT: &str = "signing_key_fingerprint";

/// Who holds a key, as registered: this machine's name, the keyring namespace and the key's
/// file (where it is, or would be without a keyring), so two servers, or two users of one
/// machine, hold their own.
fn holder(namespace: &KeyringNamespace, file: &Path) -> String {
    format!(
        "{}:{}:{}",
        gethostname::gethostname().to_string_lossy(),
        namespace.service(),
        file.display()
    )
}

/// The store's side of loading the signing key, taken by [`Sesame::signing_key_request`].
#[derive(Debug)]
pub struct SigningKeyRequest {
    namespace: KeyringNamespace,
    /// The fingerprint this holder registered (or the store's only one, from before
    /// registration): a key that cannot be found then is an alarm.
    recorded: Option<String>,
    /// Fingerprints of retired keys: found again, they are not used.
    retired: Vec<String>,
    entry: String,
    file: std::path::PathBuf,
    /// Who holds the key, as registered (see [`holder`]).
    holder: String,
    recreated_by: Option<String>,
}

/// A signing key loaded (or made) and not yet recorded in the store.
#[derive(Debug)]
pub struct LoadedSigningKey {
    key: InstallationKey,
    origin: Origin,
    recreated_by: Option<String>,
    holder: String,
}

impl SigningKeyRequest {
    /// Reads the key from the keyring or its file, or makes it: no store is touched. A retired
    /// key found is refused, or replaced in its place when an administrator asks for a new one.
    pub fn load(self) -> Result<LoadedSigningKey> {
        let SigningKeyRequest {
            namespace,
            recorded,
            retired,
            entry,
            file,
            holder,
            recreated_by,
        } = self;
        let may_create = |recorded: &Option<String>| match (recorded, &recreated_by) {
            (Some(fingerprint), None) => Err(Error::SigningKeyMissing(fingerprint.clone())),
            _ => Ok(()),
        };
        let (key, origin, home) = match os_keyring::read(&namespace, &entry) {
            Ok(found) => {
                if found.is_none() && !file.exists() {
                    may_create(&recorded)?;
                }
                key_from_keyring(&namespace, &entry, &file, found)?
            }
            Err(KeyringUnavailable(problem)) => {
                let home = SigningKeyHome::File {
                    path: file.clone(),
                    keyring_problem: problem,
                };
                match read_file(&file)? {
                    Some(key) => (key, Origin::Found, home),
                    // The key may be in the keyring of a session this program is not part of
                    // (run from cron or over ssh): say so rather than call it lost.
                    None if recorded.is_some() && recreated_by.is_none() => {
                        let problem = match &home {
                            SigningKeyHome::File {
                                keyring_problem, ..
                            } => keyring_problem.clone(),
                            SigningKeyHome::Keyring { .. } => String::new(),
                        };
                        return Err(Error::SigningKeyUnavailable(format!(
                            "no keyring answers ({problem}) and there is no key file beside the \
                             store; run Sésame in the session whose keyring holds the key"
                        )));
                    }
                    None => {
                        may_create(&recorded)?;
                        let key = generate()?;
                        write_file(&file, &key)?;
                        (key, Origin::Generated, home)
                    }
                }
            }
        };
        let found_fingerprint = fingerprint(&key.verifying_key());
        let (key, origin) = match retired.contains(&found_fingerprint) {
            false => (key, origin),
            true if recreated_by.is_none() => {
                return Err(Error::SigningKeyRetired(found_fingerprint));
            }
            true => (replace_in(&namespace, &entry, &home)?, Origin::Generated),
        };
        Ok(LoadedSigningKey {
            key: InstallationKey { key, home },
            origin,
            recreated_by,
            holder,
        })
    }
}

/// A new key written over a retired one, where that one was kept.
fn replace_in(
    namespace: &KeyringNamespace,
    entry: &str,
    home: &SigningKeyHome,
) -> Result<SigningKey> {
    let key = generate()?;
    match home {
        SigningKeyHome::Keyring { .. } => os_keyring::write(namespace, entry, &encode(&key))
            .map_err(|KeyringUnavailable(problem)| Error::SigningKeyUnavailable(problem))?,
        SigningKeyHome::File { path, .. } => write_file(path, &key)?,
    }
    Ok(key)
}

/// The key from the keyring entry, or moved there from its file, or made and kept there (in the
/// file when the keyring refuses to store).
fn key_from_keyring(
    namespace: &KeyringNamespace,
    entry: &str,
    file: &Path,
    found: Option<Zeroizing<String>>,
) -> Result<(SigningKey, Origin, SigningKeyHome)> {
    let home = SigningKeyHome::Keyring {
        service: namespace.service().to_owned(),
        entry: entry.to_owned(),
    };
    if let Some(text) = found {
        return Ok((decode(&text, "the keyring entry")?, Origin::Found, home));
    }
    // A key kept in a file while the keyring was away moves into the keyring.
    let (key, origin) = match read_file(file)? {
        Some(key) => (key, Origin::MovedToKeyring),
        None => (generate()?, Origin::Generated),
    };
    match os_keyring::write(namespace, entry, &encode(&key)) {
        Ok(()) => {
            if matches!(origin, Origin::MovedToKeyring) {
                std::fs::remove_file(file).map_err(|error| file_error(file, error))?;
            }
            Ok((key, origin, home))
        }
        // The keyring answered a read but refuses to store (a locked collection): fall back.
        Err(KeyringUnavailable(problem)) => {
            if matches!(origin, Origin::Generated) {
                write_file(file, &key)?;
            }
            let home = SigningKeyHome::File {
                path: file.to_owned(),
                keyring_problem: problem,
            };
            Ok((key, origin, home))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_shows_the_fingerprint_and_never_the_key() -> Result<()> {
        let key = InstallationKey {
            key: generate()?,
            home: SigningKeyHome::Keyring {
                service: "test".into(),
                entry: "entry".into(),
            },
        };
        let shown = format!("{key:?}");
        assert!(!shown.contains(&hex::encode(key.key.as_bytes())));
        assert!(shown.contains(&key.fingerprint()));
        assert_eq!(key.fingerprint().len(), 64 + 15);
        Ok(())
    }

    #[test]
    fn a_key_round_trips_through_its_text_form() -> Result<()> {
        let key = generate()?;
        let back = decode(&encode(&key), "test")?;
        assert_eq!(key.as_bytes(), back.as_bytes());
        assert!(decode("not hex", "test").is_err());
        Ok(())
    }
}
