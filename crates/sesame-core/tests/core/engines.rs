//! The store's two engines behind one handle (`store::db`): the same statements, values and
//! transactions on SQLite and on the private PostgreSQL cluster.

use sesame_core::store::db::{Connection, Db, PgConnection};

use crate::postgres::Database;

#[test]
fn sqlite_reads_and_writes_through_the_handle() -> sesame_core::Result<()> {
    let connection = Connection::Sqlite(rusqlite::Connection::open_in_memory()?);
    exercise(connection.db())
}

#[test]
fn postgres_reads_and_writes_through_the_same_handle() -> sesame_core::Result<()> {
    let Some(database) = Database::new() else {
        return Ok(());
    };
    let connection = Connection::Postgres(Box::new(PgConnection::new(database.client())));
    exercise(connection.db())
}

/// The same statements on an engine the PostgreSQL twin runs in the core's tests against
/// the private cluster.
fn exercise(db: Db<'_>) -> sesame_core::Result<()> {
    // BYTEA is PostgreSQL's; SQLite takes any type name.
    db.batch(
        "CREATE TABLE probe (id TEXT PRIMARY KEY, n BIGINT NOT NULL, flag BOOLEAN NOT NULL,
             note TEXT, seal BYTEA)",
    )?;
    db.transaction(|tx| {
        let tx = tx.db();
        tx.execute(
            "INSERT INTO probe (id, n, flag, note, seal) VALUES (?1, ?2, ?3, ?4, ?5)",
            sesame_core::values!["a", 41_i64, true, None::<String>, vec![1_u8, 2]],
        )?;
        tx.execute(
            "INSERT INTO probe (id, n, flag, note, seal) VALUES (?, ?, ?, ?, ?)",
            sesame_core::values!["b", 7_u32, 0_i64, "x", None::<Vec<u8>>],
        )
    })?;
    let failed: sesame_core::Result<u64> = db.transaction(|tx| {
        let tx = tx.db();
        tx.execute("UPDATE probe SET n = n + 1", &[])?;
        Err(sesame_core::Error::StoreBusy)
    });
    assert!(failed.is_err());
    let rows = db.query(
        "SELECT id, n, flag, note, seal FROM probe WHERE instr(id, ?) > 0 OR n > ?2 ORDER BY id",
        sesame_core::values!["b", 40_i64],
        |row| {
            Ok((
                row.get::<String>(0)?,
                row.get::<u64>(1)?,
                row.get::<bool>(2)?,
                row.get::<Option<String>>(3)?,
                row.get::<Option<Vec<u8>>>(4)?,
            ))
        },
    )?;
    assert_eq!(
        rows,
        vec![
            ("a".into(), 41, true, None, Some(vec![1, 2])),
            ("b".into(), 7, false, Some("x".into()), None)
        ],
        "the rolled back update left no trace"
    );
    let count = db.query_one(
        "SELECT COUNT(*) FROM probe WHERE flag = ?",
        sesame_core::values![true],
        |row| row.get::<i64>(0),
    )?;
    assert_eq!(count, 1);
    let none = db.query_opt(
        "SELECT n FROM probe WHERE id = ?",
        sesame_core::values!["z"],
        |row| row.get::<i64>(0),
    )?;
    assert_eq!(none, None);
    let wrong = db.query_one("SELECT note FROM probe WHERE id = 'a'", &[], |row| {
        row.get::<String>(0)
    });
    assert!(wrong.is_err(), "a NULL is not a String");
    let misread = db
        .query_one(
            "SELECT '$argon2id$v=19$m=19456$c2VsZGVtZXI' AS hash",
            &[],
            |row| row.get::<i64>(0),
        )
        .expect_err("text is not an integer");
    assert!(
        !misread.to_string().contains("argon2id"),
        "the error names the kind of value, never what it holds: {misread}"
    );
    walks_with_queries_inside(db)
}

/// A walk over rows (`Db::each`) whose reader queries the store between two rows, inside and
/// outside a transaction, over more rows than PostgreSQL's cursor fetches at once, and stopped
/// early: the connection answers as before afterwards.
fn walks_with_queries_inside(db: Db<'_>) -> sesame_core::Result<()> {
    db.batch("CREATE TABLE walked (n BIGINT PRIMARY KEY)")?;
    db.transaction(|tx| {
        for n in 0..600_i64 {
            tx.db().execute(
                "INSERT INTO walked (n) VALUES (?1)",
                sesame_core::values![n],
            )?;
        }
        Ok(())
    })?;
    let walk = |db: Db<'_>| -> sesame_core::Result<i64> {
        let mut sum = 0;
        db.each(
            "SELECT n FROM walked WHERE n >= ?1 ORDER BY n",
            sesame_core::values![0_i64],
            |row| {
                let n = row.get::<i64>(0)?;
                // A query inside the walk, itself walking a few rows.
                let double = db.query_one(
                    "SELECT n * 2 FROM walked WHERE n = ?1",
                    sesame_core::values![n],
                    |row| row.get::<i64>(0),
                )?;
                let mut inner = 0;
                db.each("SELECT n FROM walked WHERE n < 3 ORDER BY n", &[], |row| {
                    inner += row.get::<i64>(0)?;
                    Ok(true)
                })?;
                sum += double + inner;
                Ok(true)
            },
        )?;
        Ok(sum)
    };
    // 2 × (0 + … + 599) + 600 × (0 + 1 + 2)
    let expected = 2 * 599 * 600 / 2 + 600 * 3;
    assert_eq!(walk(db)?, expected);
    assert_eq!(db.transaction(|tx| walk(tx.db()))?, expected);
    let mut seen = 0;
    db.each("SELECT n FROM walked ORDER BY n", &[], |_| {
        seen += 1;
        Ok(seen < 300)
    })?;
    assert_eq!(seen, 300, "stopped early");
    db.transaction(|tx| {
        tx.db().execute(
            "DELETE FROM walked WHERE n >= ?1",
            sesame_core::values![300_i64],
        )
    })?;
    let left = db.query_one("SELECT COUNT(*) FROM walked", &[], |row| row.get::<i64>(0))?;
    assert_eq!(left, 300, "the connection writes after the walks");
    Ok(())
}
