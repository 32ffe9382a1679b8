//! Plain data: the names, records and views that every layer shares.
//!
//! Records mirror what the store keeps; views are what commands print.
//! Parsing of user-typed names (emails, statuses, kinds, capabilities) lives
//! here so that every layer agrees on one spelling.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A point in time; always UTC inside portalctl.
pub type Timestamp = DateTime<Utc>;

/// The one text form of a timestamp, in the database and in output.
pub fn format_time(t: Timestamp) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Reads an RFC 3339 timestamp (any offset) as UTC.
pub fn parse_time(s: &str) -> Result<Timestamp> {
    DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| {
            Error::invalid(format!("`{s}` is not an RFC 3339 time"))
                .help("write it like 2026-11-25T09:30:00Z")
        })
}

/// The capability catalog: the same for every preset.
pub const CAPABILITIES: &[&str] = &[
    "portal.access",
    "account.view",
    "account.edit",
    "account.config",
    "addresses.use",
    "addresses.edit",
    "users.view",
    "users.manage",
    "external_admins.manage",
    "customers.manage",
    "licenses.purchase",
    "licenses.allocate",
    "billing.view",
    "billing.payment",
    "invoices.manage",
    "clients.manage",
    "services.view_all",
    "services.view_assigned",
    "services.assign",
    "orders.place",
    "orders.approve",
    "policies.manage",
    "cost_centres.manage",
    "contracts.view",
    "contracts.renew",
    "documents.download",
    "reports.schedule",
    "alerts.manage",
    "tickets.raise",
    "tickets.view",
    "domains.manage",
    "support.requests",
    "discussions.manage",
    "stats.view",
    "clicks.view",
    "notifications.financial",
];

/// One entry of the capability catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Capability(&'static str);

impl Capability {
    /// Every capability of the catalog, in catalog order.
    pub fn all() -> impl Iterator<Item = Capability> {
        CAPABILITIES.iter().map(|c| Capability(c))
    }

    /// The capability's catalog name, such as `users.manage`.
    pub fn as_str(self) -> &'static str {
        self.0
    }

    /// A capability the code names itself; it must be in the catalog.
    pub const fn named(name: &'static str) -> Capability {
        Capability(name)
    }

    /// What the capability lets a member do, for "you may not ..." errors.
    pub fn action(self) -> &'static str {
        match self.0 {
            "portal.access" => "use the portal",
            "account.view" => "see the account",
            "account.edit" => "edit the account's details",
            "account.config" => "change the account's configuration",
            "addresses.use" => "use shipping addresses",
            "addresses.edit" => "edit shipping addresses",
            "users.view" => "see the account's users",
            "users.manage" => "manage users (invite, change or remove them)",
            "external_admins.manage" => "manage external admins",
            "customers.manage" => "manage customer accounts",
            "licenses.purchase" => "buy licences",
            "licenses.allocate" => "allocate licences",
            "billing.view" => "see billing",
            "billing.payment" => "change payment details",
            "invoices.manage" => "manage invoices",
            "clients.manage" => "manage clients",
            "services.view_all" => "see all services",
            "services.view_assigned" => "see the services assigned to them",
            "services.assign" => "assign services",
            "orders.place" => "place orders",
            "orders.approve" => "approve orders",
            "policies.manage" => "manage approval policies",
            "cost_centres.manage" => "manage cost centres",
            "contracts.view" => "see contracts",
            "contracts.renew" => "renew contracts",
            "documents.download" => "download documents",
            "reports.schedule" => "schedule reports",
            "alerts.manage" => "manage alerts",
            "tickets.raise" => "raise tickets",
            "tickets.view" => "see tickets",
            "domains.manage" => "manage domains",
            "support.requests" => "make support requests",
            "discussions.manage" => "manage discussions",
            "stats.view" => "see statistics",
            "clicks.view" => "see \"my clicks\"",
            "notifications.financial" => "receive financial notifications",
            _ => "do this",
        }
    }
}

impl FromStr for Capability {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        CAPABILITIES
            .iter()
            .find(|c| **c == s)
            .map(|c| Capability(c))
            .ok_or_else(|| {
                Error::invalid(format!("unknown capability `{s}`"))
                    .help("`portalctl role show ROLE` and `portalctl preset show` list the catalog")
            })
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl Serialize for Capability {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.0)
    }
}

/// A normalised email address: trimmed, lower-cased, syntactically valid.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Email {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let normal = s.trim().to_lowercase();
        if email_address::EmailAddress::is_valid(&normal) && !normal.contains(['<', '>', ' ']) {
            Ok(Email(normal))
        } else {
            Err(Error::invalid(format!(
                "`{}` is not a valid email address",
                s.trim()
            )))
        }
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Reads a person's or account's display name: trimmed, not empty.
pub fn parse_name(what: &str, s: &str) -> Result<String> {
    let name = s.trim();
    if name.is_empty() {
        return Err(Error::invalid(format!("{what} must not be empty")));
    }
    if name.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "{what} `{}` contains control characters",
            name.escape_debug()
        )));
    }
    Ok(name.to_string())
}

/// Reads an ISO 4217 currency code such as `GBP` (any case).
pub fn parse_currency(s: &str) -> Result<String> {
    let code = s.trim().to_uppercase();
    if code.len() == 3 && code.chars().all(|c| c.is_ascii_uppercase()) {
        Ok(code)
    } else {
        Err(
            Error::invalid(format!("`{}` is not an ISO 4217 currency code", s.trim()))
                .help("write it like GBP, EUR or USD"),
        )
    }
}

/// Generates `FromStr`, `Display` and `as_str` for a lower-case keyword enum.
macro_rules! keyword_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The keyword as stored and printed.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                match s.trim().to_lowercase().as_str() {
                    $($text => Ok($name::$variant),)+
                    _ => Err(Error::invalid(format!(concat!("unknown ", $what, " `{}`"), s.trim()))
                        .help(format!("use one of: {}", [$($text),+].join(", ")))),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

keyword_enum!(
    /// Whether an account is a partner or a customer.
    AccountKind, "account kind" {
        /// Resells or manages customers.
        Partner = "partner",
        /// Buys; may have a parent partner.
        Customer = "customer",
    }
);

keyword_enum!(
    /// Where a membership stands.
    MemberStatus, "status" {
        /// Invitation sent, not accepted yet.
        Invited = "invited",
        /// Can use the portal.
        Active = "active",
        /// Disabled by an admin; history kept.
        Deactivated = "deactivated",
        /// Left the company: blocking role, no access.
        Left = "left",
    }
);

keyword_enum!(
    /// The life of one invitation token.
    InvitationState, "invitation state" {
        /// Can be accepted until it expires.
        Pending = "pending",
        /// Used.
        Accepted = "accepted",
        /// Withdrawn by an admin.
        Revoked = "revoked",
        /// A resend issued a new token in its place.
        Replaced = "replaced",
    }
);

keyword_enum!(
    /// Where an order stands.
    OrderStatus, "order status" {
        /// Waiting for approvals.
        Pending = "pending",
        /// Approved by every matching policy, or matched none.
        Approved = "approved",
        /// Rejected by an eligible approver.
        Rejected = "rejected",
    }
);

/// An amount of money in minor units (pence, cents): never floating point.
///
/// Text has at most two decimals: `50`, `50.5` and `50.00` are fine;
/// negative numbers, exponents, currency signs and thousands separators
/// are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

impl Money {
    /// The largest amount accepted: a bound far above any real order that
    /// keeps sums of many amounts inside `i64`.
    pub const MAX: Money = Money(99_999_999_999_999);

    /// From minor units.
    pub fn from_minor(minor: i64) -> Money {
        Money(minor)
    }

    /// In minor units.
    pub fn minor(self) -> i64 {
        self.0
    }
}

impl FromStr for Money {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim();
        let bad = || {
            Error::invalid(format!("`{text}` is not an amount")).help(
                "write it in the account's currency with at most two decimals, like 120 or 49.99",
            )
        };
        let (units, cents) = match text.split_once('.') {
            Some((u, c)) => (u, c),
            None => (text, ""),
        };
        let digits = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        if units.is_empty()
            || !digits(units)
            || !digits(cents)
            || cents.len() > 2
            || (text.contains('.') && cents.is_empty())
        {
            return Err(bad());
        }
        let units: i64 = units.parse().map_err(|_| bad())?;
        let cents: i64 = format!("{cents:0<2}").parse().map_err(|_| bad())?;
        let minor = units
            .checked_mul(100)
            .and_then(|u| u.checked_add(cents))
            .ok_or_else(bad)?;
        if minor > Money::MAX.0 {
            return Err(Error::invalid(format!(
                "`{text}` is larger than any amount portalctl accepts"
            )));
        }
        Ok(Money(minor))
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:02}", abs / 100, abs % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// An asset of an account: a line, a licence, a domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Store key, also how commands can name it.
    pub id: i64,
    /// Owning account.
    pub account_id: i64,
    /// Unique name within the account.
    pub name: String,
    /// Free-text kind such as `broadband`.
    pub kind: Option<String>,
    /// The membership it is assigned to.
    pub assigned_to: Option<i64>,
    /// Created.
    pub created_at: Timestamp,
}

/// A cost centre orders can carry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostCentre {
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
pub struct Policy {
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

impl Policy {
    /// Whether an order of this amount and type triggers the policy.
    pub fn matches(&self, amount: Money, order_type: Option<&str>) -> bool {
        self.enabled
            && amount > self.threshold
            && self
                .order_type
                .as_deref()
                .is_none_or(|t| Some(t) == order_type)
    }
}

/// An order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Order {
    /// Store key and the id commands use.
    pub id: i64,
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
    /// When it was approved or rejected.
    pub decided_at: Option<Timestamp>,
    /// Placed.
    pub created_at: Timestamp,
}

/// A policy as it stood when an order matched it; decisions follow this
/// copy even if the policy is disabled or changed later.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MatchedPolicy {
    /// The policy.
    pub policy_id: i64,
    /// Its name then.
    pub name: String,
    /// Its named approvers then (person ids; empty: every holder).
    pub approvers: Vec<i64>,
    /// Approvals it needed then.
    pub required_approvals: i64,
}

/// One approver's decision on an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDecision {
    /// Who.
    pub person_id: i64,
    /// Approved (true) or rejected (false).
    pub approved: bool,
    /// A rejection's reason.
    pub reason: Option<String>,
    /// When.
    pub at: Timestamp,
}

/// Profile fields of an account, all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    /// Contact phone number.
    pub phone: Option<String>,
    /// Web site address.
    pub website: Option<String>,
    /// Marketing message shown to customers.
    pub marketing: Option<String>,
    /// Sectors served, as free text.
    pub sectors: Option<String>,
}

/// An organisation using the portal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
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
pub struct Person {
    /// Store key.
    pub id: i64,
    /// Normalised email.
    pub email: Email,
    /// Display name.
    pub name: String,
    /// Flagged as a duplicate of this person.
    pub duplicate_of: Option<i64>,
    /// Retired by a merge into this person.
    pub merged_into: Option<i64>,
    /// When it was first seen.
    pub created_at: Timestamp,
}

/// A named set of capabilities.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
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
}

impl Role {
    /// Whether the role itself (not grants) gives `cap`. Every role but the
    /// blocking one holds `portal.access`.
    pub fn holds(&self, cap: Capability) -> bool {
        !self.blocking
            && (self.all_capabilities
                || cap.as_str() == "portal.access"
                || self.capabilities.iter().any(|c| c == cap.as_str()))
    }

    /// The capabilities the role gives, in catalog order.
    pub fn capability_list(&self) -> Vec<Capability> {
        Capability::all().filter(|c| self.holds(*c)).collect()
    }
}

/// A named bundle of capabilities that can be granted as one (an "area").
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GrantBundle {
    /// Name such as `billing`.
    pub name: String,
    /// What the area covers.
    pub description: String,
    /// Capability names.
    pub capabilities: Vec<String>,
}

/// A course of the catalog, given to members by their role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Course {
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
pub struct Enrolment {
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

/// A person's place in one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
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
    /// When the first invitation was issued.
    pub invited_at: Option<Timestamp>,
    /// When it became active by accepting.
    pub accepted_at: Option<Timestamp>,
    /// When the membership row was created.
    pub created_at: Timestamp,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A capability or area given to one membership on top of its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    /// A capability name or a grant bundle name.
    pub name: String,
    /// When it was given.
    pub granted_at: Timestamp,
    /// When it lapses by itself, if ever.
    pub expires_at: Option<Timestamp>,
}

/// One invitation token's record; the token itself is never stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
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

/// An email waiting in (or delivered from) the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OutboxMessage {
    /// Store key.
    pub id: i64,
    /// What sort of message, such as `invitation`.
    pub kind: String,
    /// Address it goes to.
    pub recipient: String,
    /// Subject line.
    pub subject: String,
    /// Plain-text body.
    pub body: String,
    /// Queued.
    #[serde(serialize_with = "ser_time")]
    pub created_at: Timestamp,
    /// Delivered, if it was.
    #[serde(serialize_with = "ser_opt_time")]
    pub sent_at: Option<Timestamp>,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEvent {
    /// Position in the log, from 1.
    pub seq: i64,
    /// When the change was made.
    #[serde(serialize_with = "ser_time")]
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

/// Serialises a timestamp in the one text form.
pub fn ser_time<S: serde::Serializer>(t: &Timestamp, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(*t))
}

/// Serialises an optional timestamp in the one text form.
pub fn ser_opt_time<S: serde::Serializer>(
    t: &Option<Timestamp>,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    match t {
        Some(t) => s.serialize_str(&format_time(*t)),
        None => s.serialize_none(),
    }
}

// ------------------------------------------------- partners and customers

/// Seats of one product a partner bought.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct License {
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
pub struct Allocation {
    /// The licence.
    pub license_id: i64,
    /// The customer account.
    pub customer_id: i64,
    /// Seats held; 0 once all were moved away.
    pub seats: i64,
    /// Last change.
    pub updated_at: Timestamp,
}

/// A shipping address of an account. Never deleted: `removed_at` marks one
/// that may no longer be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
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
pub struct ShippingAddress {
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

/// How an account pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PaymentMethod {
    /// Collected from a bank account: needs an IBAN.
    DirectDebit,
    /// The account transfers money itself.
    BankTransfer,
    /// Card payment.
    Card,
    /// Pays on invoice.
    Invoice,
}

impl PaymentMethod {
    /// Every method, in the order help text lists them.
    pub const ALL: &'static [PaymentMethod] = &[
        PaymentMethod::DirectDebit,
        PaymentMethod::BankTransfer,
        PaymentMethod::Card,
        PaymentMethod::Invoice,
    ];

    /// The keyword as stored and printed.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::DirectDebit => "direct-debit",
            PaymentMethod::BankTransfer => "bank-transfer",
            PaymentMethod::Card => "card",
            PaymentMethod::Invoice => "invoice",
        }
    }
}

impl FromStr for PaymentMethod {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim().to_lowercase();
        PaymentMethod::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == text)
            .ok_or_else(|| {
                let names: Vec<&str> = PaymentMethod::ALL.iter().map(|m| m.as_str()).collect();
                Error::invalid(format!("unknown payment method `{}`", s.trim()))
                    .help(format!("use one of: {}", names.join(", ")))
            })
    }
}

impl fmt::Display for PaymentMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An International Bank Account Number (ISO 13616): spaces removed,
/// upper-cased, and its check digits verified.
#[derive(Clone, PartialEq, Eq)]
pub struct Iban(String);

impl Iban {
    /// The whole number; only for storing it.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The number with all but its last four characters hidden, which is
    /// the only form ever printed or written to the audit log.
    pub fn masked(&self) -> String {
        let shown = self.0.len().saturating_sub(4);
        format!("{}{}", "*".repeat(shown), &self.0[shown..])
    }
}

/// Never prints the whole number, even in debug output.
impl fmt::Debug for Iban {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Iban({})", self.masked())
    }
}

impl FromStr for Iban {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let compact: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
            .to_uppercase();
        // The error never repeats the number: it is bank data.
        let bad = |why: &str| {
            Error::invalid(format!("the IBAN is not valid: {why}"))
                .help("write it like GB82 WEST 1234 5698 7654 32")
        };
        if !(15..=34).contains(&compact.len()) {
            return Err(bad("it must have 15 to 34 letters and digits"));
        }
        if !compact.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(bad("it may only hold letters and digits"));
        }
        let bytes = compact.as_bytes();
        if !(bytes[..2].iter().all(u8::is_ascii_uppercase)
            && bytes[2..4].iter().all(u8::is_ascii_digit))
        {
            return Err(bad(
                "it must start with a country code and two check digits",
            ));
        }
        // ISO 7064 MOD 97-10: move the first four characters to the end,
        // read letters as 10..35, and the number mod 97 must be 1.
        let remainder =
            compact[4..]
                .chars()
                .chain(compact[..4].chars())
                .fold(0u32, |rem, c| match c.to_digit(36) {
                    Some(v) if v >= 10 => (rem * 100 + v) % 97,
                    Some(v) => (rem * 10 + v) % 97,
                    None => rem,
                });
        if remainder != 1 {
            return Err(bad("its check digits do not match"));
        }
        Ok(Iban(compact))
    }
}

/// How an account pays, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentDetails {
    /// Whose details.
    pub account_id: i64,
    /// The method.
    pub method: PaymentMethod,
    /// The bank account, where there is one.
    pub iban: Option<Iban>,
    /// Last change.
    pub updated_at: Timestamp,
}

keyword_enum!(
    /// Which way mail flows through a partner IP address.
    IpDirection, "direction" {
        /// Mail the partner's servers receive from.
        Inbound = "inbound",
        /// Mail the partner's servers send from.
        Outbound = "outbound",
    }
);

/// An IPv4 or IPv6 address, or a range of them in CIDR notation, in its
/// normal form: host bits cleared, and a full-length prefix written as the
/// plain address. Equal ranges therefore have one spelling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct IpNetwork {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl IpNetwork {
    /// The address family's bit width: 32 or 128.
    fn width(addr: std::net::IpAddr) -> u8 {
        if addr.is_ipv4() {
            32
        } else {
            128
        }
    }

    /// The first address of the range with `prefix` bits kept.
    fn network(addr: std::net::IpAddr, prefix: u8) -> std::net::IpAddr {
        use std::net::IpAddr;
        match addr {
            IpAddr::V4(a) => {
                let mask = u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0);
                IpAddr::V4((u32::from(a) & mask).into())
            }
            IpAddr::V6(a) => {
                let mask = u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0);
                IpAddr::V6((u128::from(a) & mask).into())
            }
        }
    }
}

impl FromStr for IpNetwork {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim();
        let (addr_text, prefix_text) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let addr: std::net::IpAddr = addr_text.parse().map_err(|_| {
            Error::invalid(format!("`{text}` is not an IPv4 or IPv6 address"))
                .help("write it like 192.0.2.10, 2001:db8::10 or a range like 198.51.100.0/24")
        })?;
        let width = IpNetwork::width(addr);
        let prefix = match prefix_text {
            None => width,
            Some(p) => p
                .parse::<u8>()
                .ok()
                .filter(|n| *n <= width && p.bytes().all(|b| b.is_ascii_digit()))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "`{text}`: `{p}` is not a prefix length for an IPv{} range",
                        if width == 32 { 4 } else { 6 }
                    ))
                    .help(format!("the prefix length is a number from 1 to {width}"))
                })?,
        };
        let addr = IpNetwork::network(addr, prefix);
        // An allow-list entry that matches everyone, or no real host,
        // is a mistake rather than a configuration.
        let unusable = if prefix == 0 {
            Some("it matches every address")
        } else if addr.is_unspecified() {
            Some("it is the unspecified address")
        } else if addr.is_loopback() {
            Some("it is a loopback address")
        } else if addr.is_multicast() {
            Some("it is a multicast address")
        } else if addr == std::net::IpAddr::V4(std::net::Ipv4Addr::BROADCAST) {
            Some("it is the broadcast address")
        } else {
            None
        };
        if let Some(why) = unusable {
            return Err(Error::invalid(format!(
                "`{text}` cannot be a partner IP address: {why}"
            )));
        }
        Ok(IpNetwork { addr, prefix })
    }
}

impl fmt::Display for IpNetwork {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix == IpNetwork::width(self.addr) {
            write!(f, "{}", self.addr)
        } else {
            write!(f, "{}/{}", self.addr, self.prefix)
        }
    }
}

/// A partner's IP address entry, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnerIp {
    /// Whose.
    pub account_id: i64,
    /// Inbound or outbound.
    pub direction: IpDirection,
    /// The address or range.
    pub network: IpNetwork,
    /// Added.
    pub added_at: Timestamp,
}

/// A mail relay: a host name or IP address and an optional port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Smarthost {
    /// Lower-case host name without a trailing dot, or an IP address.
    pub host: String,
    /// The port, when not the default.
    pub port: Option<u16>,
}

impl Smarthost {
    fn parse_host(host: &str) -> Option<String> {
        if let Ok(ip) = host.parse::<std::net::IpAddr>() {
            return (!ip.is_unspecified() && !ip.is_multicast()).then(|| ip.to_string());
        }
        let name = host.strip_suffix('.').unwrap_or(host).to_lowercase();
        let labels: Vec<&str> = name.split('.').collect();
        let label_ok = |l: &&str| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        };
        // An all-digit last label would make `192.0.2.999` a host name.
        let numeric_tld = labels
            .last()
            .is_some_and(|l| l.bytes().all(|b| b.is_ascii_digit()));
        (name.len() <= 253 && labels.iter().all(label_ok) && !numeric_tld).then_some(name)
    }
}

impl FromStr for Smarthost {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let text = s.trim();
        let help = "write it like mail.example.com, mail.example.com:587, 192.0.2.25:25 or [2001:db8::25]:587";
        // `[v6]:port`, a bare IPv6 address (several colons), or `host[:port]`.
        let (host, port) = if let Some(rest) = text.strip_prefix('[') {
            let (host, after) = rest.split_once(']').ok_or_else(|| {
                Error::invalid(format!("`{text}` is not a smarthost: `]` is missing")).help(help)
            })?;
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(Error::invalid(format!(
                    "`{text}` is not a smarthost: `{host}` is not an IPv6 address"
                ))
                .help(help));
            }
            match after {
                "" => (host, None),
                _ => match after.strip_prefix(':') {
                    Some(port) => (host, Some(port)),
                    None => {
                        return Err(Error::invalid(format!(
                            "`{text}` is not a smarthost: expected `:PORT` after `]`"
                        ))
                        .help(help))
                    }
                },
            }
        } else if text.matches(':').count() > 1 {
            (text, None)
        } else {
            match text.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (text, None),
            }
        };
        let port = port
            .map(|p| {
                p.parse::<u16>()
                    .ok()
                    .filter(|n| *n > 0 && p.bytes().all(|b| b.is_ascii_digit()))
                    .ok_or_else(|| {
                        Error::invalid(format!(
                            "`{text}` is not a smarthost: `{p}` is not a port (1 to 65535)"
                        ))
                        .help(help)
                    })
            })
            .transpose()?;
        let host = Smarthost::parse_host(host).ok_or_else(|| {
            Error::invalid(format!(
                "`{text}` is not a smarthost: `{host}` is not a host name or IP address"
            ))
            .help(help)
        })?;
        Ok(Smarthost { host, port })
    }
}

impl fmt::Display for Smarthost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) if self.host.contains(':') => write!(f, "[{}]:{port}", self.host),
            Some(port) => write!(f, "{}:{port}", self.host),
            None => f.write_str(&self.host),
        }
    }
}

/// A partner's status and mail relay, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PartnerConfig {
    /// Partner status, such as `Technical` or `Sales`.
    pub partner_status: Option<String>,
    /// The mail relay.
    pub smarthost: Option<Smarthost>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lower_cased() {
        let e: Email = "  Ann@Acme.TEST ".parse().expect("valid");
        assert_eq!(e.as_str(), "ann@acme.test");
    }

    #[test]
    fn malformed_emails_are_refused() {
        for bad in [
            "",
            "ann",
            "ann@",
            "@acme.test",
            "a b@acme.test",
            "ann@@acme.test",
        ] {
            assert!(bad.parse::<Email>().is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn keywords_parse_without_case() {
        assert_eq!(
            "Active".parse::<MemberStatus>().ok(),
            Some(MemberStatus::Active)
        );
        assert!("gone".parse::<MemberStatus>().is_err());
    }

    #[test]
    fn amounts_parse_exactly_into_minor_units() {
        let cases: &[(&str, Option<i64>)] = &[
            ("50", Some(5000)),
            ("50.5", Some(5050)),
            ("50.00", Some(5000)),
            (" 0.01 ", Some(1)),
            ("0", Some(0)),
            ("999999999999.99", Some(99_999_999_999_999)),
            ("1000000000000", None),
            ("50.001", None),
            ("-1", None),
            ("+1", None),
            ("1e3", None),
            ("£50", None),
            ("50 GBP", None),
            ("1,000", None),
            ("", None),
            (".5", None),
            ("5.", None),
            ("NaN", None),
        ];
        for (text, minor) in cases {
            assert_eq!(
                text.parse::<Money>().ok().map(Money::minor),
                *minor,
                "{text:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn formatting_then_parsing_gives_the_amount_back(minor in 0..=Money::MAX.minor()) {
            let money = Money::from_minor(minor);
            proptest::prop_assert_eq!(money.to_string().parse::<Money>().ok(), Some(money));
        }
    }

    #[test]
    fn ip_networks_are_normalised() {
        for (typed, stored) in [
            ("192.0.2.10", "192.0.2.10"),
            (" 192.0.2.10/32 ", "192.0.2.10"),
            ("10.1.2.3/8", "10.0.0.0/8"),
            ("198.51.100.77/24", "198.51.100.0/24"),
            ("2001:DB8:0:0:0:0:0:1", "2001:db8::1"),
            ("2001:db8::1/128", "2001:db8::1"),
            ("2001:db8:abcd::1/48", "2001:db8:abcd::/48"),
            ("::ffff:192.0.2.1", "::ffff:192.0.2.1"),
        ] {
            let net: IpNetwork = typed.parse().expect(typed);
            assert_eq!(net.to_string(), stored, "{typed}");
        }
    }

    #[test]
    fn malformed_or_unusable_ip_networks_are_refused() {
        for bad in [
            "",
            "300.1.1.1",
            "1.2.3",
            "01.2.3.4",
            "abc",
            "10.0.0.0/33",
            "10.0.0.0/",
            "10.0.0.0/-1",
            "10.0.0.0/+8",
            "10.0.0.0/8/8",
            "2001:db8::/129",
            "fe80::1%eth0",
            "0.0.0.0/0",
            "::/0",
            "0.0.0.0",
            "127.0.0.1",
            "::1",
            "224.0.0.1",
            "ff02::1",
            "255.255.255.255",
        ] {
            let err = bad.parse::<IpNetwork>().expect_err(bad);
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn ip_networks_sort_by_address() {
        let mut nets: Vec<IpNetwork> = ["10.0.0.1", "9.0.0.1", "2001:db8::1", "9.0.0.0/8"]
            .iter()
            .map(|s| s.parse().expect("valid"))
            .collect();
        nets.sort();
        let shown: Vec<String> = nets.iter().map(|n| n.to_string()).collect();
        assert_eq!(shown, ["9.0.0.0/8", "9.0.0.1", "10.0.0.1", "2001:db8::1"]);
    }

    #[test]
    fn smarthosts_take_a_host_and_an_optional_port() {
        for (typed, host, port, shown) in [
            (
                "mail.example.com",
                "mail.example.com",
                None,
                "mail.example.com",
            ),
            (
                "Mail.Example.COM.:587",
                "mail.example.com",
                Some(587),
                "mail.example.com:587",
            ),
            ("192.0.2.25:25", "192.0.2.25", Some(25), "192.0.2.25:25"),
            ("2001:db8::25", "2001:db8::25", None, "2001:db8::25"),
            (
                "[2001:DB8::25]:587",
                "2001:db8::25",
                Some(587),
                "[2001:db8::25]:587",
            ),
            ("[2001:db8::25]", "2001:db8::25", None, "2001:db8::25"),
            ("localhost", "localhost", None, "localhost"),
        ] {
            let s: Smarthost = typed.parse().expect(typed);
            assert_eq!((s.host.as_str(), s.port), (host, port), "{typed}");
            assert_eq!(s.to_string(), shown, "{typed}");
        }
    }

    #[test]
    fn bad_smarthosts_are_refused() {
        for bad in [
            "",
            "mail.example.com:",
            "mail.example.com:0",
            "mail.example.com:65536",
            "mail.example.com:99999",
            "mail.example.com:abc",
            "mail.example.com:+25",
            "mail.example.com:25:25",
            "mail_relay.example.com",
            "-mail.example.com",
            "mail..example.com",
            "192.0.2.999",
            "[2001:db8::25",
            "[2001:db8::25]587",
            "[mail.example.com]:25",
            "0.0.0.0",
        ] {
            let err = bad.parse::<Smarthost>().expect_err(bad);
            assert_eq!(err.exit_code(), 2, "{bad}");
        }
    }

    #[test]
    fn ibans_are_checked_and_masked() {
        let iban: Iban = "gb82 west 1234 5698 7654 32".parse().expect("valid IBAN");
        assert_eq!(iban.as_str(), "GB82WEST12345698765432");
        assert_eq!(iban.masked(), "******************5432");
        assert!(!format!("{iban:?}").contains("WEST"));
        assert!("DE89 3704 0044 0532 0130 00".parse::<Iban>().is_ok());
        for bad in [
            "GB83WEST12345698765432",
            "GB82WEST1234569876543",
            "GB82-WEST-1234-5698-7654-32",
            "1282WEST12345698765432",
            "GB8",
            "",
        ] {
            let err = bad.parse::<Iban>().expect_err(bad);
            assert_eq!(err.exit_code(), 2, "{bad}");
            assert!(!err.to_string().contains("WEST"), "{err}");
        }
    }

    #[test]
    fn payment_methods_parse_without_case() {
        assert_eq!(
            "Direct-Debit".parse::<PaymentMethod>().ok(),
            Some(PaymentMethod::DirectDebit)
        );
        assert!("cheque".parse::<PaymentMethod>().is_err());
    }

    #[test]
    fn capabilities_come_from_the_catalog() {
        assert!("users.manage".parse::<Capability>().is_ok());
        assert!("users.destroy".parse::<Capability>().is_err());
        assert_eq!(Capability::all().count(), 36);
    }

    #[test]
    fn every_capability_says_what_it_allows() {
        for cap in Capability::all() {
            assert_ne!(cap.action(), "do this", "{cap}");
        }
    }
}
