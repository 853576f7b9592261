//! The type every secret and password lives in while in memory.
//!
//! [`secrecy::SecretString`] hides its content from `Debug`, is neither `Clone` nor `Serialize`,
//! zeroizes on drop, and is read only through the loudly named `expose_secret`.

pub use secrecy::{ExposeSecret, SecretString};

/// Wraps a freshly built string as a secret, taking ownership so no plain copy stays behind.
pub fn secret_from(value: String) -> SecretString {
    SecretString::from(value)
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
}
