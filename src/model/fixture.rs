//! The fixture format of `apply` and `export`: a portal's desired state,
//! keyed by natural keys (account name, email, service name, cost-centre
//! code, policy name). Unknown fields are errors, so a typo never passes
//! silently; `portalctl schema` prints the JSON Schema made from these
//! types.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AccountKind, OrderStatus};

/// A whole fixture document.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct Fixture {
    /// The JSON Schema the file follows (`portalctl schema` writes one),
    /// so that an editor can check and complete it. `apply` ignores it and
    /// `export` never writes it.
    #[serde(rename = "$schema", default, skip_serializing)]
    pub schema: Option<String>,
    /// The shipped preset the database is made from (`portal`, `lmp`,
    /// `msp`, `moodle`, `customer-area`). Needed when the database is new;
    /// otherwise it must be the database's.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "String")]
    pub preset: Option<String>,
    /// The catalog of a database made from one of the user's own (`init
    /// --preset-file`), in that file's format, so that a copy is made
    /// from it: `export` writes it beside its `preset` name. Needed to
    /// make a new database from such a catalog; otherwise it must be the
    /// database's.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "serde_json::Value")]
    pub catalog: Option<serde_json::Value>,
    /// The database's settings (`settings set`), by key, each value
    /// written as `settings set` takes it: `mail-from`, `support-email`,
    /// `mail-max-attempts`, `mail-retry-after`. The operator's alone: a
    /// member's file that lists any is refused. A setting left out stays
    /// as it is, and one given as `null` is unset, as `settings unset`
    /// unsets it (a JSON merge patch's `null`); `export` writes those set
    /// to other than their default, and never a `null`.
    #[serde(
        default,
        skip_serializing_if = "BTreeMap::is_empty",
        deserialize_with = "setting_values"
    )]
    pub settings: BTreeMap<String, Option<String>>,
    /// Custom roles, made as `role create` makes them, and the deleted
    /// roles whose names are not reused; made once the accounts they
    /// belong to are, before any account's users. A live role listed as
    /// deleted is deleted once the users are applied, so that the same
    /// file may give its holders other roles first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub roles: Vec<FixtureRole>,
    /// Accounts, parents before their customers.
    #[serde(default)]
    pub accounts: Vec<FixtureAccount>,
    /// People flagged as another's duplicate or merged into another, keyed
    /// by email: what is said of a person rather than of a membership.
    /// Applied once every account's users are, and before any order, so
    /// that an order placed by a duplicate since merged is the kept
    /// person's own as it is restored.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub people: Vec<FixturePerson>,
}

/// A person flagged as a duplicate of another (`user flag-duplicate`), or
/// merged into another (`user merge`). A person merged away keeps their
/// email, so that the orders and decisions that name them still do.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixturePerson {
    /// The key: the person's email.
    pub email: String,
    /// Their name: what a person merged away, whom no account lists any
    /// more, is restored with.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "String")]
    pub name: Option<String>,
    /// Flagged as a duplicate of this person, and not merged yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<String>,
    /// Merged into this person: retired, their memberships, and the orders
    /// they placed, the kept person's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
}

/// A custom role, or a deleted one. No command edits a role, so an
/// existing role described otherwise (its capabilities, description or
/// account) is refused rather than changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureRole {
    /// Lower-case letters, digits and dashes.
    pub name: String,
    /// What the role is for; left out, nothing.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Its capabilities, such as `account.view`.
    pub capabilities: Vec<String>,
    /// The account it belongs to; left out, the operator's (a member's
    /// own account, in an apply run `--as` them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// Deleted (`role delete`): no longer offered, and its name is not
    /// reused. A live role listed so is deleted, as `role delete` would;
    /// a new one is made deleted, so that the name stays taken. A deleted
    /// role is not made live again, so a file that lists one without
    /// this is refused.
    #[serde(default, skip_serializing_if = "is_no")]
    pub deleted: bool,
}

/// An account, with everything in it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureAccount {
    /// Unique name.
    pub name: String,
    /// `partner` or `customer`; left out, the preset's kind (a customer
    /// when it has a parent).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "AccountKind")]
    pub kind: Option<AccountKind>,
    /// The partner a customer belongs to; `null` or `""` says it has
    /// none. An account's parent does not change, so an existing
    /// account's is checked against it when given, `null` too.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_clears"
    )]
    pub parent: Option<String>,
    /// ISO 4217 code; left out, the parent's, else GBP.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "String")]
    pub currency: Option<String>,
    /// The owner's email: one of `users`, else added as one (the
    /// catalog's default role, or its owner role where it has no default;
    /// active). The first account's owner is the database's owner, made
    /// by `init`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "String")]
    pub owner: Option<String>,
    /// Contact details; a field left out is left as it is.
    #[serde(default, skip_serializing_if = "FixtureProfile::is_empty")]
    pub profile: FixtureProfile,
    /// Members, each keyed by email.
    #[serde(default)]
    pub users: Vec<FixtureUser>,
    /// Shipping addresses, keyed by label.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub addresses: Vec<FixtureAddress>,
    /// Services, keyed by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<FixtureService>,
    /// Cost centres, keyed by code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cost_centres: Vec<FixtureCostCentre>,
    /// Approval policies, keyed by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<FixturePolicy>,
    /// Orders, keyed by `ref`, placed after the policies (which decide
    /// whether they wait for approval), once every account's users and
    /// the file's `people` are there (an order placed by a duplicate
    /// since merged is the kept person's own).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub orders: Vec<FixtureOrder>,
    /// A partner's licences, keyed by product, with the seats each of its
    /// customers holds; applied once every account is made.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<FixtureLicense>,
    /// A partner's contracted prices, keyed by product (the operator's
    /// to set).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prices: Vec<FixturePrice>,
    /// A customer's external admins: members of its partner given a role
    /// on it (`external-admin add`), keyed by email.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub external_admins: Vec<FixtureExternalAdmin>,
    /// Delegations of deciding orders that hold or are to come (`order
    /// delegate`), keyed by who delegates, to whom and from when; applied
    /// after the policies, which make their delegators deciders.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delegations: Vec<FixtureDelegation>,
    /// A partner's config: its IP addresses and mail smarthost (`account
    /// ip add`, `account smarthost set`).
    #[serde(default, skip_serializing_if = "FixturePartnerConfig::is_empty")]
    pub config: FixturePartnerConfig,
    /// How the account pays (`account payment set`); left out, its
    /// payment details stay as they are. The operator's `export` writes
    /// them whole, the IBAN unmasked, so that a copy pays as the
    /// original does; a member's export leaves them out, since members
    /// see an IBAN only masked.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "FixturePayment")]
    pub payment: Option<FixturePayment>,
}

/// An account's payment details.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixturePayment {
    /// `direct-debit`, `bank-transfer`, `card` or `invoice`.
    pub method: String,
    /// The bank account's IBAN, whole: a direct debit needs one, a bank
    /// transfer may keep one, card and invoice take none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iban: Option<String>,
}

/// A member of the customer's partner with a role on the customer
/// account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureExternalAdmin {
    /// The key: an active member of the partner.
    pub email: String,
    /// Their role on the customer account.
    pub role: String,
    /// When their access ends by itself (RFC 3339); left out, it lasts.
    /// Once it has passed, their access has ended: apply gives none, and
    /// ends access still held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<String>,
}

/// One member lets another decide, for a while, the orders they could
/// decide.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureDelegation {
    /// Whose deciding is lent: a member who decides orders.
    #[serde(rename = "for")]
    pub delegator: String,
    /// Who may decide for them: another member with access.
    pub to: String,
    /// From when it holds (RFC 3339, inclusive).
    pub from: String,
    /// Until when it holds (RFC 3339, exclusive). One that is over by the
    /// time the file is applied is history, which apply leaves alone.
    pub until: String,
    /// Who set it up (an email), whose own orders it never lends deciding
    /// on; left out, whoever applies the file (the operator: no one).
    /// Only the operator names someone other than themselves.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set_by: Option<String>,
}

/// A partner's config. Addresses listed are added; `--prune` removes the
/// others.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixturePartnerConfig {
    /// Inbound IP addresses or CIDR ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inbound: Vec<String>,
    /// Outbound IP addresses or CIDR ranges.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub outbound: Vec<String>,
    /// The mail smarthost, `HOST[:PORT]`; left out, left as it is.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "String")]
    pub smarthost: Option<String>,
}

impl FixturePartnerConfig {
    /// Nothing is configured.
    pub(crate) fn is_empty(&self) -> bool {
        *self == FixturePartnerConfig::default()
    }
}

/// A shipping address of the account. Addresses are not edited in place:
/// one the file describes otherwise is removed and added again, as an
/// admin would, and orders keep the copy they were placed with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureAddress {
    /// The key: unique (without case) in the account, such as `HQ`.
    pub label: String,
    /// First line.
    pub line1: String,
    /// Second line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line2: Option<String>,
    /// City.
    pub city: String,
    /// Postcode.
    pub postcode: String,
    /// ISO 3166 alpha-2 country code.
    pub country: String,
}

/// Seats of a product a partner bought, and who holds them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureLicense {
    /// The key: the product's name.
    pub product: String,
    /// Seats bought. Seats are bought, never handed back, so a file may
    /// raise this but not lower it.
    #[serde(deserialize_with = "count")]
    #[schemars(range(min = 0))]
    pub seats: i64,
    /// Exactly the customers holding seats (any other holds none), keyed
    /// by customer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allocations: Vec<FixtureAllocation>,
}

/// The seats of a licence one customer holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureAllocation {
    /// The customer account: one of the partner's.
    pub customer: String,
    /// Seats held.
    #[serde(deserialize_with = "count")]
    #[schemars(range(min = 0))]
    pub seats: i64,
    /// Label of one of the partner's addresses the seats are shipped to;
    /// left out, where they are shipped stays as it is.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "String")]
    pub ship_to: Option<String>,
}

/// A partner's contracted price of a product.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixturePrice {
    /// The key: the product's name.
    pub product: String,
    /// The price in the partner's currency, such as `"12.50"`.
    #[serde(deserialize_with = "amount_text")]
    #[schemars(with = "String")]
    pub price: String,
}

/// An account's contact details; `""` or `null` clears a field, and one
/// left out is left as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureProfile {
    /// Phone number.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_clears"
    )]
    pub phone: Option<String>,
    /// Web site.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_clears"
    )]
    pub website: Option<String>,
    /// Marketing message.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_clears"
    )]
    pub marketing: Option<String>,
    /// Sectors served.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_clears"
    )]
    pub sectors: Option<String>,
    /// Whom invoices go to (an email address).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_clears"
    )]
    pub billing_contact: Option<String>,
    /// A partner's status, such as `Technical` or `Sales` (partners only).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_clears"
    )]
    pub status: Option<String>,
}

impl FixtureProfile {
    /// No field is given.
    pub(crate) fn is_empty(&self) -> bool {
        *self == FixtureProfile::default()
    }
}

/// Where a fixture's member stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum FixtureStatus {
    /// Active at once, without an invitation.
    #[default]
    Active,
    /// Invited: an invitation is made and its email queued (tokens are
    /// never in files).
    Invited,
    /// Deactivated.
    Deactivated,
    /// Left the company: the blocking role, no access.
    Left,
    /// Invited, and the invitation withdrawn (`user revoke-invite`)
    /// before it was accepted: no access, and never joined.
    Revoked,
}

/// A member of the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureUser {
    /// Their email: the key.
    pub email: String,
    /// Their full name.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "String")]
    pub name: Option<String>,
    /// The name an `invited` member's invitation gave them, where it is
    /// not `name`, the one they gave themselves elsewhere: the account
    /// knows them by it until they accept. `""` when it gave none. Only
    /// an export whose actor may read both names writes it (the
    /// operator's); left out, the invitation is named `name`.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_clears"
    )]
    pub invited_name: Option<String>,
    /// The address an `invited` member's invitation went to, where it is
    /// not `email`: one merged into them, by which the account knows them
    /// until they accept. Only an export whose actor may read both
    /// addresses writes it (the operator's), and only the operator's
    /// apply gives it: the invitation's email goes to it.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "String")]
    pub invited_email: Option<String>,
    /// Their role; left out, the catalog's default role (a new member
    /// needs one), or in a catalog without one the role they have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// When `role` lapses by itself (RFC 3339), back to `role_after`;
    /// left out, the role is held for good. Once it has passed, the
    /// member holds `role_after` for good.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_until: Option<String>,
    /// The role held for good, again from `role_until`; needed with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_after: Option<String>,
    /// `active` (the default), `invited`, `deactivated` or `left`.
    #[serde(default)]
    pub status: FixtureStatus,
    /// When an `invited` member was invited (RFC 3339, not after the
    /// apply); `export` writes it. Given, the invitation is one made
    /// then, restored as it was: no email is queued for it, since it went
    /// (or was handed over) when it was made, and its token was never in
    /// the file; `user resend-invite` sends a new one. It lasts 7 days
    /// from then unless `invitation_expires_at` says otherwise. Left
    /// out, the invitation is made by the apply and mailed (unless
    /// `--no-send`). Only the operator's apply restores one. A member
    /// invited already keeps the invitation they have. On a `left`
    /// member, it says they left before accepting: the apply makes the
    /// invitation then and ends it, and they never joined.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "String")]
    pub invited_at: Option<String>,
    /// When the pending invitation of an `invited` member expires (RFC
    /// 3339); `export` writes it. Left out, an invitation the file makes
    /// lasts 7 days from the apply (from `invited_at`, when given). One
    /// that has passed is made expired: no email is queued, and its token
    /// is refused as expired, until `user resend-invite` sends a new one.
    /// A member invited already keeps the invitation they have.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "String")]
    pub invitation_expires_at: Option<String>,
    /// Areas (or capabilities, where the catalog allows) on top of the
    /// role: exactly these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<String>,
    /// When each time-bound grant of `grants` lapses (RFC 3339); the
    /// others are held for good. A grant whose time has passed has
    /// lapsed: it is not held.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub grants_until: BTreeMap<String, String>,
    /// City, for catalogs that need one. `null` or `""` says the member
    /// has none (as for `country` and `timezone`): no command clears a
    /// location, so one the member has is refused there.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_clears"
    )]
    pub city: Option<String>,
    /// ISO 3166 alpha-2 country code.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_clears"
    )]
    pub country: Option<String>,
    /// IANA timezone; derived from the city and country when left out.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "null_clears"
    )]
    pub timezone: Option<String>,
    /// Progress on courses they are enrolled in (`course progress`), or
    /// will be again once a time-bound role lapses, keyed by course;
    /// applied once the role has enrolled them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub courses: Vec<FixtureCourse>,
}

impl FixtureAccount {
    /// The partner the entry names: none where `parent` is left out,
    /// `null` or `""`.
    pub(crate) fn parent(&self) -> Option<&str> {
        given(&self.parent)
    }
}

impl FixtureUser {
    /// The city the entry gives: none where it is left out, `null` or
    /// `""` (see [`FixtureUser::clears`]).
    pub(crate) fn city(&self) -> Option<&str> {
        given(&self.city)
    }

    /// The country the entry gives, as [`FixtureUser::city`].
    pub(crate) fn country(&self) -> Option<&str> {
        given(&self.country)
    }

    /// The timezone the entry gives, as [`FixtureUser::city`].
    pub(crate) fn timezone(&self) -> Option<&str> {
        given(&self.timezone)
    }

    /// The location fields the entry gives as `null` or `""`, saying the
    /// member has none there, by name.
    pub(crate) fn clears(&self) -> Vec<&'static str> {
        [
            ("city", &self.city),
            ("country", &self.country),
            ("timezone", &self.timezone),
        ]
        .into_iter()
        .filter(|(_, v)| v.as_deref().is_some_and(str::is_empty))
        .map(|(name, _)| name)
        .collect()
    }
}

/// A field's value where one is given: `""` (or `null`, read as `""`) is
/// none.
fn given(field: &Option<String>) -> Option<&str> {
    field.as_deref().filter(|v| !v.is_empty())
}

/// A member's progress on one course.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureCourse {
    /// The key: the course's name.
    pub course: String,
    /// How far, 0 to 100; 100 completes it.
    #[serde(deserialize_with = "count")]
    #[schemars(range(min = 0, max = 100))]
    pub percent: i64,
    /// When it was completed (RFC 3339, not after the apply), with
    /// `percent` 100; `export` writes it. Left out, a course completed by
    /// the file is completed when the file is applied, and one completed
    /// already keeps its time. Only the operator's apply restores an
    /// earlier completion.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "String")]
    pub completed_at: Option<String>,
}

/// A service of the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureService {
    /// The service's number in its account (`service list`'s ID, which
    /// commands take instead of the name; each account numbers its own),
    /// which `export` writes so that a copy keeps it: the operator's
    /// apply adds a new service under it, refused (exit 4) when another
    /// service of the account has it; an existing one must have it. Left
    /// out, a new service takes the account's next number. From 1 to
    /// 9007199254740991 (2^53 - 1, the largest number every JSON reader
    /// keeps exactly).
    #[serde(
        default,
        deserialize_with = "some_count",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(range(min = 1, max = 9_007_199_254_740_991_i64))]
    pub id: Option<i64>,
    /// Unique within the account.
    pub name: String,
    /// What kind, such as `broadband`. No command changes a service's
    /// kind, so an existing service given another is refused; left out,
    /// it is left as it is.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "not_null"
    )]
    #[schemars(with = "String")]
    pub kind: Option<String>,
    /// The member it is assigned to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<String>,
    /// When the assignment lapses by itself (RFC 3339). Once it has
    /// passed, the service is assigned to no one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_until: Option<String>,
}

/// A cost centre of the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureCostCentre {
    /// Unique within the account.
    pub code: String,
    /// What it is.
    pub name: String,
    /// Archived (`cost-centre archive`): it takes no new orders, and the
    /// orders placed on it keep it. Left out, it is active. An archived
    /// cost centre is not made active again, so a file that lists one
    /// without this is refused.
    #[serde(default, skip_serializing_if = "is_no")]
    pub archived: bool,
}

/// An approval policy of the account.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixturePolicy {
    /// Unique within the account.
    pub name: String,
    /// Orders above this amount need approval, such as `"50.00"`.
    #[serde(deserialize_with = "amount_text")]
    #[schemars(with = "String")]
    pub threshold: String,
    /// Only orders of this type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_type: Option<String>,
    /// Named approvers; empty, every holder of `orders.approve`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// Distinct approvals needed; left out, 1.
    #[serde(
        default,
        deserialize_with = "some_count",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(range(min = 1))]
    pub required_approvals: Option<i64>,
    /// Whether it applies; left out, true.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub enabled: bool,
}

/// An order: as it was placed and, once decided, as it was decided.
/// Placed orders do not change, and a file decides none: members decide
/// them with `order approve`, `order reject` and `order cancel`. What was
/// decided is part of the state `export` writes, so that `export | apply`
/// brings it back: `status`, `decisions` and the rest are written for an
/// order with decisions or no longer pending, and only the operator's
/// apply restores an order that has them. An order the file gives none of
/// these is compared as placed only, whatever was decided since.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(transform = order_type_alias)]
pub(crate) struct FixtureOrder {
    /// The key: an external reference unique within the account, or `#N`
    /// for the account's order N (each account numbers its own), which
    /// `export` writes for an order placed without a reference (with no
    /// order N in the account it is placed as its order N). A reference
    /// that itself starts with `#`,
    /// which older databases allowed, is written with one more: `##7` is
    /// the reference `#7`.
    #[serde(rename = "ref")]
    pub reference: String,
    /// Who placed it: a member of the account, or `operator:NAME` for an
    /// order the operator placed. A member's apply places only their own.
    pub created_by: String,
    /// What is ordered.
    pub description: String,
    /// The amount in the account's currency, such as `"60.00"`.
    #[serde(deserialize_with = "amount_text")]
    #[schemars(with = "String")]
    pub amount: String,
    /// Its order type (`type`, as orders name it everywhere), matched
    /// against policies' `order_type`. Files written before this name
    /// still read as `order_type`.
    #[serde(
        rename = "type",
        alias = "order_type",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub order_type: Option<String>,
    /// Its cost centre's code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_centre: Option<String>,
    /// The copy of the shipping address it was placed with (`order place
    /// --ship-to`), which `export` writes as the order keeps it, even when
    /// the account's address was edited or removed since. A new order
    /// ships to the account's address of that label, which must be as the
    /// copy says; only the operator's apply restores an order with a copy
    /// that differs from it. Left out, an order placed before is compared
    /// without it and a new one ships nowhere.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ship_to: Option<FixtureAddress>,
    /// When it was placed (RFC 3339), which `export` writes for every
    /// order; left out, it is placed when the file is applied. Only the
    /// operator's apply restores an order placed before.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placed_at: Option<String>,
    /// Where it stands: `approved`, `rejected` or `cancelled`; left out,
    /// `pending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// Every decision on it, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub decisions: Vec<FixtureDecision>,
    /// Why it was rejected (with `status: rejected`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejected_reason: Option<String>,
    /// Who cancelled it (with `status: cancelled`): an email, or
    /// `operator:NAME`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_by: Option<String>,
    /// Why it was cancelled, if they said.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancelled_reason: Option<String>,
    /// When it was approved, rejected or cancelled (RFC 3339); needed
    /// with a `status` other than `pending`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
    /// The policies that held it, as it recorded them: an order keeps the
    /// policies it was placed under, and a decided one keeps them as they
    /// were when it was decided, whatever was edited, disabled or enabled
    /// since. `export` writes them where they differ from what the
    /// file's policies would hold the order by now; left out, the order
    /// is held by those. Only the operator's apply restores them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub held_by: Option<Vec<FixtureHold>>,
}

/// A policy as it held an order (see [`FixtureOrder::held_by`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureHold {
    /// The policy, by its name now: one of the account's `policies`.
    pub policy: String,
    /// The name the order knew it by, where the policy was renamed
    /// since; its decisions' `policies` name it so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named: Option<String>,
    /// Its named approvers for the order; empty, every holder of
    /// `orders.approve`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
    /// The distinct approvals it needed of the order.
    #[serde(deserialize_with = "count")]
    #[schemars(range(min = 1))]
    pub required_approvals: i64,
    /// When it stopped holding the order (RFC 3339): it was disabled, or
    /// edited so that it no longer matched, while the order waited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released_at: Option<String>,
}

impl FixtureOrder {
    /// Whether the entry says what was decided on the order, rather than
    /// only how it was placed.
    pub(crate) fn describes_decisions(&self) -> bool {
        self.status.is_some()
            || !self.decisions.is_empty()
            || self.rejected_reason.is_some()
            || self.cancelled_by.is_some()
            || self.cancelled_reason.is_some()
            || self.decided_at.is_some()
            || self.held_by.is_some()
    }
}

/// One approver's decision on an order, as `order show` lists it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(crate) struct FixtureDecision {
    /// Who decided: a member of the account.
    pub by: String,
    /// Approved (true) or rejected (false).
    pub approved: bool,
    /// The delegator they decided for, as a delegate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_behalf_of: Option<String>,
    /// When (RFC 3339).
    pub at: String,
    /// The policies an approval counted toward, by name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policies: Vec<String>,
}

/// schemars leaves serde's aliases out of the schema, and with unknown
/// fields refused a file using the alias would not validate: the schema
/// allows `order_type` as `apply` reads it, the same as `type`, and not
/// both (serde refuses the second as a duplicate field).
fn order_type_alias(schema: &mut schemars::Schema) {
    let Some(serde_json::Value::Object(properties)) = schema.get_mut("properties") else {
        return;
    };
    let Some(mut alias) = properties.get("type").cloned() else {
        return;
    };
    if let Some(fields) = alias.as_object_mut() {
        fields.insert(
            "description".into(),
            "The name of `type` in files written before it; not with `type`.".into(),
        );
        fields.insert("deprecated".into(), true.into());
    }
    properties.insert("order_type".into(), alias);
    schema.insert(
        "not".into(),
        serde_json::json!({"required": ["type", "order_type"]}),
    );
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

fn is_no(b: &bool) -> bool {
    !*b
}

/// Reads an amount, which a file writes as a decimal string (`"100.00"`):
/// exact, where a JSON number may not be. A number is refused, with the
/// string to write instead where there is one that is the same amount and
/// would be read (see [`written_as_string`]).
fn amount_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct AmountText;
    impl serde::de::Visitor<'_> for AmountText {
        type Value = String;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an amount as a string, such as \"100.00\"")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<String, E> {
            Ok(v.to_string())
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<String, E> {
            Err(written_as_string(&v.to_string()))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<String, E> {
            Err(written_as_string(&v.to_string()))
        }
        fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<String, E> {
            // Display writes the shortest decimal that reads back as `v`,
            // never with an exponent: `1e20` as its twenty-one digits.
            Err(written_as_string(&v.to_string()))
        }
    }
    d.deserialize_any(AmountText)
}

/// Reads a count (seats, a percent, approvals): every integer field of a
/// file is one, so each says in the file's words what a count is, where
/// serde would name a Rust type (`expected i64`) or let a negative
/// through to a rule about something else. The bounds of each field are
/// its command's. It is read from the file's own text (see
/// [`count_in_text`]).
fn count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    let raw = Box::<serde_json::value::RawValue>::deserialize(d)?;
    count_in_text(raw.get())
}

/// The count `text` (one JSON value as the file writes it) gives. A
/// number with a fraction or an exponent that is whole (`1.0`, `1e0`) is
/// that whole number, as JSON reads it (findings A7: `1.0` was refused as
/// "not 1"). A refusal quotes the text itself: the number serde reads
/// from it may be another (`99999999999999999999` reads as 1e20).
fn count_in_text<E: serde::de::Error>(text: &str) -> Result<i64, E> {
    use serde::de::Unexpected;
    use serde_json::Value;
    const EXPECTED: &str = "a whole number, such as 10";
    let negative = text.starts_with('-');
    if !(negative || text.starts_with(|c: char| c.is_ascii_digit())) {
        // Not a number: refused as serde refuses any other type.
        let value: Value = serde_json::from_str(text).map_err(E::custom)?;
        let unexpected = match &value {
            Value::Null => Unexpected::Unit,
            Value::Bool(b) => Unexpected::Bool(*b),
            Value::String(s) => Unexpected::Str(s),
            Value::Array(_) => Unexpected::Seq,
            Value::Object(_) => Unexpected::Map,
            Value::Number(_) => Unexpected::Other("number"),
        };
        return Err(E::invalid_type(unexpected, &EXPECTED));
    }
    let too_large = || E::custom(format!("{text} is too large a number"));
    let below_zero = || E::custom(format!("cannot be negative (got {text})"));
    let digits = &text[usize::from(negative)..];
    if digits.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i64>() {
            Ok(n) if n < 0 => Err(below_zero()),
            Ok(n) => Ok(n),
            Err(_) if negative => Err(below_zero()),
            Err(_) => Err(too_large()),
        };
    }
    let Ok(v) = text.parse::<f64>() else {
        return Err(E::invalid_value(Unexpected::Other(text), &EXPECTED));
    };
    // Beyond 2^53 a double no longer holds every whole number, so the
    // count read would not be the one written.
    const EXACT: f64 = 9_007_199_254_740_991.0;
    if !v.is_finite() || v.fract() != 0.0 {
        Err(E::custom(format!("a whole number is expected, not {text}")))
    } else if v < 0.0 {
        Err(below_zero())
    } else if v > EXACT {
        Err(too_large())
    } else {
        // Whole, and within what an i64 holds exactly: the cast is exact.
        Ok(v as i64)
    }
}

/// A text field a file clears: `null` reads as `""`, which clears it, as
/// a JSON merge patch's `null` unsets a key (and a setting's does); left
/// out, the field is left as it is.
fn null_clears<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(Some(Option::<String>::deserialize(d)?.unwrap_or_default()))
}

/// A field that is left as it is when left out and that no file clears:
/// `null` is refused at its path, rather than read as left out, so that
/// a file meaning to clear it is not silently ignored.
fn not_null<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    match Option::<T>::deserialize(d)? {
        Some(value) => Ok(Some(value)),
        None => Err(serde::de::Error::custom(NOT_CLEARED)),
    }
}

/// The refusal of `null` for a field no file clears.
const NOT_CLEARED: &str =
    "`null` cannot clear this field: give a value, or leave the key out to keep it as it is";

/// [`count`] of a field that may be `null` or left out.
fn some_count<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct SomeCount(i64);
    impl<'de> Deserialize<'de> for SomeCount {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            count(d).map(SomeCount)
        }
    }
    Ok(Option::<SomeCount>::deserialize(d)?.map(|c| c.0))
}

/// Reads the `settings` object, whose values a file writes as strings, as
/// `settings set` takes them, or as `null` to unset one: a number
/// (`"mail-max-attempts": 9`) is refused with the string to write.
fn setting_values<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<BTreeMap<String, Option<String>>, D::Error> {
    struct SettingText(Option<String>);
    impl<'de> Deserialize<'de> for SettingText {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(SettingVisitor).map(SettingText)
        }
    }
    struct SettingVisitor;
    impl serde::de::Visitor<'_> for SettingVisitor {
        type Value = Option<String>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a setting's value as a string, such as \"5m\", or null to unset it")
        }
        fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Option<String>, E> {
            Ok(Some(v.to_string()))
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_none<E: serde::de::Error>(self) -> Result<Option<String>, E> {
            Ok(None)
        }
        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Option<String>, E> {
            Err(E::custom(format!(
                "settings are written as strings: \"{v}\", not the number {v}"
            )))
        }
        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Option<String>, E> {
            Err(E::custom(format!(
                "settings are written as strings: \"{v}\", not the number {v}"
            )))
        }
    }
    let read = BTreeMap::<String, SettingText>::deserialize(d)?;
    Ok(read.into_iter().map(|(k, v)| (k, v.0)).collect())
}

/// The refusal of an amount written as the number `given` (as decimal
/// text). The string to write is offered only when it is the same amount
/// and would itself be read as one; a number that is no amount as a
/// string either (`12.345`, `-3`, `1e20`) is told only that amounts are
/// strings. A whole number is offered without decimals, which every
/// currency reads.
fn written_as_string<E: serde::de::Error>(given: &str) -> E {
    let meant = match given.split_once('.') {
        Some((_, decimals)) if decimals.len() == 1 => format!("{given}0"),
        _ => given.to_string(),
    };
    match meant.parse::<super::Money>() {
        Ok(_) => E::custom(format!(
            "amounts are written as strings: \"{meant}\", not the number {given}"
        )),
        Err(_) => E::custom(format!(
            "amounts are written as strings, such as \"120.00\", and the number {given} is not an amount"
        )),
    }
}
