//! How `apply` reports what it did.

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
    /// Members deactivated and policies disabled by `--prune`.
    pub removed: usize,
    /// Nothing was written.
    pub dry_run: bool,
    /// Object by object: only for `--dry-run`, the plan to read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub plan: Vec<PlanLine>,
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
