//! End-to-end tests: the real binary on a temporary database.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

mod support;

mod accounts;
mod areas;
mod catalogs;
mod courses;
mod examples;
mod invitations;
mod lifecycle;
mod orders;
mod permissions;
mod presets;
mod refusals;
mod services;
