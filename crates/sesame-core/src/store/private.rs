//! The store's files are readable by their owner only, whatever the umask: they hold the
//! argon2id hashes of every secret and password. Files and folders Sésame makes are created
//! owner-only; looser modes found on existing ones are tightened, and the front ends say so.

use std::path::{Path, PathBuf};

/// Owner read and write.
pub const FILE_MODE: u32 = 0o600;
/// Owner read, write and enter.
pub const FOLDER_MODE: u32 = 0o700;

/// Creates `folder` and any missing parent, owner-only (an existing folder is left as it is:
/// `--db` may point into a shared one).
pub fn create_folder(folder: &Path) -> std::io::Result<()> {
    if folder.is_dir() {
        return Ok(());
    }
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(FOLDER_MODE);
    }
    builder.create(folder)
}

/// Creates an empty owner-only file at `path` unless something is there already.
pub fn create_file(path: &Path) -> std::io::Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(error) => Err(error),
    }
}

/// Writes `bytes` as the whole content of the owner-only file `path` (made so if it is new,
/// tightened if it was looser), through a temporary file renamed into place, so a crash leaves
/// the old content or the new, never half of one.
pub fn write_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let folder = path.parent().unwrap_or_else(|| Path::new("."));
    // tempfile makes its files owner-only (0600).
    let mut file = tempfile::NamedTempFile::new_in(folder)?;
    file.write_all(bytes)?;
    file.as_file().sync_all()?;
    file.persist(path).map_err(|error| error.error)?;
    tighten(path, FILE_MODE);
    Ok(())
}

/// Overwrites the owner-only file `path` in place (made owner-only when it is new), without
/// waiting for the disk: for a small file written after every commit, which may lag behind or
/// be unreadable after a crash, and whose reader then takes it as absent.
pub fn overwrite_small_file(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE);
    }
    options.open(path)?.write_all(bytes)
}

/// Tightens `path` to `mode` when others may read or write it; says whether it did. A missing
/// file, or one we may not change (someone else's), is left alone.
pub fn tighten(path: &Path, mode: u32) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(metadata) = std::fs::symlink_metadata(path) else {
            return false;
        };
        if metadata.file_type().is_symlink() || metadata.permissions().mode() & 0o077 == 0 {
            return false;
        }
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).is_ok()
    }
    #[cfg(not(unix))]
    {
        let _ = (path, mode);
        false
    }
}

/// The store's companions: its journal files and its lock file.
pub fn companions(store: &Path) -> Vec<PathBuf> {
    ["-wal", "-shm", "-journal", ".lock"]
        .iter()
        .map(|suffix| {
            let mut name = store.as_os_str().to_owned();
            name.push(suffix);
            PathBuf::from(name)
        })
        .collect()
}

/// Tightens the store, its companions, and its folder when it is Sésame's own data folder;
/// returns what was tightened.
pub fn tighten_store(store: &Path) -> Vec<PathBuf> {
    let mut tightened = Vec::new();
    for file in std::iter::once(store.to_owned()).chain(companions(store)) {
        if tighten(&file, FILE_MODE) {
            tightened.push(file);
        }
    }
    let own_folder = super::default_path()
        .ok()
        .and_then(|default| default.parent().map(Path::to_owned));
    if let (Some(folder), Some(own)) = (store.parent(), own_folder)
        && folder == own
        && tighten(folder, FOLDER_MODE)
    {
        tightened.push(folder.to_owned());
    }
    tightened
}
