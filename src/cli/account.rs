//! `account`.

use clap::{Args, Subcommand};

use super::Session;
use crate::domain::{NewAccount, ProfileChange};
use crate::error::Result;
use crate::model::AccountKind;
use crate::store::OpenMode;

#[derive(Debug, Subcommand)]
pub(crate) enum AccountCommand {
    /// Create an account.
    Create {
        /// Its unique name.
        name: String,
        /// Partner or customer.
        #[arg(long)]
        kind: AccountKind,
        /// The parent partner of a customer.
        #[arg(long)]
        parent: Option<String>,
        /// ISO 4217 currency (default: the parent's, else GBP).
        #[arg(long)]
        currency: Option<String>,
    },
    /// List accounts: each partner followed by its customers.
    List,
    /// Show an account's details.
    Show {
        /// The account (may be left out when there is only one).
        name: Option<String>,
    },
    /// Change profile fields; an empty value clears a field.
    Set(SetArgs),
}

#[derive(Debug, Args)]
pub(crate) struct SetArgs {
    /// The account (may be left out when there is only one).
    name: Option<String>,
    /// Contact phone.
    #[arg(long)]
    phone: Option<String>,
    /// Web site.
    #[arg(long)]
    website: Option<String>,
    /// Marketing message.
    #[arg(long)]
    marketing: Option<String>,
    /// Sectors served.
    #[arg(long)]
    sectors: Option<String>,
}

pub(crate) fn run(s: &Session, cmd: AccountCommand) -> Result<()> {
    let mut portal = s.portal(OpenMode::Existing)?;
    match cmd {
        AccountCommand::Create {
            name,
            kind,
            parent,
            currency,
        } => {
            let view = portal.account_create(&NewAccount {
                name,
                kind,
                parent,
                currency,
            })?;
            s.out
                .note(&format!("created {} account `{}`", view.kind, view.name));
            s.out.item(&view)
        }
        AccountCommand::List => s.out.list(&portal.account_list()?),
        AccountCommand::Show { name } => s.out.item(&portal.account_show(name.as_deref())?),
        AccountCommand::Set(a) => {
            let change = ProfileChange {
                phone: a.phone,
                website: a.website,
                marketing: a.marketing,
                sectors: a.sectors,
            };
            s.out.item(&portal.account_set(a.name.as_deref(), &change)?)
        }
    }
}
