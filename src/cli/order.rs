//! `policy` and `order`.

use clap::{Args, Subcommand};

use super::{complete, until, AccountArg, LimitArg, Session, TextArg, Until};
use crate::domain::{DelegateRequest, NewOrder, NewPolicy, OrderFilter, OrderName, PolicyEdit};
use crate::error::Result;
use crate::model::{Email, Money, OrderKey, OrderStatus, Text};
use crate::view::PolicyChange;

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum PolicyCommand {
    /// Create an approval policy.
    Create {
        /// A descriptive name, such as "Finance approval over 50".
        #[arg(long, value_parser = TextArg)]
        name: Text,
        /// Orders above this amount need approval, such as 50.00.
        #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
        threshold: Money,
        /// Only orders of this type need approval.
        #[arg(long, value_name = "TYPE", value_parser = TextArg)]
        order_type: Option<Text>,
        /// Comma-separated approvers: any active members, who may then decide
        /// this policy's orders (default: every holder of orders.approve).
        #[arg(long, value_name = "EMAIL,..", value_delimiter = ',')]
        approvers: Vec<Email>,
        /// Distinct approvals needed.
        #[arg(long, value_name = "COUNT", default_value_t = 1)]
        required_approvals: i64,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Change a policy; the pending orders it holds are re-evaluated, and
    /// those it no longer holds back are approved.
    Edit {
        /// Its name now.
        name: String,
        /// A new name.
        #[arg(long = "name", value_name = "NEW_NAME", value_parser = TextArg)]
        new_name: Option<Text>,
        /// Orders above this amount need approval, such as 50.00.
        #[arg(long, value_name = "AMOUNT", allow_hyphen_values = true)]
        threshold: Option<Money>,
        /// Only orders of this type need approval.
        #[arg(long, value_name = "TYPE", conflicts_with = "any_order_type", value_parser = TextArg)]
        order_type: Option<Text>,
        /// Orders of any type need approval.
        #[arg(long)]
        any_order_type: bool,
        /// Comma-separated approvers, replacing the named ones.
        #[arg(
            long,
            value_name = "EMAIL,..",
            value_delimiter = ',',
            conflicts_with = "default_approvers"
        )]
        approvers: Option<Vec<Email>>,
        /// Name nobody: every holder of orders.approve approves.
        #[arg(long)]
        default_approvers: bool,
        /// Distinct approvals needed.
        #[arg(long, value_name = "COUNT")]
        required_approvals: Option<i64>,
        #[command(flatten)]
        account: AccountArg,
    },
    /// List approval policies. Without --account, those of every account
    /// where you may see them.
    List {
        #[command(flatten)]
        account: AccountArg,
        #[command(flatten)]
        limit: LimitArg,
    },
    /// Show one policy.
    Show {
        /// Its name.
        name: String,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Stop a policy matching new orders, and release the pending orders
    /// it holds.
    Disable {
        /// Its name.
        name: String,
        #[command(flatten)]
        account: AccountArg,
    },
    /// Let a policy match new orders again.
    Enable {
        /// Its name.
        name: String,
        #[command(flatten)]
        account: AccountArg,
    },
}

pub(crate) fn policy(s: &Session, cmd: PolicyCommand) -> Result<()> {
    let mut portal = s.portal()?;
    match cmd {
        PolicyCommand::Create {
            name,
            threshold,
            order_type,
            approvers,
            required_approvals,
            account,
        } => {
            let req = NewPolicy {
                name,
                threshold,
                order_type,
                approvers,
                required_approvals: Some(required_approvals),
                account: account.into_name(),
            };
            s.out.change(&portal.policy_create(&req)?)
        }
        PolicyCommand::List { account, limit } => s.out.list(
            &portal.policy_list(account.name(), limit.limit)?,
            "policies",
        ),
        PolicyCommand::Show { name, account } => {
            s.out.item(&portal.policy_show(&name, account.name())?)
        }
        PolicyCommand::Edit {
            name,
            new_name,
            threshold,
            order_type,
            any_order_type,
            approvers,
            default_approvers,
            required_approvals,
            account,
        } => {
            let req = PolicyEdit {
                name,
                new_name,
                threshold,
                order_type: if any_order_type {
                    Some(None)
                } else {
                    order_type.map(Some)
                },
                approvers: if default_approvers {
                    Some(Vec::new())
                } else {
                    approvers
                },
                required_approvals,
                account: account.into_name(),
            };
            changed(s, portal.policy_edit(&req)?)
        }
        PolicyCommand::Disable { name, account } => {
            changed(s, portal.policy_set_enabled(&name, false, account.name())?)
        }
        PolicyCommand::Enable { name, account } => {
            changed(s, portal.policy_set_enabled(&name, true, account.name())?)
        }
    }
}

/// Prints a changed policy, with the held orders the change approved.
fn changed(s: &Session, change: PolicyChange) -> Result<()> {
    s.out.change(&change)
}

#[derive(Debug, Subcommand)]
// Subcommands are built only when a command line reaches them (`parse`).
#[command(defer = true)]
pub(crate) enum OrderCommand {
    /// Place an order; it waits for approval when a policy matches.
    Place {
        /// What is ordered, on one line.
        #[arg(long, value_parser = TextArg)]
        description: Text,
        /// The amount in the account's currency, such as 120.00.
        #[arg(long, allow_hyphen_values = true)]
        amount: Money,
        /// The order type, matched against policies.
        #[arg(long = "order-type", alias = "type", value_name = "TYPE", value_parser = TextArg)]
        order_type: Option<Text>,
        /// Cost centre code.
        #[arg(long, value_name = "CODE")]
        cost_centre: Option<String>,
        /// Your own reference, unique within the account (not starting with
        /// `#`, which names an order by its number in a fixture).
        #[arg(long = "ref", value_parser = TextArg)]
        reference: Option<Text>,
        /// Ship to this address of the account (by label; needs addresses.use).
        #[arg(long, value_name = "LABEL")]
        ship_to: Option<String>,
        #[command(flatten)]
        account: AccountArg,
    },
    /// List orders; `--status pending` is the Pending Approvals view.
    /// Without --account, those of every account where you may read orders.
    List {
        /// Only this status: pending, approved, rejected, cancelled.
        #[arg(long, add = complete::keywords(OrderStatus::NAMES))]
        status: Option<OrderStatus>,
        /// Only orders placed by this member.
        #[arg(long, value_name = "EMAIL")]
        created_by: Option<Email>,
        /// Only orders on this cost centre.
        #[arg(long, value_name = "CODE")]
        cost_centre: Option<String>,
        #[command(flatten)]
        account: AccountArg,
        #[command(flatten)]
        limit: LimitArg,
    },
    /// Show an order with its approvals and, while pending, who may
    /// decide it now.
    Show {
        #[command(flatten)]
        order: OrderArg,
    },
    /// Approve an order (needs --as).
    Approve {
        #[command(flatten)]
        order: OrderArg,
    },
    /// Reject an order with a reason the creator can read (needs --as).
    Reject {
        #[command(flatten)]
        order: OrderArg,
        /// Why, on one line.
        #[arg(long, value_parser = TextArg)]
        reason: Text,
    },
    /// Let another member decide your orders for a while ("out of
    /// office"), end such delegations early (--end), or list them (--list).
    ///
    /// While a delegation holds (from --from, inclusive, until --until,
    /// exclusive, to the second), the delegate may decide the orders the
    /// delegator could decide, never their own; the order records that they
    /// decided on the delegator's behalf, and it counts as the delegator's
    /// decision. A delegate's own delegations pass on nothing of it.
    #[command(group(
        clap::ArgGroup::new("mode").args(["until", "end", "list"]).required(true)
    ))]
    Delegate {
        /// The member who may decide (with --end: end only the delegation
        /// to them).
        #[arg(long, value_name = "EMAIL", conflicts_with = "list", required_unless_present_any = ["end", "list"])]
        to: Option<Email>,
        /// From when (default: now; not before now): an RFC 3339 time such
        /// as 2026-12-01T09:00:00Z, a date (its first second, UTC), or a
        /// duration from now such as 2d.
        #[arg(long, value_name = "WHEN", value_parser = until, conflicts_with_all = ["end", "list"])]
        from: Option<Until>,
        /// Until when (exclusive), read as --from is, such as 7d.
        #[arg(long, value_name = "WHEN", value_parser = until)]
        until: Option<Until>,
        /// Whose deciding is delegated, when not the acting member's: the
        /// operator must name them; a member needs users.manage and
        /// orders.approve.
        #[arg(long = "for", value_name = "EMAIL", conflicts_with = "list")]
        delegator: Option<Email>,
        /// End now the delegations that hold or are to come.
        #[arg(long)]
        end: bool,
        /// List the delegations that hold or are to come: the account's
        /// with --account, else those of every account you may read them in.
        #[arg(long)]
        list: bool,
        #[command(flatten)]
        account: AccountArg,
    },
    /// The pending orders a member may decide now, oldest first: their
    /// own to decide, or a delegator's they cover, in every account of
    /// theirs (or the one --account names).
    Inbox {
        /// The member whose inbox it is, for the operator (a member reads
        /// their own, with --as).
        #[arg(long = "for", value_name = "EMAIL")]
        member: Option<Email>,
        #[command(flatten)]
        account: AccountArg,
        #[command(flatten)]
        limit: LimitArg,
    },
    /// Cancel a pending order: its creator, or anyone who may decide it.
    Cancel {
        #[command(flatten)]
        order: OrderArg,
        /// Why, for the audit log and the creator.
        #[arg(long, value_parser = TextArg)]
        reason: Option<Text>,
    },
}

// The order a command acts on, and the account that picks it when its
// number or reference is used in more than one (each account numbers its
// own orders). (Not a doc comment: clap would show it as the about of
// every command that flattens it.)
#[derive(Debug, Clone, Args)]
pub(crate) struct OrderArg {
    /// The order: its number in its account, or its reference (`ref`)
    /// such as PO-2. `#N` is always order number N; `##X` is a reference
    /// starting with `#`. One that several of your accounts have needs
    /// --account.
    #[arg(value_name = "ORDER")]
    order: OrderKey,
    #[command(flatten)]
    account: AccountArg,
}

impl OrderArg {
    /// The order as the domain looks it up.
    fn into_name(self) -> OrderName {
        OrderName {
            key: self.order,
            account: self.account.into_name(),
        }
    }
}

pub(crate) fn order(s: &Session, cmd: OrderCommand) -> Result<()> {
    let mut portal = s.portal()?;
    match cmd {
        OrderCommand::Place {
            description,
            amount,
            order_type,
            cost_centre,
            reference,
            ship_to,
            account,
        } => {
            let req = NewOrder {
                description,
                amount,
                order_type,
                cost_centre,
                reference,
                ship_to,
                account: account.into_name(),
                number: None,
            };
            let view = portal.order_place(&req)?;
            s.out.note(&format!("order {} is {}", view.id, view.status));
            s.out.change(&view)
        }
        OrderCommand::List {
            status,
            created_by,
            cost_centre,
            account,
            limit,
        } => {
            let filter = OrderFilter {
                status,
                created_by,
                cost_centre,
                account: account.into_name(),
                limit: limit.limit,
            };
            let mut list = s.out.stream("orders match");
            portal.order_pages(&filter, &mut |page| list.page(page))?;
            list.finish()
        }
        OrderCommand::Show { order } => s.out.item(&portal.order_show(order.into_name())?),
        OrderCommand::Approve { order } => {
            s.out.change(&portal.order_decide(order.into_name(), None)?)
        }
        OrderCommand::Reject { order, reason } => s
            .out
            .change(&portal.order_decide(order.into_name(), Some(&reason))?),
        OrderCommand::Delegate {
            to,
            from,
            until,
            delegator,
            end,
            list,
            account,
        } => {
            if list {
                return s.out.list(
                    &portal.order_delegations(account.name())?,
                    "delegations hold or are to come",
                );
            }
            if end {
                let ended =
                    portal.order_delegate_end(to.as_ref(), delegator.as_ref(), account.name())?;
                for d in &ended {
                    s.out.note(&format!(
                        "ended: `{}` no longer decides for `{}`",
                        d.delegate, d.delegator
                    ));
                }
                return s.out.list(&ended, "delegations ended");
            }
            let (Some(to), Some(until)) = (to, until) else {
                return Err(crate::error::Error::invalid(
                    "`order delegate` needs --to EMAIL and --until TIME",
                ));
            };
            let now = portal.now();
            let view = portal.order_delegate(&DelegateRequest {
                to,
                from: from.map(|f| f.at(now)).transpose()?,
                until: until.at(now)?,
                delegator,
                account: account.into_name(),
            })?;
            s.out.change(&view)
        }
        OrderCommand::Inbox {
            member,
            account,
            limit,
        } => {
            let inbox = portal.order_inbox_first(member.as_ref(), account.name(), limit.limit)?;
            s.out.list(&inbox, "orders wait for this member's decision")
        }
        OrderCommand::Cancel { order, reason } => s
            .out
            .change(&portal.order_cancel(order.into_name(), reason.as_ref())?),
    }
}
