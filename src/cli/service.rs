//! `service` and `cost-centre`.

use clap::Subcommand;

use super::{AccountArg, LimitArg, Session, TextArg};
use crate::error::Result;
use crate::model::{Email, Text};
use crate::view::ServiceView;

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum ServiceCommand {
    /// Add a service (a line, a licence, a domain) to an account.
    Add {
        /// Its name, unique within the account.
        #[arg(long, value_parser = TextArg)]
        name: Text,
        /// What sort of service, such as broadband.
        #[arg(long, value_parser = TextArg)]
        kind: Option<Text>,
        #[command(flatten)]
        account: AccountArg,
    },
    /// List the services you may see. Without --account, those of every
    /// account where you may see some.
    List {
        #[command(flatten)]
        account: AccountArg,
        #[command(flatten)]
        limit: LimitArg,
    },
    /// Show one service.
    Show {
        /// Its name or id.
        service: String,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Assign services to a member: their assigned contact. Several go
    /// together or not at all.
    Assign {
        /// Their names or ids.
        #[arg(required = true, num_args = 1..)]
        services: Vec<String>,
        /// The member.
        #[arg(long, value_name = "EMAIL")]
        to: Email,
        #[command(flatten)]
        account: AccountArg,
        /// Only until this moment, when the assignment ends by itself: an
        /// RFC 3339 time, a date (its first second), or how long from now
        /// (7d).
        #[arg(long, value_name = "WHEN", value_parser = super::until)]
        until: Option<super::Until>,
    },
    /// Clear services' assigned contact. Several go together or not at all.
    Unassign {
        /// Their names or ids.
        #[arg(required = true, num_args = 1..)]
        services: Vec<String>,
        #[command(flatten)]
        account: AccountArg,
    },
}

pub(crate) fn service(s: &Session, cmd: ServiceCommand) -> Result<()> {
    let mut portal = s.portal()?;
    match cmd {
        ServiceCommand::Add {
            name,
            kind,
            account,
        } => s.out.change(&portal.service_add(
            name.as_str(),
            kind.as_ref().map(Text::as_str),
            account.name(),
        )?),
        ServiceCommand::List { account, limit } => s.out.list(
            &portal.service_list(account.name(), limit.limit)?,
            "services",
        ),
        ServiceCommand::Show { service, account } => {
            s.out.item(&portal.service_show(&service, account.name())?)
        }
        ServiceCommand::Assign {
            services,
            to,
            account,
            until,
        } => {
            let until = until.map(|u| u.at(portal.now())).transpose()?;
            assigned(
                s,
                &portal.service_assign(&services, Some(&to), account.name(), until)?,
            )
        }
        ServiceCommand::Unassign { services, account } => assigned(
            s,
            &portal.service_assign(&services, None, account.name(), None)?,
        ),
    }
}

/// One service named prints that service; several print a list.
fn assigned(s: &Session, services: &[ServiceView]) -> Result<()> {
    match services {
        [one] => s.out.change(one),
        all => s.out.list(all, "services"),
    }
}

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum CostCentreCommand {
    /// Create a cost centre.
    Create {
        /// Its code, such as FIN.
        code: String,
        /// Its name.
        #[arg(long, value_parser = TextArg)]
        name: Text,
        #[command(flatten)]
        account: AccountArg,
    },
    /// List cost centres, archived ones included.
    List {
        #[command(flatten)]
        account: AccountArg,
    },
    /// Rename a cost centre.
    Rename {
        /// Its code.
        code: String,
        /// The new name.
        #[arg(long, value_parser = TextArg)]
        name: Text,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Archive a cost centre: it takes no new orders.
    Archive {
        /// Its code.
        code: String,
        #[command(flatten)]
        account: AccountArg,
    },
}

pub(crate) fn cost_centre(s: &Session, cmd: CostCentreCommand) -> Result<()> {
    let mut portal = s.portal()?;
    match cmd {
        CostCentreCommand::Create {
            code,
            name,
            account,
        } => s
            .out
            .change(&portal.cost_centre_create(&code, &name, account.name())?),
        CostCentreCommand::List { account } => s
            .out
            .list(&portal.cost_centre_list(account.name())?, "cost centres"),
        CostCentreCommand::Rename {
            code,
            name,
            account,
        } => s
            .out
            .change(&portal.cost_centre_change(&code, Some(&name), account.name())?),
        CostCentreCommand::Archive { code, account } => {
            s.out
                .change(&portal.cost_centre_change(&code, None, account.name())?)
        }
    }
}
