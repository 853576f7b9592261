//! The command line's errors: the core's, plus what only a command line can get wrong.

use sesame_core::Lang;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Core(#[from] sesame_core::Error),
    #[error("Name the operator with SESAME_USER.")]
    MissingOperator,
    #[error("A password is needed: set SESAME_PASSWORD or run from a terminal ({0}).")]
    PasswordUnavailable(String),
    #[error("Cannot read the key from standard input: {0}")]
    Stdin(String),
    #[error("The file « {} » already exists; choose another name or add --overwrite.", .0.display())]
    FileExists(std::path::PathBuf),
    #[error("The file « {} » cannot be used: {}", .0.display(), .1)]
    File(std::path::PathBuf, String),
    #[error("The verification service cannot run: {0}")]
    Serve(String),
}

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
        }
    }

    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (CliError::Core(error), _) => error.message(lang),
            (_, Lang::En) => self.to_string(),
            (CliError::MissingOperator, Lang::Fr) => {
                "Indiquez l'opérateur avec la variable SESAME_USER.".into()
            }
            (CliError::PasswordUnavailable(why), Lang::Fr) => format!(
                "Un mot de passe est nécessaire : définissez SESAME_PASSWORD ou lancez la \
                 commande depuis un terminal ({why})."
            ),
            (CliError::Stdin(why), Lang::Fr) => {
                format!("Impossible de lire la clé sur l'entrée standard : {why}")
            }
            (CliError::FileExists(path), Lang::Fr) => format!(
                "Le fichier « {} » existe déjà ; choisissez un autre nom ou ajoutez --overwrite.",
                path.display()
            ),
            (CliError::Serve(why), Lang::Fr) => {
                format!("Le service de vérification ne peut pas démarrer : {why}")
            }
            (CliError::File(path, why), Lang::Fr) => {
                format!("Le fichier « {} » est inutilisable : {why}", path.display())
            }
        }
    }
}
