//! End-to-end tests: the real binary on a temporary database.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

mod support;

mod accounts;
mod areas;
mod catalogs;
mod courses;
mod invitations;
mod lifecycle;
mod permissions;
mod presets;
mod refusals;
