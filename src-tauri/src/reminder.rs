//! Reminders without e-mail: once the operator has signed in, and then once a day while the app
//! runs, a desktop notification (Tauri's notification plugin, from Rust: the webview is granted
//! nothing) names the keys that expire within the warning period. The check never counts as the
//! operator's activity and waits while the app is locked.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use tauri::{AppHandle, Emitter, Manager};
use tauri_plugin_notification::NotificationExt;

use crate::state::AppState;

/// How often the watcher looks whether a reminder is due: cheap, it reads nothing until then.
const LOOK_EVERY: Duration = Duration::from_secs(2);
/// How often a running app reminds.
pub const REMIND_EVERY: Duration = Duration::from_secs(24 * 60 * 60);

/// When the last reminder of this run was made, if any.
#[derive(Debug, Default)]
pub struct LastReminder(Mutex<Option<Instant>>);

/// A reminder is due when none was made in this run, or the last one is a day old.
pub fn due(last: Option<Instant>, now: Instant) -> bool {
    last.is_none_or(|at| now.saturating_duration_since(at) >= REMIND_EVERY)
}

/// Starts the watcher.
pub fn watch_expiries(app: AppHandle) {
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(LOOK_EVERY);
            remind_if_due(&app);
        }
    });
}

fn remind_if_due(app: &AppHandle) {
    let state = app.state::<AppState>();
    let last = app.state::<LastReminder>();
    let now = Instant::now();
    let Ok(mut last) = last.0.lock() else {
        return;
    };
    if !due(*last, now) {
        return;
    }
    let Some(session) = state.quiet_session() else {
        return;
    };
    let lang = state.lang();
    let reminder = match state.stores.get() {
        Ok(sesame) => sesame.expiry_reminder(&session),
        Err(_) => return,
    };
    // Done for the day whatever the answer: a failing store is not asked every two seconds.
    *last = Some(now);
    drop(last);
    let Ok(reminder) = reminder else {
        return;
    };
    // The badge on « Clés » follows.
    let _ = app.emit("expiring", reminder.keys.len());
    if let Some((title, body)) = reminder.words(lang) {
        // No notification service in the session is no reason to stop the app.
        if let Err(error) = app.notification().builder().title(title).body(body).show() {
            eprintln!("Sésame: no desktop notification: {error}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reminder_is_due_at_start_then_once_a_day() {
        let start = Instant::now();
        assert!(due(None, start));
        assert!(!due(Some(start), start + Duration::from_secs(60)));
        assert!(!due(
            Some(start),
            start + REMIND_EVERY - Duration::from_secs(1)
        ));
        assert!(due(Some(start), start + REMIND_EVERY));
    }
}
