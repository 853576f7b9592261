//! The message catalogue: every sentence and label people read, in French and English, from one
//! Fluent file per language (`locales/fr.ftl`, `locales/en.ftl`). The core's errors, `sesamectl`
//! and the desktop interface (through `@fluent/bundle`) all read these two files; placeholders,
//! plurals and agreement are Fluent's. `tests/core/catalogue.rs` checks that both files carry
//! the same messages with the same placeholders, and that each message is used.

use std::sync::LazyLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};

use crate::vocab::{Field, KeyStatus, Lang, Right};

/// The French catalogue, as written.
pub const FRENCH: &str = include_str!("../locales/fr.ftl");
/// The English catalogue, as written.
pub const ENGLISH: &str = include_str!("../locales/en.ftl");

/// A value a message is worded with.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    /// Text shown as it is (a name, a path, a reason).
    Text(String),
    /// A number: Fluent picks plural forms with it.
    Number(f64),
    /// Another message of the catalogue, worded in the same language (a field, a status).
    Word(String),
    /// A day, written the way the language writes dates (`format-date`).
    Day(chrono::NaiveDate),
}

impl Arg {
    pub fn number(value: impl Into<Number>) -> Arg {
        Arg::Number(value.into().0)
    }

    pub fn field(field: Field) -> Arg {
        Arg::Word(format!("field-{}", field.code()))
    }

    pub fn status(status: KeyStatus) -> Arg {
        Arg::Word(format!("status-{}", status.code()))
    }

    pub fn right(right: Right) -> Arg {
        Arg::Word(format!("right-{}", right.code()))
    }
}

/// Any integer a message counts with.
#[derive(Debug, Clone, Copy)]
pub struct Number(f64);

macro_rules! number_from {
    ($($kind:ty),*) => {$(
        impl From<$kind> for Number {
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            fn from(value: $kind) -> Number {
                Number(value as f64)
            }
        }
    )*};
}
number_from!(u8, u16, u32, u64, usize, i32, i64);

struct Catalogue {
    french: FluentBundle<FluentResource>,
    english: FluentBundle<FluentResource>,
}

fn bundle(lang: Lang, source: &'static str) -> FluentBundle<FluentResource> {
    let locale = lang
        .tag()
        .parse()
        .unwrap_or_else(|_| unic_langid::LanguageIdentifier::default());
    let mut bundle = FluentBundle::new_concurrent(vec![locale]);
    // No Unicode isolation marks around placeholders: messages go to terminals, logs and JSON.
    bundle.set_use_isolating(false);
    // A syntax error is caught by the catalogue test; what parsed is still served.
    let resource =
        FluentResource::try_new(source.to_owned()).unwrap_or_else(|(partial, _)| partial);
    let _ = bundle.add_resource(resource);
    bundle
}

static CATALOGUE: LazyLock<Catalogue> = LazyLock::new(|| Catalogue {
    french: bundle(Lang::Fr, FRENCH),
    english: bundle(Lang::En, ENGLISH),
});

/// Whether the catalogue has the message `id`.
pub fn has(id: &str) -> bool {
    CATALOGUE.french.has_message(id)
}

/// The message `id` in `lang`, with its placeholders filled from `args`. A message missing from
/// the catalogue (which the catalogue test forbids) shows its identifier rather than nothing.
pub fn text(lang: Lang, id: &str, args: &[(&str, Arg)]) -> String {
    let bundle = match lang {
        Lang::Fr => &CATALOGUE.french,
        Lang::En => &CATALOGUE.english,
    };
    let Some(pattern) = bundle.get_message(id).and_then(|message| message.value()) else {
        return id.to_owned();
    };
    let mut fluent_args = FluentArgs::with_capacity(args.len());
    for (name, value) in args {
        let value = match value {
            Arg::Text(text) => FluentValue::from(text.clone()),
            Arg::Number(number) => FluentValue::from(*number),
            Arg::Word(word) => FluentValue::from(text(lang, word, &[])),
            Arg::Day(day) => FluentValue::from(day.format(&word(lang, "format-date")).to_string()),
        };
        fluent_args.set(*name, value);
    }
    let mut errors = Vec::new();
    bundle
        .format_pattern(pattern, Some(&fluent_args), &mut errors)
        .into_owned()
}

/// A message without placeholders.
pub fn word(lang: Lang, id: &str) -> String {
    text(lang, id, &[])
}

/// A key status in words (« révoquée »).
pub fn status(lang: Lang, status: KeyStatus) -> String {
    word(lang, &format!("status-{}", status.code()))
}

/// A right in words (« configuration de la plateforme »).
pub fn right(lang: Lang, right: Right) -> String {
    word(lang, &format!("right-{}", right.code()))
}

/// A moment as people in `lang` write it, in local time: « 22/01/2021 08:14 ». The pattern is
/// the catalogue's `format-date-time`.
pub fn date_time(lang: Lang, at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono::Local)
        .format(&word(lang, "format-date-time"))
        .to_string()
}

/// The last day an expiry leaves a key working (it expires at the midnight that ends that day):
/// « 31/12/2027 ». The pattern is the catalogue's `format-date`.
pub fn last_valid_day(lang: Lang, expires_at: chrono::DateTime<chrono::Utc>) -> String {
    (expires_at - chrono::Duration::milliseconds(1))
        .with_timezone(&chrono::Local)
        .format(&word(lang, "format-date"))
        .to_string()
}
