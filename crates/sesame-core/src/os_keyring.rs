//! Every access to the operating system's keyring (Secret Service on Linux, through the `keyring`
//! crate) sits here: a missing entry is `Ok(None)`, deletion is idempotent, development and
//! release builds use separate namespaces, and platform failures become one plain reason.

use zeroize::Zeroizing;

/// The keyring "service" entries are filed under. Release and development builds never share
/// entries, and tests use a namespace of their own so they never touch the user's real keyring.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyringNamespace {
    service: String,
}

impl KeyringNamespace {
    /// `fr.sesame.admin` for release builds, `fr.sesame.admin.dev` for development builds.
    pub fn for_this_build() -> KeyringNamespace {
        let service = match cfg!(debug_assertions) {
            true => "fr.sesame.admin.dev",
            false => "fr.sesame.admin",
        };
        KeyringNamespace {
            service: service.to_owned(),
        }
    }

    /// A namespace of one's own, such as `fr.sesame.admin.test`.
    pub fn named(service: &str) -> KeyringNamespace {
        KeyringNamespace {
            service: service.to_owned(),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }
}

/// Why the keyring could not be used: no D-Bus session, no Secret Service, a locked collection.
/// The text is the platform's own, for the settings screen and `sesamectl`'s warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyringUnavailable(pub String);

fn entry(namespace: &KeyringNamespace, name: &str) -> Result<keyring::Entry, KeyringUnavailable> {
    keyring::Entry::new(namespace.service(), name).map_err(unavailable)
}

fn unavailable(error: keyring::Error) -> KeyringUnavailable {
    KeyringUnavailable(match error {
        keyring::Error::PlatformFailure(inner) | keyring::Error::NoStorageAccess(inner) => {
            inner.to_string()
        }
        other => other.to_string(),
    })
}

/// Reads an entry; `Ok(None)` when the keyring answers that there is none.
pub(crate) fn read(
    namespace: &KeyringNamespace,
    name: &str,
) -> Result<Option<Zeroizing<String>>, KeyringUnavailable> {
    match entry(namespace, name)?.get_password() {
        Ok(value) => Ok(Some(Zeroizing::new(value))),
        Err(keyring::Error::NoEntry) => Ok(None),
        Err(error) => Err(unavailable(error)),
    }
}

/// Creates or replaces an entry.
pub(crate) fn write(
    namespace: &KeyringNamespace,
    name: &str,
    value: &str,
) -> Result<(), KeyringUnavailable> {
    entry(namespace, name)?
        .set_password(value)
        .map_err(unavailable)
}

/// Removes an entry; removing one that is not there succeeds.
pub fn delete(namespace: &KeyringNamespace, name: &str) -> Result<(), KeyringUnavailable> {
    match entry(namespace, name)?.delete_credential() {
        Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
        Err(error) => Err(unavailable(error)),
    }
}
