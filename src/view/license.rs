//! A partner's licences and the seats its customers hold.

use serde::Serialize;

use super::list_or_dash;
use crate::model::{Money, ShippingAddress};
use crate::output::{Fields, Row};

/// A partner's licence for one product and who holds its seats.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct LicenseView {
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
    /// Customers holding seats, by name; `None` (`hidden`) to a reader
    /// who may not know the partner's customers.
    pub allocations: Option<Vec<AllocationView>>,
}

impl Row for LicenseView {
    fn headers() -> &'static [&'static str] {
        &[
            "PARTNER", "PRODUCT", "SEATS", "ALLOCATED", "AVAILABLE", "CUSTOMERS",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.account.clone(),
            self.product.clone(),
            self.seats.to_string(),
            self.allocated.to_string(),
            self.available.to_string(),
            allocations_text(self),
        ]
    }
}

impl Fields for LicenseView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("partner", self.account.clone()),
            ("product", self.product.clone()),
            ("seats", self.seats.to_string()),
            ("allocated", self.allocated.to_string()),
            ("available", self.available.to_string()),
            ("customers", allocations_text(self)),
        ]
    }
}

fn allocations_text(v: &LicenseView) -> String {
    let Some(allocations) = &v.allocations else {
        return "hidden".into();
    };
    let parts: Vec<String> = allocations
        .iter()
        .map(|a| match &a.ship_to {
            Some(to) => format!("{} {} (ship to {})", a.customer, a.seats, to.label),
            None => format!("{} {}", a.customer, a.seats),
        })
        .collect();
    list_or_dash(&parts)
}

/// Seats of a licence held by one customer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct AllocationView {
    /// The customer account.
    pub customer: String,
    /// Seats held.
    pub seats: i64,
    /// Where they are shipped (`license allocate --ship-to`), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ship_to: Option<ShippingAddress>,
}

/// A price a partner agreed with the vendor, as `account show` lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PriceLine {
    /// Product name.
    pub product: String,
    /// The price, a decimal string such as `"12.50"`.
    pub price: Money,
    /// ISO 4217 currency: the partner's.
    pub currency: String,
}

impl PriceLine {
    /// `12.50 GBP`.
    pub(crate) fn amount(&self) -> String {
        format!("{} {}", self.price, self.currency)
    }
}

/// A partner's contracted price of one product.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct PriceView {
    /// The partner.
    pub account: String,
    /// The product and its price.
    #[serde(flatten)]
    pub line: PriceLine,
}

impl Row for PriceView {
    fn headers() -> &'static [&'static str] {
        &["PARTNER", "PRODUCT", "PRICE", "CURRENCY"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.account.clone(),
            self.line.product.clone(),
            self.line.price.to_string(),
            self.line.currency.clone(),
        ]
    }
}

impl Fields for PriceView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("partner", self.account.clone()),
            ("product", self.line.product.clone()),
            ("price", self.line.price.to_string()),
            ("currency", self.line.currency.clone()),
        ]
    }
}
