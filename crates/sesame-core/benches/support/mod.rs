//! Shared set-up of the benchmarks.

pub mod seed;
