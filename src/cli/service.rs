//! `service` and `cost-centre`.

use clap::Subcommand;

use super::Session;
use crate::error::Result;
use crate::model::Email;
use crate::store::OpenMode;

#[derive(Debug, Subcommand)]
pub(crate) enum ServiceCommand {
    /// Add a service (a line, a licence, a domain) to an account.
    Add {
        /// Its name, unique within the account.
        #[arg(long)]
        name: String,
        /// What sort of service, such as broadband.
        #[arg(long)]
        kind: Option<String>,
        /// The account (may be left out when it is clear).
        #[arg(long)]
        account: Option<String>,
    },
    /// List the services you may see.
    List {
        /// The account (may be left out when it is clear).
        #[arg(long)]
        account: Option<String>,
    },
    /// Show one service.
    Show {
        /// Its name or id.
        service: String,
        /// The account (may be left out when it is clear).
        #[arg(long)]
        account: Option<String>,
    },
    /// Assign a service to a member: its assigned contact.
    Assign {
        /// Its name or id.
        service: String,
        /// The member.
        #[arg(long)]
        to: Email,
        /// The account (may be left out when it is clear).
        #[arg(long)]
        account: Option<String>,
    },
    /// Clear a service's assigned contact.
    Unassign {
        /// Its name or id.
        service: String,
        /// The account (may be left out when it is clear).
        #[arg(long)]
        account: Option<String>,
    },
}

pub(crate) fn service(s: &Session, cmd: ServiceCommand) -> Result<()> {
    let mut portal = s.portal(OpenMode::Existing)?;
    match cmd {
        ServiceCommand::Add {
            name,
            kind,
            account,
        } => s
            .out
            .item(&portal.service_add(&name, kind.as_deref(), account.as_deref())?),
        ServiceCommand::List { account } => s.out.list(&portal.service_list(account.as_deref())?),
        ServiceCommand::Show { service, account } => s
            .out
            .item(&portal.service_show(&service, account.as_deref())?),
        ServiceCommand::Assign {
            service,
            to,
            account,
        } => s
            .out
            .item(&portal.service_assign(&service, Some(&to), account.as_deref())?),
        ServiceCommand::Unassign { service, account } => {
            s.out
                .item(&portal.service_assign(&service, None, account.as_deref())?)
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum CostCentreCommand {
    /// Create a cost centre.
    Create {
        /// Its code, such as FIN.
        code: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// The account (may be left out when it is clear).
        #[arg(long)]
        account: Option<String>,
    },
    /// List cost centres, archived ones included.
    List {
        /// The account (may be left out when it is clear).
        #[arg(long)]
        account: Option<String>,
    },
    /// Rename a cost centre.
    Rename {
        /// Its code.
        code: String,
        /// The new name.
        #[arg(long)]
        name: String,
        /// The account (may be left out when it is clear).
        #[arg(long)]
        account: Option<String>,
    },
    /// Archive a cost centre: it takes no new orders.
    Archive {
        /// Its code.
        code: String,
        /// The account (may be left out when it is clear).
        #[arg(long)]
        account: Option<String>,
    },
}

pub(crate) fn cost_centre(s: &Session, cmd: CostCentreCommand) -> Result<()> {
    let mut portal = s.portal(OpenMode::Existing)?;
    match cmd {
        CostCentreCommand::Create {
            code,
            name,
            account,
        } => s
            .out
            .item(&portal.cost_centre_create(&code, &name, account.as_deref())?),
        CostCentreCommand::List { account } => {
            s.out.list(&portal.cost_centre_list(account.as_deref())?)
        }
        CostCentreCommand::Rename {
            code,
            name,
            account,
        } => s
            .out
            .item(&portal.cost_centre_change(&code, Some(&name), account.as_deref())?),
        CostCentreCommand::Archive { code, account } => {
            s.out
                .item(&portal.cost_centre_change(&code, None, account.as_deref())?)
        }
    }
}
