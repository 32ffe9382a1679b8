//! The capability catalog: the names roles and grants are made of.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::{Error, Result};

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

#[cfg(test)]
mod tests {
    use super::*;

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
