//! Approval policies: which orders need sign-off, and by whom.

use super::access::{authorize, caps, Access};
use super::deciders::{count, policy_eligible, Now, Roster};
use super::gate::Write;
use super::orders::{order_view, reevaluate};
use super::{member_in, resolve_account, Catalog, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, Email, MatchedPolicy, MemberStatus, Money, Policy, Text};
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

/// What `policy edit` is asked to change; `None` keeps a field.
#[derive(Debug, Clone, Default)]
pub(crate) struct PolicyEdit {
    /// The policy's name now.
    pub name: String,
    /// A new name.
    pub new_name: Option<Text>,
    /// A new threshold.
    pub threshold: Option<Money>,
    /// A new order type; `Some(None)`: orders of any type.
    pub order_type: Option<Option<Text>>,
    /// New named approvers; `Some(vec![])`: every holder of `orders.approve`.
    pub approvers: Option<Vec<Email>>,
    /// New number of distinct approvals needed.
    pub required_approvals: Option<i64>,
    /// Which account.
    pub account: Option<String>,
}

/// A policy after a change, and the pending orders the change approved.
#[derive(Debug, Clone)]
pub(crate) struct PolicyChange {
    /// The policy as it is now.
    pub policy: PolicyView,
    /// Orders it held that the change approved (ids).
    pub released: Vec<i64>,
}

/// Finds a policy by name (compared without case).
fn find_policy(tx: &dyn Tx, account: &Account, name: &str) -> Result<Policy> {
    tx.policy_named(account.id, name.trim())?.ok_or_else(|| {
        Error::not_found(format!("no policy `{}` in `{}`", name.trim(), account.name))
            .help("`portalctl policy list` shows them")
    })
}

/// The people `emails` name as approvers: active members of `account`
/// with portal access. Being named is what lets them decide the policy's
/// orders, so they need not hold `orders.approve`.
pub(super) fn named_approvers(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    emails: &[Email],
    at: crate::model::Timestamp,
) -> Result<Vec<i64>> {
    let mut approvers: Vec<i64> = Vec::new();
    for email in emails {
        let (person, m) = member_in(tx, email, account)?;
        let eligible = m.status == MemberStatus::Active
            && Access::of(tx, catalog, account, m, at)?.holds(caps::PORTAL_ACCESS);
        if !eligible {
            return Err(Error::conflict(format!(
                "`{email}` cannot approve orders in `{}`: approvers must be active members with portal access",
                account.name
            )));
        }
        if !approvers.contains(&person.id) {
            approvers.push(person.id);
        }
    }
    Ok(approvers)
}

/// Refuses a number of required approvals below 1: a policy that needs
/// none would approve nothing it holds.
pub(super) fn check_required_approvals(required: i64) -> Result<i64> {
    if required < 1 {
        return Err(Error::invalid(format!(
            "a policy needs at least 1 approval, not {required}"
        )));
    }
    Ok(required)
}

/// Refuses a policy that can never gather its approvals: it would hold
/// every order it matches for good.
fn ensure_enough_approvers(roster: &dyn Roster, policy: &Policy, account: &Account) -> Result<()> {
    check_required_approvals(policy.required_approvals)?;
    let required = usize::try_from(policy.required_approvals).unwrap_or(usize::MAX);
    let eligible = policy_eligible(roster, policy, required)?;
    if required <= eligible {
        return Ok(());
    }
    let (who, help) = if policy.approvers.is_empty() {
        (
            "holders of `orders.approve`",
            "require fewer approvals, or give more members `orders.approve`",
        )
    } else {
        (
            "named approvers with access",
            "require fewer approvals, or name more active members as approvers",
        )
    };
    Err(Error::conflict(format!(
        "the policy needs {required} approvals but `{}` has only {} ({who})",
        account.name,
        count(eligible, "eligible approver"),
    ))
    .help(help))
}

/// Brings the pending orders `policy` holds up to date with it: each
/// takes its new name, approvers and required approvals, or is released
/// from it when the policy is disabled or no longer matches the order.
/// Edits apply to held orders because an admin easing a policy means the
/// orders waiting on it; approvals already given keep counting. Orders
/// whose policies are then all satisfied are approved (`order.release`).
/// Returns their ids.
fn reevaluate_held(w: &Write<'_>, account: &Account, policy: &Policy) -> Result<Vec<i64>> {
    let tx = w.tx;
    let mut released = Vec::new();
    for order in tx.orders_held_by(policy.id)? {
        let Some(old) = tx
            .matched_policies(order.id)?
            .into_iter()
            .find(|m| m.policy_id == policy.id)
        else {
            continue;
        };
        let new = MatchedPolicy {
            policy_id: policy.id,
            name: policy.name.clone(),
            approvers: policy.approvers.clone(),
            required_approvals: policy.required_approvals,
            released_at: (!policy.matches(order.amount, order.order_type.as_deref()))
                .then_some(w.ctx.now),
        };
        if new == old {
            continue;
        }
        let before = order_view(tx, account, &order)?;
        tx.update_matched_policy(order.id, &new)?;
        if reevaluate(w, account, &order, &before)? {
            released.push(order.id);
        }
    }
    Ok(released)
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

/// Stores a changed policy with its event, then re-evaluates the pending
/// orders it holds under it.
fn save(
    w: &Write<'_>,
    account: &Account,
    policy: &Policy,
    action: &'static str,
    before: &PolicyView,
) -> Result<PolicyChange> {
    w.tx.update_policy(policy)?;
    let after = policy_view(w.tx, account, policy)?;
    w.changed(action, account, policy.name.clone(), Some(before), &after)?;
    let released = reevaluate_held(w, account, policy)?;
    Ok(PolicyChange {
        policy: after,
        released,
    })
}

impl Portal {
    /// Creates a policy; needs `policies.manage`. Named approvers must be
    /// active members with portal access (001: "Approvers: all admins by
    /// default, or specific users (e.g. a finance lead)"), and there must be
    /// at least as many eligible approvers as the approvals required.
    pub(crate) fn policy_create(&mut self, req: &NewPolicy) -> Result<PolicyView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let account = w.account(
                req.account.as_deref(),
                caps::POLICIES_MANAGE.to("create approval policies"),
            )?;
            let name = req.name.required("the policy name")?;
            if tx.policy_named(account.id, &name)?.is_some() {
                return Err(Error::conflict(format!(
                    "`{}` already has a policy `{name}`",
                    account.name
                )));
            }
            let required = check_required_approvals(req.required_approvals.unwrap_or(1))?;
            let approvers = named_approvers(tx, catalog, &account, &req.approvers, w.ctx.now)?;
            let mut policy = Policy {
                id: 0,
                account_id: account.id,
                name,
                threshold: req.threshold,
                order_type: req.order_type.as_ref().map(parse_order_type).transpose()?,
                approvers,
                required_approvals: required,
                enabled: true,
                created_at: w.ctx.now,
            };
            ensure_enough_approvers(
                &Now::new(tx, catalog, &account, w.ctx.now),
                &policy,
                &account,
            )?;
            policy.id = tx.insert_policy(&policy)?;
            let view = policy_view(tx, &account, &policy)?;
            w.changed("policy.create", &account, policy.name.clone(), None, &view)?;
            Ok(view)
        })
    }

    /// At most `limit` of [`Portal::policy_list_all`], in its order.
    pub(crate) fn policy_list(
        &mut self,
        account: Option<&str>,
        limit: Option<u32>,
    ) -> Result<Vec<PolicyView>> {
        Ok(super::first(self.policy_list_all(account)?, limit))
    }

    /// The account's policies; needs `account.view`.
    fn policy_list_all(&mut self, account: Option<&str>) -> Result<Vec<PolicyView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let account = resolve_account(&*tx, &self.ctx, account, None)?;
        authorize(
            &*tx,
            &catalog,
            &self.ctx,
            &account,
            caps::ACCOUNT_VIEW.to("see approval policies"),
        )?;
        tx.policies_in(account.id)?
            .iter()
            .map(|p| policy_view(&*tx, &account, p))
            .collect()
    }

    /// One policy; needs `account.view`.
    pub(crate) fn policy_show(&mut self, name: &str, account: Option<&str>) -> Result<PolicyView> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let account = resolve_account(&*tx, &self.ctx, account, None)?;
        authorize(
            &*tx,
            &catalog,
            &self.ctx,
            &account,
            caps::ACCOUNT_VIEW.to("see approval policies"),
        )?;
        policy_view(&*tx, &account, &find_policy(&*tx, &account, name)?)
    }

    /// Enables or disables a policy; needs `policies.manage`. Disabling
    /// it releases the pending orders it holds: they no longer need its
    /// approvals, and those with nothing else to wait for are approved.
    /// Enabling it again catches new orders only.
    pub(crate) fn policy_set_enabled(
        &mut self,
        name: &str,
        enabled: bool,
        account: Option<&str>,
    ) -> Result<PolicyChange> {
        self.write(|w| {
            let tx = w.tx;
            let doing = if enabled {
                "enable approval policies"
            } else {
                "disable approval policies"
            };
            let account = w.account(account, caps::POLICIES_MANAGE.to(doing))?;
            let mut policy = find_policy(tx, &account, name)?;
            let before = policy_view(tx, &account, &policy)?;
            if policy.enabled == enabled {
                return Ok(PolicyChange {
                    policy: before,
                    released: Vec::new(),
                });
            }
            policy.enabled = enabled;
            let action = if enabled {
                "policy.enable"
            } else {
                "policy.disable"
            };
            save(w, &account, &policy, action, &before)
        })
    }

    /// Changes a policy; needs `policies.manage`. The same rules as
    /// `policy create` hold for the result, and the pending orders it
    /// holds are re-evaluated under it (see `reevaluate_held`). Nothing
    /// changed writes nothing.
    pub(crate) fn policy_edit(&mut self, req: &PolicyEdit) -> Result<PolicyChange> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let account = w.account(
                req.account.as_deref(),
                caps::POLICIES_MANAGE.to("edit approval policies"),
            )?;
            let old = find_policy(tx, &account, &req.name)?;
            let mut policy = old.clone();
            if let Some(name) = &req.new_name {
                let name = name.required("the policy name")?;
                if tx
                    .policy_named(account.id, &name)?
                    .is_some_and(|p| p.id != old.id)
                {
                    return Err(Error::conflict(format!(
                        "`{}` already has a policy `{name}`",
                        account.name
                    )));
                }
                policy.name = name;
            }
            if let Some(threshold) = req.threshold {
                policy.threshold = threshold;
            }
            if let Some(order_type) = &req.order_type {
                policy.order_type = order_type.as_ref().map(parse_order_type).transpose()?;
            }
            if let Some(emails) = &req.approvers {
                policy.approvers = named_approvers(tx, catalog, &account, emails, w.ctx.now)?;
                policy.approvers.sort_unstable();
            }
            if let Some(required) = req.required_approvals {
                policy.required_approvals = required;
            }
            ensure_enough_approvers(
                &Now::new(tx, catalog, &account, w.ctx.now),
                &policy,
                &account,
            )?;
            let before = policy_view(tx, &account, &old)?;
            if policy == old {
                return Ok(PolicyChange {
                    policy: before,
                    released: Vec::new(),
                });
            }
            save(w, &account, &policy, "policy.edit", &before)
        })
    }
}
