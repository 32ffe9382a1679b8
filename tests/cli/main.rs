//! End-to-end tests: the real binary on a temporary database.

// Helpers shared between test modules are `pub` for the crate alone.
#![allow(
    unreachable_pub, clippy::unwrap_used, clippy::print_stdout, clippy::print_stderr
)]

mod support;

mod account_meant;
mod accounts;
mod addresses;
mod advice;
mod apply_sight;
mod apply_usability;
mod areas;
mod arguments;
mod attacks;
mod audit;
mod catalogs;
mod completions;
mod concurrency;
mod confirmations;
mod courses;
mod crash;
mod delegation;
mod email_addresses;
mod examples;
mod external_admins;
mod files;
mod fixture_roles;
mod fixtures;
mod fixtures_later;
mod fuzz;
mod grants;
mod help;
mod hostile_text;
mod invitations;
mod invited_elsewhere;
mod invited_names;
mod joined_accounts;
mod leaks;
mod licenses;
mod lifecycle;
mod lmp_levels;
mod log_places;
mod look_alikes;
mod merge_services;
mod merge_sight;
mod name_keys;
mod named_approvers;
mod numbers;
mod orders;
mod orders_by_ref;
mod outbox;
mod ownership;
mod partner_config;
mod partner_details;
mod partner_sight;
mod paste;
mod people;
mod permissions;
mod presets;
mod refusals;
mod scripting;
mod services;
mod smtp_server;
mod snapshots;
mod status;
mod tables;
mod time_bound;
