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
