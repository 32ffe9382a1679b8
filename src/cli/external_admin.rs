//! `external-admin`: members of a partner acting on its customers' accounts.

use clap::{Args, Subcommand};

use super::{named_account, Session};
use crate::error::{Error, Result};
use crate::model::Email;

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum ExternalAdminCommand {
    /// Give a member of the customer's partner a role on the customer
    /// account; they use their existing login (needs
    /// external_admins.manage in the partner or in the customer).
    Add {
        /// The customer account.
        #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
        customer: String,
        /// An active member of the customer's partner.
        #[command(flatten)]
        member: Member,
        /// Their role on the customer account.
        #[arg(long)]
        role: String,
        /// Only until this moment, when their access ends by itself: an
        /// RFC 3339 time, a date (its first second), or how long from now
        /// (7d).
        #[arg(long, value_name = "WHEN", value_parser = super::until)]
        until: Option<super::Until>,
    },
    /// End an external admin's access to the customer account (asks
    /// first on a terminal; --yes without one).
    Remove {
        /// The customer account.
        #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
        customer: String,
        /// The external admin.
        #[command(flatten)]
        member: Member,
    },
    /// List external admins, current and ended.
    List {
        /// Only this customer account.
        #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
        customer: Option<String>,
    },
}

// The member a command is about: the positional EMAIL, as every `user`
// command takes it, or `--email` (one of the two). (Not a doc comment:
// clap would show it as the about of every command that flattens it.)
#[derive(Debug, Args)]
#[group(id = "member", required = true, multiple = false)]
pub(crate) struct Member {
    /// Their email.
    #[arg(value_name = "EMAIL")]
    email: Option<Email>,
    /// Their email, as an option: the same as EMAIL (one of the two).
    #[arg(long = "email", value_name = "EMAIL")]
    email_flag: Option<Email>,
}

impl Member {
    fn email(self) -> Result<Email> {
        // The group makes clap refuse a command line with neither.
        self.email.or(self.email_flag).ok_or_else(|| {
            Error::invalid("the member's email is missing: EMAIL (or --email EMAIL)")
        })
    }
}

pub(crate) fn run(s: &Session, cmd: ExternalAdminCommand) -> Result<()> {
    let mut portal = s.portal()?;
    match cmd {
        ExternalAdminCommand::Add {
            customer,
            member,
            role,
            until,
        } => {
            let e = member.email()?;
            let until = until.map(|u| u.at(portal.now())).transpose()?;
            let view = portal.external_admin_add(&customer, &e, &role, until)?;
            s.out.note(&format!(
                "`{}` is an external admin of `{}` as `{}`",
                view.email, view.account, view.role
            ));
            s.out.change(&view)
        }
        ExternalAdminCommand::Remove { customer, member } => {
            let e = member.email()?;
            // It takes access away: asked first, as `user deactivate` is.
            s.confirm_checked(
                &mut portal,
                |p| p.check(|p| p.external_admin_remove(&customer, &e)),
                &format!("end `{e}`'s access to `{customer}`?"),
            )?;
            s.out.change(&portal.external_admin_remove(&customer, &e)?)
        }
        ExternalAdminCommand::List { customer } => s.out.list(
            &portal.external_admin_list(customer.as_deref())?,
            "external admins",
        ),
    }
}
