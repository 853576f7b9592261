//! Tamper-evident state. The audit trail is hash-chained, but the rows that decide who gets in
//! are not events: a key's status, hashes, permissions, companies and expiry; an operator's
//! password hash and rights; a service's prefix and permissions; the settings. Each such row
//! carries a seal in `row_seals`: an HMAC-SHA256 of its deciding values, keyed by a secret of
//! the installation kept beside the signing key (the OS keyring, else an owner-only file beside
//! the store), never in the store.
//!
//! Sésame's own connections keep the seals current by themselves: when the state key is loaded,
//! the connection gets triggers that prove a row against its seal before a statement changes it
//! and note it changed; before the transaction commits, every row it changed (or its events
//! name) is sealed again. Another program that edits the file (or a backup) has none of this, so
//! an edited, added or copied row no longer matches its seal: verification answers `TAMPERED`,
//! sign-in and rights are refused, and `sesamectl store check` and restore name the row.
//!
//! Each seal is bound to the audit trail: it covers the number of the last event of the
//! transaction that made it (`row_seals.seq`), and a row is proven only when the trail holds no
//! later event about it. An older copy of a row put back with its older seal is therefore
//! caught: the change that replaced it left an event. Whoever can read the state key (the
//! user's keyring or the key file) can forge seals (documented in the README).

use std::fmt;
use std::path::{Path, PathBuf};

use hmac::{Hmac, KeyInit, Mac};
use rand::TryRngCore;
use rand::rngs::OsRng;
use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

use crate::store::db::{Db, Engine, Read, Row, Write};
use sha2::Sha256;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::os_keyring::{self, KeyringNamespace, KeyringUnavailable};
use crate::vocab::AuditAction;

/// The installation's state key: redacted in `Debug`, wiped on drop, never serialised.
#[derive(Clone)]
pub struct StateKey(Zeroizing<[u8; 32]>);

impl fmt::Debug for StateKey {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("StateKey(…)")
    }
}

impl StateKey {
    fn generate() -> Result<StateKey> {
        let mut bytes = Zeroizing::new([0_u8; 32]);
        OsRng
            .try_fill_bytes(bytes.as_mut())
            .map_err(|error| Error::Internal(format!("random source: {error}")))?;
        Ok(StateKey(bytes))
    }

    fn decode(text: &str) -> Option<StateKey> {
        let mut bytes = Zeroizing::new([0_u8; 32]);
        hex::decode_to_slice(text.trim(), bytes.as_mut()).ok()?;
        Some(StateKey(bytes))
    }

    pub(crate) fn from_bytes(bytes: Zeroizing<[u8; 32]>) -> StateKey {
        StateKey(bytes)
    }

    /// The key itself, for the recovery code's escrow only.
    pub(crate) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    fn encode(&self) -> Zeroizing<String> {
        Zeroizing::new(hex::encode(self.0.as_ref()))
    }

    /// The seal of a row's canonical text.
    pub fn seal(&self, canonical: &[u8]) -> Result<Vec<u8>> {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.as_ref())
            .map_err(|error| Error::Internal(format!("state key: {error}")))?;
        mac.update(canonical);
        Ok(mac.finalize().into_bytes().to_vec())
    }

    /// Whether `seal` is the seal of `canonical`, compared in constant time.
    pub fn opens(&self, canonical: &[u8], seal: &[u8]) -> bool {
        let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(self.0.as_ref()) else {
            return false;
        };
        mac.update(canonical);
        mac.verify_slice(seal).is_ok()
    }
}

/// What kind of row a seal belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SealedKind {
    Key,
    Operator,
    Service,
    Setting,
    /// An installation's public signing key, registered for tokens.
    SigningKey,
    /// A client company: its name decides which keys serve it.
    Company,
}

impl SealedKind {
    pub const ALL: [SealedKind; 6] = [
        SealedKind::Key,
        SealedKind::Operator,
        SealedKind::Service,
        SealedKind::Setting,
        SealedKind::SigningKey,
        SealedKind::Company,
    ];

    pub fn code(self) -> &'static str {
        match self {
            SealedKind::Key => "key",
            SealedKind::Operator => "operator",
            SealedKind::Service => "service",
            SealedKind::Setting => "setting",
            SealedKind::SigningKey => "signing_key",
            SealedKind::Company => "company",
        }
    }

    /// The table, its alias in [`SealedKind::canonical_sql`], its id column and a column that
    /// names the row for people.
    fn table(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            SealedKind::Key => ("keys", "k", "id", "name"),
            SealedKind::Operator => ("operators", "o", "id", "name"),
            SealedKind::Service => ("services", "s", "id", "name"),
            SealedKind::Setting => ("settings", "t", "name", "name"),
            SealedKind::SigningKey => ("signing_keys", "g", "kid", "holder"),
            SealedKind::Company => ("companies", "c", "id", "name"),
        }
    }

    /// The row's canonical text in SQL: each deciding value hex-encoded (so no value can shift
    /// into another), `-` for NULL, lists sorted. [`key_canonical`] writes the same for a key.
    fn canonical_sql(self, engine: Engine) -> String {
        // The same text on both engines: hexadecimal of each value's text (a truth value is
        // 1 or 0, as SQLite stores it), lists in byte order.
        let value = |column: &str| match engine {
            Engine::Sqlite => format!("iif({column} IS NULL, '-', hex({column}))"),
            Engine::Postgres => {
                let text = match column {
                    "o.right_configuration" | "o.right_audit" => format!("({column})::int::text"),
                    _ => format!("({column})::text"),
                };
                format!(
                    "CASE WHEN {column} IS NULL THEN '-' \
                     ELSE upper(encode(convert_to({text}, 'UTF8'), 'hex')) END"
                )
            }
        };
        let list = |column: &str, table: &str, owner: &str, id: &str| match engine {
            Engine::Sqlite => format!(
                "coalesce((SELECT group_concat(hex({column}), ',' ORDER BY {column}) \
                 FROM {table} WHERE {owner} = {id}), '')"
            ),
            Engine::Postgres => format!(
                "coalesce((SELECT string_agg(upper(encode(convert_to({column}, 'UTF8'), 'hex')), \
                 ',' ORDER BY {column} COLLATE \"C\") FROM {table} WHERE {owner} = {id}), '')"
            ),
        };
        // A value added to a kind's text after seals were made: appended only when present.
        let optional = |column: &str| {
            format!(
                " || CASE WHEN {column} IS NULL THEN '' ELSE '|' || {} END",
                value(column)
            )
        };
        let join = |kind: &str, parts: Vec<String>| {
            std::iter::once(format!("'{kind}'"))
                .chain(parts)
                .collect::<Vec<_>>()
                .join(" || '|' || ")
        };
        match self {
            SealedKind::Key => {
                join(
                    "key",
                    [
                        "k.id",
                        "k.service_id",
                        "k.identifier",
                        "k.status",
                        "k.secret_hash",
                        "k.previous_secret_hash",
                        "k.previous_secret_valid_until",
                        "k.expires_at",
                        "k.deleted_at",
                        "k.regenerated_at",
                        "k.revision",
                    ]
                    .iter()
                    .map(|column| value(column))
                    .chain([
                        list("permission", "key_permissions", "key_id", "k.id"),
                        list("company_id", "key_companies", "key_id", "k.id"),
                    ])
                    .collect(),
                ) + &optional("k.previous_generation")
            }
            SealedKind::Operator => join(
                "operator",
                [
                    "o.id",
                    "o.name_key",
                    "o.password_hash",
                    "o.right_configuration",
                    "o.right_audit",
                    "o.disabled_at",
                ]
                .iter()
                .map(|column| value(column))
                .collect(),
            ),
            SealedKind::Service => join(
                "service",
                vec![
                    value("s.id"),
                    value("s.key_prefix"),
                    list("permission", "service_permissions", "service_id", "s.id"),
                ],
            ),
            SealedKind::Setting => join("setting", vec![value("t.name"), value("t.value")]),
            SealedKind::SigningKey => join(
                "signing_key",
                vec![value("g.kid"), value("g.public_key"), value("g.retired_at")],
            ),
            SealedKind::Company => join("company", vec![value("c.id"), value("c.name_key")]),
        }
    }

    /// The last event of the trail about the row `{row}` of this kind, up to `{until}` (SQL).
    fn last_event_sql(self, row: &str, until: &str) -> String {
        format!(
            "(SELECT e.seq FROM audit_events e
              WHERE e.target_id = {row} AND e.target_kind = '{kind}'{until}
              ORDER BY e.seq DESC LIMIT 1)",
            kind = self.code(),
        )
    }

    /// `SELECT id, name, canonical text, seal, the event it is bound to, the trail's last event
    /// about the row` for every row of this kind, in one statement (one snapshot); the seal is
    /// checked in Rust, where the state key stays.
    fn check_sql(self, engine: Engine) -> String {
        let (table, alias, id, name) = self.table();
        format!(
            "SELECT {alias}.{id}, {alias}.{name}, {canonical}, rs.seal, rs.seq, {last}
             FROM {table} {alias}
             LEFT JOIN row_seals rs ON rs.kind = '{kind}' AND rs.id = {alias}.{id}",
            canonical = self.canonical_sql(engine),
            kind = self.code(),
            last = self.last_event_sql(&format!("{alias}.{id}"), ""),
        )
    }

    /// Proves the row `{row}` of this kind against its seal before a statement changes it
    /// (`sesame_prove` fails the statement when the row is not the one Sésame sealed, or the
    /// trail before this transaction holds a later event about it); a row that is not there
    /// yet has nothing to prove, nor one this transaction already proved and changed.
    fn prove_sql(self, row: &str) -> String {
        let (table, alias, id, _) = self.table();
        format!(
            "SELECT sesame_prove('{kind}', {alias}.{id}, {canonical}, rs.seal, rs.seq, {last})
             FROM {table} {alias}
             LEFT JOIN row_seals rs ON rs.kind = '{kind}' AND rs.id = {alias}.{id}
             WHERE {alias}.{id} = {row}
               AND NOT EXISTS (SELECT 1 FROM sesame_dirty d
                               WHERE d.kind = '{kind}' AND d.id = {alias}.{id});",
            kind = self.code(),
            canonical = self.canonical_sql(Engine::Sqlite),
            last = self.last_event_sql(
                &format!("{alias}.{id}"),
                " AND e.seq <= (SELECT start FROM sesame_txn)"
            ),
        )
    }

    /// The canonical text of the row `$2` of this kind, or NULL when it is not there: the body
    /// of PostgreSQL's `pg_temp.sesame_canonical`, which its triggers call before a row changes.
    fn canonical_of_sql(self) -> String {
        let (table, alias, id, _) = self.table();
        format!(
            "(SELECT {canonical} FROM {table} {alias} WHERE {alias}.{id} = $2)",
            canonical = self.canonical_sql(Engine::Postgres),
        )
    }

    fn from_code(code: &str) -> Option<SealedKind> {
        SealedKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// How the audit trail and the error messages name this kind.
    pub fn row_kind(self) -> crate::vocab::RowKind {
        use crate::vocab::RowKind;
        match self {
            SealedKind::Key => RowKind::Key,
            SealedKind::Operator => RowKind::Operator,
            SealedKind::Service => RowKind::Service,
            SealedKind::Setting => RowKind::Setting,
            SealedKind::SigningKey => RowKind::SigningKey,
            SealedKind::Company => RowKind::Company,
        }
    }

    /// Notes the row `{row}` of this kind (a trigger's `new.id`…) as changed by this
    /// transaction, to be sealed before it commits (see [`reseal_changed`]).
    fn note_changed_sql(self, row: &str) -> String {
        // Not INSERT OR IGNORE: inside a trigger, the conflict policy of the statement that
        // fired it (an upsert of a setting) would win.
        format!(
            "INSERT INTO sesame_dirty (kind, id) SELECT '{kind}', {row}
             WHERE NOT EXISTS (SELECT 1 FROM sesame_dirty WHERE kind = '{kind}' AND id = {row});",
            kind = self.code(),
        )
    }
}

/// The text a seal covers: the row's canonical text and the event the seal is bound to.
fn bound(canonical: &str, seq: i64) -> String {
    format!("{canonical}@{seq}")
}

/// A key's canonical text from values already read, as [`SealedKind::canonical_sql`] writes it.
#[derive(Debug)]
pub(crate) struct KeyDecidingValues<'a> {
    pub id: &'a str,
    pub service_id: &'a str,
    pub identifier: &'a str,
    pub status: &'a str,
    pub secret_hash: Option<&'a str>,
    pub previous_secret_hash: Option<&'a str>,
    pub previous_secret_valid_until: Option<i64>,
    /// Part of the text only when present (seals made before it existed stay valid).
    pub previous_generation: Option<i64>,
    pub expires_at: Option<i64>,
    pub deleted_at: Option<i64>,
    pub regenerated_at: Option<i64>,
    pub revision: i64,
    pub permissions: &'a [String],
    pub company_ids: &'a [String],
}

pub(crate) fn key_canonical(values: &KeyDecidingValues<'_>) -> String {
    fn text(value: Option<&str>) -> String {
        value.map_or_else(|| "-".to_owned(), |v| hex::encode_upper(v.as_bytes()))
    }
    fn number(value: Option<i64>) -> String {
        value.map_or_else(|| "-".to_owned(), |v| hex::encode_upper(v.to_string()))
    }
    fn list(values: &[String]) -> String {
        let mut sorted: Vec<&String> = values.iter().collect();
        sorted.sort();
        sorted
            .iter()
            .map(|value| hex::encode_upper(value.as_bytes()))
            .collect::<Vec<_>>()
            .join(",")
    }
    [
        "key".to_owned(),
        text(Some(values.id)),
        text(Some(values.service_id)),
        text(Some(values.identifier)),
        text(Some(values.status)),
        text(values.secret_hash),
        text(values.previous_secret_hash),
        number(values.previous_secret_valid_until),
        number(values.expires_at),
        number(values.deleted_at),
        number(values.regenerated_at),
        number(Some(values.revision)),
        list(values.permissions),
        list(values.company_ids),
    ]
    .into_iter()
    .chain(values.previous_generation.map(|g| number(Some(g))))
    .collect::<Vec<_>>()
    .join("|")
}

/// Makes a connection keep seals current: a `sesame_dirty` table of its own, where triggers note
/// the rows a transaction changed for [`reseal_changed`] to seal before it commits. On SQLite
/// the connection's temporary triggers also prove each row before a statement changes it; on
/// PostgreSQL the store's triggers note each row's text as it was, proven before commit.
pub(crate) fn install(db: Db<'_>, key: &StateKey) -> Result<()> {
    match db {
        Db::Sqlite(connection) => install_sqlite(connection, key),
        Db::Postgres(_) => {
            // The store's triggers (migrations 5 and 9) note here each sealed row a transaction
            // touches, with its canonical text as it was before (NULL for a new row), which
            // `pg_temp.sesame_canonical` reads in the same SQL the checks use.
            let canonical = SealedKind::ALL
                .iter()
                .map(|kind| format!("WHEN '{}' THEN {}", kind.code(), kind.canonical_of_sql()))
                .collect::<Vec<_>>()
                .join("\n");
            db.batch(&format!(
                "CREATE TEMP TABLE IF NOT EXISTS sesame_dirty (
                     kind TEXT NOT NULL, id TEXT NOT NULL, before TEXT, PRIMARY KEY (kind, id));
                 CREATE OR REPLACE FUNCTION pg_temp.sesame_canonical(TEXT, TEXT) RETURNS TEXT
                     LANGUAGE sql STABLE AS $canonical$ SELECT CASE $1 {canonical} END $canonical$;"
            ))
        }
    }
}

/// Every table a seal covers: the table, the kind of row sealed, the column naming that row,
/// and the columns whose change reseals it (`None`: any change). A key's seal also covers its
/// grants, a service's its permissions.
const SEALED_TABLES: [(&str, SealedKind, &str, Option<&str>); 9] = [
    (
        "keys",
        SealedKind::Key,
        "id",
        Some(
            "service_id, identifier, status, secret_hash, previous_secret_hash, \
             previous_secret_valid_until, expires_at, deleted_at, regenerated_at, revision",
        ),
    ),
    ("key_permissions", SealedKind::Key, "key_id", None),
    ("key_companies", SealedKind::Key, "key_id", None),
    (
        "operators",
        SealedKind::Operator,
        "id",
        Some("name_key, password_hash, right_configuration, right_audit, disabled_at"),
    ),
    ("services", SealedKind::Service, "id", Some("key_prefix")),
    (
        "service_permissions",
        SealedKind::Service,
        "service_id",
        None,
    ),
    ("settings", SealedKind::Setting, "name", None),
    ("signing_keys", SealedKind::SigningKey, "kid", None),
    ("companies", SealedKind::Company, "id", Some("name_key")),
];

/// The text `sesame_prove` fails a statement with, which [`Error::RowUnproven`] is read from.
fn unproven(kind: &str, id: &str) -> String {
    format!("{}{kind}:{id}", crate::error::UNPROVEN)
}

fn install_sqlite(connection: &Connection, key: &StateKey) -> Result<()> {
    let proving = key.clone();
    connection.create_scalar_function(
        "sesame_prove",
        6,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        move |context| {
            let kind: String = context.get(0)?;
            let id: String = context.get(1)?;
            let text: String = context.get(2)?;
            let seal: Option<Vec<u8>> = context.get(3)?;
            let seq: Option<i64> = context.get(4)?;
            let last: Option<i64> = context.get(5)?;
            match proven(&proving, &text, seal.as_deref(), seq, last) {
                true => Ok(1_i64),
                false => Err(rusqlite::Error::UserFunctionError(
                    unproven(&kind, &id).into(),
                )),
            }
        },
    )?;
    // The rows this transaction changed, sealed before it commits, and where the trail ended
    // when it began (the events a row's seal must not be older than).
    let mut triggers = String::from(
        "CREATE TEMP TABLE IF NOT EXISTS sesame_dirty (
             kind TEXT NOT NULL, id TEXT NOT NULL, before TEXT, PRIMARY KEY (kind, id));
         CREATE TEMP TABLE IF NOT EXISTS sesame_txn (
             one INTEGER PRIMARY KEY CHECK (one = 1), start INTEGER NOT NULL);\n",
    );
    // Before a statement changes a sealed row, the row is proven against its seal (an edit made
    // outside is never made Sésame's own by a later write); after it, the row is noted changed.
    let mut trigger = |name: String, when: &str, event: &str, table: &str, body: String| {
        triggers.push_str(&format!(
            "CREATE TEMP TRIGGER IF NOT EXISTS {name} {when} {event} ON main.{table}
             BEGIN {body} END;\n"
        ));
    };
    for (table, kind, column, update_of) in SEALED_TABLES {
        let update = match update_of {
            Some(columns) => format!("UPDATE OF {columns}"),
            None => "UPDATE".to_owned(),
        };
        for (event, row) in [
            ("INSERT", "new"),
            (update.as_str(), "old"),
            ("DELETE", "old"),
        ] {
            let name = event.split(' ').next().unwrap_or(event).to_lowercase();
            trigger(
                format!("prove_{table}_{name}"),
                "BEFORE",
                event,
                table,
                kind.prove_sql(&format!("{row}.{column}")),
            );
            let changed = match event {
                "INSERT" => "new",
                _ if event.starts_with("UPDATE") => "new",
                _ => "old",
            };
            trigger(
                format!("seal_{table}_{name}"),
                "AFTER",
                event,
                table,
                kind.note_changed_sql(&format!("{changed}.{column}")),
            );
        }
    }
    // A key takes its prefix and its permissions from its service: the service is proven too
    // when a key is made or given a permission.
    trigger(
        "prove_keys_service".into(),
        "BEFORE",
        "INSERT",
        "keys",
        SealedKind::Service.prove_sql("new.service_id"),
    );
    trigger(
        "prove_key_permissions_service".into(),
        "BEFORE",
        "INSERT",
        "key_permissions",
        SealedKind::Service.prove_sql("(SELECT service_id FROM keys WHERE id = new.key_id)"),
    );
    connection.execute_batch(&triggers)?;
    Ok(())
}

/// A row whose seal does not match (edited, added or copied outside Sésame).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TamperedRow {
    pub kind: SealedKind,
    pub id: String,
    pub name: String,
}

/// A row of a check: its id, its name, its canonical text, its stored seal, the event the seal
/// is bound to and the trail's last event about the row.
type CheckedRow = (
    String,
    String,
    String,
    Option<Vec<u8>>,
    Option<i64>,
    Option<i64>,
);

fn checked_row(row: &Row<'_>) -> Result<CheckedRow> {
    Ok((
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
        row.get(5)?,
    ))
}

fn opens(key: &StateKey, (_, _, canonical, seal, seq, last): &CheckedRow) -> bool {
    proven(key, canonical, seal.as_deref(), *seq, *last)
}

/// Whether a row whose canonical text is `canonical` is the one Sésame sealed: its seal opens
/// over the text and the event it is bound to (`seq`), and the trail holds no later event about
/// the row (`last`, the last one) — an older copy put back with its older seal does not pass.
pub(crate) fn proven(
    key: &StateKey,
    canonical: &str,
    seal: Option<&[u8]>,
    seq: Option<i64>,
    last: Option<i64>,
) -> bool {
    match (seal, seq) {
        (Some(seal), Some(seq)) => {
            last.is_none_or(|last| last <= seq) && key.opens(bound(canonical, seq).as_bytes(), seal)
        }
        _ => false,
    }
}

/// Every row whose seal does not match, and how many rows were checked.
pub(crate) fn tampered_rows<'c>(
    read: impl Into<Read<'c>>,
    key: &StateKey,
) -> Result<(u64, Vec<TamperedRow>)> {
    let db = read.into().db();
    let mut checked = 0;
    let mut tampered = Vec::new();
    for kind in SealedKind::ALL {
        for row in db.query(&kind.check_sql(db.engine()), &[], checked_row)? {
            checked += 1;
            if !opens(key, &row) {
                let (id, name, ..) = row;
                tampered.push(TamperedRow { kind, id, name });
            }
        }
        // A seal whose row is gone: the row was deleted outside Sésame (Sésame deletes a
        // row's seal with it). A setting deleted so would fall back to its default unseen.
        let (table, _, id_column, _) = kind.table();
        let orphans: Vec<String> = db.query(
            &format!(
                "SELECT rs.id FROM row_seals rs WHERE rs.kind = '{code}'
                 AND NOT EXISTS (SELECT 1 FROM {table} t WHERE t.{id_column} = rs.id)",
                code = kind.code()
            ),
            &[],
            |row| row.get(0),
        )?;
        for id in orphans {
            checked += 1;
            tampered.push(TamperedRow {
                kind,
                name: id.clone(),
                id,
            });
        }
    }
    Ok((checked, tampered))
}

/// Whether the one row `id` of `kind` matches its seal (a row that is not there has nothing to
/// doubt).
pub(crate) fn row_is_sealed<'c>(
    read: impl Into<Read<'c>>,
    key: &StateKey,
    kind: SealedKind,
    id: &str,
) -> Result<bool> {
    let db = read.into().db();
    let (_, alias, id_column, _) = kind.table();
    let sql = format!(
        "{} WHERE {alias}.{id_column} = ?1",
        kind.check_sql(db.engine())
    );
    Ok(db
        .query_opt(&sql, crate::values![id], checked_row)?
        .is_none_or(|row| opens(key, &row)))
}

/// Where the trail ends now: the event a seal made now is bound to (0 for an empty trail).
fn trail_end(read: Read<'_>) -> Result<i64> {
    Ok(crate::store::audit::last(read)?.map_or(0, |(seq, _)| seq))
}

/// Seals the rows of `kind` that have no seal yet (every row when a store is sealed for the
/// first time, a kind newly sealed), bound to where the trail ends. A row whose seal is wrong is
/// left as it is.
fn seal_rows(write: Write<'_>, key: &StateKey, kind: SealedKind) -> Result<usize> {
    let db = write.db();
    let (table, alias, id, _) = kind.table();
    let code = kind.code();
    let canonical = kind.canonical_sql(db.engine());
    let rows: Vec<(String, String)> = db.query(
        &format!(
            "SELECT {alias}.{id}, {canonical} FROM {table} {alias}
             WHERE NOT EXISTS (SELECT 1 FROM row_seals rs
                               WHERE rs.kind = '{code}' AND rs.id = {alias}.{id})"
        ),
        &[],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    insert_seals(write, key, kind, &rows, trail_end(write.read())?)?;
    Ok(rows.len())
}

/// Writes the seals of `rows` (id, canonical text) of `kind`, bound to the event `seq`.
fn insert_seals(
    write: Write<'_>,
    key: &StateKey,
    kind: SealedKind,
    rows: &[(String, String)],
    seq: i64,
) -> Result<()> {
    for (row_id, text) in rows {
        write.db().execute(
            "INSERT INTO row_seals (kind, id, seal, seq) VALUES (?1, ?2, ?3, ?4)",
            crate::values![
                kind.code(),
                row_id.as_str(),
                key.seal(bound(text, seq).as_bytes())?,
                seq
            ],
        )?;
    }
    Ok(())
}

/// Seals rows that have no seal yet: every row when a store is sealed for the first time, the
/// rows a migration added otherwise. A row whose seal is wrong is left as it is.
pub(crate) fn seal_unsealed<'c>(write: impl Into<Write<'c>>, key: &StateKey) -> Result<usize> {
    let write = write.into();
    let mut sealed = 0;
    for kind in SealedKind::ALL {
        sealed += seal_rows(write, key, kind)?;
    }
    Ok(sealed)
}

/// Starts a transaction of Sésame's whose trail ended at `start`: the rows it changes are noted
/// afresh (on SQLite, a note left by a statement outside any transaction is forgotten: that
/// row was proven then, not now), and the connection's triggers prove rows against the trail
/// as it was.
pub(crate) fn begin(write: Write<'_>, start: Option<i64>) -> Result<()> {
    let db = write.db();
    if db.engine() == Engine::Sqlite {
        db.execute("DELETE FROM sesame_dirty", &[])?;
        db.execute(
            "INSERT OR REPLACE INTO sesame_txn (one, start) VALUES (1, ?1)",
            crate::values![start.unwrap_or(0)],
        )?;
    }
    Ok(())
}

/// A row a PostgreSQL transaction touched: its kind, its id, its canonical text before the
/// transaction first touched it (none for a new row), its seal, the event the seal is bound to
/// and the trail's last event about it before the transaction.
type TouchedRow = (
    String,
    String,
    Option<String>,
    Option<Vec<u8>>,
    Option<i64>,
    Option<i64>,
);

/// Before a transaction of Sésame's commits, every row it changed (noted in this connection's
/// `sesame_dirty`) and every row its events name is sealed again, bound to its last event.
/// Each was proven first, as it was before the transaction: on SQLite by the triggers, before
/// each statement; on PostgreSQL, where the state key never goes to the server, here, from the
/// text the store's triggers noted. A row an event names that the transaction did not change
/// is proven here as it is. An edit made outside is refused, never sealed as Sésame's own.
pub(crate) fn reseal_changed(write: Write<'_>, key: &StateKey, start: i64) -> Result<()> {
    let db = write.db();
    if db.engine() == Engine::Postgres {
        let changed: Vec<TouchedRow> = db.query(
            "SELECT d.kind, d.id, d.before, rs.seal, rs.seq,
                    (SELECT e.seq FROM audit_events e
                     WHERE e.target_id = d.id AND e.target_kind = d.kind AND e.seq <= ?1
                     ORDER BY e.seq DESC LIMIT 1)
             FROM pg_temp.sesame_dirty d
             LEFT JOIN row_seals rs ON rs.kind = d.kind AND rs.id = d.id
             WHERE d.before IS NOT NULL",
            crate::values![start],
            |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                    row.get(5)?,
                ))
            },
        )?;
        for (kind, id, before, seal, seq, last) in &changed {
            let before = before.as_deref().unwrap_or_default();
            if !proven(key, before, seal.as_deref(), *seq, *last) {
                return Err(Error::RowUnproven {
                    kind: kind.clone(),
                    id: id.clone(),
                });
            }
        }
    }
    // Rows the transaction's events name without changing them (a token issued for a key): the
    // new event is about them, so their seals are bound to it too, once proven as they are.
    let named: Vec<(String, String)> = db.query(
        "SELECT DISTINCT e.target_kind, e.target_id FROM audit_events e
         WHERE e.seq > ?1 AND e.target_id IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM sesame_dirty d
                           WHERE d.kind = e.target_kind AND d.id = e.target_id)",
        crate::values![start],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )?;
    for (code, id) in named {
        let Some(kind) = SealedKind::from_code(&code) else {
            continue;
        };
        let (_, alias, id_column, _) = kind.table();
        let sql = format!(
            "SELECT {alias}.{id_column}, {alias}.{id_column}, {canonical}, rs.seal, rs.seq,
                    {last}
             FROM {table} {alias}
             LEFT JOIN row_seals rs ON rs.kind = '{code}' AND rs.id = {alias}.{id_column}
             WHERE {alias}.{id_column} = ?1",
            table = kind.table().0,
            canonical = kind.canonical_sql(db.engine()),
            last = kind.last_event_sql(&format!("{alias}.{id_column}"), " AND e.seq <= ?2"),
        );
        let Some(row) = db.query_opt(&sql, crate::values![id.as_str(), start], checked_row)? else {
            continue;
        };
        if !opens(key, &row) {
            return Err(Error::RowUnproven { kind: code, id });
        }
        db.execute(
            "INSERT INTO sesame_dirty (kind, id) VALUES (?1, ?2)",
            crate::values![code.as_str(), id.as_str()],
        )?;
    }
    let seq = trail_end(write.read())?;
    for kind in SealedKind::ALL {
        let (table, alias, id, _) = kind.table();
        let code = kind.code();
        db.execute(
            "DELETE FROM row_seals WHERE kind = ?1
                 AND id IN (SELECT d.id FROM sesame_dirty d WHERE d.kind = ?1)",
            crate::values![code],
        )?;
        let rows: Vec<(String, String)> = db.query(
            &format!(
                "SELECT {alias}.{id}, {canonical} FROM {table} {alias}
                 WHERE {alias}.{id} IN (SELECT d.id FROM sesame_dirty d WHERE d.kind = ?1)",
                canonical = kind.canonical_sql(db.engine()),
            ),
            crate::values![code],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        insert_seals(write, key, kind, &rows, seq)?;
    }
    db.execute("DELETE FROM sesame_dirty", &[])?;
    Ok(())
}

/// The setting that anchors the audit trail: the last event's sequence number and hash
/// (`seq:hash`), sealed like every setting and moved in the very transaction that appends
/// events. Whoever writes the store without the state key can cut, delete or re-hash events,
/// but cannot move the head with them.
pub(crate) const AUDIT_HEAD: &str = "audit_head";

/// Moves the trail's head to its last event (see [`AUDIT_HEAD`]); says the head it set, when it
/// moved.
pub(crate) fn anchor_audit_head(write: Write<'_>) -> Result<Option<String>> {
    let Some((seq, hash)) = crate::store::audit::last(write)? else {
        return Ok(None);
    };
    let value = format!("{seq}:{hash}");
    if crate::store::settings::get(write, AUDIT_HEAD)?.as_deref() == Some(value.as_str()) {
        return Ok(None);
    }
    crate::store::settings::put(write, AUDIT_HEAD, &value)?;
    Ok(Some(value))
}

/// The last head this installation anchored in one store, kept outside it: an owner-only file
/// beside the state key's, named after the installation and the store. The store's trail can
/// only grow past it; a trail without that event (the whole store put back from an older copy,
/// head and all) is caught by the chain checks.
pub fn high_water_path(key_home: &Path, installation: &str, store_name: &str) -> PathBuf {
    use sha2::Digest;
    let store = hex::encode(sha2::Sha256::digest(store_name.as_bytes()));
    key_home.with_file_name(format!("sesame-head-{installation}-{}", &store[..16]))
}

/// The high-water file of the store behind `read` (its installation named in the store).
pub(crate) fn high_water_of<'c>(
    read: impl Into<Read<'c>>,
    key_home: &Path,
    store_name: &str,
) -> Result<Option<PathBuf>> {
    Ok(crate::store::settings::get(read, "installation_id")?
        .map(|installation| high_water_path(key_home, &installation, store_name)))
}

/// Notes the head this installation just anchored (best effort: a file left behind only makes
/// the check see less far, never a false alarm).
pub(crate) fn note_high_water(path: &Path, head: &str) {
    let _ = crate::store::private::overwrite_small_file(path, head.as_bytes());
}

/// The head kept outside the store, if any and readable.
pub(crate) fn high_water(path: &Path) -> Option<(i64, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let (seq, hash) = text.trim().split_once(':')?;
    Some((seq.parse().ok()?, hash.to_owned()))
}

/// Whether the trail still holds the event this installation last anchored (see
/// [`high_water_path`]): `None` when it does, or when nothing was kept.
pub(crate) fn rolled_back<'c>(
    read: impl Into<Read<'c>>,
    high_water: Option<(i64, String)>,
) -> Result<Option<(i64, crate::audit::ChainBreak)>> {
    let Some((seq, hash)) = high_water else {
        return Ok(None);
    };
    let found = crate::store::audit::at_seq(read, seq)?;
    Ok(match found {
        Some(event) if event.hash == hash => None,
        _ => Some((seq, crate::audit::ChainBreak::HeadMismatch)),
    })
}

/// Everything a transaction of Sésame does before it commits: the trail's head moved to its
/// last event when `anchor` says so, and on PostgreSQL the rows it changed proven and sealed
/// again. A routine write anchors only when it appended to a trail that ended at its head
/// (see [`head_problem_at`]): a trail cut, re-hashed or extended outside Sésame, or a head
/// edited or removed, is never anchored again by it, and stays found broken until an
/// administrator's explicit, audited step (`Sesame::anchor_audit_trail`).
pub(crate) fn before_commit(
    write: Write<'_>,
    key: &StateKey,
    anchor: bool,
    start: Option<i64>,
) -> Result<Option<String>> {
    let moved = match anchor {
        true => anchor_audit_head(write)?,
        false => None,
    };
    reseal_changed(write, key, start.unwrap_or(0))?;
    Ok(moved)
}

/// Runs `work` as a transaction of Sésame's that appends no event of its own making to the
/// head (a backup's check, a benchmark's seeding): begun and ended as [`begin`] and
/// [`before_commit`] say; `anchor` moves the head to where the trail then ends.
pub(crate) fn sealing_transaction<T>(
    db: Db<'_>,
    key: &StateKey,
    anchor: bool,
    work: impl FnOnce(Write<'_>) -> Result<T>,
) -> Result<T> {
    db.transaction(|write| {
        let start = Some(trail_end(write.read())?);
        begin(write, start)?;
        let value = work(write)?;
        before_commit(write, key, anchor, start)?;
        Ok(value)
    })
}

/// Whether the trail ends where its sealed head says: a trail cut short, re-hashed, or added
/// to outside Sésame does not, nor one whose head was edited or removed. The event named is
/// the first one missing, unanchored or re-hashed.
pub(crate) fn head_problem<'c>(
    read: impl Into<Read<'c>>,
    key: &StateKey,
) -> Result<Option<(i64, crate::audit::ChainBreak)>> {
    let read = read.into();
    head_problem_at(read, key, crate::store::audit::last(read)?)
}

/// [`head_problem`] for a trail whose last event is `last` (the end a transaction found before
/// it appended).
pub(crate) fn head_problem_at(
    read: Read<'_>,
    key: &StateKey,
    last: Option<(i64, String)>,
) -> Result<Option<(i64, crate::audit::ChainBreak)>> {
    let head = crate::store::settings::get(read, AUDIT_HEAD)?;
    let broken = |seq: i64| Ok(Some((seq, crate::audit::ChainBreak::HeadMismatch)));
    let Some(head) = head else {
        return match last {
            None => Ok(None),
            Some(_) => broken(1),
        };
    };
    let anchored = head
        .split_once(':')
        .and_then(|(seq, hash)| Some((seq.parse::<i64>().ok()?, hash.to_owned())));
    let Some((head_seq, head_hash)) = anchored else {
        return broken(1);
    };
    if !row_is_sealed(read, key, SealedKind::Setting, AUDIT_HEAD)? {
        return broken(head_seq);
    }
    match last {
        None => broken(1),
        Some((seq, _)) if seq < head_seq => broken(seq + 1),
        Some((seq, _)) if seq > head_seq => broken(head_seq + 1),
        Some((seq, hash)) if hash != head_hash => broken(seq),
        Some(_) => Ok(None),
    }
}

/// The sealed setting saying this store's seals are bound to its trail (see
/// [`bind_unbound`]); its value is the event they were first bound to.
const SEALS_BOUND: &str = "seals_bound";

/// Binds to the trail, where it ends, the seals of a store from before they were bound (schema
/// version 13), each proven first as it was made; one that does not open is left as it is, and
/// stays named. Done once per store: once `seals_bound` was written (or its seal remains), a
/// seal found unbound was put there outside Sésame and is never bound on its word. With
/// `announce`, the trail says how many were bound (`store.sealed`).
pub(crate) fn bind_unbound(write: Write<'_>, key: &StateKey, announce: bool) -> Result<usize> {
    if crate::store::settings::get(write, SEALS_BOUND)?.is_some()
        || crate::store::usage::seal_of(write, "setting", SEALS_BOUND)?.is_some()
    {
        return Ok(0);
    }
    let db = write.db();
    let seq = trail_end(write.read())?;
    let mut bound_now = 0;
    for kind in SealedKind::ALL {
        let (table, alias, id, _) = kind.table();
        let unbound: Vec<(String, String, Vec<u8>)> = db.query(
            &format!(
                "SELECT {alias}.{id}, {canonical}, rs.seal FROM {table} {alias}
                 JOIN row_seals rs ON rs.kind = '{code}' AND rs.id = {alias}.{id}
                 WHERE rs.seq IS NULL",
                canonical = kind.canonical_sql(db.engine()),
                code = kind.code(),
            ),
            &[],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )?;
        for (row_id, text, seal) in unbound {
            if !key.opens(text.as_bytes(), &seal) {
                continue;
            }
            db.execute(
                "UPDATE row_seals SET seal = ?1, seq = ?2 WHERE kind = ?3 AND id = ?4",
                crate::values![
                    key.seal(bound(&text, seq).as_bytes())?,
                    seq,
                    kind.code(),
                    row_id.as_str()
                ],
            )?;
            bound_now += 1;
        }
    }
    crate::store::settings::put(write, SEALS_BOUND, &seq.to_string())?;
    if announce && bound_now > 0 {
        crate::audit::record(
            write,
            chrono::Utc::now(),
            None,
            AuditAction::StoreSealed,
            None,
            serde_json::json!({"bound": bound_now}),
        )?;
    }
    Ok(bound_now)
}

/// The sealed setting naming the kinds of rows this store's seals cover. A kind Sésame learns
/// to seal (companies) is sealed once in a store from before, where it stands, with a
/// `store.sealed` event; a kind already covered is never sealed again, so a row whose seal was
/// removed stays named.
const SEALED_KINDS: &str = "sealed_kinds";

/// The kinds a store sealed before `sealed_kinds` existed covered.
const KINDS_BEFORE_RECORDED: [SealedKind; 5] = [
    SealedKind::Key,
    SealedKind::Operator,
    SealedKind::Service,
    SealedKind::Setting,
    SealedKind::SigningKey,
];

/// Seals the rows of the kinds the store's seals do not cover yet (see [`SEALED_KINDS`]); with
/// `announce`, each newly covered kind is a `store.sealed` event.
fn seal_new_kinds(write: Write<'_>, key: &StateKey, announce: bool) -> Result<()> {
    let recorded = crate::store::settings::get(write, SEALED_KINDS)?;
    let covered: Vec<SealedKind> = match recorded {
        Some(list) if row_is_sealed(write, key, SealedKind::Setting, SEALED_KINDS)? => {
            list.split(',').filter_map(SealedKind::from_code).collect()
        }
        // Changed or deleted outside (its seal is left): nothing is sealed on its word.
        Some(_) => return Ok(()),
        None if crate::store::usage::seal_of(write, "setting", SEALED_KINDS)?.is_some() => {
            return Ok(());
        }
        None => KINDS_BEFORE_RECORDED.to_vec(),
    };
    let missing: Vec<SealedKind> = SealedKind::ALL
        .into_iter()
        .filter(|kind| !covered.contains(kind))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    for kind in missing {
        let rows = seal_rows(write, key, kind)?;
        if announce {
            crate::audit::record(
                write,
                chrono::Utc::now(),
                None,
                AuditAction::StoreSealed,
                None,
                serde_json::json!({"kind": kind.code(), "rows": rows}),
            )?;
        }
    }
    let all: Vec<&str> = SealedKind::ALL.iter().map(|kind| kind.code()).collect();
    crate::store::settings::put(write, SEALED_KINDS, &all.join(","))
}

/// Finds the store's state key and gives the connection its seals (see [`install`]). A store
/// never sealed is sealed now, in one transaction with its `store.sealed` event; one whose key
/// is gone is refused. `migrated` says migrations just ran: nothing is sealed then but the kinds
/// newly sealed (see [`SEALED_KINDS`]), and a trail kept from before heads is anchored.
pub(crate) fn load(
    db: Db<'_>,
    namespace: &KeyringNamespace,
    store: &Path,
    migrated: bool,
) -> Result<StateKey> {
    let installation = |read: Read<'_>| -> Result<String> {
        crate::store::settings::get(read, "installation_id")?
            .ok_or_else(|| Error::StoreCorrupt("the installation has no identity".into()))
    };
    if let Found::Existing(key) = read(namespace, &installation(db.into())?, store)? {
        install(db, &key)?;
        if migrated {
            db.transaction(|write| {
                let start = Some(trail_end(write.read())?);
                begin(write, start)?;
                // No migration since sealing adds a deciding row, so nothing is sealed here: a
                // row left unsealed (a seal deleted, a migration made to run again) stays named.
                // A trail kept by a version from before its head was anchored is anchored
                // now, where it ends, and the trail says so.
                let unanchored = crate::store::settings::get(write, AUDIT_HEAD)?.is_none()
                    && crate::store::audit::last(write)?.is_some();
                let anchor = unanchored || head_problem(write, &key)?.is_none();
                bind_unbound(write, &key, true)?;
                seal_new_kinds(write, &key, true)?;
                if unanchored {
                    crate::audit::record(
                        write,
                        chrono::Utc::now(),
                        None,
                        AuditAction::AuditAnchored,
                        None,
                        serde_json::json!({}),
                    )?;
                }
                before_commit(write, &key, anchor, start).map(drop)
            })?;
        }
        return Ok(key);
    }
    // Made under the store's write lock, so two programs opening a new store agree on one key.
    db.transaction(|write| {
        let installation = installation(write.read())?;
        let start = Some(trail_end(write.read())?);
        match read(namespace, &installation, store)? {
            Found::Existing(key) => {
                install(write.db(), &key)?;
                Ok(key)
            }
            found @ (Found::Missing | Found::KeyringSilent(_)) => {
                // A store whose seals were all removed must not pass for one from before
                // sealing: its trail shows it was sealed (an anchored head, or events only a
                // sealing Sésame writes).
                let sealed_before: bool = write.db().query_one(
                    "SELECT EXISTS (SELECT 1 FROM row_seals)
                         OR EXISTS (SELECT 1 FROM settings WHERE name = 'audit_head')
                         OR EXISTS (SELECT 1 FROM audit_events
                                    WHERE action IN ('store.sealed', 'store.resealed',
                                                     'store.tampered', 'audit.anchored'))",
                    &[],
                    |row| row.get(0),
                )?;
                match (sealed_before, found) {
                    (true, Found::KeyringSilent(problem)) => {
                        return Err(Error::StateKeyUnavailable(format!(
                            "no keyring answers ({problem}) and there is no key file beside the \
                             store; run Sésame in the session whose keyring holds the key"
                        )));
                    }
                    (true, _) => return Err(Error::StateKeyMissing),
                    (false, _) => {}
                }
                let key = create(namespace, &installation, store)?;
                install(write.db(), &key)?;
                begin(write, start)?;
                let rows = seal_unsealed(write, &key)?;
                bind_unbound(write, &key, false)?;
                seal_new_kinds(write, &key, false)?;
                // A store made by an earlier version is sealed as it is found, and the trail
                // says so; a new one (no operator yet) has nothing worth an event.
                let in_use: bool = write.db().query_one(
                    "SELECT EXISTS (SELECT 1 FROM operators)",
                    &[],
                    |row| row.get(0),
                )?;
                if in_use {
                    crate::audit::record(
                        write,
                        chrono::Utc::now(),
                        None,
                        AuditAction::StoreSealed,
                        None,
                        serde_json::json!({"rows": rows}),
                    )?;
                }
                before_commit(write, &key, true, start)?;
                Ok(key)
            }
        }
    })
}

impl crate::Sesame {
    /// A write refused because a row it touched does not match its seal: the row is named in
    /// the audit trail (once), and the error says which it is.
    pub(crate) fn refuse_unproven(&mut self, kind: &str, id: &str) -> Error {
        let Some(kind) = SealedKind::from_code(kind) else {
            return Error::Internal(format!("a row of unknown kind {kind} is unproven"));
        };
        let (table, alias, id_column, name_column) = kind.table();
        let name = self
            .connection
            .db()
            .query_opt(
                &format!(
                    "SELECT {alias}.{name_column} FROM {table} {alias} WHERE {alias}.{id_column} = ?1"
                ),
                crate::values![id],
                |row| row.get::<String>(0),
            )
            .ok()
            .flatten()
            .unwrap_or_else(|| id.to_owned());
        if let Err(error) = self.report_tampering(kind, id, &name, "write") {
            return error;
        }
        Error::StateTampered {
            kind: kind.row_kind(),
            name,
        }
    }

    /// Whether the row `id` of `kind` matches its seal where verification reads; one that does
    /// not is reported (once) as found `during`.
    pub(crate) fn proven_or_reported(
        &mut self,
        kind: SealedKind,
        id: &str,
        name: &str,
        during: &str,
    ) -> Result<bool> {
        if row_is_sealed(self.reads(), &self.state_key, kind, id)? {
            return Ok(true);
        }
        self.report_tampering(kind, id, name, during)?;
        Ok(false)
    }

    /// Writes a `store.tampered` event for a row found changed outside Sésame, once per row for
    /// this instance and its siblings (a flood of checks of one tampered key writes one event).
    pub(crate) fn report_tampering(
        &mut self,
        kind: SealedKind,
        id: &str,
        name: &str,
        during: &str,
    ) -> Result<()> {
        let reported = |set: &std::collections::HashSet<(SealedKind, String)>| {
            set.contains(&(kind, id.to_owned()))
        };
        if self.tamper_reported.lock().is_ok_and(|set| reported(&set)) {
            return Ok(());
        }
        let details =
            serde_json::json!({"kind": kind.code(), "id": id, "name": name, "during": during});
        self.write(|transaction, now| {
            crate::audit::record(
                transaction,
                now,
                None,
                AuditAction::StoreTampered,
                None,
                details,
            )
        })?;
        // Only once it is written: a report that failed is made again at the next finding.
        if let Ok(mut set) = self.tamper_reported.lock() {
            set.insert((kind, id.to_owned()));
        }
        Ok(())
    }

    /// Seals the rows a benchmark seeded straight into its own throw-away store, and anchors
    /// its trail. Only with the `bench-seeding` feature, which no front end enables.
    #[cfg(feature = "bench-seeding")]
    pub fn seal_rows_seeded_for_a_benchmark(&mut self) -> Result<usize> {
        let key = self.state_key.clone();
        sealing_transaction(self.connection.db(), &key, true, |write| {
            let sealed = seal_unsealed(write, &key)?;
            bind_unbound(write, &key, false)?;
            Ok(sealed)
        })
    }

    /// Anchors the audit trail where it ends now: an administrator's explicit step for a trail
    /// that no longer ends at its head (events brought in by another tool, a trail examined
    /// after an incident). Audited `audit.anchored` with the head it replaces, so the trail
    /// itself says that, and where, it was accepted as it is.
    pub fn anchor_audit_trail(&mut self, session: &crate::Session) -> Result<()> {
        let previous = crate::store::settings::get(&self.connection, AUDIT_HEAD)?;
        self.act(
            session,
            Some(crate::Right::Configuration),
            AuditAction::AuditAnchored,
            |write, now, actor| {
                crate::audit::record(
                    write,
                    now,
                    Some(actor),
                    AuditAction::AuditAnchored,
                    None,
                    serde_json::json!({"previous_head": previous}),
                )?;
                // The head's own row is proven by the write (a head edited outside is not
                // replaced): only where the trail ends is accepted as it is.
                anchor_audit_head(write).map(drop)
            },
        )?;
        // The head kept outside the store follows, so a trail accepted as it is stops being
        // reported as put back.
        self.high_water_pending = crate::store::settings::get(&self.connection, AUDIT_HEAD)?;
        self.note_high_water();
        Ok(())
    }

    /// Every sealed row checked against its seal (for `sesamectl store check` and auditors),
    /// and the audit chain; rows found changed are written to the audit trail.
    pub fn check_store(&mut self, session: &crate::Session) -> Result<StoreCheck> {
        self.require(session, crate::Right::Audit, AuditAction::StoreChecked)?;
        let (rows, tampered) = tampered_rows(&self.connection, &self.state_key)?;
        for row in &tampered {
            self.report_tampering(row.kind, &row.id, &row.name, "store_check")?;
        }
        let chain = self.check_audit_chain()?;
        // The key list's kept totals (PostgreSQL) are a cache of the keys: edited outside, they
        // are made again from the keys, and the check says so.
        let counts_rebuilt = !crate::store::keys::counts_hold(&self.connection)?;
        if counts_rebuilt {
            self.write(|write, _| crate::store::keys::rebuild_counts(write))?;
        }
        Ok(StoreCheck {
            rows,
            tampered,
            chain_events: chain.events,
            chain_first_broken: chain.first_broken.map(|(seq, _)| seq),
            counts_rebuilt,
        })
    }
}

/// What `check_store` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreCheck {
    pub rows: u64,
    pub tampered: Vec<TamperedRow>,
    pub chain_events: u64,
    pub chain_first_broken: Option<i64>,
    /// The key list's kept totals did not match the keys (edited outside) and were made again.
    pub counts_rebuilt: bool,
}

/// The key file beside the store, for when no keyring answers:
/// `sesame-state-<installation id>.key`, named after the installation (like the keyring entry)
/// so that a backup of the store kept in the same folder finds it too.
pub fn key_file_path(store: &Path, installation: &str) -> PathBuf {
    store.with_file_name(format!("sesame-state-{installation}.key"))
}

/// Where the state key was found.
#[derive(Debug)]
pub(crate) enum Found {
    Existing(StateKey),
    /// The keyring answered that it has none, and there is no key file.
    Missing,
    /// No keyring answered (no D-Bus session…), and there is no key file: the key may well be
    /// in the keyring of the session this program is not part of.
    KeyringSilent(String),
}

/// Reads the state key from the keyring, else from its file.
pub(crate) fn read(
    namespace: &KeyringNamespace,
    installation: &str,
    store: &Path,
) -> Result<Found> {
    let entry = format!("state-key-{installation}");
    let keyring_problem = match os_keyring::read(namespace, &entry) {
        Ok(Some(text)) => {
            return StateKey::decode(&text).map(Found::Existing).ok_or_else(|| {
                Error::StateKeyUnavailable("the keyring entry does not hold a state key".into())
            });
        }
        Ok(None) => None,
        Err(KeyringUnavailable(problem)) => Some(problem),
    };
    let file = key_file_path(store, installation);
    match std::fs::read_to_string(&file) {
        Ok(text) => {
            let text = Zeroizing::new(text);
            crate::store::private::tighten(&file, crate::store::private::FILE_MODE);
            StateKey::decode(&text).map(Found::Existing).ok_or_else(|| {
                Error::StateKeyUnavailable(format!("{} does not hold a state key", file.display()))
            })
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(match keyring_problem {
            Some(problem) => Found::KeyringSilent(problem),
            None => Found::Missing,
        }),
        Err(error) => Err(Error::StateKeyUnavailable(format!(
            "{}: {error}",
            file.display()
        ))),
    }
}

/// Keeps `key` as the installation's state key: in the keyring, else in an owner-only file.
pub(crate) fn keep(
    namespace: &KeyringNamespace,
    installation: &str,
    store: &Path,
    key: &StateKey,
) -> Result<()> {
    let entry = format!("state-key-{installation}");
    match os_keyring::write(namespace, &entry, &key.encode()) {
        Ok(()) => Ok(()),
        Err(KeyringUnavailable(_)) => write_file(&key_file_path(store, installation), key),
    }
}

/// Makes a new state key and keeps it in the keyring, else in an owner-only file.
pub(crate) fn create(
    namespace: &KeyringNamespace,
    installation: &str,
    store: &Path,
) -> Result<StateKey> {
    let key = StateKey::generate()?;
    let entry = format!("state-key-{installation}");
    match os_keyring::write(namespace, &entry, &key.encode()) {
        Ok(()) => Ok(key),
        Err(KeyringUnavailable(_)) => {
            write_file(&key_file_path(store, installation), &key)?;
            Ok(key)
        }
    }
}

fn write_file(path: &Path, key: &StateKey) -> Result<()> {
    use std::io::Write;
    let failed =
        |error: std::io::Error| Error::StateKeyUnavailable(format!("{}: {error}", path.display()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(crate::store::private::FILE_MODE);
    }
    let mut file = options.open(path).map_err(failed)?;
    file.write_all(key.encode().as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_key() -> Result<()> {
        let key = StateKey::generate()?;
        assert_eq!(format!("{key:?}"), "StateKey(…)");
        assert!(!format!("{key:?}").contains(&*key.encode()));
        Ok(())
    }

    /// A store in memory at this version's schema, with its seals kept by a new key; the
    /// migrations' own rows (the installation's identity) predate the key and are sealed: says
    /// how many.
    fn sealed_store() -> Result<(Connection, StateKey, usize)> {
        let connection = Connection::open_in_memory()?;
        for migration in crate::store::MIGRATIONS {
            connection.execute_batch(migration)?;
        }
        let key = StateKey::generate()?;
        install(Db::Sqlite(&connection), &key)?;
        let sealed = sealing_transaction(Db::Sqlite(&connection), &key, false, |write| {
            seal_unsealed(write, &key)
        })?;
        Ok((connection, key, sealed))
    }

    /// Runs `sql` as Sésame's own transaction does: proven, then sealed before it commits.
    fn as_sesame(connection: &Connection, key: &StateKey, sql: &str) -> Result<()> {
        sealing_transaction(Db::Sqlite(connection), key, false, |write| {
            write.db().batch(sql)
        })
    }

    #[test]
    fn the_rust_and_sql_canonical_forms_agree() -> Result<()> {
        let (connection, key, sealed) = sealed_store()?;
        assert_eq!(sealed, 1);
        as_sesame(
            &connection,
            &key,
            "INSERT INTO operators (id, name, name_key, password_hash, created_at)
                 VALUES ('o1', 'A', 'a', '$argon2id$x', 1);
             INSERT INTO services (id, name, name_key, key_prefix, created_at, created_by, updated_at)
                 VALUES ('s1', 'Paie', 'paie', 'paie', 1, 'o1', 1);
             INSERT INTO companies (id, name, name_key, created_at, created_by)
                 VALUES ('c2', 'B', 'b', 1, 'o1'), ('c1', 'A', 'a', 1, 'o1');
             INSERT INTO keys (id, service_id, name, name_key, identifier, secret_hash, status,
                               expires_at, created_at, created_by, revision)
                 VALUES ('k1', 's1', 'n', 'n', 'paie_x', '$argon2id$h', 'active', 99, 1, 'o1', 3);
             INSERT INTO key_permissions (key_id, permission) VALUES ('k1', 'z:w'), ('k1', 'a:r');
             INSERT INTO key_companies (key_id, company_id) VALUES ('k1', 'c2'), ('k1', 'c1');",
        )?;
        let (seal, seq): (Vec<u8>, i64) = connection.query_row(
            "SELECT seal, seq FROM row_seals WHERE kind = 'key' AND id = 'k1'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;
        let canonical = key_canonical(&KeyDecidingValues {
            id: "k1",
            service_id: "s1",
            identifier: "paie_x",
            status: "active",
            secret_hash: Some("$argon2id$h"),
            previous_secret_hash: None,
            previous_secret_valid_until: None,
            previous_generation: None,
            expires_at: Some(99),
            deleted_at: None,
            regenerated_at: None,
            revision: 3,
            permissions: &["z:w".into(), "a:r".into()],
            company_ids: &["c2".into(), "c1".into()],
        });
        let in_sql: String = connection.query_row(
            &format!(
                "SELECT {} FROM keys k WHERE k.id = 'k1'",
                SealedKind::Key.canonical_sql(Engine::Sqlite)
            ),
            [],
            |row| row.get(0),
        )?;
        assert_eq!(in_sql, canonical);
        assert!(key.opens(bound(&canonical, seq).as_bytes(), &seal));
        let (checked, tampered) = tampered_rows(&connection, &key)?;
        assert!(checked >= 3);
        assert_eq!(tampered, vec![]);
        // Edited outside (no triggers, no function): named.
        let outside = Connection::open_in_memory()?;
        drop(outside);
        connection.execute_batch(
            "DROP TRIGGER temp.seal_keys_update; DROP TRIGGER temp.prove_keys_update;",
        )?;
        connection.execute("UPDATE keys SET status = 'inactive' WHERE id = 'k1'", [])?;
        let (_, tampered) = tampered_rows(&connection, &key)?;
        assert_eq!(
            tampered,
            vec![TamperedRow {
                kind: SealedKind::Key,
                id: "k1".into(),
                name: "n".into()
            }]
        );
        Ok(())
    }

    /// No write path can be forgotten: every table a seal covers (each table the canonical
    /// texts read) has its proving triggers, and every kind of statement on each of them —
    /// insert, update, delete — is refused over a row whose seal does not match.
    #[test]
    fn every_write_to_every_sealed_table_proves_the_row_first() -> Result<()> {
        let (connection, key, _) = sealed_store()?;
        let sealed_tables: Vec<&str> = SEALED_TABLES.iter().map(|(table, ..)| *table).collect();
        for kind in SealedKind::ALL {
            let sql = kind.canonical_sql(Engine::Sqlite);
            let (own, ..) = kind.table();
            let read = sql
                .split("FROM ")
                .skip(1)
                .filter_map(|rest| rest.split_whitespace().next());
            for table in read.chain([own]) {
                assert!(
                    sealed_tables.contains(&table),
                    "{table} decides but is not sealed"
                );
            }
        }
        as_sesame(
            &connection,
            &key,
            "INSERT INTO operators (id, name, name_key, password_hash, created_at)
                 VALUES ('o1', 'A', 'a', '$argon2id$x', 1);
             INSERT INTO services (id, name, name_key, key_prefix, created_at, created_by, updated_at)
                 VALUES ('s1', 'Paie', 'paie', 'paie', 1, 'o1', 1);
             INSERT INTO service_permissions (service_id, permission) VALUES ('s1', 'a:r');
             INSERT INTO companies (id, name, name_key, created_at, created_by)
                 VALUES ('c1', 'A', 'a', 1, 'o1');
             INSERT INTO keys (id, service_id, name, name_key, identifier, secret_hash, status,
                               created_at, created_by, revision)
                 VALUES ('k1', 's1', 'n', 'n', 'paie_x', '$argon2id$h', 'active', 1, 'o1', 1);
             INSERT INTO key_permissions (key_id, permission) VALUES ('k1', 'a:r');
             INSERT INTO key_companies (key_id, company_id) VALUES ('k1', 'c1');
             INSERT INTO settings (name, value) VALUES ('language', 'fr');
             INSERT INTO signing_keys (kid, public_key, fingerprint, holder, registered_at)
                 VALUES ('g1', 'pk', 'fp', 'h', 1);",
        )?;
        assert_eq!(tampered_rows(&connection, &key)?.1, vec![]);
        // Every seal broken at once, as by someone without the key.
        connection.execute_batch("UPDATE row_seals SET seal = zeroblob(32);")?;
        let statements = [
            "INSERT INTO keys (id, service_id, name, name_key, identifier, secret_hash, status,
                 created_at, created_by) VALUES ('k1', 's1', 'm', 'm', 'paie_y', 'h', 'active', 1, 'o1')",
            "UPDATE keys SET status = 'inactive' WHERE id = 'k1'",
            "DELETE FROM keys WHERE id = 'k1'",
            "INSERT INTO key_permissions (key_id, permission) VALUES ('k1', 'b:w')",
            "UPDATE key_permissions SET permission = 'b:w' WHERE key_id = 'k1'",
            "DELETE FROM key_permissions WHERE key_id = 'k1'",
            "INSERT INTO key_companies (key_id, company_id) VALUES ('k1', 'c2')",
            "UPDATE key_companies SET company_id = 'c2' WHERE key_id = 'k1'",
            "DELETE FROM key_companies WHERE key_id = 'k1'",
            "INSERT INTO operators (id, name, name_key, password_hash, created_at)
                 VALUES ('o1', 'B', 'b', 'h', 1)",
            "UPDATE operators SET right_configuration = 1 WHERE id = 'o1'",
            "DELETE FROM operators WHERE id = 'o1'",
            "INSERT INTO services (id, name, name_key, key_prefix, created_at, created_by, updated_at)
                 VALUES ('s1', 'B', 'b', 'b', 1, 'o1', 1)",
            "UPDATE services SET key_prefix = 'autre' WHERE id = 's1'",
            "DELETE FROM services WHERE id = 's1'",
            "INSERT INTO service_permissions (service_id, permission) VALUES ('s1', 'b:w')",
            "UPDATE service_permissions SET permission = 'b:w' WHERE service_id = 's1'",
            "DELETE FROM service_permissions WHERE service_id = 's1'",
            "INSERT INTO settings (name, value) VALUES ('language', 'en')
                 ON CONFLICT (name) DO UPDATE SET value = excluded.value",
            "UPDATE settings SET value = 'en' WHERE name = 'language'",
            "DELETE FROM settings WHERE name = 'language'",
            "INSERT INTO signing_keys (kid, public_key, fingerprint, holder, registered_at)
                 VALUES ('g1', 'autre', 'fp', 'h', 1)",
            "UPDATE signing_keys SET retired_at = NULL, public_key = 'autre' WHERE kid = 'g1'",
            "DELETE FROM signing_keys WHERE kid = 'g1'",
            "INSERT INTO companies (id, name, name_key, created_at, created_by)
                 VALUES ('c1', 'B', 'b', 1, 'o1')",
            "UPDATE companies SET name_key = 'b' WHERE id = 'c1'",
            "DELETE FROM companies WHERE id = 'c1'",
        ];
        let mut covered = std::collections::HashSet::new();
        for statement in statements {
            let words: Vec<&str> = statement.split_whitespace().collect();
            let (verb, table) = match words[0] {
                "INSERT" => ("INSERT", words[2]),
                "UPDATE" => ("UPDATE", words[1]),
                _ => ("DELETE", words[2]),
            };
            covered.insert((verb, table));
            let refused = connection
                .execute_batch(statement)
                .err()
                .map(|e| e.to_string());
            assert!(
                refused
                    .as_deref()
                    .is_some_and(|text| text.contains(crate::error::UNPROVEN)),
                "{statement}: {refused:?}"
            );
        }
        for table in sealed_tables {
            for verb in ["INSERT", "UPDATE", "DELETE"] {
                assert!(
                    covered.contains(&(verb, table)),
                    "no {verb} on {table} was tried"
                );
            }
        }
        Ok(())
    }
}
