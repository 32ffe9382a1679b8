//! A person's membership and what commands about members answer: an
//! invitation, a merge, a `can` check.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{lines, list_or_dash, opt, opt_time, yes_no};
use crate::model::{MemberStanding, Timestamp};
use crate::output::{Fields, Row};

/// One membership: a person's place in one account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MemberView {
    /// Normalised email.
    pub email: String,
    /// Display name; `None` until someone invited by email alone gives it.
    pub name: Option<String>,
    /// Account name.
    pub account: String,
    /// Role name.
    pub role: String,
    /// Where the membership stands (`revoked` for an invitation withdrawn
    /// before it was accepted).
    pub status: MemberStanding,
    /// Grants on top of the role (capabilities or areas).
    pub grants: Vec<String>,
    /// Owner of the account.
    pub owner: bool,
    /// When the first invitation was issued.
    pub invited_at: Option<Timestamp>,
    /// When the invitation was accepted.
    pub accepted_at: Option<Timestamp>,
    /// City.
    pub city: Option<String>,
    /// ISO 3166 alpha-2 country.
    pub country: Option<String>,
    /// IANA timezone.
    pub timezone: Option<String>,
    /// The partner account an external admin comes from.
    pub external_from: Option<String>,
    /// When the role lapses by itself, back to `role_after`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_until: Option<Timestamp>,
    /// The role held again at `role_until`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_after: Option<String>,
    /// When each time-bound grant lapses, by grant name.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub grants_until: BTreeMap<String, Timestamp>,
    /// When external access ends by itself.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub external_until: Option<Timestamp>,
    /// The first moment some of this access lapses (`user show`, `user
    /// list`): the earliest of the times above.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub access_ends: Option<Timestamp>,
    /// The moment this view is of (`user show --at`); now when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub as_of: Option<Timestamp>,
    /// When the pending invitation expires (`user show` of someone
    /// invited), passed or not: an invitation that expired still shows
    /// `invited` until it is resent or revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_expires_at: Option<Timestamp>,
    /// Whether that moment has passed, where it is shown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invitation_expired: Option<bool>,
    /// Flagged as a duplicate of this email.
    pub duplicate_of: Option<String>,
    /// Merged into this email (`user merge`): the person kept, whom a
    /// merge also flags this one a duplicate of. Always written (`null`
    /// when none, or where the merge is not the reader's to know), as
    /// `duplicate_of` is, so a script may rely on the key.
    pub merged_into: Option<String>,
    /// Services assigned to the member, as far as the actor may see them
    /// (`user show`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
    /// Effective capabilities, where the command computes them (`user show`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capabilities: Option<Vec<String>>,
    /// Each grant with the capabilities it gives, where the command
    /// computes them (`user show`): which area granted what.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grant_details: Option<Vec<GrantView>>,
    /// The courses the member is enrolled in now, when the catalog has
    /// courses (the `moodle` preset).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub courses: Option<Vec<String>>,
    /// External admin memberships that ended with this change, because the
    /// person was deactivated in, or left, the partner they came from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_ended: Vec<ExternalEndedView>,
    /// The services this change took off the member (`deactivate` or
    /// `left-company` with `--reassign-to` or `--unassign`; empty when
    /// none was assigned to them), shown to whoever sees every service of
    /// the account. Absent without either flag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services_handed_over: Option<Vec<String>>,
    /// Whom those services went to; none when they were unassigned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services_reassigned_to: Option<String>,
    /// The name the invitation gave (`null`: none), in the audit log's
    /// record of a member not yet accepted whose own name differs: the log
    /// keeps both, and shows each reader the one they may read. Never in
    /// what a command prints.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_name: Option<Option<String>>,
    /// Both names of a member not yet accepted, where they differ; `name`
    /// is the one the actor may read. Never printed: the log records both.
    #[serde(skip)]
    pub invited_as: Option<InvitedAs>,
    /// The address the invitation went to, where it bound to this
    /// person's login through an address merged into them, until they
    /// accept: shown beside their own to whoever may read it (the
    /// operator); everyone else reads it as `email`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invited_email: Option<String>,
}

/// The two names of someone invited who has not accepted yet.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InvitedAs {
    /// The person's own name, as they gave it (`None`: none yet).
    pub own: Option<String>,
    /// The name the account's invitation gave (`None`: none).
    pub invited: Option<String>,
}

impl Row for MemberView {
    fn headers() -> &'static [&'static str] {
        &["EMAIL", "NAME", "ACCOUNT", "ROLE", "STATUS", "GRANTS"]
    }
    fn cells(&self) -> Vec<String> {
        // A catalog whose owner holds a role named `owner` (customer-area)
        // says so once.
        let role = if self.owner && self.role != "owner" {
            format!("{} (owner)", self.role)
        } else {
            self.role.clone()
        };
        vec![
            self.email.clone(),
            self.name.clone().unwrap_or_else(|| "-".into()),
            self.account.clone(),
            role,
            // 000: "Duplicate will inform our support team": until they
            // merge it, the list shows who was flagged, then whom support
            // merged them into.
            match (&self.merged_into, &self.duplicate_of) {
                (Some(into), _) => format!("{}, merged into {into}", self.status_cell()),
                (None, Some(of)) => format!("{}, duplicate of {of}", self.status_cell()),
                (None, None) => self.status_cell(),
            },
            list_or_dash(&self.grants),
        ]
    }
}

impl Fields for MemberView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![];
        if let Some(at) = self.as_of {
            fields.push(("as of", at.to_string()));
        }
        fields.extend([
            ("email", self.email.clone()),
            ("name", opt(&self.name)),
            ("account", self.account.clone()),
            ("role", self.role.clone()),
            ("owner", yes_no(self.owner)),
            ("status", self.status.to_string()),
        ]);
        fields.extend(self.grant_lines());
        if let Some(expires) = self.invitation_expires_at {
            let note = if self.invitation_expired == Some(true) {
                " (expired: resend it)"
            } else {
                ""
            };
            fields.push(("invitation expires", format!("{expires}{note}")));
        }
        if let Some(typed) = &self.invited_email {
            fields.push(("invited as", typed.clone()));
        }
        fields.extend([
            ("invited at", opt_time(self.invited_at)),
            ("accepted at", opt_time(self.accepted_at)),
            ("city", opt(&self.city)),
            ("country", opt(&self.country)),
            ("timezone", opt(&self.timezone)),
        ]);
        if let Some(from) = &self.external_from {
            fields.push(("external from", from.clone()));
        }
        if let Some(until) = self.external_until {
            fields.push(("external until", until.to_string()));
        }
        if let (Some(until), Some(after)) = (self.role_until, &self.role_after) {
            fields.push(("role until", format!("{until}, then `{after}`")));
        }
        for (grant, until) in &self.grants_until {
            fields.push(("grant until", format!("{grant}: {until}")));
        }
        if let Some(ends) = self.access_ends {
            // The earliest of the lapses above, which may give access back
            // (a time-bound `no-access`) as well as end it.
            fields.push(("first lapse", ends.to_string()));
        }
        match (&self.merged_into, &self.duplicate_of) {
            (Some(into), _) => fields.push(("merged into", into.clone())),
            (None, Some(of)) => fields.push(("duplicate of", of.clone())),
            (None, None) => {}
        }
        if let Some(services) = &self.services {
            fields.push(("services", list_or_dash(services)));
        }
        if let Some(caps) = &self.capabilities {
            fields.push(("capabilities", list_or_dash(caps)));
        }
        if let Some(courses) = &self.courses {
            fields.extend(lines("courses", courses.clone()));
        }
        match self.services_handed_over.as_deref() {
            None => {}
            Some([]) => fields.push((
                "services moved",
                "none; nothing was assigned to them".to_string(),
            )),
            Some(moved) => {
                let to = match &self.services_reassigned_to {
                    Some(to) => format!("reassigned to {to}"),
                    None => "unassigned".to_string(),
                };
                fields.push(("services moved", format!("{} ({to})", moved.join(", "))));
            }
        }
        for ended in &self.external_ended {
            let mut note = String::new();
            if ended.left_without_admin {
                note.push_str(" (it has no active admin now)");
            }
            if ended.services_unassigned > 0 {
                note.push_str(&format!(
                    " ({} of its services unassigned)",
                    ended.services_unassigned
                ));
            }
            fields.push((
                "external access ended",
                format!("{} as {}{note}", ended.customer, ended.role),
            ));
        }
        fields
    }
}

impl MemberView {
    /// The status as a list shows it: an invitation that expired is told
    /// apart from one still waiting (`invited (expired)`), so that an
    /// admin sees whom to resend it to.
    fn status_cell(&self) -> String {
        if self.invitation_expired == Some(true) {
            format!("{} (expired)", self.status)
        } else {
            self.status.to_string()
        }
    }

    /// One grant per line with what it gives (`billing: billing.view,
    /// billing.payment`) where the details are known, else the names.
    fn grant_lines(&self) -> Vec<(&'static str, String)> {
        match &self.grant_details {
            Some(details) if !details.is_empty() => lines(
                "grants",
                details
                    .iter()
                    .map(|g| {
                        let until = g
                            .expires_at
                            .map(|t| format!(" (until {t})"))
                            .unwrap_or_default();
                        if g.area {
                            format!("area {}: {}{until}", g.name, g.capabilities.join(", "))
                        } else {
                            format!("{}{until}", g.name)
                        }
                    })
                    .collect(),
            ),
            _ => vec![("grants", list_or_dash(&self.grants))],
        }
    }
}

/// An external admin membership on a customer account that ended because
/// its person stopped being an active member of the partner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ExternalEndedView {
    /// The customer account.
    pub customer: String,
    /// The role they held there.
    pub role: String,
    /// True when the customer has no active member holding `users.manage`
    /// any more: the partner's `external_admins.manage` holders must add one.
    pub left_without_admin: bool,
    /// How many of the customer's services were assigned to them, and so
    /// unassigned with their access: a count, not names, since whoever
    /// cut them off in the partner may not see the customer's services.
    /// Left out when none, as before there was any.
    #[serde(skip_serializing_if = "is_zero")]
    pub services_unassigned: usize,
}

/// One grant of a membership and what it gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct GrantView {
    /// The grant as given: an area name or a capability.
    pub name: String,
    /// True for an area (a named bundle of capabilities).
    pub area: bool,
    /// The capabilities it gives.
    pub capabilities: Vec<String>,
    /// When it lapses by itself, if ever.
    pub expires_at: Option<Timestamp>,
}

/// A new invitation: the member plus the token, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct InvitedView {
    /// The invited membership.
    #[serde(flatten)]
    pub member: MemberView,
    /// The acceptance token; never stored, never shown again.
    pub token: String,
    /// When the token stops working.
    pub expires_at: Timestamp,
    /// Whether an invitation email was queued in the outbox.
    pub email_queued: bool,
    /// The person already had a login (in another account): it was reused,
    /// and the invitation only adds this membership.
    pub existing_login: bool,
    /// Said when the city's name was ambiguous (see `timezones`); printed
    /// as a warning, not part of the document.
    #[serde(skip)]
    pub timezone_warning: Option<String>,
}

impl Fields for InvitedView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = self.member.fields();
        fields.push(("token", format!("{} (shown only this once)", self.token)));
        fields.push(("expires at", self.expires_at.to_string()));
        fields.push((
            "invitation email",
            if self.email_queued {
                "queued in the outbox".into()
            } else {
                "not sent (--no-send)".into()
            },
        ));
        if self.existing_login {
            fields.push((
                "login",
                "existing login reused; no new identity or password".into(),
            ));
        }
        fields
    }
}

/// The outcome of `user merge`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MergeView {
    /// The retired duplicate.
    pub merged: String,
    /// The kept person.
    pub into: String,
    /// Accounts whose membership moved to the kept person.
    pub moved: Vec<String>,
    /// Accounts where both were members: the duplicate's membership ended.
    pub ended: Vec<String>,
    /// Accounts the duplicate owned, whose owner the kept person now is.
    pub owner_of: Vec<String>,
    /// Policies that named the duplicate as an approver and now name the
    /// kept person instead.
    pub policies: Vec<PolicyPassedOn>,
    /// Pending orders held by a policy that named the duplicate, now
    /// decidable by the kept person in their place.
    pub orders: Vec<OrderPassedOn>,
    /// Delegations of deciding orders that named the duplicate, as they
    /// were, and what became of each.
    pub delegations: Vec<DelegationPassedOn>,
    /// Services the duplicate held, and whom each went to. Every list is
    /// printed, `[]` when empty, so that scripts read each alike
    /// (findings B8).
    pub services: Vec<ServicePassedOn>,
}

/// A service a merge took from the duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ServicePassedOn {
    /// The service's account.
    pub account: String,
    /// The service's name.
    pub service: String,
    /// Who holds it now: the kept person, or nobody where they may not
    /// hold services there (left, deactivated or blocked).
    pub to: Option<String>,
}

/// A policy whose named approver a merge passed on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct PolicyPassedOn {
    /// The policy's account.
    pub account: String,
    /// The policy's name.
    pub policy: String,
}

/// A pending order a merge made decidable by the kept person: its account
/// and its number there, since each account numbers its own orders.
/// (Merges recorded before per-account numbers wrote the bare number.)
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct OrderPassedOn {
    /// The order's account.
    pub account: String,
    /// The order's number in its account.
    pub order: i64,
}

/// A delegation that named a merged duplicate, as it was before the merge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct DelegationPassedOn {
    /// The delegation's account.
    pub account: String,
    /// Whose deciding it lent.
    pub delegator: String,
    /// Who could decide for them.
    pub delegate: String,
    /// `moved`: it holds for the kept person now (for the part of its
    /// period the kept person did not hold already); `ended`: it would
    /// have had the kept person delegate to themselves.
    pub outcome: &'static str,
}

impl Fields for MergeView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("merged", self.merged.clone()),
            ("into", self.into.clone()),
            ("moved", list_or_dash(&self.moved)),
            ("ended", list_or_dash(&self.ended)),
        ];
        if !self.owner_of.is_empty() {
            fields.push(("owner of", self.owner_of.join(", ")));
        }
        // Only a merge that passed something on says so: most pass nothing.
        if !self.policies.is_empty() {
            let named: Vec<String> = self
                .policies
                .iter()
                .map(|p| format!("{} ({})", p.policy, p.account))
                .collect();
            fields.push(("approver of", named.join(", ")));
        }
        if !self.orders.is_empty() {
            let named: Vec<String> = self
                .orders
                .iter()
                .map(|o| format!("{} ({})", o.order, o.account))
                .collect();
            fields.push(("orders to decide", named.join(", ")));
        }
        if !self.delegations.is_empty() {
            let each: Vec<String> = self
                .delegations
                .iter()
                .map(|d| {
                    format!(
                        "{} to {} ({}): {}",
                        d.delegator, d.delegate, d.account, d.outcome
                    )
                })
                .collect();
            fields.push(("delegations", each.join(", ")));
        }
        if !self.services.is_empty() {
            let each: Vec<String> = self
                .services
                .iter()
                .map(|s| match &s.to {
                    Some(to) => format!("{} ({}) to {to}", s.service, s.account),
                    None => format!("{} ({}) unassigned", s.service, s.account),
                })
                .collect();
            fields.push(("services", each.join(", ")));
        }
        fields
    }
}

/// The answer of `can`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct CanView {
    /// Whose capability.
    pub email: String,
    /// In which account.
    pub account: String,
    /// Which capability.
    pub capability: String,
    /// Yes or no.
    pub allowed: bool,
    /// Why: owner, role, grant, blocked or inactive.
    pub reason: String,
    /// When time-bound access lapses so that the capability is no longer
    /// held (as recorded at `at` for a point-in-time answer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
    /// The moment the answer is for (`can --at`); now when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<Timestamp>,
    /// Asked of `orders.approve` and answered no: the enabled policies
    /// that name the member as an approver, whose orders they decide all
    /// the same; shown only to who may see the account's policies.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub approver_of: Vec<String>,
}

impl Fields for CanView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut fields = vec![
            ("allowed", yes_no(self.allowed)),
            ("email", self.email.clone()),
            ("account", self.account.clone()),
            ("capability", self.capability.clone()),
            ("reason", self.reason.clone()),
        ];
        if let Some(until) = self.until {
            fields.push(("until", until.to_string()));
        }
        if let Some(at) = self.at {
            fields.push(("as of", at.to_string()));
        }
        if !self.approver_of.is_empty() {
            let names: Vec<String> = self.approver_of.iter().map(|p| format!("`{p}`")).collect();
            fields.push((
                "but",
                format!(
                    "decides the orders of {} {} as a named approver",
                    if names.len() == 1 {
                        "policy"
                    } else {
                        "policies"
                    },
                    names.join(", ")
                ),
            ));
        }
        fields
    }
}

/// One event of a member's timeline (`user history`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct HistoryView {
    /// Position in the audit log, for the operator alone (see
    /// [`AuditLogView`](super::AuditLogView)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seq: Option<i64>,
    /// When.
    pub at: Timestamp,
    /// Who did it: a member's email or `operator:<os user>`.
    pub actor: String,
    /// The command, such as `user.set_role`.
    pub action: String,
    /// In which account.
    pub account: Option<String>,
    /// What changed, one `field: before -> after` each.
    pub changes: Vec<String>,
    /// The address the event was recorded under, where it is not the
    /// member's now: one they had before (`user edit --new-email`), or
    /// that of a duplicate merged into them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recorded_as: Option<String>,
    /// The commands that made the change, in order, when it took several
    /// (an `apply` that changed the member's role and grants: `user.update`
    /// by `user.set_role` and `user.grant`); none for one command.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub steps: Vec<String>,
}

impl Row for HistoryView {
    fn headers() -> &'static [&'static str] {
        &["AT", "ACTOR", "ACTION", "ACCOUNT", "CHANGES"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.at.to_string(),
            self.actor.clone(),
            if self.steps.is_empty() {
                self.action.clone()
            } else {
                format!("{} ({})", self.action, self.steps.join(", "))
            },
            opt(&self.account),
            {
                let changes = if self.changes.is_empty() {
                    "-".to_string()
                } else {
                    self.changes.join("; ")
                };
                match &self.recorded_as {
                    Some(address) => format!("(as {address}) {changes}"),
                    None => changes,
                }
            },
        ]
    }
}

/// Whether a count is zero, for a field left out when nothing was counted.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_zero(n: &usize) -> bool {
    *n == 0
}
