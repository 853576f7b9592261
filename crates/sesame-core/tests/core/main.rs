//! The core's integration tests, each on a temporary store.
// Tests stop at the first broken expectation; `expect` names it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod audit_chain;
mod audit_export;
mod bad_input;
mod bulk;
mod catalogue;
mod companies;
mod concurrency;
mod engines;
mod import;
mod keyring;
mod lifecycle;
mod lifetime;
mod listing;
mod modules;
mod postgres;
mod properties;
mod reminders;
mod rights;
mod secrets_on_disk;
mod sign_in;
mod support;
mod tampering;
mod tokens;
mod verification;
