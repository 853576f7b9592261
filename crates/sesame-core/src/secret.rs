//! The type every secret and password lives in while in memory.
//!
//! [`secrecy::SecretString`] hides its content from `Debug`, is neither `Clone` nor `Serialize`,
//! zeroizes on drop, and is read only through the loudly named `expose_secret`.

pub use secrecy::{ExposeSecret, SecretString};

/// Wraps a freshly built string as a secret, taking ownership so no plain copy stays behind.
pub fn secret_from(value: String) -> SecretString {
    SecretString::from(value)
}

/// A secret on its way across an edge — JSON to the webview, a request body to the verification
/// service: serialised and deserialised as plain text (that is its purpose), but hidden from
/// `Debug` and wiped when dropped, like [`SecretString`].
#[derive(Default, Clone, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct EdgeSecret(String);

impl EdgeSecret {
    /// A copy of `secret` for the edge.
    pub fn reveal(secret: &SecretString) -> EdgeSecret {
        EdgeSecret(secret.expose_secret().to_owned())
    }

    /// The text, for the one place that must read it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for EdgeSecret {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("EdgeSecret([REDACTED])")
    }
}

impl Drop for EdgeSecret {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_value() {
        let secret = secret_from("ses_tres-secret-valeur".to_owned());
        let shown = format!("{secret:?} {:?}", Some(&secret));
        assert!(!shown.contains("tres-secret"), "Debug leaked the secret");
        assert!(shown.contains("REDACTED"));
    }

    #[test]
    fn an_edge_secret_crosses_as_text_but_never_shows_in_debug() -> Result<(), serde_json::Error> {
        let secret = EdgeSecret::reveal(&secret_from("ses_tres-secret-valeur".to_owned()));
        assert_eq!(
            serde_json::to_string(&secret)?,
            "\"ses_tres-secret-valeur\""
        );
        assert!(!format!("{secret:?} {:?}", Some(&secret)).contains("tres-secret"));
        let back: EdgeSecret = serde_json::from_str("\"ses_autre\"")?;
        assert_eq!(back.expose(), "ses_autre");
        Ok(())
    }
}
