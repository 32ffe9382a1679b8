//! The capability catalog: the names roles and grants are made of.
//!
//! One table defines every capability: the constant the code checks, the
//! catalog name and the action "you may not ..." errors name. A new
//! capability is one line of it, and the code cannot name a capability the
//! catalog lacks, because the table makes the only values there are.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

use crate::error::{Error, Result};

/// One entry of the capability catalog.
///
/// Only the table below makes values, so every `Capability` is in the
/// catalog.
// `name` comes first so that the derived order is by name; names are
// unique, so `action` never decides a comparison or an equality.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Capability {
    name: &'static str,
    action: &'static str,
}

/// Turns the table into the catalog list, the `caps` constants and the
/// value list behind `Capability::all`.
macro_rules! capability_table {
    ($($konst:ident = $name:literal => $action:literal,)+) => {
        /// The capability catalog: the same for every preset.
        pub(crate) const CAPABILITIES: &[&str] = &[$($name),+];

        /// Every capability, in catalog order.
        const ALL: &[Capability] = &[$(caps::$konst),+];

        /// One constant per catalog entry, for the capabilities the code
        /// checks by name.
        pub(crate) mod caps {
            use super::Capability;
            $(
                #[doc = concat!("`", $name, "`: may ", $action, ".")]
                pub(crate) const $konst: Capability = Capability {
                    name: $name,
                    action: $action,
                };
            )+
        }

        /// Each constant's identifier beside its name, so a test can check
        /// that they agree.
        #[cfg(test)]
        const IDENTS: &[(&str, &str)] = &[$((stringify!($konst), $name)),+];
    };
}

// Catalog order, as the product documentation lists it; the action
// completes "you may not ...".
capability_table! {
    PORTAL_ACCESS = "portal.access" => "use the portal",
    ACCOUNT_VIEW = "account.view" => "see the account",
    ACCOUNT_EDIT = "account.edit" => "edit the account's details",
    ACCOUNT_CONFIG = "account.config" => "change the account's configuration",
    ADDRESSES_USE = "addresses.use" => "use shipping addresses",
    ADDRESSES_EDIT = "addresses.edit" => "edit shipping addresses",
    USERS_VIEW = "users.view" => "see the account's users",
    USERS_MANAGE = "users.manage" => "manage users (invite, change or remove them)",
    EXTERNAL_ADMINS_MANAGE = "external_admins.manage" => "manage external admins",
    CUSTOMERS_VIEW = "customers.view" => "see customer accounts",
    CUSTOMERS_MANAGE = "customers.manage" => "manage customer accounts",
    LICENSES_PURCHASE = "licenses.purchase" => "buy licences",
    LICENSES_ALLOCATE = "licenses.allocate" => "allocate licences",
    BILLING_VIEW = "billing.view" => "see billing",
    BILLING_PAYMENT = "billing.payment" => "change payment details",
    INVOICES_MANAGE = "invoices.manage" => "manage invoices",
    CLIENTS_MANAGE = "clients.manage" => "manage clients",
    SERVICES_VIEW_ALL = "services.view_all" => "see all services",
    SERVICES_VIEW_ASSIGNED = "services.view_assigned" => "see the services assigned to them",
    SERVICES_ASSIGN = "services.assign" => "assign services",
    ORDERS_PLACE = "orders.place" => "place orders",
    ORDERS_APPROVE = "orders.approve" => "approve orders",
    POLICIES_MANAGE = "policies.manage" => "manage approval policies",
    COST_CENTRES_MANAGE = "cost_centres.manage" => "manage cost centres",
    CONTRACTS_VIEW = "contracts.view" => "see contracts",
    CONTRACTS_RENEW = "contracts.renew" => "renew contracts",
    DOCUMENTS_DOWNLOAD = "documents.download" => "download documents",
    REPORTS_SCHEDULE = "reports.schedule" => "schedule reports",
    ALERTS_MANAGE = "alerts.manage" => "manage alerts",
    TICKETS_RAISE = "tickets.raise" => "raise tickets",
    TICKETS_VIEW = "tickets.view" => "see tickets",
    DOMAINS_MANAGE = "domains.manage" => "manage domains",
    SUPPORT_REQUESTS = "support.requests" => "make support requests",
    DISCUSSIONS_MANAGE = "discussions.manage" => "manage discussions",
    STATS_VIEW = "stats.view" => "see statistics",
    CLICKS_VIEW = "clicks.view" => "see \"my clicks\"",
    NOTIFICATIONS_FINANCIAL = "notifications.financial" => "receive financial notifications",
}

impl Capability {
    /// Every capability of the catalog, in catalog order.
    pub(crate) fn all() -> impl Iterator<Item = Capability> {
        ALL.iter().copied()
    }

    /// The capability's catalog name, such as `users.manage`.
    pub(crate) fn as_str(self) -> &'static str {
        self.name
    }

    /// This capability and every one whose holder may do all it allows: a
    /// comparison of what two memberships hold reads this one as held
    /// where one of these is.
    pub(crate) fn covered_by(self) -> impl Iterator<Item = Capability> {
        std::iter::once(self).chain(
            COVERS
                .iter()
                .filter(move |(_, covered)| *covered == self)
                .map(|(by, _)| *by),
        )
    }
}

/// Pairs of (wider, narrower) capabilities, where holding the wider one
/// allows all the narrower does. Seeing every service includes seeing
/// one's own (001's manager "views services", its user only "services
/// assigned to them"), so a manager backs a user's access (findings A6).
/// Managing a partner's customers includes seeing them (000's allocator
/// "can add and manage customers"; its view-only levels see them only).
/// No other pair holds: `billing.payment` does not include `billing.view`
/// (000's "bank-details-only" is given both), raising tickets is not
/// seeing them, and managing users is read apart from seeing them in the
/// catalogs' tables.
const COVERS: &[(Capability, Capability)] = &[
    (caps::SERVICES_VIEW_ALL, caps::SERVICES_VIEW_ASSIGNED),
    (caps::CUSTOMERS_MANAGE, caps::CUSTOMERS_VIEW),
];

/// What a command asks of the actor: a capability, and what a refusal says
/// was refused ("may not add services"). A bare capability names its own
/// action; a command whose capability covers more than it does names its
/// own with [`Capability::to`].
#[derive(Debug, Clone, Copy)]
pub(crate) struct Need {
    /// The capability checked.
    pub cap: Capability,
    /// Completes "you may not ...".
    pub action: &'static str,
}

impl From<Capability> for Need {
    fn from(cap: Capability) -> Need {
        Need {
            cap,
            action: cap.action,
        }
    }
}

impl Capability {
    /// This capability, needed to do `action` (which completes "you may
    /// not ...").
    pub(crate) fn to(self, action: &'static str) -> Need {
        Need { cap: self, action }
    }
}

/// Shows only the name, as when the type wrapped the name alone.
impl fmt::Debug for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Capability").field(&self.name).finish()
    }
}

impl FromStr for Capability {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let s = s.trim();
        Capability::all().find(|c| c.name == s).ok_or_else(|| {
            Error::invalid(format!("unknown capability `{s}`")).help(super::did_you_mean(
                s,
                Capability::all().map(|c| c.name),
                "`portalctl role show ROLE` and `portalctl preset show` list the catalog",
            ))
        })
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl Serialize for Capability {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_seeing_all_services_and_managing_customers_cover_another_capability() {
        let covered: Vec<_> = Capability::all()
            .filter(|c| c.covered_by().count() > 1)
            .collect();
        assert_eq!(
            covered,
            vec![caps::CUSTOMERS_VIEW, caps::SERVICES_VIEW_ASSIGNED]
        );
        assert!(caps::CUSTOMERS_VIEW
            .covered_by()
            .any(|c| c == caps::CUSTOMERS_MANAGE));
        assert!(caps::SERVICES_VIEW_ASSIGNED
            .covered_by()
            .any(|c| c == caps::SERVICES_VIEW_ALL));
        assert_eq!(caps::SERVICES_VIEW_ALL.covered_by().count(), 1);
    }

    #[test]
    fn capabilities_come_from_the_catalog() {
        assert!("users.manage".parse::<Capability>().is_ok());
        assert!("users.destroy".parse::<Capability>().is_err());
        assert_eq!(Capability::all().count(), 37);
    }

    #[test]
    fn the_list_and_the_values_agree() {
        let names: Vec<&str> = Capability::all().map(Capability::as_str).collect();
        assert_eq!(names, CAPABILITIES);
        for (i, name) in CAPABILITIES.iter().enumerate() {
            assert!(
                !CAPABILITIES[..i].contains(name),
                "`{name}` is listed twice"
            );
            assert_eq!(
                name.parse::<Capability>().ok().map(Capability::as_str),
                Some(*name)
            );
        }
    }

    #[test]
    fn constants_are_named_after_their_capability() {
        for (ident, name) in IDENTS {
            assert_eq!(*ident, name.to_uppercase().replace('.', "_"));
        }
        assert_eq!(caps::USERS_MANAGE.as_str(), "users.manage");
        assert_eq!(
            Need::from(caps::USERS_MANAGE).action,
            "manage users (invite, change or remove them)"
        );
    }
}
