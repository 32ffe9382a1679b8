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
//!   is the kept person's), and nobody decides one twice.
//!
//! An approval counts toward every policy of the order its giver was
//! eligible for when giving it, and that is recorded with the approval, so
//! later changes of access do not undo approvals already given.

use std::cell::OnceCell;
use std::collections::BTreeSet;

use super::access::{caps, Access};
use super::Catalog;
use crate::error::Result;
use crate::model::{Account, MatchedPolicy, OrderDecision, Policy, Timestamp};
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
/// found by walking the members until enough are found.
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
        let mut found = Vec::new();
        let mut complete = true;
        for m in self.tx.memberships_in(self.account.id)? {
            if found.len() >= enough {
                complete = false;
                break;
            }
            let person = m.person_id;
            if Ability::of(&Access::of(
                self.tx, self.catalog, self.account, m, self.at,
            )?)
            .approves
            {
                found.push(person);
            }
        }
        if complete {
            let _ = self.all.set(found.clone());
        }
        Ok(take(&found, except, enough))
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
}

/// A pending order as its policies hold it.
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
    /// (`(policy_id, person_id)`).
    pub(super) fn of(
        roster: &dyn Roster,
        matched: &[MatchedPolicy],
        decisions: &[OrderDecision],
        counts: &[(i64, i64)],
        creator: Option<i64>,
    ) -> Result<Pending> {
        let excluded: BTreeSet<i64> = creator
            .into_iter()
            .chain(decisions.iter().map(|d| d.person_id))
            .collect();
        let mut holds = Vec::new();
        for m in matched.iter().filter(|m| m.released_at.is_none()) {
            let approvals = counts.iter().filter(|(p, _)| *p == m.policy_id).count() as i64;
            let mut named = Vec::new();
            for person in m.approvers.iter().filter(|p| !excluded.contains(p)) {
                if roster.ability(*person)?.access {
                    named.push(*person);
                }
            }
            let need = (m.required_approvals - approvals).max(0);
            let account_approvers = m.approvers.is_empty() || (named.len() as i64) < need;
            holds.push(Hold {
                policy: m.clone(),
                approvals,
                named,
                account_approvers,
            });
        }
        Ok(Pending { holds, excluded })
    }

    /// Whether every policy has its approvals.
    pub(super) fn satisfied(&self) -> bool {
        self.holds.iter().all(Hold::satisfied)
    }

    /// The policies (ids) `person` may decide the order for now: the ones
    /// still needing approvals whose deciders include them.
    pub(super) fn may_decide(&self, person: i64, ability: Ability) -> Vec<i64> {
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
    /// first, and whether there are more.
    pub(super) fn deciders(&self, roster: &dyn Roster, limit: usize) -> Result<(Vec<i64>, bool)> {
        let mut found: Vec<i64> = Vec::new();
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
    pub(super) fn stuck(&self, roster: &dyn Roster) -> Result<Vec<&Hold>> {
        let mut stuck = Vec::new();
        for h in self.holds.iter().filter(|h| !h.satisfied()) {
            let need = usize::try_from(h.need()).unwrap_or(usize::MAX);
            let mut pool = h.named.len();
            if h.account_approvers && pool < need {
                let mut except = self.excluded.clone();
                except.extend(h.named.iter().copied());
                pool += roster.approvers(&except, need - pool)?.len();
            }
            if pool < need {
                stuck.push(h);
            }
        }
        Ok(stuck)
    }
}

/// `n` and the noun, singular or plural.
pub(super) fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}
