//! What commands print: domain values shaped for a table or a JSON document,
//! each beside the `Row`, `Fields` or `Sections` impl that says how it
//! prints as a table. The printing itself is `crate::output`'s.
//!
//! Field names are the stable snake_case names scripts rely on; the design
//! lists them and more may follow.

mod account;
mod audit;
mod catalog;
mod delegation;
mod fixture;
mod license;
mod member;
mod order;
mod outbox;
mod status;

pub(crate) use account::{
    AccountDetailsView, AccountView, AddressView, IpView, PartnerConfigView, PaymentView,
    ProductView, RfiView,
};
pub(crate) use audit::{
    audit_csv_record, member_audit_csv_record, AuditHeadView, AuditLogView, AuditVerifiedView,
    MemberEventView, AUDIT_CSV_HEADERS, MEMBER_AUDIT_CSV_HEADERS,
};
pub(crate) use catalog::{
    BundleView, CapabilityView, CourseProgressView, CourseView, EnrolmentView, FormerOwnerView,
    InitView, PresetView, RoleView,
};
pub(crate) use delegation::{DelegationView, InboxView};
pub(crate) use fixture::{ApplyView, PlanKind, PlanLine, PlanObject, Pruned};
pub(crate) use license::{AllocationView, LicenseView, PriceLine, PriceView};
pub(crate) use member::{
    CanView, DelegationPassedOn, ExternalEndedView, GrantView, HistoryView, InvitedAs, InvitedView,
    MemberView, MergeView, OrderPassedOn, PolicyPassedOn, ServicePassedOn,
};
pub(crate) use order::{
    eases_in_words, released_orders, CostCentreView, DeciderView, DecisionView, IdleApprover,
    OrderView, PolicyChange, PolicyProgress, PolicyView, ServiceView,
};
pub(crate) use outbox::{SendView, SettingView};
pub(crate) use status::StatusView;

use crate::model::{ShippingAddress, Timestamp};

// The cells shared by several views; `-` stands for nothing.

fn opt(value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| "-".into())
}

fn opt_time(value: Option<Timestamp>) -> String {
    value.map(|t| t.to_string()).unwrap_or_else(|| "-".into())
}

/// How many policies a stuck order's warning or refusal names, each with
/// the command that eases it, before it says "and N others": an order
/// held by many policies gets a warning of a few lines, as `order show`
/// caps its deciders (findings A10).
pub(crate) const POLICIES_NAMED: usize = 3;

/// The first `limit` of `items`, joined with commas, then "and N others"
/// for the rest.
pub(crate) fn capped(items: &[String], limit: usize) -> String {
    let shown = items[..items.len().min(limit)].join(", ");
    match items.len().saturating_sub(limit) {
        0 => shown,
        1 => format!("{shown}, and 1 other"),
        n => format!("{shown}, and {n} others"),
    }
}

fn list_or_dash(items: &[String]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.join(", ")
    }
}

/// A field with one value per line: the name on the first line, nothing on
/// the lines after. A table cell is one line (see `crate::output`, which
/// escapes any newline inside one), so a field with several values takes
/// several rows. `-` stands for none.
fn lines(name: &'static str, items: Vec<String>) -> Vec<(&'static str, String)> {
    if items.is_empty() {
        return vec![(name, "-".into())];
    }
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| (if i == 0 { name } else { "" }, item))
        .collect()
}

fn yes_no(flag: bool) -> String {
    if flag { "yes" } else { "no" }.into()
}

fn one_line(a: &ShippingAddress) -> String {
    let mut parts = vec![a.line1.clone()];
    parts.extend(a.line2.clone());
    parts.extend([a.city.clone(), a.postcode.clone(), a.country.clone()]);
    parts.join(", ")
}
