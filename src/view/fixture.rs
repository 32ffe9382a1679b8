//! How `apply` reports what it did.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::output::{Fields, Row};

/// One object of an apply and what happened to it.
///
/// `object` is the text the table shows; `kind`, `key`, `account` (and
/// `user` for a course) are the same object as fields, for a script that
/// picks entries without reading the text (an account's name may itself
/// hold " in "). All come from one [`PlanObject`], so they cannot
/// disagree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct PlanLine {
    /// Such as `user ann@acme.test in Acme Ltd`.
    pub object: String,
    /// What the object is, such as `user` (see [`PlanKind`]).
    pub kind: PlanKind,
    /// The object's natural key within its account: a user's email, a
    /// service's or policy's name, a cost centre's code, an order's
    /// reference, a licence's or price's product, an IP network, ...
    pub key: String,
    /// The account the object belongs to; `null` for one outside any
    /// account (a preset, role, person, setting, or an account itself).
    pub account: Option<String>,
    /// Whose a course is: the user's email, only on a `course` entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `create`, `update`, `unchanged` or `remove`.
    pub action: &'static str,
    /// The fields an update changes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<&'static str>,
}

impl PlanLine {
    /// The line for `object`: its text and its fields from the one value.
    pub(crate) fn new(
        object: &PlanObject,
        action: &'static str,
        changes: Vec<&'static str>,
    ) -> Self {
        PlanLine {
            object: object.to_string(),
            kind: object.kind,
            key: object.key.clone(),
            account: object.account.clone(),
            user: object.user.clone(),
            action,
            changes,
        }
    }
}

/// What kind of object a plan line is about: its `kind` in the JSON
/// plan, one snake_case word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PlanKind {
    /// The shipped role catalog the database was made from.
    Preset,
    /// A role of the catalog.
    Role,
    /// A person of `people` (merged or flagged as a duplicate).
    Person,
    /// An account itself.
    Account,
    /// A member of an account.
    User,
    /// A service of an account.
    Service,
    /// A cost centre of an account, keyed by its code.
    CostCentre,
    /// An approval policy.
    Policy,
    /// An order, keyed by its reference (or `#N`).
    Order,
    /// A shipping address, keyed by its label.
    Address,
    /// A delegation, keyed by `DELEGATOR to DELEGATE from MOMENT`.
    Delegation,
    /// A user's course, keyed by the course's name (see
    /// [`PlanLine::user`]).
    Course,
    /// An external admin of a customer, keyed by their email.
    ExternalAdmin,
    /// A partner's licence, keyed by its product.
    Licence,
    /// A partner's contracted price, keyed by its product.
    Price,
    /// A partner's inbound IP network.
    InboundIp,
    /// A partner's outbound IP network.
    OutboundIp,
    /// A partner's smarthost, keyed by its host.
    Smarthost,
    /// An account's payment details, keyed by the payment method.
    Payment,
    /// A setting of the database (`settings set`), keyed by its name.
    Setting,
}

/// What a plan line is about, built in one place: its [`Display`] is the
/// line's `object` text (`user ann@acme.test in Acme Ltd`, `licence X of
/// Harbour IT`, `role auditor`), and its parts are the line's fields.
///
/// [`Display`]: std::fmt::Display
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(crate) struct PlanObject {
    kind: PlanKind,
    key: String,
    account: Option<String>,
    user: Option<String>,
}

impl PlanObject {
    /// An object of `account`, such as a user or a service.
    pub(crate) fn in_account(kind: PlanKind, key: impl ToString, account: &str) -> Self {
        PlanObject {
            kind,
            key: key.to_string(),
            account: Some(account.to_string()),
            user: None,
        }
    }

    /// An object outside any account: a preset, role, person, setting or account.
    pub(crate) fn outside(kind: PlanKind, key: impl ToString) -> Self {
        PlanObject {
            kind,
            key: key.to_string(),
            account: None,
            user: None,
        }
    }

    /// `user`'s course `name` in `account`.
    pub(crate) fn course(name: impl ToString, user: impl ToString, account: &str) -> Self {
        PlanObject {
            user: Some(user.to_string()),
            ..PlanObject::in_account(PlanKind::Course, name, account)
        }
    }

    /// A delegation of `account` by `delegator` to `to` from `from`.
    pub(crate) fn delegation(
        delegator: impl std::fmt::Display,
        to: impl std::fmt::Display,
        from: impl std::fmt::Display,
        account: &str,
    ) -> Self {
        let key = format!("{delegator} to {to} from {from}");
        PlanObject::in_account(PlanKind::Delegation, key, account)
    }
}

impl std::fmt::Display for PlanObject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let key = &self.key;
        let word = match self.kind {
            PlanKind::Preset => "preset",
            PlanKind::Role => "role",
            PlanKind::Person => "person",
            PlanKind::Account => "account",
            PlanKind::User => "user",
            PlanKind::Service => "service",
            PlanKind::CostCentre => "cost centre",
            PlanKind::Policy => "policy",
            PlanKind::Order => "order",
            PlanKind::Address => "address",
            PlanKind::Delegation => "delegation for",
            PlanKind::Course => "course",
            PlanKind::ExternalAdmin => "external admin",
            PlanKind::Licence => "licence",
            PlanKind::Price => "price",
            PlanKind::InboundIp => "inbound IP",
            PlanKind::OutboundIp => "outbound IP",
            PlanKind::Smarthost => "smarthost",
            PlanKind::Payment => "payment details",
            PlanKind::Setting => "setting",
        };
        let Some(account) = &self.account else {
            return write!(f, "{word} {key}");
        };
        match self.kind {
            // A partner's own settings, and a customer's external admins,
            // read "of" the account.
            PlanKind::Smarthost | PlanKind::Payment => write!(f, "{word} of {account}"),
            PlanKind::ExternalAdmin
            | PlanKind::Licence
            | PlanKind::Price
            | PlanKind::InboundIp
            | PlanKind::OutboundIp => write!(f, "{word} {key} of {account}"),
            PlanKind::Course => {
                let user = self.user.as_deref().unwrap_or_default();
                write!(f, "{word} {key} of {user} in {account}")
            }
            _ => write!(f, "{word} {key} in {account}"),
        }
    }
}

impl Row for PlanLine {
    fn headers() -> &'static [&'static str] {
        &["ACTION", "OBJECT", "CHANGES"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.action.to_string(),
            self.object.clone(),
            self.changes.join(", "),
        ]
    }
}

/// What an apply did, or with `--dry-run` would do.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ApplyView {
    /// Objects created.
    pub created: usize,
    /// Objects changed.
    pub updated: usize,
    /// Objects already as the file says.
    pub unchanged: usize,
    /// Objects removed: roles the file lists as deleted, and what
    /// `--prune` ends or removes (see [`Pruned`]).
    pub removed: usize,
    /// Nothing was written.
    pub dry_run: bool,
    /// Object by object: only for `--dry-run`, the plan to read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<PlanLine>,
    /// The warnings the apply's changes gave (a policy left short of
    /// approvers, ...), as every command also prints them on stderr: a
    /// script reading `--json` finds them in the document.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// How many objects of each kind `--prune` ended or removed, for the
    /// question asked before it does (not printed: `removed` counts them).
    #[serde(skip)]
    pub pruned: BTreeMap<Pruned, usize>,
}

/// A kind of object `--prune` ends or removes when the file no longer
/// lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Pruned {
    /// Members deactivated.
    Members,
    /// Policies disabled.
    Policies,
    /// Delegations ended.
    Delegations,
    /// External admins whose access ended.
    ExternalAdmins,
    /// Shipping addresses removed.
    Addresses,
    /// A partner's IP addresses removed.
    IpAddresses,
    /// Contracted prices removed.
    Prices,
}

impl Pruned {
    /// What pruning `n` of them does, such as "deactivate 2 members".
    pub(crate) fn phrase(self, n: usize) -> String {
        let one = n == 1;
        let (verb, noun) = match self {
            Pruned::Members => ("deactivate", if one { "member" } else { "members" }),
            Pruned::Policies => ("disable", if one { "policy" } else { "policies" }),
            Pruned::Delegations => ("end", if one { "delegation" } else { "delegations" }),
            Pruned::ExternalAdmins => (
                "end the access of",
                if one {
                    "external admin"
                } else {
                    "external admins"
                },
            ),
            Pruned::Addresses => ("remove", if one { "address" } else { "addresses" }),
            Pruned::IpAddresses => ("remove", if one { "IP address" } else { "IP addresses" }),
            Pruned::Prices => ("remove", if one { "price" } else { "prices" }),
        };
        format!("{verb} {n} {noun}")
    }
}

impl Fields for ApplyView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        let verb = if self.dry_run { "would be " } else { "" };
        vec![
            ("created", format!("{}{}", verb, self.created)),
            ("updated", format!("{}{}", verb, self.updated)),
            ("unchanged", self.unchanged.to_string()),
            ("removed", format!("{}{}", verb, self.removed)),
        ]
    }
}
