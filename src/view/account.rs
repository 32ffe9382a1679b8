//! An account and its partner details: addresses, products, payment,
//! IP addresses and smarthost.

use serde::Serialize;

use super::{list_or_dash, one_line, opt, opt_time, PriceLine};
use crate::model::{AccountKind, IpDirection, ShippingAddress, Timestamp};
use crate::output::{Fields, Row, Sections};

/// An account.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct AccountView {
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
    /// Whom invoices go to: an email address.
    pub billing_contact: Option<String>,
    /// A partner's status, such as `Technical` or `Sales`.
    pub partner_status: Option<String>,
    /// Memberships that are active; `None` (null) for a member who may not
    /// see the account's users, as `status --as` withholds it.
    pub active_members: Option<usize>,
    /// Created.
    pub created_at: Timestamp,
}

impl Row for AccountView {
    fn headers() -> &'static [&'static str] {
        &[
            "NAME", "KIND", "PARENT", "CURRENCY", "OWNER", "ACTIVE MEMBERS",
        ]
    }
    fn cells(&self) -> Vec<String> {
        let name = if self.parent.is_some() {
            format!("  {}", self.name)
        } else {
            self.name.clone()
        };
        vec![
            name,
            self.kind.to_string(),
            opt(&self.parent),
            self.currency.clone(),
            opt(&self.owner),
            self.active_members
                .map_or_else(|| HIDDEN.into(), |n| n.to_string()),
        ]
    }
}

impl Fields for AccountView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("name", self.name.clone()),
            ("kind", self.kind.to_string()),
            ("parent", opt(&self.parent)),
            ("currency", self.currency.clone()),
            ("owner", opt(&self.owner)),
            ("phone", opt(&self.phone)),
            ("website", opt(&self.website)),
            ("marketing", opt(&self.marketing)),
            ("sectors", opt(&self.sectors)),
            ("billing contact", opt(&self.billing_contact)),
            ("partner status", opt(&self.partner_status)),
            (
                "active members",
                self.active_members
                    .map_or_else(|| HIDDEN.into(), |n| n.to_string()),
            ),
            ("created at", self.created_at.to_string()),
        ]
    }
}

/// `account show`: the account's details followed by the partner details
/// sections (status, addresses, products, config).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct AccountDetailsView {
    /// Details: the account and its contact information.
    #[serde(flatten)]
    pub account: AccountView,
    /// Shipping addresses that are not removed; `None` (`null`) where the
    /// reader may not see them, as `account address list` refuses them.
    pub addresses: Option<Vec<AddressView>>,
    /// Licences: for a partner, what it bought and allocated; for a
    /// customer, the seats it holds. `None` (`null`) where the reader may
    /// not see a partner's licences, as `license list` refuses them.
    pub products: Option<Vec<ProductView>>,
    /// A partner's contracted prices, by product; none for a customer;
    /// `None` (`null`) where the reader may not see them.
    pub prices: Option<Vec<PriceLine>>,
    /// A partner's IP addresses and smarthost; `None` for a customer.
    pub config: Option<PartnerConfigView>,
}

impl Sections for AccountDetailsView {
    fn sections(&self) -> Vec<(&'static str, Vec<(String, String)>)> {
        let a = &self.account;
        // The details are the account's fields but its partner status,
        // which has a section of its own.
        let details = without(a.fields(), "partner status");
        let mut sections = vec![("Details", details)];
        if a.kind == AccountKind::Partner {
            sections.push((
                "Status",
                vec![("partner status".into(), opt(&a.partner_status))],
            ));
        }
        sections.push((
            "Address",
            match &self.addresses {
                Some(addresses) => addresses
                    .iter()
                    .map(|v| (v.address.label.clone(), one_line(&v.address)))
                    .collect(),
                None => vec![(HIDDEN.into(), String::new())],
            },
        ));
        let mut products = self.product_lines();
        if self.products.is_none() {
            products.insert(0, ("licences".into(), HIDDEN.into()));
        }
        if self.prices.is_none() {
            products.push(("prices".into(), HIDDEN.into()));
        }
        sections.push(("Products and prices", products));
        match &self.config {
            Some(config) => sections.push(("Config", without(config.fields(), "account"))),
            // A customer has none; a partner's the reader may not see.
            None if a.kind == AccountKind::Partner => {
                sections.push(("Config", vec![(HIDDEN.into(), String::new())]))
            }
            None => {}
        }
        sections
    }
}

/// What a section or count the reader may not see says in a table (here,
/// in `account list` and in `status`), where JSON writes `null`: not `-`,
/// which says there is nothing.
pub(super) const HIDDEN: &str = "hidden";

impl AccountDetailsView {
    /// One line per product: the seats, and its contracted price when it
    /// has one; then the priced products without seats.
    fn product_lines(&self) -> Vec<(String, String)> {
        let prices = self.prices.as_deref().unwrap_or_default();
        let products = self.products.as_deref().unwrap_or_default();
        let price_of = |product: &str| {
            prices
                .iter()
                .find(|p| crate::model::same_name(&p.product, product))
        };
        let mut lines: Vec<(String, String)> = products
            .iter()
            .map(|p| {
                let seats = match (p.allocated, p.available, &p.supplier) {
                    (Some(allocated), Some(available), _) => format!(
                        "{} seats bought, {allocated} allocated, {available} available",
                        p.seats
                    ),
                    (_, _, Some(supplier)) => format!("{} seats from {supplier}", p.seats),
                    _ => format!("{} seats", p.seats),
                };
                let detail = match price_of(&p.product) {
                    Some(price) => format!("{seats}; price {}", price.amount()),
                    None => seats,
                };
                (p.product.clone(), detail)
            })
            .collect();
        for price in prices {
            let has_seats = products
                .iter()
                .any(|p| crate::model::same_name(&p.product, &price.product));
            if !has_seats {
                lines.push((
                    price.product.clone(),
                    format!("price {}, no seats bought", price.amount()),
                ));
            }
        }
        lines
    }
}

/// A section's lines: the fields but the one named `left_out`.
fn without(fields: Vec<(&'static str, String)>, left_out: &str) -> Vec<(String, String)> {
    fields
        .into_iter()
        .filter(|(name, _)| *name != left_out)
        .map(|(name, value)| (name.to_string(), value))
        .collect()
}

/// One product line of `account show`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct ProductView {
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

/// A shipping address.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct AddressView {
    /// The account it belongs to.
    pub account: String,
    /// The address fields.
    #[serde(flatten)]
    pub address: ShippingAddress,
    /// Added.
    pub created_at: Timestamp,
    /// Removed, if it was.
    pub removed_at: Option<Timestamp>,
}

impl Row for AddressView {
    fn headers() -> &'static [&'static str] {
        &["LABEL", "LINE 1", "LINE 2", "CITY", "POSTCODE", "COUNTRY"]
    }
    fn cells(&self) -> Vec<String> {
        let a = &self.address;
        vec![
            a.label.clone(),
            a.line1.clone(),
            opt(&a.line2),
            a.city.clone(),
            a.postcode.clone(),
            a.country.clone(),
        ]
    }
}

impl Fields for AddressView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let a = &self.address;
        let mut fields = vec![
            ("account", self.account.clone()),
            ("label", a.label.clone()),
            ("line 1", a.line1.clone()),
            ("line 2", opt(&a.line2)),
            ("city", a.city.clone()),
            ("postcode", a.postcode.clone()),
            ("country", a.country.clone()),
            ("added at", self.created_at.to_string()),
        ];
        if let Some(removed) = self.removed_at {
            fields.push(("removed at", removed.to_string()));
        }
        fields
    }
}

/// An account's payment details, with bank details masked.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PaymentView {
    /// The account.
    pub account: String,
    /// The payment method, if one was set.
    pub method: Option<String>,
    /// The IBAN with all but its last four characters hidden.
    pub iban_masked: Option<String>,
    /// Last change.
    pub updated_at: Option<Timestamp>,
}

impl Fields for PaymentView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("account", self.account.clone()),
            ("method", opt(&self.method)),
            ("iban", opt(&self.iban_masked)),
            ("updated at", opt_time(self.updated_at)),
        ]
    }
}

/// One IP address of a partner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct IpView {
    /// The partner.
    pub account: String,
    /// Inbound or outbound.
    pub direction: IpDirection,
    /// The normalised address or range.
    pub address: String,
}

impl Row for IpView {
    fn headers() -> &'static [&'static str] {
        &["DIRECTION", "ADDRESS"]
    }
    fn cells(&self) -> Vec<String> {
        vec![self.direction.to_string(), self.address.clone()]
    }
}

/// A partner's config: IP addresses and smarthost.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PartnerConfigView {
    /// The partner.
    pub account: String,
    /// Inbound IP addresses and ranges.
    pub inbound: Vec<String>,
    /// Outbound IP addresses and ranges.
    pub outbound: Vec<String>,
    /// The mail relay, `HOST[:PORT]`.
    pub smarthost: Option<String>,
}

impl Fields for PartnerConfigView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("account", self.account.clone()),
            ("inbound IPs", list_or_dash(&self.inbound)),
            ("outbound IPs", list_or_dash(&self.outbound)),
            ("smarthost", opt(&self.smarthost)),
        ]
    }
}

/// A customer's request for information (RFI), prefilled from its
/// partner's config (seed 002: "The information you provide here will
/// pre-populate into all customer RFIs.").
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RfiView {
    /// The customer account.
    pub customer: String,
    /// Its partner.
    pub partner: String,
    /// The partner's inbound IP addresses and ranges.
    pub inbound: Vec<String>,
    /// The partner's outbound IP addresses and ranges.
    pub outbound: Vec<String>,
    /// The partner's mail relay, `HOST[:PORT]`.
    pub smarthost: Option<String>,
    /// The partner's billing contact.
    pub billing_contact: Option<String>,
}

impl Fields for RfiView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        // A form to fill in: what the partner has not given says so.
        let unset = |v: &Option<String>| v.clone().unwrap_or_else(|| "(not set)".into());
        let many = |v: &[String]| {
            if v.is_empty() {
                "(not set)".to_string()
            } else {
                v.join(", ")
            }
        };
        vec![
            ("customer", self.customer.clone()),
            ("partner", self.partner.clone()),
            ("inbound IPs", many(&self.inbound)),
            ("outbound IPs", many(&self.outbound)),
            ("smarthost", unset(&self.smarthost)),
            ("billing contact", unset(&self.billing_contact)),
        ]
    }
}
