//! The PostgreSQL engine's store, for a firm that outgrows one desktop: where it is (a
//! `postgres://` or `postgresql://` URL, or libpq's `key=value` form), connecting (the password
//! from `PGPASSWORD` or a `.pgpass` file, never from the location itself, which may sit in a
//! process's arguments), recognising a Sésame database, and its forward-only migrations
//! (`pg_migrations/`, the same tables and rules as the SQLite store's). A database that holds
//! another program's tables, or a Sésame store made by a newer version, is refused untouched.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use std::sync::Arc;

use postgres::{Client, Config, NoTls};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use crate::error::{Error, Result};

/// The migrations, in order; `sesame_store.version` is how many have been applied. They are
/// only ever appended to.
pub const MIGRATIONS: &[&str] = &[
    include_str!("pg_migrations/0001_initial.sql"),
    include_str!("pg_migrations/0002_companies.sql"),
    include_str!("pg_migrations/0003_max_lifetime.sql"),
    include_str!("pg_migrations/0004_tags_contact.sql"),
    include_str!("pg_migrations/0005_seal_triggers.sql"),
    include_str!("pg_migrations/0006_announce_changes.sql"),
    include_str!("pg_migrations/0007_signing_keys.sql"),
    include_str!("pg_migrations/0008_key_counts.sql"),
    include_str!("pg_migrations/0009_prove_before_write.sql"),
    include_str!("pg_migrations/0010_company_seals.sql"),
    include_str!("pg_migrations/0011_bound_seals.sql"),
    include_str!("pg_migrations/0012_previous_generation.sql"),
    include_str!("pg_migrations/0013_unaccented_search.sql"),
];

/// How long a writer waits for another before the store is « busy », on both engines.
pub const BUSY_TIMEOUT_SECONDS: u64 = 5;

/// The schema version this build writes on PostgreSQL.
pub fn latest_version() -> i32 {
    i32::try_from(MIGRATIONS.len()).unwrap_or(i32::MAX)
}

/// Serialises migrations between processes that open the same database at once.
const MIGRATION_LOCK: i64 = 0x5353_4D45;

/// Whether a store location names a PostgreSQL database rather than an SQLite file.
pub fn is_postgres(location: &str) -> bool {
    let location = location.trim();
    location.starts_with("postgres://")
        || location.starts_with("postgresql://")
        || location.split_whitespace().any(|pair| {
            ["host=", "dbname=", "user=", "port="]
                .iter()
                .any(|k| pair.starts_with(k))
        })
}

/// A PostgreSQL store's place, checked: its connection settings, and how to name it to people
/// (user, hosts, port, database — never a password).
#[derive(Clone)]
pub struct PgLocation {
    config: Config,
    tls: Tls,
    shown: String,
}

/// How the connection to the database is protected, as libpq's `sslmode` says: `disable`;
/// `prefer` (the default) and `require` encrypt without checking who answers; `verify-ca`
/// checks the server's certificate against the authority in `sslrootcert`, `verify-full` also
/// that it names the host.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Tls {
    Disable,
    Prefer,
    Require,
    VerifyCa(PathBuf),
    VerifyFull(PathBuf),
}

impl std::fmt::Debug for PgLocation {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_tuple("PgLocation")
            .field(&self.shown)
            .finish()
    }
}

impl PgLocation {
    /// Reads a location. One that carries a password is refused: the password comes from
    /// `PGPASSWORD` or `.pgpass`, so it never shows in a process list or a log.
    pub fn parse(location: &str) -> Result<PgLocation> {
        let (rest, sslmode, root) = take_tls_options(location.trim());
        let mut config = Config::from_str(&rest)
            .map_err(|error| Error::DatabaseLocationInvalid(error.to_string()))?;
        let root = || -> Result<PathBuf> {
            root.clone()
                .map(PathBuf::from)
                .or_else(|| dirs::home_dir().map(|home| home.join(".postgresql/root.crt")))
                .filter(|file| file.exists())
                .ok_or_else(|| {
                    Error::DatabaseLocationInvalid(
                        "sslmode=verify-ca and verify-full need sslrootcert, the authority's \
                         certificate file"
                            .into(),
                    )
                })
        };
        let tls = match sslmode.as_deref() {
            None | Some("prefer") => Tls::Prefer,
            Some("disable") => Tls::Disable,
            Some("allow" | "require") => Tls::Require,
            Some("verify-ca") => Tls::VerifyCa(root()?),
            Some("verify-full") => Tls::VerifyFull(root()?),
            Some(other) => {
                return Err(Error::DatabaseLocationInvalid(format!(
                    "unknown sslmode « {other} »"
                )));
            }
        };
        config.ssl_mode(match tls {
            Tls::Disable => postgres::config::SslMode::Disable,
            Tls::Prefer => postgres::config::SslMode::Prefer,
            _ => postgres::config::SslMode::Require,
        });
        if config.get_password().is_some() {
            return Err(Error::DatabasePasswordInLocation);
        }
        let shown = describe(&config);
        if let Some(password) = password_for(&config) {
            config.password(password);
        }
        config.application_name("sesame");
        Ok(PgLocation { config, tls, shown })
    }

    /// `user@host:port/database`, for messages.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The same place, another database on it (tests make throw-away databases).
    pub fn with_database(&self, name: &str) -> PgLocation {
        let mut config = self.config.clone();
        config.dbname(name);
        PgLocation {
            shown: describe(&config),
            config,
            tls: self.tls.clone(),
        }
    }

    /// A connection, or a clear message naming the store (never its password).
    pub fn connect(&self) -> Result<Client> {
        // As with libpq, a Unix socket needs no TLS (and takes none): it never leaves the
        // machine.
        let local = self
            .config
            .get_hosts()
            .iter()
            .all(|host| matches!(host, postgres::config::Host::Unix(_)));
        let connected = match (&self.tls, local) {
            (_, true) => {
                let mut config = self.config.clone();
                config.ssl_mode(postgres::config::SslMode::Disable);
                config.connect(NoTls)
            }
            (Tls::Disable, false) => self.config.connect(NoTls),
            (tls, false) => self.config.connect(connector(tls)?),
        };
        connected.map_err(|error| self.unavailable(&error))
    }

    pub(crate) fn unavailable(&self, error: &postgres::Error) -> Error {
        Error::DatabaseUnavailable {
            store: self.shown.clone(),
            why: plain(error),
        }
    }
}

/// Takes `sslmode` and `sslrootcert` out of a location (URL query or `key=value` pairs): the
/// client library knows neither `verify-ca` nor `verify-full`, which are checked here.
fn take_tls_options(location: &str) -> (String, Option<String>, Option<String>) {
    let (mut mode, mut root) = (None, None);
    let mut keep = |pair: &str| match pair.split_once('=') {
        Some(("sslmode", value)) => {
            mode = Some(value.to_owned());
            false
        }
        Some(("sslrootcert", value)) => {
            root = Some(value.to_owned());
            false
        }
        _ => true,
    };
    let rest = if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        match location.split_once('?') {
            Some((base, query)) => {
                let kept: Vec<&str> = query.split('&').filter(|pair| keep(pair)).collect();
                match kept.is_empty() {
                    true => base.to_owned(),
                    false => format!("{base}?{}", kept.join("&")),
                }
            }
            None => location.to_owned(),
        }
    } else {
        location
            .split_whitespace()
            .filter(|pair| keep(pair))
            .collect::<Vec<_>>()
            .join(" ")
    };
    (rest, mode, root)
}

/// The TLS connector for a mode that encrypts.
fn connector(tls: &Tls) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|error| Error::DatabaseLocationInvalid(error.to_string()))?;
    let config = match tls {
        Tls::VerifyFull(root) => builder
            .with_root_certificates(roots(root)?)
            .with_no_client_auth(),
        Tls::VerifyCa(root) => {
            let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
                Arc::new(roots(root)?),
                Arc::clone(&provider),
            )
            .build()
            .map_err(|error| Error::DatabaseLocationInvalid(error.to_string()))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(AnyName(verifier)))
                .with_no_client_auth()
        }
        Tls::Disable | Tls::Prefer | Tls::Require => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unchecked(provider)))
            .with_no_client_auth(),
    };
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// The certificate authorities in a PEM file.
fn roots(file: &Path) -> Result<rustls::RootCertStore> {
    let unusable = |why: String| {
        Error::DatabaseLocationInvalid(format!("sslrootcert {}: {why}", file.display()))
    };
    let mut store = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_file_iter(file).map_err(|e| unusable(e.to_string()))? {
        let certificate = certificate.map_err(|e| unusable(e.to_string()))?;
        store
            .add(certificate)
            .map_err(|e| unusable(e.to_string()))?;
    }
    if store.is_empty() {
        return Err(unusable("no certificate".into()));
    }
    Ok(store)
}

/// `verify-ca`: the chain must lead to the authority; the name it carries is not checked.
#[derive(Debug)]
struct AnyName(Arc<rustls::client::WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForName))
            | Err(rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
                ..
            })) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0
            .verify_tls12_signature(message, certificate, signature)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0
            .verify_tls13_signature(message, certificate, signature)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require`, as libpq does: encrypted, but whoever answers is not checked (the
/// handshake's signatures still are).
#[derive(Debug)]
struct Unchecked(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        certificate: &CertificateDer<'_>,
        signature: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            certificate,
            signature,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

/// What people see of a configuration.
fn describe(config: &Config) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|host| match host {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let user = config.get_user().unwrap_or("");
    let database = config.get_dbname().unwrap_or(user);
    format!("{user}@{}:{port}/{database}", hosts.join(","))
}

/// A database error in words, without the SQL statement.
pub(crate) fn plain(error: &postgres::Error) -> String {
    match error.as_db_error() {
        Some(db) => db.message().to_owned(),
        None => error.to_string(),
    }
}

/// The password for a configuration that has none: `PGPASSWORD`, else the first matching line
/// of `PGPASSFILE` or `~/.pgpass` (libpq's rules: `host:port:database:user:password`, `*` for
/// any, `\:` and `\\` escaped; the file must not be readable by others).
fn password_for(config: &Config) -> Option<String> {
    if let Some(password) = std::env::var_os("PGPASSWORD").filter(|p| !p.is_empty()) {
        return password.into_string().ok();
    }
    let file = std::env::var_os("PGPASSFILE")
        .map(PathBuf::from)
        .or_else(|| dirs::home_dir().map(|home| home.join(".pgpass")))?;
    let text = read_private(&file)?;
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(name)) => name.clone(),
        Some(postgres::config::Host::Unix(_)) | None => "localhost".to_owned(),
    };
    let port = config
        .get_ports()
        .first()
        .copied()
        .unwrap_or(5432)
        .to_string();
    let user = config.get_user().unwrap_or("").to_owned();
    let database = config
        .get_dbname()
        .map_or_else(|| user.clone(), str::to_owned);
    pgpass_lookup(&text, &[&host, &port, &database, &user])
}

/// A `.pgpass` file's text, if it is a regular file only its owner can read (libpq ignores
/// one that others can read, and so do we).
fn read_private(file: &Path) -> Option<String> {
    use std::os::unix::fs::PermissionsExt;
    let metadata = std::fs::metadata(file).ok()?;
    if !metadata.is_file() || metadata.permissions().mode() & 0o077 != 0 {
        return None;
    }
    std::fs::read_to_string(file).ok()
}

/// The password of the first line of a `.pgpass` text that matches `wanted` (host, port,
/// database, user).
pub(crate) fn pgpass_lookup(text: &str, wanted: &[&str; 4]) -> Option<String> {
    text.lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .filter_map(|line| {
            let fields = split_pgpass(line);
            (fields.len() == 5).then_some(fields)
        })
        .find(|fields| {
            fields[..4]
                .iter()
                .zip(wanted)
                .all(|(field, wanted)| field == "*" || field == wanted)
        })
        .map(|fields| fields[4].clone())
}

fn split_pgpass(line: &str) -> Vec<String> {
    let mut fields = vec![String::new()];
    let mut characters = line.chars();
    while let Some(character) = characters.next() {
        match character {
            '\\' => {
                if let (Some(next), Some(field)) = (characters.next(), fields.last_mut()) {
                    field.push(next);
                }
            }
            ':' if fields.len() < 5 => fields.push(String::new()),
            other => {
                if let Some(field) = fields.last_mut() {
                    field.push(other);
                }
            }
        }
    }
    fields
}

/// Connects and brings the schema to the latest version; says whether anything was applied.
/// A database with other tables and no Sésame marker, or a store from a newer version, is
/// refused and left as it was.
pub fn open(location: &PgLocation) -> Result<(Client, bool)> {
    let mut client = location.connect()?;
    let migrated = migrate(&mut client, location)?;
    // A writer waits for another as long as on SQLite, then the store is « busy ».
    client
        .batch_execute(&format!("SET lock_timeout = '{}s'", BUSY_TIMEOUT_SECONDS))
        .map_err(|error| location.unavailable(&error))?;
    Ok((client, migrated))
}

fn migrate(client: &mut Client, location: &PgLocation) -> Result<bool> {
    let failed = |error: postgres::Error| location.unavailable(&error);
    let mut transaction = client.transaction().map_err(failed)?;
    transaction
        .execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(failed)?;
    let marked: bool = transaction
        .query_one("SELECT to_regclass('sesame_store') IS NOT NULL", &[])
        .map_err(failed)?
        .get(0);
    let found: i32 = if marked {
        transaction
            .query_one("SELECT version FROM sesame_store", &[])
            .map_err(failed)?
            .get(0)
    } else {
        let other_tables: bool = transaction
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_tables
                 WHERE schemaname = current_schema())",
                &[],
            )
            .map_err(failed)?
            .get(0);
        if other_tables {
            return Err(Error::StoreNotSesame(location.shown().to_owned()));
        }
        transaction
            .batch_execute(
                "CREATE TABLE sesame_store (
                     application TEXT NOT NULL CHECK (application = 'sesame'),
                     version     INTEGER NOT NULL
                 );
                 INSERT INTO sesame_store (application, version) VALUES ('sesame', 0);",
            )
            .map_err(failed)?;
        0
    };
    if found > latest_version() {
        return Err(Error::StoreTooNew {
            found: i64::from(found),
            supported: i64::from(latest_version()),
        });
    }
    if found == latest_version() {
        return Ok(false);
    }
    for migration in MIGRATIONS.iter().skip(usize::try_from(found).unwrap_or(0)) {
        transaction.batch_execute(migration).map_err(failed)?;
    }
    transaction
        .execute("UPDATE sesame_store SET version = $1", &[&latest_version()])
        .map_err(failed)?;
    transaction.commit().map_err(failed)?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_told_apart_and_named_without_password() -> Result<()> {
        assert!(is_postgres("postgres://sesame@db.cabinet.local/sesame"));
        assert!(is_postgres(
            "host=/tmp/pg port=5433 user=sesame dbname=sesame"
        ));
        assert!(!is_postgres("/home/camille/sesame.db"));
        assert!(!is_postgres("sesame.db"));
        let location = PgLocation::parse("postgresql://camille@db.cabinet.local:5433/sesame")?;
        assert_eq!(location.shown(), "camille@db.cabinet.local:5433/sesame");
        let refused = PgLocation::parse("postgresql://camille:hunter2@db/sesame");
        assert_eq!(
            refused.err().map(|e| e.code()),
            Some("database_password_in_location")
        );
        Ok(())
    }

    #[test]
    fn pgpass_lines_match_as_libpq_reads_them() {
        let file = "# the firm's servers\n\
                    db.cabinet.local:5432:sesame:camille:premier\n\
                    *:*:*:lecteur:a\\:b\\\\c\n\
                    *:*:*:*:joker\n";
        let wanted =
            |host, port, database, user| pgpass_lookup(file, &[host, port, database, user]);
        assert_eq!(
            wanted("db.cabinet.local", "5432", "sesame", "camille").as_deref(),
            Some("premier")
        );
        assert_eq!(
            wanted("db.cabinet.local", "5433", "sesame", "camille").as_deref(),
            Some("joker")
        );
        assert_eq!(
            wanted("autre", "5432", "x", "lecteur").as_deref(),
            Some("a:b\\c")
        );
    }
}
