//! `account`: accounts, their profiles, shipping addresses, payment
//! details and partner config.

use clap::{ArgGroup, Args, Subcommand};

use super::Session;
use crate::domain::{NewAccount, NewAddress, ProfileChange};
use crate::error::{Error, Result};
use crate::model::{
    parse_currency, AccountKind, Iban, IpDirection, IpNetwork, PaymentMethod, Smarthost,
};
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
        #[arg(long, value_parser = parse_currency)]
        currency: Option<String>,
    },
    /// List accounts: each partner followed by its customers.
    List,
    /// Show an account: details, status, addresses, products and config.
    Show {
        /// The account (may be left out when there is only one).
        name: Option<String>,
    },
    /// Change profile fields; an empty value clears a field.
    Set(SetArgs),
    /// Shipping addresses.
    #[command(subcommand)]
    Address(AddressCommand),
    /// Payment method and bank details (shown masked).
    #[command(subcommand)]
    Payment(PaymentCommand),
    /// A partner's inbound and outbound IP addresses.
    #[command(subcommand)]
    Ip(IpCommand),
    /// A partner's mail smarthost.
    #[command(subcommand)]
    Smarthost(SmarthostCommand),
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
    /// A partner's status, such as Technical or Sales.
    #[arg(long)]
    status: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum AddressCommand {
    /// Add a shipping address (needs addresses.edit).
    Add(AddressArgs),
    /// List the account's shipping addresses.
    List {
        /// The account.
        account: String,
    },
    /// Remove a shipping address; orders that used it keep their copy.
    Remove {
        /// The account.
        account: String,
        /// The address's label.
        label: String,
    },
}

#[derive(Debug, Args)]
pub(crate) struct AddressArgs {
    /// The account.
    account: String,
    /// A name for the address, unique in the account, such as HQ.
    #[arg(long)]
    label: String,
    /// First line.
    #[arg(long)]
    line1: String,
    /// Second line.
    #[arg(long)]
    line2: Option<String>,
    /// City.
    #[arg(long)]
    city: String,
    /// Postcode.
    #[arg(long)]
    postcode: String,
    /// ISO 3166 alpha-2 country code.
    #[arg(long)]
    country: String,
}

#[derive(Debug, Subcommand)]
pub(crate) enum PaymentCommand {
    /// Set how the account pays (needs billing.payment).
    Set {
        /// The account.
        account: String,
        /// direct-debit, bank-transfer, card or invoice.
        #[arg(long)]
        method: PaymentMethod,
        /// The bank account (IBAN), for direct-debit or bank-transfer.
        #[arg(long)]
        iban: Option<Iban>,
    },
    /// Show the payment details, bank details masked.
    Show {
        /// The account.
        account: String,
    },
}

#[derive(Debug, Subcommand)]
pub(crate) enum IpCommand {
    /// Add an IP address or CIDR range (needs account.config).
    Add(IpArgs),
    /// Remove an IP address or CIDR range (needs account.config).
    Remove(IpArgs),
    /// List the partner's IP addresses.
    List {
        /// The partner account.
        account: String,
    },
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("direction").required(true).args(["inbound", "outbound"])))]
pub(crate) struct IpArgs {
    /// The partner account.
    account: String,
    /// An inbound IPv4 or IPv6 address, or a CIDR range.
    #[arg(long, value_name = "IP")]
    inbound: Option<IpNetwork>,
    /// An outbound IPv4 or IPv6 address, or a CIDR range.
    #[arg(long, value_name = "IP")]
    outbound: Option<IpNetwork>,
}

impl IpArgs {
    /// The direction and address given; clap makes sure it is one of them.
    fn target(self) -> Result<(String, IpDirection, IpNetwork)> {
        match (self.inbound, self.outbound) {
            (Some(ip), _) => Ok((self.account, IpDirection::Inbound, ip)),
            (None, Some(ip)) => Ok((self.account, IpDirection::Outbound, ip)),
            (None, None) => Err(Error::invalid("pass --inbound or --outbound")),
        }
    }
}

#[derive(Debug, Subcommand)]
pub(crate) enum SmarthostCommand {
    /// Set the smarthost (needs account.config).
    Set {
        /// The partner account.
        account: String,
        /// HOST or HOST:PORT; an IPv6 address with a port as [ADDR]:PORT.
        host: Smarthost,
    },
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
        AccountCommand::Show { name } => s.out.sections(&portal.account_show(name.as_deref())?),
        AccountCommand::Set(a) => {
            let change = ProfileChange {
                phone: a.phone,
                website: a.website,
                marketing: a.marketing,
                sectors: a.sectors,
                status: a.status,
            };
            s.out.item(&portal.account_set(a.name.as_deref(), &change)?)
        }
        AccountCommand::Address(cmd) => match cmd {
            AddressCommand::Add(a) => {
                let new = NewAddress {
                    label: a.label,
                    line1: a.line1,
                    line2: a.line2,
                    city: a.city,
                    postcode: a.postcode,
                    country: a.country,
                };
                s.out.item(&portal.address_add(&a.account, &new)?)
            }
            AddressCommand::List { account } => s.out.list(&portal.address_list(&account)?),
            AddressCommand::Remove { account, label } => {
                s.out.item(&portal.address_remove(&account, &label)?)
            }
        },
        AccountCommand::Payment(cmd) => match cmd {
            PaymentCommand::Set {
                account,
                method,
                iban,
            } => s.out.item(&portal.payment_set(&account, method, iban)?),
            PaymentCommand::Show { account } => s.out.item(&portal.payment_show(&account)?),
        },
        AccountCommand::Ip(cmd) => match cmd {
            IpCommand::Add(a) => {
                let (account, direction, ip) = a.target()?;
                s.out.item(&portal.ip_add(&account, direction, ip)?)
            }
            IpCommand::Remove(a) => {
                let (account, direction, ip) = a.target()?;
                s.out.item(&portal.ip_remove(&account, direction, ip)?)
            }
            IpCommand::List { account } => s.out.list(&portal.ip_list(&account)?),
        },
        AccountCommand::Smarthost(SmarthostCommand::Set { account, host }) => {
            s.out.item(&portal.smarthost_set(&account, host)?)
        }
    }
}
