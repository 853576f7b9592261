//! Writes to an SQLite store's files, heard from the kernel. Every commit, by any process,
//! writes the store's write-ahead log (or, in another journal mode, the file itself) with
//! `write`, and the kernel queues an inotify event for it before that `write` returns — so
//! before the committing command returns. An empty queue therefore proves that nothing was
//! committed since the queue was last read, and a verifier spares itself the question to SQLite
//! (`PRAGMA data_version`, a read transaction and its file locks) at every request. Any event
//! about the store's files, a lost event (queue overflow) or an error sends the caller back to
//! the store itself.

use std::path::Path;

/// The kernel's queue of writes to one store's files.
#[derive(Debug)]
pub struct FileChanges {
    #[cfg(target_os = "linux")]
    inotify: inotify::Inotify,
    /// The store file's name: events about it and the files beside it named after it
    /// (`-wal`, `-shm`, `-journal`) count.
    name: std::ffi::OsString,
    /// The folder watched was moved or deleted: the kernel may no longer say, so every look
    /// answers « maybe written ».
    lost: bool,
}

impl FileChanges {
    /// Starts listening for writes to the store file at `path` and the files beside it; `None`
    /// where the kernel cannot tell (another system, no inotify instance left).
    pub fn watch(path: &Path) -> Option<FileChanges> {
        let name = path.file_name()?.to_owned();
        let folder = match path.parent() {
            Some(folder) if !folder.as_os_str().is_empty() => folder,
            _ => Path::new("."),
        };
        FileChanges::listen(folder, name)
    }

    #[cfg(target_os = "linux")]
    fn listen(folder: &Path, name: std::ffi::OsString) -> Option<FileChanges> {
        use inotify::{Inotify, WatchMask};
        let inotify = Inotify::init().ok()?;
        inotify
            .watches()
            .add(
                folder,
                WatchMask::MODIFY
                    | WatchMask::CREATE
                    | WatchMask::DELETE
                    | WatchMask::MOVED_TO
                    | WatchMask::MOVED_FROM
                    | WatchMask::CLOSE_WRITE
                    | WatchMask::DELETE_SELF
                    | WatchMask::MOVE_SELF,
            )
            .ok()?;
        Some(FileChanges {
            inotify,
            name,
            lost: false,
        })
    }

    #[cfg(not(target_os = "linux"))]
    fn listen(_folder: &Path, _name: std::ffi::OsString) -> Option<FileChanges> {
        None
    }

    /// Whether the store's files may have been written since the last call: `false` only when
    /// the kernel queued no write to them. Reads the whole queue.
    #[cfg(target_os = "linux")]
    pub fn maybe_written(&mut self) -> bool {
        use inotify::EventMask;
        let mut buffer = [0_u8; 4096];
        let mut written = self.lost;
        loop {
            match self.inotify.read_events(&mut buffer) {
                Ok(events) => {
                    let mut read = false;
                    for event in events {
                        read = true;
                        let ours = event.name.is_none_or(|name| {
                            name.as_encoded_bytes()
                                .starts_with(self.name.as_encoded_bytes())
                        });
                        let gone =
                            EventMask::IGNORED | EventMask::DELETE_SELF | EventMask::MOVE_SELF;
                        self.lost |= event.mask.intersects(gone);
                        written |= ours || self.lost || event.mask.contains(EventMask::Q_OVERFLOW);
                    }
                    if !read {
                        return written;
                    }
                }
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => return written,
                Err(_) => return true,
            }
        }
    }

    #[cfg(not(target_os = "linux"))]
    pub fn maybe_written(&mut self) -> bool {
        true
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    /// A commit by another connection is heard before it returns; reading the queue empties
    /// it; a file of another name beside the store is not the store.
    #[test]
    fn a_commit_by_another_connection_is_heard_at_once() {
        let folder = tempfile::tempdir().expect("folder");
        let path = folder.path().join("sesame.db");
        let setup = rusqlite::Connection::open(&path).expect("open");
        setup
            .execute_batch("PRAGMA journal_mode = WAL; CREATE TABLE t (n INTEGER);")
            .expect("create");
        let mut changes = FileChanges::watch(&path).expect("inotify");
        assert!(!changes.maybe_written(), "nothing yet");
        let other = rusqlite::Connection::open(&path).expect("open");
        other
            .execute("INSERT INTO t VALUES (1)", [])
            .expect("insert");
        assert!(changes.maybe_written(), "the commit is heard");
        assert!(!changes.maybe_written(), "and only once");
        std::fs::write(folder.path().join("autre.txt"), "x").expect("write");
        assert!(!changes.maybe_written(), "another file");
        other
            .execute("INSERT INTO t VALUES (2)", [])
            .expect("insert");
        assert!(changes.maybe_written());
    }
}
