//! Input rules shared by every front end: names, free text, websites, prefixes, permissions, dates.

use chrono::{DateTime, Duration, Local, NaiveDate, TimeZone, Utc};
use unicode_normalization::UnicodeNormalization;

use crate::error::{Error, Field, Result};

pub const NAME_MAX: usize = 100;
pub const CATEGORY_MAX: usize = 60;
pub const DESCRIPTION_MAX: usize = 2000;
pub const NOTE_MAX: usize = 1000;
pub const REASON_MAX: usize = 500;
pub const WEBSITE_MAX: usize = 2048;
pub const PERMISSION_MAX: usize = 64;

/// Text-direction controls (LRE, RLE, PDF, LRO, RLO, LRI, RLI, FSI, PDI, LRM, RLM, ALM) can make
/// a name read differently from what it is, so they are refused everywhere.
fn is_direction_control(character: char) -> bool {
    matches!(character, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A one-line name: trimmed, NFC-normalised, not empty, at most `max` characters, and free of
/// control and direction characters.
pub fn name(field: Field, raw: &str, max: usize) -> Result<String> {
    let normalised: String = raw.trim().nfc().collect();
    if normalised.is_empty() {
        return Err(Error::Empty { field });
    }
    if normalised.chars().count() > max {
        return Err(Error::TooLong { field, max });
    }
    if normalised
        .chars()
        .any(|c| c.is_control() || is_direction_control(c))
    {
        return Err(Error::ForbiddenCharacter { field });
    }
    Ok(normalised)
}

/// The form of a name used for uniqueness: NFC, then Unicode case folding, then NFC again, so
/// « Paie » and « PAIE », « Straße » and « STRASSE », or a precomposed and a decomposed « é »
/// are the same name.
pub fn name_key(name: &str) -> String {
    let folded = caseless::default_case_fold_str(&name.nfc().collect::<String>());
    folded.nfc().collect()
}

/// Accented Latin letters and the plain lower-case letter each is searched as, one for one
/// (French and its neighbours: « État » is found by « etat »). The same table is SQL's
/// `sesame_unaccent` on both engines: a function of each SQLite connection, and PostgreSQL's
/// `translate` in migration 13.
pub const ACCENTED: &str = "àáâãäåāăąÀÁÂÃÄÅĀĂĄçćčÇĆČďĎèéêëēėęěÈÉÊËĒĖĘĚìíîïīįÌÍÎÏĪĮłŁñńňÑŃŇòóôõöøōÒÓÔÕÖØŌřŘśšŚŠťŤùúûüūůűÙÚÛÜŪŮŰýÿÝŸźżžŹŻŽ";
pub const UNACCENTED: &str = "aaaaaaaaaaaaaaaaaaccccccddeeeeeeeeeeeeeeeeiiiiiiiiiiiillnnnnnnoooooooooooooorrssssttuuuuuuuuuuuuuuyyyyzzzzzz";

/// `text` with each letter of [`ACCENTED`] replaced by its plain letter.
pub fn unaccent(text: &str) -> String {
    text.chars()
        .map(
            |c| match ACCENTED.chars().position(|accented| accented == c) {
                Some(at) => UNACCENTED.chars().nth(at).unwrap_or(c),
                None => c,
            },
        )
        .collect()
}

/// What a search compares: the comparison key without accents (see [`name_key`]).
pub fn search_key(text: &str) -> String {
    unaccent(&name_key(text))
}

/// Free text (description, note, reason): may be empty and span lines, but holds no other
/// control character and no direction control.
pub fn free_text(field: Field, raw: &str, max: usize) -> Result<String> {
    let normalised: String = raw.trim().nfc().collect();
    if normalised.chars().count() > max {
        return Err(Error::TooLong { field, max });
    }
    let forbidden = |c: char| (c.is_control() && c != '\n' && c != '\t') || is_direction_control(c);
    if normalised.chars().any(forbidden) {
        return Err(Error::ForbiddenCharacter { field });
    }
    Ok(normalised)
}

/// Like [`free_text`] but required.
pub fn required_text(field: Field, raw: &str, max: usize) -> Result<String> {
    let text = free_text(field, raw, max)?;
    if text.is_empty() {
        return Err(Error::Empty { field });
    }
    Ok(text)
}

/// An optional website: empty means none; otherwise an absolute http(s) address with a host.
pub fn website(raw: &str) -> Result<Option<String>> {
    let trimmed = raw.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    if trimmed.chars().count() > WEBSITE_MAX {
        return Err(Error::TooLong {
            field: Field::Website,
            max: WEBSITE_MAX,
        });
    }
    let parsed = url::Url::parse(trimmed).map_err(|_| Error::WebsiteInvalid(trimmed.to_owned()))?;
    let scheme_ok = matches!(parsed.scheme(), "http" | "https");
    if !scheme_ok || parsed.host_str().is_none_or(str::is_empty) {
        return Err(Error::WebsiteInvalid(trimmed.to_owned()));
    }
    Ok(Some(parsed.to_string()))
}

/// A key prefix: 2 to 16 lowercase ASCII letters or digits, starting with a letter. It starts
/// every identifier of the service's keys, so it must be safe in URLs, headers and file names.
pub fn prefix(raw: &str) -> Result<String> {
    let prefix = raw.trim();
    let mut characters = prefix.chars();
    let first_ok = characters.next().is_some_and(|c| c.is_ascii_lowercase());
    let rest_ok = characters.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !(2..=16).contains(&prefix.len()) || !first_ok || !rest_ok {
        return Err(Error::PrefixInvalid(prefix.to_owned()));
    }
    Ok(prefix.to_owned())
}

/// A default prefix made from a service name: its ASCII letters and digits, lower case,
/// at most 8 characters, or « key » when nothing usable is left.
pub fn prefix_from_name(name: &str) -> String {
    let ascii: String = name
        .nfd()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .skip_while(char::is_ascii_digit)
        .take(8)
        .collect();
    if ascii.len() >= 2 {
        ascii
    } else {
        "key".to_owned()
    }
}

/// A permission: lowercase ASCII words (letters, digits, `_`, `-`) separated by `:`,
/// such as `factures:lecture`.
pub fn permission(raw: &str) -> Result<String> {
    let permission = raw.trim();
    if permission.is_empty() {
        return Err(Error::Empty {
            field: Field::Permission,
        });
    }
    if permission.len() > PERMISSION_MAX {
        return Err(Error::TooLong {
            field: Field::Permission,
            max: PERMISSION_MAX,
        });
    }
    let word_ok = |word: &str| {
        word.chars().next().is_some_and(|c| c.is_ascii_lowercase())
            && word
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    };
    if !permission.split(':').all(word_ok) {
        return Err(Error::PermissionInvalid(permission.to_owned()));
    }
    Ok(permission.to_owned())
}

/// A list of permissions, validated, sorted and without repeats.
pub fn permissions<S: AsRef<str>>(raw: &[S]) -> Result<Vec<String>> {
    let mut list = raw
        .iter()
        .map(|p| permission(p.as_ref()))
        .collect::<Result<Vec<_>>>()?;
    list.sort();
    list.dedup();
    Ok(list)
}

/// The longest tag and contact kept.
pub const TAG_MAX: usize = 32;
pub const CONTACT_MAX: usize = 200;

/// Free tags, as people type them (commas or spaces between them are separators): each trimmed,
/// lower-cased, at most [`TAG_MAX`] characters, no control character; sorted, without repeats.
pub fn tags<S: AsRef<str>>(raw: &[S]) -> Result<Vec<String>> {
    let mut tags = Vec::new();
    for cell in raw {
        for tag in cell
            .as_ref()
            .split([',', ';'])
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            let tag = name(Field::Tag, tag, TAG_MAX)?.to_lowercase();
            tags.push(tag);
        }
    }
    tags.sort();
    tags.dedup();
    Ok(tags)
}

/// Who to call about a key: a name, an e-mail or a phone number, free text.
pub fn contact(raw: &str) -> Result<String> {
    free_text(Field::Contact, raw.trim(), CONTACT_MAX)
}

/// A SIREN: nine digits (spaces as people group them are taken out) whose last is the Luhn key
/// of the others.
pub fn siren(raw: &str) -> Result<String> {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    let luhn = || {
        digits
            .bytes()
            .rev()
            .enumerate()
            .map(|(position, digit)| {
                let value = u32::from(digit - b'0');
                match position % 2 {
                    1 if value * 2 > 9 => value * 2 - 9,
                    1 => value * 2,
                    _ => value,
                }
            })
            .sum::<u32>()
            % 10
            == 0
    };
    // Nine zeros pass the Luhn key but are no company's number.
    let zeros = digits.bytes().all(|b| b == b'0');
    match digits.len() == 9 && digits.bytes().all(|b| b.is_ascii_digit()) && !zeros && luhn() {
        true => Ok(digits),
        false => Err(Error::SirenInvalid(raw.trim().chars().take(40).collect())),
    }
}

fn parse_day(raw: &str) -> Result<NaiveDate> {
    let text = raw.trim();
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| Error::DateInvalid(text.to_owned()))
}

/// Reads an expiry date written `YYYY-MM-DD`. A key is valid through the whole of that day,
/// in the office's local time, so it expires at the next local midnight.
pub fn expiry_date(raw: &str) -> Result<DateTime<Utc>> {
    let date = parse_day(raw)?;
    let next_day = date
        .succ_opt()
        .ok_or_else(|| Error::DateInvalid(raw.trim().to_owned()))?;
    local_midnight(next_day, raw.trim())
}

/// The first instant of a day written `YYYY-MM-DD`, in local time (a range's start).
pub fn day_start(raw: &str) -> Result<DateTime<Utc>> {
    local_midnight(parse_day(raw)?, raw.trim())
}

/// The last instant of a day written `YYYY-MM-DD`, in local time (a range's inclusive end).
pub fn day_end(raw: &str) -> Result<DateTime<Utc>> {
    Ok(expiry_date(raw)? - Duration::milliseconds(1))
}

pub(crate) fn local_midnight(day: NaiveDate, text: &str) -> Result<DateTime<Utc>> {
    let midnight = day
        .and_hms_opt(0, 0, 0)
        .ok_or_else(|| Error::DateInvalid(text.to_owned()))?;
    // A midnight skipped by a daylight-saving change does not exist; take the instant an hour on.
    let local = Local
        .from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            Local
                .from_local_datetime(&(midnight + Duration::hours(1)))
                .earliest()
        })
        .ok_or_else(|| Error::DateInvalid(text.to_owned()))?;
    Ok(local.with_timezone(&Utc))
}

/// An expiry must lie in the future when it is set or changed.
pub fn future_expiry(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> Result<DateTime<Utc>> {
    if expires_at <= now {
        return Err(Error::DateInPast);
    }
    Ok(expires_at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_normalised_and_checked() {
        assert_eq!(
            name(Field::KeyName, "  Paie  ", 10).ok(),
            Some("Paie".to_owned())
        );
        assert_eq!(
            name(Field::KeyName, "e\u{301}", 10).ok(),
            Some("\u{e9}".to_owned())
        );
        assert_eq!(
            name(Field::KeyName, "   ", 10).map_err(|e| e.code()),
            Err("empty")
        );
        assert_eq!(
            name(Field::KeyName, "abcdefghijk", 10).map_err(|e| e.code()),
            Err("too_long")
        );
        for bad in ["a\u{7}b", "a\nb", "abc\u{202E}fdp.exe", "x\u{2066}y"] {
            assert_eq!(
                name(Field::KeyName, bad, 20).map_err(|e| e.code()),
                Err("forbidden_character")
            );
        }
        assert_eq!(name_key("PAIE É"), name_key("paie e\u{301}"));
    }

    #[test]
    fn websites_prefixes_and_permissions() {
        assert_eq!(website("").ok(), Some(None));
        assert!(website("https://exemple.fr/paie").is_ok());
        assert!(website("javascript:alert(1)").is_err());
        assert!(website("ftp://exemple.fr").is_err());
        assert!(website("pas une adresse").is_err());
        assert!(prefix("paie2").is_ok());
        for bad in ["P", "2paie", "pa_ie", "p", "abcdefghijklmnopq", "é"] {
            assert!(prefix(bad).is_err(), "{bad}");
        }
        assert_eq!(prefix_from_name("Échange de documents"), "echanged");
        assert_eq!(prefix_from_name("42"), "key");
        assert!(permission("factures:lecture").is_ok());
        for bad in ["Factures", "factures:", ":x", "écriture", "a b", ""] {
            assert!(permission(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_siren_has_nine_digits_and_its_luhn_key() {
        assert_eq!(siren("732 829 320").ok().as_deref(), Some("732829320"));
        assert_eq!(siren("552100554").ok().as_deref(), Some("552100554"));
        for bad in [
            "732829321",
            "123456789",
            "73282932",
            "7328293200",
            "73282932A",
            "000000000",
            "000 000 000",
            "",
        ] {
            assert_eq!(
                siren(bad).map_err(|e| e.code()),
                Err("siren_invalid"),
                "{bad}"
            );
        }
    }

    #[test]
    fn searches_ignore_accents_with_postgresql_s_very_table() {
        assert_eq!(ACCENTED.chars().count(), UNACCENTED.chars().count());
        assert_eq!(search_key("État Civil"), "etat civil");
        assert_eq!(unaccent("Œuvre, straße"), "Œuvre, straße");
        let migration = include_str!("store/pg_migrations/0013_unaccented_search.sql");
        assert!(migration.contains(&format!("translate($1, '{ACCENTED}', '{UNACCENTED}')")));
    }

    #[test]
    fn expiry_dates() {
        assert!(expiry_date("2027-01-31").is_ok());
        for bad in ["31/01/2027", "2027-02-30", "demain", ""] {
            assert_eq!(expiry_date(bad).map_err(|e| e.code()), Err("date_invalid"));
        }
    }
}
