//! What commands print: domain values shaped for a table or a JSON document.
//!
//! Field names are the stable snake_case names scripts rely on; the design
//! lists them and more may follow.

use serde::Serialize;

use crate::model::{
    ser_opt_time, AccountKind, IpDirection, MemberStatus, Money, OrderStatus, ShippingAddress,
    Timestamp,
};

/// One membership: a person's place in one account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MemberView {
    /// Normalised email.
    pub email: String,
    /// Display name.
    pub name: String,
    /// Account name.
    pub account: String,
    /// Role name.
    pub role: String,
    /// Where the membership stands.
    pub status: MemberStatus,
    /// Grants on top of the role (capabilities or areas).
    pub grants: Vec<String>,
    /// Owner of the account.
    pub owner: bool,
    /// When the first invitation was issued.
    #[serde(serialize_with = "ser_opt_time")]
    pub invited_at: Option<Timestamp>,
    /// When the invitation was accepted.
    #[serde(serialize_with = "ser_opt_time")]
    pub accepted_at: Option<Timestamp>,
    /// City.
    pub city: Option<String>,
    /// ISO 3166 alpha-2 country.
    pub country: Option<String>,
    /// IANA timezone.
    pub timezone: Option<String>,
    /// The partner account an external admin comes from.
    pub external_from: Option<String>,
    /// Flagged as a duplicate of this email.
    pub duplicate_of: Option<String>,
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
}

/// An external admin membership on a customer account that ended because
/// its person stopped being an active member of the partner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ExternalEndedView {
    /// The customer account.
    pub customer: String,
    /// The role they held there.
    pub role: String,
    /// True when the customer has no active member holding `users.manage`
    /// any more: the partner's `external_admins.manage` holders must add one.
    pub left_without_admin: bool,
}

/// One grant of a membership and what it gives.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GrantView {
    /// The grant as given: an area name or a capability.
    pub name: String,
    /// True for an area (a named bundle of capabilities).
    pub area: bool,
    /// The capabilities it gives.
    pub capabilities: Vec<String>,
    /// When it lapses by itself, if ever.
    #[serde(serialize_with = "ser_opt_time")]
    pub expires_at: Option<Timestamp>,
}

/// A course of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CourseView {
    /// Name.
    pub name: String,
    /// What it covers.
    pub description: String,
    /// Given to every role but the blocking one, including custom roles.
    pub all_roles: bool,
    /// The roles it is given to (every non-blocking role when `all_roles`).
    pub roles: Vec<String>,
    /// The capabilities that make up the portal area the course opens.
    pub area_capabilities: Vec<String>,
}

/// One enrolment of a member in a course.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EnrolmentView {
    /// The member.
    pub email: String,
    /// The account of the membership.
    pub account: String,
    /// The course.
    pub course: String,
    /// When it began.
    #[serde(serialize_with = "crate::model::ser_time")]
    pub enrolled_at: Timestamp,
    /// When it ended; `None` while current.
    #[serde(serialize_with = "ser_opt_time")]
    pub ended_at: Option<Timestamp>,
    /// Still enrolled.
    pub current: bool,
    /// Of the capabilities of the course's portal area, those the member
    /// holds now (`None` when the course opens no area or the enrolment
    /// has ended): Marketing sees
    /// partner details and "my clicks" of Clients and Invoices, never
    /// invoices.
    pub area_access: Option<Vec<String>>,
}

/// A new invitation: the member plus the token, shown this once.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvitedView {
    /// The invited membership.
    #[serde(flatten)]
    pub member: MemberView,
    /// The acceptance token; never stored, never shown again.
    pub token: String,
    /// When the token stops working.
    #[serde(serialize_with = "crate::model::ser_time")]
    pub expires_at: Timestamp,
    /// Whether an invitation email was queued in the outbox.
    pub email_queued: bool,
    /// The person already had a login (in another account): it was reused,
    /// and the invitation only adds this membership.
    pub existing_login: bool,
}

/// An account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountView {
    /// Unique name.
    pub name: String,
    /// Partner or customer.
    pub kind: AccountKind,
    /// Parent partner's name.
    pub parent: Option<String>,
    /// ISO 4217 currency.
    pub currency: String,
    /// Owner's email.
    pub owner: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Web site.
    pub website: Option<String>,
    /// Marketing message.
    pub marketing: Option<String>,
    /// Sectors served.
    pub sectors: Option<String>,
    /// A partner's status, such as `Technical` or `Sales`.
    pub partner_status: Option<String>,
    /// Memberships that are active.
    pub active_members: usize,
    /// Created.
    #[serde(serialize_with = "crate::model::ser_time")]
    pub created_at: Timestamp,
}

/// A role of the catalog.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RoleView {
    /// Name.
    pub name: String,
    /// What it is for.
    pub description: String,
    /// Capabilities it holds (every capability for an all-capabilities role).
    pub capabilities: Vec<String>,
    /// Holds every capability, present and future.
    pub all_capabilities: bool,
    /// The blocking role.
    pub blocking: bool,
    /// From the preset rather than `role create`.
    pub builtin: bool,
    /// Memberships holding it, where known (roles of a database).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub members: Option<usize>,
    /// The courses it enrols members in, when the catalog has courses
    /// (`role show`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub courses: Option<Vec<String>>,
}

/// A grant bundle ("area").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BundleView {
    /// Name.
    pub name: String,
    /// What it covers.
    pub description: String,
    /// Capabilities it grants.
    pub capabilities: Vec<String>,
}

/// A role catalog, shipped or loaded from a file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PresetView {
    /// Name.
    pub name: String,
    /// One-line title.
    pub title: String,
    /// What portal it models.
    pub description: String,
    /// The role the account owner gets.
    pub owner_role: String,
    /// The kind of account `init` creates.
    pub account_kind: AccountKind,
    /// Its roles.
    pub roles: Vec<RoleView>,
    /// Its grant bundles.
    pub grant_bundles: Vec<BundleView>,
    /// Invitations need a city and a country, and get a timezone.
    pub require_location: bool,
    /// Its courses.
    pub courses: Vec<CourseView>,
}

/// The answer of `can`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CanView {
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
}

/// The outcome of `user merge`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeView {
    /// The retired duplicate.
    pub merged: String,
    /// The kept person.
    pub into: String,
    /// Accounts whose membership moved to the kept person.
    pub moved: Vec<String>,
    /// Accounts where both were members: the duplicate's membership ended.
    pub ended: Vec<String>,
}

/// The outcome of `init`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InitView {
    /// The preset used.
    pub preset: String,
    /// The first account.
    pub account: AccountView,
    /// Its owner.
    pub owner: MemberView,
    /// False when the database already held exactly this and nothing changed.
    pub created: bool,
}

/// A service of an account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceView {
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
}

/// A cost centre.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CostCentreView {
    /// Code, unique within the account.
    pub code: String,
    /// Display name.
    pub name: String,
    /// Owning account.
    pub account: String,
    /// Archived cost centres take no new orders.
    pub archived: bool,
}

/// An approval policy.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyView {
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
    /// Named approvers; empty means every active holder of `orders.approve`.
    pub approvers: Vec<String>,
    /// Distinct approvals needed.
    pub required_approvals: i64,
    /// Disabled policies match no new order.
    pub enabled: bool,
}

/// How far an order is through one policy it matched.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PolicyProgress {
    /// The policy's name when the order matched it.
    pub name: String,
    /// Approvals it needs.
    pub required_approvals: i64,
    /// Approvals from its eligible approvers so far.
    pub approvals: i64,
}

/// An order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrderView {
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
    /// pending, approved or rejected.
    pub status: OrderStatus,
    /// Emails of those who approved.
    pub approvals: Vec<String>,
    /// Who rejected it.
    pub rejected_by: Option<String>,
    /// Why it was rejected; the creator can read it.
    pub rejected_reason: Option<String>,
    /// The policies it matched when placed.
    pub policies: Vec<PolicyProgress>,
    /// Placed.
    #[serde(serialize_with = "crate::model::ser_time")]
    pub created_at: Timestamp,
    /// Approved or rejected.
    #[serde(serialize_with = "ser_opt_time")]
    pub decided_at: Option<Timestamp>,
}

/// `account show`: the account's details followed by the partner details
/// sections (status, addresses, products, config).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AccountDetailsView {
    /// Details: the account and its contact information.
    #[serde(flatten)]
    pub account: AccountView,
    /// Shipping addresses that are not removed.
    pub addresses: Vec<AddressView>,
    /// Licences: for a partner, what it bought and allocated; for a
    /// customer, the seats it holds.
    pub products: Vec<ProductView>,
    /// A partner's IP addresses and smarthost; `None` for a customer.
    pub config: Option<PartnerConfigView>,
}

/// One product line of `account show`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProductView {
    /// Product name.
    pub product: String,
    /// Seats bought (partner) or held (customer).
    pub seats: i64,
    /// Seats handed to customers (partner only).
    pub allocated: Option<i64>,
    /// Seats not handed out yet (partner only).
    pub available: Option<i64>,
    /// The partner the seats come from (customer only).
    pub supplier: Option<String>,
}

/// A partner's licence for one product and who holds its seats.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LicenseView {
    /// The partner.
    pub account: String,
    /// Product name.
    pub product: String,
    /// Seats bought.
    pub seats: i64,
    /// Seats allocated to customers.
    pub allocated: i64,
    /// Seats bought and not allocated.
    pub available: i64,
    /// Customers holding seats, by name.
    pub allocations: Vec<AllocationView>,
}

/// Seats of a licence held by one customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AllocationView {
    /// The customer account.
    pub customer: String,
    /// Seats held.
    pub seats: i64,
}

/// A shipping address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AddressView {
    /// The account it belongs to.
    pub account: String,
    /// The address fields.
    #[serde(flatten)]
    pub address: ShippingAddress,
    /// Added.
    #[serde(serialize_with = "crate::model::ser_time")]
    pub created_at: Timestamp,
    /// Removed, if it was.
    #[serde(serialize_with = "ser_opt_time")]
    pub removed_at: Option<Timestamp>,
}

/// An account's payment details, with bank details masked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PaymentView {
    /// The account.
    pub account: String,
    /// The payment method, if one was set.
    pub method: Option<String>,
    /// The IBAN with all but its last four characters hidden.
    pub iban_masked: Option<String>,
    /// Last change.
    #[serde(serialize_with = "ser_opt_time")]
    pub updated_at: Option<Timestamp>,
}

/// One IP address of a partner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IpView {
    /// The partner.
    pub account: String,
    /// Inbound or outbound.
    pub direction: IpDirection,
    /// The normalised address or range.
    pub address: String,
}

/// A partner's config: IP addresses and smarthost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PartnerConfigView {
    /// The partner.
    pub account: String,
    /// Inbound IP addresses and ranges.
    pub inbound: Vec<String>,
    /// Outbound IP addresses and ranges.
    pub outbound: Vec<String>,
    /// The mail relay, `HOST[:PORT]`.
    pub smarthost: Option<String>,
}
