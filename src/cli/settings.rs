//! `settings`: the database's settings (the sender of email, the support
//! address, delivery retries).

use clap::Subcommand;

use super::Session;
use crate::error::Result;

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum SettingsCommand {
    /// Set a setting: mail-from, support-email, mail-max-attempts or
    /// mail-retry-after.
    Set {
        /// The setting.
        key: String,
        /// Its new value, such as `"Acme Portal <portal@acme.test>"`.
        value: String,
    },
    /// Unset a setting: mail-max-attempts and mail-retry-after go back to
    /// their defaults, support-email to none (no duplicate notices), and
    /// mail-from to none, which stops `outbox send` until one is set.
    Unset {
        /// The setting.
        key: String,
    },
    /// Show every setting with its value, or the one named.
    Show {
        /// Only this setting.
        key: Option<String>,
    },
}

pub(crate) fn run(s: &Session, cmd: SettingsCommand) -> Result<()> {
    match cmd {
        SettingsCommand::Set { key, value } => s
            .out
            .list(&[s.portal()?.settings_set(&key, &value)?], "settings"),
        SettingsCommand::Unset { key } => {
            s.out.list(&[s.portal()?.settings_unset(&key)?], "settings")
        }
        SettingsCommand::Show { key } => s
            .out
            .list(&s.portal()?.settings_show(key.as_deref())?, "settings"),
    }
}
