//! A few handles on one store (see [`Sesame::sibling`]), for a front end that serves several
//! requests at once: each request takes a free handle, so one person's long work — argon2id,
//! an import, an export, a keyring that is slow to answer — holds its own handle and nobody
//! else's. Reads run side by side (SQLite's WAL, PostgreSQL's MVCC); only write transactions
//! queue, in the database.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use crate::Sesame;
use crate::error::{Error, Result};

/// The handles, each behind a lock of its own.
#[derive(Debug)]
pub struct Pool {
    stores: Vec<Mutex<Sesame>>,
    next: AtomicUsize,
}

/// A handle taken from the pool; it goes back when dropped.
pub type Handle<'a> = MutexGuard<'a, Sesame>;

impl Pool {
    /// `first` and `size - 1` siblings of it (at least one handle in all).
    pub fn new(first: Sesame, size: usize) -> Result<Pool> {
        let mut stores = Vec::with_capacity(size.max(1));
        for _ in 1..size.max(1) {
            stores.push(first.sibling()?);
        }
        stores.insert(0, first);
        Ok(Pool::of(stores))
    }

    /// A pool of handles opened by the caller (a verifier's, each with its read replica).
    pub fn of(stores: Vec<Sesame>) -> Pool {
        Pool {
            stores: stores.into_iter().map(Mutex::new).collect(),
            next: AtomicUsize::new(0),
        }
    }

    pub fn len(&self) -> usize {
        self.stores.len()
    }

    pub fn is_empty(&self) -> bool {
        self.stores.is_empty()
    }

    /// Where the next caller that prefers no handle starts looking: handles are taken in turn.
    pub fn next_start(&self) -> usize {
        self.next.fetch_add(1, Ordering::Relaxed)
    }

    /// A free handle, looking from the next in turn; when all are busy, waits for that one.
    pub fn get(&self) -> Result<Handle<'_>> {
        self.get_from(self.next_start())
    }

    /// The first free handle from `start`; when all are busy, waits for the one at `start`.
    pub fn get_from(&self, start: usize) -> Result<Handle<'_>> {
        match self.try_get_from(start) {
            Some(handle) => Ok(handle),
            None => self.stores[start % self.stores.len()]
                .lock()
                .map_err(|_| poisoned()),
        }
    }

    /// The first free handle from `start`, without waiting.
    pub fn try_get_from(&self, start: usize) -> Option<Handle<'_>> {
        let count = self.stores.len();
        (0..count).find_map(|offset| self.stores[(start + offset) % count].try_lock().ok())
    }

    /// Runs `work` on every handle in turn, waiting for each (writing what each counted).
    pub fn each(&self, mut work: impl FnMut(&mut Sesame)) {
        for store in &self.stores {
            if let Ok(mut store) = store.lock() {
                work(&mut store);
            }
        }
    }

    /// How many handles are taken at this moment.
    pub fn busy(&self) -> usize {
        self.stores
            .iter()
            .filter(|store| store.try_lock().is_err())
            .count()
    }
}

fn poisoned() -> Error {
    Error::Internal("store lock poisoned".into())
}
