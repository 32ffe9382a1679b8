//! `account`: accounts, their profiles, shipping addresses, payment
//! details and partner config.

use clap::{ArgGroup, Args, Subcommand};

use super::{complete, named_account, AccountArg, LimitArg, Session, TextArg};
use crate::domain::{NewAccount, NewAddress, ProfileChange};
use crate::error::{Error, Result};
use crate::model::{
    parse_currency, AccountKind, Iban, IpDirection, IpNetwork, PaymentMethod, Smarthost, Text,
};

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum AccountCommand {
    /// Create an account.
    Create {
        /// Its unique name.
        #[arg(value_parser = account_name)]
        name: Text,
        /// Partner or customer.
        #[arg(long, add = complete::keywords(AccountKind::NAMES))]
        kind: AccountKind,
        /// The parent partner of a customer.
        #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
        parent: Option<String>,
        /// ISO 4217 currency (default: the parent's, else GBP).
        #[arg(long, value_parser = parse_currency)]
        currency: Option<String>,
    },
    /// List accounts: each partner followed by its customers.
    List {
        #[command(flatten)]
        limit: LimitArg,
    },
    /// Show an account: details, status, addresses, products and prices,
    /// and config.
    Show {
        /// The account (shorthand for --account).
        #[arg(value_name = "ACCOUNT", value_parser = named_account)]
        name: Option<String>,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Rename an account or change its profile fields; an empty value
    /// clears a field. Each is one line of text.
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
    /// A customer's request for information (RFI), prefilled with its
    /// partner's IP addresses, smarthost and billing contact (needs
    /// account.config in the partner).
    Rfi {
        /// The customer account.
        #[arg(long, value_name = "ACCOUNT", value_parser = named_account)]
        customer: String,
        #[command(flatten)]
        account: AccountArg,
    },
}

#[derive(Debug, Args)]
pub(crate) struct SetArgs {
    /// The account (shorthand for --account).
    #[arg(value_name = "ACCOUNT", value_parser = named_account)]
    name: Option<String>,
    #[command(flatten)]
    account: AccountArg,
    /// A new name, unique in the whole portal (needs account.config).
    #[arg(long = "name", value_name = "NEW_NAME", value_parser = account_name)]
    new_name: Option<Text>,
    /// Contact phone.
    #[arg(long, value_parser = TextArg)]
    phone: Option<Text>,
    /// Web site.
    #[arg(long, value_parser = TextArg)]
    website: Option<Text>,
    /// Marketing message.
    #[arg(long, value_parser = TextArg)]
    marketing: Option<Text>,
    /// Sectors served.
    #[arg(long, value_parser = TextArg)]
    sectors: Option<Text>,
    /// A partner's status, such as Technical or Sales (needs
    /// account.config).
    #[arg(long, value_parser = TextArg)]
    status: Option<Text>,
    /// Whom invoices go to: an email address ("" clears it; needs
    /// account.edit and billing.payment).
    #[arg(long, value_name = "EMAIL", value_parser = TextArg)]
    billing_contact: Option<Text>,
}

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum AddressCommand {
    /// Add a shipping address (needs addresses.edit).
    Add(AddressArgs),
    /// List the account's shipping addresses.
    List {
        /// The account (shorthand for --account).
        #[arg(value_name = "ACCOUNT", value_parser = named_account)]
        positional: Option<String>,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Remove a shipping address; orders that used it keep their copy.
    Remove {
        /// The address's label, after the account as a shorthand for
        /// --account: `remove LABEL` or `remove ACCOUNT LABEL`.
        #[arg(value_name = "[ACCOUNT] LABEL", num_args = 1..=2, required = true)]
        words: Vec<String>,
        #[command(flatten)]
        account: AccountArg,
    },
}

#[derive(Debug, Args)]
pub(crate) struct AddressArgs {
    /// The account (shorthand for --account).
    #[arg(value_name = "ACCOUNT", value_parser = named_account)]
    positional: Option<String>,
    #[command(flatten)]
    account: AccountArg,
    /// A name for the address, unique in the account, such as HQ.
    #[arg(long, value_parser = TextArg)]
    label: Text,
    /// First line.
    #[arg(long, value_parser = TextArg)]
    line1: Text,
    /// Second line.
    #[arg(long, value_parser = TextArg)]
    line2: Option<Text>,
    /// City.
    #[arg(long, value_parser = TextArg)]
    city: Text,
    /// Postcode.
    #[arg(long, value_parser = TextArg)]
    postcode: Text,
    /// ISO 3166 alpha-2 country code.
    #[arg(long, value_parser = TextArg)]
    country: Text,
}

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum PaymentCommand {
    /// Set how the account pays (needs billing.payment).
    Set {
        /// The account (shorthand for --account).
        #[arg(value_name = "ACCOUNT", value_parser = named_account)]
        positional: Option<String>,
        #[command(flatten)]
        account: AccountArg,
        /// direct-debit, bank-transfer, card or invoice.
        #[arg(long)]
        method: PaymentMethod,
        /// The bank account (IBAN), for direct-debit or bank-transfer.
        #[arg(long)]
        iban: Option<Iban>,
    },
    /// Show the payment details, bank details masked.
    Show {
        /// The account (shorthand for --account).
        #[arg(value_name = "ACCOUNT", value_parser = named_account)]
        positional: Option<String>,
        #[command(flatten)]
        account: AccountArg,
    },
}

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum IpCommand {
    /// Add an IP address or CIDR range (needs account.config).
    Add(IpArgs),
    /// Remove an IP address or CIDR range (needs account.config).
    Remove(IpArgs),
    /// List the partner's IP addresses (needs account.config).
    List {
        /// The partner account (shorthand for --account).
        #[arg(value_name = "ACCOUNT", value_parser = named_account)]
        positional: Option<String>,
        #[command(flatten)]
        account: AccountArg,
    },
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("direction").required(true).args(["inbound", "outbound"])))]
pub(crate) struct IpArgs {
    /// The partner account (shorthand for --account).
    #[arg(value_name = "ACCOUNT", value_parser = named_account)]
    positional: Option<String>,
    #[command(flatten)]
    account: AccountArg,
    /// An inbound IPv4 or IPv6 address, or a CIDR range.
    #[arg(long, value_name = "IP")]
    inbound: Option<IpNetwork>,
    /// An outbound IPv4 or IPv6 address, or a CIDR range.
    #[arg(long, value_name = "IP")]
    outbound: Option<IpNetwork>,
}

impl IpArgs {
    /// The account, direction and address given; clap makes sure it is one
    /// of the directions.
    fn target(self) -> Result<(AccountArg, IpDirection, IpNetwork)> {
        let account = self.account.or_positional(self.positional)?;
        match (self.inbound, self.outbound) {
            (Some(ip), _) => Ok((account, IpDirection::Inbound, ip)),
            (None, Some(ip)) => Ok((account, IpDirection::Outbound, ip)),
            (None, None) => Err(Error::invalid("pass --inbound or --outbound")),
        }
    }
}

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum SmarthostCommand {
    /// Set the smarthost (needs account.config).
    Set {
        /// HOST or HOST:PORT, after the partner account as a shorthand for
        /// --account; an IPv6 address with a port as [ADDR]:PORT.
        #[arg(value_name = "[ACCOUNT] HOST", num_args = 1..=2, required = true)]
        words: Vec<String>,
        #[command(flatten)]
        account: AccountArg,
    },
}

/// Reads the name of a new account (a refusal names it as such, where
/// [`TextArg`] would say "the name").
fn account_name(text: &str) -> Result<Text> {
    Text::parse("the account name", text)
}

/// Splits `[ACCOUNT] VALUE` into the account (merged with --account) and
/// the value.
fn shorthand(mut words: Vec<String>, account: AccountArg) -> Result<(AccountArg, String)> {
    let value = words.pop().unwrap_or_default();
    Ok((account.or_positional(words.pop())?, value))
}

pub(crate) fn run(s: &Session, cmd: AccountCommand) -> Result<()> {
    let mut portal = s.portal()?;
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
            if let Some(wanted) = portal.admin_wanted(&view.name)? {
                s.out.warn(&wanted);
            }
            s.out.change(&view)
        }
        AccountCommand::List { limit } => {
            s.out.list(&portal.account_list(limit.limit)?, "accounts")
        }
        AccountCommand::Show { name, account } => {
            let account = account.or_positional(name)?;
            s.out.sections(&portal.account_show(account.name())?)
        }
        AccountCommand::Set(a) => {
            let change = ProfileChange {
                name: a.new_name,
                phone: a.phone,
                website: a.website,
                marketing: a.marketing,
                sectors: a.sectors,
                status: a.status,
                billing_contact: a.billing_contact,
            };
            let account = a.account.or_positional(a.name)?;
            s.out.change(&portal.account_set(account.name(), &change)?)
        }
        AccountCommand::Address(cmd) => match cmd {
            AddressCommand::Add(a) => {
                let account = a.account.or_positional(a.positional)?;
                let new = NewAddress {
                    label: a.label,
                    line1: a.line1,
                    line2: a.line2,
                    city: a.city,
                    postcode: a.postcode,
                    country: a.country,
                };
                s.out.change(&portal.address_add(account.name(), &new)?)
            }
            AddressCommand::List {
                positional,
                account,
            } => {
                let account = account.or_positional(positional)?;
                s.out
                    .list(&portal.address_list(account.name())?, "addresses")
            }
            AddressCommand::Remove { words, account } => {
                let (account, label) = shorthand(words, account)?;
                s.out
                    .change(&portal.address_remove(account.name(), &label)?)
            }
        },
        AccountCommand::Payment(cmd) => match cmd {
            PaymentCommand::Set {
                positional,
                account,
                method,
                iban,
            } => {
                let account = account.or_positional(positional)?;
                s.out
                    .change(&portal.payment_set(account.name(), method, iban)?)
            }
            PaymentCommand::Show {
                positional,
                account,
            } => {
                let account = account.or_positional(positional)?;
                s.out.item(&portal.payment_show(account.name())?)
            }
        },
        AccountCommand::Ip(cmd) => match cmd {
            IpCommand::Add(a) => {
                let (account, direction, ip) = a.target()?;
                s.out.change(&portal.ip_add(account.name(), direction, ip)?)
            }
            IpCommand::Remove(a) => {
                let (account, direction, ip) = a.target()?;
                s.out
                    .change(&portal.ip_remove(account.name(), direction, ip)?)
            }
            IpCommand::List {
                positional,
                account,
            } => {
                let account = account.or_positional(positional)?;
                s.out.list(&portal.ip_list(account.name())?, "IP addresses")
            }
        },
        AccountCommand::Rfi { customer, account } => {
            s.out.item(&portal.account_rfi(&customer, account.name())?)
        }
        AccountCommand::Smarthost(SmarthostCommand::Set { words, account }) => {
            let (account, host) = shorthand(words, account)?;
            let host: Smarthost = host.parse()?;
            s.out.change(&portal.smarthost_set(account.name(), host)?)
        }
    }
}
