//! Records: plain rows as the store keeps them, shared by every layer.

use serde::{Deserialize, Serialize};

use super::{
    AccountKind, Email, Iban, InvitationState, IpDirection, IpNetwork, MemberStatus, Money,
    OrderStatus, OutboxState, PaymentMethod, Smarthost, Timestamp,
};

/// The largest service number a file may restore a service under: the
/// largest integer every JSON reader keeps exactly (2^53 - 1), as for
/// order numbers. Past SQLite's own largest (2^63 - 1), `service add`
/// would take random numbers (findings A13).
pub(crate) const MAX_SERVICE_NUMBER: i64 = (1 << 53) - 1;

/// An asset of an account: a line, a licence, a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Service {
    /// Store key, which other rows refer to; never shown (see `number`).
    pub id: i64,
    /// The number commands show and take besides the name: its account's
    /// services are numbered 1, 2, 3 ... by themselves, so that it tells
    /// nothing of other accounts' services (findings D4).
    pub number: i64,
    /// Owning account.
    pub account_id: i64,
    /// Unique name within the account.
    pub name: String,
    /// Free-text kind such as `broadband`.
    pub kind: Option<String>,
    /// The membership it is assigned to.
    pub assigned_to: Option<i64>,
    /// When the assignment ends by itself (`service assign --until`).
    pub assigned_until: Option<Timestamp>,
    /// Created.
    pub created_at: Timestamp,
}

impl Service {
    /// The service as it stands at `at`: an assignment past its end is
    /// gone (see [`Membership::in_force`]).
    pub(crate) fn in_force(mut self, at: Timestamp) -> Service {
        if lapsed(self.assigned_until, at) {
            self.assigned_to = None;
            self.assigned_until = None;
        }
        self
    }
}

/// Whether something that lasts `until` has lapsed at `at`: held up to the
/// second before, gone at `until` itself and after. The one rule of
/// time-bound access; everything that ends by itself asks it.
pub(crate) fn lapsed(until: Option<Timestamp>, at: Timestamp) -> bool {
    until.is_some_and(|end| end <= at)
}

/// A cost centre orders can carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CostCentre {
    /// Store key.
    pub id: i64,
    /// Owning account.
    pub account_id: i64,
    /// Code, unique within the account, such as `FIN`.
    pub code: String,
    /// Display name.
    pub name: String,
    /// When it stopped taking new orders.
    pub archived_at: Option<Timestamp>,
    /// Created.
    pub created_at: Timestamp,
}

/// An approval policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Policy {
    /// Store key.
    pub id: i64,
    /// Owning account.
    pub account_id: i64,
    /// Unique name within the account.
    pub name: String,
    /// Orders above this amount match.
    pub threshold: Money,
    /// Only orders of this type match, if set.
    pub order_type: Option<String>,
    /// Named approvers (person ids); empty: every holder of `orders.approve`.
    pub approvers: Vec<i64>,
    /// Distinct approvals needed.
    pub required_approvals: i64,
    /// Disabled policies match no new order.
    pub enabled: bool,
    /// Created.
    pub created_at: Timestamp,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Order {
    /// Store key, which other tables refer to; never shown (see `number`).
    pub id: i64,
    /// The number commands show and take: its account's orders are
    /// numbered 1, 2, 3 ... by themselves, so that it tells nothing of
    /// other accounts' orders (findings D4).
    pub number: i64,
    /// Owning account.
    pub account_id: i64,
    /// External reference, unique within the account.
    pub reference: Option<String>,
    /// The person who placed it; `None` when the operator did.
    pub creator_id: Option<i64>,
    /// How the audit log named the placer.
    pub creator: String,
    /// What is ordered.
    pub description: String,
    /// Order type, if any.
    pub order_type: Option<String>,
    /// Amount in the account's currency.
    pub amount: Money,
    /// ISO 4217 code.
    pub currency: String,
    /// Cost centre, if any.
    pub cost_centre_id: Option<i64>,
    /// The shipping address as it was when ordered.
    pub ship_to: Option<ShippingAddress>,
    /// Where it stands.
    pub status: OrderStatus,
    /// Why it was rejected.
    pub rejected_reason: Option<String>,
    /// Who cancelled it, as the audit log names them.
    pub cancelled_by: Option<String>,
    /// Why it was cancelled, if they said.
    pub cancelled_reason: Option<String>,
    /// When it was approved, rejected or cancelled.
    pub decided_at: Option<Timestamp>,
    /// Placed.
    pub created_at: Timestamp,
}

/// A policy as it holds an order: copied when the order matched it, and
/// brought up to date by `policy edit` while the order is pending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MatchedPolicy {
    /// The policy.
    pub policy_id: i64,
    /// Its name then.
    pub name: String,
    /// Its named approvers then (person ids; empty: every holder).
    pub approvers: Vec<i64>,
    /// Approvals it needed then.
    pub required_approvals: i64,
    /// When it stopped holding the order (the policy was disabled, or
    /// edited so that it no longer matches); its approvals no longer count.
    pub released_at: Option<Timestamp>,
}

impl MatchedPolicy {
    /// `policy` as it holds an order matched now, released never.
    pub(crate) fn holding(policy: Policy) -> MatchedPolicy {
        MatchedPolicy {
            policy_id: policy.id,
            name: policy.name,
            approvers: policy.approvers,
            required_approvals: policy.required_approvals,
            released_at: None,
        }
    }
}

/// What an order's view shows beside the order itself, read for a page of
/// orders at once.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OrderDetails {
    /// Its decisions, oldest first.
    pub decisions: Vec<OrderDecision>,
    /// `(policy_id, person_id)` of each approval and the policy it counts
    /// toward.
    pub approval_counts: Vec<(i64, i64)>,
    /// The policies it matched, by name.
    pub policies: Vec<MatchedPolicy>,
}

/// One approver's decision on an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OrderDecision {
    /// Who decided.
    pub person_id: i64,
    /// The delegator a delegate decided for: the decision counts as
    /// theirs, so neither decides the order again.
    pub on_behalf_of: Option<i64>,
    /// Approved (true) or rejected (false).
    pub approved: bool,
    /// A rejection's reason.
    pub reason: Option<String>,
    /// When.
    pub at: Timestamp,
}

/// A delegation of deciding orders in one account: from `starts_at`
/// (inclusive) until `ends_at` (exclusive), the delegate may decide the
/// orders the delegator could decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Delegation {
    /// Store key.
    pub id: i64,
    /// The account it holds in.
    pub account_id: i64,
    /// Whose deciding it lends.
    pub delegator_id: i64,
    /// Who may decide for them.
    pub delegate_id: i64,
    /// From when (inclusive).
    pub starts_at: Timestamp,
    /// Until when (exclusive); moved back when ended early.
    pub ends_at: Timestamp,
    /// Who set it: an email or `operator:<user>`, for people to read.
    pub created_by: String,
    /// Who set it, as a person: `None` for the operator (no person), or
    /// one set before this was recorded whose setter is unknown. What it
    /// lends never reaches an order this person placed or decided.
    pub setter_id: Option<i64>,
    /// When it was set.
    pub created_at: Timestamp,
    /// Who ended it early, if anyone.
    pub ended_by: Option<String>,
}

impl Delegation {
    /// Whether it holds at `at`, to the second.
    pub(crate) fn holds_at(&self, at: Timestamp) -> bool {
        self.starts_at <= at && at < self.ends_at
    }
}

/// Who could decide an order, as recorded with a decision: each decider
/// and, for a delegate, whom they would decide for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct RecordedDeciders {
    /// `(decider, on_behalf_of)`, in the order `order show` names them.
    pub deciders: Vec<(i64, Option<i64>)>,
    /// Whether there were more than these.
    pub more: bool,
}

/// Profile fields of an account, all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Profile {
    /// Contact phone number.
    pub phone: Option<String>,
    /// Web site address.
    pub website: Option<String>,
    /// Marketing message shown to customers.
    pub marketing: Option<String>,
    /// Sectors served, as free text.
    pub sectors: Option<String>,
    /// Whom invoices go to: a normalised email address.
    pub billing_contact: Option<String>,
}

/// An organisation using the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Account {
    /// Store key.
    pub id: i64,
    /// Unique display name (compared without case).
    pub name: String,
    /// Partner or customer.
    pub kind: AccountKind,
    /// The partner account of a customer, if any.
    pub parent_id: Option<i64>,
    /// ISO 4217 code.
    pub currency: String,
    /// The person who owns the account.
    pub owner_id: Option<i64>,
    /// Contact details and marketing text.
    pub profile: Profile,
    /// When it was created.
    pub created_at: Timestamp,
}

/// One identity, keyed by email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Person {
    /// Store key.
    pub id: i64,
    /// Normalised email.
    pub email: Email,
    /// Display name; empty until someone invited by email alone gives it.
    pub name: String,
    /// Flagged as a duplicate of this person.
    pub duplicate_of: Option<i64>,
    /// Retired by a merge into this person.
    pub merged_into: Option<i64>,
    /// When it was first seen.
    pub created_at: Timestamp,
}

impl Person {
    /// The name, if one was given.
    pub(crate) fn known_name(&self) -> Option<&str> {
        (!self.name.is_empty()).then_some(self.name.as_str())
    }

    /// The email and the name, if one was given ([`Person::known_name`]),
    /// without a copy: a list builds a view of every person it reads.
    pub(crate) fn into_email_and_name(self) -> (Email, Option<String>) {
        let known = self.known_name().is_some();
        (self.email, known.then_some(self.name))
    }
}

/// A named set of capabilities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Role {
    /// Store key.
    pub id: i64,
    /// Unique name such as `admin`.
    pub name: String,
    /// What the role is for.
    pub description: String,
    /// Holds every capability of the catalog, present and future.
    pub all_capabilities: bool,
    /// The blocking role: holds nothing, not even `portal.access`.
    pub blocking: bool,
    /// Came from the preset rather than `role create`.
    pub builtin: bool,
    /// Capability names, when not `all_capabilities`.
    pub capabilities: Vec<String>,
    /// When `role delete` retired it; a deleted role is no longer offered.
    pub deleted_at: Option<Timestamp>,
    /// The account a member made it for, whose admins may retire it;
    /// `None` for the preset's roles and the operator's, which serve
    /// every account.
    pub account_id: Option<i64>,
}

/// A named bundle of capabilities that can be granted as one (an "area").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct GrantBundle {
    /// Name such as `billing`.
    pub name: String,
    /// What the area covers.
    pub description: String,
    /// Capability names.
    pub capabilities: Vec<String>,
}

/// A course of the catalog, given to members by their role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Course {
    /// Store key.
    pub id: i64,
    /// Unique name such as `Partner Community`.
    pub name: String,
    /// What it covers.
    pub description: String,
    /// Given to every role but the blocking one, including roles made later.
    pub all_roles: bool,
    /// The roles it is given to, when not `all_roles`.
    pub role_ids: Vec<i64>,
    /// The capabilities that make up the portal area the course opens.
    pub area_capabilities: Vec<String>,
}

/// One membership's enrolment in one course, current or ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Enrolment {
    /// Store key.
    pub id: i64,
    /// Whose.
    pub membership_id: i64,
    /// Which course.
    pub course_id: i64,
    /// When it began.
    pub enrolled_at: Timestamp,
    /// When it ended, if it has.
    pub ended_at: Option<Timestamp>,
}

/// A membership's progress on a course, kept across its enrolments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CourseProgress {
    /// Whose.
    pub membership_id: i64,
    /// Which course.
    pub course_id: i64,
    /// How far, 0 to 100.
    pub percent: u8,
    /// When it was completed; set exactly when `percent` is 100.
    pub completed_at: Option<Timestamp>,
    /// When it last changed.
    pub updated_at: Timestamp,
}

/// A person's place in one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Membership {
    /// Store key.
    pub id: i64,
    /// Who.
    pub person_id: i64,
    /// Where.
    pub account_id: i64,
    /// Exactly one role.
    pub role_id: i64,
    /// The role held before `left-company`, restored by `activate`.
    pub previous_role_id: Option<i64>,
    /// Where the membership stands.
    pub status: MemberStatus,
    /// City, for the timezone.
    pub city: Option<String>,
    /// ISO 3166 alpha-2 country code.
    pub country: Option<String>,
    /// IANA timezone name.
    pub timezone: Option<String>,
    /// The partner account an external admin comes from.
    pub external_from: Option<i64>,
    /// When the role lapses by itself (`user set-role --until`), back to
    /// `role_after`.
    pub role_until: Option<Timestamp>,
    /// The role held before a time-bound one, held again at `role_until`.
    pub role_after: Option<i64>,
    /// When external access ends by itself (`external-admin add --until`).
    pub external_until: Option<Timestamp>,
    /// When the first invitation was issued.
    pub invited_at: Option<Timestamp>,
    /// When it became active by accepting.
    pub accepted_at: Option<Timestamp>,
    /// When the membership row was created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
    /// The name the invitation gave (`None`: it gave none): all the
    /// account knows the person by until they accept, since a person who
    /// belongs elsewhere already has a name of their own there.
    pub invited_name: Option<String>,
    /// The address the invitation went to, where it bound to someone
    /// else's login: an address merged away into them in an account the
    /// inviter cannot see (`None`: the person's own). All the account
    /// knows them by until they accept, as with `invited_name`.
    pub invited_email: Option<String>,
}

impl Membership {
    /// The membership as it stands at `at`. Time-bound access lapses to
    /// exactly what it was before, to the second ([`lapsed`]): a role set
    /// until T is the previous role again at T, external access given until
    /// T has ended at T (deactivated, as `external-admin remove` leaves
    /// it). The store reads every membership through this at the moment
    /// its transaction stands at, so no check anywhere sees lapsed access
    /// as held; point-in-time answers apply it at their moment.
    pub(crate) fn in_force(mut self, at: Timestamp) -> Membership {
        if lapsed(self.role_until, at) {
            if let Some(previous) = self.role_after {
                self.role_id = previous;
            }
            self.role_until = None;
            self.role_after = None;
        }
        if lapsed(self.external_until, at) {
            if self.external_from.is_some() && self.status == MemberStatus::Active {
                self.status = MemberStatus::Deactivated;
            }
            self.external_until = None;
        }
        self
    }

    /// The earliest moment at which some of its access (role, external
    /// access, one of `grants`) lapses, if any does.
    pub(crate) fn next_lapse(&self, grants: &[Grant]) -> Option<Timestamp> {
        self.lapses(grants).min()
    }

    /// Each moment at which some of its access (role, external access,
    /// one of `grants`) lapses: the only moments after now at which what
    /// it holds changes.
    pub(crate) fn lapses<'a>(&self, grants: &'a [Grant]) -> impl Iterator<Item = Timestamp> + 'a {
        [self.role_until, self.external_until]
            .into_iter()
            .chain(grants.iter().map(|g| g.expires_at))
            .flatten()
    }
}

/// Which of an account's memberships a list reads, as they stand at the
/// transaction's moment: what the store can answer by index, so that a
/// list's `--limit` is its SQL `LIMIT`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MemberQuery {
    /// Only those holding this role.
    pub role_id: Option<i64>,
    /// Only those with this stored status.
    pub status: Option<MemberStatus>,
    /// Only those who hold a capability, found from the holding side.
    pub holding: Option<Holding>,
    /// Only those invited whose pending invitation has expired.
    pub invitation_expired: bool,
    /// Only those never accepted whose latest invitation was revoked
    /// (`Some(true)`, shown `revoked`), or only the others (`Some(false)`):
    /// with the status `deactivated`, the two ways one shows.
    pub revoked: Option<bool>,
    /// Only those some of whose time-bound access (role, external access,
    /// a grant) in force now lapses by this moment (`--expiring`).
    pub lapsing_by: Option<Timestamp>,
    /// At most this many, the first by email.
    pub limit: Option<u32>,
}

/// The ways an active membership holds one capability, as the catalog
/// gives it: what the store needs to find its holders by index alone. A
/// membership holds it when it is active (external access in force) and
/// its role in force does not block, and its role gives it, or a grant in
/// force names it, or its person owns the account.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Holding {
    /// The roles that give it (never the blocking one).
    pub roles: Vec<i64>,
    /// The grant names that give it: areas that include it, and its own
    /// name.
    pub grants: Vec<String>,
    /// The roles that block all access, owner and grants included.
    pub blocking: Vec<i64>,
    /// The person who owns the account, who holds every capability.
    pub owner_id: Option<i64>,
}

/// Which of an account's orders a list reads: what the store can answer
/// by index, so that a list's `--limit` is its SQL `LIMIT`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct OrderQuery {
    /// Only those with this status.
    pub status: Option<OrderStatus>,
    /// Only those placed by one of these people (a person and those
    /// merged into them); any creator when empty.
    pub creators: Vec<i64>,
    /// Only those on this cost centre.
    pub cost_centre_id: Option<i64>,
    /// At most this many, the oldest.
    pub limit: Option<u32>,
}

/// A membership with everything a line of `user list` shows, read for a
/// page of members at once rather than member by member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ListedMember {
    /// The membership, as in force at the transaction's moment.
    pub membership: Membership,
    /// Its person.
    pub person: Person,
    /// Its grants in force, by name.
    pub grants: Vec<Grant>,
    /// The name of the partner account an external admin comes from.
    pub external_from: Option<String>,
    /// The email of the person this one is flagged a duplicate of.
    pub duplicate_of: Option<String>,
    /// The state of its latest invitation, read only for a deactivated
    /// membership never accepted (where it tells `revoked` apart).
    pub last_invitation: Option<InvitationState>,
    /// When its pending invitation expires, read only for an invited
    /// membership (where a list marks one to resend).
    pub invitation_expires_at: Option<Timestamp>,
}

/// A capability or area given to one membership on top of its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Grant {
    /// A capability name or a grant bundle name.
    pub name: String,
    /// When it was given.
    pub granted_at: Timestamp,
    /// When it lapses by itself, if ever.
    pub expires_at: Option<Timestamp>,
}

impl Grant {
    /// `name`, given at `at` for good.
    pub(crate) fn lasting(name: &str, at: Timestamp) -> Grant {
        Grant {
            name: name.to_string(),
            granted_at: at,
            expires_at: None,
        }
    }

    /// Whether the grant still counts at `at` ([`lapsed`]).
    pub(crate) fn in_force(&self, at: Timestamp) -> bool {
        !lapsed(self.expires_at, at)
    }
}

/// One invitation token's record; the token itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invitation {
    /// Store key.
    pub id: i64,
    /// The membership it activates.
    pub membership_id: i64,
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// Issued.
    pub created_at: Timestamp,
    /// No longer acceptable after this.
    pub expires_at: Timestamp,
    /// Its life so far.
    pub state: InvitationState,
    /// When it stopped being pending.
    pub ended_at: Option<Timestamp>,
    /// How many resends came before this token.
    pub resend_count: i64,
}

/// An email waiting in (or delivered from) the outbox. It prints (and is
/// recorded) as [`OutboxMessageJson`]: a cancelled email's reason apart
/// from the errors of its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "OutboxMessageJson")]
pub(crate) struct OutboxMessage {
    /// Store key.
    pub id: i64,
    /// What sort of message, such as `invitation`.
    pub kind: String,
    /// Address it goes to.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body. An invitation's holds no token: `outbox send`
    /// mints one into it when it hands the email over.
    pub body: String,
    /// Queued.
    pub created_at: Timestamp,
    /// Delivered, if it was.
    pub sent_at: Option<Timestamp>,
    /// Where it stands.
    pub state: OutboxState,
    /// The invitation whose token it carries, if any.
    pub invitation_id: Option<i64>,
    /// Attempts that reached an outcome (accepted or refused).
    pub attempts: i64,
    /// The last refusal: the server's answer or what went wrong; of a
    /// cancelled email, why it was cancelled (see
    /// [`OutboxMessage::cancelled_reason`]).
    pub last_error: Option<String>,
    /// The last time a run took it to send.
    pub last_attempt_at: Option<Timestamp>,
    /// Not sent before this (back-off); `None`: due now.
    pub next_attempt_at: Option<Timestamp>,
    /// When it was marked failed or cancelled.
    pub ended_at: Option<Timestamp>,
    /// How an invitation email names who invited: set, the email is
    /// written from its invitation as it stands when it is sent, so it
    /// says what accepting gives then; `None` (no invitation, or queued
    /// before this was kept), it goes out as queued.
    pub inviter: Option<String>,
}

impl OutboxMessage {
    /// Why a cancelled email was cancelled (its invitation ended, or
    /// `outbox cancel`): the store keeps it where an attempt's error is
    /// kept, but a cancellation is no error.
    pub(crate) fn cancelled_reason(&self) -> Option<&str> {
        match self.state {
            OutboxState::Cancelled => self.last_error.as_deref(),
            _ => None,
        }
    }

    /// The last attempt's error, which a cancelled email does not show.
    pub(crate) fn error(&self) -> Option<&str> {
        match self.state {
            OutboxState::Cancelled => None,
            _ => self.last_error.as_deref(),
        }
    }
}

/// An outbox email as JSON: its fields, with `last_error` only for an
/// attempt's error and `cancelled_reason` for why it was cancelled.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct OutboxMessageJson {
    id: i64,
    kind: String,
    recipient: String,
    subject: String,
    body: String,
    created_at: Timestamp,
    sent_at: Option<Timestamp>,
    state: OutboxState,
    invitation_id: Option<i64>,
    attempts: i64,
    last_error: Option<String>,
    cancelled_reason: Option<String>,
    last_attempt_at: Option<Timestamp>,
    next_attempt_at: Option<Timestamp>,
    ended_at: Option<Timestamp>,
}

impl From<OutboxMessage> for OutboxMessageJson {
    fn from(m: OutboxMessage) -> OutboxMessageJson {
        let last_error = m.error().map(str::to_string);
        let cancelled_reason = m.cancelled_reason().map(str::to_string);
        OutboxMessageJson {
            id: m.id,
            kind: m.kind,
            recipient: m.recipient,
            subject: m.subject,
            body: m.body,
            created_at: m.created_at,
            sent_at: m.sent_at,
            state: m.state,
            invitation_id: m.invitation_id,
            attempts: m.attempts,
            last_error,
            cancelled_reason,
            last_attempt_at: m.last_attempt_at,
            next_attempt_at: m.next_attempt_at,
            ended_at: m.ended_at,
        }
    }
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct AuditEvent {
    /// Position in the log, from 1.
    pub seq: i64,
    /// When the change was made.
    pub at: Timestamp,
    /// `operator:<os user>` or the acting member's email.
    pub actor: String,
    /// The command, such as `user.invite`.
    pub action: String,
    /// The account concerned, by name at the time.
    pub account: Option<String>,
    /// The thing changed, such as an email or a role name.
    pub target: Option<String>,
    /// State before, as JSON.
    pub before: Option<serde_json::Value>,
    /// State after, as JSON.
    pub after: Option<serde_json::Value>,
    /// Hash of the previous event (hex), chaining the log.
    pub prev_hash: String,
    /// SHA-256 over this event and `prev_hash` (hex).
    pub hash: String,
}

// ------------------------------------------------- partners and customers

/// Seats of one product a partner bought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct License {
    /// Store key.
    pub id: i64,
    /// The partner that bought them.
    pub account_id: i64,
    /// Product name, such as `MDR Complete` (compared without case).
    pub product: String,
    /// Seats bought, in total.
    pub seats: i64,
    /// First purchase.
    pub created_at: Timestamp,
    /// Last purchase.
    pub updated_at: Timestamp,
}

/// Seats of a licence held by one customer of the partner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Allocation {
    /// The licence.
    pub license_id: i64,
    /// The customer account.
    pub customer_id: i64,
    /// Seats held; 0 once all were moved away.
    pub seats: i64,
    /// Where the seats are shipped: the allocation's own copy of a
    /// shipping address, kept when the address is removed.
    pub ship_to: Option<ShippingAddress>,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A shipping address of an account. Never deleted: `removed_at` marks one
/// that may no longer be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Address {
    /// Store key.
    pub id: i64,
    /// Whose address.
    pub account_id: i64,
    /// The shipping fields.
    pub fields: ShippingAddress,
    /// Added.
    pub created_at: Timestamp,
    /// Removed, if it was.
    pub removed_at: Option<Timestamp>,
}

/// The fields of a shipping address: what an order keeps a copy of, so
/// that removing the address later leaves the order's copy as it was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ShippingAddress {
    /// Name unique among the account's live addresses, such as `HQ`.
    pub label: String,
    /// First line.
    pub line1: String,
    /// Second line.
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// Postcode.
    pub postcode: String,
    /// ISO 3166 alpha-2 country code.
    pub country: String,
}

/// How an account pays, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PaymentDetails {
    /// Whose details.
    pub account_id: i64,
    /// The method.
    pub method: PaymentMethod,
    /// The bank account, where there is one.
    pub iban: Option<Iban>,
    /// Last change.
    pub updated_at: Timestamp,
}

/// The price of one product that a partner agreed with the vendor, as
/// stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ContractPrice {
    /// The partner.
    pub account_id: i64,
    /// Product name (compared without case).
    pub product: String,
    /// The price of one seat, in minor units.
    pub price: Money,
    /// ISO 4217 code: the partner's currency when the price was set.
    pub currency: String,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A partner's IP address entry, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PartnerIp {
    /// Whose.
    pub account_id: i64,
    /// Inbound or outbound.
    pub direction: IpDirection,
    /// The address or range.
    pub network: IpNetwork,
    /// Added.
    pub added_at: Timestamp,
}

/// A partner's status and mail relay, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct PartnerConfig {
    /// Partner status, such as `Technical` or `Sales`.
    pub partner_status: Option<String>,
    /// The mail relay.
    pub smarthost: Option<Smarthost>,
}

#[cfg(test)]
mod lapse_tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("a time")
    }

    fn member() -> Membership {
        let at = t("2026-11-25T10:00:00Z");
        Membership {
            id: 1,
            person_id: 1,
            account_id: 1,
            role_id: 2,
            previous_role_id: None,
            status: MemberStatus::Active,
            city: None,
            country: None,
            timezone: None,
            external_from: Some(9),
            role_until: Some(t("2026-11-25T12:00:00Z")),
            role_after: Some(3),
            external_until: Some(t("2026-11-25T13:00:00Z")),
            invited_at: None,
            accepted_at: Some(at),
            created_at: at,
            updated_at: at,
            invited_name: None,
            invited_email: None,
        }
    }

    #[test]
    fn access_is_held_the_second_before_and_gone_at_the_end() {
        let end = Some(t("2026-11-25T12:00:00Z"));
        assert!(!lapsed(end, t("2026-11-25T11:59:59Z")));
        assert!(lapsed(end, t("2026-11-25T12:00:00Z")));
        assert!(lapsed(end, t("2026-11-25T12:00:01Z")));
        assert!(!lapsed(None, Timestamp::end_of_time()));
    }

    #[test]
    fn a_membership_lapses_to_what_it_was_before() {
        let before = member().in_force(t("2026-11-25T11:59:59Z"));
        assert_eq!(before, member());
        let role_gone = member().in_force(t("2026-11-25T12:00:00Z"));
        assert_eq!(
            (role_gone.role_id, role_gone.role_until, role_gone.role_after),
            (3, None, None)
        );
        assert_eq!(role_gone.status, MemberStatus::Active);
        let all_gone = member().in_force(t("2026-11-25T13:00:00Z"));
        assert_eq!(
            (all_gone.status, all_gone.external_until),
            (MemberStatus::Deactivated, None)
        );
        let grant = Grant {
            expires_at: Some(t("2026-11-25T12:00:00Z")),
            ..Grant::lasting("billing", t("2026-11-25T10:00:00Z"))
        };
        assert!(grant.in_force(t("2026-11-25T11:59:59Z")));
        assert!(!grant.in_force(t("2026-11-25T12:00:00Z")));
        assert_eq!(
            member().next_lapse(&[grant]),
            Some(t("2026-11-25T12:00:00Z"))
        );
    }
}
