//! What was decided on an order, as a file tells it: read from an order
//! for `export`, and given back to an order the operator's apply restores.

use std::collections::BTreeSet;

use super::order_placing::Placer;
use super::orders::joined_in;
use crate::error::{Error, Result};
use crate::model::{Account, Email, MatchedPolicy, Order, OrderDecision, OrderStatus, Timestamp};
use crate::store::Tx;

/// What was decided on an order, as a fixture writes it and the
/// operator's apply restores it: the order's status and each decision,
/// with the policies each approval counted toward (by name). Its parts
/// are named as a file names them, so that a refusal of a restore can
/// say which one is at fault (see [`Portal::order_restore`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Decided {
    /// Where it stands.
    pub status: OrderStatus,
    /// Its decisions, oldest first.
    pub decisions: Vec<DecidedBy>,
    /// Why it was rejected.
    pub rejected_reason: Option<String>,
    /// Who cancelled it: an email or `operator:NAME`.
    pub cancelled_by: Option<String>,
    /// Why it was cancelled.
    pub cancelled_reason: Option<String>,
    /// When it was approved, rejected or cancelled.
    pub decided_at: Option<Timestamp>,
    /// The policies that held it, where they differ from those the
    /// account's policies would hold it by now (see [`derived_holds`]);
    /// `None`: those.
    pub held_by: Option<Vec<Held>>,
}

/// A policy as it held an order, as a file names it (see
/// [`crate::model::FixtureHold`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Held {
    /// The policy, by its name now.
    pub policy: String,
    /// The name the order knew it by.
    pub named: String,
    /// Its named approvers for the order, sorted.
    pub approvers: Vec<Email>,
    /// The approvals it needed.
    pub required_approvals: i64,
    /// When it stopped holding the order.
    pub released_at: Option<Timestamp>,
}

/// One decision of [`Decided`].
#[derive(Debug, Clone)]
pub(crate) struct DecidedBy {
    /// Who decided.
    pub by: Email,
    /// The delegator they decided for, as a delegate.
    pub on_behalf_of: Option<Email>,
    /// Approved (true) or rejected (false).
    pub approved: bool,
    /// When.
    pub at: Timestamp,
    /// The policies an approval counted toward, by name: in the order a
    /// file lists them, so that a refusal names one by its place there,
    /// and compared as a set (read from the database, they are sorted).
    pub policies: Vec<String>,
}

/// Two decisions are the same when they count toward the same policies,
/// however a file orders or repeats them.
impl PartialEq for DecidedBy {
    fn eq(&self, other: &DecidedBy) -> bool {
        // Destructured, so that a field added is compared or left out on
        // purpose.
        let DecidedBy {
            by,
            on_behalf_of,
            approved,
            at,
            policies,
        } = self;
        fn names(policies: &[String]) -> BTreeSet<&str> {
            policies.iter().map(String::as_str).collect()
        }
        *by == other.by
            && *on_behalf_of == other.on_behalf_of
            && *approved == other.approved
            && *at == other.at
            && names(policies) == names(&other.policies)
    }
}

impl Eq for DecidedBy {}

impl Decided {
    /// Whether placing the order says it all: pending, nobody decided.
    pub(crate) fn is_untouched(&self) -> bool {
        self.status == OrderStatus::Pending && self.decisions.is_empty() && self.held_by.is_none()
    }

    /// Whether `now`, what was decided on an order here, is what this
    /// says: a file that names no holds leaves them out of the comparison,
    /// as files from before they were written did.
    pub(crate) fn agrees_with(&self, now: &Decided, recorded: &[Held]) -> bool {
        let decisions_alike = Decided {
            held_by: None,
            ..self.clone()
        } == Decided {
            held_by: None,
            ..now.clone()
        };
        decisions_alike && self.held_by.as_deref().is_none_or(|h| h == recorded)
    }
}

/// The policies that would hold `o` were it restored from a file that
/// names none: the account's policies that match it now, as they are, with
/// those an approved order's approvals leave unsatisfied released when it
/// was decided (as [`restore_decisions`] reads such a file).
fn derived_holds(tx: &dyn Tx, o: &Order, counts: &[(i64, i64)]) -> Result<Vec<MatchedPolicy>> {
    let mut derived: Vec<MatchedPolicy> = tx
        .policies_in(o.account_id)?
        .into_iter()
        .filter(|p| p.matches(o.amount, o.order_type.as_deref()))
        .map(MatchedPolicy::holding)
        .collect();
    if o.status == OrderStatus::Approved {
        for m in &mut derived {
            let approvals = counts.iter().filter(|(p, _)| *p == m.policy_id).count();
            if (approvals as i64) < m.required_approvals {
                m.released_at = o.decided_at;
            }
        }
    }
    Ok(derived)
}

/// The policies that held `o`, as it recorded them, in the file's words.
pub(crate) fn recorded_holds(tx: &dyn Tx, o: &Order) -> Result<Vec<Held>> {
    held(tx, tx.matched_policies(o.id)?)
}

fn held(tx: &dyn Tx, matched: Vec<MatchedPolicy>) -> Result<Vec<Held>> {
    let mut holds = matched
        .into_iter()
        .map(|m| {
            let mut approvers = m
                .approvers
                .iter()
                .map(|id| Ok(tx.person(*id)?.email))
                .collect::<Result<Vec<Email>>>()?;
            approvers.sort();
            Ok(Held {
                policy: tx.policy(m.policy_id)?.name,
                named: m.name,
                approvers,
                required_approvals: m.required_approvals,
                released_at: m.released_at,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    holds.sort_by(|x, y| x.policy.cmp(&y.policy));
    Ok(holds)
}

/// What was decided on `o`, as [`Decided`] tells it.
pub(crate) fn decided(tx: &dyn Tx, o: &Order) -> Result<Decided> {
    let matched = tx.matched_policies(o.id)?;
    let counts = tx.approval_counts(o.id)?;
    let decisions = tx
        .decisions(o.id)?
        .into_iter()
        .map(|d| {
            let mut policies: Vec<String> = counts
                .iter()
                .filter(|(_, who)| *who == d.person_id && d.approved)
                .filter_map(|(policy, _)| matched.iter().find(|m| m.policy_id == *policy))
                .map(|m| m.name.clone())
                .collect();
            policies.sort();
            policies.dedup();
            Ok(DecidedBy {
                by: tx.person(d.person_id)?.email,
                on_behalf_of: d
                    .on_behalf_of
                    .map(|p| tx.person(p))
                    .transpose()?
                    .map(|p| p.email),
                approved: d.approved,
                at: d.at,
                policies,
            })
        })
        .collect::<Result<_>>()?;
    // Written only where a file that left them out would be read
    // otherwise: the policies were edited, disabled, enabled or made
    // since the order was placed or decided.
    let recorded = held(tx, matched)?;
    let derived = held(tx, derived_holds(tx, o, &counts)?)?;
    Ok(Decided {
        status: o.status,
        decisions,
        rejected_reason: o.rejected_reason.clone(),
        cancelled_by: o.cancelled_by.clone(),
        cancelled_reason: o.cancelled_reason.clone(),
        decided_at: o.decided_at,
        held_by: (recorded != derived).then_some(recorded),
    })
}

/// The policies a restored order was held by, as the file names them:
/// each a policy of `account`, named once, its approvers members who
/// joined it, as a restored policy's are. A refusal names the part at
/// fault (`.held_by[k].policy`).
pub(super) fn restored_holds(
    tx: &dyn Tx,
    account: &Account,
    holds: &[Held],
) -> Result<Vec<MatchedPolicy>> {
    let mut matched: Vec<MatchedPolicy> = Vec::new();
    for (k, h) in holds.iter().enumerate() {
        let part = |field: &str| format!(".held_by[{k}].{field}");
        let policy = tx
            .policy_named(account.id, &h.policy)?
            .ok_or_else(|| {
                Error::not_found(format!("no policy `{}` in `{}`", h.policy, account.name))
                    .help("an order is held only by policies of its account: list the policy among the account's `policies`")
                    .within(&part("policy"))
            })?;
        if matched.iter().any(|m| m.policy_id == policy.id) {
            return Err(Error::invalid(format!(
                "policy `{}` is named twice; it held the order once",
                h.policy
            ))
            .within(&part("policy")));
        }
        matched.push(MatchedPolicy {
            policy_id: policy.id,
            name: h.named.clone(),
            approvers: super::policies::restored_approvers(tx, account, &h.approvers)
                .map_err(|e| e.within(&part("approvers")))?,
            required_approvals: super::policies::check_required_approvals(h.required_approvals)
                .map_err(|e| e.within(&part("required_approvals")))?,
            released_at: h.released_at,
        });
    }
    Ok(matched)
}

/// Gives a just restored `order`, which holds `matched`, what was decided
/// on it: its decisions, each approval counted toward the policies it
/// counted toward, and its status. Each decider is a member who joined
/// the account, and nobody decided their own order. An approved order's
/// policies its approvals do not satisfy released it (a policy change
/// approved it, or it matched none when placed), so they read as released
/// from when it was decided.
///
/// A refusal names the part of `decided` at fault, as [`Decided`] names
/// it: `.cancelled_by`, `.status`, `.decisions[k].by`,
/// `.decisions[k].on_behalf_of` or `.decisions[k].policies[m]`, with `k`
/// and `m` the indexes of `decided.decisions` and of that decision's
/// `policies`.
pub(super) fn restore_decisions(
    tx: &dyn Tx,
    account: &Account,
    order: &mut Order,
    matched: &mut [MatchedPolicy],
    decided: &Decided,
) -> Result<()> {
    let joined = |email: &Email, part: &str| {
        joined_in(tx, email, account, "decided no order there").map_err(|e| e.within(part))
    };
    let named = order
        .reference
        .clone()
        .unwrap_or_else(|| format!("#{}", order.number));
    let cancelled_by = decided
        .cancelled_by
        .as_deref()
        .map(str::parse::<Placer>)
        .transpose()
        .map_err(|e| e.within(".cancelled_by"))?;
    if let Some(Placer::Member(email)) = cancelled_by {
        joined(&email, ".cancelled_by")?;
    }
    let mut deciders = BTreeSet::new();
    for (k, d) in decided.decisions.iter().enumerate() {
        let part = |field: &str| format!(".decisions[{k}].{field}");
        let person = joined(&d.by, &part("by"))?;
        let on_behalf_of = d
            .on_behalf_of
            .as_ref()
            .map(|e| joined(e, &part("on_behalf_of")))
            .transpose()?;
        let who = std::iter::once((person, &d.by, "by")).chain(
            on_behalf_of
                .zip(d.on_behalf_of.as_ref())
                .map(|(p, e)| (p, e, "on_behalf_of")),
        );
        for (id, email, field) in who {
            // Deciding for the creator is deciding their own order too.
            if order.creator_id == Some(id) {
                return Err(Error::conflict(format!(
                    "`{email}` placed order `{named}`; nobody decides their own order"
                ))
                .within(&part(field)));
            }
            if !deciders.insert(id) {
                return Err(Error::conflict(format!(
                    "order `{named}` lists two decisions by `{}` (or on their behalf); each decides once",
                    d.by
                ))
                .within(&part(field)));
            }
        }
        tx.insert_decision(
            order.id,
            &OrderDecision {
                person_id: person,
                on_behalf_of,
                approved: d.approved,
                reason: (!d.approved)
                    .then(|| decided.rejected_reason.clone())
                    .flatten(),
                at: d.at,
            },
        )?;
        // A policy named twice counts the approval once.
        let mut counted = BTreeSet::new();
        for (m, name) in d.policies.iter().enumerate() {
            // Released since or not: an approval counts toward a policy
            // that held the order when it was given.
            let Some(policy) = matched
                .iter()
                .find(|p| crate::model::same_name(&p.name, name))
            else {
                return Err(Error::conflict(format!(
                    "an approval of order `{named}` counted toward policy `{name}`, which does not hold it here"
                ))
                .help("the file's policies must match the order as they did when it was decided")
                .within(&part(&format!("policies[{m}]"))));
            };
            if counted.insert(policy.policy_id) {
                tx.count_approval(order.id, person, policy.policy_id)?;
            }
        }
    }
    order.status = decided.status;
    order.rejected_reason = decided.rejected_reason.clone();
    order.cancelled_by = decided.cancelled_by.clone();
    order.cancelled_reason = decided.cancelled_reason.clone();
    order.decided_at = decided.decided_at;
    tx.update_order(order)?;
    if order.status == OrderStatus::Pending {
        // Approvals that meet every policy holding it would have approved
        // it: restored pending, it would wait for nobody.
        let counts = tx.approval_counts(order.id)?;
        let waiting = matched.iter().filter(|m| m.released_at.is_none());
        let met = |m: &MatchedPolicy| {
            let who: BTreeSet<i64> = counts
                .iter()
                .filter(|(p, _)| *p == m.policy_id)
                .map(|(_, w)| *w)
                .collect();
            who.len() as i64 >= m.required_approvals
        };
        if waiting.clone().all(met) {
            return Err(Error::conflict(format!(
                "order `{named}` is pending, but its approvals meet every policy that holds it"
            ))
            .help("an order whose policies all have their approvals is approved: say `\"status\": \"approved\"` with its `decided_at`")
            .within(".status"));
        }
    }
    // Holds the file names are restored as it names them.
    if order.status == OrderStatus::Approved && decided.held_by.is_none() {
        let counts = tx.approval_counts(order.id)?;
        for m in matched.iter_mut().filter(|m| m.released_at.is_none()) {
            let approvals = counts.iter().filter(|(p, _)| *p == m.policy_id).count();
            if (approvals as i64) < m.required_approvals {
                m.released_at = order.decided_at;
                tx.update_matched_policy(order.id, m)?;
            }
        }
    }
    Ok(())
}
