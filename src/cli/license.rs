//! `license`: partners buy seats and hand them to their customers.

use clap::Subcommand;

use super::{named_account, AccountArg, LimitArg, Session, TextArg};
use crate::domain::{Allocate, Move, Purchase};
use crate::error::Result;
use crate::model::{Money, Text};

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum LicenseCommand {
    /// Buy seats of a product for a partner (needs licenses.purchase).
    Purchase {
        /// The product, such as "MDR Complete".
        #[arg(long, value_parser = TextArg)]
        product: Text,
        /// How many seats to add.
        #[arg(long, value_name = "COUNT", allow_negative_numbers = true)]
        seats: i64,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Set how many seats of a product a customer holds; 0 hands them all
    /// back (needs licenses.allocate).
    Allocate {
        /// The product.
        #[arg(long)]
        product: String,
        /// The customer account.
        #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
        customer: String,
        /// The seats the customer holds afterwards.
        #[arg(long, value_name = "COUNT", allow_negative_numbers = true)]
        seats: i64,
        /// Label of one of the partner's shipping addresses to ship the
        /// seats to (needs addresses.use); kept until another is given.
        #[arg(long, value_name = "LABEL")]
        ship_to: Option<String>,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Move seats of a product from one customer to another (needs
    /// licenses.allocate).
    Move {
        /// The product.
        #[arg(long)]
        product: String,
        /// The customer giving seats.
        #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
        from: String,
        /// The customer receiving them.
        #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
        to: String,
        /// How many seats.
        #[arg(long, value_name = "COUNT", allow_negative_numbers = true)]
        seats: i64,
        #[command(flatten)]
        account: AccountArg,
    },
    /// List a partner's licences and who holds their seats.
    List {
        /// Only the seats this customer holds.
        #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
        customer: Option<String>,
        #[command(flatten)]
        account: AccountArg,
        #[command(flatten)]
        limit: LimitArg,
    },
    /// A partner's contracted prices: what it agreed with the vendor per
    /// product.
    #[command(subcommand)]
    Price(PriceCommand),
}

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum PriceCommand {
    /// Set the price agreed for a product, in the partner's currency
    /// (the operator only: prices are agreed with the vendor).
    Set {
        /// The product, such as "Email Security".
        #[arg(long, value_parser = TextArg)]
        product: Text,
        /// The price, such as 12.50.
        #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
        price: Money,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Remove the price agreed for a product (the operator only).
    Remove {
        /// The product.
        #[arg(long, value_parser = TextArg)]
        product: Text,
        #[command(flatten)]
        account: AccountArg,
    },
    /// List the prices a partner agreed, by product (needs account.view).
    List {
        #[command(flatten)]
        account: AccountArg,
    },
}

pub(crate) fn run(s: &Session, cmd: LicenseCommand) -> Result<()> {
    let mut portal = s.portal()?;
    match cmd {
        LicenseCommand::Purchase {
            product,
            seats,
            account,
        } => s.out.change(&portal.license_purchase(&Purchase {
            product,
            seats,
            account: account.into_name(),
        })?),
        LicenseCommand::Allocate {
            product,
            customer,
            seats,
            ship_to,
            account,
        } => s.out.change(&portal.license_allocate(&Allocate {
            product,
            customer,
            seats,
            ship_to,
            account: account.into_name(),
        })?),
        LicenseCommand::Move {
            product,
            from,
            to,
            seats,
            account,
        } => s.out.change(&portal.license_move(&Move {
            product,
            from,
            to,
            seats,
            account: account.into_name(),
        })?),
        LicenseCommand::List {
            customer,
            account,
            limit,
        } => s.out.list(
            &portal.license_list(account.name(), customer.as_deref(), limit.limit)?,
            "licences",
        ),
        LicenseCommand::Price(cmd) => match cmd {
            PriceCommand::Set {
                product,
                price,
                account,
            } => s
                .out
                .change(&portal.price_set(account.name(), &product, price)?),
            PriceCommand::Remove { product, account } => {
                let removed = portal.price_remove(account.name(), &product)?;
                s.out.note(&format!(
                    "removed the price of `{}` for `{}`",
                    removed.line.product, removed.account
                ));
                s.out.change(&removed)
            }
            PriceCommand::List { account } => {
                s.out.list(&portal.price_list(account.name())?, "prices")
            }
        },
    }
}
