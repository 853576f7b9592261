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
    /// On a run with every store on PostgreSQL (`SESAME_TEST_STORE=postgres`), the test's
    /// database on the cluster (its location, and the cluster's to drop it).
    pub database: Option<(String, String, String)>,
}

/// Whether this run puts every test's store on PostgreSQL.
pub fn on_postgres() -> bool {
    std::env::var("SESAME_TEST_STORE").is_ok_and(|engine| engine == "postgres")
}

impl Drop for Store {
    fn drop(&mut self) {
        if let Some((cluster, name, _)) = &self.database
            && let Ok(mut admin) = postgres::Client::connect(cluster, postgres::NoTls)
        {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
        }
    }
}

impl Store {
    /// A new store with an administrator, the service « Paie » and the company « Dupont SARL ».
    pub fn new() -> Store {
        Store::made(on_postgres())
    }

    /// A store in an SQLite file whatever the run, for what only an SQLite file has (its
    /// backup and restore, a killed writer's journal, a file that is not a store).
    pub fn on_sqlite() -> Store {
        Store::made(false)
    }

    /// A store on the test cluster whatever the run, for what only PostgreSQL does (several
    /// verifiers on one store); `None` without a cluster (outside `scripts/test`).
    pub fn on_postgres_cluster() -> Option<Store> {
        std::env::var("SESAME_TEST_PG")
            .is_ok()
            .then(|| Store::made(true))
    }

    /// A store on a cluster of the test's own (one it stops and starts).
    pub fn on_cluster(cluster: &Cluster) -> Store {
        Store::made_on(Some(cluster.location.clone()))
    }

    fn made(postgres: bool) -> Store {
        Store::made_on(postgres.then(|| std::env::var("SESAME_TEST_PG").expect("SESAME_TEST_PG")))
    }

    fn made_on(cluster: Option<String>) -> Store {
        let database = cluster.map(|cluster| {
            let name = format!("sesame_cli_{}", uuid_like());
            postgres::Client::connect(&cluster, postgres::NoTls)
                .expect("cluster")
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .expect("database");
            let location = format!("{cluster} dbname={name}");
            (cluster, name, location)
        });
        let store = Store {
            folder: tempfile::tempdir().expect("folder"),
            database,
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

    /// What `SESAME_DB` names: the file, or the PostgreSQL database.
    pub fn location(&self) -> PathBuf {
        match &self.database {
            Some((_, _, location)) => PathBuf::from(location),
            None => self.path(),
        }
    }

    pub fn command(&self) -> Command {
        let mut command = command_for(&self.path());
        command.env("SESAME_DB", self.location());
        command
    }

    /// SQL run on the store by another program (plain SQLite on the file, or a plain PostgreSQL
    /// session): no Sésame triggers, no state key.
    pub fn outside(&self, sql: &str) {
        match &self.database {
            Some((_, _, location)) => postgres::Client::connect(location, postgres::NoTls)
                .expect("connect")
                .batch_execute(sql)
                .expect("edit outside"),
            None => rusqlite::Connection::open(self.path())
                .expect("open")
                .execute_batch(sql)
                .expect("edit outside"),
        }
    }

    /// Rows read outside Sésame, on either engine, every column as text.
    pub fn rows(&self, sql: &str) -> Vec<Vec<String>> {
        match &self.database {
            Some((_, _, location)) => postgres::Client::connect(location, postgres::NoTls)
                .expect("connect")
                .query(sql, &[])
                .expect("query")
                .iter()
                .map(|row| {
                    (0..row.len())
                        .map(|index| row.get::<_, String>(index))
                        .collect()
                })
                .collect(),
            None => {
                let connection = rusqlite::Connection::open(self.path()).expect("open");
                let mut statement = connection.prepare(sql).expect("query");
                let width = statement.column_count();
                statement
                    .query_map([], |row| {
                        (0..width)
                            .map(|index| row.get::<_, String>(index))
                            .collect::<Result<Vec<_>, _>>()
                    })
                    .expect("query")
                    .collect::<Result<_, _>>()
                    .expect("rows")
            }
        }
    }

    /// `sh -c script` on this store (see [`shell_for`]).
    pub fn shell(&self, script: &str) -> Command {
        let mut shell = shell_for(&self.path(), script);
        shell.env("SESAME_DB", self.location());
        shell
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

/// A name no other test's database has.
fn uuid_like() -> String {
    use rand::RngCore;
    let mut bytes = [0_u8; 8];
    rand::rng().fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
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

/// A PostgreSQL cluster of one test's own, started by `scripts/pg` (a temporary folder, a socket
/// there, TLS on a free loopback port), that the test may stop and start again; removed on drop.
pub struct Cluster {
    /// Its folder (`SESAME_TEST_PG_DIR`).
    pub dir: String,
    /// How to reach it (`SESAME_TEST_PG`).
    pub location: String,
}

fn pg_script(body: &str) -> Output {
    let script = format!(
        "source '{}/../../scripts/pg'; {body}",
        env!("CARGO_MANIFEST_DIR")
    );
    Command::new("bash")
        .args(["-c", &script])
        .output()
        .expect("bash")
}

impl Cluster {
    /// A new cluster; `None` where PostgreSQL is not there to test with (no `SESAME_TEST_PG`).
    pub fn start() -> Option<Cluster> {
        std::env::var("SESAME_TEST_PG").ok()?;
        Some(Cluster::started_by(
            "start_private_cluster; printf '%s\\n%s\\n' \"$SESAME_TEST_PG_DIR\" \"$SESAME_TEST_PG\"",
        ))
    }

    /// A hot standby of this cluster (`pg_basebackup -R`, streaming), started.
    pub fn standby(&self) -> Cluster {
        Cluster::started_by(&format!(
            "start_standby '{}'; printf '%s\\n%s\\n' \"$SESAME_TEST_PG_STANDBY_DIR\" \"$SESAME_TEST_PG_STANDBY\"",
            self.dir
        ))
    }

    /// The cluster a `scripts/pg` command started, from the folder and the location it printed
    /// (one a line).
    fn started_by(command: &str) -> Cluster {
        let output = pg_script(command);
        assert!(output.status.success(), "{}", said(&output));
        let printed = String::from_utf8_lossy(&output.stdout).into_owned();
        let mut lines = printed.lines();
        Cluster {
            dir: lines.next().expect("folder").to_owned(),
            location: lines.next().expect("location").to_owned(),
        }
    }

    /// Stops the server (fast: connections are cut, as when a database server goes down).
    pub fn stop(&self) {
        let output = pg_script(&format!(
            "as_cluster_owner \"$(pg_bin)/pg_ctl\" -D '{}/data' -m fast -w stop",
            self.dir
        ));
        assert!(output.status.success(), "{}", said(&output));
    }

    /// Starts the server again.
    pub fn restart(&self) {
        let output = pg_script(&format!(
            "as_cluster_owner \"$(pg_bin)/pg_ctl\" -D '{dir}/data' -w -l '{dir}/log' start",
            dir = self.dir
        ));
        assert!(output.status.success(), "{}", said(&output));
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = pg_script(&format!(
            "SESAME_TEST_PG_DIR='{}' stop_private_cluster",
            self.dir
        ));
    }
}

/// What Debian's own Python (`/usr/bin/python3`, with the Debian packages `needs` names) prints
/// for `script` run with `args`; fails the test with its error output when it fails.
pub fn debian_python(script: &str, args: &[&std::ffi::OsStr], needs: &str) -> String {
    let output = Command::new("/usr/bin/python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|error| panic!("/usr/bin/python3 with {needs}: {error}"));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}
