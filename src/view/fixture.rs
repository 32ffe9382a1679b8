//! How `apply` reports what it did.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::output::{Fields, Row};

/// One object of an apply and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct PlanLine {
    /// Such as `user ann@acme.test in Acme Ltd`.
    pub object: String,
    /// `create`, `update`, `unchanged` or `remove`.
    pub action: &'static str,
    /// The fields an update changes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<&'static str>,
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
