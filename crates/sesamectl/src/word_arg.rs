//! The command line reads a vocabulary's values by their codes, the same codes the store, `--json`
//! and the webview carry (`sesame_core::vocab`): no enum of its own to keep in step. A code is
//! written with `-` between words in `--help` (`--health no-expiry`), and `_` is accepted too.

use std::ffi::OsStr;
use std::marker::PhantomData;

use clap::builder::{PossibleValue, TypedValueParser};
use clap::error::{ContextKind, ContextValue, ErrorKind};
use sesame_core::vocab::Word;

/// The value parser of the vocabulary `T`.
#[derive(Debug, Clone, Copy)]
pub struct WordArg<T>(PhantomData<T>);

pub fn word<T: Word>() -> WordArg<T> {
    WordArg(PhantomData)
}

/// How a code is written on the command line.
fn spelled(code: &str) -> String {
    code.replace('_', "-")
}

impl<T: Word> TypedValueParser for WordArg<T> {
    type Value = T;

    fn parse_ref(
        &self,
        command: &clap::Command,
        argument: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let given = value.to_str().map(spelled);
        if let Some(word) = T::all()
            .iter()
            .copied()
            .find(|word| given.as_deref() == Some(spelled(word.code()).as_str()))
        {
            return Ok(word);
        }
        let mut error = clap::Error::new(ErrorKind::InvalidValue).with_cmd(command);
        if let Some(argument) = argument {
            error.insert(
                ContextKind::InvalidArg,
                ContextValue::String(argument.to_string()),
            );
        }
        error.insert(
            ContextKind::InvalidValue,
            ContextValue::String(value.to_string_lossy().into_owned()),
        );
        error.insert(
            ContextKind::ValidValue,
            ContextValue::Strings(T::all().iter().map(|word| spelled(word.code())).collect()),
        );
        Err(error)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new(
            T::all()
                .iter()
                .map(|word| PossibleValue::new(spelled(word.code()))),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sesame_core::vocab::{Grace, Health, KeySort};

    #[test]
    fn codes_are_read_with_dashes_or_underscores_and_nothing_else() {
        let command = clap::Command::new("sesamectl");
        let read = |value: &str| word::<Health>().parse_ref(&command, None, OsStr::new(value));
        assert_eq!(read("no-expiry").ok(), Some(Health::NoExpiry));
        assert_eq!(read("no_expiry").ok(), Some(Health::NoExpiry));
        assert!(read("No-Expiry").is_err());
        assert!(read("").is_err());
        let sort = word::<KeySort>().parse_ref(&command, None, OsStr::new("last-use"));
        assert_eq!(sort.ok(), Some(KeySort::LastUse));
        let grace = word::<Grace>().parse_ref(&command, None, OsStr::new("7d"));
        assert_eq!(grace.ok(), Some(Grace::SevenDays));
        let shown: Vec<String> = word::<Health>()
            .possible_values()
            .into_iter()
            .flatten()
            .map(|value| value.get_name().to_owned())
            .collect();
        assert!(
            shown.contains(&"beyond-max-lifetime".to_owned()),
            "{shown:?}"
        );
    }
}
