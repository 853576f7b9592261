//! The `keys`, `key_permissions`, `key_companies` and `key_tags` tables: keys with their hashes,
//! grants and tags; the filtered, paged list; the writes of the lifecycle. The rules (rights,
//! transitions, validation, audit events) are `crate::key`'s.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use crate::clock::{from_millis, to_millis};
use crate::error::Result;
use crate::store::companies::CompanyRef;
use crate::store::db::{Engine, Read, Row, Value, Write};
use crate::values;
use crate::vocab::{Health, KeySort, KeyStatus};

/// When a key was last used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Usage {
    Never,
    /// Imported from elsewhere: its earlier uses are not known.
    Unknown,
    At(DateTime<Utc>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub id: String,
    pub service_id: String,
    pub service_name: String,
    pub name: String,
    pub identifier: String,
    pub status: KeyStatus,
    /// Active, inactive or revoked, before expiry is taken into account.
    pub stored_status: KeyStatus,
    pub expires_at: Option<DateTime<Utc>>,
    pub permissions: Vec<String>,
    pub companies: Vec<CompanyRef>,
    pub note: String,
    pub created_at: DateTime<Utc>,
    pub creator_name: String,
    pub last_use: Usage,
    pub use_count: u64,
    pub failed_attempts: u64,
    pub regenerated_at: Option<DateTime<Utc>>,
    /// While a regeneration's grace period runs, the previous secret works until then.
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<String>,
    pub revoked_reason: Option<String>,
    /// Free tags, sorted.
    pub tags: Vec<String>,
    /// Who to call about the key (a name, an e-mail or a phone number); may be empty.
    pub contact: String,
}

/// A key about to be written: what `create_key` and the import both store.
#[derive(Debug)]
pub(crate) struct KeyRecord<'a> {
    pub id: &'a str,
    pub service_id: &'a str,
    pub name: &'a str,
    pub name_key: &'a str,
    pub identifier: &'a str,
    pub secret_hash: &'a str,
    pub expires_at: Option<DateTime<Utc>>,
    pub note: &'a str,
    pub created_at: DateTime<Utc>,
    pub created_by: &'a str,
    /// The creator an import named who is not an operator of this store.
    pub creator_label: Option<&'a str>,
    /// Imported: its earlier uses are not known.
    pub usage_unknown: bool,
    pub permissions: &'a [String],
    pub companies: &'a [CompanyRef],
    pub tags: &'a [String],
    pub contact: &'a str,
}

/// The creator a list is filtered by: an operator (for the keys they made themselves), or a
/// name an import kept.
#[derive(Debug, Clone)]
pub(crate) enum Creator {
    Operator(String),
    Label(String),
}

/// The key list's criteria, with every name already resolved to an id; `None` means any.
#[derive(Debug, Clone, Default)]
pub(crate) struct Criteria {
    pub service_id: Option<String>,
    pub company_id: Option<String>,
    pub creator: Option<Creator>,
    pub status: Option<KeyStatus>,
    pub health: Option<Health>,
    /// Lower-cased.
    pub tag: Option<String>,
    /// A name comparison key the name must contain; empty for any.
    pub name_contains: String,
}

impl KeySort {
    fn order_by(self) -> &'static str {
        match self {
            KeySort::NewestFirst => "k.created_at DESC, k.id DESC",
            KeySort::OldestFirst => "k.created_at ASC, k.id ASC",
            KeySort::Name => "k.name_key ASC, k.id ASC",
            KeySort::LastUse => "k.last_used_at IS NULL, k.last_used_at DESC, k.id DESC",
            KeySort::Expiry => "k.expires_at IS NULL, k.expires_at ASC, k.id ASC",
        }
    }
}

/// The health view's checks, each a filter on the key list (revoked keys aside, except for the
/// last, which is about them): the condition on `k` and the instants it compares with.
fn health_condition(health: Health, now: DateTime<Utc>) -> (&'static str, Vec<DateTime<Utc>>) {
    match health {
        Health::Unused => (
            "k.status <> 'revoked' AND coalesce(k.last_used_at, k.created_at) <= ?",
            vec![now - Duration::days(90)],
        ),
        Health::NoExpiry => ("k.status <> 'revoked' AND k.expires_at IS NULL", vec![]),
        Health::NotRegenerated => (
            "k.status <> 'revoked' AND coalesce(k.regenerated_at, k.created_at) <= ?",
            vec![now - Duration::days(365)],
        ),
        Health::ExpiringSoon => (
            "k.status <> 'revoked' AND k.expires_at > ? AND k.expires_at <= ?",
            vec![now, now + Duration::days(30)],
        ),
        Health::RefusedAttempts => (
            "k.status IN ('inactive', 'revoked') AND k.failed_attempts > 0",
            vec![],
        ),
        // Live keys of a service with a maximum lifetime that would outlive it from now.
        Health::BeyondMaxLifetime => (
            "k.status <> 'revoked' AND EXISTS (SELECT 1 FROM services ls
                 WHERE ls.id = k.service_id AND ls.max_lifetime_days IS NOT NULL
                   AND (k.expires_at IS NULL
                        OR k.expires_at > CAST(? AS BIGINT) + CAST(ls.max_lifetime_days AS BIGINT) * 86400000
                                            + 86400000))",
            vec![now],
        ),
    }
}

const COLUMNS: &str = "k.id, k.service_id, s.name, k.name, k.identifier, k.status,
    k.expires_at, k.note, k.created_at, coalesce(k.creator_label, creator.name), k.last_used_at,
    k.use_count,
    k.usage_unknown, k.failed_attempts, k.regenerated_at, k.previous_secret_valid_until,
    k.revoked_at, revoker.name, k.revoked_reason, k.contact";

const FROM: &str = "keys k
    JOIN services s ON s.id = k.service_id
    JOIN operators creator ON creator.id = k.created_by
    LEFT JOIN operators revoker ON revoker.id = k.revoked_by";

pub(crate) fn stored_status(code: &str) -> KeyStatus {
    KeyStatus::from_code(code).unwrap_or(KeyStatus::Revoked)
}

/// The status people see: revoked stays revoked; otherwise a passed expiry makes it expired.
pub(crate) fn effective_status(
    stored: KeyStatus,
    expires_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> KeyStatus {
    match stored {
        KeyStatus::Revoked => KeyStatus::Revoked,
        _ if expires_at.is_some_and(|at| at <= now) => KeyStatus::Expired,
        other => other,
    }
}

fn key(row: &Row<'_>, now: DateTime<Utc>) -> Result<Key> {
    let stored = stored_status(&row.get::<String>(5)?);
    let expires_at = row.get::<Option<i64>>(6)?.map(from_millis);
    let last_used_at = row.get::<Option<i64>>(10)?.map(from_millis);
    let usage_unknown: bool = row.get(12)?;
    let last_use = match (last_used_at, usage_unknown) {
        (Some(at), _) => Usage::At(at),
        (None, true) => Usage::Unknown,
        (None, false) => Usage::Never,
    };
    let grace_until = row
        .get::<Option<i64>>(15)?
        .map(from_millis)
        .filter(|at| *at > now);
    Ok(Key {
        id: row.get(0)?,
        service_id: row.get(1)?,
        service_name: row.get(2)?,
        name: row.get(3)?,
        identifier: row.get(4)?,
        status: effective_status(stored, expires_at, now),
        stored_status: stored,
        expires_at,
        permissions: Vec::new(),
        companies: Vec::new(),
        note: row.get(7)?,
        created_at: from_millis(row.get(8)?),
        creator_name: row.get(9)?,
        last_use,
        use_count: row.get(11)?,
        failed_attempts: row.get(13)?,
        regenerated_at: row.get::<Option<i64>>(14)?.map(from_millis),
        previous_secret_valid_until: grace_until,
        revoked_at: row.get::<Option<i64>>(16)?.map(from_millis),
        revoked_by: row.get(17)?,
        revoked_reason: row.get(18)?,
        tags: Vec::new(),
        contact: row.get(19)?,
    })
}

fn texts(values: &[String]) -> Vec<Value> {
    values.iter().map(Value::from).collect()
}

/// Fills in the permissions, companies and tags of a batch of keys with three queries.
fn attach_grants(read: Read<'_>, keys: &mut [Key]) -> Result<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let ids: Vec<String> = keys.iter().map(|key| key.id.clone()).collect();
    let index: HashMap<String, usize> = keys
        .iter()
        .enumerate()
        .map(|(position, key)| (key.id.clone(), position))
        .collect();
    let db = read.db();
    let list = super::db::placeholders(ids.len());
    let permissions = db.query(
        &format!(
            "SELECT key_id, permission FROM key_permissions WHERE key_id IN ({list})
             ORDER BY permission"
        ),
        &texts(&ids),
        |row| Ok((row.get::<String>(0)?, row.get::<String>(1)?)),
    )?;
    let companies = db.query(
        &format!(
            "SELECT kc.key_id, c.id, c.name
             FROM key_companies kc JOIN companies c ON c.id = kc.company_id
             WHERE kc.key_id IN ({list}) ORDER BY c.name_key"
        ),
        &texts(&ids),
        |row| {
            Ok((
                row.get::<String>(0)?,
                CompanyRef {
                    id: row.get(1)?,
                    name: row.get(2)?,
                },
            ))
        },
    )?;
    let tags = db.query(
        &format!("SELECT key_id, tag FROM key_tags WHERE key_id IN ({list}) ORDER BY tag"),
        &texts(&ids),
        |row| Ok((row.get::<String>(0)?, row.get::<String>(1)?)),
    )?;
    for (key_id, permission) in permissions {
        if let Some(&position) = index.get(&key_id) {
            keys[position].permissions.push(permission);
        }
    }
    for (key_id, company) in companies {
        if let Some(&position) = index.get(&key_id) {
            keys[position].companies.push(company);
        }
    }
    for (key_id, tag) in tags {
        if let Some(&position) = index.get(&key_id) {
            keys[position].tags.push(tag);
        }
    }
    Ok(())
}

/// One key that has not been deleted.
pub(crate) fn load<'c>(
    read: impl Into<Read<'c>>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<Option<Key>> {
    let read = read.into();
    let found = read.db().query_opt(
        &format!("SELECT {COLUMNS} FROM {FROM} WHERE k.id = ?1 AND k.deleted_at IS NULL"),
        values![id],
        |row| key(row, now),
    )?;
    let Some(mut found) = found else {
        return Ok(None);
    };
    attach_grants(read, std::slice::from_mut(&mut found))?;
    Ok(Some(found))
}

/// Many keys by id, with their grants, a few hundred per query; ids of deleted keys are left out.
pub(crate) fn load_many<'c>(
    read: impl Into<Read<'c>>,
    ids: &[String],
    now: DateTime<Utc>,
) -> Result<Vec<Key>> {
    let read = read.into();
    let mut keys = Vec::with_capacity(ids.len());
    for batch in ids.chunks(500) {
        let mut loaded = read.db().query(
            &format!(
                "SELECT {COLUMNS} FROM {FROM}
                 WHERE k.id IN ({}) AND k.deleted_at IS NULL ORDER BY s.name, k.name_key",
                super::db::placeholders(batch.len())
            ),
            &texts(batch),
            |row| key(row, now),
        )?;
        attach_grants(read, &mut loaded)?;
        keys.append(&mut loaded);
    }
    Ok(keys)
}

/// A key's id and name by its public identifier, deleted keys included (their history stays).
pub(crate) fn find_by_identifier<'c>(
    read: impl Into<Read<'c>>,
    identifier: &str,
) -> Result<Option<(String, String)>> {
    read.into().db().query_opt(
        "SELECT id, name FROM keys WHERE identifier = ?1",
        values![identifier],
        |row| Ok((row.get(0)?, row.get(1)?)),
    )
}

/// The id of the key that still exists with this id or identifier.
pub(crate) fn find_live<'c>(
    read: impl Into<Read<'c>>,
    id_or_identifier: &str,
) -> Result<Option<String>> {
    read.into().db().query_opt(
        "SELECT id FROM keys WHERE (id = ?1 OR identifier = ?1) AND deleted_at IS NULL",
        values![id_or_identifier],
        |row| row.get(0),
    )
}

/// The ids of up to two keys that still exist with this name comparison key (two say it is
/// ambiguous).
pub(crate) fn find_by_name<'c>(read: impl Into<Read<'c>>, name_key: &str) -> Result<Vec<String>> {
    read.into().db().query(
        "SELECT id FROM keys WHERE name_key = ?1 AND deleted_at IS NULL LIMIT 2",
        values![name_key],
        |row| row.get(0),
    )
}

/// Whether another key of the service than `except_id` has this name comparison key.
pub(crate) fn name_taken<'c>(
    read: impl Into<Read<'c>>,
    service_id: &str,
    name_key: &str,
    except_id: &str,
) -> Result<bool> {
    read.into().db().query_one(
        "SELECT EXISTS (SELECT 1 FROM keys WHERE service_id = ?1 AND name_key = ?2
             AND deleted_at IS NULL AND id <> ?3)",
        values![service_id, name_key, except_id],
        |row| row.get(0),
    )
}

/// The name of the service a key belongs to.
pub(crate) fn service_name_of<'c>(
    read: impl Into<Read<'c>>,
    key_id: &str,
) -> Result<Option<String>> {
    read.into().db().query_opt(
        "SELECT s.name FROM keys k JOIN services s ON s.id = k.service_id WHERE k.id = ?1",
        values![key_id],
        |row| row.get(0),
    )
}

/// The creators imports named who are not operators, for keys that still exist.
pub(crate) fn creator_labels<'c>(read: impl Into<Read<'c>>) -> Result<Vec<String>> {
    read.into().db().query(
        "SELECT DISTINCT creator_label FROM keys
         WHERE creator_label IS NOT NULL AND deleted_at IS NULL",
        &[],
        |row| row.get(0),
    )
}

pub(crate) fn creator_label_exists<'c>(read: impl Into<Read<'c>>, label: &str) -> Result<bool> {
    read.into().db().query_one(
        "SELECT EXISTS (SELECT 1 FROM keys WHERE creator_label = ?1 AND deleted_at IS NULL)",
        values![label],
        |row| row.get(0),
    )
}

/// Every tag of the keys that still exist, sorted.
pub(crate) fn tags_in_use<'c>(read: impl Into<Read<'c>>) -> Result<Vec<String>> {
    read.into().db().query(
        "SELECT DISTINCT kt.tag FROM key_tags kt JOIN keys k ON k.id = kt.key_id
         WHERE k.deleted_at IS NULL ORDER BY kt.tag",
        &[],
        |row| row.get(0),
    )
}

/// The ids of the keys that still exist and are restricted to a company.
pub(crate) fn ids_with_company<'c>(
    read: impl Into<Read<'c>>,
    company_id: &str,
) -> Result<Vec<String>> {
    read.into().db().query(
        "SELECT k.id FROM key_companies kc JOIN keys k ON k.id = kc.key_id
         WHERE kc.company_id = ?1 AND k.deleted_at IS NULL",
        values![company_id],
        |row| row.get(0),
    )
}

/// The ids of the keys of a service that still exist.
pub(crate) fn ids_of_service<'c>(
    read: impl Into<Read<'c>>,
    service_id: &str,
) -> Result<Vec<String>> {
    read.into().db().query(
        "SELECT id FROM keys WHERE service_id = ?1 AND deleted_at IS NULL",
        values![service_id],
        |row| row.get(0),
    )
}

/// The condition on `keys k` the criteria make, and its values; the company apart, since the
/// count and the page use it differently.
fn condition(criteria: &Criteria, now: DateTime<Utc>) -> (String, Vec<Value>) {
    let mut conditions = vec!["k.deleted_at IS NULL".to_owned()];
    let mut values: Vec<Value> = Vec::new();
    if let Some(service) = &criteria.service_id {
        conditions.push("k.service_id = ?".into());
        values.push(service.into());
    }
    match &criteria.creator {
        None => {}
        Some(Creator::Operator(operator)) => {
            conditions.push("k.created_by = ? AND k.creator_label IS NULL".into());
            values.push(operator.into());
        }
        Some(Creator::Label(label)) => {
            conditions.push("k.creator_label = ?".into());
            values.push(label.into());
        }
    }
    let now_millis = Value::Integer(to_millis(now));
    match criteria.status {
        None => {}
        Some(KeyStatus::Revoked) => conditions.push("k.status = 'revoked'".into()),
        Some(KeyStatus::Expired) => {
            conditions.push("k.status <> 'revoked' AND k.expires_at <= ?".into());
            values.push(now_millis);
        }
        Some(live) => {
            conditions.push("k.status = ? AND (k.expires_at IS NULL OR k.expires_at > ?)".into());
            values.push(live.code().into());
            values.push(now_millis);
        }
    }
    if let Some(health) = criteria.health {
        let (condition, instants) = health_condition(health, now);
        conditions.push(condition.into());
        values.extend(instants.into_iter().map(|at| Value::Integer(to_millis(at))));
    }
    if let Some(tag) = &criteria.tag {
        conditions.push(
            "EXISTS (SELECT 1 FROM key_tags kt WHERE kt.key_id = k.id AND kt.tag = ?)".into(),
        );
        values.push(tag.into());
    }
    if !criteria.name_contains.is_empty() {
        // `LIKE '%…%'` on the name's comparison key without accents (the text is one too),
        // which PostgreSQL answers from its trigram index when it has one (migrations 8, 13).
        conditions.push("sesame_unaccent(k.name_key) LIKE ? ESCAPE '\\'".into());
        let escaped = criteria
            .name_contains
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        values.push(format!("%{escaped}%").into());
    }
    (conditions.join(" AND "), values)
}

/// On PostgreSQL, folds the changes of the key counts this transaction's triggers appended
/// (migration 8) into the counts themselves: one statement, before the transaction commits.
pub(crate) fn fold_counts(write: Write<'_>) -> Result<()> {
    let db = write.db();
    if db.engine() != Engine::Postgres {
        return Ok(());
    }
    db.execute(
        "WITH folded AS (DELETE FROM key_count_deltas RETURNING *)
         INSERT INTO key_counts
             (company_id, service_id, status, created_by, creator_label, expiring, n)
         SELECT company_id, service_id, status, created_by, creator_label, expiring, sum(n)
         FROM folded GROUP BY 1, 2, 3, 4, 5, 6
         ON CONFLICT (company_id, service_id, status, created_by, creator_label, expiring)
         DO UPDATE SET n = key_counts.n + excluded.n",
        &[],
    )?;
    Ok(())
}

/// On PostgreSQL, every kept count: the folded counts and the changes not yet folded
/// (migration 8); a total is the sum of `n` over the rows of its facets.
pub(crate) const KEPT_COUNTS: &str =
    "(SELECT * FROM key_counts UNION ALL SELECT * FROM key_count_deltas)";

/// The keys restricted to the company bound to `?` (the list's company criterion).
const COMPANY_KEYS: &str =
    "EXISTS (SELECT 1 FROM key_companies kc WHERE kc.key_id = k.id AND kc.company_id = ?)";

/// On PostgreSQL, the total from `key_counts` and `key_count_deltas` (kept by its triggers,
/// migration 8) when the criteria are facets it counts — company, service, status, creator —
/// plus a count of the keys with an expiry, whose status depends on the moment; `None` otherwise (a tag, a health
/// criterion or a name to contain need the keys themselves), and always on SQLite, whose count
/// of an index is fast enough.
fn counted_total(read: Read<'_>, criteria: &Criteria, now: DateTime<Utc>) -> Result<Option<u64>> {
    let db = read.db();
    if db.engine() != Engine::Postgres
        || criteria.tag.is_some()
        || criteria.health.is_some()
        || !criteria.name_contains.is_empty()
    {
        return Ok(None);
    }
    let mut facets = vec!["c.company_id = ?".to_owned()];
    let mut facet_values: Vec<Value> = vec![criteria.company_id.clone().unwrap_or_default().into()];
    let mut expiring = vec![
        "k.deleted_at IS NULL".to_owned(),
        "k.expires_at IS NOT NULL".to_owned(),
    ];
    let mut expiring_values: Vec<Value> = Vec::new();
    if let Some(company) = &criteria.company_id {
        expiring.push(COMPANY_KEYS.into());
        expiring_values.push(company.into());
    }
    if let Some(service) = &criteria.service_id {
        facets.push("c.service_id = ?".into());
        facet_values.push(service.into());
        expiring.push("k.service_id = ?".into());
        expiring_values.push(service.into());
    }
    match &criteria.creator {
        None => {}
        Some(Creator::Operator(operator)) => {
            facets.push("c.created_by = ? AND c.creator_label = ''".into());
            facet_values.push(operator.into());
            expiring.push("k.created_by = ? AND k.creator_label IS NULL".into());
            expiring_values.push(operator.into());
        }
        Some(Creator::Label(label)) => {
            facets.push("c.creator_label = ?".into());
            facet_values.push(label.into());
            expiring.push("k.creator_label = ?".into());
            expiring_values.push(label.into());
        }
    }
    let now_millis = Value::Integer(to_millis(now));
    // Which facets count whole, and which keys with an expiry count one by one.
    let expiring_status = match criteria.status {
        None => None,
        Some(KeyStatus::Revoked) => {
            facets.push("c.status = 'revoked'".into());
            None
        }
        Some(KeyStatus::Expired) => {
            facets.push("FALSE".into());
            expiring_values.push(now_millis);
            Some("k.status <> 'revoked' AND k.expires_at <= ?".to_owned())
        }
        Some(live) => {
            facets.push("c.status = ? AND NOT c.expiring".into());
            facet_values.push(live.code().into());
            expiring_values.push(live.code().into());
            expiring_values.push(now_millis);
            Some("k.status = ? AND k.expires_at > ?".to_owned())
        }
    };
    let counted: i64 = db.query_one(
        &format!(
            "SELECT CAST(coalesce(sum(c.n), 0) AS BIGINT) FROM {KEPT_COUNTS} c WHERE {}",
            facets.join(" AND ")
        ),
        &facet_values,
        |row| row.get(0),
    )?;
    let one_by_one: i64 = match expiring_status {
        None => 0,
        Some(status) => {
            expiring.push(status);
            db.query_one(
                &format!(
                    "SELECT count(*) FROM keys k WHERE {}",
                    expiring.join(" AND ")
                ),
                &expiring_values,
                |row| row.get(0),
            )?
        }
    };
    Ok(Some(u64::try_from(counted + one_by_one).unwrap_or(0)))
}

/// One page of the keys the criteria take, in `sort` order, and how many they take in all.
/// Each filter has its index; the page is read with a `LIMIT`/`OFFSET` and the total with one
/// `COUNT`.
pub(crate) fn page<'c>(
    read: impl Into<Read<'c>>,
    criteria: &Criteria,
    sort: KeySort,
    offset: u64,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<(Vec<Key>, u64)> {
    let read = read.into();
    let (condition, values) = condition(criteria, now);

    // The total. Without a company it is counted on the narrow `keys_facets` index, which
    // covers every other filter; with one, from that company's rows of `key_companies` rather
    // than by testing every key.
    let (count_sql, count_values) = match &criteria.company_id {
        Some(company) => (
            format!(
                "SELECT COUNT(*) FROM key_companies company_filter
                 JOIN keys k ON k.id = company_filter.key_id
                 WHERE company_filter.company_id = ? AND {condition}"
            ),
            std::iter::once(Value::from(company))
                .chain(values.iter().cloned())
                .collect(),
        ),
        None => (
            format!("SELECT COUNT(*) FROM keys k INDEXED BY keys_facets WHERE {condition}"),
            values.clone(),
        ),
    };
    let total: u64 = match counted_total(read, criteria, now)? {
        Some(total) => total,
        None => read
            .db()
            .query_one(&count_sql, &count_values, |row| row.get(0))?,
    };

    // The page is chosen on `keys` alone, where an index gives the order, and only its rows are
    // joined; joining first would let the planner sort every matching row.
    let mut page_condition = condition;
    let mut page_values = values;
    if let Some(company) = &criteria.company_id {
        page_condition.push_str(" AND ");
        page_condition.push_str(COMPANY_KEYS);
        page_values.push(company.into());
    }
    page_values.push(limit.into());
    page_values.push(offset.into());
    let order = sort.order_by();
    let mut keys = read.db().query(
        &format!(
            "SELECT {COLUMNS} FROM (SELECT * FROM keys k WHERE {page_condition}
                 ORDER BY {order} LIMIT ? OFFSET ?) AS k
             JOIN services s ON s.id = k.service_id
             JOIN operators creator ON creator.id = k.created_by
             LEFT JOIN operators revoker ON revoker.id = k.revoked_by
             ORDER BY {order}"
        ),
        &page_values,
        |row| key(row, now),
    )?;
    attach_grants(read, &mut keys)?;
    Ok((keys, total))
}

/// The ids of every key the criteria take.
pub(crate) fn matching_ids<'c>(
    read: impl Into<Read<'c>>,
    criteria: &Criteria,
    now: DateTime<Utc>,
) -> Result<Vec<String>> {
    let (mut condition, mut values) = condition(criteria, now);
    if let Some(company) = &criteria.company_id {
        condition.push_str(" AND ");
        condition.push_str(COMPANY_KEYS);
        values.push(company.into());
    }
    read.into().db().query(
        &format!("SELECT k.id FROM keys k WHERE {condition}"),
        &values,
        |row| row.get(0),
    )
}

/// Writes a new, active key with its permissions, companies and tags.
pub(crate) fn insert<'c>(write: impl Into<Write<'c>>, key: &KeyRecord<'_>) -> Result<()> {
    let write = write.into();
    write.db().execute(
        "INSERT INTO keys (id, service_id, name, name_key, identifier, secret_hash, status,
             expires_at, note, created_at, created_by, creator_label, usage_unknown, contact)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'active', ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        values![
            key.id,
            key.service_id,
            key.name,
            key.name_key,
            key.identifier,
            key.secret_hash,
            key.expires_at.map(to_millis),
            key.note,
            to_millis(key.created_at),
            key.created_by,
            key.creator_label,
            key.usage_unknown,
            key.contact,
        ],
    )?;
    insert_grants(write, key.id, key.permissions, key.companies)?;
    write_tags(write, key.id, key.tags)
}

/// A key's new name, note, expiry and contact.
pub(crate) fn update<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    name: &str,
    name_key: &str,
    note: &str,
    expires_at: Option<DateTime<Utc>>,
    contact: &str,
) -> Result<()> {
    write.into().db().execute(
        "UPDATE keys SET name = ?2, name_key = ?3, note = ?4, expires_at = ?5, contact = ?6
         WHERE id = ?1",
        values![id, name, name_key, note, expires_at.map(to_millis), contact],
    )?;
    Ok(())
}

pub(crate) fn set_expiry<'c>(
    write: impl Into<Write<'c>>,
    id: &str,
    expires_at: Option<DateTime<Utc>>,
) -> Result<()> {
    write.into().db().execute(
        "UPDATE keys SET expires_at = ?2 WHERE id = ?1",
        values![id, expires_at.map(to_millis)],
    )?;
    Ok(())
}

/// A new stored status (active or inactive).
pub(crate) fn write_status<'c>(
    write: impl Into<Write<'c>>,
    key_id: &str,
    status: KeyStatus,
) -> Result<()> {
    write.into().db().execute(
        "UPDATE keys SET status = ?2 WHERE id = ?1",
        values![key_id, status.code()],
    )?;
    Ok(())
}

/// Revocation is final: the reason is kept and a previous secret's grace ends with it.
pub(crate) fn write_revocation<'c>(
    write: impl Into<Write<'c>>,
    key_id: &str,
    now: DateTime<Utc>,
    by: &str,
    reason: &str,
) -> Result<()> {
    write.into().db().execute(
        "UPDATE keys SET status = 'revoked', revoked_at = ?2, revoked_by = ?3,
             revoked_reason = ?4, previous_secret_hash = NULL,
             previous_secret_valid_until = NULL, previous_generation = NULL
         WHERE id = ?1",
        values![key_id, to_millis(now), by, reason],
    )?;
    Ok(())
}

/// A deleted key leaves every list and loses its hashes; its row stays for the audit trail.
pub(crate) fn write_deletion<'c>(
    write: impl Into<Write<'c>>,
    key_id: &str,
    now: DateTime<Utc>,
    by: &str,
) -> Result<()> {
    write.into().db().execute(
        "UPDATE keys SET deleted_at = ?2, deleted_by = ?3, secret_hash = NULL,
             previous_secret_hash = NULL, previous_secret_valid_until = NULL,
             previous_generation = NULL
         WHERE id = ?1",
        values![key_id, to_millis(now), by],
    )?;
    Ok(())
}

/// A new secret's hash; the previous one keeps working until `grace_until` when given.
pub(crate) fn write_new_secret<'c>(
    write: impl Into<Write<'c>>,
    key_id: &str,
    secret_hash: &str,
    grace_until: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Result<()> {
    write.into().db().execute(
        "UPDATE keys SET
             previous_secret_hash = CASE WHEN CAST(?3 AS BIGINT) IS NULL THEN NULL ELSE secret_hash END,
             previous_generation = CASE WHEN CAST(?3 AS BIGINT) IS NULL THEN NULL
                                        ELSE coalesce(regenerated_at, 0) END,
             previous_secret_valid_until = ?3,
             secret_hash = ?2, regenerated_at = ?4
         WHERE id = ?1",
        values![key_id, secret_hash, grace_until.map(to_millis), to_millis(now)],
    )?;
    Ok(())
}

/// Every change of a key makes a new revision, which running verifiers compare with theirs.
pub(crate) fn bump_revision<'c>(write: impl Into<Write<'c>>, key_id: &str) -> Result<()> {
    write.into().db().execute(
        "UPDATE keys SET revision = revision + 1 WHERE id = ?1",
        values![key_id],
    )?;
    Ok(())
}

/// Replaces a key's tags.
pub(crate) fn write_tags<'c>(
    write: impl Into<Write<'c>>,
    key_id: &str,
    tags: &[String],
) -> Result<()> {
    let db = write.into().db();
    db.execute("DELETE FROM key_tags WHERE key_id = ?1", values![key_id])?;
    for tag in tags {
        db.execute(
            "INSERT INTO key_tags (key_id, tag) VALUES (?1, ?2)",
            values![key_id, tag],
        )?;
    }
    Ok(())
}

pub(crate) fn add_tag<'c>(write: impl Into<Write<'c>>, key_id: &str, tag: &str) -> Result<()> {
    write.into().db().execute(
        "INSERT INTO key_tags (key_id, tag) VALUES (?1, ?2)",
        values![key_id, tag],
    )?;
    Ok(())
}

pub(crate) fn remove_tag<'c>(write: impl Into<Write<'c>>, key_id: &str, tag: &str) -> Result<()> {
    write.into().db().execute(
        "DELETE FROM key_tags WHERE key_id = ?1 AND tag = ?2",
        values![key_id, tag],
    )?;
    Ok(())
}

/// Replaces a key's permissions and companies.
pub(crate) fn write_grants<'c>(
    write: impl Into<Write<'c>>,
    key_id: &str,
    permissions: &[String],
    companies: &[CompanyRef],
) -> Result<()> {
    let write = write.into();
    write.db().execute(
        "DELETE FROM key_permissions WHERE key_id = ?1",
        values![key_id],
    )?;
    write.db().execute(
        "DELETE FROM key_companies WHERE key_id = ?1",
        values![key_id],
    )?;
    insert_grants(write, key_id, permissions, companies)
}

pub(crate) fn remove_company<'c>(
    write: impl Into<Write<'c>>,
    key_id: &str,
    company_id: &str,
) -> Result<()> {
    write.into().db().execute(
        "DELETE FROM key_companies WHERE key_id = ?1 AND company_id = ?2",
        values![key_id, company_id],
    )?;
    Ok(())
}

fn insert_grants(
    write: Write<'_>,
    key_id: &str,
    permissions: &[String],
    companies: &[CompanyRef],
) -> Result<()> {
    for permission in permissions {
        write.db().execute(
            "INSERT INTO key_permissions (key_id, permission) VALUES (?1, ?2)",
            values![key_id, permission],
        )?;
    }
    for company in companies {
        write.db().execute(
            "INSERT INTO key_companies (key_id, company_id) VALUES (?1, ?2)",
            values![key_id, &company.id],
        )?;
    }
    Ok(())
}

/// The kept counts as the keys themselves make them (PostgreSQL): per facet, live keys for
/// every company (`''`) and for each company a key serves.
const COUNTS_FROM_KEYS: &str = "
    SELECT '' AS company_id, service_id, status, created_by, coalesce(creator_label, '') AS creator_label,
           expires_at IS NOT NULL AS expiring, count(*) AS n
    FROM keys WHERE deleted_at IS NULL GROUP BY 2, 3, 4, 5, 6
    UNION ALL
    SELECT kc.company_id, k.service_id, k.status, k.created_by, coalesce(k.creator_label, ''),
           k.expires_at IS NOT NULL, count(*)
    FROM keys k JOIN key_companies kc ON kc.key_id = k.id
    WHERE k.deleted_at IS NULL GROUP BY 1, 2, 3, 4, 5, 6";

/// On PostgreSQL, whether the kept counts (folded with their pending deltas) are exactly what
/// the keys make: counts edited outside Sésame would show a list with the wrong total. Always
/// true on SQLite, which counts the keys themselves.
pub(crate) fn counts_hold<'c>(read: impl Into<Read<'c>>) -> Result<bool> {
    let db = read.into().db();
    if db.engine() != Engine::Postgres {
        return Ok(true);
    }
    let kept = format!(
        "SELECT company_id, service_id, status, created_by, creator_label, expiring,
                CAST(sum(n) AS BIGINT) AS n
         FROM {KEPT_COUNTS} c GROUP BY 1, 2, 3, 4, 5, 6 HAVING sum(n) <> 0"
    );
    let made = format!(
        "SELECT company_id, service_id, status, created_by, creator_label, expiring,
                CAST(n AS BIGINT) AS n FROM ({COUNTS_FROM_KEYS}) m"
    );
    db.query_one(
        &format!(
            "SELECT NOT EXISTS (({kept}) EXCEPT ({made})) AND NOT EXISTS (({made}) EXCEPT ({kept}))"
        ),
        &[],
        |row| row.get(0),
    )
}

/// Makes the kept counts again from the keys (PostgreSQL): a cache, like the audit chain's
/// checkpoint, so not a change of state.
pub(crate) fn rebuild_counts(write: Write<'_>) -> Result<()> {
    let db = write.db();
    if db.engine() != Engine::Postgres {
        return Ok(());
    }
    db.execute("DELETE FROM key_count_deltas", &[])?;
    db.execute("DELETE FROM key_counts", &[])?;
    db.execute(
        &format!(
            "INSERT INTO key_counts (company_id, service_id, status, created_by, creator_label,
                                     expiring, n) {COUNTS_FROM_KEYS}"
        ),
        &[],
    )?;
    Ok(())
}
