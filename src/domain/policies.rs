//! Approval policies: which orders need sign-off, and by whom.

use super::access::{authorize, caps, Access};
use super::{member_in, resolve_account, Catalog, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, Email, MemberStatus, Money, Policy, Text};
use crate::store::Tx;
use crate::view::PolicyView;

/// What `policy create` is asked to make.
#[derive(Debug, Clone, Default)]
pub(crate) struct NewPolicy {
    /// Unique name within the account.
    pub name: Text,
    /// Orders above this amount match.
    pub threshold: Money,
    /// Only orders of this type match.
    pub order_type: Option<Text>,
    /// Named approvers; none means every holder of `orders.approve`.
    pub approvers: Vec<Email>,
    /// Distinct approvals needed (default 1).
    pub required_approvals: Option<i64>,
    /// Which account.
    pub account: Option<String>,
}

// Which orders a policy catches is an approval rule, so it lives in the
// domain rather than beside the plain `Policy` record.
impl Policy {
    /// Whether an order of this amount and type triggers the policy.
    pub(crate) fn matches(&self, amount: Money, order_type: Option<&str>) -> bool {
        self.enabled
            && amount > self.threshold
            && self
                .order_type
                .as_deref()
                .is_none_or(|t| Some(t) == order_type)
    }
}

/// Finds a policy by name (compared without case).
fn find_policy(tx: &dyn Tx, account: &Account, name: &str) -> Result<Policy> {
    tx.policy_named(account.id, name.trim())?.ok_or_else(|| {
        Error::not_found(format!("no policy `{}` in `{}`", name.trim(), account.name))
            .help("`portalctl policy list` shows them")
    })
}

/// How many active members of `account` hold `orders.approve`, counting no
/// further than `enough`, so a large account costs no more than it must.
fn approvers_up_to(
    tx: &dyn Tx,
    catalog: &super::Catalog,
    account: &Account,
    enough: i64,
    at: crate::model::Timestamp,
) -> Result<i64> {
    let mut found = 0;
    for m in tx.memberships_in(account.id)? {
        if found >= enough {
            break;
        }
        if m.status == MemberStatus::Active
            && Access::of(tx, catalog, account, m, at)?.holds(caps::ORDERS_APPROVE)
        {
            found += 1;
        }
    }
    Ok(found)
}

/// Reads an order type: lower-cased, not empty.
pub(crate) fn parse_order_type(text: &Text) -> Result<String> {
    Ok(text.required("the order type")?.to_lowercase())
}

pub(crate) fn policy_view(tx: &dyn Tx, account: &Account, p: &Policy) -> Result<PolicyView> {
    let approvers = p
        .approvers
        .iter()
        .map(|id| Ok(tx.person(*id)?.email.to_string()))
        .collect::<Result<_>>()?;
    Ok(PolicyView {
        name: p.name.clone(),
        account: account.name.clone(),
        threshold: p.threshold,
        currency: account.currency.clone(),
        order_type: p.order_type.clone(),
        approvers,
        required_approvals: p.required_approvals,
        enabled: p.enabled,
    })
}

impl Portal {
    /// Creates a policy; needs `policies.manage`. Named approvers must be
    /// active members holding `orders.approve`, and there must be at least
    /// as many of them as the approvals required.
    pub(crate) fn policy_create(&mut self, req: &NewPolicy) -> Result<PolicyView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let account = w.account(req.account.as_deref(), caps::POLICIES_MANAGE)?;
            let name = req.name.required("the policy name")?;
            if tx.policy_named(account.id, &name)?.is_some() {
                return Err(Error::conflict(format!(
                    "`{}` already has a policy `{name}`",
                    account.name
                )));
            }
            let threshold = req.threshold;
            let required = req.required_approvals.unwrap_or(1);
            if required < 1 {
                return Err(Error::invalid("a policy needs at least 1 approval"));
            }
            let mut approvers: Vec<i64> = Vec::new();
            for email in &req.approvers {
                let (person, m) = member_in(tx, email, &account)?;
                let holds = match m {
                    m if m.status == MemberStatus::Active => {
                        Access::of(tx, catalog, &account, m, w.ctx.now)?
                            .holds(caps::ORDERS_APPROVE)
                    }
                    _ => false,
                };
                if !holds {
                    return Err(Error::conflict(format!(
                        "`{email}` cannot approve orders in `{}`: approvers must be active members holding `orders.approve`",
                        account.name
                    )));
                }
                if !approvers.contains(&person.id) {
                    approvers.push(person.id);
                }
            }
            // A policy that can never gather its approvals would hold every
            // order it matches for good.
            let eligible = if approvers.is_empty() {
                approvers_up_to(tx, catalog, &account, required, w.ctx.now)?
            } else {
                approvers.len() as i64
            };
            if required > eligible {
                return Err(Error::conflict(format!(
                    "the policy needs {required} approvals but `{}` has only {eligible} eligible approver{}",
                    account.name,
                    if eligible == 1 { "" } else { "s" }
                ))
                .help("require fewer approvals, or name more approvers who hold `orders.approve`"));
            }
            let mut policy = Policy {
                id: 0,
                account_id: account.id,
                name,
                threshold,
                order_type: req
                    .order_type
                    .as_ref()
                    .map(parse_order_type)
                    .transpose()?,
                approvers,
                required_approvals: required,
                enabled: true,
                created_at: w.ctx.now,
            };
            policy.id = tx.insert_policy(&policy)?;
            let view = policy_view(tx, &account, &policy)?;
            w.changed("policy.create", &account, policy.name.clone(), None, &view)?;
            Ok(view)
        })
    }

    /// The account's policies; needs `account.view`.
    pub(crate) fn policy_list(&mut self, account: Option<&str>) -> Result<Vec<PolicyView>> {
        let tx = self.gate.read()?;
        let catalog = Catalog::load(&*tx)?;
        let account = resolve_account(&*tx, &self.ctx, account, None)?;
        authorize(&*tx, &catalog, &self.ctx, &account, caps::ACCOUNT_VIEW)?;
        tx.policies_in(account.id)?
            .iter()
            .map(|p| policy_view(&*tx, &account, p))
            .collect()
    }

    /// One policy; needs `account.view`.
    pub(crate) fn policy_show(&mut self, name: &str, account: Option<&str>) -> Result<PolicyView> {
        let tx = self.gate.read()?;
        let catalog = Catalog::load(&*tx)?;
        let account = resolve_account(&*tx, &self.ctx, account, None)?;
        authorize(&*tx, &catalog, &self.ctx, &account, caps::ACCOUNT_VIEW)?;
        policy_view(&*tx, &account, &find_policy(&*tx, &account, name)?)
    }

    /// Enables or disables a policy; needs `policies.manage`. Orders placed
    /// while it was enabled still follow it.
    pub(crate) fn policy_set_enabled(
        &mut self,
        name: &str,
        enabled: bool,
        account: Option<&str>,
    ) -> Result<PolicyView> {
        self.write(|w| {
            let tx = w.tx;
            let account = w.account(account, caps::POLICIES_MANAGE)?;
            let mut policy = find_policy(tx, &account, name)?;
            let before = policy_view(tx, &account, &policy)?;
            if policy.enabled == enabled {
                return Ok(before);
            }
            policy.enabled = enabled;
            tx.update_policy(&policy)?;
            let after = policy_view(tx, &account, &policy)?;
            w.changed(
                if enabled {
                    "policy.enable"
                } else {
                    "policy.disable"
                },
                &account,
                policy.name.clone(),
                Some(&before),
                &after,
            )?;
            Ok(after)
        })
    }
}
