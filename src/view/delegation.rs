//! Delegations of deciding orders, and an approver's inbox.

use serde::Serialize;

use super::{list_or_dash, opt, PolicyProgress};
use crate::model::{Money, Timestamp};
use crate::output::{Fields, Row};

/// A delegation: while it holds, the delegate may decide the orders the
/// delegator could decide.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct DelegationView {
    /// The account it holds in.
    pub account: String,
    /// Whose deciding it lends.
    pub delegator: String,
    /// Who may decide for them.
    pub delegate: String,
    /// From when (inclusive).
    pub from: Timestamp,
    /// Until when (exclusive); the moment it ended, if ended early.
    pub until: Timestamp,
    /// `active`, `upcoming` or `ended`, at the command's clock; or
    /// `delegator-without-access` / `delegate-without-access` for one not
    /// ended that lends nothing now, as that end has no access.
    pub state: &'static str,
    /// Who set it.
    pub created_by: String,
    /// Who ended it early, if anyone.
    pub ended_by: Option<String>,
}

impl Row for DelegationView {
    fn headers() -> &'static [&'static str] {
        &["ACCOUNT", "DELEGATOR", "DELEGATE", "FROM", "UNTIL", "STATE"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.account.clone(),
            self.delegator.clone(),
            self.delegate.clone(),
            self.from.to_string(),
            self.until.to_string(),
            self.state.to_string(),
        ]
    }
}

impl Fields for DelegationView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("account", self.account.clone()),
            ("delegator", self.delegator.clone()),
            ("delegate", self.delegate.clone()),
            ("from", self.from.to_string()),
            ("until", self.until.to_string()),
            ("state", self.state.to_string()),
            ("set by", self.created_by.clone()),
            ("ended by", opt(&self.ended_by)),
        ]
    }
}

/// A pending order in a member's inbox: one they may decide now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct InboxView {
    /// The order's number in its account.
    pub id: i64,
    /// Its external reference, as `order list` shows it; none when it has
    /// none.
    #[serde(rename = "ref")]
    pub reference: Option<String>,
    /// Its account.
    pub account: String,
    /// Who placed it.
    pub created_by: String,
    /// What is ordered.
    pub description: String,
    /// Amount, a decimal string such as "120.00".
    pub amount: Money,
    /// ISO 4217 code.
    pub currency: String,
    /// The policies their decision would count toward, each with its
    /// progress, in the shape `order show` and `order list` give
    /// `policies`.
    pub policies: Vec<PolicyProgress>,
    /// The delegator they would decide it for; none when it is their own
    /// to decide.
    pub on_behalf_of: Option<String>,
    /// Placed.
    pub created_at: Timestamp,
}

impl Row for InboxView {
    fn headers() -> &'static [&'static str] {
        &[
            "ID", "REF", "PLACED", "CREATED BY", "ACCOUNT", "DESCRIPTION", "AMOUNT", "POLICY",
            "ON BEHALF OF",
        ]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.id.to_string(),
            // Empty rather than `-`, which could itself be a reference, as
            // in `order list`.
            self.reference.clone().unwrap_or_default(),
            self.created_at.to_string(),
            self.created_by.clone(),
            self.account.clone(),
            self.description.clone(),
            format!("{} {}", self.amount, self.currency),
            list_or_dash(
                &self
                    .policies
                    .iter()
                    // Hidden from this reader (see `OrderView::hide_policies`).
                    .map(|p| match p.name.as_str() {
                        "" => "an approval policy".to_string(),
                        name => name.to_string(),
                    })
                    .collect::<Vec<_>>(),
            ),
            opt(&self.on_behalf_of),
        ]
    }
}
