//! The store's two engines behind one small interface: SQLite through `rusqlite` (the embedded
//! default) and PostgreSQL through the `postgres` client (a firm's shared store). Statements are
//! written once, in the SQL both engines accept, with `?` or `?N` placeholders; the PostgreSQL
//! side rewrites them to `$N` (and the few functions whose names differ) before preparing, and
//! keeps the prepared statements in a bounded cache, as `prepare_cached` does for SQLite.
//!
//! Values cross as [`Value`]s: a value is bound as the type the engine expects for that
//! parameter (an integer into a PostgreSQL `BOOLEAN` is a truth value, as SQLite stores it), and
//! [`Row::get`] reads a column into the Rust type asked for whatever integer width the engine
//! chose.
//!
//! Every write goes through [`Db::transaction`]: SQLite takes the write lock at once (`BEGIN
//! IMMEDIATE`); PostgreSQL takes one transaction-scoped advisory lock, so that writers queue
//! the same way and the audit trail stays one linear chain whatever the number of processes.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::error::Error as StdError;

use postgres::types::{FromSql, IsNull, ToSql, Type, to_sql_checked};

use crate::error::{Error, Result};

/// Which engine holds the store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

/// The advisory lock every PostgreSQL write transaction takes ("SSMW").
pub const WRITE_LOCK: i64 = 0x5353_4D57;

/// How long a writer waits for another before the store is « busy », on both engines.
pub use crate::store::pg::BUSY_TIMEOUT_SECONDS;

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
    Bool(bool),
    Blob(Vec<u8>),
}

impl Value {
    /// What kind of value it is, never what it holds (an error text may name the kind; a
    /// hash or a name must not reach it).
    fn kind(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Integer(_) => "an integer",
            Value::Real(_) => "a real",
            Value::Text(_) => "text",
            Value::Bool(_) => "a boolean",
            Value::Blob(_) => "bytes",
        }
    }
}

macro_rules! value_from {
    ($($kind:ty => $make:expr,)+) => {
        $(impl From<$kind> for Value {
            fn from(value: $kind) -> Value {
                #[allow(clippy::redundant_closure_call)]
                ($make)(value)
            }
        })+
    };
}

value_from! {
    i64 => Value::Integer,
    i32 => |v: i32| Value::Integer(i64::from(v)),
    u32 => |v: u32| Value::Integer(i64::from(v)),
    u64 => |v: u64| Value::Integer(i64::try_from(v).unwrap_or(i64::MAX)),
    usize => |v: usize| Value::Integer(i64::try_from(v).unwrap_or(i64::MAX)),
    bool => Value::Bool,
    f64 => Value::Real,
    String => Value::Text,
    &str => |v: &str| Value::Text(v.to_owned()),
    &String => |v: &String| Value::Text(v.clone()),
    Vec<u8> => Value::Blob,
    &[u8] => |v: &[u8]| Value::Blob(v.to_vec()),
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Value {
        value.map_or(Value::Null, Into::into)
    }
}

/// The values of a statement's placeholders, in order: `values![a, b, c]`.
#[macro_export]
macro_rules! values {
    ($($value:expr),* $(,)?) => {
        &[$($crate::store::db::Value::from($value)),*] as &[$crate::store::db::Value]
    };
}

/// `IN (?, ?, …)` with `count` placeholders.
pub(crate) fn placeholders(count: usize) -> String {
    let mut list = "?,".repeat(count);
    list.pop();
    list
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(ToSqlOutput::Borrowed(match self {
            Value::Null => ValueRef::Null,
            Value::Integer(v) => ValueRef::Integer(*v),
            Value::Real(v) => ValueRef::Real(*v),
            Value::Text(v) => ValueRef::Text(v.as_bytes()),
            Value::Bool(v) => ValueRef::Integer(i64::from(*v)),
            Value::Blob(v) => ValueRef::Blob(v),
        }))
    }
}

type BoxError = Box<dyn StdError + Sync + Send>;

impl ToSql for Value {
    /// Binds the value as the type PostgreSQL inferred for the parameter.
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> std::result::Result<IsNull, BoxError> {
        let wrong = || -> BoxError { format!("a {self:?} cannot be bound as {ty}").into() };
        match (self, ty) {
            (Value::Null, _) => Ok(IsNull::Yes),
            (Value::Integer(v), &Type::INT8) => v.to_sql(ty, out),
            (Value::Integer(v), &Type::INT4) => i32::try_from(*v)?.to_sql(ty, out),
            (Value::Integer(v), &Type::INT2) => i16::try_from(*v)?.to_sql(ty, out),
            (Value::Integer(v), &Type::BOOL) => (*v != 0).to_sql(ty, out),
            (Value::Integer(v), &Type::FLOAT8) => (*v as f64).to_sql(ty, out),
            (Value::Integer(v), &Type::TEXT | &Type::VARCHAR) => v.to_string().to_sql(ty, out),
            (Value::Bool(v), &Type::BOOL) => v.to_sql(ty, out),
            (Value::Bool(v), &Type::INT8) => i64::from(*v).to_sql(ty, out),
            (Value::Bool(v), &Type::INT4) => i32::from(*v).to_sql(ty, out),
            (Value::Real(v), &Type::FLOAT8) => v.to_sql(ty, out),
            (Value::Real(v), &Type::FLOAT4) => (*v as f32).to_sql(ty, out),
            (Value::Text(v), &Type::TEXT | &Type::VARCHAR | &Type::BPCHAR | &Type::NAME) => {
                v.as_str().to_sql(ty, out)
            }
            (Value::Text(v), &Type::UNKNOWN) => v.as_str().to_sql(&Type::TEXT, out),
            (Value::Blob(v), &Type::BYTEA) => v.as_slice().to_sql(ty, out),
            _ => Err(wrong()),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// Any column PostgreSQL sends, read as the [`Value`] it holds.
struct PgColumn(Value);

impl<'a> FromSql<'a> for PgColumn {
    fn from_sql(ty: &Type, raw: &'a [u8]) -> std::result::Result<PgColumn, BoxError> {
        Ok(PgColumn(match *ty {
            Type::INT8 => Value::Integer(i64::from_sql(ty, raw)?),
            Type::INT4 => Value::Integer(i64::from(i32::from_sql(ty, raw)?)),
            Type::INT2 => Value::Integer(i64::from(i16::from_sql(ty, raw)?)),
            Type::BOOL => Value::Bool(bool::from_sql(ty, raw)?),
            Type::FLOAT8 => Value::Real(f64::from_sql(ty, raw)?),
            Type::FLOAT4 => Value::Real(f64::from(f32::from_sql(ty, raw)?)),
            Type::BYTEA => Value::Blob(<Vec<u8>>::from_sql(ty, raw)?),
            _ => Value::Text(String::from_sql(ty, raw)?),
        }))
    }

    fn from_sql_null(_: &Type) -> std::result::Result<PgColumn, BoxError> {
        Ok(PgColumn(Value::Null))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// A Rust type a column can be read into, from either engine.
pub trait Column: Sized {
    fn from_value(value: Value) -> Option<Self>;
}

impl Column for Value {
    fn from_value(value: Value) -> Option<Value> {
        Some(value)
    }
}

impl Column for i64 {
    fn from_value(value: Value) -> Option<i64> {
        match value {
            Value::Integer(v) => Some(v),
            Value::Bool(v) => Some(i64::from(v)),
            _ => None,
        }
    }
}

impl Column for u64 {
    fn from_value(value: Value) -> Option<u64> {
        i64::from_value(value).and_then(|v| u64::try_from(v).ok())
    }
}

impl Column for u32 {
    fn from_value(value: Value) -> Option<u32> {
        i64::from_value(value).and_then(|v| u32::try_from(v).ok())
    }
}

impl Column for bool {
    fn from_value(value: Value) -> Option<bool> {
        match value {
            Value::Bool(v) => Some(v),
            Value::Integer(v) => Some(v != 0),
            _ => None,
        }
    }
}

impl Column for f64 {
    fn from_value(value: Value) -> Option<f64> {
        match value {
            Value::Real(v) => Some(v),
            Value::Integer(v) => Some(v as f64),
            _ => None,
        }
    }
}

impl Column for String {
    fn from_value(value: Value) -> Option<String> {
        match value {
            Value::Text(v) => Some(v),
            _ => None,
        }
    }
}

impl Column for Vec<u8> {
    fn from_value(value: Value) -> Option<Vec<u8>> {
        match value {
            Value::Blob(v) => Some(v),
            Value::Text(v) => Some(v.into_bytes()),
            _ => None,
        }
    }
}

impl<T: Column> Column for Option<T> {
    fn from_value(value: Value) -> Option<Option<T>> {
        match value {
            Value::Null => Some(None),
            other => T::from_value(other).map(Some),
        }
    }
}

/// One row of a result, from either engine.
#[derive(Debug)]
pub enum Row<'r> {
    Sqlite(&'r rusqlite::Row<'r>),
    Postgres(&'r postgres::Row),
}

impl Row<'_> {
    /// The column `index` (from 0) as `T`; a NULL read into anything but an `Option`, or a
    /// value of another kind, is an error naming the column.
    pub fn get<T: Column>(&self, index: usize) -> Result<T> {
        let value = match self {
            Row::Sqlite(row) => {
                use rusqlite::types::ValueRef;
                match row.get_ref(index)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(v) => Value::Integer(v),
                    ValueRef::Real(v) => Value::Real(v),
                    ValueRef::Text(v) => Value::Text(String::from_utf8_lossy(v).into_owned()),
                    ValueRef::Blob(v) => Value::Blob(v.to_vec()),
                }
            }
            Row::Postgres(row) => {
                row.try_get::<_, PgColumn>(index)
                    .map_err(|error| Error::Internal(format!("column {index}: {error}")))?
                    .0
            }
        };
        let kind = value.kind();
        T::from_value(value).ok_or_else(|| {
            Error::Internal(format!(
                "column {index} holds {kind}, not a {}",
                std::any::type_name::<T>()
            ))
        })
    }
}

/// How many prepared statements a PostgreSQL connection keeps.
const PREPARED_MAX: usize = 256;

/// An open PostgreSQL connection and the statements it has prepared.
pub struct PgConnection {
    client: RefCell<postgres::Client>,
    prepared: RefCell<HashMap<String, postgres::Statement>>,
    /// Whether a transaction of [`Db::transaction`] or [`Db::snapshot`] is open on it.
    in_transaction: Cell<bool>,
    /// Walks of [`Db::each`] open on it, one inside another's rows: each has a cursor of its own.
    walks: Cell<usize>,
}

impl std::fmt::Debug for PgConnection {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter.write_str("PgConnection(…)")
    }
}

impl PgConnection {
    pub fn new(client: postgres::Client) -> PgConnection {
        PgConnection {
            client: RefCell::new(client),
            prepared: RefCell::new(HashMap::new()),
            in_transaction: Cell::new(false),
            walks: Cell::new(0),
        }
    }

    /// The statement for `sql`, prepared once per connection. The cache is bounded, as
    /// rusqlite's is: lists of ids of every length make new texts, and a long-running service
    /// must not keep prepared statements on the server without end (a dropped statement is
    /// closed by the client).
    fn statement(&self, sql: &str) -> Result<postgres::Statement> {
        if let Some(statement) = self.prepared.borrow().get(sql) {
            return Ok(statement.clone());
        }
        let statement = self
            .client
            .borrow_mut()
            .prepare(&postgres_dialect(sql)?)
            .map_err(pg_error)?;
        let mut prepared = self.prepared.borrow_mut();
        if prepared.len() >= PREPARED_MAX {
            prepared.clear();
        }
        prepared.insert(sql.to_owned(), statement.clone());
        Ok(statement)
    }
}

/// A connection to either engine, owned.
#[derive(Debug)]
pub enum Connection {
    Sqlite(rusqlite::Connection),
    Postgres(Box<PgConnection>),
}

impl Connection {
    /// Whether a PostgreSQL connection was lost (an SQLite file never is).
    pub(crate) fn is_closed(&self) -> bool {
        match self {
            Connection::Sqlite(_) => false,
            Connection::Postgres(connection) => connection
                .client
                .try_borrow()
                .is_ok_and(|client| client.is_closed()),
        }
    }

    /// The SQLite connection, for what only SQLite does (its online backup).
    pub(crate) fn sqlite(&self) -> Option<&rusqlite::Connection> {
        match self {
            Connection::Sqlite(connection) => Some(connection),
            Connection::Postgres(_) => None,
        }
    }

    /// The handle statements run through.
    pub fn db(&self) -> Db<'_> {
        match self {
            Connection::Sqlite(connection) => Db::Sqlite(connection),
            Connection::Postgres(connection) => Db::Postgres(connection),
        }
    }
}

/// A borrowed handle on either engine: the one type every query of the core goes through.
#[derive(Debug, Clone, Copy)]
pub enum Db<'c> {
    Sqlite(&'c rusqlite::Connection),
    Postgres(&'c PgConnection),
}

/// A handle the store layer reads through: any connection, in a transaction or not.
#[derive(Debug, Clone, Copy)]
pub struct Read<'c>(Db<'c>);

/// A handle the store layer writes through: it exists only inside a write transaction
/// ([`Db::transaction`]), so no write can happen outside one.
#[derive(Debug, Clone, Copy)]
pub struct Write<'c>(Db<'c>);

impl<'c> Read<'c> {
    pub fn db(self) -> Db<'c> {
        self.0
    }
}

impl<'c> Write<'c> {
    pub fn db(self) -> Db<'c> {
        self.0
    }

    pub fn read(self) -> Read<'c> {
        Read(self.0)
    }
}

impl<'c> From<Db<'c>> for Read<'c> {
    fn from(db: Db<'c>) -> Read<'c> {
        Read(db)
    }
}

impl<'c> From<Write<'c>> for Read<'c> {
    fn from(write: Write<'c>) -> Read<'c> {
        Read(write.0)
    }
}

// An SQLite file handled as a file (a backup checked or restored before it becomes the store)
// is read, and written inside its own transaction, through the same store layer.
impl<'c> From<&'c rusqlite::Transaction<'_>> for Write<'c> {
    fn from(transaction: &'c rusqlite::Transaction<'_>) -> Write<'c> {
        Write(Db::Sqlite(transaction))
    }
}

impl<'c> From<&'c rusqlite::Connection> for Read<'c> {
    fn from(connection: &'c rusqlite::Connection) -> Read<'c> {
        Read(Db::Sqlite(connection))
    }
}

impl<'c> From<&'c Connection> for Read<'c> {
    fn from(connection: &'c Connection) -> Read<'c> {
        Read(connection.db())
    }
}

fn params(values: &[Value]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl<'c> Db<'c> {
    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Runs a statement that returns no row; answers how many rows it changed.
    pub fn execute(&self, sql: &str, values: &[Value]) -> Result<u64> {
        match self {
            Db::Sqlite(connection) => {
                let changed = connection
                    .prepare_cached(sql)?
                    .execute(rusqlite::params_from_iter(values))?;
                Ok(changed as u64)
            }
            Db::Postgres(connection) => {
                let statement = connection.statement(sql)?;
                connection
                    .client
                    .borrow_mut()
                    .execute(&statement, &params(values))
                    .map_err(pg_error)
            }
        }
    }

    /// Every row of a query, each read by `read`.
    pub fn query<T>(
        &self,
        sql: &str,
        values: &[Value],
        mut read: impl FnMut(&Row<'_>) -> Result<T>,
    ) -> Result<Vec<T>> {
        match self {
            Db::Sqlite(connection) => {
                let mut statement = connection.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(values))?;
                let mut read_rows = Vec::new();
                while let Some(row) = rows.next()? {
                    read_rows.push(read(&Row::Sqlite(row))?);
                }
                Ok(read_rows)
            }
            Db::Postgres(connection) => {
                let statement = connection.statement(sql)?;
                let rows = connection
                    .client
                    .borrow_mut()
                    .query(&statement, &params(values))
                    .map_err(pg_error)?;
                rows.iter().map(|row| read(&Row::Postgres(row))).collect()
            }
        }
    }

    /// Reads a query's rows one at a time, without holding them all, until `read` answers
    /// `false` (a walk along a million audit events, an export).
    pub fn each(
        &self,
        sql: &str,
        values: &[Value],
        mut read: impl FnMut(&Row<'_>) -> Result<bool>,
    ) -> Result<()> {
        match self {
            Db::Sqlite(connection) => {
                let mut statement = connection.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(values))?;
                while let Some(row) = rows.next()? {
                    if !read(&Row::Sqlite(row))? {
                        break;
                    }
                }
                Ok(())
            }
            // Outside a transaction, one of its own: every batch reads the same moment.
            Db::Postgres(connection) if !connection.in_transaction.get() => {
                self.snapshot(|| self.each_on_postgres(connection, sql, values, read))
            }
            Db::Postgres(connection) => self.each_on_postgres(connection, sql, values, read),
        }
    }

    /// PostgreSQL answers one statement at a time on a connection: the rows come through a
    /// cursor (which lives in a transaction), a batch at a time, so that `read` may run other
    /// queries between two rows as it may on SQLite.
    fn each_on_postgres(
        &self,
        connection: &PgConnection,
        sql: &str,
        values: &[Value],
        mut read: impl FnMut(&Row<'_>) -> Result<bool>,
    ) -> Result<()> {
        const BATCH: usize = 256;
        let depth = connection.walks.get();
        connection.walks.set(depth + 1);
        let cursor = format!("sesame_walk_{depth}");
        let walked: Result<()> = (|| {
            self.execute(
                &format!("DECLARE {cursor} NO SCROLL CURSOR FOR {sql}"),
                values,
            )?;
            let fetch = format!("FETCH {BATCH} FROM {cursor}");
            loop {
                let statement = connection.statement(&fetch)?;
                let rows = connection
                    .client
                    .borrow_mut()
                    .query(&statement, &[])
                    .map_err(pg_error)?;
                for row in &rows {
                    if !read(&Row::Postgres(row))? {
                        return Ok(());
                    }
                }
                if rows.len() < BATCH {
                    return Ok(());
                }
            }
        })();
        connection.walks.set(depth);
        walked?;
        // After a failure, ending the transaction closes the cursor.
        self.batch(&format!("CLOSE {cursor}"))
    }

    /// The first row of a query, if any.
    pub fn query_opt<T>(
        &self,
        sql: &str,
        values: &[Value],
        read: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<Option<T>> {
        match self {
            Db::Sqlite(connection) => {
                let mut statement = connection.prepare_cached(sql)?;
                let mut rows = statement.query(rusqlite::params_from_iter(values))?;
                match rows.next()? {
                    Some(row) => read(&Row::Sqlite(row)).map(Some),
                    None => Ok(None),
                }
            }
            Db::Postgres(connection) => {
                let statement = connection.statement(sql)?;
                let row = connection
                    .client
                    .borrow_mut()
                    .query_opt(&statement, &params(values))
                    .map_err(pg_error)?;
                row.as_ref()
                    .map(|row| read(&Row::Postgres(row)))
                    .transpose()
            }
        }
    }

    /// The one row a query must return (a count, an existence test).
    pub fn query_one<T>(
        &self,
        sql: &str,
        values: &[Value],
        read: impl FnOnce(&Row<'_>) -> Result<T>,
    ) -> Result<T> {
        self.query_opt(sql, values, read)?.ok_or_else(|| {
            Error::Internal("a query that always answers a row answered none".into())
        })
    }

    /// Several statements without placeholders (schema changes, pragmas).
    pub fn batch(&self, sql: &str) -> Result<()> {
        match self {
            Db::Sqlite(connection) => Ok(connection.execute_batch(sql)?),
            Db::Postgres(connection) => connection
                .client
                .borrow_mut()
                .batch_execute(sql)
                .map_err(pg_error),
        }
    }

    /// Runs `work` reading one moment of the store while others write: a read-only
    /// transaction (SQLite's snapshot is taken at its first read, PostgreSQL's at its first
    /// statement, repeatable read). Every read `work` makes through this handle sees that
    /// moment; `work` must not write.
    pub fn snapshot<T>(&self, work: impl FnOnce() -> Result<T>) -> Result<T> {
        let begin = match self {
            Db::Sqlite(_) => "BEGIN DEFERRED",
            Db::Postgres(_) => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
        };
        self.batch(begin)?;
        self.mark_transaction(true);
        let done = work();
        self.mark_transaction(false);
        let ended = self.batch(if done.is_ok() { "COMMIT" } else { "ROLLBACK" });
        let value = done?;
        ended?;
        Ok(value)
    }

    fn mark_transaction(&self, open: bool) {
        if let Db::Postgres(connection) = self {
            connection.in_transaction.set(open);
        }
    }

    /// Runs `work` in one write transaction, committed when it succeeds and rolled back when it
    /// fails; writers from every process queue for it.
    pub fn transaction<T>(&self, work: impl FnOnce(Write<'_>) -> Result<T>) -> Result<T> {
        let begin = match self {
            Db::Sqlite(_) => "BEGIN IMMEDIATE",
            Db::Postgres(_) => "BEGIN",
        };
        self.batch(begin)?;
        self.mark_transaction(true);
        let done = (|| {
            if self.engine() == Engine::Postgres {
                self.execute(
                    "SELECT pg_advisory_xact_lock(?1)",
                    crate::values![WRITE_LOCK],
                )?;
            }
            work(Write(*self))
        })();
        self.mark_transaction(false);
        match done {
            Ok(value) => {
                if let Err(error) = self.batch("COMMIT") {
                    let _ = self.batch("ROLLBACK");
                    return Err(error);
                }
                Ok(value)
            }
            Err(error) => {
                let _ = self.batch("ROLLBACK");
                Err(error)
            }
        }
    }
}

/// Rewrites a statement written for both engines into PostgreSQL's dialect: `?N` becomes `$N`
/// and a bare `?` takes SQLite's number (one more than the highest so far), `instr(a, b)`
/// becomes `strpos(a, b)`, and SQLite's `INDEXED BY index` hint goes.
///
/// The statement is read by an SQL tokenizer (sqlparser's, with SQLite's rules), and only the
/// tokens named above are replaced; everything else — literals, quoted names, comments — is
/// copied as written. A statement the tokenizer cannot read, or one with a named parameter
/// (`:name`, `@name`, `$name`), is refused rather than guessed at.
pub fn postgres_dialect(sql: &str) -> Result<String> {
    use sqlparser::tokenizer::{Token, Tokenizer};
    let refused = |why: String| Error::Internal(format!("statement not translated: {why}"));
    let tokens = Tokenizer::new(&sqlparser::dialect::SQLiteDialect {}, sql)
        .tokenize_with_location()
        .map_err(|error| refused(error.to_string()))?;
    let mut offsets = Offsets::new(sql);
    let mut out = String::with_capacity(sql.len() + 8);
    let mut copied = 0;
    let mut highest = 0_usize;
    let significant = |from: usize| {
        tokens
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, token)| !matches!(token.token, Token::Whitespace(_)))
    };
    let mut index = 0;
    while let Some(token) = tokens.get(index) {
        let unquoted = |word: &str| {
            matches!(&token.token, Token::Word(found)
                if found.quote_style.is_none() && found.value.eq_ignore_ascii_case(word))
        };
        let replacement = match &token.token {
            Token::Placeholder(placeholder) => {
                let number = match placeholder.strip_prefix('?') {
                    Some("") => highest + 1,
                    Some(digits) => digits
                        .parse()
                        .map_err(|_| refused(format!("placeholder {placeholder}")))?,
                    None => return Err(refused(format!("named parameter {placeholder}"))),
                };
                highest = highest.max(number);
                Some((format!("${number}"), index))
            }
            // SQLite's `:name` and `@name` parameters.
            Token::Colon | Token::AtSign => {
                return Err(refused("named parameter".into()));
            }
            Token::Word(_)
                if unquoted("instr")
                    && significant(index + 1)
                        .is_some_and(|(_, next)| next.token == Token::LParen) =>
            {
                Some(("strpos".to_owned(), index))
            }
            Token::Word(_) if unquoted("indexed") => {
                let by = significant(index + 1).filter(|(_, by)| {
                    matches!(&by.token, Token::Word(word)
                        if word.quote_style.is_none() && word.value.eq_ignore_ascii_case("by"))
                });
                let name = by.and_then(|(at, _)| significant(at + 1));
                match name {
                    Some((last, found)) if matches!(found.token, Token::Word(_)) => {
                        Some((String::new(), last))
                    }
                    _ => return Err(refused("INDEXED without BY and an index".into())),
                }
            }
            _ => None,
        };
        if let Some((text, last)) = replacement {
            let start = offsets.byte(token.span.start)?;
            let end = offsets.byte(tokens[last].span.end)?;
            out.push_str(&sql[copied..start]);
            out.push_str(&text);
            copied = end;
            index = last;
        }
        index += 1;
    }
    out.push_str(&sql[copied..]);
    Ok(out)
}

/// Byte offsets of the tokenizer's locations (lines and columns counted in characters, from
/// 1), asked in increasing order.
struct Offsets<'s> {
    sql: &'s str,
    line: u64,
    column: u64,
    byte: usize,
}

impl<'s> Offsets<'s> {
    fn new(sql: &'s str) -> Offsets<'s> {
        Offsets {
            sql,
            line: 1,
            column: 1,
            byte: 0,
        }
    }

    fn byte(&mut self, at: sqlparser::tokenizer::Location) -> Result<usize> {
        while (self.line, self.column) < (at.line, at.column) {
            let Some(c) = self.sql[self.byte..].chars().next() else {
                break;
            };
            self.byte += c.len_utf8();
            if c == '\n' {
                self.line += 1;
                self.column = 1;
            } else {
                self.column += 1;
            }
        }
        if (self.line, self.column) == (at.line, at.column) {
            Ok(self.byte)
        } else {
            Err(Error::Internal(
                "statement not translated: a token's place is past its end".into(),
            ))
        }
    }
}

/// A PostgreSQL error as the core's: a lost server is « unavailable », a writer that could not
/// wait is « busy »; the rest are internal errors. Statements bind every value, so a message
/// never carries user data or a secret.
pub(crate) fn pg_error(error: postgres::Error) -> Error {
    use postgres::error::SqlState;
    match error.code() {
        Some(code)
            if *code == SqlState::LOCK_NOT_AVAILABLE
                || *code == SqlState::T_R_SERIALIZATION_FAILURE =>
        {
            Error::StoreBusy
        }
        // Connection exceptions (class 08) and the server shutting down or starting (57P0x).
        Some(code) if code.code().starts_with("08") || code.code().starts_with("57P") => {
            Error::DatabaseUnavailable {
                store: String::new(),
                why: crate::store::pg::plain(&error),
            }
        }
        // The connection closed, or its socket failed.
        _ if error.is_closed()
            || StdError::source(&error).is_some_and(|source| source.is::<std::io::Error>()) =>
        {
            Error::DatabaseUnavailable {
                store: String::new(),
                why: crate::store::pg::plain(&error),
            }
        }
        _ => Error::Internal(crate::store::pg::plain(&error)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translated(sql: &str) -> String {
        postgres_dialect(sql).expect("translated")
    }

    #[test]
    fn statements_are_rewritten_for_postgres() {
        assert_eq!(
            translated("SELECT a FROM t WHERE b = ?1 AND c = ?2 OR d = ?1"),
            "SELECT a FROM t WHERE b = $1 AND c = $2 OR d = $1"
        );
        assert_eq!(
            translated("SELECT COUNT(*) FROM keys k INDEXED BY keys_facets WHERE x = ? AND y = ?"),
            "SELECT COUNT(*) FROM keys k  WHERE x = $1 AND y = $2"
        );
        assert_eq!(
            translated("SELECT 1 WHERE instr(k.name_key, ?) > 0 AND note = 'what? instr(x)'"),
            "SELECT 1 WHERE strpos(k.name_key, $1) > 0 AND note = 'what? instr(x)'"
        );
        assert_eq!(translated("SELECT myinstr(a)"), "SELECT myinstr(a)");
    }

    /// What a character-level rewriting got wrong: text in comments, quoted names and escaped
    /// quotes is copied as written, and a bare `?` after `?3` is SQLite's `?4`.
    #[test]
    fn only_the_tokens_are_rewritten_never_text_that_looks_like_them() {
        assert_eq!(
            translated(
                "SELECT \"instr(?\", 'l''été ?' -- why? instr(x)\n FROM t /* ? */ WHERE é = ?"
            ),
            "SELECT \"instr(?\", 'l''été ?' -- why? instr(x)\n FROM t /* ? */ WHERE é = $1"
        );
        assert_eq!(translated("SELECT ?3, ?, ?1, ?"), "SELECT $3, $4, $1, $5");
        assert_eq!(
            translated("SELECT \"instr\"(a), instr (a, ?)"),
            "SELECT \"instr\"(a), strpos (a, $1)"
        );
        assert_eq!(
            translated("SELECT a AS indexed_by FROM t"),
            "SELECT a AS indexed_by FROM t"
        );
        for refused in [
            "SELECT :name",
            "SELECT @name",
            "SELECT $name",
            "SELECT 'unclosed",
        ] {
            assert!(postgres_dialect(refused).is_err(), "{refused}");
        }
    }
}
