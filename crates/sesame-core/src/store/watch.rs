//! Changes pushed by PostgreSQL: a connection of its own listens on the `sesame_changes` channel
//! (every audit event is announced there when its transaction commits) and counts what it hears.
//! A verifier compares that count instead of asking the store at each request. While the
//! listening connection is lost (the database away), every look says « changed », and the
//! watcher connects again by itself. Each announcement names what changed (a key, a service…),
//! and those who asked ([`ChangeWatch::on_change`]) hear of it before the count moves. A hot
//! standby cannot listen: there the watcher asks for new events every few milliseconds
//! ([`ChangeWatch::poll`]).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::store::pg::PgLocation;

/// What an announcement says changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The row of this kind (`key`, `service`, `company`…) named by an audit event's target.
    Row { kind: String, id: String },
    /// An event with no target (settings, sign-in…).
    Untargeted,
    /// Anything may have changed: the watcher (re)started listening after a time deaf.
    Unknown,
    /// The watcher stopped hearing (its connection was lost): until [`Change::Unknown`], a
    /// change may go unheard.
    Deaf,
}

impl Change {
    /// Reads a `sesame_changes` payload: `seq kind id` (`-` for none), or a bare `seq` from a
    /// store of before version 7.
    fn parse(payload: &str) -> Change {
        let mut parts = payload.split(' ');
        let _seq = parts.next();
        let named = |part: &str| (part != "-").then(|| part.to_owned());
        match (parts.next(), parts.next()) {
            (Some(kind), Some(id)) => Change::of_target(named(kind), named(id)),
            _ => Change::Unknown,
        }
    }

    /// The change an audit event with this target (kind and id) announces.
    fn of_target(kind: Option<String>, id: Option<String>) -> Change {
        match (kind, id) {
            (Some(kind), Some(id)) => Change::Row { kind, id },
            _ => Change::Untargeted,
        }
    }
}

type Listener = Box<dyn Fn(&Change) + Send + Sync>;

/// How long the watcher waits between attempts to listen again.
const RETRY_AFTER: Duration = Duration::from_millis(500);

/// A count of the changes announced on the store, fed by a background thread.
#[derive(Default)]
pub struct ChangeWatch {
    heard: AtomicU64,
    listening: AtomicBool,
    listeners: Mutex<Vec<Listener>>,
}

impl std::fmt::Debug for ChangeWatch {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        formatter
            .debug_struct("ChangeWatch")
            .field("heard", &self.heard)
            .field("listening", &self.listening)
            .finish_non_exhaustive()
    }
}

impl ChangeWatch {
    /// Starts listening to the store at `location`; the thread lives as long as the process.
    pub fn start(location: &PgLocation) -> Arc<ChangeWatch> {
        ChangeWatch::spawn(location, listen)
    }

    /// Follows the store at `location` by asking it, every `interval`, for the audit events
    /// written since the last look: for a hot standby, where `LISTEN` is refused and no
    /// notification arrives. What it reports is what the standby has replayed, so a verifier
    /// reading that standby never hears of a change before it can read it.
    pub fn poll(location: &PgLocation, interval: Duration) -> Arc<ChangeWatch> {
        ChangeWatch::spawn(location, move |watch, location| {
            follow(watch, location, interval)
        })
    }

    /// Runs `watching` on a thread of its own until its connection fails, and again after a
    /// pause, for as long as the process lives; deaf in between.
    fn spawn(
        location: &PgLocation,
        watching: impl Fn(&ChangeWatch, &PgLocation) + Send + 'static,
    ) -> Arc<ChangeWatch> {
        let watch = Arc::new(ChangeWatch::default());
        let (watcher, location) = (Arc::clone(&watch), location.clone());
        std::thread::spawn(move || {
            loop {
                watching(&watcher, &location);
                // A connection lost while the store still answers (cut by an administrator, a
                // network blip) is made again at once: a change committed meanwhile is then
                // covered by `Unknown`. Only a store that does not answer is waited for.
                if watcher.listening.swap(false, Ordering::SeqCst) {
                    watcher.tell(&Change::Deaf);
                    continue;
                }
                std::thread::sleep(RETRY_AFTER);
            }
        });
        watch
    }

    /// The watcher hears again: anything may have changed while nobody listened.
    fn hearing_again(&self) {
        self.tell(&Change::Unknown);
        self.heard.fetch_add(1, Ordering::SeqCst);
        self.listening.store(true, Ordering::SeqCst);
    }

    /// Calls `listener` with every change heard, on the watcher's thread, before the count
    /// moves (keep it short).
    pub fn on_change(&self, listener: impl Fn(&Change) + Send + Sync + 'static) {
        if let Ok(mut listeners) = self.listeners.lock() {
            listeners.push(Box::new(listener));
        }
    }

    fn tell(&self, change: &Change) {
        if let Ok(listeners) = self.listeners.lock() {
            for listener in listeners.iter() {
                listener(change);
            }
        }
    }

    /// A number that changes whenever the store announced a change; `None` while nothing
    /// listens (then nothing can be assumed unchanged).
    pub fn generation(&self) -> Option<u64> {
        self.listening
            .load(Ordering::SeqCst)
            .then(|| self.heard.load(Ordering::SeqCst))
    }
}

/// Asks for new audit events until the connection fails.
fn follow(watch: &ChangeWatch, location: &PgLocation, interval: Duration) {
    let Ok(mut client) = location.connect() else {
        return;
    };
    let Ok(row) = client.query_one("SELECT coalesce(max(seq), 0) FROM audit_events", &[]) else {
        return;
    };
    let mut last: i64 = row.get(0);
    let Ok(since) = client.prepare(
        "SELECT seq, target_kind, target_id FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT 1000",
    ) else {
        return;
    };
    watch.hearing_again();
    loop {
        std::thread::sleep(interval);
        let Ok(rows) = client.query(&since, &[&last]) else {
            return;
        };
        for row in &rows {
            last = row.get(0);
            watch.tell(&Change::of_target(row.get(1), row.get(2)));
        }
        if !rows.is_empty() {
            watch.heard.fetch_add(1, Ordering::SeqCst);
        }
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
    watch.hearing_again();
    let mut notifications = client.notifications();
    let mut heard = notifications.blocking_iter();
    use postgres::fallible_iterator::FallibleIterator;
    while let Ok(Some(notification)) = heard.next() {
        watch.tell(&Change::parse(notification.payload()));
        watch.heard.fetch_add(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn announcements_name_what_changed() {
        assert_eq!(
            Change::parse("42 key 0190-abc"),
            Change::Row {
                kind: "key".into(),
                id: "0190-abc".into()
            }
        );
        assert_eq!(Change::parse("43 - -"), Change::Untargeted);
        assert_eq!(Change::parse("44"), Change::Unknown);
    }
}
