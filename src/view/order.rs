//! Orders and what they are placed against: approval policies, services
//! and cost centres.

use serde::Serialize;

use super::{capped, list_or_dash, one_line, opt, opt_time, yes_no, POLICIES_NAMED};
use crate::model::{Money, OrderStatus, Paste, ShippingAddress, Timestamp};
use crate::output::{Fields, Row};

/// What eases each policy that leaves an order stuck, a few of them and
/// "and N others": a lead the eases share ("name an approver who may
/// decide it: `...`") is said once, for all of them (findings A10).
pub(crate) fn eases_in_words(eases: &[String]) -> String {
    const LEAD: &str = ": `";
    let lead = eases
        .first()
        .and_then(|e| e.split_once(LEAD))
        .map(|(l, _)| l);
    let shared = lead.filter(|l| {
        eases.len() > 1
            && eases
                .iter()
                .all(|e| e.split_once(LEAD).is_some_and(|(x, _)| x == *l))
    });
    match shared {
        Some(lead) => {
            let commands: Vec<String> = eases
                .iter()
                .map(|e| e[lead.len() + 2..].to_string())
                .collect();
            let lead = lead
                .strip_suffix(" it")
                .map_or(lead.to_string(), |l| format!("{l} each"));
            format!("{lead}: {}", capped(&commands, POLICIES_NAMED))
        }
        None => capped(eases, POLICIES_NAMED),
    }
}

/// An order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct OrderView {
    /// Id.
    pub id: i64,
    /// Owning account.
    pub account: String,
    /// External reference.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// Who placed it: an email or `operator:<user>`.
    pub created_by: String,
    /// What is ordered.
    pub description: String,
    /// Order type.
    #[serde(rename = "type")]
    pub order_type: Option<String>,
    /// Amount, a decimal string such as "120.00".
    pub amount: Money,
    /// ISO 4217 code.
    pub currency: String,
    /// Cost centre code.
    pub cost_centre: Option<String>,
    /// The shipping address as it was when ordered.
    pub ship_to: Option<ShippingAddress>,
    /// pending, approved, rejected or cancelled.
    pub status: OrderStatus,
    /// Emails of those who approved.
    pub approvals: Vec<String>,
    /// Who rejected it.
    pub rejected_by: Option<String>,
    /// Every decision, oldest first: who decided and, for a delegate, on
    /// whose behalf; `[]` for none yet.
    pub decisions: Vec<DecisionView>,
    /// Why it was rejected; the creator can read it.
    pub rejected_reason: Option<String>,
    /// Who cancelled it.
    pub cancelled_by: Option<String>,
    /// Why it was cancelled, if they said.
    pub cancelled_reason: Option<String>,
    /// The policies it matched when placed. A reader who may not see the
    /// account's approval policies (a creator whose role no longer reads
    /// them) gets each one's progress with an empty `name`.
    pub policies: Vec<PolicyProgress>,
    /// The reader may not see the account's approval policies nor who
    /// decides them: `order show` gives only counts and whom to ask.
    #[serde(skip)]
    pub policies_hidden: bool,
    /// `order show` (and the answer of `order place`/`approve`): whether
    /// nobody may ever decide it, a policy that holds it pending being
    /// unable to get the approvals it still needs (see `policies`); its
    /// creator or an approver cancels it, or a policy edit eases it. False
    /// for a decided order. `order list` gives it too, worked out a page
    /// at a time (its STATUS reads `pending (stuck)`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stuck: Option<bool>,
    /// `order show` of a pending order: who may decide it right now, a
    /// delegate among them (see `delegates`), at most a few (see
    /// `more_deciders`); empty when nobody can, as for one that cannot get
    /// the approvals it needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deciders: Option<Vec<String>>,
    /// `order show` of a pending order: whether more people than
    /// `deciders` lists may decide it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub more_deciders: Option<bool>,
    /// `order show` of a pending order: those of `deciders` who may
    /// decide it only for someone else, through a delegation that holds,
    /// and for whom (`[]` for nobody), as `deciders` is there; absent
    /// elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegates: Option<Vec<DeciderView>>,
    /// `order show` of a decided order: who could decide it when it was
    /// decided (at most a few, see `could_decide_more`), as recorded with
    /// the deciding decision; absent when nothing was recorded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub could_decide: Option<Vec<DeciderView>>,
    /// Whether more people than `could_decide` lists could decide it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub could_decide_more: Option<bool>,
    /// Placed.
    pub created_at: Timestamp,
    /// Approved or rejected.
    pub decided_at: Option<Timestamp>,
}

impl Row for OrderView {
    fn headers() -> &'static [&'static str] {
        // Always the account, as `user list` has it (after the person, as
        // there): a list without --account spans every account the actor
        // reads orders in.
        &[
            "ID", "REF", "CREATED BY", "ACCOUNT", "DESCRIPTION", "AMOUNT", "STATUS", "APPROVALS",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            // Empty rather than `-`, which could itself be a reference.
            self.reference.clone().unwrap_or_default(),
            self.created_by.clone(),
            self.account.clone(),
            self.description.clone(),
            format!("{} {}", self.amount, self.currency),
            // A stuck order waits for nothing: it says so where it waits.
            if self.stuck == Some(true) {
                format!("{} (stuck)", self.status)
            } else {
                self.status.to_string()
            },
            list_or_dash(&self.approvals),
        ]
    }
}

impl Fields for OrderView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("id", self.id.to_string()),
            ("account", self.account.clone()),
            ("ref", opt(&self.reference)),
            ("created by", self.created_by.clone()),
            ("description", self.description.clone()),
            ("type", opt(&self.order_type)),
            ("amount", format!("{} {}", self.amount, self.currency)),
            ("cost centre", opt(&self.cost_centre)),
            (
                "ship to",
                self.ship_to.as_ref().map_or_else(|| "-".into(), one_line),
            ),
            ("status", self.status.to_string()),
            ("approvals", list_or_dash(&self.approvals_in_words())),
        ];
        for p in &self.policies {
            fields.push(("policy", progress(p)));
        }
        if let Some(deciders) = &self.deciders {
            fields.push(("can decide", self.who_decides(deciders)));
        } else if self.policies_hidden && self.status == OrderStatus::Pending {
            fields.push(("can decide", self.whom_to_ask()));
        }
        if let Some(could) = &self.could_decide {
            let mut list =
                list_or_dash(&could.iter().map(DeciderView::in_words).collect::<Vec<_>>());
            if self.could_decide_more == Some(true) {
                list.push_str(" and others");
            }
            fields.push(("could decide", list));
        }
        if let Some(by) = &self.rejected_by {
            let on_behalf = self
                .decisions
                .iter()
                .find(|d| !d.approved)
                .map(DecisionView::in_words);
            fields.push(("rejected by", on_behalf.unwrap_or_else(|| by.clone())));
            fields.push(("reason", opt(&self.rejected_reason)));
        }
        if let Some(by) = &self.cancelled_by {
            fields.push(("cancelled by", by.clone()));
            fields.push(("reason", opt(&self.cancelled_reason)));
        }
        fields.push(("placed at", self.created_at.to_string()));
        fields.push(("decided at", opt_time(self.decided_at)));
        fields
    }
}

impl OrderView {
    /// The approvals, each "by" and, for a delegate, on whose behalf.
    fn approvals_in_words(&self) -> Vec<String> {
        if self.decisions.is_empty() {
            return self.approvals.clone();
        }
        self.decisions
            .iter()
            .filter(|d| d.approved)
            .map(DecisionView::in_words)
            .collect()
    }

    /// What `order show` says of a pending order nobody can decide, and
    /// `order place` warns of: the commands that move it on, each to be
    /// pasted as it is (the domain's easing of each policy that leaves it
    /// stuck, where it worked that out).
    pub(crate) fn nobody_decides(&self) -> String {
        let eases: Vec<String> = self
            .policies
            .iter()
            .filter(|p| !p.satisfied && !p.released)
            // The policies that leave it stuck, where it is known.
            .filter(|p| p.stuck.is_none() || p.stuck == Some(true))
            .map(|p| match &p.ease {
                Some(ease) => ease.clone(),
                None => format!(
                    "`{}`",
                    Paste::new("policy edit")
                        .arg(&p.name)
                        .opt("--account", &self.account)
                ),
            })
            .collect();
        format!(
            "nobody: cancel it (`{}`), or ease its {} ({})",
            Paste::new("order cancel")
                .arg(self.id)
                .opt("--account", &self.account),
            if eases.len() == 1 {
                "policy"
            } else {
                "policies"
            },
            eases_in_words(&eases)
        )
    }

    /// Hides what a reader who may not see the account's approval
    /// policies must not read of them: their names, who may decide the
    /// order (people the reader may not otherwise see) and the policy
    /// edits that would ease it. The counts stay.
    pub(crate) fn hide_policies(&mut self) {
        self.policies_hidden = true;
        for p in &mut self.policies {
            p.name.clear();
            p.ease = None;
        }
        self.deciders = None;
        self.more_deciders = None;
        self.delegates = None;
        self.could_decide = None;
        self.could_decide_more = None;
    }

    /// What a reader who may not see who decides a pending order is told
    /// instead: whom to ask, and, when nobody can decide it, that they may
    /// cancel it.
    fn whom_to_ask(&self) -> String {
        if self.stuck == Some(true) {
            format!(
                "nobody now: ask an admin of `{}` to ease its approval policy, or cancel it (`{}`)",
                self.account,
                Paste::new("order cancel")
                    .arg(self.id)
                    .opt("--account", &self.account)
            )
        } else {
            format!("an approver of `{}`", self.account)
        }
    }

    /// Who may decide it, in words, a delegate as deciding on behalf of
    /// their delegator; when nobody can, what to do instead.
    fn who_decides(&self, deciders: &[String]) -> String {
        if deciders.is_empty() {
            return self.nobody_decides();
        }
        let delegates = self.delegates.as_deref().unwrap_or_default();
        let list = deciders
            .iter()
            .map(|e| match delegates.iter().find(|d| &d.email == e) {
                Some(d) => d.in_words(),
                None => e.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ");
        if self.more_deciders == Some(true) {
            format!("{list} and others")
        } else {
            list
        }
    }
}

/// One policy's line in `order show`: never more approvals "of" fewer
/// required, since a policy eased after approvals were given may hold
/// more than it now needs.
fn progress(p: &PolicyProgress) -> String {
    if p.name.is_empty() {
        // Hidden from this reader (see `OrderView::hide_policies`).
        let named = PolicyProgress {
            name: "an approval policy".into(),
            ..p.clone()
        };
        return progress(&named);
    }
    if p.released {
        format!("{}: released (no longer needs approval)", p.name)
    } else if p.satisfied {
        format!(
            "{}: satisfied ({} of {} approvals)",
            p.name,
            p.approvals.min(p.required_approvals),
            p.required_approvals
        )
    } else if p.stuck == Some(true) {
        format!(
            "{}: {} of {} approvals; too few are left who may give them",
            p.name, p.approvals, p.required_approvals
        )
    } else {
        format!(
            "{}: {} of {} approvals",
            p.name, p.approvals, p.required_approvals
        )
    }
}

/// One decision on an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DecisionView {
    /// Who decided.
    pub by: String,
    /// The delegator they decided for, if they decided as a delegate: the
    /// decision counts as the delegator's.
    pub on_behalf_of: Option<String>,
    /// Approved (true) or rejected (false).
    pub approved: bool,
    /// When.
    pub at: Timestamp,
}

impl DecisionView {
    /// "e@x on behalf of d@x", or just the email.
    fn in_words(&self) -> String {
        match &self.on_behalf_of {
            Some(d) => format!("{} on behalf of {d}", self.by),
            None => self.by.clone(),
        }
    }
}

/// Someone who could decide an order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DeciderView {
    /// Their email.
    pub email: String,
    /// The delegator they could decide it for, if they could only as a
    /// delegate.
    pub on_behalf_of: Option<String>,
}

impl DeciderView {
    fn in_words(&self) -> String {
        match &self.on_behalf_of {
            Some(d) => format!("{} on behalf of {d}", self.email),
            None => self.email.clone(),
        }
    }
}

/// How far an order is through one policy it matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PolicyProgress {
    /// The policy's name, as it holds the order.
    pub name: String,
    /// Approvals it needs.
    pub required_approvals: i64,
    /// Approvals counted toward it so far.
    pub approvals: i64,
    /// It has all the approvals it needs.
    pub satisfied: bool,
    /// It no longer holds the order: disabled, or edited so that it no
    /// longer matches.
    pub released: bool,
    /// `order show` of a pending order: it cannot get the approvals it
    /// still needs, fewer people being left who may give them (so nobody
    /// decides the order); absent elsewhere.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stuck: Option<bool>,
    /// Where it is stuck: the edit of it that lets the order through.
    #[serde(skip)]
    pub ease: Option<String>,
}

/// An approval policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PolicyView {
    /// Name, unique within the account.
    pub name: String,
    /// Owning account.
    pub account: String,
    /// Orders above this amount match.
    pub threshold: Money,
    /// The account's currency.
    pub currency: String,
    /// Only orders of this type match, if set.
    pub order_type: Option<String>,
    /// Named approvers (any active member with portal access); empty
    /// means every active holder of `orders.approve`.
    pub approvers: Vec<String>,
    /// Distinct approvals needed.
    pub required_approvals: i64,
    /// Disabled policies match no new order.
    pub enabled: bool,
    /// `policy list` and `show` of a policy naming approvers: those of
    /// them who may decide its orders now, as `order show` names its
    /// `deciders`. Absent for a policy naming nobody (the account's
    /// approvers decide), in the log, which records the policy, not its
    /// approvers' standing, and to an actor who may not list the
    /// account's users (`users.view`), since it tells their status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deciders: Option<Vec<String>>,
    /// `policy list` and `show`: the named approvers who can no longer
    /// decide its orders, and why (`[]` for none); absent where
    /// `deciders` is.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cannot_decide: Option<Vec<IdleApprover>>,
}

/// A named approver who can no longer decide a policy's orders.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct IdleApprover {
    /// Their email.
    pub email: String,
    /// Why: their status in the account (`deactivated`, `left`), `no
    /// access` for an active member whose role gives no portal access, or
    /// `not a member`.
    pub status: String,
}

impl Row for PolicyView {
    fn headers() -> &'static [&'static str] {
        &[
            "POLICY", "ACCOUNT", "OVER", "TYPE", "APPROVERS", "NEEDS", "ENABLED",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.name.clone(),
            self.account.clone(),
            format!("{} {}", self.threshold, self.currency),
            opt(&self.order_type),
            approvers(self),
            self.required_approvals.to_string(),
            yes_no(self.enabled),
        ]
    }
}

impl Fields for PolicyView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("account", self.account.clone()),
            ("threshold", format!("{} {}", self.threshold, self.currency)),
            ("order type", opt(&self.order_type)),
            ("approvers", approvers(self)),
            ("required approvals", self.required_approvals.to_string()),
            ("enabled", yes_no(self.enabled)),
        ]
    }
}

/// A policy after a change, and the pending orders the change approved:
/// a change that releases orders decides them, so it says which.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PolicyChange {
    /// The policy as it is now.
    #[serde(flatten)]
    pub policy: PolicyView,
    /// Orders it held that the change approved (`order.release`), by
    /// number; empty when it approved none.
    pub released: Vec<i64>,
}

impl Fields for PolicyChange {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = self.policy.fields();
        if !self.released.is_empty() {
            fields.push((
                "released",
                format!(
                    "{}, approved: it no longer holds them",
                    released_orders(&self.released)
                ),
            ));
        }
        fields
    }
}

/// "order 3" or "orders 1, 3": the pending orders a policy change
/// releases (approves), as `policy disable|edit` and `apply` name them.
pub(crate) fn released_orders(released: &[i64]) -> String {
    let numbers: Vec<String> = released.iter().map(i64::to_string).collect();
    let orders = if numbers.len() == 1 {
        "order"
    } else {
        "orders"
    };
    format!("{orders} {}", numbers.join(", "))
}

/// The approvers, each who can no longer decide marked with why
/// (`fin@acme.test (deactivated)`): the policy may be short of them.
fn approvers(p: &PolicyView) -> String {
    if p.approvers.is_empty() {
        return "every holder of orders.approve".into();
    }
    let idle = p.cannot_decide.as_deref().unwrap_or_default();
    p.approvers
        .iter()
        .map(|email| match idle.iter().find(|i| &i.email == email) {
            Some(i) => format!("{email} ({})", i.status),
            None => email.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A service of an account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ServiceView {
    /// Id, usable instead of the name.
    pub id: i64,
    /// Name, unique within the account.
    pub name: String,
    /// Free-text kind.
    pub kind: Option<String>,
    /// Owning account.
    pub account: String,
    /// Email of the assigned contact.
    pub assigned_to: Option<String>,
    /// When the assignment ends by itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assigned_until: Option<Timestamp>,
}

impl Row for ServiceView {
    fn headers() -> &'static [&'static str] {
        &["ID", "SERVICE", "ACCOUNT", "KIND", "ASSIGNED TO"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            self.name.clone(),
            self.account.clone(),
            opt(&self.kind),
            match (&self.assigned_to, self.assigned_until) {
                (Some(to), Some(until)) => format!("{to} until {until}"),
                _ => opt(&self.assigned_to),
            },
        ]
    }
}

impl Fields for ServiceView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("id", self.id.to_string()),
            ("name", self.name.clone()),
            ("kind", opt(&self.kind)),
            ("account", self.account.clone()),
            ("assigned to", opt(&self.assigned_to)),
        ];
        if let Some(until) = self.assigned_until {
            fields.push(("assigned until", until.to_string()));
        }
        fields
    }
}

/// A cost centre.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CostCentreView {
    /// Code, unique within the account.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Owning account.
    pub account: String,
    /// Archived cost centres take no new orders.
    pub archived: bool,
}

impl Row for CostCentreView {
    fn headers() -> &'static [&'static str] {
        &["CODE", "NAME", "ARCHIVED"]
    }
    fn cells(&self) -> Vec<String> {
        vec![self.code.clone(), self.name.clone(), yes_no(self.archived)]
    }
}

impl Fields for CostCentreView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("code", self.code.clone()),
            ("name", self.name.clone()),
            ("account", self.account.clone()),
            ("archived", yes_no(self.archived)),
        ]
    }
}
