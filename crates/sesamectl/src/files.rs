//! Writing output files safely: an existing file is refused unless replacing it was asked for,
//! and the content goes to a temporary file renamed into place, so an interrupted command never
//! leaves half a file under the real name.

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{CliError, Result};

pub fn write_new<T>(
    path: &Path,
    overwrite: bool,
    write: impl FnOnce(&mut dyn Write) -> sesame_core::Result<T>,
) -> Result<T> {
    if !overwrite && std::fs::symlink_metadata(path).is_ok() {
        return Err(CliError::FileExists(path.to_owned()));
    }
    // Only a regular file is ever replaced: not a device (`/dev/stdout` as root), a FIFO, a
    // folder or a link that leads nowhere.
    sesame_core::backup::check_destination(path, true)?;
    let file_error = |error: std::io::Error| CliError::File(path.to_owned(), error.to_string());
    let folder = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let temporary = tempfile::NamedTempFile::new_in(folder).map_err(file_error)?;
    let mut out = BufWriter::new(temporary);
    let value = write(&mut out)?;
    let temporary = out
        .into_inner()
        .map_err(|error| file_error(error.into_error()))?;
    temporary.as_file().sync_all().map_err(file_error)?;
    match overwrite {
        true => temporary
            .persist(path)
            .map_err(|error| file_error(error.error))?,
        // Refuses, without replacing, a file that appeared meanwhile.
        false => temporary
            .persist_noclobber(path)
            .map_err(|error| match error.error.kind() {
                std::io::ErrorKind::AlreadyExists => CliError::FileExists(path.to_owned()),
                _ => file_error(error.error),
            })?,
    };
    Ok(value)
}
