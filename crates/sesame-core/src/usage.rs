//! How to use a key: ready-to-copy `curl` lines against the local verification service, the
//! same for every key, with the real secret only while the one-time dialog is open.

use crate::error::Lang;
use crate::secret::{ExposeSecret, SecretString, secret_from};
pub use crate::vocab::UsageStyle;

/// Where `sesamectl serve` listens unless told otherwise.
pub const SERVICE_ADDRESS_DEFAULT: &str = "127.0.0.1:8417";

/// The address of the local service's API documentation.
pub fn documentation_url() -> String {
    format!("http://{SERVICE_ADDRESS_DEFAULT}/docs")
}

/// What stands for the secret where it is not shown.
pub fn secret_placeholder(lang: Lang) -> String {
    crate::messages::word(lang, "usage-secret-placeholder")
}

/// Quotes a word for a POSIX shell: imported secrets may hold any visible character.
fn shell_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// The `curl` line for `style`, with `secret` as given (the real one or the placeholder).
pub fn curl_line(style: UsageStyle, identifier: &str, secret: &str) -> SecretString {
    let (path, option, credential) = match style {
        UsageStyle::Bearer => (
            "keys/verify",
            "-H",
            format!("Authorization: Bearer {identifier}.{secret}"),
        ),
        UsageStyle::ApiKey => (
            "keys/verify",
            "-H",
            format!("X-Api-Key: {identifier}.{secret}"),
        ),
        UsageStyle::Basic => ("keys/verify", "-u", format!("{identifier}:{secret}")),
        UsageStyle::Token => ("tokens", "-u", format!("{identifier}:{secret}")),
    };
    let line = format!(
        "curl -s -X POST http://{SERVICE_ADDRESS_DEFAULT}/v1/{path} {option} {}",
        shell_quote(&credential)
    );
    secret_from(line)
}

/// Every `curl` line for a key, with `secret` as given.
pub fn curl_lines(identifier: &str, secret: &str) -> Vec<(UsageStyle, SecretString)> {
    UsageStyle::ALL
        .iter()
        .copied()
        .map(|style| (style, curl_line(style, identifier, secret)))
        .collect()
}

/// Every `curl` line for a key whose secret is not shown.
pub fn curl_lines_with_placeholder(identifier: &str, lang: Lang) -> Vec<(UsageStyle, String)> {
    curl_lines(identifier, &secret_placeholder(lang))
        .into_iter()
        .map(|(style, line)| (style, line.expose_secret().to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_quote_what_the_shell_would_read() {
        let line = curl_line(UsageStyle::Basic, "paie_x", "it's-a-secret");
        assert_eq!(
            line.expose_secret(),
            r"curl -s -X POST http://127.0.0.1:8417/v1/keys/verify -u 'paie_x:it'\''s-a-secret'"
        );
        let shown = curl_lines_with_placeholder("paie_x", Lang::Fr);
        assert_eq!(shown.len(), 4);
        assert!(shown.iter().all(|(_, line)| line.contains("VOTRE_SECRET")));
        assert!(
            shown[0]
                .1
                .contains("Authorization: Bearer paie_x.VOTRE_SECRET")
        );
    }
}
