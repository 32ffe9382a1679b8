//! A member's past, read from the audit log: their timeline (`user
//! history`) and their access as of a moment (`can --at`, `user show
//! --at`).
//!
//! Every change of a member is recorded with their whole state after it
//! (the `MemberView` that `user show` prints: role, grants, status, owner,
//! external access, and when time-bound access lapses), so their state at
//! T is the `after` of their last such event at or before T, found by the
//! audit log's target index. Time-bound access recorded then is lapsed at
//! T by the same rule every check uses (`Membership::in_force`). Roles and
//! areas never change their capabilities once made (roles are created and
//! retired, never edited; a retired role keeps its row), so the catalog of
//! today answers for any moment. An apply that changes a member by several
//! commands records one event (`user.update`, see `one_object`) whose
//! `after` is the member as the last command left them, so it replays the
//! same way; their timeline shows the commands it merged.
//!
//! A member's events are recorded under the email they had then; their
//! timeline, and their state at T, follow them back through each change
//! of address (see `timeline`). Limits: a member with no recorded event
//! up to T (one who joined later, or whose only records predate the audit
//! log) was no member then.

use std::collections::BTreeMap;

use serde_json::Value;

use super::access::Access;
use super::log_sight::{left_out_unknown, shown_seq, EventSight};
use super::members::visible_member;
use super::one_object::STEPS;
use super::timeline::{joined, merged_timeline, recorded_member, runs_in, timeline_in};
use super::{member_in, Catalog, Portal, Reach};
use crate::error::{Error, Result};
use crate::model::{
    Account, Capability, Email, Grant, MemberStanding, MemberStatus, Membership, Person, Timestamp,
};
use crate::store::Tx;
use crate::view::{CanView, HistoryView, MemberView};

/// A member's recorded state at a moment, with time-bound access lapsed
/// as it stood then.
struct Past<'c> {
    access: Access<'c>,
    /// The view as recorded by the last event up to the moment.
    recorded: Value,
}

/// The text at `key` of a recorded state, if it is text.
pub(super) fn text(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_string)
}

fn time(v: &Value, key: &str) -> Result<Option<Timestamp>> {
    text(v, key).map(|t| t.parse()).transpose()
}

/// The member's state in `account` at `at`, if they had one then.
fn state_at<'c>(
    tx: &dyn Tx,
    catalog: &'c Catalog,
    account: &Account,
    current: &Membership,
    email: &Email,
    at: Timestamp,
) -> Result<Option<Past<'c>>> {
    // The address they had then, which their events then are under.
    let runs = runs_in(tx, email, account.id, Some(at))?;
    let Some(run) = runs.last() else {
        return Ok(None);
    };
    // Joined after `at`: what the address has from before was another's.
    if run.events.first().is_some_and(|e| joined(e) && e.at > at) {
        return Ok(None);
    }
    let address = run.address.as_str();
    let Some(event) = tx.member_state_at(address, account.id, at)? else {
        return Ok(None);
    };
    let Some(after) = recorded_member(&event).cloned() else {
        return Ok(None);
    };
    let defect = |what: &str| {
        Error::Internal(anyhow::anyhow!(
            "audit event {} records {what} that this catalog does not know",
            event.seq
        ))
    };
    let role_name = text(&after, "role").unwrap_or_default();
    let reach = Reach::Accounts(&[account.id]);
    let role = catalog
        .any_role_named(tx, &role_name, reach)?
        .ok_or_else(|| defect(&format!("role `{role_name}`")))?;
    let role_after = match text(&after, "role_after") {
        Some(name) => Some(
            catalog
                .any_role_named(tx, &name, reach)?
                .ok_or_else(|| defect(&format!("role `{name}`")))?
                .id,
        ),
        None => None,
    };
    let standing: MemberStanding = text(&after, "status").unwrap_or_default().parse()?;
    let status = match standing {
        MemberStanding::Invited => MemberStatus::Invited,
        MemberStanding::Active => MemberStatus::Active,
        MemberStanding::Deactivated | MemberStanding::Revoked => MemberStatus::Deactivated,
        MemberStanding::Left => MemberStatus::Left,
    };
    let partner = match text(&after, "external_from") {
        Some(name) => tx.account_named(&name)?,
        None => None,
    };
    // Only whether access is external matters to the rules here.
    let external_from = text(&after, "external_from").map(|_| partner.as_ref().map_or(0, |a| a.id));
    // External access that ended because its holder lost access to the
    // partner is recorded with the partner's event alone
    // (`external_ended`): it ended then too.
    let ended_from_partner = match &partner {
        Some(partner) => tx
            .target_events_between(address, partner.id, event.seq, at)?
            .iter()
            .any(|e| names_customer(e.after.as_ref(), &account.name)),
        None => false,
    };
    let grants = recorded_grants(&after, event.at)?;
    let status = if ended_from_partner && status == MemberStatus::Active {
        MemberStatus::Deactivated
    } else {
        status
    };
    let membership = Membership {
        role_id: role.id,
        previous_role_id: None,
        status,
        external_from,
        role_until: time(&after, "role_until")?,
        role_after,
        external_until: time(&after, "external_until")?,
        ..current.clone()
    }
    .in_force(at);
    let owner = after.get("owner").and_then(Value::as_bool) == Some(true);
    Ok(Some(Past {
        access: Access::from_parts(tx, catalog, membership, grants, owner, at)?.standing(standing),
        recorded: after,
    }))
}

/// Whether a member's recorded `after` says their external access to
/// `customer` ended with it.
fn names_customer(after: Option<&Value>, customer: &str) -> bool {
    after
        .and_then(|a| a.get("external_ended"))
        .and_then(Value::as_array)
        .is_some_and(|ended| {
            ended
                .iter()
                .any(|e| e.get("customer").and_then(Value::as_str) == Some(customer))
        })
}

/// "`ann@acme.test` was no member of `Acme` at T".
fn not_then(email: &Email, account: &Account, at: Timestamp) -> String {
    format!(
        "`{email}` was not a member of `{}` at {at}: nothing is recorded of them there by then",
        account.name
    )
}

impl Portal {
    /// Whether a member held a capability at `at`, and why, as recorded.
    /// The actor needs what `can` needs now.
    pub(crate) fn can_at(
        &mut self,
        email: &Email,
        cap: Capability,
        account: Option<&str>,
        at: Timestamp,
    ) -> Result<CanView> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let (now, account) = visible_member(&*tx, &catalog, &self.ctx, email, account)?;
        let view = |allowed: bool, reason: String, until: Option<Timestamp>| CanView {
            email: email.to_string(),
            account: account.name.clone(),
            capability: cap.to_string(),
            allowed,
            reason,
            until,
            at: Some(at),
            approver_of: Vec::new(),
        };
        Ok(
            match state_at(&*tx, &catalog, &account, &now.membership, email, at)? {
                Some(past) => {
                    let decision = past.access.decide(cap);
                    let until = past.access.held_until(&*tx, cap, at)?;
                    view(decision.allowed, decision.reason, until)
                }
                None => view(false, not_then(email, &account, at), None),
            },
        )
    }

    /// A member as they stood at `at`, as recorded: role, grants, status,
    /// ownership and external access then, and the capabilities they gave.
    pub(crate) fn member_show_at(
        &mut self,
        email: &Email,
        account: Option<&str>,
        at: Timestamp,
    ) -> Result<MemberView> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let (now, account) = visible_member(&*tx, &catalog, &self.ctx, email, account)?;
        let past = state_at(&*tx, &catalog, &account, &now.membership, email, at)?
            .ok_or_else(|| Error::not_found(not_then(email, &account, at)))?;
        let m = &past.access.membership;
        let grants: Vec<Grant> = past_grants(&past.recorded, at)?;
        let mut view = super::member_view(&*tx, &self.ctx, &catalog, m)?;
        view.as_of = Some(at);
        view.account = account.name.clone();
        // Today's times of what happened after `at` had not happened then:
        // an invitee at `at` had accepted nothing yet.
        view.invited_at = view.invited_at.filter(|t| *t <= at);
        view.accepted_at = view.accepted_at.filter(|t| *t <= at);
        // Named as they were then, under the address they had then.
        // The log keeps the person's own name beside an invitation's: read
        // as `audit list` reads it.
        let mut read = past.recorded.clone();
        left_out_unknown(&*tx, &catalog, &self.ctx, Some(&account), &mut read)?;
        view.name = text(&read, "name").or(view.name);
        view.email = text(&past.recorded, "email").unwrap_or(view.email);
        view.role = catalog.role(&*tx, m.role_id)?.name.clone();
        view.status = match text(&past.recorded, "status").as_deref() {
            Some("revoked") => MemberStanding::Revoked,
            _ => m.status.into(),
        };
        view.owner = past.access.owner;
        view.external_from =
            text(&past.recorded, "external_from").filter(|_| m.external_from.is_some());
        view.grants = grants.iter().map(|g| g.name.clone()).collect();
        view.grants_until = grants
            .iter()
            .filter_map(|g| g.expires_at.map(|t| (g.name.clone(), t)))
            .collect();
        view.role_until = m.role_until;
        view.role_after = m
            .role_after
            .map(|id| catalog.role(&*tx, id).map(|r| r.name.clone()))
            .transpose()?;
        view.external_until = m.external_until;
        view.access_ends = m.next_lapse(&grants);
        view.capabilities = Some(
            past.access
                .capabilities()
                .iter()
                .map(|c| c.to_string())
                .collect(),
        );
        // Services and courses are not recorded with the member: a past
        // view leaves them out rather than show today's.
        view.services = None;
        view.courses = None;
        // The duplicate flag is recorded with the member: as it stood
        // then, naming whom only to an actor who may see them now.
        let flag = |field: &str| {
            text(&past.recorded, field)
                .map(|of| super::shown_email(&*tx, &self.ctx, &of))
                .transpose()
        };
        view.duplicate_of = flag("duplicate_of")?;
        view.merged_into = flag("merged_into")?;
        Ok(view)
    }

    /// The member's timeline: every recorded change of them in the
    /// accounts where the actor may see them (`user show`'s rule), under
    /// each address they had and those of everyone merged into them,
    /// oldest first, each with when, who, what changed, and the address it
    /// was recorded under where that is not theirs now.
    pub(crate) fn member_history(
        &mut self,
        email: &Email,
        account: Option<&str>,
    ) -> Result<Vec<HistoryView>> {
        let tx = self.gate.read(self.ctx.now)?;
        let catalog = Catalog::load(&*tx)?;
        let accounts = match account {
            Some(_) => vec![visible_member(&*tx, &catalog, &self.ctx, email, account)?.1],
            None => {
                let mut seen = Vec::new();
                if let Some(person) = tx.person_by_email(email.as_str())? {
                    // An address merged away is still known by the
                    // accounts that invited it since (`invited_email`).
                    let mut memberships = tx.memberships_of(person.id)?;
                    if person.merged_into.is_some() {
                        memberships.extend(tx.memberships_invited_as(email.as_str())?);
                    }
                    for m in memberships {
                        let account = tx.account(m.account_id)?;
                        match visible_member(&*tx, &catalog, &self.ctx, email, Some(&account.name))
                        {
                            Ok((_, account)) => seen.push(account),
                            Err(Error::Denied(_) | Error::NotFound(_)) => {}
                            Err(e) => return Err(e),
                        }
                    }
                }
                if seen.is_empty() {
                    // `user show`'s answer, which names no account the
                    // actor does not see: the same whether the person is
                    // a member elsewhere or nowhere at all.
                    return Err(
                        match visible_member(&*tx, &catalog, &self.ctx, email, None) {
                            Err(e) => e,
                            Ok(_) => Error::not_found(format!("no member `{email}`")),
                        },
                    );
                }
                seen
            }
        };
        // Still a member of each (the rule above asked), so the email is theirs.
        for account in &accounts {
            member_in(&*tx, &self.ctx, email, account)?;
        }
        // By position in the log: a duplicate whose membership moved to
        // them is in both their own timeline and the merged one.
        let mut events = BTreeMap::new();
        for account in &accounts {
            events.extend(
                timeline_in(&*tx, email, account.id)?
                    .into_iter()
                    .map(|e| (e.seq, e)),
            );
        }
        let mut sight = EventSight::default();
        if let Some(person) = tx.person_by_email(email.as_str())? {
            let mut reads_merge =
                |dup: &Person, account: &Account| sight.reads_merge(&*tx, &self.ctx, dup, account);
            let merged = merged_timeline(&*tx, person.id, &accounts, &mut reads_merge)?;
            events.extend(merged.into_iter().map(|e| (e.seq, e)));
        }
        let mut lines = Vec::with_capacity(events.len());
        for mut e in events.into_values() {
            let account = accounts
                .iter()
                .find(|a| e.account.as_deref() == Some(&a.name));
            // Read as `audit list` reads it: an owner's `init` records the
            // whole account profile, for who may read it directly.
            if let Some(account) = account {
                if !sight.reads(&*tx, &catalog, &self.ctx, account, &e)? {
                    continue;
                }
                e.actor = sight.shown_actor(&*tx, &self.ctx, account, &e)?;
            }
            for state in [&mut e.before, &mut e.after].into_iter().flatten() {
                left_out_unknown(&*tx, &catalog, &self.ctx, account, state)?;
            }
            lines.push(HistoryView {
                seq: shown_seq(&self.ctx, &e),
                recorded_as: e.target.filter(|t| t != email.as_str()),
                at: e.at,
                actor: e.actor,
                action: e.action,
                account: e.account,
                changes: changes(e.before.as_ref(), e.after.as_ref()),
                steps: steps(e.after.as_ref()),
            });
        }
        Ok(lines)
    }
}

/// The grants recorded in a member's view, those in force at `at`.
fn past_grants(recorded: &Value, at: Timestamp) -> Result<Vec<Grant>> {
    Ok(recorded_grants(recorded, at)?
        .into_iter()
        .filter(|g| g.in_force(at))
        .collect())
}

/// The grants recorded in a member's view, with their ends, as given at
/// `granted_at`.
fn recorded_grants(recorded: &Value, granted_at: Timestamp) -> Result<Vec<Grant>> {
    let mut until: BTreeMap<&str, Timestamp> = BTreeMap::new();
    if let Some(map) = recorded.get("grants_until").and_then(Value::as_object) {
        for (name, t) in map {
            if let Some(t) = t.as_str() {
                until.insert(name, t.parse()?);
            }
        }
    }
    Ok(recorded
        .get("grants")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|name| Grant {
            name: name.to_string(),
            granted_at,
            expires_at: until.get(name).copied(),
        })
        .collect())
}

/// Fields of a member's view that say nothing about the change itself:
/// where (the event says), `access_ends`, which the `*_until` fields
/// already show, and the commands a merged event ran, which [`steps`]
/// reads. Their email is whose (the event's target) unless it changed.
const QUIET: &[&str] = &["account", "access_ends", STEPS];

/// The commands an event merges, in order (see `one_object`); none for
/// the event of one command.
fn steps(after: Option<&Value>) -> Vec<String> {
    after
        .and_then(|a| a.get(STEPS))
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect()
}

/// What changed between two recorded states: `field: before -> after`
/// for each field that differs (`field: value` for a new object).
fn changes(before: Option<&Value>, after: Option<&Value>) -> Vec<String> {
    let empty = serde_json::Map::new();
    let b = before.and_then(Value::as_object).unwrap_or(&empty);
    let a = after.and_then(Value::as_object).unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Vec::new();
    for key in keys {
        if QUIET.contains(&key.as_str()) || (before.is_none() && key == "email") {
            continue;
        }
        let (old, new) = (b.get(key), a.get(key));
        if old == new {
            continue;
        }
        let shown = |v: Option<&Value>| v.map_or_else(|| "-".to_string(), compact);
        if before.is_none() {
            if new.is_some_and(|v| !v.is_null() && v != &Value::Array(vec![])) {
                out.push(format!("{key}: {}", shown(new)));
            }
        } else {
            out.push(format!("{key}: {} -> {}", shown(old), shown(new)));
        }
    }
    out
}

/// A JSON value in one short line: text bare, lists comma-separated.
fn compact(v: &Value) -> String {
    match v {
        Value::Null => "-".to_string(),
        Value::String(s) => s.clone(),
        Value::Bool(true) => "yes".to_string(),
        Value::Bool(false) => "no".to_string(),
        Value::Array(items) if items.is_empty() => "-".to_string(),
        Value::Array(items) => items.iter().map(compact).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}={}", compact(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{email, join, seeded};
    use super::super::{Actor, MemberFilter};
    use super::*;
    use crate::model::caps;

    fn t(s: &str) -> Timestamp {
        s.parse().expect("a time")
    }

    const T: &str = "2026-11-25T12:00:00Z";

    #[test]
    fn a_time_bound_role_lapses_to_the_second_in_process() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "user");
        let ann = email("ann@acme.test");
        let v = p
            .set_role(&ann, "admin", None, Some(t(T)))
            .expect("set-role --until");
        assert_eq!(
            (v.role_until, v.role_after.as_deref()),
            (Some(t(T)), Some("user"))
        );
        for (now, held) in [
            ("2026-11-25T11:59:59Z", true),
            (T, false),
            ("2026-11-25T12:00:01Z", false),
        ] {
            p.ctx.now = t(now);
            let can = p.can(&ann, caps::USERS_MANAGE, None).expect("can");
            assert_eq!(can.allowed, held, "at {now}");
            let admins = p
                .member_list(&MemberFilter {
                    role: Some("admin".into()),
                    ..MemberFilter::default()
                })
                .expect("list");
            assert_eq!(
                admins.iter().any(|m| m.email == ann.as_str()),
                held,
                "at {now}"
            );
            // Her own --as checks see the same.
            p.ctx.actor = Actor::Member(ann.clone());
            let listed = p.member_list(&MemberFilter::default());
            assert_eq!(listed.is_ok(), held, "at {now}");
            p.ctx.actor = Actor::Operator("root".into());
        }
    }

    /// As of a moment before the acceptance, an invitee had accepted
    /// nothing: no acceptance time from after it.
    #[test]
    fn a_past_view_shows_no_acceptance_from_after_it() {
        let mut p = seeded("portal");
        let zed = email("zed@acme.test");
        let invited = p
            .invite(&crate::domain::InviteRequest {
                email: Some(zed.clone()),
                role: Some("user".into()),
                ..crate::domain::InviteRequest::default()
            })
            .expect("invite");
        let asked = p.ctx.now;
        p.ctx.now = t("2026-11-25T11:00:00Z");
        p.accept(&invited.token, None).expect("accept");
        let before = p
            .member_show_at(&zed, None, t("2026-11-25T10:30:00Z"))
            .expect("then");
        assert_eq!(before.status, MemberStanding::Invited);
        assert_eq!((before.invited_at, before.accepted_at), (Some(asked), None));
        let after = p.member_show_at(&zed, None, t(T)).expect("later");
        assert_eq!(after.accepted_at, Some(t("2026-11-25T11:00:00Z")));
    }

    #[test]
    fn refusals_of_time_bound_access_have_their_exit_codes() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "user");
        join(&mut p, "max@acme.test", "manager");
        let ann = email("ann@acme.test");
        // Not in the future: a usage error.
        let past = p.set_role(&ann, "manager", None, Some(p.ctx.now));
        assert_eq!(past.expect_err("past").exit_code(), 2);
        // A manager gives no role, time-bound or not.
        p.ctx.actor = Actor::Member(email("max@acme.test"));
        let denied = p.set_role(&ann, "manager", None, Some(t(T)));
        assert_eq!(denied.expect_err("denied").exit_code(), 5);
        // Nothing changed: no event beyond the two joins.
        p.ctx.actor = Actor::Operator("root".into());
        assert_eq!(p.member_history(&ann, None).expect("history").len(), 2);
    }

    #[test]
    fn can_at_and_history_read_the_recorded_changes() {
        let mut p = seeded("portal");
        join(&mut p, "ann@acme.test", "user");
        let ann = email("ann@acme.test");
        p.ctx.now = t("2026-11-25T11:00:00Z");
        p.set_role(&ann, "manager", None, None).expect("manager");
        p.ctx.now = t("2026-11-25T13:00:00Z");
        p.set_role(&ann, "admin", None, Some(t("2026-11-25T14:00:00Z")))
            .expect("admin for an hour");
        p.ctx.now = t("2026-11-26T00:00:00Z");
        let ask = |p: &mut Portal, cap, at: &str| {
            p.can_at(&ann, cap, None, t(at)).expect("can --at").allowed
        };
        assert!(!ask(&mut p, caps::ORDERS_PLACE, "2026-11-25T10:59:59Z"));
        assert!(ask(&mut p, caps::ORDERS_PLACE, "2026-11-25T11:00:00Z"));
        assert!(!ask(&mut p, caps::USERS_MANAGE, "2026-11-25T12:59:59Z"));
        assert!(ask(&mut p, caps::USERS_MANAGE, "2026-11-25T13:59:59Z"));
        assert!(!ask(&mut p, caps::USERS_MANAGE, "2026-11-25T14:00:00Z"));
        let was = p
            .member_show_at(&ann, None, t("2026-11-25T13:30:00Z"))
            .expect("show --at");
        assert_eq!(
            (was.role.as_str(), was.role_after.as_deref()),
            ("admin", Some("manager"))
        );
        let history = p.member_history(&ann, None).expect("history");
        let actions: Vec<&str> = history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(
            actions,
            ["user.invite", "user.accept", "user.set_role", "user.set_role"]
        );
        assert!(history[2]
            .changes
            .contains(&"role: user -> manager".to_string()));
    }

    fn new_email(p: &mut Portal, from: &str, to: &str) {
        let edit = crate::domain::PersonEdit {
            new_email: Some(email(to)),
            ..Default::default()
        };
        p.edit_person(&email(from), None, &edit)
            .expect("user edit --new-email");
    }

    fn actions(history: &[HistoryView]) -> Vec<&str> {
        history.iter().map(|h| h.action.as_str()).collect()
    }

    #[test]
    fn history_follows_the_member_back_through_each_change_of_email() {
        let mut p = seeded("portal");
        p.ctx.now = t("2026-11-25T10:00:00Z");
        join(&mut p, "ann@acme.test", "user");
        p.ctx.now = t("2026-11-25T11:00:00Z");
        p.set_role(&email("ann@acme.test"), "manager", None, None)
            .expect("manager");
        p.ctx.now = t("2026-11-25T12:00:00Z");
        new_email(&mut p, "ann@acme.test", "ann.b@acme.test");
        p.ctx.now = t("2026-11-25T13:00:00Z");
        p.set_role(&email("ann.b@acme.test"), "admin", None, None)
            .expect("admin");
        p.ctx.now = t("2026-11-25T14:00:00Z");
        new_email(&mut p, "ann.b@acme.test", "ann.c@acme.test");
        p.ctx.now = t("2026-11-26T00:00:00Z");
        // Her state then, under the address she had then.
        let ann = email("ann.c@acme.test");
        for (at, address, role, manages) in [
            ("2026-11-25T11:30:00Z", "ann@acme.test", "manager", false),
            ("2026-11-25T13:30:00Z", "ann.b@acme.test", "admin", true),
            ("2026-11-25T14:30:00Z", "ann.c@acme.test", "admin", true),
        ] {
            let was = p.member_show_at(&ann, None, t(at)).expect("show --at");
            assert_eq!(
                (was.email.as_str(), was.role.as_str()),
                (address, role),
                "{at}"
            );
            let can = p
                .can_at(&ann, caps::USERS_MANAGE, None, t(at))
                .expect("can --at");
            assert_eq!(can.allowed, manages, "{at}");
        }
        let before = p.member_show_at(&ann, None, t("2026-11-25T09:00:00Z"));
        assert!(matches!(before, Err(Error::NotFound(_))), "{before:?}");
        let history = p
            .member_history(&email("ann.c@acme.test"), None)
            .expect("history");
        assert_eq!(
            actions(&history),
            [
                "user.invite", "user.accept", "user.set_role", "user.edit", "user.set_role",
                "user.edit"
            ]
        );
        assert!(history[3]
            .changes
            .contains(&"email: ann@acme.test -> ann.b@acme.test".to_string()));
        assert!(history.windows(2).all(|w| w[0].seq < w[1].seq));
    }

    #[test]
    fn history_leaves_out_whoever_held_the_address_before() {
        let mut p = seeded("portal");
        p.ctx.now = t("2026-11-27T10:00:00Z");
        join(&mut p, "ann@acme.test", "user");
        p.set_role(&email("ann@acme.test"), "manager", None, None)
            .expect("manager");
        // Ann moves to a new address; a new person takes the old one.
        new_email(&mut p, "ann@acme.test", "ann.b@acme.test");
        p.ctx.now = t("2026-11-27T12:00:00Z");
        join(&mut p, "ann@acme.test", "user");
        p.ctx.now = t("2026-11-28T00:00:00Z");
        // Before the newcomer joined, the address was Ann's, not theirs.
        let then = p.member_show_at(&email("ann@acme.test"), None, t("2026-11-27T11:00:00Z"));
        assert!(matches!(then, Err(Error::NotFound(_))), "{then:?}");
        let ann_then = p
            .member_show_at(&email("ann.b@acme.test"), None, t("2026-11-27T11:00:00Z"))
            .expect("show --at");
        assert_eq!(
            (ann_then.email.as_str(), ann_then.role.as_str()),
            ("ann.b@acme.test", "manager")
        );
        let newcomer = p
            .member_history(&email("ann@acme.test"), None)
            .expect("history");
        assert_eq!(actions(&newcomer), ["user.invite", "user.accept"]);
        let ann = p
            .member_history(&email("ann.b@acme.test"), None)
            .expect("history");
        assert_eq!(
            actions(&ann),
            ["user.invite", "user.accept", "user.set_role", "user.edit"]
        );
    }

    /// Acme's ann, and ann2, the same person: a user of Acme too, and the
    /// only one of them in Beta, whose policy names ann2. Flagged by
    /// Acme's owner at 12:00, merged by support at 13:00.
    fn ann_and_her_duplicate() -> Portal {
        let mut p = seeded("portal");
        p.ctx.now = t("2026-11-25T10:00:00Z");
        join(&mut p, "ann@acme.test", "user");
        p.ctx.now = t("2026-11-25T11:00:00Z");
        join(&mut p, "ann2@acme.test", "user");
        p.account_create(&crate::domain::NewAccount {
            name: "Beta".into(),
            kind: crate::model::AccountKind::Partner,
            parent: None,
            currency: None,
        })
        .expect("account");
        let invited = p
            .invite(&crate::domain::InviteRequest {
                email: Some(email("ann2@acme.test")),
                role: Some("manager".into()),
                account: Some("Beta".into()),
                ..Default::default()
            })
            .expect("invite");
        p.accept(&invited.token, None).expect("accept");
        p.policy_create(&crate::domain::NewPolicy {
            name: "Beta signs".into(),
            threshold: "50.00".parse().expect("amount"),
            approvers: vec![email("ann2@acme.test")],
            account: Some("Beta".into()),
            ..Default::default()
        })
        .expect("policy");
        p.ctx.now = t("2026-11-25T12:00:00Z");
        // Support flags her: she is in Beta too, which Acme's owner does
        // not manage.
        p.flag_duplicate(
            &email("ann2@acme.test"),
            &email("ann@acme.test"),
            Some("Acme"),
        )
        .expect("flag");
        p.ctx.now = t("2026-11-25T13:00:00Z");
        p.ctx.actor = Actor::Operator("root".into());
        p.merge(&email("ann2@acme.test"), &email("ann@acme.test"))
            .expect("merge");
        p.ctx.now = t("2026-11-26T00:00:00Z");
        p
    }

    /// Each event as `(account, action, address it was recorded under)`.
    fn lines(history: &[HistoryView]) -> Vec<(String, &str, String)> {
        history
            .iter()
            .map(|h| {
                (
                    h.account.clone().unwrap_or_else(|| "-".into()),
                    h.action.as_str(),
                    h.recorded_as.clone().unwrap_or_else(|| "-".into()),
                )
            })
            .collect()
    }

    #[test]
    fn history_takes_in_what_was_recorded_under_each_address_merged_into_them() {
        let mut p = ann_and_her_duplicate();
        let ann = email("ann@acme.test");
        let history = p.member_history(&ann, None).expect("history");
        let line = |account: &str, action: &'static str, address: &str| {
            (account.to_string(), action, address.to_string())
        };
        assert_eq!(
            lines(&history),
            [
                line("Acme", "user.invite", "-"),
                line("Acme", "user.accept", "-"),
                line("Acme", "user.invite", "ann2@acme.test"),
                line("Acme", "user.accept", "ann2@acme.test"),
                line("Beta", "user.invite", "ann2@acme.test"),
                line("Beta", "user.accept", "ann2@acme.test"),
                line("Acme", "user.flag_duplicate", "ann2@acme.test"),
                line("Beta", "user.flag_duplicate", "ann2@acme.test"),
                // Acme: ann2's membership ends beside ann's.
                line("Acme", "user.merge", "ann2@acme.test"),
                // Beta: ann2's membership is ann's now.
                line("Beta", "user.merge", "-"),
                line("-", "user.merge", "ann2@acme.test"),
            ]
        );
        assert!(history.windows(2).all(|w| w[0].seq < w[1].seq));
        let merge = history.last().expect("the merge");
        assert!(
            merge
                .changes
                .contains(&"merged_into: - -> ann@acme.test".to_string()),
            "{merge:?}"
        );
        assert!(
            merge.changes.iter().any(|c| c.contains("Beta signs")),
            "what passed on: {merge:?}"
        );
        // In Beta, before the merge, she was ann2 there.
        let was = p
            .member_show_at(&ann, Some("Beta"), t("2026-11-25T12:30:00Z"))
            .expect("show --at");
        assert_eq!(
            (was.email.as_str(), was.role.as_str()),
            ("ann2@acme.test", "manager")
        );
        // --account: only what was recorded there, and the merge itself.
        let acme = p.member_history(&ann, Some("Acme")).expect("history");
        assert!(acme.iter().all(|h| h.account.as_deref() != Some("Beta")));
        assert_eq!(acme.len(), 7, "{:?}", lines(&acme));
    }

    #[test]
    fn a_member_learns_nothing_of_the_duplicates_other_account() {
        let mut p = ann_and_her_duplicate();
        // Acme's owner sees ann in Acme alone, and Beta not at all.
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let history = p
            .member_history(&email("ann@acme.test"), None)
            .expect("history");
        let seen = format!("{history:?}");
        assert!(!seen.contains("Beta"), "{seen}");
        assert_eq!(
            lines(&history)
                .iter()
                .map(|(account, action, _)| format!("{account} {action}"))
                .collect::<Vec<_>>(),
            [
                "Acme user.invite", "Acme user.accept", "Acme user.invite", "Acme user.accept",
                "Acme user.flag_duplicate", "Acme user.merge", "- user.merge",
            ]
        );
        // A duplicate with nothing recorded where she may look brings
        // nothing, not even their merge.
        p.ctx.actor = Actor::Operator("root".into());
        for (who, account) in [("bea@acme.test", "Acme"), ("bea2@acme.test", "Beta")] {
            let invited = p
                .invite(&crate::domain::InviteRequest {
                    email: Some(email(who)),
                    role: Some("user".into()),
                    account: Some(account.into()),
                    ..Default::default()
                })
                .expect("invite");
            p.accept(&invited.token, None).expect("accept");
        }
        p.merge(&email("bea2@acme.test"), &email("bea@acme.test"))
            .expect("merge");
        p.ctx.actor = Actor::Member(email("owner@acme.test"));
        let bea = p
            .member_history(&email("bea@acme.test"), None)
            .expect("history");
        assert_eq!(
            lines(&bea)
                .iter()
                .map(|(_, action, address)| format!("{action} {address}"))
                .collect::<Vec<_>>(),
            ["user.invite -", "user.accept -"]
        );
    }

    #[test]
    fn a_handover_is_in_both_members_state_at_a_later_moment() {
        // The portal's owner role is its admin role: nobody's role changes.
        let mut p = seeded("portal");
        p.ctx.now = t("2026-11-27T10:00:00Z");
        join(&mut p, "ann@acme.test", "admin");
        p.ctx.now = t("2026-11-27T11:00:00Z");
        p.transfer_ownership(&crate::domain::OwnershipTransfer {
            to: &email("ann@acme.test"),
            former_owner_role: None,
            account: None,
        })
        .expect("transfer");
        p.ctx.now = t("2026-11-28T00:00:00Z");
        for (who, before, after) in [
            ("ann@acme.test", false, true),
            ("owner@acme.test", true, false),
        ] {
            let owned = |p: &mut Portal, at: &str| {
                p.member_show_at(&email(who), None, t(at))
                    .expect("show --at")
                    .owner
            };
            assert_eq!(owned(&mut p, "2026-11-27T10:30:00Z"), before, "{who}");
            assert_eq!(owned(&mut p, "2026-11-27T11:30:00Z"), after, "{who}");
        }
    }

    #[test]
    fn changes_name_each_field_that_differs() {
        let before = serde_json::json!({"email": "a@x.test", "role": "user", "grants": []});
        let after =
            serde_json::json!({"email": "a@x.test", "role": "admin", "grants": ["billing"]});
        assert_eq!(
            changes(Some(&before), Some(&after)),
            ["grants: - -> billing", "role: user -> admin"]
        );
        assert_eq!(changes(None, Some(&before)), ["role: user"]);
    }
}
