//! One audit event per object, however many commands change it.
//!
//! `apply` makes an object what its file says by the commands an admin
//! would run (`user edit`, `set-role`, `grant`, ...), each checked by the
//! gate as if run alone. Each would record its own event, yet the object
//! changed once: inside [`Portal::one_object`] the events about that
//! object are held back as the writes go through, and recorded as one
//! event when the scope ends, in the same batch, so they commit together
//! or not at all. Events about anything else pass through as they are.
//!
//! The merged event reads like any other: `before` is the first event's,
//! `after` the last's (the object as it is left), so whoever replays a
//! state from the last event up to a moment (`can --at`) finds it whole.
//! Its `after` also names the commands that ran, in order, under
//! [`STEPS`], and keeps what an earlier command noted about itself (such
//! as `external_ended`) beside the object's fields. Its action is the
//! creating command's for a new object (`user.invite`), the commands'
//! own when they were all the same, and the scope's update action
//! (`user.update`) otherwise. The hash covers all of it as data, by the
//! formula every new event is hashed with.

use serde_json::{Map, Value};

use super::audit::Change;
use super::{Actor, Portal};
use crate::error::{Error, Result};

/// The key of a merged event's `after` that lists the commands it merges.
pub(crate) const STEPS: &str = "steps";

/// The object a [`Portal::one_object`] scope is about: its account and
/// its target as its events name them (a member's email, a policy's
/// name), and what a merged update of it is called.
pub(crate) struct Object {
    account: String,
    target: String,
    update: &'static str,
}

impl Object {
    /// `target` in the account named `account`, whose commands merge into
    /// `update` (such as `user.update`).
    pub(crate) fn new(
        account: impl Into<String>,
        target: impl Into<String>,
        update: &'static str,
    ) -> Object {
        Object {
            account: account.into(),
            target: target.into(),
            update,
        }
    }

    fn is_about(&self, change: &Change) -> bool {
        change.account.as_ref().map(|a| a.name.as_str()) == Some(self.account.as_str())
            && change.target.as_deref() == Some(self.target.as_str())
    }
}

/// An open scope: its object, and the changes of it held back so far,
/// each with the actor its write was audited as.
pub(super) struct Held {
    object: Object,
    changes: Vec<(Actor, Change)>,
}

impl Held {
    /// Takes the changes about the scope's object out of `changes`, to be
    /// recorded when the scope ends; how many it took.
    pub(super) fn hold(&mut self, actor: &Actor, changes: &mut Vec<Change>) -> usize {
        let (about, other): (Vec<Change>, Vec<Change>) = std::mem::take(changes)
            .into_iter()
            .partition(|c| self.object.is_about(c));
        *changes = other;
        let held = about.len();
        self.changes
            .extend(about.into_iter().map(|c| (actor.clone(), c)));
        held
    }

    /// The events to record: each run of changes made as one actor merged
    /// into one (an apply that places orders acts as their creators, so
    /// an event is never put in another's name).
    fn merged(self) -> Vec<(Actor, Change)> {
        let mut runs: Vec<(Actor, Vec<Change>)> = Vec::new();
        for (actor, change) in self.changes {
            match runs.last_mut() {
                Some((last, run)) if *last == actor => run.push(change),
                _ => runs.push((actor, vec![change])),
            }
        }
        runs.into_iter()
            .filter_map(|(actor, run)| merge(run, self.object.update).map(|c| (actor, c)))
            .collect()
    }
}

impl Portal {
    /// Runs `work`, the commands that change one object, as one batch
    /// whose events about `object` are recorded as one (see the module's
    /// doc). Every write inside is still checked by the gate; a refusal
    /// anywhere rolls the whole back.
    pub(crate) fn one_object<T>(
        &mut self,
        object: Object,
        work: impl FnOnce(&mut Portal) -> Result<T>,
    ) -> Result<T> {
        if self.held.is_some() {
            // Two objects at once would each claim the other's events.
            return Err(Error::Internal(anyhow::anyhow!(
                "one object's changes are already being gathered"
            )));
        }
        self.batch(true, |p| {
            p.held = Some(Held {
                object,
                changes: Vec::new(),
            });
            let out = work(p);
            // Taken before anything can fail, so no scope outlives its batch.
            let held = p.held.take();
            let out = out?;
            for (actor, change) in held.map(Held::merged).unwrap_or_default() {
                p.record_as(actor, change)?;
            }
            Ok(out)
        })
    }

    /// Records `change` as `actor` did it, through the gate like any write.
    fn record_as(&mut self, actor: Actor, change: Change) -> Result<()> {
        let acting = std::mem::replace(&mut self.ctx.actor, actor);
        let done = self.write(|w| {
            w.record(change);
            Ok(())
        });
        self.ctx.actor = acting;
        done
    }
}

/// One event for a run of changes of one object, in order; `None` when
/// the run is empty or leaves the object as it found it.
fn merge(mut run: Vec<Change>, update: &'static str) -> Option<Change> {
    if run.len() < 2 {
        return run.pop();
    }
    let steps: Vec<&'static str> = run.iter().map(|c| c.action).collect();
    let notes = notes(&run);
    let first = run.remove(0);
    let last = run.pop()?;
    let action = if first.before.is_none() || steps.iter().all(|a| *a == first.action) {
        first.action
    } else {
        update
    };
    if first.before.is_some() && first.before == last.after && notes.is_empty() {
        return None;
    }
    let mut after = last.after;
    if let Some(Value::Object(fields)) = &mut after {
        for (key, earlier) in notes {
            match (fields.get_mut(&key), earlier) {
                (None, earlier) => {
                    fields.insert(key, earlier);
                }
                (Some(Value::Array(later)), Value::Array(mut earlier)) => {
                    earlier.append(later);
                    *later = earlier;
                }
                // The last command's own note says the last word.
                (Some(_), _) => {}
            }
        }
        fields.insert(STEPS.to_string(), steps.into());
    }
    Some(Change {
        action,
        account: first.account,
        target: first.target,
        before: first.before,
        after,
    })
}

/// What the commands before the last noted about themselves: the fields
/// of a command's `after` that the next command's `before` lacks are no
/// part of the object (it reads the object afresh), such as the external
/// access a deactivation ended. Lists gather; anything else, the latest.
fn notes(run: &[Change]) -> Map<String, Value> {
    let mut notes = Map::new();
    for pair in run.windows(2) {
        let (Some(Value::Object(after)), Some(Value::Object(next))) =
            (&pair[0].after, &pair[1].before)
        else {
            continue;
        };
        for (key, value) in after.iter().filter(|(k, _)| !next.contains_key(*k)) {
            match (notes.get_mut(key), value) {
                (Some(Value::Array(so_far)), Value::Array(more)) => {
                    so_far.extend(more.iter().cloned());
                }
                _ => {
                    notes.insert(key.clone(), value.clone());
                }
            }
        }
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(action: &'static str, before: Option<Value>, after: Value) -> Change {
        Change {
            action,
            account: None,
            target: Some("ann@acme.test".into()),
            before,
            after: Some(after),
        }
    }

    #[test]
    fn a_run_of_updates_becomes_one_from_the_first_before_to_the_last_after() {
        let merged = merge(
            vec![
                change(
                    "user.edit",
                    Some(json!({"name": "A", "role": "user"})),
                    json!({"name": "B", "role": "user"}),
                ),
                change(
                    "user.set_role",
                    Some(json!({"name": "B", "role": "user"})),
                    json!({"name": "B", "role": "admin"}),
                ),
                change(
                    "user.grant",
                    Some(json!({"name": "B", "role": "admin"})),
                    json!({"name": "B", "role": "admin", "grants": ["x"]}),
                ),
            ],
            "user.update",
        )
        .expect("one event");
        assert_eq!(merged.action, "user.update");
        assert_eq!(merged.before, Some(json!({"name": "A", "role": "user"})));
        assert_eq!(
            merged.after,
            Some(json!({
                "name": "B", "role": "admin", "grants": ["x"],
                "steps": ["user.edit", "user.set_role", "user.grant"]
            }))
        );
    }

    #[test]
    fn a_new_object_keeps_the_command_that_made_it_and_one_command_keeps_its_name() {
        let made = merge(
            vec![
                change("user.invite", None, json!({"role": "user"})),
                change(
                    "user.set_role",
                    Some(json!({"role": "user"})),
                    json!({"role": "admin"}),
                ),
            ],
            "user.update",
        )
        .expect("one event");
        assert_eq!((made.action, made.before), ("user.invite", None));
        let same = merge(
            vec![
                change("user.grant", Some(json!({"g": []})), json!({"g": ["a"]})),
                change(
                    "user.grant",
                    Some(json!({"g": ["a"]})),
                    json!({"g": ["a", "b"]}),
                ),
            ],
            "user.update",
        )
        .expect("one event");
        assert_eq!(same.action, "user.grant");
        let alone = change("user.grant", Some(json!({"g": []})), json!({"g": ["a"]}));
        let kept = merge(vec![alone], "user.update").expect("kept");
        assert_eq!(
            kept.after,
            Some(json!({"g": ["a"]})),
            "nothing added to a single event"
        );
    }

    #[test]
    fn a_run_that_ends_where_it_began_records_nothing() {
        let back = merge(
            vec![
                change("user.grant", Some(json!({"g": []})), json!({"g": ["a"]})),
                change("user.revoke", Some(json!({"g": ["a"]})), json!({"g": []})),
            ],
            "user.update",
        );
        assert!(back.is_none());
        assert!(merge(Vec::new(), "user.update").is_none());
    }

    #[test]
    fn what_an_earlier_command_noted_is_kept_and_lists_gather() {
        let merged = merge(
            vec![
                change(
                    "user.set_role",
                    Some(json!({"role": "user"})),
                    json!({"role": "blocked", "external_ended": [{"customer": "A"}]}),
                ),
                change(
                    "user.deactivate",
                    Some(json!({"role": "blocked"})),
                    json!({"role": "blocked", "external_ended": [{"customer": "B"}], "services_handed_over": []}),
                ),
            ],
            "user.update",
        )
        .expect("one event");
        let after = merged.after.expect("after");
        assert_eq!(
            after["external_ended"],
            json!([{"customer": "A"}, {"customer": "B"}])
        );
        assert_eq!(after["services_handed_over"], json!([]));
    }
}
