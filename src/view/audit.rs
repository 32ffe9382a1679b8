//! How the audit log, its head and its verification print.

use serde::ser::SerializeStruct;
use serde::{Serialize, Serializer};

use super::opt;
use crate::model::{AuditEvent, Timestamp};
use crate::output::{Fields, Row};

/// The newest event of the audit log: what an admin keeps elsewhere as an
/// anchor (`audit verify --anchor SEQ:HASH`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditHeadView {
    /// Its position in the log (0: the log is empty).
    pub seq: i64,
    /// Its hash.
    pub hash: String,
}

impl AuditHeadView {
    /// `SEQ:HASH`, as `audit verify --anchor` takes it.
    pub(crate) fn anchor(&self) -> String {
        format!("{}:{}", self.seq, self.hash)
    }
}

// By hand, so that the JSON carries the anchor the table shows, ready to
// pass back to `audit verify --anchor`.
impl Serialize for AuditHeadView {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut head = serializer.serialize_struct("AuditHeadView", 3)?;
        head.serialize_field("seq", &self.seq)?;
        head.serialize_field("hash", &self.hash)?;
        head.serialize_field("anchor", &self.anchor())?;
        head.end()
    }
}

impl Fields for AuditHeadView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("seq", self.seq.to_string()),
            ("hash", self.hash.clone()),
            ("anchor", self.anchor()),
        ]
    }
}

/// A verified audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct AuditVerifiedView {
    /// Always true: a broken chain is an error.
    pub intact: bool,
    /// How many events were checked.
    pub events: i64,
    /// How many of them are hashed by version 1, written before portalctl
    /// hashed every column: their account id is not covered, so an edit
    /// to it does not show.
    pub legacy_events: i64,
    /// The newest event.
    pub head: AuditHeadView,
    /// The anchor that was checked too, as given.
    pub anchor: Option<String>,
}

impl Fields for AuditVerifiedView {
    fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("intact", "yes".into()),
            ("events", self.events.to_string()),
            ("legacy events", self.legacy_events.to_string()),
            ("head", self.head.anchor()),
            ("anchor", opt(&self.anchor)),
        ]
    }
}

impl Row for AuditEvent {
    fn headers() -> &'static [&'static str] {
        &["SEQ", "AT", "ACTOR", "ACTION", "ACCOUNT", "TARGET"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.seq.to_string(),
            self.at.to_string(),
            self.actor.clone(),
            self.action.clone(),
            opt(&self.account),
            opt(&self.target),
        ]
    }
}

/// The audit log as its reader reads it (see `log_sight::log_as_read`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AuditLogView {
    /// The operator's: every event whole, with its place in the chain.
    Chained(Vec<AuditEvent>),
    /// A member's: the events they read, each without its place.
    Unplaced(Vec<MemberEventView>),
}

/// One event of the audit log as a member reads it: when, who, what and
/// where, without its place in the chain (`seq`, `prev_hash`, `hash`),
/// whose numbering runs over every account. The time orders the events.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct MemberEventView {
    /// When the change was made.
    pub at: Timestamp,
    /// `operator:<os user>`, the acting member's email, or
    /// `another person you cannot see`.
    pub actor: String,
    /// The command, such as `user.invite`.
    pub action: String,
    /// The account concerned, by name at the time.
    pub account: Option<String>,
    /// The thing changed, such as an email or a role name.
    pub target: Option<String>,
    /// State before, as JSON.
    pub before: Option<serde_json::Value>,
    /// State after, as JSON.
    pub after: Option<serde_json::Value>,
}

impl From<AuditEvent> for MemberEventView {
    fn from(e: AuditEvent) -> Self {
        MemberEventView {
            at: e.at,
            actor: e.actor,
            action: e.action,
            account: e.account,
            target: e.target,
            before: e.before,
            after: e.after,
        }
    }
}

impl Row for MemberEventView {
    fn headers() -> &'static [&'static str] {
        &["AT", "ACTOR", "ACTION", "ACCOUNT", "TARGET"]
    }
    fn cells(&self) -> Vec<String> {
        vec![
            self.at.to_string(),
            self.actor.clone(),
            self.action.clone(),
            opt(&self.account),
            opt(&self.target),
        ]
    }
}

/// The columns of a member's `audit list --format csv`: every field of
/// [`MemberEventView`].
pub(crate) const MEMBER_AUDIT_CSV_HEADERS: &[&str] = &[
    "at", "actor", "action", "account", "target", "before", "after",
];

/// One event as a CSV record under [`MEMBER_AUDIT_CSV_HEADERS`].
pub(crate) fn member_audit_csv_record(e: &MemberEventView) -> Vec<String> {
    vec![
        e.at.to_string(),
        e.actor.clone(),
        e.action.clone(),
        e.account.clone().unwrap_or_default(),
        e.target.clone().unwrap_or_default(),
        json_text(&e.before),
        json_text(&e.after),
    ]
}

/// A JSON state as compact text, an absent one as an empty field.
fn json_text(v: &Option<serde_json::Value>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

/// The columns of `audit list --format csv`: every field of an event.
pub(crate) const AUDIT_CSV_HEADERS: &[&str] = &[
    "seq", "at", "actor", "action", "account", "target", "before", "after", "prev_hash", "hash",
];

/// One event as a CSV record under [`AUDIT_CSV_HEADERS`]: before and after
/// as compact JSON text, an absent value as an empty field.
pub(crate) fn audit_csv_record(e: &AuditEvent) -> Vec<String> {
    vec![
        e.seq.to_string(),
        e.at.to_string(),
        e.actor.clone(),
        e.action.clone(),
        e.account.clone().unwrap_or_default(),
        e.target.clone().unwrap_or_default(),
        json_text(&e.before),
        json_text(&e.after),
        e.prev_hash.clone(),
        e.hash.clone(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_head_in_json_carries_its_anchor() {
        let head = AuditHeadView {
            seq: 39,
            hash: "b0f1".into(),
        };
        assert_eq!(
            serde_json::to_value(&head).expect("json"),
            serde_json::json!({"seq": 39, "hash": "b0f1", "anchor": "39:b0f1"})
        );
    }
}
