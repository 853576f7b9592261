//! `sesamectl`'s integration tests: the real binary on temporary stores.
// Tests stop at the first broken expectation; `expect` names it.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod attacks;
mod audit;
mod backup;
mod bad_input;
mod bulk;
mod commands;
mod companies;
mod copy;
mod crash;
mod import;
mod operators;
mod report;
mod serve;
mod support;
mod tampering;
