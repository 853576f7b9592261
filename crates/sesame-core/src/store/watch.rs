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
use crate::vocab::RowKind;

/// What an announcement says changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The row of this kind named by an audit event's target.
    Row { kind: RowKind, id: String },
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
            (Some(kind), Some(id)) => match RowKind::from_code(&kind) {
                Some(kind) => Change::Row { kind, id },
                // A kind this version does not know (a newer Sésame wrote it): anything.
                None => Change::Unknown,
            },
            _ => Change::Untargeted,
        }
    }
}

type Listener = Box<dyn Fn(&Change) + Send + Sync>;

/// How long the watcher waits between attempts to listen again.
const RETRY_AFTER: Duration = Duration::from_millis(500);

/// How far behind its primary a standby may be before verification reads the primary instead:
/// the standby has not replayed what the primary had written this long ago.
pub const STANDBY_MAX_LAG: Duration = Duration::from_secs(2);

/// A count of the changes announced on the store, fed by a background thread.
#[derive(Default)]
pub struct ChangeWatch {
    heard: AtomicU64,
    listening: AtomicBool,
    listeners: Mutex<Vec<Listener>>,
    /// Following a standby: it lags its primary by more than [`STANDBY_MAX_LAG`].
    lagging: AtomicBool,
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
    /// It also measures how far the standby lags `primary` ([`ChangeWatch::standby_lagging`]).
    pub fn poll(
        location: &PgLocation,
        primary: &PgLocation,
        interval: Duration,
    ) -> Arc<ChangeWatch> {
        let primary = primary.clone();
        ChangeWatch::spawn(location, move |watch, location| {
            follow(watch, location, &primary, interval)
        })
    }

    /// Following a standby: whether it has not replayed what its primary had written more than
    /// [`STANDBY_MAX_LAG`] ago (replay paused, the standby cut off from its primary).
    /// Verification then reads the primary.
    pub fn standby_lagging(&self) -> bool {
        self.lagging.load(Ordering::SeqCst)
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

/// Where a standby stands against its primary: samples of the primary's write position, each
/// with when it was read; a sample older than [`STANDBY_MAX_LAG`] that the standby has not
/// replayed means it lags.
#[derive(Default)]
struct Lag {
    samples: std::collections::VecDeque<(u64, std::time::Instant)>,
}

impl Lag {
    /// Notes the primary's position (when it answers) and the standby's replay position; says
    /// whether the standby lags.
    fn lags(&mut self, primary: Option<u64>, replayed: u64) -> bool {
        let now = std::time::Instant::now();
        if let Some(position) = primary
            && self.samples.back().is_none_or(|(last, _)| *last < position)
        {
            self.samples.push_back((position, now));
        }
        while self
            .samples
            .front()
            .is_some_and(|(position, _)| *position <= replayed)
        {
            self.samples.pop_front();
        }
        // Bounded: only the oldest sample not replayed matters.
        while self.samples.len() > 1024 {
            self.samples.pop_back();
        }
        self.samples
            .front()
            .is_some_and(|(_, at)| now.duration_since(*at) > STANDBY_MAX_LAG)
    }
}

/// A write-ahead log position (`16/B374D848`) as a number.
fn lsn(text: &str) -> Option<u64> {
    let (high, low) = text.split_once('/')?;
    Some((u64::from_str_radix(high, 16).ok()? << 32) | u64::from_str_radix(low, 16).ok()?)
}

/// Asks for new audit events until the connection fails, and measures the standby's lag.
fn follow(watch: &ChangeWatch, location: &PgLocation, primary: &PgLocation, interval: Duration) {
    let Ok(mut client) = location.connect() else {
        return;
    };
    let mut primary_client = primary.connect().ok();
    let mut lag = Lag::default();
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
        // The primary's position first, then the standby's: a standby that kept up has
        // replayed at least that far.
        let written = primary_client.as_mut().and_then(|primary| {
            let row = primary
                .query_one("SELECT pg_current_wal_lsn()::text", &[])
                .ok()?;
            lsn(row.get::<_, &str>(0))
        });
        if primary_client
            .as_ref()
            .is_some_and(|primary| primary.is_closed())
            || written.is_none()
        {
            primary_client = primary.connect().ok();
        }
        let Ok(row) = client.query_one("SELECT pg_last_wal_replay_lsn()::text", &[]) else {
            return;
        };
        let replayed = row.get::<_, Option<&str>>(0).and_then(lsn).unwrap_or(0);
        watch
            .lagging
            .store(lag.lags(written, replayed), Ordering::SeqCst);
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
    fn a_standby_lags_when_it_has_not_replayed_what_the_primary_wrote_long_ago() {
        assert_eq!(lsn("16/B374D848"), Some((0x16 << 32) | 0xB374_D848));
        assert_eq!(lsn("nonsense"), None);
        let mut lag = Lag::default();
        assert!(!lag.lags(Some(100), 100), "caught up");
        assert!(!lag.lags(Some(200), 100), "behind, but only just");
        let long_ago = std::time::Instant::now() - STANDBY_MAX_LAG - Duration::from_millis(10);
        lag.samples.front_mut().expect("a sample").1 = long_ago;
        assert!(
            lag.lags(None, 150),
            "what was written long ago is not replayed"
        );
        assert!(!lag.lags(None, 200), "replayed at last");
    }

    #[test]
    fn announcements_name_what_changed() {
        assert_eq!(
            Change::parse("42 key 0190-abc"),
            Change::Row {
                kind: RowKind::Key,
                id: "0190-abc".into()
            }
        );
        assert_eq!(
            Change::parse("45 widget 1"),
            Change::Unknown,
            "a kind unknown here"
        );
        assert_eq!(Change::parse("43 - -"), Change::Untargeted);
        assert_eq!(Change::parse("44"), Change::Unknown);
    }
}
