//! portalctl: an admin tool for the users, roles, invitations and order
//! approvals of a B2B partner/customer portal, kept in one SQLite file.
//!
//! Layers point one way: [`cli`] parses and prints, [`domain`] holds every
//! rule, [`store`] holds all SQL. [`model`], [`view`] and [`error`] are
//! shared plain data.

pub mod cli;
pub mod domain;
pub mod error;
pub mod model;
pub mod output;
mod prompt;
pub mod store;
pub mod view;

pub use cli::{run, value_error, Cli};
pub use error::{Error, Result};
