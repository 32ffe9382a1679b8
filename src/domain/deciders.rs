//! Who may decide a pending order right now, and what leaves a policy or an
//! order short of approvers (issue 10: no order is ever stuck).
//!
//! Eligibility is judged at decision time from the members as they are,
//! never stored, so a change of access needs no clean-up:
//!
//! - a policy that names approvers is decided by those of them who are
//!   active members of the account with portal access (not blocked);
//!   being named is what lets them decide, `orders.approve` or not;
//! - a policy that names nobody is decided by the account's approvers:
//!   its active members holding `orders.approve`;
//! - when a named policy's eligible approvers who have not decided yet are
//!   fewer than the approvals it still needs, the account's approvers may
//!   decide it too (the fallback);
//! - nobody decides their own order (an order placed by a merged duplicate
//!   is the kept person's), and nobody decides one twice (a merged
//!   duplicate's decisions are the kept person's too, so a policy counts
//!   distinct kept people).
//!
//! An approval counts toward every policy of the order its giver was
//! eligible for when giving it, and that is recorded with the approval, so
//! later changes of access do not undo approvals already given.

use std::cell::{OnceCell, RefCell};
use std::collections::{BTreeSet, HashMap};

use super::access::{caps, Access};
use super::Catalog;
use crate::error::Result;
use crate::model::{Account, MatchedPolicy, OrderDecision, Paste, Policy, Timestamp};
use crate::store::Tx;

/// How many deciders `order show` names before it says "and others": the
/// cost of the answer stays bounded however large the account is.
pub(super) const SHOWN_DECIDERS: usize = 10;

/// What one person may do about approvals in one account.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Ability {
    /// An active member with portal access: may decide what names them.
    pub access: bool,
    /// Also holds `orders.approve`: one of the account's approvers.
    pub approves: bool,
}

impl Ability {
    /// The ability an access gives.
    pub(super) fn of(access: &Access<'_>) -> Ability {
        Ability {
            access: access.holds(caps::PORTAL_ACCESS),
            approves: access.holds(caps::ORDERS_APPROVE),
        }
    }
}

/// The members of one account as seen at one moment: now, or (in the write
/// gate) as they were before the write.
pub(super) trait Roster {
    /// What `person` may do; nothing for someone who is no member.
    fn ability(&self, person: i64) -> Result<Ability>;
    /// Up to `enough` of the account's approvers, leaving out `except`.
    fn approvers(&self, except: &BTreeSet<i64>, enough: usize) -> Result<Vec<i64>>;
}

/// The account's members as the database holds them now. Approvers are
/// found by index (the roles, grants and areas that give `orders.approve`,
/// and the owner), no more of them than asked for.
pub(super) struct Now<'a> {
    pub tx: &'a dyn Tx,
    pub catalog: &'a Catalog,
    pub account: &'a Account,
    pub at: Timestamp,
    /// Every approver, once a walk needed them all.
    all: OnceCell<Vec<i64>>,
}

impl<'a> Now<'a> {
    /// The members of `account` at `at`.
    pub(super) fn new(
        tx: &'a dyn Tx,
        catalog: &'a Catalog,
        account: &'a Account,
        at: Timestamp,
    ) -> Now<'a> {
        Now {
            tx,
            catalog,
            account,
            at,
            all: OnceCell::new(),
        }
    }
}

impl Roster for Now<'_> {
    fn ability(&self, person: i64) -> Result<Ability> {
        match self.tx.membership_of(person, self.account.id)? {
            Some(m) => Ok(Ability::of(&Access::of(
                self.tx, self.catalog, self.account, m, self.at,
            )?)),
            None => Ok(Ability::default()),
        }
    }

    fn approvers(&self, except: &BTreeSet<i64>, enough: usize) -> Result<Vec<i64>> {
        if let Some(all) = self.all.get() {
            return Ok(take(all, except, enough));
        }
        // Who may hold `orders.approve`: a role that gives it, a grant or
        // area that gives it, or the owner; found by index, oldest first,
        // then each checked. Those the check leaves out, like those in
        // `except`, do not count toward `enough`: while too few are left
        // and the index had more, twice as many are asked for. One more
        // than asked tells whether that was all of them.
        let holding = super::access::holding(
            self.tx,
            self.catalog,
            caps::ORDERS_APPROVE,
            self.account.id,
            None,
        )?;
        let mut limit = enough.saturating_add(except.len()).saturating_add(1);
        loop {
            let mut candidates = self
                .tx
                .active_holders(self.account.id, &holding, self.at, limit)?;
            let complete = candidates.len() < limit;
            if let Some(owner) = self.account.owner_id {
                if !candidates.iter().any(|m| m.person_id == owner) {
                    candidates.extend(self.tx.membership_of(owner, self.account.id)?);
                }
            }
            candidates.sort_by_key(|m| m.id);
            let mut found = Vec::new();
            for m in candidates {
                let person = m.person_id;
                if Ability::of(&Access::of(
                    self.tx, self.catalog, self.account, m, self.at,
                )?)
                .approves
                {
                    found.push(person);
                }
            }
            let taken = take(&found, except, enough);
            if complete {
                let _ = self.all.set(found);
            } else if taken.len() < enough {
                limit = limit.saturating_mul(2);
                continue;
            }
            return Ok(taken);
        }
    }
}

/// The members of one account as one page of `order list` asks about
/// them: each person's ability read once, and the account's approvers read
/// once, as many as the page's most demanding order could want, so a page
/// runs the same statements whatever its rows (issue 11).
pub(super) struct Cached<'a> {
    now: Now<'a>,
    /// How many approvers any question of the page may need: the most
    /// approvals one of its policies requires, plus everyone that policy
    /// may leave out (its named approvers and the order's excluded).
    enough: usize,
    abilities: RefCell<HashMap<i64, Ability>>,
    approvers: OnceCell<Vec<i64>>,
}

impl<'a> Cached<'a> {
    /// `now`, asked for no more than `enough` approvers at once, leaving
    /// out no more than `enough` less what was asked for.
    pub(super) fn new(now: Now<'a>, enough: usize) -> Cached<'a> {
        Cached {
            now,
            enough,
            abilities: RefCell::new(HashMap::new()),
            approvers: OnceCell::new(),
        }
    }
}

impl Roster for Cached<'_> {
    fn ability(&self, person: i64) -> Result<Ability> {
        if let Some(a) = self.abilities.borrow().get(&person) {
            return Ok(*a);
        }
        let a = self.now.ability(person)?;
        self.abilities.borrow_mut().insert(person, a);
        Ok(a)
    }

    fn approvers(&self, except: &BTreeSet<i64>, enough: usize) -> Result<Vec<i64>> {
        if let Some(all) = self.approvers.get() {
            return Ok(take(all, except, enough));
        }
        // The first `self.enough` approvers hold `enough` of them not in
        // `except` whenever the account has as many.
        let all = self.now.approvers(&BTreeSet::new(), self.enough)?;
        Ok(take(self.approvers.get_or_init(|| all), except, enough))
    }
}

/// Up to `enough` of `all` that are not in `except`.
pub(super) fn take(all: &[i64], except: &BTreeSet<i64>, enough: usize) -> Vec<i64> {
    all.iter()
        .filter(|p| !except.contains(p))
        .take(enough)
        .copied()
        .collect()
}

/// How many approvers a policy has that could decide its orders, counting
/// no further than `enough`: its named approvers with access, or, naming
/// nobody, the account's approvers.
pub(super) fn policy_eligible(
    roster: &dyn Roster,
    policy: &Policy,
    enough: usize,
) -> Result<usize> {
    if policy.approvers.is_empty() {
        return Ok(roster.approvers(&BTreeSet::new(), enough)?.len());
    }
    let mut found = 0;
    for person in &policy.approvers {
        if roster.ability(*person)?.access {
            found += 1;
        }
    }
    Ok(found)
}

/// How one policy holds a pending order.
#[derive(Debug, Clone)]
pub(super) struct Hold {
    /// The policy as it holds the order.
    pub policy: MatchedPolicy,
    /// Approvals counted toward it.
    pub approvals: i64,
    /// Its named approvers who may still decide: eligible, not the
    /// order's creator, not decided yet.
    pub named: Vec<i64>,
    /// Whether the account's approvers decide it: it names nobody, or its
    /// named approvers are too few for the approvals it still needs.
    pub account_approvers: bool,
    /// How many people may still give it approvals (its `named`, then the
    /// account's approvers who are neither excluded nor named), counted
    /// no further than it needs.
    pub possible: usize,
    /// How many eligible approvers `policy edit` counts for the policy
    /// now (its named approvers with access, or, naming nobody, the
    /// account's approvers), counted no further than it requires: read
    /// for a stuck hold only, whose easing may require no more (0 for
    /// one that is not stuck).
    pub eligible: usize,
}

impl Hold {
    /// Approvals it still needs.
    pub(super) fn need(&self) -> i64 {
        (self.policy.required_approvals - self.approvals).max(0)
    }

    /// Whether it has all its approvals.
    pub(super) fn satisfied(&self) -> bool {
        self.need() == 0
    }

    /// Whether it names approvers but falls back to the account's.
    pub(super) fn falls_back(&self) -> bool {
        self.account_approvers && !self.policy.approvers.is_empty()
    }

    /// Whether it cannot get the approvals it still needs: fewer people
    /// may still give them than it needs.
    pub(super) fn stuck(&self) -> bool {
        usize::try_from(self.need()).unwrap_or(usize::MAX) > self.possible
    }

    /// The edit of its policy that lets a stuck order through, to be
    /// pasted as it is (findings C8: the advice must pass): to require
    /// as many approvals as it has and may still get, no more than the
    /// policy's eligible approvers (which `policy edit` checks); where
    /// that is none, to name as many approvers as it requires, since
    /// naming fewer is refused. Raising the threshold instead would be
    /// refused while the policy is short of approvers, and would pass
    /// other orders too.
    pub(super) fn ease(&self, account: &str) -> String {
        let edit = Paste::new("policy edit")
            .arg(&self.policy.name)
            .opt("--account", account);
        let given = usize::try_from(self.approvals).unwrap_or(0);
        match given.saturating_add(self.possible).min(self.eligible) {
            0 => {
                let required = usize::try_from(self.policy.required_approvals).unwrap_or(1);
                let who = match required {
                    0 | 1 => "an approver".to_string(),
                    n => format!("{n} approvers"),
                };
                let emails = match required {
                    0 | 1 => "--approvers EMAIL",
                    2 => "--approvers EMAIL,EMAIL",
                    3 => "--approvers EMAIL,EMAIL,EMAIL",
                    _ => "--approvers EMAIL,EMAIL,...",
                };
                format!("name {who} who may decide it: `{}`", edit.words(emails))
            }
            n => format!(
                "`{}`, or name more approvers",
                edit.opt("--required-approvals", n)
            ),
        }
    }

    /// Why it is stuck, in words, without the policy: "needs 2 more
    /// approvals and only 1 person may give them", which policies stuck
    /// alike share (see [`Pending::shortages`]).
    fn lack(&self) -> String {
        let need = usize::try_from(self.need()).unwrap_or(usize::MAX);
        let more = if self.approvals > 0 { "more " } else { "" };
        let them = if need == 1 { "it" } else { "them" };
        let who = match self.possible {
            0 => format!("nobody may give {them}"),
            1 => format!("only 1 person may give {them}"),
            n => format!("only {n} people may give {them}"),
        };
        format!(
            "needs {} {more}{} and {who}",
            need,
            if need == 1 { "approval" } else { "approvals" },
        )
    }
}

/// A pending order as its policies hold it: who may decide it, how many
/// approvals each policy still needs, and whether it can still be
/// approved at all. `order place`, `order show`, the inbox, deciding,
/// cancelling and every re-evaluation (policy edit/disable, a change of
/// access, a merge) read it from here, so none of them can disagree.
#[derive(Debug, Clone)]
pub(super) struct Pending {
    /// The policies that still hold it (released ones left out).
    pub holds: Vec<Hold>,
    /// Its creator (the kept person) and whoever decided it: none of them
    /// may decide it now.
    pub excluded: BTreeSet<i64>,
}

impl Pending {
    /// How `matched` hold an order placed by `creator` (the kept person),
    /// after `decisions` and the approvals `counts` records
    /// (`(policy_id, person_id)`), their people as they are now (see
    /// `orders::pending_of`): each policy counts distinct approvers.
    pub(super) fn of(
        roster: &dyn Roster,
        matched: &[MatchedPolicy],
        decisions: &[OrderDecision],
        counts: &[(i64, i64)],
        creator: Option<i64>,
    ) -> Result<Pending> {
        // A decision made for a delegator is theirs too: neither decides
        // again, so one approver never counts twice.
        let excluded: BTreeSet<i64> = creator
            .into_iter()
            .chain(
                decisions
                    .iter()
                    .flat_map(|d| std::iter::once(d.person_id).chain(d.on_behalf_of)),
            )
            .collect();
        let mut holds = Vec::new();
        for m in matched.iter().filter(|m| m.released_at.is_none()) {
            // Distinct approvers: one person counts once, however many
            // approvals of theirs were recorded.
            // Nor does the creator's: an approval given before a merge
            // made the order theirs (its placer's duplicate merged into
            // them) is a decision on their own order.
            let approvals = counts
                .iter()
                .filter(|(p, who)| *p == m.policy_id && Some(*who) != creator)
                .map(|(_, who)| *who)
                .collect::<BTreeSet<_>>()
                .len() as i64;
            let mut named = Vec::new();
            for person in m.approvers.iter().filter(|p| !excluded.contains(p)) {
                if roster.ability(*person)?.access {
                    named.push(*person);
                }
            }
            // Only those who may decide this order count: not its
            // creator, nor anyone who decided it already. A policy whose
            // named approvers are too few *for this order* falls back to
            // the account's approvers, as one short for every order does.
            let need = (m.required_approvals - approvals).max(0);
            let account_approvers = m.approvers.is_empty() || (named.len() as i64) < need;
            let wanted = usize::try_from(need).unwrap_or(usize::MAX);
            let mut possible = named.len().min(wanted);
            if account_approvers && possible < wanted {
                let mut except = excluded.clone();
                except.extend(named.iter().copied());
                possible += roster.approvers(&except, wanted - possible)?.len();
            }
            // What `policy edit` would count, read only for a stuck hold:
            // the rest need no easing, and a page of orders asks nothing
            // more of the roster for them.
            let required = usize::try_from(m.required_approvals).unwrap_or(usize::MAX);
            let eligible = match (wanted > possible, m.approvers.is_empty()) {
                (false, _) => 0,
                (true, true) => roster.approvers(&BTreeSet::new(), required)?.len(),
                (true, false) => {
                    let mut found = 0;
                    for person in &m.approvers {
                        if roster.ability(*person)?.access {
                            found += 1;
                        }
                    }
                    found
                }
            };
            holds.push(Hold {
                policy: m.clone(),
                approvals,
                named,
                account_approvers,
                possible,
                eligible,
            });
        }
        Ok(Pending { holds, excluded })
    }

    /// Whether it can still be approved: every policy still needing
    /// approvals has as many people left who may give them. One that
    /// cannot is decided by nobody (an approval would lead nowhere): its
    /// creator or the operator cancels it, or a policy edit eases it.
    pub(super) fn approvable(&self) -> bool {
        !self.holds.iter().any(Hold::stuck)
    }

    /// Why it cannot be approved, in words, one policy after another;
    /// empty when it can.
    /// Policies stuck for the same cause share one sentence, naming a few
    /// of them ("policies `P0`, `P1`, `P2`, and 17 others each need 1
    /// approval and nobody may give it"), so that the answer stays short
    /// however many policies hold the order (findings A10).
    pub(super) fn shortages(&self) -> String {
        let mut causes: Vec<(String, Vec<String>)> = Vec::new();
        for h in self.stuck() {
            let lack = h.lack();
            let name = format!("`{}`", h.policy.name);
            match causes.iter_mut().find(|(l, _)| *l == lack) {
                Some((_, names)) => names.push(name),
                None => causes.push((lack, vec![name])),
            }
        }
        causes
            .into_iter()
            .map(|(lack, names)| match names.as_slice() {
                [one] => format!("policy {one} {lack}"),
                _ => format!(
                    "policies {} each {}",
                    crate::view::capped(&names, crate::view::POLICIES_NAMED),
                    lack.replacen("needs", "need", 1)
                ),
            })
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// What moves on an order that cannot be approved, each command to
    /// be pasted: cancelling it, or easing the policies that leave it
    /// stuck, a few of them and "and N others" (see
    /// [`crate::view::eases_in_words`]).
    pub(super) fn moves_on(&self, order: i64, account: &str) -> String {
        let eases: Vec<String> = self.stuck().iter().map(|h| h.ease(account)).collect();
        format!(
            "cancel it (`{}`), or ease its {} ({})",
            Paste::new("order cancel")
                .arg(order)
                .opt("--account", account),
            if eases.len() == 1 {
                "policy"
            } else {
                "policies"
            },
            crate::view::eases_in_words(&eases)
        )
    }

    /// The one warning a change gives for an order it leaves unable to be
    /// approved, however many policies hold it: each cause once, a few
    /// policies named (see [`Pending::shortages`]), and what moves it on.
    /// Every re-evaluation (a policy edit or disable, a change of access, a
    /// merge) warns with it, so none prints a line per policy.
    pub(super) fn stuck_warning(&self, order: i64, account: &str) -> String {
        format!(
            "order {order} in `{account}` cannot get enough approvals ({}); {}",
            self.shortages(),
            self.moves_on(order, account)
        )
    }

    /// Whether every policy has its approvals.
    pub(super) fn satisfied(&self) -> bool {
        self.holds.iter().all(Hold::satisfied)
    }

    /// The policies (ids) `person` may decide the order for now: the ones
    /// still needing approvals whose deciders include them; none while it
    /// cannot be approved (see [`Pending::approvable`]).
    pub(super) fn may_decide(&self, person: i64, ability: Ability) -> Vec<i64> {
        if !self.approvable() {
            return Vec::new();
        }
        self.eligible(person, ability)
    }

    /// The policies (ids) still needing approvals whose approvers include
    /// `person`, whether or not the order can still be approved: who may
    /// clear away one that cannot (cancel it).
    pub(super) fn eligible(&self, person: i64, ability: Ability) -> Vec<i64> {
        if self.excluded.contains(&person) {
            return Vec::new();
        }
        self.holds
            .iter()
            .filter(|h| !h.satisfied())
            .filter(|h| h.named.contains(&person) || (h.account_approvers && ability.approves))
            .map(|h| h.policy.policy_id)
            .collect()
    }

    /// Up to `limit` people who may decide the order now, named approvers
    /// first, and whether there are more; nobody while it cannot be
    /// approved.
    pub(super) fn deciders(&self, roster: &dyn Roster, limit: usize) -> Result<(Vec<i64>, bool)> {
        let mut found: Vec<i64> = Vec::new();
        if !self.approvable() {
            return Ok((found, false));
        }
        let open: Vec<&Hold> = self.holds.iter().filter(|h| !h.satisfied()).collect();
        for h in &open {
            for p in &h.named {
                if !found.contains(p) {
                    found.push(*p);
                }
            }
        }
        if open.iter().any(|h| h.account_approvers) {
            let mut except = self.excluded.clone();
            except.extend(found.iter().copied());
            // One more than is shown tells whether there are others.
            let room = (limit + 1).saturating_sub(found.len());
            found.extend(roster.approvers(&except, room)?);
        }
        let more = found.len() > limit;
        found.truncate(limit);
        Ok((found, more))
    }

    /// The policies that cannot get the approvals they still need even
    /// from the account's approvers: only cancelling the order, or editing
    /// or disabling the policy, moves it on.
    pub(super) fn stuck(&self) -> Vec<&Hold> {
        self.holds.iter().filter(|h| h.stuck()).collect()
    }
}

/// `n` and the noun, singular or plural.
pub(super) fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// Members by id with what they may do; approvers are the ones who
    /// approve, in id order.
    struct Fake(BTreeMap<i64, Ability>);

    impl Roster for Fake {
        fn ability(&self, person: i64) -> Result<Ability> {
            Ok(self.0.get(&person).copied().unwrap_or_default())
        }
        fn approvers(&self, except: &BTreeSet<i64>, enough: usize) -> Result<Vec<i64>> {
            let all: Vec<i64> = self
                .0
                .iter()
                .filter(|(_, a)| a.approves)
                .map(|(p, _)| *p)
                .collect();
            Ok(take(&all, except, enough))
        }
    }

    const ADMIN: Ability = Ability {
        access: true,
        approves: true,
    };
    const MEMBER: Ability = Ability {
        access: true,
        approves: false,
    };
    const GONE: Ability = Ability {
        access: false,
        approves: false,
    };

    /// Admins 1 and 2, manager 3, deactivated 4.
    fn acme() -> Fake {
        Fake(BTreeMap::from([
            (1, ADMIN),
            (2, ADMIN),
            (3, MEMBER),
            (4, GONE),
        ]))
    }

    fn matched(id: i64, approvers: Vec<i64>, required: i64) -> MatchedPolicy {
        MatchedPolicy {
            policy_id: id,
            name: format!("P{id}"),
            approvers,
            required_approvals: required,
            released_at: None,
        }
    }

    fn approval(person: i64) -> OrderDecision {
        OrderDecision {
            person_id: person,
            on_behalf_of: None,
            approved: true,
            reason: None,
            at: "2026-11-25T10:00:00Z".parse().expect("a time"),
        }
    }

    /// 001: "Approvers: all admins by default, or specific users (e.g. a
    /// finance lead)": a named manager decides; admins who are not named
    /// do not while the named ones suffice.
    #[test]
    fn named_approvers_decide_without_orders_approve() {
        let p = Pending::of(&acme(), &[matched(7, vec![3], 1)], &[], &[], None).expect("pending");
        assert_eq!(p.may_decide(3, MEMBER), vec![7]);
        assert_eq!(p.may_decide(1, ADMIN), Vec::<i64>::new());
        assert_eq!(p.deciders(&acme(), 10).expect("deciders"), (vec![3], false));
    }

    /// Findings C8: the easing a stuck policy's advice gives is one
    /// `policy edit` accepts: no more required approvals than the policy
    /// has eligible approvers, and, where nobody may give any, as many
    /// named approvers as it requires.
    #[test]
    fn the_easing_of_a_stuck_policy_is_one_policy_edit_accepts() {
        let ease = |matched: MatchedPolicy, decisions: &[OrderDecision], creator| {
            let counts: Vec<(i64, i64)> = decisions
                .iter()
                .map(|d| (matched.policy_id, d.person_id))
                .collect();
            let p = Pending::of(&acme(), &[matched], decisions, &counts, creator).expect("p");
            let stuck = p.stuck();
            assert_eq!(stuck.len(), 1, "{p:?}");
            stuck[0].ease("Acme")
        };
        // Two approvals of the account's approvers (admins 1 and 2), 1
        // gave one and 2 placed it: requiring the one given passes, as
        // the policy has two eligible approvers.
        assert_eq!(
            ease(matched(7, vec![], 2), &[approval(1)], Some(2)),
            "`portalctl policy edit P7 --account Acme --required-approvals 1`, or name more approvers"
        );
        // Named 3 and 4 (deactivated), three required, admin 2 placed
        // it: 3 and admin 1 (the fallback) may give two, but 3 is the
        // policy's one eligible approver, and requiring two is refused.
        assert_eq!(
            ease(matched(7, vec![3, 4], 3), &[], Some(2)),
            "`portalctl policy edit P7 --account Acme --required-approvals 1`, or name more approvers"
        );
        // Named 4 alone, two required, and nobody may give any: naming
        // one would be refused.
        let only_gone = Fake(BTreeMap::from([(3, MEMBER), (4, GONE)]));
        let p = Pending::of(&only_gone, &[matched(7, vec![4], 2)], &[], &[], Some(3)).expect("p");
        assert_eq!(
            p.stuck()[0].ease("Acme"),
            "name 2 approvers who may decide it: `portalctl policy edit P7 --account Acme --approvers EMAIL,EMAIL`"
        );
        let p = Pending::of(&only_gone, &[matched(7, vec![4], 1)], &[], &[], Some(3)).expect("p");
        assert_eq!(
            p.stuck()[0].ease("Acme"),
            "name an approver who may decide it: `portalctl policy edit P7 --account Acme --approvers EMAIL`"
        );
    }

    /// No order is ever stuck: named approvers who lost access leave the
    /// order to the account's approvers.
    #[test]
    fn too_few_named_approvers_fall_back_to_the_account_approvers() {
        let p = Pending::of(&acme(), &[matched(7, vec![3, 4], 2)], &[], &[], None).expect("p");
        let hold = &p.holds[0];
        assert_eq!(hold.named, vec![3]);
        assert!(hold.falls_back());
        assert_eq!(p.may_decide(1, ADMIN), vec![7]);
        assert_eq!(p.deciders(&acme(), 10).expect("d"), (vec![3, 1, 2], false));
        assert!(p.stuck().is_empty());
    }

    /// "Nobody decides their own order", nor the same order twice; an order
    /// that nobody left can finish is stuck, and lists no deciders.
    #[test]
    fn the_creator_and_those_who_decided_are_left_out() {
        let counts = [(7, 2)];
        let p = Pending::of(
            &acme(),
            &[matched(7, vec![], 3)],
            &[approval(2)],
            &counts,
            Some(1),
        )
        .expect("p");
        assert_eq!(p.holds[0].need(), 2);
        assert_eq!(p.may_decide(1, ADMIN), Vec::<i64>::new());
        assert_eq!(p.may_decide(2, ADMIN), Vec::<i64>::new());
        assert_eq!(p.deciders(&acme(), 10).expect("d"), (vec![], false));
        assert_eq!(p.stuck().len(), 1);
    }

    /// Issue: a policy counted its order's creator among those who could
    /// approve it. Only those who may decide this order count: a policy
    /// named short by the creator falls back to the account's approvers,
    /// and one they cannot make up either cannot be approved, so nobody is
    /// said to decide it (nor may), though its approvers may clear it away.
    #[test]
    fn only_those_who_may_decide_the_order_count_toward_its_approvals() {
        // Every approver (admins 1 and 2), two approvals, placed by 1.
        let p = Pending::of(&acme(), &[matched(7, vec![], 2)], &[], &[], Some(1)).expect("p");
        assert_eq!(p.holds[0].possible, 1);
        assert!(!p.approvable());
        assert_eq!(p.stuck().len(), 1);
        assert_eq!(p.deciders(&acme(), 10).expect("d"), (vec![], false));
        assert_eq!(p.may_decide(2, ADMIN), Vec::<i64>::new());
        assert_eq!(p.eligible(2, ADMIN), vec![7]);
        assert_eq!(
            p.shortages(),
            "policy `P7` needs 2 approvals and only 1 person may give them"
        );
        // Named 1, 2 and 3, three approvals, placed by 3: the account's
        // approvers are 1 and 2 already, so nobody makes up the third.
        let p =
            Pending::of(&acme(), &[matched(7, vec![1, 2, 3], 3)], &[], &[], Some(3)).expect("p");
        assert!(p.holds[0].falls_back());
        assert!(!p.approvable());
        // Named 1 and 3, two approvals, placed by 1: admin 2 makes it up.
        let p = Pending::of(&acme(), &[matched(7, vec![1, 3], 2)], &[], &[], Some(1)).expect("p");
        assert!(p.approvable());
        assert_eq!(p.deciders(&acme(), 10).expect("d"), (vec![3, 2], false));
        assert_eq!(p.may_decide(2, ADMIN), vec![7]);
        // Whoever approved is left out of what is still possible: after
        // 2's approval only 3 is left for the one still needed.
        let p = Pending::of(
            &acme(),
            &[matched(7, vec![1, 3], 2)],
            &[approval(2)],
            &[(7, 2)],
            Some(1),
        )
        .expect("p");
        assert_eq!((p.holds[0].need(), p.holds[0].possible), (1, 1));
        assert_eq!(p.deciders(&acme(), 10).expect("d"), (vec![3], false));
    }

    /// An approval counts only toward the policies that still need it, so
    /// `order show` never reads "2 of 1"; released policies hold nothing.
    #[test]
    fn satisfied_and_released_policies_take_no_more_approvals() {
        let mut released = matched(9, vec![], 1);
        released.released_at = Some("2026-11-25T10:00:00Z".parse().expect("a time"));
        let p = Pending::of(
            &acme(),
            &[matched(7, vec![], 1), matched(8, vec![], 2), released],
            &[approval(1)],
            &[(7, 1), (8, 1)],
            None,
        )
        .expect("p");
        assert_eq!(p.holds.len(), 2);
        assert_eq!(p.may_decide(2, ADMIN), vec![8]);
        assert!(!p.satisfied());
    }

    #[test]
    fn deciders_stop_at_the_limit() {
        let many = Fake((1..=30).map(|p| (p, ADMIN)).collect());
        let p = Pending::of(&many, &[matched(7, vec![], 1)], &[], &[], None).expect("p");
        let (shown, more) = p.deciders(&many, SHOWN_DECIDERS).expect("d");
        assert_eq!(shown.len(), SHOWN_DECIDERS);
        assert!(more);
    }

    /// The walk for approvers counts only those it may return: the
    /// creator, first in the account, does not use up the one wanted.
    #[test]
    fn approvers_left_out_do_not_end_the_walk() {
        use crate::domain::testing::{join, seeded};
        let mut p = seeded("portal");
        join(&mut p, "fin@acme.test", "admin");
        let tx = p.gate.read(p.ctx.now).expect("read");
        let catalog = Catalog::load(&*tx).expect("catalog");
        let account = tx.account_named("Acme").expect("read").expect("Acme");
        let owner = account.owner_id.expect("an owner");
        let now = Now::new(&*tx, &catalog, &account, p.ctx.now);
        let fin = tx
            .person_by_email("fin@acme.test")
            .expect("read")
            .expect("fin")
            .id;
        assert_eq!(
            now.approvers(&BTreeSet::from([owner]), 1).expect("walk"),
            vec![fin]
        );
        assert_eq!(
            now.approvers(&BTreeSet::new(), 5).expect("walk"),
            vec![owner, fin]
        );
    }
}
