//! One module per group of subcommands, each a thin call into the core.

pub mod audit;
pub mod backup;
pub mod bulk;
pub mod company;
pub mod init;
pub mod key;
pub mod operator;
pub mod report;
pub mod service;
pub mod signing_key;
pub mod store;
pub mod verify;
