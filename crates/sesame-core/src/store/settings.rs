//! The `settings` table: one text value per name (the language, delays, the installation's
//! identity).

use crate::error::Result;
use crate::store::db::{Read, Write};
use crate::values;

/// The value stored under `name`, if any.
pub(crate) fn get<'c>(read: impl Into<Read<'c>>, name: &str) -> Result<Option<String>> {
    read.into().db().query_opt(
        "SELECT value FROM settings WHERE name = ?1",
        values![name],
        |row| row.get(0),
    )
}

/// Stores `value` under `name`, replacing what was there.
pub(crate) fn put<'c>(write: impl Into<Write<'c>>, name: &str, value: &str) -> Result<()> {
    write.into().db().execute(
        "INSERT INTO settings (name, value) VALUES (?1, ?2)
         ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        values![name, value],
    )?;
    Ok(())
}

/// Removes the value stored under `name`, if any.
pub(crate) fn delete<'c>(write: impl Into<Write<'c>>, name: &str) -> Result<()> {
    write
        .into()
        .db()
        .execute("DELETE FROM settings WHERE name = ?1", values![name])?;
    Ok(())
}
