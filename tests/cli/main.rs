//! End-to-end tests: the real binary on a temporary database.

#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr)]

mod support;

mod accounts;
mod addresses;
mod areas;
mod arguments;
mod attacks;
mod catalogs;
mod concurrency;
mod courses;
mod examples;
mod external_admins;
mod invitations;
mod licenses;
mod lifecycle;
mod lmp_levels;
mod orders;
mod partner_config;
mod permissions;
mod presets;
mod refusals;
mod services;
mod snapshots;
mod tables;
