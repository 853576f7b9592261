//! The command line's errors: the core's, plus what only a command line can get wrong.

use sesame_core::Lang;
use sesame_core::messages::{self, Arg};

/// Worded from the catalogue (`cli-error-<code>`), like the core's errors.
#[derive(Debug)]
pub enum CliError {
    Core(sesame_core::Error),
    MissingOperator,
    PasswordUnavailable(String),
    Stdin(String),
    FileExists(std::path::PathBuf),
    File(std::path::PathBuf, String),
    Serve(String),
    /// A PostgreSQL store given to a command that runs only on an SQLite store for now.
    PostgresNotYet,
    /// `--yes` without the preview's code.
    Unconfirmed {
        code: String,
    },
    /// `--confirm` names another preview than the change would make now.
    PreviewChanged {
        seen: String,
        now: String,
    },
    /// A bulk change that names no key and no criterion (`--all` takes every key).
    NoSelection,
}

impl From<sesame_core::Error> for CliError {
    fn from(error: sesame_core::Error) -> CliError {
        CliError::Core(error)
    }
}

impl std::fmt::Display for CliError {
    /// The English message, for logs.
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for CliError {}

pub type Result<T> = std::result::Result<T, CliError>;

impl CliError {
    pub fn code(&self) -> &'static str {
        match self {
            CliError::Core(error) => error.code(),
            CliError::MissingOperator => "missing_operator",
            CliError::PasswordUnavailable(_) => "password_unavailable",
            CliError::Stdin(_) => "stdin",
            CliError::FileExists(_) => "file_exists",
            CliError::File(..) => "file",
            CliError::Serve(_) => "serve",
            CliError::PostgresNotYet => "postgres_not_yet",
            CliError::Unconfirmed { .. } => "unconfirmed",
            CliError::PreviewChanged { .. } => "preview_changed",
            CliError::NoSelection => "no_selection",
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        let text = |value: &str| Arg::Text(value.to_owned());
        let args = match self {
            CliError::Core(error) => return error.message(lang),
            CliError::MissingOperator | CliError::PostgresNotYet | CliError::NoSelection => {
                vec![]
            }
            CliError::Unconfirmed { code } => vec![("code", text(code))],
            CliError::PreviewChanged { seen, now } => {
                vec![("seen", text(seen)), ("now", text(now))]
            }
            CliError::PasswordUnavailable(why) | CliError::Stdin(why) | CliError::Serve(why) => {
                vec![("why", text(why))]
            }
            CliError::FileExists(path) => vec![("path", text(&path.display().to_string()))],
            CliError::File(path, why) => {
                vec![
                    ("path", text(&path.display().to_string())),
                    ("why", text(why)),
                ]
            }
        };
        messages::text(lang, &format!("cli-error-{}", self.code()), &args)
    }
}
