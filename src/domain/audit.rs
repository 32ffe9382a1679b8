//! The audit log: one hash-chained event per change, and who may read it.

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::access::{authority, caps, Authority};
use super::{find_account, snapshot, Actor, Catalog, Ctx, Portal};
use crate::error::{Error, Result};
use crate::model::{Account, AuditEvent, Timestamp};
use crate::store::{AuditQuery, Tx};
use crate::view::{AuditHeadView, AuditVerifiedView};

/// The `prev_hash` of the first event.
const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A change about to be recorded.
pub(crate) struct Change {
    pub action: &'static str,
    pub account: Option<Account>,
    pub target: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
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
            before: before.map(snapshot).transpose()?,
            after: Some(snapshot(after)?),
        })
    }
}

/// Appends the change's event, chained to the previous one. Called by the
/// write gate inside the transaction that makes the change, so both commit
/// or neither does.
pub(super) fn record(tx: &dyn Tx, ctx: &Ctx, change: Change) -> Result<()> {
    let (seq, prev_hash) = match tx.audit_head()? {
        Some((seq, hash)) => (seq + 1, hash),
        None => (1, GENESIS.to_string()),
    };
    let mut event = AuditEvent {
        seq,
        at: ctx.now,
        actor: ctx.actor.audit_name(),
        action: change.action.to_string(),
        account: change.account.as_ref().map(|a| a.name.clone()),
        target: change.target,
        before: change.before,
        after: change.after,
        prev_hash,
        hash: String::new(),
    };
    event.hash = event_hash(&event);
    tx.append_audit(&event, change.account.map(|a| a.id))
}

/// SHA-256 over the previous hash and the event's canonical JSON (object
/// keys sorted), hex.
pub(crate) fn event_hash(e: &AuditEvent) -> String {
    let body = json!({
        "seq": e.seq,
        "at": e.at.to_string(),
        "actor": e.actor,
        "action": e.action,
        "account": e.account,
        "target": e.target,
        "before": e.before,
        "after": e.after,
    });
    let mut hasher = Sha256::new();
    hasher.update(e.prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(body.to_string().as_bytes());
    format!("{:x}", hasher.finalize())
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
    /// At most this many, the newest.
    pub limit: Option<u32>,
}

impl Portal {
    /// The newest event's position and hash; only the operator reads the
    /// whole log's head.
    pub(crate) fn audit_head(&mut self) -> Result<AuditHeadView> {
        super::access::ensure_operator(&self.ctx, "read the audit log's head")?;
        let tx = self.gate.read()?;
        let (seq, hash) = tx.audit_head()?.unwrap_or((0, GENESIS.to_string()));
        Ok(AuditHeadView { seq, hash })
    }

    /// Recomputes the whole chain: every event's hash over its fields and
    /// the previous hash, in unbroken order from 1. With an `anchor` kept
    /// elsewhere (`SEQ:HASH` from `audit head`), the event at that position
    /// must still carry that hash, which a truncated or recomputed log does
    /// not. The first fault is a conflict (exit 4) naming the event.
    pub(crate) fn audit_verify(&mut self, anchor: Option<&str>) -> Result<AuditVerifiedView> {
        super::access::ensure_operator(&self.ctx, "verify the audit log")?;
        let anchor = anchor.map(parse_anchor).transpose()?;
        let tx = self.gate.read()?;
        let events = tx.audit_events(&AuditQuery::default())?;
        let mut head = AuditHeadView {
            seq: 0,
            hash: GENESIS.to_string(),
        };
        for event in &events {
            let broken = |what: &str| {
                Error::conflict(format!(
                    "the audit log is broken at event {}: {what}",
                    event.seq
                ))
                .help(
                    "restore the database from a backup, and find out who could write to the file",
                )
            };
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
            if event_hash(event) != event.hash {
                return Err(broken("its content was edited after it was written"));
            }
            head = AuditHeadView {
                seq: event.seq,
                hash: event.hash.clone(),
            };
        }
        if let Some((seq, hash)) = &anchor {
            match events.iter().find(|e| e.seq == *seq) {
                None => {
                    return Err(Error::conflict(format!(
                        "the audit log has no event {seq}, which the anchor names: it was truncated"
                    )))
                }
                Some(e) if e.hash != *hash => {
                    return Err(Error::conflict(format!(
                        "event {seq} no longer has the anchor's hash: the log was rewritten since"
                    )))
                }
                Some(_) => {}
            }
        }
        Ok(AuditVerifiedView {
            intact: true,
            events: head.seq,
            head,
            anchor: anchor.map(|(seq, hash)| format!("{seq}:{hash}")),
        })
    }

    /// The audit log, oldest first. The operator reads all of it; a member
    /// reads the events of the accounts where they hold `users.manage`.
    pub(crate) fn audit_list(&mut self, filter: &AuditFilter) -> Result<Vec<AuditEvent>> {
        let tx = self.gate.read()?;
        let catalog = Catalog::load(&*tx)?;
        let actor = filter.actor.as_ref().map(Actor::audit_name);
        let accounts = match (&self.ctx.actor, &filter.account) {
            (Actor::Operator(_), None) => None,
            (_, Some(name)) => {
                let account = find_account(&*tx, &self.ctx, name)?;
                super::access::authorize(&*tx, &catalog, &self.ctx, &account, caps::USERS_MANAGE)?;
                Some(vec![account.id])
            }
            (Actor::Member(_), None) => {
                let mut ids = Vec::new();
                for account in tx.accounts()? {
                    if let Ok(Authority::Member { access, .. }) =
                        authority(&*tx, &catalog, &self.ctx, &account)
                    {
                        if access.holds(caps::USERS_MANAGE) {
                            ids.push(account.id);
                        }
                    }
                }
                if ids.is_empty() {
                    return Err(Error::denied(
                        "reading the audit log needs `users.manage` in some account",
                    ));
                }
                Some(ids)
            }
        };
        tx.audit_events(&AuditQuery {
            actor,
            accounts,
            since: filter.since,
            limit: filter.limit,
        })
    }
}

/// Reads an anchor, `SEQ:HASH` as `audit head` prints it.
fn parse_anchor(text: &str) -> Result<(i64, String)> {
    let bad = || {
        Error::invalid(format!("`{text}` is not an anchor"))
            .help("write it as `audit head` prints it: SEQ:HASH")
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
    use chrono::TimeZone;

    fn event(prev: &str) -> AuditEvent {
        AuditEvent {
            seq: 1,
            at: chrono::Utc
                .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
                .single()
                .expect("valid time")
                .into(),
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

    #[test]
    fn the_hash_covers_the_previous_hash_and_every_field() {
        let base = event_hash(&event(GENESIS));
        assert_eq!(base.len(), 64);
        assert_ne!(base, event_hash(&event("1111")));
        let mut changed = event(GENESIS);
        changed.actor = "ann@acme.test".into();
        assert_ne!(base, event_hash(&changed));
        assert_eq!(
            base,
            event_hash(&event(GENESIS)),
            "the hash is deterministic"
        );
    }
}
