//! Changes pushed by PostgreSQL: a connection of its own listens on the `sesame_changes` channel
//! (every audit event is announced there when its transaction commits) and counts what it hears.
//! A verifier compares that count instead of asking the store at each request. While the
//! listening connection is lost (the database away), every look says « changed », and the
//! watcher connects again by itself.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use crate::store::pg::PgLocation;

/// How long the watcher waits between attempts to listen again.
const RETRY_AFTER: Duration = Duration::from_millis(500);

/// A count of the changes announced on the store, fed by a background thread.
#[derive(Debug, Default)]
pub struct ChangeWatch {
    heard: AtomicU64,
    listening: AtomicBool,
}

impl ChangeWatch {
    /// Starts listening to the store at `location`; the thread lives as long as the process.
    pub fn start(location: &PgLocation) -> Arc<ChangeWatch> {
        let watch = Arc::new(ChangeWatch::default());
        let (watching, location) = (Arc::clone(&watch), location.clone());
        std::thread::spawn(move || {
            loop {
                listen(&watching, &location);
                watching.listening.store(false, Ordering::SeqCst);
                std::thread::sleep(RETRY_AFTER);
            }
        });
        watch
    }

    /// A number that changes whenever the store announced a change; `None` while nothing
    /// listens (then nothing can be assumed unchanged).
    pub fn generation(&self) -> Option<u64> {
        self.listening
            .load(Ordering::SeqCst)
            .then(|| self.heard.load(Ordering::SeqCst))
    }
}

/// Listens until the connection fails.
fn listen(watch: &ChangeWatch, location: &PgLocation) {
    let Ok(mut client) = location.connect() else {
        return;
    };
    if client.batch_execute("LISTEN sesame_changes").is_err() {
        return;
    }
    // Anything may have changed while nobody listened.
    watch.heard.fetch_add(1, Ordering::SeqCst);
    watch.listening.store(true, Ordering::SeqCst);
    let mut notifications = client.notifications();
    let mut heard = notifications.blocking_iter();
    use postgres::fallible_iterator::FallibleIterator;
    while let Ok(Some(_)) = heard.next() {
        watch.heard.fetch_add(1, Ordering::SeqCst);
    }
}
