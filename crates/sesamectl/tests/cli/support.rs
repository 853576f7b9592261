//! Running the real `sesamectl` binary against a temporary store.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;
use tempfile::TempDir;

pub const BINARY: &str = env!("CARGO_BIN_EXE_sesamectl");
pub const USER: &str = "admin";
pub const PASSWORD: &str = "un mot de passe solide";

pub struct Store {
    pub folder: TempDir,
}

impl Store {
    /// A new store with an administrator, the service « Paie » and the company « Dupont SARL ».
    pub fn new() -> Store {
        let store = Store {
            folder: tempfile::tempdir().expect("folder"),
        };
        store.ok(&["init", "--admin", USER]);
        store.ok(&[
            "service",
            "add",
            "Paie",
            "--prefix",
            "paie",
            "--category",
            "Services en ligne",
            "--permission",
            "factures:lecture",
            "--permission",
            "salaires:ecriture",
        ]);
        store.ok(&["company", "add", "Dupont SARL"]);
        store
    }

    pub fn path(&self) -> PathBuf {
        self.folder.path().join("sesame.db")
    }

    pub fn command(&self) -> Command {
        command_for(&self.path())
    }

    pub fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().expect("run sesamectl")
    }

    /// Runs a command that must succeed, and returns its JSON.
    pub fn ok(&self, args: &[&str]) -> Value {
        let output = self
            .command()
            .arg("--json")
            .args(args)
            .output()
            .expect("run sesamectl");
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{args:?} failed: {stdout} {}",
            String::from_utf8_lossy(&output.stderr)
        );
        serde_json::from_str(stdout.trim()).expect("JSON output")
    }

    /// Creates a key and returns its bearer token.
    pub fn create_key(&self, name: &str) -> String {
        let created = self.ok(&[
            "key",
            "create",
            "Paie",
            name,
            "--permission",
            "factures:lecture",
        ]);
        created["token"].as_str().expect("token").to_owned()
    }
}

/// A `sesamectl` command on `store`, signed in as the administrator, in French.
pub fn command_for(store: &Path) -> Command {
    with_environment(Command::new(BINARY), store)
}

/// `sh -c script` with the binary as `$0` and the same environment, for loops of commands.
pub fn shell_for(store: &Path, script: &str) -> Command {
    let mut shell = Command::new("sh");
    shell.arg("-c").arg(script).arg(BINARY);
    with_environment(shell, store)
}

pub fn with_environment(mut command: Command, store: &Path) -> Command {
    command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", store.parent().unwrap_or(store))
        .env("SESAME_DB", store)
        .env("SESAME_USER", USER)
        .env("SESAME_PASSWORD", PASSWORD)
        .env("SESAME_LANG", "fr");
    command
}

/// What a command printed, on standard output and error together, for messages checked
/// wherever they land.
pub fn said(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}
