//! A member's addresses over time, read from the audit log: their events
//! are recorded under the email they had then, so their timeline (`user
//! history`) and their state at a moment (`--at`) follow them back
//! through each change of address, and leave out whoever held an address
//! before them.

use serde_json::Value;

use super::history::text;
use crate::error::Result;
use crate::model::{AuditEvent, Email, Timestamp};
use crate::store::Tx;

/// How many addresses back `user history` follows a member: far more
/// than anyone changes their email, and an end to a log edited into a
/// loop.
const MAX_ADDRESSES: usize = 32;

/// A member's events in one account, oldest first: see [`runs_in`].
pub(super) fn timeline_in(tx: &dyn Tx, email: &Email, account_id: i64) -> Result<Vec<AuditEvent>> {
    let mut runs = runs_in(tx, email, account_id, None)?;
    runs.reverse();
    Ok(runs.into_iter().flat_map(|r| r.events).collect())
}

/// An address a member's events in an account are recorded under, and
/// theirs under it, oldest first.
pub(super) struct Run {
    pub(super) address: String,
    pub(super) events: Vec<AuditEvent>,
}

/// A member's addresses in one account, newest first, each with their
/// events under it: the email they have now and, back through each
/// change of address that brought them to it (`user edit --new-email`,
/// or a merge that moved a duplicate's membership to them), the address
/// before, up to that change; with `back_to`, only back to the address
/// they had then. Of an address's events, the member's run from the
/// newest that started it (their joining, or their arrival at the
/// address): the events before it under the same address were someone
/// else's, who held it and moved on. One indexed query per address.
pub(super) fn runs_in(
    tx: &dyn Tx,
    email: &Email,
    account_id: i64,
    back_to: Option<Timestamp>,
) -> Result<Vec<Run>> {
    let mut address = email.as_str().to_string();
    let mut below = i64::MAX;
    let mut runs = Vec::new();
    for _ in 0..MAX_ADDRESSES {
        let mut events = tx.target_events(&address, account_id, below)?;
        let start = events
            .iter()
            .rposition(|e| joined(e) || arrived_from(e, &address).is_some());
        let Some(start) = start else {
            // Nothing started it: a member whose joining predates the
            // audit log keeps every event of the address.
            runs.push(Run { address, events });
            break;
        };
        let events = events.split_off(start);
        let first = &events[0];
        let (from, seq, at) = (arrived_from(first, &address), first.seq, first.at);
        runs.push(Run { address, events });
        match from {
            Some(before) if back_to.is_none_or(|t| at > t) => {
                address = before;
                below = seq;
            }
            _ => break,
        }
    }
    Ok(runs)
}

/// The member an event records them as after it: its `after`, or for
/// `init`, which records the account it made with its owner, the owner.
pub(super) fn recorded_member(event: &AuditEvent) -> Option<&Value> {
    let after = event.after.as_ref()?;
    let state = if event.action == "init" {
        after.get("owner")?
    } else {
        after
    };
    is_member(state).then_some(state)
}

/// Whether `event` made a member: nothing before it, a member after.
pub(super) fn joined(event: &AuditEvent) -> bool {
    event.before.is_none() && recorded_member(event).is_some()
}

/// The address a member had before `event` brought them to `address`, if
/// it did: a member before and after, under another email before.
fn arrived_from(event: &AuditEvent, address: &str) -> Option<String> {
    let (before, after) = (event.before.as_ref()?, event.after.as_ref()?);
    if !is_member(before) || text(after, "email").as_deref() != Some(address) {
        return None;
    }
    text(before, "email").filter(|old| old != address)
}

/// Whether a recorded state is a member's, as `user show` prints one.
fn is_member(state: &Value) -> bool {
    ["email", "role", "status"]
        .iter()
        .all(|key| state.get(key).is_some_and(Value::is_string))
}
