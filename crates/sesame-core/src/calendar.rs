//! The calendar of expiries (RFC 5545, `icalendar`): one all-day event per key on the last day
//! it works, with a reminder a week before, for Outlook or Thunderbird to remind the office
//! without any e-mail from Sésame.

use chrono::{DateTime, Duration, Utc};
use icalendar::{Alarm, Calendar, Component, Event, EventLike};

use crate::Sesame;
use crate::error::Result;
use crate::key::{Key, KeyFilter, KeySort, PAGE_MAX};
use crate::messages::{self, Arg};
use crate::vocab::{KeyStatus, Lang, Session};

/// How many days before an expiry the calendar reminds.
pub const REMINDER_DAYS: i64 = 7;

/// The keys a reminder is about: those expiring within the warning period, soonest first.
#[derive(Debug, Clone)]
pub struct Reminder {
    pub within_days: u32,
    pub keys: Vec<Key>,
}

/// How many keys a reminder names; the others are counted.
pub const REMINDER_NAMED: usize = 3;

impl Reminder {
    /// The notification's title and body, in `lang`; `None` when no key expires.
    pub fn words(&self, lang: Lang) -> Option<(String, String)> {
        if self.keys.is_empty() {
            return None;
        }
        let title = messages::text(
            lang,
            "reminder-title",
            &[
                ("count", Arg::number(self.keys.len())),
                ("days", Arg::number(self.within_days)),
            ],
        );
        let mut lines: Vec<String> = self
            .keys
            .iter()
            .take(REMINDER_NAMED)
            .filter_map(|key| {
                let at = key.expires_at?;
                Some(messages::text(
                    lang,
                    "reminder-line",
                    &[
                        ("key", Arg::Text(key.name.clone())),
                        ("service", Arg::Text(key.service_name.clone())),
                        ("day", Arg::Text(messages::last_valid_day(lang, at))),
                    ],
                ))
            })
            .collect();
        let others = self.keys.len().saturating_sub(REMINDER_NAMED);
        if others > 0 {
            lines.push(messages::text(
                lang,
                "reminder-more",
                &[("count", Arg::number(others))],
            ));
        }
        Some((title, lines.join("\n")))
    }
}

impl Sesame {
    /// The keys expiring within the installation's warning period, for the app's reminder and
    /// its badge.
    pub fn expiry_reminder(&self, session: &Session) -> Result<Reminder> {
        let within_days = self.settings()?.warning_days;
        Ok(Reminder {
            within_days,
            keys: self.expiring_keys(session, within_days)?,
        })
    }

    /// Keys still working that expire within `within_days` from now, soonest first.
    pub fn expiring_keys(&self, session: &Session, within_days: u32) -> Result<Vec<Key>> {
        let now = self.now();
        let limit = now + Duration::days(i64::from(within_days));
        let mut expiring = Vec::new();
        let mut offset = 0;
        loop {
            let filter = KeyFilter {
                sort: KeySort::Expiry,
                offset,
                limit: PAGE_MAX,
                ..KeyFilter::default()
            };
            let page = self.keys(session, &filter)?;
            let count = page.keys.len() as u64;
            let mut past_limit = false;
            for key in page.keys {
                match key.expires_at {
                    Some(at) if at > limit => past_limit = true,
                    None => past_limit = true,
                    Some(at)
                        if at > now
                            && matches!(key.status, KeyStatus::Active | KeyStatus::Inactive) =>
                    {
                        expiring.push(key);
                    }
                    Some(_) => {}
                }
            }
            offset += count;
            if past_limit || count == 0 || offset >= page.total {
                break;
            }
        }
        Ok(expiring)
    }

    /// The iCalendar file of the keys expiring within `within_days`, in `lang`.
    pub fn expiry_calendar(
        &self,
        session: &Session,
        within_days: u32,
        lang: Lang,
    ) -> Result<String> {
        let keys = self.expiring_keys(session, within_days)?;
        Ok(calendar(&keys, lang, self.now()))
    }
}

/// One event per key, on its last valid day, with a reminder [`REMINDER_DAYS`] before.
pub fn calendar(keys: &[Key], lang: Lang, now: DateTime<Utc>) -> String {
    let mut calendar = Calendar::new();
    calendar.name(&messages::word(lang, "calendar-name"));
    for key in keys {
        let Some(expires_at) = key.expires_at else {
            continue;
        };
        let last_day = (expires_at - Duration::milliseconds(1))
            .with_timezone(&chrono::Local)
            .date_naive();
        let args = [
            ("key", Arg::Text(key.name.clone())),
            ("service", Arg::Text(key.service_name.clone())),
            ("identifier", Arg::Text(key.identifier.clone())),
            ("day", Arg::Text(messages::last_valid_day(lang, expires_at))),
        ];
        let summary = messages::text(lang, "calendar-summary", &args);
        let event = Event::new()
            .uid(&format!("{}@sesame", key.id))
            .timestamp(now)
            .summary(&summary)
            .description(&messages::text(lang, "calendar-description", &args))
            // An all-day event ends, exclusively, the next day (RFC 5545 §3.6.1): `all_day`
            // would write the same date twice, which clients read as no day or as an hour.
            .starts(last_day)
            .ends(last_day + chrono::Days::new(1))
            .alarm(Alarm::display(&summary, -Duration::days(REMINDER_DAYS)))
            .done();
        calendar.push(event);
    }
    calendar.done().to_string()
}
