//! A member's addresses over time, read from the audit log: their events
//! are recorded under the email they had then, so their timeline (`user
//! history`) and their state at a moment (`--at`) follow them back
//! through each change of address, and leave out whoever held an address
//! before them. A person merged into them is one of their addresses too:
//! what was recorded under it is in their timeline (see
//! [`merged_timeline`]).

use serde_json::Value;

use super::history::text;
use crate::error::Result;
use crate::model::{Account, AuditEvent, Email, Person, Timestamp};
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

/// What was recorded under the address of each person merged into
/// `person_id` (directly, or through someone merged into them in turn),
/// in `accounts`: their invitation, flag and the merge's end of their
/// membership there, and each merge's own event (recorded in no account),
/// oldest first per person. Both members of an account or not, the
/// duplicate was the same person, so the one kept answers for their past.
///
/// Only `accounts` are read, those the actor may see the kept person in:
/// a duplicate with nothing recorded there brings nothing, not even their
/// merge, and what a merge passed on is cut to those accounts, so that
/// nobody learns of an account of the duplicate's they may not see.
/// Merged people are found by the `people_merged` index, their events by
/// the target index.
///
/// The merge is read only in the accounts where `reads_merge` says (see
/// `EventSight::reads_merge`): an account that only invited the duplicate
/// did not see it. There the duplicate's events are read only as the
/// account's own invitation the merge moved to the person kept; one it
/// ended (where the person kept was invited too) was another person's
/// to it, and its events would tell the two are one. The merge's own
/// event is read where the merge is in one of `accounts`.
pub(super) fn merged_timeline(
    tx: &dyn Tx,
    person_id: i64,
    accounts: &[Account],
    reads_merge: &mut dyn FnMut(&Person, &Account) -> Result<bool>,
) -> Result<Vec<AuditEvent>> {
    let merged = tx.merged_into(person_id)?;
    if merged.is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for dup in tx.people_by_id(&merged)? {
        let mut seen = false;
        for account in accounts {
            let found = timeline_in(tx, &dup.email, account.id)?;
            if found.is_empty() {
                continue;
            }
            if reads_merge(&dup, account)? {
                seen = true;
            } else if tx.membership_of(dup.id, account.id)?.is_some() {
                continue;
            }
            out.extend(found);
        }
        if !seen {
            continue;
        }
        for mut event in tx.person_events(dup.email.as_str())? {
            if let Some(after) = event.after.as_mut() {
                cut_passed_on(tx, after, accounts)?;
            }
            out.push(event);
        }
    }
    Ok(out)
}

/// Keeps of a merge's `passed_on` only what is in `accounts`: the
/// policies and delegations there (named by the account's name at the
/// merge, so one renamed since is left out, which tells too little rather
/// than too much) and the orders placed there. Anything else it might
/// hold is left out, as nothing here can tell whose account it is.
fn cut_passed_on(tx: &dyn Tx, after: &mut Value, accounts: &[Account]) -> Result<()> {
    let Some(fields) = after.as_object_mut() else {
        return Ok(());
    };
    let Some(passed) = fields.remove("passed_on") else {
        return Ok(());
    };
    let in_shown = |item: &Value| {
        text(item, "account").is_some_and(|name| accounts.iter().any(|a| a.name == name))
    };
    let mut kept = serde_json::Map::new();
    for key in ["policies", "delegations"] {
        let items: Vec<Value> = passed
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|item| in_shown(item))
            .cloned()
            .collect();
        if !items.is_empty() {
            kept.insert(key.into(), Value::Array(items));
        }
    }
    let mut orders = Vec::new();
    for item in passed
        .get("orders")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        // A merge recorded before orders were numbered per account named
        // each by its number alone, which was then its store key too.
        let shown = match item.as_i64() {
            Some(id) => tx
                .order(id)?
                .is_some_and(|o| accounts.iter().any(|a| a.id == o.account_id)),
            None => in_shown(item),
        };
        if shown {
            orders.push(item.clone());
        }
    }
    if !orders.is_empty() {
        kept.insert("orders".into(), Value::Array(orders));
    }
    if !kept.is_empty() {
        fields.insert("passed_on".into(), Value::Object(kept));
    }
    Ok(())
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
