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
