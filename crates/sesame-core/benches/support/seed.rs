//! A store filled in bulk for benchmarks: three services, five companies, and any number of
//! keys written straight into the tables. Shared by the criterion benches and the
//! `seed_store` example that the app benchmark (`bench/app.sh`) runs.
// A benchmark's set-up that fails has nothing to measure; `expect` says what failed.
#![allow(clippy::expect_used, clippy::unwrap_used, dead_code)]

use std::path::Path;

use chrono::{TimeZone, Utc};
use rusqlite::params;
use sesame_core::audit::AuditEvent;
use sesame_core::secret::secret_from;
use sesame_core::service::ServiceDraft;
use sesame_core::{HashingCost, Sesame, Session};

pub const ADMIN: &str = "Bench Admin";
pub const PASSWORD: &str = "mot de passe du banc";

pub fn store(path: &Path) -> (Sesame, Session) {
    store_in(Sesame::open(path).expect("open"))
}

/// [`store`] in a store already open (a PostgreSQL database, say).
pub fn store_in(mut sesame: Sesame) -> (Sesame, Session) {
    let admin = sesame
        .initialise("Bench Admin", &secret_from("mot de passe du banc".into()))
        .expect("init");
    for (name, prefix) in [("Paie", "paie"), ("GED", "ged"), ("Banque", "bq")] {
        let draft = ServiceDraft {
            name: name.into(),
            prefix: prefix.into(),
            permissions: vec!["factures:lecture".into(), "salaires:ecriture".into()],
            ..ServiceDraft::default()
        };
        sesame.create_service(&admin, &draft).expect("service");
    }
    for company in [
        "Dupont SARL",
        "Martin SA",
        "Bernard et fils",
        "Petit SAS",
        "Durand",
    ] {
        sesame.create_company(&admin, company).expect("company");
    }
    (sesame, admin)
}

/// Fills a store with `count` keys in one transaction, straight into the tables: the list's
/// speed does not depend on how the keys were hashed, and argon2id one by one would take
/// most of an hour for 100 000 keys.
pub fn seed(path: &Path, count: usize) {
    let connection = rusqlite::Connection::open(path).expect("open raw");
    let services: Vec<String> = {
        let mut statement = connection
            .prepare("SELECT id FROM services ORDER BY name")
            .unwrap();
        statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let companies: Vec<String> = {
        let mut statement = connection
            .prepare("SELECT id FROM companies ORDER BY name")
            .unwrap();
        statement
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let operator: String = connection
        .query_row("SELECT id FROM operators", [], |r| r.get(0))
        .unwrap();
    let hash = HashingCost::default().hash(b"bench").expect("hash");
    let words = [
        "paie",
        "banque",
        "ged",
        "export",
        "import",
        "comptable",
        "dupont",
        "mensuel",
    ];
    let start = 1_600_000_000_000_i64;
    let transaction = connection.unchecked_transaction().unwrap();
    {
        let mut insert = transaction
            .prepare(
                "INSERT INTO keys (id, service_id, name, name_key, identifier, secret_hash, status,
                     expires_at, created_at, created_by, last_used_at, use_count, revoked_at,
                     revoked_by, revoked_reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
            )
            .unwrap();
        let mut permission = transaction
            .prepare(
                "INSERT INTO key_permissions (key_id, permission) VALUES (?1, 'factures:lecture')",
            )
            .unwrap();
        let mut company = transaction
            .prepare("INSERT INTO key_companies (key_id, company_id) VALUES (?1, ?2)")
            .unwrap();
        for index in 0..count {
            let id = format!("bench-{index:08}");
            let name = format!("Clé {} {index}", words[index % words.len()]);
            let status = match index % 20 {
                0 => "revoked",
                1 | 2 => "inactive",
                _ => "active",
            };
            let created = start + (index as i64) * 60_000;
            let expires = (index % 7 == 0).then_some(created + 86_400_000 * 400);
            let revoked = (status == "revoked").then_some(created + 1000);
            insert
                .execute(params![
                    id,
                    services[index % services.len()],
                    name,
                    name.to_lowercase(),
                    format!("bench_{index:016}"),
                    hash,
                    status,
                    expires,
                    created,
                    operator,
                    (index % 3 == 0).then_some(created + 5000),
                    index % 50,
                    revoked,
                    revoked.map(|_| operator.clone()),
                    revoked.map(|_| "banc d'essai"),
                ])
                .unwrap();
            permission.execute([&id]).unwrap();
            if index % 3 == 0 {
                company
                    .execute(params![id, companies[index % companies.len()]])
                    .unwrap();
            }
        }
    }
    transaction.commit().unwrap();
    connection.execute_batch("ANALYZE").unwrap();
    // Written outside Sésame, the rows are sealed by the benchmarks' own step.
    #[cfg(feature = "bench-seeding")]
    Sesame::open(path)
        .expect("open")
        .seal_rows_seeded_for_a_benchmark()
        .expect("seal the seeded rows");
}

/// Appends `count` events straight to the trail, each hashed and chained as the core does (they
/// are outside Sésame: the caller anchors the trail by an administrator's step).
pub fn seed_events(path: &Path, admin: &Session, count: i64) {
    let mut connection = rusqlite::Connection::open(path).unwrap();
    let transaction = connection.transaction().unwrap();
    let (mut seq, mut previous): (i64, String) = transaction
        .query_row(
            "SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    let start = Utc.with_ymd_and_hms(2026, 1, 1, 8, 0, 0).unwrap();
    let mut insert = transaction
        .prepare(
            "INSERT INTO audit_events (seq, at, operator_id, operator_name, action, target_kind,
                     target_id, target_name, details, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )
        .unwrap();
    for n in 0..count {
        seq += 1;
        let mut event = AuditEvent {
            seq,
            at: start + chrono::Duration::seconds(n * 30),
            operator_id: Some(admin.operator_id().to_owned()),
            operator_name: Some("Bench Admin".into()),
            action: "key.deactivated".into(),
            target_kind: Some("key".into()),
            target_id: Some(format!("0190c2b0-0000-7000-8000-{n:012}")),
            target_name: Some(format!("clé {n}")),
            details: r#"{"identifier":"paie_4kXq9TzB0wLmR2vA","service":"Paie"}"#.into(),
            prev_hash: previous.clone(),
            hash: String::new(),
        };
        event.hash = event.compute_hash();
        insert
            .execute(params![
                event.seq,
                event.at.timestamp_millis(),
                event.operator_id,
                event.operator_name,
                event.action,
                event.target_kind,
                event.target_id,
                event.target_name,
                event.details,
                event.prev_hash,
                event.hash
            ])
            .unwrap();
        previous = event.hash;
    }
    drop(insert);
    transaction.commit().unwrap();
}
