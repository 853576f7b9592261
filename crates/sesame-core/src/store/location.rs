//! Where a store is: an SQLite file or a PostgreSQL database, as `--db`, `--to` and
//! `SESAME_DB` name it.

use std::path::PathBuf;

use crate::error::Result;
use crate::store::pg::{self, PgLocation};

/// Where a store is: an SQLite file or a PostgreSQL database.
#[derive(Debug, Clone)]
pub enum StoreLocation {
    Sqlite(PathBuf),
    Postgres(Box<PgLocation>),
}

impl StoreLocation {
    /// Reads `--db`, `--to` or `SESAME_DB`: a `postgres://`/`postgresql://` URL or libpq's
    /// `key=value` form is a PostgreSQL database, anything else a file.
    pub fn parse(text: &str) -> Result<StoreLocation> {
        match pg::is_postgres(text) {
            true => {
                PgLocation::parse(text).map(|location| StoreLocation::Postgres(Box::new(location)))
            }
            false => Ok(StoreLocation::Sqlite(PathBuf::from(text.trim()))),
        }
    }

    /// The store named for people (a path, or `user@host:port/database`).
    pub fn shown(&self) -> String {
        match self {
            StoreLocation::Sqlite(path) => path.display().to_string(),
            StoreLocation::Postgres(location) => location.shown().to_owned(),
        }
    }
}
