//! The core's integration tests, each on a temporary store.
// Tests stop at the first broken expectation; `expect` names it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod audit_chain;
mod bad_input;
mod lifecycle;
mod listing;
mod properties;
mod secrets_on_disk;
mod support;
mod verification;
