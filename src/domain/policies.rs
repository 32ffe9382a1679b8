//! Approval policies: which orders need sign-off, and by whom.

use super::access::{authorize, authorize_whole_account, caps, Access};
use super::deciders::{count, policy_eligible, Now, Roster};
use super::gate::Write;
use super::held_names::{not_look_alike, one_spelling};
use super::orders::{joined_in, order_view, reevaluate};
use super::visibility::listed_accounts;
use super::visibility::{resolve_account_of, Named};
use super::{member_in, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{
    one_script_per_word, parse_order_type, same_order_type, Account, Email, MatchedPolicy,
    MemberStatus, Money, Policy, Text,
};
use crate::store::Tx;
use crate::view::{IdleApprover, PolicyChange, PolicyView};

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
                .is_none_or(|t| order_type.is_some_and(|o| same_order_type(t, o)))
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

/// Finds a policy by name (compared without case).
/// The policy `name` in `account`, where the actor may see its policies
/// (`account.view`, as `policy show` needs): elsewhere it is none of
/// theirs to know of, so picking an account by it tells nothing.
fn seen_policy(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    name: &str,
) -> Result<Policy> {
    reads_policies(tx, catalog, ctx, account)?;
    find_policy(tx, account, name)
}

/// The actor as a reader of `account`'s approval policies (`policy
/// list|show`), or refused as one: the log shows policy events by this
/// same rule (see `log_sight`).
pub(super) fn reads_policies(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
) -> Result<()> {
    authorize_whole_account(tx, catalog, ctx, account, "see approval policies").map(|_| ())
}

fn find_policy(tx: &dyn Tx, account: &Account, name: &str) -> Result<Policy> {
    let policy = tx.policy_named(account.id, name.trim())?.ok_or_else(|| {
        Error::not_found(format!("no policy `{}` in `{}`", name.trim(), account.name))
            .help("`portalctl policy list` shows them")
    })?;
    one_spelling(tx, "policy", account.id, name.trim(), &policy.name)?;
    Ok(policy)
}

/// The people `emails` name as approvers: active members of `account`
/// with portal access. Being named is what lets them decide the policy's
/// orders, so they need not hold `orders.approve`.
pub(super) fn named_approvers(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    emails: &[Email],
) -> Result<Vec<i64>> {
    let at = ctx.now;
    let mut approvers: Vec<i64> = Vec::new();
    for email in emails {
        let (person, m) = member_in(tx, ctx, email, account)?;
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

/// The people `emails` name as approvers of a policy the operator's apply
/// restores: members of `account` who joined it, whatever their standing
/// now, merged away since or not. A policy keeps the approvers it names when one of them is
/// deactivated or leaves (its orders fall back to the account's approvers
/// meanwhile), so a file describing that state names them too.
pub(super) fn restored_approvers(
    tx: &dyn Tx,
    account: &Account,
    emails: &[Email],
) -> Result<Vec<i64>> {
    let mut approvers: Vec<i64> = Vec::new();
    for email in emails {
        // Someone merged away since may be named still: a merge made
        // before merges passed a named approver's place on to the person
        // kept left the policies that named them as they were.
        let person = joined_in(tx, email, account, "cannot be one of its approvers")?;
        if !approvers.contains(&person) {
            approvers.push(person);
        }
    }
    Ok(approvers)
}

/// The warning of a change that leaves `policy` with `has` eligible
/// approvers (or, naming nobody, approvers) for the `need` approvals it
/// requires: the same words whichever change it is.
pub(super) fn short_policy_warning(
    policy: &Policy,
    account: &Account,
    has: usize,
    need: usize,
) -> String {
    let (fallback, who) = if policy.approvers.is_empty() {
        (
            "its orders that still need more approvals than that can only be cancelled, or released by `portalctl policy edit` or `policy disable`",
            "approver",
        )
    } else {
        (
            "its orders fall back to the account's approvers (holders of `orders.approve`)",
            "eligible approver",
        )
    };
    format!(
        "policy `{}` in `{}` now has {} for {}; {fallback}",
        policy.name,
        account.name,
        count(has, who),
        count(need, "required approval"),
    )
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
/// whose policies are then all satisfied are approved (`order.release`),
/// where the actor may decide them (see [`reevaluate`]). Returns their
/// numbers.
fn reevaluate_held(w: &Write<'_>, account: &Account, policy: &Policy) -> Result<Vec<i64>> {
    let tx = w.tx;
    let mut changed = Vec::new();
    for order in tx.orders_held_by(policy.id)? {
        let Some(old) = tx
            .matched_policies(order.id)?
            .into_iter()
            .find(|m| m.policy_id == policy.id)
        else {
            continue;
        };
        let new = MatchedPolicy {
            released_at: (!policy.matches(order.amount, order.order_type.as_deref()))
                .then_some(w.ctx.now),
            ..MatchedPolicy::holding(policy.clone())
        };
        if new == old {
            continue;
        }
        let before = order_view(tx, account, &order)?;
        tx.update_matched_policy(order.id, &new)?;
        changed.push((order, before));
    }
    reevaluate(w, account, &changed)
}

/// Reads a policy's name, as `policy create`, `policy edit` and a
/// fixture's policy take it: not empty.
pub(crate) fn policy_name(name: &Text) -> Result<String> {
    name.required("the policy name")
}

/// The name a policy of `account` is made or renamed to (`renamed`, the
/// policy that takes it): every path that names a policy passes here, the
/// operator's restore of a file too (finding N1). Refused when a word
/// mixes scripts or a letter is one no name is written with, reading as
/// another name (exit 2, see [`one_script_per_word`]), or when the
/// account has a policy of that name or one that looks like it (exit 4).
fn new_policy_name(
    tx: &dyn Tx,
    account: &Account,
    name: &Text,
    renamed: Option<i64>,
) -> Result<String> {
    let name = policy_name(name)?;
    one_script_per_word("the policy name", &name)?;
    if tx
        .policy_named(account.id, &name)?
        .is_some_and(|p| Some(p.id) != renamed)
    {
        return Err(Error::conflict(format!(
            "`{}` already has a policy `{name}`",
            account.name
        )));
    }
    not_look_alike(tx, "policy", account.id, &name, renamed, |_| Ok(true))?;
    Ok(name)
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
        threshold: p.threshold.shown_in(&account.currency),
        currency: account.currency.clone(),
        order_type: p.order_type.clone(),
        approvers,
        required_approvals: p.required_approvals,
        enabled: p.enabled,
        deciders: None,
        cannot_decide: None,
    })
}

/// [`policy_view`] as `policy list` and `show` print it: with which of
/// its named approvers may decide its orders now, and why the others
/// cannot, since a policy keeps the approvers it names when one is
/// deactivated or leaves. A member's status is what `user list` shows, so
/// only to an actor who may list the account's users (`users.view`);
/// others get the policy alone.
fn listed_policy_view(
    tx: &dyn Tx,
    catalog: &Catalog,
    ctx: &Ctx,
    account: &Account,
    p: &Policy,
) -> Result<PolicyView> {
    let mut view = policy_view(tx, account, p)?;
    if p.approvers.is_empty() || !sees_users(tx, catalog, ctx, account)? {
        return Ok(view);
    }
    let at = ctx.now;
    let (mut deciders, mut idle) = (Vec::new(), Vec::new());
    for &person in &p.approvers {
        let email = tx.person(person)?.email.to_string();
        match idle_because(tx, catalog, account, person, at)? {
            None => deciders.push(email),
            Some(status) => idle.push(IdleApprover { email, status }),
        }
    }
    view.deciders = Some(deciders);
    view.cannot_decide = Some(idle);
    Ok(view)
}

/// Whether the actor may see `account`'s users and their status, as
/// `user list` requires.
fn sees_users(tx: &dyn Tx, catalog: &Catalog, ctx: &Ctx, account: &Account) -> Result<bool> {
    match authorize(tx, catalog, ctx, account, caps::USERS_VIEW) {
        Ok(_) => Ok(true),
        Err(Error::Denied(_)) => Ok(false),
        Err(e) => Err(e),
    }
}

/// Why `person` cannot decide orders in `account` as a named approver,
/// by the rule [`named_approvers`] names them by (an active member with
/// portal access); `None` when they can.
fn idle_because(
    tx: &dyn Tx,
    catalog: &Catalog,
    account: &Account,
    person: i64,
    at: crate::model::Timestamp,
) -> Result<Option<String>> {
    let Some(m) = tx.membership_of(person, account.id)? else {
        return Ok(Some("not a member".into()));
    };
    if m.status != MemberStatus::Active {
        return Ok(Some(super::standing(tx, &m)?.to_string()));
    }
    if !Access::of(tx, catalog, account, m, at)?.holds(caps::PORTAL_ACCESS) {
        return Ok(Some("no access".into()));
    }
    Ok(None)
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
    // Printed as `policy show` prints it; the log keeps the policy.
    Ok(PolicyChange {
        policy: listed_policy_view(w.tx, w.catalog()?, &w.ctx, account, policy)?,
        released,
    })
}

/// A policy by name, for a command that may leave out `--account`.
fn policy_named(name: &str) -> Named<'_> {
    Named {
        noun: "policy",
        group: "policy",
        key: name,
    }
}

impl Portal {
    /// Creates a policy; needs `policies.manage`. Named approvers must be
    /// active members with portal access (001: "Approvers: all admins by
    /// default, or specific users (e.g. a finance lead)"), and there must be
    /// at least as many eligible approvers as the approvals required.
    pub(crate) fn policy_create(&mut self, req: &NewPolicy) -> Result<PolicyView> {
        self.make_policy(req, false)
    }

    /// Restores a policy as it is kept elsewhere: what the operator's
    /// apply of an export does. `policy create` refuses a policy short of
    /// eligible approvers, and one naming an approver who may not decide
    /// now, since whoever makes it could make it otherwise; but the
    /// database holds such policies once a named approver is deactivated
    /// or leaves (that change warns and goes through, and the policy's
    /// orders fall back to the account's approvers), and `export | apply`
    /// must bring that state back. So the restore takes any approver who
    /// joined the account, whatever their standing, and a short policy
    /// with the warning the change that left it short gives. Only the
    /// operator restores: a member's apply makes a policy as `policy
    /// create` does.
    pub(crate) fn policy_restore(&mut self, req: &NewPolicy) -> Result<PolicyView> {
        if let super::Actor::Member(me) = &self.ctx.actor {
            return Err(Error::denied(format!(
                "`{me}` may make policies only as `policy create` makes them"
            ))
            .help("only the operator's apply restores a policy short of eligible approvers"));
        }
        self.make_policy(req, true)
    }

    fn make_policy(&mut self, req: &NewPolicy, restore: bool) -> Result<PolicyView> {
        self.write(|w| {
            let tx = w.tx;
            let catalog = w.catalog()?;
            let account = w.account(
                req.account.as_deref(),
                caps::POLICIES_MANAGE.to("create approval policies"),
            )?;
            let name = new_policy_name(tx, &account, &req.name, None)?;
            let required = check_required_approvals(req.required_approvals.unwrap_or(1))?;
            let approvers = if restore {
                restored_approvers(tx, &account, &req.approvers)?
            } else {
                named_approvers(tx, catalog, &w.ctx, &account, &req.approvers)?
            };
            let mut policy = Policy {
                id: 0,
                account_id: account.id,
                name,
                threshold: req.threshold.in_currency(&account.currency)?,
                order_type: req.order_type.as_ref().map(parse_order_type).transpose()?,
                approvers,
                required_approvals: required,
                enabled: true,
                created_at: w.ctx.now,
            };
            let roster = Now::new(tx, catalog, &account, w.ctx.now);
            if restore {
                let need = usize::try_from(policy.required_approvals).unwrap_or(usize::MAX);
                let has = policy_eligible(&roster, &policy, need)?;
                if has < need {
                    w.warn(short_policy_warning(&policy, &account, has, need));
                }
            } else {
                ensure_enough_approvers(&roster, &policy, &account)?;
            }
            policy.id = tx.insert_policy(&policy)?;
            let view = policy_view(tx, &account, &policy)?;
            w.changed("policy.create", &account, policy.name.clone(), None, &view)?;
            // Printed as `policy show` prints it; the log keeps the policy.
            listed_policy_view(tx, catalog, &w.ctx, &account, &policy)
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

    /// The policies of the account named, or else of every account where
    /// the actor may see them (as `order list` lists orders), by account
    /// name; needs `account.view`.
    fn policy_list_all(&mut self, account: Option<&str>) -> Result<Vec<PolicyView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let seen = listed_accounts(
            &*tx,
            &self.ctx,
            account,
            |account| reads_policies(&*tx, &catalog, &self.ctx, account),
            "seeing approval policies needs `account.view` in some account",
        )?;
        let mut views = Vec::new();
        for (account, _) in seen {
            for p in tx.policies_in(account.id)? {
                views.push(listed_policy_view(&*tx, &catalog, &self.ctx, &account, &p)?);
            }
        }
        Ok(views)
    }

    /// One policy; needs `account.view`.
    pub(crate) fn policy_show(&mut self, name: &str, account: Option<&str>) -> Result<PolicyView> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        // Only an account where the actor may see policies counts.
        let account = resolve_account_of(
            &*tx,
            &self.ctx,
            account,
            Some(policy_named(name)),
            |a| seen_policy(&*tx, &catalog, &self.ctx, a, name),
            |_| Ok(()),
        )?;
        reads_policies(&*tx, &catalog, &self.ctx, &account)?;
        let policy = find_policy(&*tx, &account, name)?;
        listed_policy_view(&*tx, &catalog, &self.ctx, &account, &policy)
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
            let account = w.account_of(
                account,
                caps::POLICIES_MANAGE.to(doing),
                policy_named(name),
                |a| seen_policy(tx, w.catalog()?, &w.ctx, a, name),
            )?;
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
            let account = w.account_of(
                req.account.as_deref(),
                caps::POLICIES_MANAGE.to("edit approval policies"),
                policy_named(&req.name),
                |a| seen_policy(tx, catalog, &w.ctx, a, &req.name),
            )?;
            let old = find_policy(tx, &account, &req.name)?;
            let mut policy = old.clone();
            if let Some(name) = &req.new_name {
                policy.name = new_policy_name(tx, &account, name, Some(old.id))?;
            }
            if let Some(threshold) = req.threshold {
                policy.threshold = threshold.in_currency(&account.currency)?;
            }
            if let Some(order_type) = &req.order_type {
                policy.order_type = order_type.as_ref().map(parse_order_type).transpose()?;
            }
            if let Some(emails) = &req.approvers {
                policy.approvers = named_approvers(tx, catalog, &w.ctx, &account, emails)?;
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

#[cfg(test)]
mod tests {
    use super::super::testing::{email, join, seeded};
    use super::*;
    use crate::domain::{parse_fixture, Actor, ApplyOptions, Handover, MemberFilter, NewOrder};
    use crate::model::{OrderStatus, Text};
    use crate::view::AuditHeadView;

    fn money(text: &str) -> Money {
        text.parse().expect("valid amount")
    }

    fn operator(p: &mut Portal) {
        p.ctx.actor = Actor::Operator("root".into());
    }

    fn as_member(p: &mut Portal, who: &str) {
        p.ctx.actor = Actor::Member(email(who));
    }

    fn head(p: &mut Portal) -> AuditHeadView {
        p.audit_head().expect("audit head")
    }

    /// The portal preset's Acme with the admins fiona and fin, the manager
    /// max, and `pol`, whose custom role manages policies and places
    /// orders but approves none; and policy "Over 50" (account approvers).
    fn acme() -> Portal {
        let mut p = seeded("portal");
        join(&mut p, "fiona@acme.test", "admin");
        join(&mut p, "fin@acme.test", "admin");
        join(&mut p, "max@acme.test", "manager");
        p.role_create(
            "policy-keeper",
            &[
                caps::POLICIES_MANAGE,
                caps::ORDERS_PLACE,
                caps::ACCOUNT_VIEW,
            ],
            &Text::default(),
            None,
        )
        .expect("role");
        join(&mut p, "pol@acme.test", "policy-keeper");
        p.policy_create(&NewPolicy {
            name: "Over 50".into(),
            threshold: money("50.00"),
            ..NewPolicy::default()
        })
        .expect("policy");
        p
    }

    /// Places an order of 80.00 as `who`; its id, pending.
    fn place(p: &mut Portal, who: &str) -> i64 {
        as_member(p, who);
        let order = p
            .order_place(&NewOrder {
                description: "Laptop".into(),
                amount: money("80.00"),
                ..NewOrder::default()
            })
            .expect("order");
        operator(p);
        assert_eq!(order.status, OrderStatus::Pending);
        order.id
    }

    fn status(p: &mut Portal, id: i64) -> OrderStatus {
        operator(p);
        p.order_show(id).expect("order").status
    }

    fn disable(name: &str) -> impl FnOnce(&mut Portal) -> Result<PolicyChange> + '_ {
        move |p| p.policy_set_enabled(name, false, None)
    }

    fn threshold(to: &str) -> impl FnOnce(&mut Portal) -> Result<PolicyChange> + '_ {
        move |p| {
            p.policy_edit(&PolicyEdit {
                name: "Over 50".into(),
                threshold: Some(money(to)),
                ..PolicyEdit::default()
            })
        }
    }

    /// Runs `change` as `who`: refused (exit 5) with `order` still
    /// pending and the audit log as it was; returns the message.
    #[track_caller]
    fn refused(
        p: &mut Portal,
        who: &str,
        order: i64,
        change: impl FnOnce(&mut Portal) -> Result<PolicyChange>,
    ) -> String {
        let before = head(p);
        as_member(p, who);
        let err = change(p).expect_err("the change must be refused");
        operator(p);
        assert_eq!(err.exit_code(), 5, "{err}");
        assert_eq!(status(p, order), OrderStatus::Pending);
        assert_eq!(head(p), before, "a refusal wrote to the audit log");
        assert!(p.policy_show("Over 50", None).expect("policy").enabled);
        err.to_string()
    }

    #[test]
    fn nobody_releases_their_own_order_by_disabling_or_editing_its_policy() {
        let mut p = acme();
        let own = place(&mut p, "fiona@acme.test");
        let err = refused(&mut p, "fiona@acme.test", own, disable("Over 50"));
        assert!(
            err.contains(&format!("release (approve) order {own}")),
            "{err}"
        );
        assert!(err.contains("nobody decides their own order"), "{err}");
        let err = refused(&mut p, "fiona@acme.test", own, threshold("100.00"));
        assert!(err.contains(&format!("order {own}")), "{err}");
        // Another approver may: the order is released.
        as_member(&mut p, "fin@acme.test");
        let change = disable("Over 50")(&mut p).expect("fin disables it");
        assert_eq!(change.released, vec![own]);
        assert_eq!(status(&mut p, own), OrderStatus::Approved);
    }

    #[test]
    fn only_a_holder_of_orders_approve_releases_orders_by_a_policy_change() {
        let mut p = acme();
        let a = place(&mut p, "max@acme.test");
        let b = place(&mut p, "max@acme.test");
        let err = refused(&mut p, "pol@acme.test", a, disable("Over 50"));
        // Orders `pol` cannot see (they see only their own) are neither
        // named nor counted.
        assert!(
            err.contains("release (approve) pending orders they cannot see;"),
            "{err}"
        );
        assert!(err.contains("`orders.approve`"), "{err}");
        refused(&mut p, "pol@acme.test", b, threshold("100.00"));
        // A change that releases nothing is theirs to make.
        as_member(&mut p, "pol@acme.test");
        let change = p
            .policy_edit(&PolicyEdit {
                name: "Over 50".into(),
                required_approvals: Some(2),
                ..PolicyEdit::default()
            })
            .expect("nothing released");
        assert!(change.released.is_empty());
        // Their own order, which they see, is named, and only it.
        let own = place(&mut p, "pol@acme.test");
        let err = refused(&mut p, "pol@acme.test", own, disable("Over 50"));
        assert!(
            err.contains(&format!("release (approve) order {own};")),
            "{err}"
        );
        assert!(!err.contains("cannot see"), "{err}");
        // The operator may always: no order is ever stuck.
        let change = disable("Over 50")(&mut p).expect("the operator disables it");
        assert_eq!(change.released, vec![a, b, own]);
    }

    #[test]
    fn an_approver_is_named_the_orders_and_the_owner_is_bound_too() {
        let mut p = acme();
        let theirs = place(&mut p, "max@acme.test");
        let own = place(&mut p, "owner@acme.test");
        let err = refused(&mut p, "owner@acme.test", own, disable("Over 50"));
        // Only the owner's own order is refused, and named.
        assert!(err.contains(&format!("order {own},")), "{err}");
        assert!(!err.contains(&format!("order {theirs}")), "{err}");
        assert_eq!(status(&mut p, theirs), OrderStatus::Pending);
        // Once it is cancelled, the owner may disable the policy.
        as_member(&mut p, "owner@acme.test");
        p.order_cancel(own, None).expect("cancel");
        let change = disable("Over 50")(&mut p).expect("the owner disables it");
        assert_eq!(change.released, vec![theirs]);
    }

    #[test]
    fn an_order_of_a_merged_duplicate_is_the_kept_persons_to_release_too() {
        let mut p = acme();
        join(&mut p, "cat@acme.test", "manager");
        let order = place(&mut p, "cat@acme.test");
        p.merge(&email("cat@acme.test"), &email("fiona@acme.test"))
            .expect("merge");
        let err = refused(&mut p, "fiona@acme.test", order, threshold("100.00"));
        assert!(err.contains("nobody decides their own order"), "{err}");
    }

    #[test]
    fn a_fixture_that_would_release_the_actors_own_order_is_refused() {
        let doc = |enabled: bool| {
            serde_json::json!({
                "preset": "portal",
                "accounts": [{
                    "name": "Acme Ltd", "kind": "partner", "owner": "olive@acme.test",
                    "users": [
                        {"email": "olive@acme.test", "name": "Olive", "role": "admin"},
                        {"email": "fiona@acme.test", "name": "Fiona", "role": "admin"}
                    ],
                    "policies": [{"name": "Over 50", "threshold": "50.00", "enabled": enabled}]
                }]
            })
            .to_string()
        };
        let mut p = super::super::testing::portal(Actor::Operator("root".into()));
        let on = parse_fixture(&doc(true), "on.json").expect("parses");
        let off = parse_fixture(&doc(false), "off.json").expect("parses");
        p.apply(&on, ApplyOptions::default()).expect("apply");
        let order = place(&mut p, "fiona@acme.test");
        let before = head(&mut p);
        as_member(&mut p, "fiona@acme.test");
        let err = p
            .apply(&off, ApplyOptions::default())
            .expect_err("releases her own order");
        operator(&mut p);
        assert_eq!(err.exit_code(), 5, "{err}");
        assert!(
            err.to_string().contains("nobody decides their own order"),
            "{err}"
        );
        assert_eq!(status(&mut p, order), OrderStatus::Pending);
        assert_eq!(head(&mut p), before);
        // The operator's apply goes through, and releases it.
        p.apply(&off, ApplyOptions::default()).expect("operator");
        assert_eq!(status(&mut p, order), OrderStatus::Approved);
    }

    /// Who of a policy's approvers can no longer decide, and why, is
    /// their status in the account: shown only to who may list its users
    /// (`users.view`). A manager, refused `user list`, reads the policy
    /// as it was before the marks.
    #[test]
    fn approvers_status_is_shown_only_to_who_sees_the_users() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "manager");
        join(&mut p, "bob@acme.test", "user");
        p.policy_create(&NewPolicy {
            name: "Big".into(),
            threshold: money("50.00"),
            approvers: vec![email("bob@acme.test"), email("owner@acme.test")],
            ..NewPolicy::default()
        })
        .expect("policy");
        p.deactivate(&email("bob@acme.test"), None, &Handover::default())
            .expect("deactivate");
        as_member(&mut p, "owner@acme.test");
        let seen = p.policy_show("Big", None).expect("owner sees it");
        assert_eq!(seen.deciders, Some(vec!["owner@acme.test".to_string()]));
        assert_eq!(
            seen.cannot_decide,
            Some(vec![IdleApprover {
                email: "bob@acme.test".into(),
                status: "deactivated".into(),
            }])
        );
        as_member(&mut p, "ann@acme.test");
        assert!(
            p.member_list(&MemberFilter::default()).is_err(),
            "ann lists no users"
        );
        let plain = p.policy_show("Big", None).expect("ann sees the policy");
        assert_eq!((plain.deciders, plain.cannot_decide), (None, None));
        assert_eq!(plain.approvers, ["owner@acme.test", "bob@acme.test"]);
        let listed = p.policy_list(None, None).expect("ann lists policies");
        assert_eq!(
            (&listed[0].deciders, &listed[0].cannot_decide),
            (&None, &None)
        );
    }

    /// One way of naming a policy.
    type Path<'a> = dyn Fn(&mut Portal) -> Result<()> + 'a;

    /// Every path that names a policy refuses a word mixing Latin with
    /// Cyrillic or Greek letters (exit 2), writing nothing: `policy
    /// create`, the operator's restore, `policy edit --name`, and a
    /// file applied by the operator or by a member (finding N1: the
    /// operator's apply let `Fin\u{430}nce` in beside `Finance`).
    #[test]
    fn every_path_that_names_a_policy_refuses_a_word_mixing_scripts() {
        for decoy in ["Fin\u{430}nce approval", "Big \u{3bf}ne"] {
            let mut p = acme();
            let new = NewPolicy {
                account: Some("Acme".into()),
                ..super::super::testing::policy_over(decoy, "5.00")
            };
            let file = serde_json::json!({
                "accounts": [{"name": "Acme", "policies": [{"name": decoy, "threshold": "5.00"}]}]
            })
            .to_string();
            let fixture = parse_fixture(&file, "decoy.json").expect("parses");
            let before = head(&mut p);
            let paths: [(&str, &Path<'_>); 5] = [
                ("policy create", &|p| p.policy_create(&new).map(drop)),
                ("the operator's restore", &|p| {
                    p.policy_restore(&new).map(drop)
                }),
                ("policy edit --name", &|p| {
                    p.policy_edit(&PolicyEdit {
                        name: "Over 50".into(),
                        new_name: Some(decoy.into()),
                        threshold: None,
                        order_type: None,
                        approvers: None,
                        required_approvals: None,
                        account: Some("Acme".into()),
                    })
                    .map(drop)
                }),
                ("the operator's apply", &|p| {
                    p.apply(&fixture, ApplyOptions::default()).map(drop)
                }),
                ("a member's apply", &|p| {
                    as_member(p, "fiona@acme.test");
                    let done = p.apply(&fixture, ApplyOptions::default()).map(drop);
                    operator(p);
                    done
                }),
            ];
            for (path, named) in paths {
                let err = named(&mut p).expect_err(path);
                assert_eq!(err.exit_code(), 2, "{path}: {err}");
                assert!(err.to_string().contains("letters in"), "{path}: {err}");
                assert_eq!(head(&mut p), before, "{path} wrote nothing");
            }
        }
    }
}
