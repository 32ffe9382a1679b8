//! The audit log: one hash-chained event per change, and who may read it.

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::access::{authority, caps, Authority};
use super::log_sight::{left_out_unknown, log_as_read, shown_actions, EventSight};
use super::{find_account, Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{closest_few, Account, AuditEvent, CanonicalJson, Timestamp};
use crate::store::{AuditQuery, AuditRecord, AuditText, NewEvent, Tx};
use crate::view::{AuditHeadView, AuditLogView, AuditVerifiedView};

/// The `prev_hash` of the first event.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Every action an event is recorded with: what `audit list --action`
/// accepts. A test reads the domain's sources for the actions they record
/// and fails on one missing here.
pub(crate) const ACTIONS: &[&str] = &[
    "init", "apply", "account.create", "account.set", "account.update", "account.address_add",
    "account.address_update", "account.address_remove", "account.ip_add", "account.ip_remove",
    "account.payment_set", "account.smarthost_set", "user.invite", "user.add",
    "user.resend_invite", "user.revoke_invite", "user.accept", "user.edit", "user.update",
    "user.set_role", "user.grant", "user.revoke", "user.deactivate", "user.activate",
    "user.left_company", "user.flag_duplicate", "user.merge", "user.merge.order",
    "user.transfer_ownership", "external_admin.add", "external_admin.remove", "role.create",
    "role.delete", "policy.create", "policy.edit", "policy.update", "policy.enable",
    "policy.disable", "order.place", "order.approve", "order.reject", "order.cancel",
    "order.release", "order.reevaluate", "order.delegate", "order.delegate.end",
    "cost_centre.create", "cost_centre.rename", "cost_centre.archive", "cost_centre.update",
    "service.add", "service.update", "service.assign", "service.unassign", "license.purchase",
    "license.allocate", "license.move", "license.price_set", "license.price_remove",
    "course.progress", "outbox.send", "outbox.retry", "outbox.cancel", "settings.set",
    "settings.unset", "user.merge.invitation", "user.merge.policy", "user.invite.takeover",
];

/// Whether `action` is one an event is recorded with, or the namespace
/// of some (`order` of `order.place`, `user.merge` of `user.merge.order`):
/// the filter takes in the actions beneath it, so a namespace matches
/// events too.
fn is_known_action(action: &str) -> bool {
    ACTIONS.iter().any(|known| {
        known
            .strip_prefix(action)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('.'))
    })
}

/// The namespaces of [`ACTIONS`] (`order.*`) and the actions with none
/// (`init`), in the table's order: what a refusal lists, since the ~65
/// actions on one line would be read by no one.
fn action_namespaces() -> Vec<String> {
    let mut namespaces: Vec<String> = Vec::new();
    for action in ACTIONS {
        let namespace = match action.split_once('.') {
            Some((first, _)) => format!("{first}.*"),
            None => (*action).to_string(),
        };
        if !namespaces.contains(&namespace) {
            namespaces.push(namespace);
        }
    }
    namespaces
}

/// Refuses an `--action` filter no event can have, as a mistyped value
/// is refused: a typo would otherwise match nothing and look like no
/// events.
fn known_action(action: &str) -> Result<()> {
    if is_known_action(action) {
        return Ok(());
    }
    let namespaces = action_namespaces();
    let bare: Vec<&str> = namespaces
        .iter()
        .map(|n| n.trim_end_matches(".*"))
        .collect();
    let meant = closest_few(
        action,
        ACTIONS.iter().copied().chain(bare.iter().copied()),
        SUGGESTIONS,
    );
    let list = format!(
        "actions by namespace: {} (a namespace, as `--action order`, takes in every action beneath it)",
        namespaces.join(", ")
    );
    let help = match meant.as_slice() {
        [] => list,
        few => format!(
            "did you mean {}? {list}",
            few.iter()
                .map(|m| format!("`{m}`"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    Err(Error::invalid(format!("unknown action `{action}`")).help(help))
}

/// How many actions a refused `--action` offers at most as the one meant.
const SUGGESTIONS: usize = 3;

/// A change about to be recorded.
pub(crate) struct Change {
    pub action: &'static str,
    pub account: Option<Account>,
    pub target: Option<String>,
    pub before: Option<CanonicalJson>,
    pub after: Option<CanonicalJson>,
}

impl Change {
    /// A change to `target` in `account`, from `before` (`None`: it is new)
    /// to `after`, both as the views the commands print.
    pub(crate) fn of<T: serde::Serialize>(
        action: &'static str,
        account: &Account,
        target: impl Into<String>,
        before: Option<&T>,
        after: &T,
    ) -> Result<Change> {
        Ok(Change {
            action,
            account: Some(account.clone()),
            target: Some(target.into()),
            before: before.map(canonical).transpose()?,
            after: Some(canonical(after)?),
        })
    }
}

/// A view as an event's `before` or `after`.
fn canonical<T: serde::Serialize>(view: &T) -> Result<CanonicalJson> {
    CanonicalJson::of(view)
        .map_err(|e| Error::Internal(anyhow::Error::new(e).context("cannot serialise")))
}

/// The hash formula new events are written with (see [`event_hash`]).
const HASH_VERSION: i64 = 2;

/// Appends the changes' events, each chained to the one before. Called by
/// the write gate inside the transaction that makes the changes, so they
/// commit or none does. The head is read once: a write of many members
/// appends its events one after another.
pub(super) fn record(
    tx: &dyn Tx,
    ctx: &Ctx,
    changes: impl IntoIterator<Item = Change>,
) -> Result<()> {
    let (mut seq, mut prev_hash) = match tx.audit_head()? {
        Some((seq, hash)) => (seq, hash),
        None => (0, GENESIS.to_string()),
    };
    let actor = ctx.actor.audit_name();
    let mut events = Vec::new();
    for change in changes {
        seq += 1;
        let mut event = NewEvent {
            seq,
            at: ctx.now,
            actor: actor.clone(),
            action: change.action.to_string(),
            account_id: change.account.as_ref().map(|a| a.id),
            account: change.account.map(|a| a.name),
            target: change.target,
            // No value is written as NULL, never as JSON `null`: the
            // hash reads both as null, so only one may be an event's
            // (see `edited_text`).
            before: change.before.filter(|v| !v.is_null()),
            after: change.after.filter(|v| !v.is_null()),
            prev_hash,
            hash: String::new(),
            hash_version: HASH_VERSION,
        };
        event.hash = hash(&Columns {
            prev_hash: &event.prev_hash,
            seq,
            at: &event.at,
            actor: &event.actor,
            action: &event.action,
            account_id: event.account_id,
            account: event.account.as_deref(),
            target: event.target.as_deref(),
            before: event.before.as_ref().map(CanonicalJson::as_str),
            after: event.after.as_ref().map(CanonicalJson::as_str),
            version: HASH_VERSION,
        })
        .ok_or_else(|| {
            Error::Internal(anyhow::anyhow!(
                "hash version {HASH_VERSION} has no formula"
            ))
        })?;
        prev_hash = event.hash.clone();
        events.push(event);
    }
    tx.append_audit(&events)
}

/// An event's columns as its hash reads them: `before` and `after` as
/// their canonical JSON text.
struct Columns<'a> {
    prev_hash: &'a str,
    seq: i64,
    at: &'a Timestamp,
    actor: &'a str,
    action: &'a str,
    account_id: Option<i64>,
    account: Option<&'a str>,
    target: Option<&'a str>,
    before: Option<&'a str>,
    after: Option<&'a str>,
    version: i64,
}

/// The hash of a stored event by the formula its `hash_version` names;
/// `None` for a version this binary does not know.
pub(crate) fn event_hash(record: &AuditRecord) -> Option<String> {
    let e = &record.event;
    let [before, after] = [&e.before, &e.after].map(|v| v.as_ref().map(Value::to_string));
    hash(&Columns {
        prev_hash: &e.prev_hash,
        seq: e.seq,
        at: &e.at,
        actor: &e.actor,
        action: &e.action,
        account_id: record.account_id,
        account: e.account.as_deref(),
        target: e.target.as_deref(),
        before: before.as_deref(),
        after: after.as_deref(),
        version: record.hash_version,
    })
}

/// One field of the object an event's hash reads.
enum Field<'a> {
    /// A string, or null.
    Text(Option<&'a str>),
    /// A number, or null.
    Number(Option<i64>),
    /// Canonical JSON text, or null.
    Json(Option<&'a str>),
}

/// The hash of an event by the formula `version` names; `None` for a
/// version this binary does not know.
///
/// Every version hashes the previous hash, a newline and a canonical JSON
/// object (keys sorted, no spaces) of the event's columns, with SHA-256,
/// in hex. They differ in the columns:
///
/// - 1, before migration 4: seq, at, actor, action, account (the name),
///   target, before, after. It leaves out `account_id`, which `audit list
///   --account` selects by.
/// - 2: every column: those of version 1, `account_id`, and
///   `hash_version` itself, so an event cannot be passed off as another
///   version.
///
/// A new column in `audit_events` needs a new version; the store's tests
/// list the columns so that one is not added unnoticed.
fn hash(c: &Columns) -> Option<String> {
    let at = c.at.to_string();
    let mut fields = vec![
        ("account", Field::Text(c.account)),
        ("action", Field::Text(Some(c.action))),
        ("actor", Field::Text(Some(c.actor))),
        ("after", Field::Json(c.after)),
        ("at", Field::Text(Some(&at))),
        ("before", Field::Json(c.before)),
        ("seq", Field::Number(Some(c.seq))),
        ("target", Field::Text(c.target)),
    ];
    match c.version {
        1 => {}
        2 => {
            fields.insert(1, ("account_id", Field::Number(c.account_id)));
            fields.insert(7, ("hash_version", Field::Number(Some(2))));
        }
        _ => return None,
    }
    Some(digest(c.prev_hash, &fields))
}

/// SHA-256 of `prev_hash`, a newline and `fields` as a compact JSON
/// object, in hex. The object is canonical: the fields come in sorted key
/// order, and their JSON text is canonical. It is written straight into
/// the hash, never built as a string, since every write of many members
/// hashes one event each. The known-answer tests below fail should any of
/// that change.
fn digest(prev_hash: &str, fields: &[(&str, Field)]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n{");
    for (i, (key, value)) in fields.iter().enumerate() {
        if i > 0 {
            hasher.update(b",");
        }
        // The keys are the plain names above: nothing in them to escape.
        hasher.update(b"\"");
        hasher.update(key.as_bytes());
        hasher.update(b"\":");
        // Writing into a hasher cannot fail, nor can serialising a string
        // or a number.
        let _ = match value {
            Field::Text(text) => serde_json::to_writer(&mut hasher, text),
            Field::Number(number) => serde_json::to_writer(&mut hasher, number),
            Field::Json(json) => {
                hasher.update(json.unwrap_or("null").as_bytes());
                Ok(())
            }
        };
    }
    hasher.update(b"}");
    format!("{:x}", hasher.finalize())
}

/// The first column of an event whose stored text is not the text
/// portalctl writes for the value it reads as: `Timestamp`'s and
/// serde_json's `Display`, as the store writes them (compact JSON with
/// sorted keys), and NULL for no value. The hash covers the values, so
/// without this an event's text could be swapped for other text reading
/// the same (`at` at another offset or with a fraction, JSON with a
/// duplicate key, spacing, `null` for NULL) and still verify, while
/// `audit list --since` and anyone reading the file with SQL see the text.
fn edited_text(record: &AuditRecord, text: &AuditText) -> Option<&'static str> {
    let event = &record.event;
    if !writes_as(&event.at, &text.at) {
        return Some("at");
    }
    for (column, value, stored) in [
        ("before", &event.before, &text.before),
        ("after", &event.after, &text.after),
    ] {
        let canonical = match (value, stored) {
            (None, None) => true,
            // JSON `null` reads as a value, but portalctl writes none as
            // NULL (see `record`), and the hash cannot tell them apart.
            (Some(Value::Null), _) => false,
            (Some(value), Some(stored)) => writes_as(value, stored),
            _ => false,
        };
        if !canonical {
            return Some(column);
        }
    }
    None
}

/// Whether `value` is written as exactly `stored`. Compared as it is
/// written, without building the text: `audit verify` checks every
/// event's, and stops at the first byte that differs.
fn writes_as(value: &impl std::fmt::Display, stored: &str) -> bool {
    /// The part of the stored text not yet matched.
    struct Rest<'a>(&'a str);
    impl std::fmt::Write for Rest<'_> {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            // A mismatch ends the writing: nothing more needs comparing.
            self.0 = self.0.strip_prefix(s).ok_or(std::fmt::Error)?;
            Ok(())
        }
    }
    let mut rest = Rest(stored);
    std::fmt::write(&mut rest, format_args!("{value}")).is_ok() && rest.0.is_empty()
}

/// Filters of `audit list`.
#[derive(Debug, Default, Clone)]
pub(crate) struct AuditFilter {
    /// Only this actor: a member or the operator.
    pub actor: Option<Actor>,
    /// Only this account.
    pub account: Option<String>,
    /// Only events at or after this time.
    pub since: Option<Timestamp>,
    /// Only events at or before this time.
    pub until: Option<Timestamp>,
    /// Only events of one of these actions, such as `user.invite`, or of
    /// one beneath them (`order` takes in `order.place`); empty: any.
    pub actions: Vec<String>,
    /// At most this many, the newest.
    pub limit: Option<u32>,
}

impl Portal {
    /// The newest event's position and hash; only the operator reads the
    /// whole log's head.
    pub(crate) fn audit_head(&mut self) -> Result<AuditHeadView> {
        super::access::ensure_operator(&self.ctx, "read the audit log's head")?;
        let tx = self.gate.read(self.ctx.now)?;
        let (seq, hash) = tx.audit_head()?.unwrap_or((0, GENESIS.to_string()));
        Ok(AuditHeadView { seq, hash })
    }

    /// Recomputes the whole chain: every event's hash over its columns
    /// and the previous hash, by the formula its hash version names, in
    /// unbroken order from 1. Each event must read as one, and its stored
    /// text must be the one form portalctl writes its values in, since
    /// other text reading as the same values would verify too (see
    /// `edited_text`). Versions never go down along the chain: this
    /// binary writes the newest, and one that wrote an older version
    /// refuses a database this new, so an older version after a newer one
    /// is an event someone else appended, hashed so as to leave columns
    /// out. With an `anchor` kept elsewhere (`SEQ:HASH` from `audit head`),
    /// the event at that position must still carry that hash, which a
    /// truncated or recomputed log does not. Last, the guards that keep the
    /// log append-only must all be in place. The first fault is a conflict
    /// (exit 4) naming the event, or the guards missing.
    pub(crate) fn audit_verify(&mut self, anchor: Option<&str>) -> Result<AuditVerifiedView> {
        super::access::ensure_operator(&self.ctx, "verify the audit log")?;
        let anchor = anchor.map(parse_anchor).transpose()?;
        let tx = self.gate.read(self.ctx.now)?;
        verify_chain(&*tx, anchor)
    }

    /// The audit log, oldest first, as `audit list` prints it: the events
    /// of [`Portal::audit_events`], with their places in the log for the
    /// operator alone (see `log_sight::reads_places`).
    pub(crate) fn audit_list(&mut self, filter: &AuditFilter) -> Result<AuditLogView> {
        let events = self.audit_events(filter)?;
        Ok(log_as_read(&self.ctx, events))
    }

    /// The events of the audit log the actor reads, oldest first. The
    /// operator reads all of it; a member reads the events of the accounts
    /// where they hold `users.manage`, each as far as they may read what it
    /// records (see `log_sight`).
    pub(crate) fn audit_events(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        for action in &filter.actions {
            known_action(action)?;
        }
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let actor = filter.actor.as_ref().map(Actor::audit_name);
        let accounts = match (&self.ctx.actor, &filter.account) {
            (Actor::Operator(_), None) => None,
            (_, Some(name)) => {
                let account = find_account(&*tx, &self.ctx, name)?;
                super::access::authorize(
                    &*tx,
                    &catalog,
                    &self.ctx,
                    &account,
                    caps::USERS_MANAGE.to("read the audit log"),
                )?;
                Some(vec![account])
            }
            (Actor::Member(_), None) => {
                let mut seen = Vec::new();
                for account in tx.accounts()? {
                    if let Ok(Authority::Member { access, .. }) =
                        authority(&*tx, &catalog, &self.ctx, &account)
                    {
                        if access.holds(caps::USERS_MANAGE) {
                            seen.push(account);
                        }
                    }
                }
                if seen.is_empty() {
                    return Err(Error::denied(
                        "reading the audit log needs `users.manage` in some account",
                    ));
                }
                Some(seen)
            }
        };
        let operator = matches!(self.ctx.actor, Actor::Operator(_));
        let mut shown = Vec::new();
        for account in accounts.iter().flatten().filter(|_| !operator) {
            shown.push((
                account.id,
                shown_actions(&*tx, &catalog, &self.ctx, account)?,
            ));
        }
        let mut query = AuditQuery {
            actor,
            accounts: accounts
                .as_ref()
                .map(|seen| seen.iter().map(|a| a.id).collect()),
            since: filter.since,
            until: filter.until,
            actions: filter.actions.clone(),
            limit: filter.limit,
            shown: (!operator).then_some(shown),
            before_seq: None,
        };
        let seen = accounts.unwrap_or_default();
        let account_of =
            |e: &AuditEvent| seen.iter().find(|a| e.account.as_deref() == Some(&a.name));
        // The query leaves out the kinds the reader may not read; the
        // sight of each event leaves out the rest, and a limit is filled
        // with what is read, page by page back through the log.
        let mut sight = EventSight::default();
        let mut events = Vec::new();
        loop {
            let page = tx.audit_events(&query)?;
            let full = query.limit.is_some_and(|n| page.len() == n as usize);
            let oldest = page.first().map(|e| e.seq);
            for mut e in page.into_iter().rev() {
                if let Some(account) = account_of(&e) {
                    if !sight.reads(&*tx, &catalog, &self.ctx, account, &e)? {
                        continue;
                    }
                    let actor = sight.shown_actor(&*tx, &self.ctx, account, &e)?;
                    // Asking for an actor the reader may not know finds
                    // nothing of theirs, as if they had done nothing.
                    if actor != e.actor && filter.actor.is_some() {
                        continue;
                    }
                    e.actor = actor;
                }
                events.push(e);
            }
            let wanted = filter
                .limit
                .map(|n| (n as usize).saturating_sub(events.len()));
            match (wanted, oldest) {
                (Some(more), Some(seq)) if full && more > 0 => {
                    query.before_seq = Some(seq);
                    query.limit = u32::try_from(more).ok();
                }
                _ => break,
            }
        }
        events.reverse();
        if !operator {
            let email_of = |state: &Option<serde_json::Value>| {
                state
                    .as_ref()
                    .and_then(|s| s.get("email"))
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string)
            };
            for e in &mut events {
                let account = account_of(e);
                let recorded = email_of(&e.after);
                for state in [&mut e.before, &mut e.after].into_iter().flatten() {
                    left_out_unknown(&*tx, &catalog, &self.ctx, account, state)?;
                }
                // A member read by another address than the one recorded
                // (see `left_out_unknown`) is named by it.
                let shown = email_of(&e.after);
                if recorded.is_some() && shown != recorded && e.target == recorded {
                    e.target = shown;
                }
            }
        }
        Ok(events)
    }
}

/// Checks the chain of `audit verify` (see [`Portal::audit_verify`]), for
/// whoever the caller has already let read it.
pub(crate) fn verify_chain(
    tx: &dyn Tx,
    anchor: Option<(i64, String)>,
) -> Result<AuditVerifiedView> {
    let mut head = AuditHeadView {
        seq: 0,
        hash: GENESIS.to_string(),
    };
    let mut newest_version = 1;
    let mut legacy_events = 0;
    // The anchor's event's hash, once the chain reaches it.
    let mut anchored = None;
    // One event at a time: the log is checked in the memory of one.
    tx.audit_chain(&mut |row| {
        let broken = |seq: i64, what: &str| {
            Error::conflict(format!("the audit log is broken at event {seq}: {what}")).help(
                "restore the database from a backup, and find out who could write to the file",
            )
        };
        let (record, text) = match row {
            Ok(read) => read,
            Err(unreadable) => {
                // An event missing before it says more than what is
                // wrong with this one.
                if unreadable.seq != head.seq + 1 {
                    return Err(broken(
                        unreadable.seq,
                        &format!(
                            "expected event {} here (events missing or reordered)",
                            head.seq + 1
                        ),
                    ));
                }
                return Err(broken(unreadable.seq, &unreadable.why));
            }
        };
        let event = &record.event;
        let version = record.hash_version;
        let broken = |what: &str| broken(event.seq, what);
        if event.seq != head.seq + 1 {
            return Err(broken(&format!(
                "expected event {} here (events missing or reordered)",
                head.seq + 1
            )));
        }
        if event.prev_hash != head.hash {
            return Err(broken(
                "it does not follow the event before (missing or reordered)",
            ));
        }
        let Some(hash) = event_hash(&record) else {
            return Err(broken(&format!("its hash version {version} is unknown")));
        };
        if version < newest_version {
            return Err(broken(&format!(
                "its hash version {version} follows version {newest_version}: \
                     a downgrade that leaves columns out of the hash"
            )));
        }
        if hash != event.hash {
            return Err(broken("its content was edited after it was written"));
        }
        if let Some(column) = edited_text(&record, &text) {
            return Err(broken(&format!(
                "its content was edited after it was written \
                 (`{column}` is not stored as portalctl writes it)"
            )));
        }
        newest_version = version;
        if version == 1 {
            legacy_events += 1;
        }
        head = AuditHeadView {
            seq: event.seq,
            hash: event.hash.clone(),
        };
        if anchor.as_ref().is_some_and(|(seq, _)| *seq == event.seq) {
            anchored = Some(event.hash.clone());
        }
        Ok(())
    })?;
    if let Some((seq, hash)) = &anchor {
        match anchored {
            None => {
                return Err(Error::conflict(format!(
                    "the audit log has no event {seq}, which the anchor names: it was truncated"
                )))
            }
            Some(found) if found != *hash => {
                return Err(Error::conflict(format!(
                    "event {seq} no longer has the anchor's hash: the log was rewritten since"
                )))
            }
            Some(_) => {}
        }
    }
    // After the chain: an event shown to be edited says more than a
    // guard shown to be gone.
    let missing = tx.audit_guards_missing()?;
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|n| format!("`{n}`")).collect();
        return Err(Error::conflict(format!(
            "the audit log is no longer append-only: guard trigger missing: {}",
            names.join(", ")
        ))
        .help(
            "the events verify, but the file no longer refuses to change them: \
                 find out who could write to it, and restore it from a backup",
        ));
    }
    Ok(AuditVerifiedView {
        intact: true,
        events: head.seq,
        legacy_events,
        head,
        anchor: anchor.map(|(seq, hash)| format!("{seq}:{hash}")),
    })
}

/// Reads an anchor, `SEQ:HASH` as `audit head --anchor` prints it.
fn parse_anchor(text: &str) -> Result<(i64, String)> {
    let bad = || {
        Error::invalid(format!("`{text}` is not an anchor"))
            .help("write it as `portalctl audit head --anchor` prints it: SEQ:HASH")
    };
    let (seq, hash) = text.trim().split_once(':').ok_or_else(bad)?;
    let seq: i64 = seq.parse().map_err(|_| bad())?;
    let hash = hash.to_ascii_lowercase();
    if seq < 1 || hash.len() != 64 || !hash.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(bad());
    }
    Ok((seq, hash))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AccountKind, Profile};
    use crate::store::{SqliteStore, Store};
    use chrono::TimeZone;
    use serde_json::json;

    fn at(hour: u32) -> Timestamp {
        chrono::Utc
            .with_ymd_and_hms(2026, 1, 1, hour, 0, 0)
            .single()
            .expect("valid time")
            .into()
    }

    fn event(prev: &str) -> AuditEvent {
        AuditEvent {
            seq: 1,
            at: at(0),
            actor: "operator:root".into(),
            action: "init".into(),
            account: Some("Acme".into()),
            target: None,
            before: None,
            after: Some(json!({"b": 1, "a": 2})),
            prev_hash: prev.into(),
            hash: String::new(),
        }
    }

    fn record(version: i64) -> AuditRecord {
        AuditRecord {
            event: event(GENESIS),
            account_id: Some(1),
            hash_version: version,
        }
    }

    fn hash(r: &AuditRecord) -> String {
        event_hash(r).expect("a known version")
    }

    #[test]
    fn the_hash_covers_the_previous_hash_and_every_field() {
        let base = hash(&record(1));
        assert_eq!(base.len(), 64);
        let mut changed = record(1);
        changed.event.prev_hash = "1111".into();
        assert_ne!(base, hash(&changed));
        let mut changed = record(1);
        changed.event.actor = "ann@acme.test".into();
        assert_ne!(base, hash(&changed));
        assert_eq!(base, hash(&record(1)), "the hash is deterministic");
    }

    /// Hashes written by earlier binaries must verify for ever, so each
    /// version's formula is pinned to a hash it gave; this also fails
    /// should serde_json stop sorting object keys.
    #[test]
    fn each_version_still_gives_the_hash_it_always_gave() {
        assert_eq!(
            hash(&record(1)),
            "c6aae7b6a16c49f0aeb0c81b98d4caa46dac75478f10077b596a8ae0fd20a025"
        );
        assert_eq!(
            hash(&record(2)),
            "bfa2f05c3b193279506f42ad30ee764398bf0f84ea9733286f6400a3cd07a219"
        );
        assert_eq!(event_hash(&record(0)), None);
        assert_eq!(event_hash(&record(3)), None);
    }

    #[test]
    fn version_1_leaves_the_account_id_out_and_version_2_covers_every_column() {
        let mut moved = record(1);
        moved.account_id = Some(2);
        assert_eq!(
            hash(&record(1)),
            hash(&moved),
            "the weakness version 2 ends"
        );

        let base = hash(&record(2));
        type Edit = fn(&mut AuditRecord);
        let edits: Vec<(&str, Edit)> = vec![
            ("seq", |r| r.event.seq = 2),
            ("at", |r| r.event.at = at(1)),
            ("actor", |r| r.event.actor = "mallory".into()),
            ("action", |r| r.event.action = "user.invite".into()),
            ("account_id", |r| r.account_id = Some(2)),
            ("account_id null", |r| r.account_id = None),
            ("account", |r| r.event.account = Some("Other".into())),
            ("target", |r| r.event.target = Some("x".into())),
            ("before", |r| r.event.before = Some(json!({}))),
            ("after", |r| r.event.after = Some(json!({"b": 1, "a": 3}))),
            ("prev_hash", |r| r.event.prev_hash = "1".repeat(64)),
        ];
        for (column, edit) in edits {
            let mut edited = record(2);
            edit(&mut edited);
            assert_ne!(base, hash(&edited), "version 2 must cover {column}");
        }
        // The version is covered too: the same columns hashed as version 1
        // give another hash, so a version-2 event relabelled 1 fails.
        assert_ne!(base, hash(&record(1)));
    }

    /// A chain of events in account `Acme`, the i-th hashed by
    /// `versions[i]`, correctly linked.
    fn chain(versions: &[i64]) -> Vec<AuditRecord> {
        let mut prev = GENESIS.to_string();
        let mut records = Vec::new();
        for (i, version) in versions.iter().enumerate() {
            let seq = i as i64 + 1;
            let mut r = AuditRecord {
                event: AuditEvent {
                    seq,
                    at: at(1),
                    actor: "operator:root".into(),
                    action: "account.set".into(),
                    target: Some(format!("change {seq}")),
                    prev_hash: prev.clone(),
                    ..event(GENESIS)
                },
                account_id: Some(1),
                hash_version: *version,
            };
            r.event.hash = hash(&r);
            prev = r.event.hash.clone();
            records.push(r);
        }
        records
    }

    /// A portal, as the operator, whose store holds accounts `Acme` (id 1)
    /// and `Other` (id 2) and exactly `records` as its audit log.
    fn portal_with(records: &[AuditRecord]) -> Portal {
        let mut store = SqliteStore::in_memory().expect("in-memory store");
        let tx = store.write().expect("write");
        for name in ["Acme", "Other"] {
            tx.insert_account(&Account {
                id: 0,
                name: name.into(),
                kind: AccountKind::Partner,
                parent_id: None,
                currency: "GBP".into(),
                owner_id: None,
                profile: Profile::default(),
                created_at: at(0),
            })
            .expect("account");
        }
        let events: Vec<NewEvent> = records.iter().map(NewEvent::from).collect();
        tx.append_audit(&events).expect("append");
        tx.commit().expect("commit");
        let actor = Actor::Operator("root".into());
        Portal::new(Box::new(store), Ctx::new(at(2), actor))
    }

    /// The refusal of `audit verify` on `records`: exit 4, and its message.
    #[track_caller]
    fn refused(records: &[AuditRecord]) -> String {
        let err = portal_with(records)
            .audit_verify(None)
            .expect_err("verify must fail");
        assert_eq!(err.exit_code(), 4, "{err}");
        err.to_string()
    }

    #[test]
    fn a_log_of_version_1_then_version_2_verifies_and_counts_its_legacy_events() {
        let v = portal_with(&chain(&[1, 1, 2, 2]))
            .audit_verify(None)
            .expect("verifies");
        assert_eq!((v.events, v.legacy_events), (4, 2));
        let v = portal_with(&[]).audit_verify(None).expect("empty verifies");
        assert_eq!((v.events, v.legacy_events, v.head.seq), (0, 0, 0));
    }

    #[test]
    fn new_events_are_written_with_version_2() {
        let mut p = super::super::testing::seeded("portal");
        let tx = p.gate.read(p.ctx.now).expect("read");
        let versions: Vec<i64> = crate::store::whole_chain(&*tx)
            .expect("chain")
            .iter()
            .map(|r| r.as_ref().map(|(r, _)| r.hash_version))
            .collect::<std::result::Result<_, _>>()
            .expect("every event reads");
        assert_eq!(versions, vec![HASH_VERSION]);
        drop(tx);
        let v = p.audit_verify(None).expect("verifies");
        assert_eq!(v.legacy_events, 0);
    }

    #[test]
    fn an_event_moved_to_another_account_is_named() {
        let mut records = chain(&[1, 2, 2]);
        records[1].account_id = Some(2);
        let err = refused(&records);
        assert!(
            err.contains("broken at event 2: its content was edited"),
            "{err}"
        );
        records[1].account_id = None;
        assert!(refused(&records).contains("broken at event 2"));
    }

    #[test]
    fn a_flipped_hash_version_is_named() {
        // Down: a downgrade after version 2, or a mismatch at the start.
        let mut records = chain(&[2, 2, 2]);
        records[1].hash_version = 1;
        let err = refused(&records);
        assert!(
            err.contains("broken at event 2: its hash version 1 follows version 2"),
            "{err}"
        );
        let mut records = chain(&[2, 2]);
        records[0].hash_version = 1;
        let err = refused(&records);
        assert!(
            err.contains("broken at event 1: its content was edited"),
            "{err}"
        );
        // Up: a version-1 event relabelled 2 no longer matches its hash.
        let mut records = chain(&[1, 1]);
        records[1].hash_version = 2;
        let err = refused(&records);
        assert!(
            err.contains("broken at event 2: its content was edited"),
            "{err}"
        );
        // Unknown versions, old or new.
        for unknown in [0, 3] {
            let mut records = chain(&[1, 2]);
            records[1].hash_version = unknown;
            let err = refused(&records);
            assert!(
                err.contains(&format!(
                    "broken at event 2: its hash version {unknown} is unknown"
                )),
                "{err}"
            );
        }
    }

    /// The text the store writes for `r`'s values.
    fn text_of(r: &AuditRecord) -> AuditText {
        AuditText {
            at: r.event.at.to_string(),
            before: r.event.before.as_ref().map(Value::to_string),
            after: r.event.after.as_ref().map(Value::to_string),
        }
    }

    #[test]
    fn the_text_portalctl_writes_is_its_own_canonical_form() {
        let mut records = chain(&[1, 2]);
        records[1].event.before =
            Some(json!({"z": [1, 2.5, "\u{e9}\n"], "a": {"c": null, "b": true}}));
        for r in &records {
            assert_eq!(edited_text(r, &text_of(r)), None, "{r:?}");
        }
        assert_eq!(
            text_of(&records[0]).after.as_deref(),
            Some(r#"{"a":2,"b":1}"#),
            "compact, keys sorted"
        );
    }

    /// Text that reads as the same values as the hashed event (so its hash
    /// still matches) but is not what portalctl writes is an edit, named
    /// by its column.
    #[test]
    fn other_text_reading_as_the_same_values_is_an_edit() {
        type Edit = fn(&mut AuditText);
        let edits: Vec<(&str, Edit)> = vec![
            ("at", |t| t.at = "2026-01-01T10:00:00+10:00".into()),
            ("at", |t| t.at = "2026-01-01T00:00:00.000Z".into()),
            ("at", |t| t.at = "2026-01-01T00:00:00+00:00".into()),
            ("at", |t| t.at = " 2026-01-01T00:00:00Z".into()),
            ("at", |t| t.at = "2026-01-01T00:00:00Z\n".into()),
            ("after", |t| t.after = Some(r#"{"b":1,"a":2}"#.into())),
            ("after", |t| t.after = Some(r#"{"a":2, "b":1}"#.into())),
            ("after", |t| t.after = Some(r#"{"a":9,"a":2,"b":1}"#.into())),
            ("after", |t| t.after = Some(r#"{"\u0061":2,"b":1}"#.into())),
            ("after", |t| t.after = Some(r#"{"a":2,"b":1} "#.into())),
            ("after", |t| t.after = Some(r#"{"a":2,"b":1"#.into())),
            ("after", |t| t.after = Some(String::new())),
            ("after", |t| t.after = None),
            ("before", |t| t.before = Some("null".into())),
            ("before", |t| t.before = Some("{}".into())),
        ];
        let r = record(2);
        assert_eq!(r.event.before, None);
        for (column, edit) in edits {
            let mut text = text_of(&r);
            edit(&mut text);
            assert_eq!(edited_text(&r, &text), Some(column), "{text:?}");
        }
    }

    #[test]
    fn a_json_null_is_never_canonical_and_is_written_as_null() {
        // Read from the text `null`, a value is JSON null, which writes
        // back as `null`; but the hash cannot tell it from NULL, so it is
        // not the form portalctl writes.
        let mut r = record(2);
        r.event.before = Some(Value::Null);
        assert_eq!(edited_text(&r, &text_of(&r)), Some("before"));

        // And `record` writes a change's null as NULL.
        let mut store = SqliteStore::in_memory().expect("in-memory store");
        let tx = store.write().expect("write");
        let ctx = Ctx::new(at(2), Actor::Operator("root".into()));
        let change = Change {
            action: "init",
            account: None,
            target: None,
            before: Some(Value::Null.into()),
            after: Some(json!({"a": 1}).into()),
        };
        super::record(&*tx, &ctx, [change]).expect("recorded");
        let stored = crate::store::whole_chain(&*tx).expect("chain");
        let (written, text) = stored[0].as_ref().expect("reads");
        assert_eq!((&written.event.before, &text.before), (&None, &None));
        assert_eq!(edited_text(written, text), None);
        assert!(verify_chain(&*tx, None).is_ok());
    }

    #[test]
    fn a_version_1_event_appended_after_version_2_is_a_downgrade_even_if_well_hashed() {
        // Whoever can write the file can append a well-chained event; as
        // version 1 its account id could later be changed unseen.
        let err = refused(&chain(&[1, 2, 1]));
        assert!(
            err.contains("broken at event 3: its hash version 1 follows version 2"),
            "{err}"
        );
    }

    #[test]
    fn an_action_no_event_has_is_refused_with_the_one_meant() {
        let mut p = crate::domain::testing::seeded("portal");
        let filter = |action: &str| AuditFilter {
            actions: vec![action.into()],
            ..AuditFilter::default()
        };
        let created = p.audit_events(&filter("init")).expect("known");
        assert_eq!(created.len(), 1);
        let err = p
            .audit_events(&filter("order.aprove"))
            .expect_err("no event has it");
        assert_eq!(err.exit_code(), 2);
        assert_eq!(err.to_string(), "unknown action `order.aprove`");
        assert!(
            err.help_text()
                .is_some_and(|h| h.starts_with("did you mean `order.approve`?")),
            "{err:?}"
        );
    }

    #[test]
    fn a_namespace_of_actions_is_taken_as_the_actions_beneath_it() {
        let mut p = crate::domain::testing::seeded("portal");
        crate::domain::testing::join(&mut p, "ann@acme.test", "user");
        let filter = |actions: &[&str]| AuditFilter {
            actions: actions.iter().map(|a| (*a).to_string()).collect(),
            ..AuditFilter::default()
        };
        let all = p.audit_events(&filter(&[])).expect("all").len();
        let users = p.audit_events(&filter(&["user"])).expect("a namespace");
        assert!(!users.is_empty());
        assert!(users.iter().all(|e| e.action.starts_with("user.")));
        // A namespace no event has yet is still one events may have.
        assert!(p
            .audit_events(&filter(&["order"]))
            .expect("known")
            .is_empty());
        // Half a word is no namespace.
        assert!(p.audit_events(&filter(&["ord"])).is_err());
        assert!(p.audit_events(&filter(&["order.appr"])).is_err());
        // Any of several.
        let either = p.audit_events(&filter(&["init", "user"])).expect("either");
        assert_eq!(either.len(), users.len() + 1);
        assert!(either.len() <= all);
        let err = p
            .audit_events(&filter(&["init", "usr"]))
            .expect_err("one unknown is refused");
        assert_eq!(err.to_string(), "unknown action `usr`");
    }

    #[test]
    fn an_unknown_action_offers_the_nearest_and_the_namespaces_not_every_action() {
        let mut p = crate::domain::testing::seeded("portal");
        let err = p
            .audit_events(&AuditFilter {
                actions: vec!["ordr".into()],
                ..AuditFilter::default()
            })
            .expect_err("unknown");
        let help = err.help_text().unwrap_or_default().to_string();
        assert!(help.starts_with("did you mean `order`?"), "{help}");
        assert!(help.contains("order.*"), "{help}");
        assert!(!help.contains("order.reevaluate"), "{help}");
        let err = p
            .audit_events(&AuditFilter {
                actions: vec!["zzzz".into()],
                ..AuditFilter::default()
            })
            .expect_err("unknown");
        let help = err.help_text().unwrap_or_default().to_string();
        assert!(!help.contains("did you mean"), "{help}");
        assert!(help.contains("init, apply, account.*, user.*"), "{help}");
    }

    /// The quoted words of `text` shaped like an action (`word.word`),
    /// with where each starts.
    fn dotted_literals(text: &str) -> Vec<(usize, &str)> {
        let mut found = Vec::new();
        for (at, _) in text.match_indices('"') {
            let rest = &text[at + 1..];
            let len = rest
                .find(|c: char| !(c.is_ascii_lowercase() || c == '_' || c == '.'))
                .unwrap_or(rest.len());
            let word = &rest[..len];
            let shaped =
                word.split('.').count() > 1 && word.split('.').all(|part| !part.is_empty());
            if shaped && rest[len..].starts_with('"') {
                found.push((at, word));
            }
        }
        found
    }

    /// The literal first argument of each call to `call` in `text`.
    fn first_arguments<'t>(text: &'t str, call: &str) -> Vec<&'t str> {
        text.match_indices(call)
            .filter_map(|(at, _)| {
                let rest = text[at + call.len()..].trim_start();
                let rest = rest.strip_prefix('"')?;
                Some(&rest[..rest.find('"')?])
            })
            .collect()
    }

    fn sources(dir: &std::path::Path, found: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).expect("source directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("source");
                // Tests record made-up actions; the code before them is
                // what records events.
                let code = text.split("\n#[cfg(test)]").next().unwrap_or_default();
                found.push((path.display().to_string(), code.to_string()));
            }
        }
    }

    #[test]
    fn every_action_the_domain_records_is_one_audit_list_accepts() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/domain");
        let mut files = Vec::new();
        sources(&dir, &mut files);
        let capabilities: Vec<&str> = crate::model::Capability::all()
            .map(|c| c.as_str())
            .collect();
        // Dotted words the domain quotes that are no action: fields of a
        // fixture file, and the kinds of events `log_sight` names by the
        // start of their actions.
        let not_actions = ["config.inbound", "config.outbound", "former_owner.role"];
        let mut missing = Vec::new();
        for (path, code) in &files {
            let mut actions: Vec<&str> =
                dotted_literals(code).into_iter().map(|(_, w)| w).collect();
            for call in ["changed(", "Change::of("] {
                actions.extend(first_arguments(code, call));
            }
            for word in actions {
                let known = ACTIONS.contains(&word)
                    || capabilities.contains(&word)
                    || word.ends_with(".json")
                    || not_actions.contains(&word)
                    || ACTIONS.iter().any(|a| a.starts_with(word));
                if !known {
                    missing.push(format!("{path}: `{word}`"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "recorded but not in ACTIONS: {missing:#?}"
        );
        assert!(files.len() > 30, "the domain's sources are read");
    }
}
