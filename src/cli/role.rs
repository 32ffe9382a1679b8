//! `role` and `can`.

use clap::{Args, Subcommand};

use super::{complete, AccountArg, Session, TextArg};
use crate::error::{Outcome, Result};
use crate::model::{Capability, Email, Text};

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum RoleCommand {
    /// List the roles with their capabilities.
    List,
    /// Show one role; a custom role several accounts have by that name takes --account.
    Show {
        /// The role name.
        #[arg(value_name = "ROLE")]
        name: String,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Create a custom role; made in an account (--account, or a member's own), it is that account's to delete
    Create {
        /// The role name: lower-case letters, digits and dashes.
        name: String,
        /// Comma-separated capabilities of the catalog.
        #[arg(
            long,
            value_name = "CAPABILITY,..",
            value_delimiter = ',',
            required = true,
            add = complete::capabilities()
        )]
        capabilities: Vec<Capability>,
        /// What the role is for, on one line.
        #[arg(long, default_value = "", value_parser = TextArg)]
        description: Text,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Delete a role nobody holds; it is retired, not erased.
    Delete {
        /// The role name.
        #[arg(value_name = "ROLE")]
        name: String,
        #[command(flatten)]
        account: AccountArg,
    },
}

pub(crate) fn run(s: &Session, cmd: RoleCommand) -> Result<()> {
    let mut portal = s.portal()?;
    match cmd {
        RoleCommand::List => s.out.list(&portal.role_list()?, "roles"),
        RoleCommand::Show { name, account } => {
            s.out.item(&portal.role_show(&name, account.name())?)
        }
        RoleCommand::Create {
            name,
            capabilities,
            description,
            account,
        } => {
            let view = portal.role_create(&name, &capabilities, &description, account.name())?;
            s.out.note(&format!("created role `{}`", view.name));
            s.out.change(&view)
        }
        RoleCommand::Delete { name, account } => {
            s.confirm_checked(
                &mut portal,
                |p| p.check(|p| p.role_delete(&name, account.name())),
                &format!("delete role `{name}`? it is no longer offered"),
            )?;
            let view = portal.role_delete(&name, account.name())?;
            s.out.note(&format!(
                "deleted role `{}`; it is no longer offered",
                view.name
            ));
            s.out.change(&view)
        }
    }
}

#[derive(Debug, Args)]
pub(crate) struct CanArgs {
    /// The member.
    email: Email,
    /// A capability of the catalog, such as `users.manage`.
    #[arg(add = complete::capabilities())]
    capability: Capability,
    #[command(flatten)]
    account: AccountArg,
    /// Answer as of this moment, from the audit log: an RFC 3339 time, a
    /// date (its first second), or how long ago (3d).
    #[arg(long, value_name = "WHEN", value_parser = super::since)]
    at: Option<super::Since>,
}

/// Prints the answer either way; "no" exits 5.
pub(crate) fn can(s: &Session, args: CanArgs) -> Result<Outcome> {
    let mut portal = s.portal()?;
    let view = match args.at {
        Some(at) => {
            let at = at.at(portal.now())?;
            portal.can_at(&args.email, args.capability, args.account.name(), at)?
        }
        None => portal.can(&args.email, args.capability, args.account.name())?,
    };
    s.out.item(&view)?;
    Ok(if view.allowed {
        Outcome::Done
    } else {
        Outcome::No
    })
}
