//! portalctl: an admin tool for the users, roles, invitations and order
//! approvals of a B2B partner/customer portal, kept in one SQLite file.
//!
//! Layers point one way: `cli` parses and prints, `domain` holds every
//! rule, `store` holds all SQL. `model`, `view` and `error` are shared
//! plain data.

mod cli;
mod domain;
mod error;
mod mail;
mod model;
mod output;
mod prompt;
mod store;
mod view;

// Only what the binary uses is public, so the compiler reports dead code.
pub use cli::{
    clap_error, command, complete_from_env, help_topic_line, help_topic_typo, parse, run,
    usage_error, value_error, Cli,
};
pub use error::{Error, Outcome, Result};
pub use output::{is_broken_pipe, print_error, write_out};
